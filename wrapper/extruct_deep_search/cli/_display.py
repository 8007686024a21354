"""What the command line shows while waiting (the progress display) and the task tables.

The results table is in _table.py.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import IO, Self

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.panel import Panel
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from .. import Task


def _status(task: Task) -> str:
    return str(getattr(task.status, "value", task.status))


def _elapsed(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def progress_line(task: Task, elapsed: float) -> str:
    """One plain progress line, as printed per poll when not on a terminal."""
    return (
        f"[{elapsed:6.1f}s] {task.id} {_status(task)}"
        f" discovered={task.num_results_discovered}"
        f" enriched={task.num_results_enriched}"
        f" evaluated={task.num_results_evaluated}"
        f" high-fit={task.num_results}/{task.desired_num_results}"
        f" exhausted={'yes' if task.is_exhausted else 'no'}"
    )


class LiveView:
    """A progress view: a rich Live that redraws on a terminal, plain lines otherwise.

    A context manager (the Live runs inside it in "live" mode). ``mode`` is
    "live", "plain" (lines on ``stream``, default stderr) or "off" (--quiet);
    ``clock`` is monotonic seconds (a test passes a fake one). Subclasses
    render themselves through ``__rich__``.
    """

    def __init__(
        self,
        mode: str,
        console: Console,
        clock: Callable[[], float] = time.monotonic,
        stream: IO[str] | None = None,
    ) -> None:
        self.mode = mode
        self.console = console
        self._clock = clock
        self._started = clock()
        self._stream = stream
        self._live: Live | None = None

    def elapsed(self) -> float:
        """Seconds since watching started."""
        return self._clock() - self._started

    def __rich__(self) -> RenderableType:
        """What the live view draws; each view defines it."""
        raise NotImplementedError

    def _print(self, line: str) -> None:
        """Print one plain line."""
        print(line, file=self._stream or sys.stderr, flush=True)

    def __enter__(self) -> Self:
        if self.mode == "live":
            self._live = Live(self, console=self.console, refresh_per_second=4, transient=False)
            self._live.__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._live is not None:
            self._live.__exit__(exc_type, exc, tb)
            self._live = None


class Progress(LiveView):
    """Shows a task's progress while ``DeepSearch.wait`` polls it.

    :meth:`update` is the ``on_progress`` callback.
    """

    def __init__(
        self,
        mode: str,
        console: Console,
        task_id: str,
        clock: Callable[[], float] = time.monotonic,
        stream: IO[str] | None = None,
    ) -> None:
        super().__init__(mode, console, clock, stream)
        self.task_id = task_id
        self.task: Task | None = None

    def __rich__(self) -> RenderableType:
        task = self.task
        title = f"Deep Search {self.task_id}"
        if task is None:
            body: RenderableType = Text(
                f"waiting for the first poll...  elapsed {_elapsed(self.elapsed())}"
            )
            return Panel(body, title=title, expand=False)
        status = _status(task)
        colour = {"done": "green", "failed": "red"}.get(status, "yellow")
        head = Text.assemble(
            ("status ", "dim"),
            (status, f"bold {colour}"),
            ("   exhausted ", "dim"),
            ("yes" if task.is_exhausted else "no", "bold"),
            ("   elapsed ", "dim"),
            (_elapsed(self.elapsed()), "bold"),
        )
        counters = Text.assemble(
            ("discovered ", "dim"),
            (str(task.num_results_discovered), "bold"),
            ("   enriched ", "dim"),
            (str(task.num_results_enriched), "bold"),
            ("   evaluated ", "dim"),
            (str(task.num_results_evaluated), "bold"),
            ("   high-fit ", "dim"),
            (f"{task.num_results}/{task.desired_num_results}", "bold green"),
        )
        bar = ProgressBar(
            total=max(task.desired_num_results, 1), completed=task.num_results, width=60
        )
        return Panel(Group(head, counters, bar), title=title, expand=False)

    def update(self, task: Task) -> None:
        """Record the task seen by a poll and show it."""
        self.task = task
        if self.mode == "plain":
            self._print(progress_line(task, self.elapsed()))
        elif self._live is not None:
            self._live.refresh()


def task_table(task: Task) -> Table:
    """A key/value view of one task (the ``status`` command)."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="dim")
    table.add_column()
    rows: list[tuple[str, str]] = [
        ("id", task.id),
        ("query", task.query),
        ("status", _status(task)),
        ("created", task.created_at.isoformat(timespec="seconds")),
        ("high-fit", f"{task.num_results}/{task.desired_num_results}"),
        ("evaluated", str(task.num_results_evaluated)),
        ("enriched", str(task.num_results_enriched)),
        ("discovered", str(task.num_results_discovered)),
        ("exhausted", "yes" if task.is_exhausted else "no"),
    ]
    if task.criteria:
        rows.append(("criteria", ", ".join(f"{c.key} ({c.name})" for c in task.criteria)))
    if task.exclude_domains:
        rows.append(("excluded domains", str(len(task.exclude_domains))))
    for label, value in rows:
        table.add_row(label, Text(value))
    return table


def tasks_table(tasks: Sequence[Task]) -> Table:
    """The ``list`` command's table, newest first."""
    table = Table(header_style="bold")
    table.add_column("ID", no_wrap=True, style="cyan")
    table.add_column("Created", no_wrap=True)
    table.add_column("Status")
    table.add_column("High-fit", justify="right")
    table.add_column("Evaluated", justify="right")
    table.add_column("Query", overflow="fold")
    for task in tasks:
        table.add_row(
            task.id,
            task.created_at.strftime("%Y-%m-%d %H:%M"),
            _status(task),
            f"{task.num_results}/{task.desired_num_results}",
            str(task.num_results_evaluated),
            Text(task.query),
        )
    return table
