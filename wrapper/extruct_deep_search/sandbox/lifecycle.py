"""The task lifecycle as data: statuses, events and the one table of transitions.

Rule: every status change of a sandbox task is :meth:`Lifecycle.fire`; nothing
else assigns a status. An event that is not allowed from the current status
raises :class:`IllegalTransition` and leaves the status unchanged (the model is
h11's ``_state.py``)::

                  START                     FINISH
      created ──────────▶ in_progress ──────────────▶ done
                            │      ▲                   │
                       FAIL │      └───── REOPEN ──────┘
                            ▼
                          failed

    START   the simulated start delay has passed
    FINISH  num_results reached the target, or every candidate is evaluated
    FAIL    the query's FAIL_TASK trigger fired (partial results stay readable)
    REOPEN  resume raised the target of a done task

``failed`` is final: resume answers 400 before any event is fired, and so it
does for an exhausted task (see ``state.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

__all__ = ["TRANSITIONS", "Event", "IllegalTransition", "Lifecycle", "Status", "next_status"]


class Status(StrEnum):
    """A task's ``status`` as the API spells it."""

    CREATED = "created"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    FAILED = "failed"


class Event(StrEnum):
    """Something that happens to a task."""

    START = "start"
    FINISH = "finish"
    FAIL = "fail"
    REOPEN = "reopen"


#: event -> (statuses it may happen in, the status it leads to)
TRANSITIONS: Mapping[Event, tuple[frozenset[Status], Status]] = MappingProxyType(
    {
        Event.START: (frozenset({Status.CREATED}), Status.IN_PROGRESS),
        Event.FINISH: (frozenset({Status.IN_PROGRESS}), Status.DONE),
        Event.FAIL: (frozenset({Status.IN_PROGRESS}), Status.FAILED),
        Event.REOPEN: (frozenset({Status.DONE}), Status.IN_PROGRESS),
    }
)


class IllegalTransition(Exception):
    """An event that the table does not allow from the current status."""

    def __init__(self, status: Status, event: Event) -> None:
        super().__init__(f"event {event.value!r} is not allowed in status {status.value!r}")
        self.status = status
        self.event = event


def next_status(status: Status, event: Event) -> Status:
    """Return the status ``event`` leads to from ``status``.

    Raises:
        IllegalTransition: the table does not allow ``event`` in ``status``.
    """
    allowed, target = TRANSITIONS[event]
    if status not in allowed:
        raise IllegalTransition(status, event)
    return target


class Lifecycle:
    """One task's current status, changed only by :meth:`fire`."""

    __slots__ = ("_status",)

    def __init__(self, status: Status = Status.CREATED) -> None:
        self._status = status

    @property
    def status(self) -> Status:
        """The current status."""
        return self._status

    def fire(self, event: Event) -> Status:
        """Apply ``event``; return the new status.

        Raises:
            IllegalTransition: the event is not allowed now; the status is unchanged.
        """
        self._status = next_status(self._status, event)
        return self._status

    def __repr__(self) -> str:
        return f"Lifecycle({self._status.value!r})"
