"""The page loop's rule: read offset/limit pages until one is shorter than the limit.

Pages carry no total and no cursor (API_FACTS.md, "Page size"), so the only
stop signal is a short page; a full last page costs one extra, empty read.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class PageCursor:
    """Where the next page starts, and whether there is one."""

    limit: int = 50
    offset: int = 0
    done: bool = False

    def next_page(self) -> tuple[int, int] | None:
        """(offset, limit) of the next page, or None when finished."""
        return None if self.done else (self.offset, self.limit)

    def on_page(self, n_rows: int) -> None:
        """Record a page of ``n_rows`` rows."""
        self.offset += n_rows
        self.done = n_rows < self.limit
