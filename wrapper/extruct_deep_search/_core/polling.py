"""The completion rule and the poll schedule.

Completion rule: a task is finished when its status is ``done`` (success) or
``failed``. ``is_exhausted`` alone does not finish it: it means the candidate
pool is depleted while evaluation may still be running, so results can still
arrive. This follows Extruct's own CLI (fixed 2026-03 to wait for done/failed
only), not the reference pages' "status=done or is_exhausted=true"
(API_FACTS.md, "Completion"). An unknown status is treated as still running.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class HasStatus(Protocol):
    """Anything with a task status."""

    @property
    def status(self) -> str: ...


DONE = "done"
FAILED = "failed"


def is_finished(status: str) -> bool:
    """The completion rule: done or failed."""
    return status in (DONE, FAILED)


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

    def elapsed(self, now: float) -> float:
        """Seconds since ``start``."""
        return 0.0 if self.started is None else now - self.started

    def on_status(self, status: str, now: float) -> Decision:
        """Decide after a successful poll that saw ``status``."""
        self.start(now)
        self.failures = 0
        if status == DONE:
            return Finished()
        if status == FAILED:
            return Failed()
        return self._again(now)

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
