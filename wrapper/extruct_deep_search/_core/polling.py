"""The completion rule and the poll schedule.

Completion rule: a task is finished when its status is ``done`` (success) or
``failed``. ``is_exhausted`` alone does not finish it: it means the candidate
pool is depleted while evaluation may still be running, so results can still
arrive. This follows Extruct's own CLI (fixed 2026-03 to wait for done/failed
only), not the reference pages' "status=done or is_exhausted=true"
(docs/API_FACTS.md, "Completion"). An unknown status is treated as still
running. :func:`completion` is the rule; ``is_finished``, ``Task.is_terminal``
and :class:`PollPlan` all ask it.
"""

from __future__ import annotations

from dataclasses import dataclass

DONE = "done"
FAILED = "failed"


@dataclass(frozen=True, slots=True)
class PollAgain:
    """Poll again after ``delay`` seconds."""

    delay: float


@dataclass(frozen=True, slots=True)
class Finished:
    """The task is done."""


@dataclass(frozen=True, slots=True)
class Failed:
    """The task failed."""


@dataclass(frozen=True, slots=True)
class TimedOut:
    """The overall wait timeout passed after ``elapsed`` seconds."""

    elapsed: float


Decision = PollAgain | Finished | Failed | TimedOut

_FINISHED = Finished()
_FAILED = Failed()


def completion(status: str) -> Finished | Failed | None:
    """The completion rule: Finished for ``done``, Failed for ``failed``, else None (running)."""
    if status == DONE:
        return _FINISHED
    if status == FAILED:
        return _FAILED
    return None


def is_finished(status: str) -> bool:
    """Whether a task with this status is finished (done or failed)."""
    return completion(status) is not None


@dataclass(slots=True)
class PollPlan:
    """Fixed-interval polling with an overall deadline.

    Args:
        interval: seconds between polls.
        timeout: seconds to wait in all; None waits forever.
        max_failures: consecutive failed polls tolerated before giving up.
    """

    interval: float = 10.0
    timeout: float | None = 1800.0
    max_failures: int = 5
    started: float | None = None
    failures: int = 0

    def start(self, now: float) -> None:
        """Record when waiting began."""
        if self.started is None:
            self.started = now

    @property
    def deadline(self) -> float | None:
        """When the wait ends (monotonic seconds), or None without a timeout or a start."""
        if self.timeout is None or self.started is None:
            return None
        return self.started + self.timeout

    def elapsed(self, now: float) -> float:
        """Seconds since ``start``."""
        return 0.0 if self.started is None else now - self.started

    def on_status(self, status: str, now: float) -> Decision:
        """Decide after a successful poll that saw ``status``."""
        self.start(now)
        self.failures = 0
        return completion(status) or self._again(now)

    def on_failure(self, now: float) -> Decision | None:
        """Decide after a transient poll failure; None means give up and raise it."""
        self.start(now)
        self.failures += 1
        if self.failures > self.max_failures:
            return None
        return self._again(now)

    def _again(self, now: float) -> PollAgain | TimedOut:
        elapsed = self.elapsed(now)
        if self.timeout is None:
            return PollAgain(self.interval)
        if elapsed >= self.timeout:
            return TimedOut(elapsed)
        return PollAgain(min(self.interval, self.timeout - elapsed))
