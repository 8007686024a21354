"""The page loop's rules: read offset/limit pages until one is shorter than the
limit, and end with an error against a server that would keep it going forever.

Pages carry no total and no cursor (docs/API_FACTS.md, "Page size"), so the
only stop signal is a short page; a full last page costs one extra, empty
read. A server or proxy that ignores ``offset`` (the same full page forever)
or whose pages never shrink would keep a naive loop reading forever, so:

- a page longer than the limit asked for is read on after (a server that
  ignores ``limit`` but honours ``offset`` still gives every result once);
- a task holds at most 250 results (the documented cap), so a read that
  passes twice that is refused;
- on a finished task, whose list no longer changes, a full page that adds no
  result the read has not seen already is refused. (While a task runs, a new
  high-relevance result can shift rows already read onto the next page, so
  there only the cap applies.)
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["MAX_ROWS_READ", "MAX_TASK_RESULTS", "PageCursor", "PagingError"]

MAX_TASK_RESULTS = 250
MAX_ROWS_READ = 2 * MAX_TASK_RESULTS  # the cap, with a margin for rows shifting mid-read


class PagingError(Exception):
    """The server's pages break the paging rules; reading on would never end."""


@dataclass(slots=True)
class PageCursor:
    """Where the next page starts, and whether there is one."""

    limit: int = 50
    offset: int = 0
    done: bool = False

    def next_page(self) -> tuple[int, int] | None:
        """(offset, limit) of the next page, or None when finished."""
        return None if self.done else (self.offset, self.limit)

    def on_page(self, n_rows: int, n_new: int | None = None, *, stable: bool = False) -> None:
        """Record a page of ``n_rows`` rows, ``n_new`` of them not seen earlier in this read.

        ``stable``: the task is finished, so its result list no longer changes.

        Raises:
            PagingError: the page breaks a rule in the module docstring.
        """
        if stable and n_rows >= self.limit and n_new == 0:
            raise PagingError(
                f"the page at offset={self.offset} repeats results already read "
                "(does a proxy ignore offset?)"
            )
        self.offset += n_rows
        self.done = n_rows < self.limit
        if not self.done and self.offset >= MAX_ROWS_READ:
            raise PagingError(
                f"{self.offset} results read and pages still full; a task holds at most "
                f"{MAX_TASK_RESULTS} (does a proxy ignore offset?)"
            )
