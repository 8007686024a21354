"""Progress reporting, built on the on_progress hook.

``wait``, ``run`` and ``stream_results`` call ``on_progress(task)`` with each
task seen. ``progress=True`` adds :class:`ProgressBar` to that hook: a rich
progress bar (rich is in the ``cli`` extra; it renders in a terminal and in
Jupyter) or, without rich, one line on stderr, rewritten in place on a
terminal. An ``async def`` on_progress is awaited by the asyncio client and
refused by the blocking one, which cannot await it.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Awaitable, Callable
from typing import IO, Any

from ._errors import InvalidArgumentError
from ._types import Task

__all__ = ["ProgressBar", "ProgressCallback", "async_settle", "progress_hook", "settle"]

ProgressCallback = Callable[[Task], object]

_ASYNC_REFUSED = (
    "is an async function (or returned an awaitable); the blocking DeepSearch cannot "
    "await it: pass a plain function, or use AsyncDeepSearch"
)


def _is_async_callable(fn: object) -> bool:
    return inspect.iscoroutinefunction(fn) or inspect.iscoroutinefunction(
        getattr(fn, "__call__", None)  # noqa: B004 - an object with async __call__
    )


class ProgressBar:
    """Shows each task seen: done results out of those asked for, status, evaluated.

    Args:
        file: where the plain line goes (stderr by default); rich uses its own console.
    """

    def __init__(self, file: IO[str] | None = None) -> None:
        self._file = file
        self._rich: Any = None
        self._bar: Any = None
        self._last = ""
        try:
            import rich.console
            import rich.progress
        except ImportError:  # pragma: no cover - rich comes with the dev extra
            return
        if file is None:
            self._rich = rich.progress.Progress(
                rich.progress.TextColumn("{task.description}"),
                rich.progress.BarColumn(),
                rich.progress.MofNCompleteColumn(),
                rich.progress.TimeElapsedColumn(),
                console=rich.console.Console(stderr=True),
            )

    def __call__(self, task: Task) -> None:
        total = max(task.desired_num_results, 1)
        done = min(task.num_results, total)
        status = getattr(task.status, "value", task.status)
        text = f"{task.id} {status}, {task.num_results_evaluated} evaluated"
        if self._rich is not None:
            if self._bar is None:
                self._rich.start()
                self._bar = self._rich.add_task(text, total=total)
            self._rich.update(self._bar, description=text, completed=done, total=total)
            return
        line = f"{text}: {done}/{total} results"
        if line == self._last:
            return
        file = self._file or sys.stderr
        if file.isatty():
            file.write("\r" + line.ljust(len(self._last)))
        else:
            file.write(line + "\n")
        file.flush()
        self._last = line

    def close(self) -> None:
        """Stop the display (it stays on screen); twice is fine."""
        if self._rich is not None and self._bar is not None:
            self._rich.stop()
            self._bar = None
        elif self._last:
            file = self._file or sys.stderr
            if file.isatty():
                file.write("\n")
                file.flush()
            self._last = ""


def progress_hook(
    on_progress: ProgressCallback | None, progress: bool, *, allow_async: bool
) -> tuple[ProgressCallback | None, ProgressBar | None]:
    """The on_progress hook to pass to a flow, and the bar to close after it (or None).

    Raises:
        InvalidArgumentError: ``on_progress`` is not callable, or is async and
            ``allow_async`` is false; ``progress`` is not a bool.
    """
    if on_progress is not None and not callable(on_progress):
        raise InvalidArgumentError("on_progress", "must be a function taking a Task, or None")
    if on_progress is not None and not allow_async and _is_async_callable(on_progress):
        raise InvalidArgumentError("on_progress", _ASYNC_REFUSED)
    if not isinstance(progress, bool):
        raise InvalidArgumentError(
            "progress", f"must be True or False, got {type(progress).__name__}"
        )
    if not progress:
        return on_progress, None
    bar = ProgressBar()
    user = on_progress

    def both(task: Task) -> object:
        bar(task)
        return None if user is None else user(task)

    return both, bar


async def async_settle(value: Awaitable[object]) -> None:
    """Await what an async on_progress returned (the asyncio client)."""
    await value


def settle(value: Awaitable[object]) -> None:
    """Refuse what an async on_progress returned (the blocking client cannot await it)."""
    close = getattr(value, "close", None)
    if callable(close):
        close()  # no "coroutine was never awaited" warning
    raise InvalidArgumentError("on_progress", _ASYNC_REFUSED)
