"""Results shift between page reads while a task runs: pass each result on once."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import Generic, TypeVar

T = TypeVar("T")


class Deduper(Generic[T]):
    """Remembers keys seen; ``feed`` returns only rows not seen before, in order."""

    def __init__(self, key: Callable[[T], Hashable]) -> None:
        self._key = key
        self._seen: set[Hashable] = set()

    def __len__(self) -> int:
        return len(self._seen)

    def feed(self, rows: Iterable[T]) -> list[T]:
        """The rows of ``rows`` whose key is new, remembering them."""
        fresh = []
        for row in rows:
            k = self._key(row)
            if k not in self._seen:
                self._seen.add(k)
                fresh.append(row)
        return fresh
