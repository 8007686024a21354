"""KeyRing: performs the key and claim effects of ``_create.py`` for both drivers.

It holds the client's journal (``journal.py``), the keys whose create is under
way in this client, and the ids of every task this client has returned, so
that create recovery never adopts a task twice. Journal steps are short
SQLite transactions (or dict updates), so both drivers call them inline.
"""

from __future__ import annotations

import os
import threading
from dataclasses import replace
from typing import Any

from ._core.effects import (
    ClaimedTasks,
    ClaimKey,
    ClaimTask,
    KeyEffect,
    KeyState,
    ReadKey,
    RecordStatus,
    RecordTask,
    ReleaseKey,
)
from ._errors import InvalidArgumentError
from .journal import Journal, MemoryJournal, SQLiteJournal, process_owner

JournalArg = str | os.PathLike[str] | Journal | None


def open_journal(journal: JournalArg) -> Journal:
    """The journal for a client's ``journal=`` argument: a path opens a SQLite file."""
    if journal is None:
        return MemoryJournal()
    if isinstance(journal, str | os.PathLike):
        if not str(journal).strip():
            raise InvalidArgumentError("journal", "must be a file path or a Journal, got ''")
        return SQLiteJournal(journal)
    needed = ("get", "begin", "attach", "set_status", "task_ids", "entries", "owner_alive")
    if not all(callable(getattr(journal, name, None)) for name in needed):
        raise InvalidArgumentError(
            "journal", f"must be a file path or a Journal (with {', '.join(needed)})"
        )
    return journal


class KeyRing:
    """The key and claim state of one client (thread-safe)."""

    def __init__(self, journal: Journal) -> None:
        self.journal = journal
        self._lock = threading.Lock()
        self._in_flight: set[str] = set()
        self._returned: set[str] = set()
        self._me = process_owner()

    def perform(self, effect: KeyEffect) -> Any:
        """Carry out one key effect and return its answer (see ``_core/effects.py``)."""
        match effect:
            case ReadKey(key):
                entry = self.journal.get(key)
                alive = None
                if entry is not None and entry.task_id is None:
                    alive = self.journal.owner_alive(entry.owner)
                with self._lock:
                    busy = key in self._in_flight
                return KeyState(entry, self._me, busy, alive)
            case ClaimKey(key, fingerprint, query, sent_at, replace_owner):
                # Calls in one process share an owner string: the in-flight set tells
                # them apart, so two threads with one key never both create.
                with self._lock:
                    if key in self._in_flight:
                        entry = self.journal.get(key)
                        assert entry is not None
                        return replace(entry, owner=None)  # held by another call here
                    entry = self.journal.begin(
                        key,
                        fingerprint,
                        query,
                        sent_at=sent_at,
                        owner=self._me,
                        replace_owner=replace_owner,
                    )
                    if entry.owner == self._me and entry.task_id is None:
                        self._in_flight.add(key)
                return entry
            case RecordTask(key, task_id, status):
                try:
                    recorded = self.journal.attach(key, task_id, status)
                except BaseException:
                    # Not recorded (a locked journal, an interrupt): the caller never
                    # gets the task, so the key's next create may adopt it again.
                    with self._lock:
                        self._in_flight.discard(key)
                        self._returned.discard(task_id)
                    raise
                with self._lock:
                    self._in_flight.discard(key)
                    if recorded is not False:  # a journal of the older protocol returns None
                        self._returned.add(task_id)
                return recorded is not False
            case ReleaseKey(key):
                with self._lock:
                    self._in_flight.discard(key)
                return None
            case RecordStatus(key, status):
                self.journal.set_status(key, status)
                return None
            case ClaimedTasks():
                taken = self.journal.task_ids()
                with self._lock:
                    return frozenset(taken | self._returned)
            case ClaimTask(task_id):
                with self._lock:
                    fresh = task_id not in self._returned
                    self._returned.add(task_id)
                return fresh
        raise TypeError(f"unexpected effect {effect!r}")  # pragma: no cover
