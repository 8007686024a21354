"""What ``batch`` shows while it runs: a live table on a terminal, plain lines otherwise.

The live view has one row per active search (key, status, evaluated,
high-fit/target, elapsed) and a totals line with an ETA. The plain view prints
a line when a search starts being watched, one when it finishes, and a totals
line at most every ``every`` seconds. The ETA assumes the work left goes at
the pace seen so far, where work is high-fit results (a finished search counts
as all of its target, whatever it found).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import IO

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from .. import Task
from ._display import LiveView, _elapsed, _status

__all__ = ["BatchProgress"]


@dataclass
class _Active:
    task: Task
    since: float


class BatchProgress(LiveView):
    """Progress of a batch; a context manager whose :meth:`seen` and :meth:`ended` feed it.

    Args:
        mode: "live" (a rich table that redraws), "plain" (lines on ``stream``) or "off".
        console: where the live table goes.
        targets: each key's desired_num_results, in batch order.
        clock: monotonic seconds (a test passes a fake one).
        stream: where plain lines go (default: stderr).
        every: seconds between plain totals lines.
    """

    def __init__(
        self,
        mode: str,
        console: Console,
        targets: Mapping[str, int],
        *,
        clock: Callable[[], float] = time.monotonic,
        stream: IO[str] | None = None,
        every: float = 10.0,
    ) -> None:
        super().__init__(mode, console, clock, stream)
        self.targets = dict(targets)
        self.order = {key: i for i, key in enumerate(targets)}
        self._every = every
        self._last_totals = self._started
        self._active: dict[str, _Active] = {}
        self.done = 0
        self.failed = 0
        self._finished_work = 0  # the targets of the searches that ended
        self._finished_high_fit = 0
        self._lock = threading.Lock()

    # State -------------------------------------------------------------------------------

    def elapsed(self) -> float:
        """Seconds since the batch started."""
        return self._clock() - self._started

    def seen(self, key: str, task: Task) -> None:
        """A poll saw ``task``, the task of search ``key``."""
        with self._lock:
            active = self._active.get(key)
            first = active is None
            if active is None:
                self._active[key] = _Active(task, self._clock())
            else:
                active.task = task
        if first:
            self._line(f"watching {key}: task {task.id} {_status(task)}")
        self._tick()

    def ended(
        self, key: str, task: Task | None, note: str, *, ok: bool, word: str | None = None
    ) -> None:
        """Search ``key`` finished (``ok``) or failed; ``note`` says how, in a few words.

        ``word`` heads the plain line (default: finished, or FAILED).
        """
        with self._lock:
            self._active.pop(key, None)
            self._finished_work += self.targets.get(key, 0)
            self._finished_high_fit += task.num_results if task is not None else 0
            if ok:
                self.done += 1
            else:
                self.failed += 1
        count = f"{self.done + self.failed}/{len(self.targets)}"
        where = f" task {task.id}" if task is not None else ""
        word = word or ("finished" if ok else "FAILED")
        self._line(f"{word} {count} {key}:{where} {note}")
        self._tick()

    def eta(self) -> float | None:
        """Seconds left at the pace so far, or None before there is a pace."""
        done, total = self.work()
        elapsed = self.elapsed()
        if done <= 0 or elapsed <= 0:
            return None
        return max(elapsed * (total - done) / done, 0.0)

    def work(self) -> tuple[int, int]:
        """(high-fit results so far, all targets): a finished search counts its whole target."""
        with self._lock:
            active = sum(min(a.task.num_results, self.targets[k]) for k, a in self._active.items())
            finished = self._finished_work
        return active + finished, sum(self.targets.values())

    def totals(self) -> str:
        """The totals line: finished, failed, active, waiting, high-fit, elapsed, ETA."""
        with self._lock:
            active = len(self._active)
            high_fit = self._finished_high_fit
            high_fit += sum(a.task.num_results for a in self._active.values())
        waiting = len(self.targets) - self.done - self.failed - active
        eta = self.eta()
        return (
            f"{self.done + self.failed}/{len(self.targets)} finished"
            f" ({self.failed} failed), {active} active, {waiting} waiting;"
            f" high-fit {high_fit}/{sum(self.targets.values())}; elapsed {_elapsed(self.elapsed())},"
            f" ETA {'--' if eta is None else '~' + _elapsed(eta)}"
        )

    # Rendering ---------------------------------------------------------------------------

    def table(self) -> Table:
        """The live table: one row per active search, in batch order."""
        table = Table(header_style="bold", expand=False)
        table.add_column("Key", overflow="ellipsis", max_width=40, no_wrap=True)
        table.add_column("Status")
        table.add_column("Evaluated", justify="right")
        table.add_column("High-fit", justify="right")
        table.add_column("Elapsed", justify="right")
        now = self._clock()
        with self._lock:
            rows = sorted(self._active.items(), key=lambda item: self.order.get(item[0], 0))
        for key, active in rows:
            task = active.task
            table.add_row(
                Text(key),
                _status(task),
                str(task.num_results_evaluated),
                f"{task.num_results}/{task.desired_num_results}",
                _elapsed(now - active.since),
            )
        return table

    def __rich__(self) -> RenderableType:
        return Group(self.table(), Text(self.totals(), style="bold"))

    def _line(self, text: str) -> None:
        if self.mode == "plain":
            stamp = f"[{self.elapsed():7.1f}s]"
            self._print(f"{stamp} {text}")

    def _tick(self) -> None:
        if self._live is not None:
            self._live.refresh()
        elif self.mode == "plain" and self._clock() - self._last_totals >= self._every:
            self._last_totals = self._clock()
            self._line(self.totals())

    def final(self) -> None:
        """Print the last totals line (plain mode; the live table shows it already)."""
        self._line(self.totals())
