"""Polling many tasks through the task list: one page shows many tasks' status.

``GET /v1/discovery_tasks`` returns task objects, status and counters included,
``limit`` at a time. To poll N active tasks, read list pages instead of one
``GET /v1/discovery_tasks/{id}`` per task, and fall back to that GET only for
active tasks the pages did not reach.

Why it is safe: tasks are matched by id, never by position, so a task that
moved between two page reads is at worst not seen this cycle and then read by
its own GET. The list's order (newest first, an assumption the spec marks)
only decides how far to page: once a page's oldest task is older than every
active task not yet seen, later pages cannot hold them (if the order holds; if
it does not, they are read by GET all the same). Paging also stops at a page
that shows no task an earlier page of the cycle did not (a server that
ignores ``offset``), and after ``MAX_PAGES`` pages.

Cost per poll cycle, with the active tasks among the newest: about
ceil(N / limit) list pages, plus one GET per task the pages missed.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .._types import Task

__all__ = ["ListPoll"]

MAX_PAGES = 50


@dataclass(slots=True)
class ListPoll:
    """One poll cycle over the active tasks.

    Args:
        active: the active tasks' ids and creation times.
        limit: tasks per list page.

    Drive it: while ``next_page()`` gives an offset, read that page and call
    ``on_page(tasks)``; then GET each id in ``missing()``. ``seen`` maps each
    active id to the task as last read.
    """

    active: Mapping[str, datetime.datetime]
    limit: int = 100
    seen: dict[str, Task] = field(default_factory=dict)
    _offset: int = 0
    _done: bool = False
    _pages: int = 0
    _read: set[str] = field(default_factory=set)

    def next_page(self) -> int | None:
        """The offset of the next list page to read, or None when paging is over."""
        if self._done or not self.active or self._pages >= MAX_PAGES:
            return None
        return self._offset

    def on_page(self, tasks: Iterable[Task]) -> None:
        """Record one list page."""
        page = list(tasks)
        self._pages += 1
        self._offset += len(page)
        fresh = {t.id for t in page} - self._read
        self._read |= fresh
        for task in page:
            if task.id in self.active:
                self.seen[task.id] = task
        unseen = [self.active[i] for i in self.active if i not in self.seen]
        if not unseen or len(page) < self.limit or not fresh:
            self._done = True
            return
        oldest_on_page = min((t.created_at for t in page), default=None)
        if oldest_on_page is not None and _aware(oldest_on_page) < min(map(_aware, unseen)):
            self._done = True

    def missing(self) -> list[str]:
        """Active ids the pages did not show: read each with its own GET."""
        return [i for i in self.active if i not in self.seen]


def _aware(value: datetime.datetime) -> datetime.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=datetime.UTC)
