"""TaskStateJournal: the client's journal kept in Airflow's task state store.

Airflow 3.3 keeps a small key-value store per task instance (the scope is
dag run, task id and map index) that every try of the instance shares: what
try 1 wrote before a worker died, try 2 reads. This module stores the
:class:`~extruct_deep_search.journal.Journal` entries there, so the pending
claim recorded *before* the create POST (with its send time and owner) and
the task id recorded after it survive a killed worker.

All entries live in one JSON document under the store key
:data:`STORE_KEY`: a task instance normally holds one key, and one document
makes every step a single read and a single write. The store has no
compare-and-swap, and none is needed: Airflow runs one try of a task instance
at a time, and a lock serializes the threads of this try.

Usage (inside an operator's ``execute``)::

    journal = TaskStateJournal.from_context(context)
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict
from typing import Any, Protocol

from .._core.keys import claimed
from ..journal import JournalEntry, owner_alive, process_owner

__all__ = ["STORE_KEY", "StateStore", "TaskStateJournal"]

STORE_KEY = "extruct_deep_search.journal"
"""The task state store key holding the journal document."""

_VERSION = 1


class StateStore(Protocol):
    """The part of Airflow's ``context["task_state_store"]`` this journal uses."""

    def get(self, key: str, default: Any = None) -> Any:
        """The stored JSON value, or ``default``."""
        ...

    def set(self, key: str, value: Any) -> None:
        """Store a JSON value (durably: Airflow's call returns after the write)."""
        ...


def _entry(key: str, raw: Mapping[str, Any]) -> JournalEntry:
    return JournalEntry(
        key=key,
        fingerprint=str(raw["fingerprint"]),
        query=str(raw["query"]),
        task_id=raw.get("task_id"),
        status=raw.get("status"),
        sent_at=raw.get("sent_at"),
        owner=raw.get("owner"),
        created=float(raw["created"]),
        updated=float(raw["updated"]),
    )


class TaskStateJournal:
    """A :class:`~extruct_deep_search.journal.Journal` in one task instance's state store.

    Args:
        store: ``context["task_state_store"]`` (or anything with ``get``/``set``).
        try_number: the running try (``context["ti"].try_number``); an owner
            recorded by an earlier try is known to be gone.
        owner: this process's owner string (default: ``host:pid:start``).
        clock: Unix time, for ``created``/``updated``.
    """

    def __init__(
        self,
        store: StateStore,
        *,
        try_number: int = 1,
        owner: str | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self.try_number = try_number
        self.owner = owner or process_owner()
        self._clock = clock
        self._lock = threading.Lock()

    @classmethod
    def from_context(cls, context: Mapping[str, Any]) -> TaskStateJournal:
        """The journal of the running task instance.

        Raises:
            RuntimeError: the context has no task state store (Airflow before 3.3).
        """
        store = context.get("task_state_store")
        if store is None:
            raise RuntimeError("the task context has no task_state_store (Airflow 3.3+ needed)")
        return cls(store, try_number=int(context["ti"].try_number))

    def __repr__(self) -> str:
        return f"TaskStateJournal(try_number={self.try_number})"

    # The document.

    def _read(self) -> dict[str, dict[str, Any]]:
        doc = self._store.get(STORE_KEY)
        if not isinstance(doc, Mapping) or doc.get("v") != _VERSION:
            return {}
        entries = doc.get("entries")
        return {str(k): dict(v) for k, v in entries.items()} if isinstance(entries, Mapping) else {}

    def _write(self, entries: dict[str, dict[str, Any]]) -> None:
        self._store.set(STORE_KEY, {"v": _VERSION, "entries": entries})

    @staticmethod
    def _raw(entry: JournalEntry, try_number: int) -> dict[str, Any]:
        raw = asdict(entry)
        del raw["key"]
        raw["try"] = try_number
        return raw

    # The Journal protocol.

    def get(self, key: str) -> JournalEntry | None:
        """The entry for ``key``, or None."""
        raw = self._read().get(key)
        return None if raw is None else _entry(key, raw)

    def begin(
        self,
        key: str,
        fingerprint: str,
        query: str,
        *,
        sent_at: float,
        owner: str,
        replace_owner: str | None = None,
    ) -> JournalEntry:
        """See :meth:`extruct_deep_search.journal.Journal.begin`."""
        with self._lock:
            entries = self._read()
            raw = entries.get(key)
            entry = None if raw is None else _entry(key, raw)
            stored = claimed(
                entry,
                key,
                fingerprint,
                query,
                sent_at=sent_at,
                owner=owner,
                replace_owner=replace_owner,
                now=self._clock(),
            )
            if stored is None:
                assert entry is not None
                return entry
            entries[key] = self._raw(stored, self.try_number)
            self._write(entries)
            return stored

    def attach(self, key: str, task_id: str, status: str | None = None) -> bool:
        """See :meth:`extruct_deep_search.journal.Journal.attach`."""
        with self._lock:
            entries = self._read()
            if any(r.get("task_id") == task_id and k != key for k, r in entries.items()):
                return False
            raw = entries[key]
            raw.update(task_id=task_id, updated=self._clock())
            if status:
                raw["status"] = status
            self._write(entries)
            return True

    def set_status(self, key: str, status: str) -> None:
        """See :meth:`extruct_deep_search.journal.Journal.set_status`."""
        with self._lock:
            entries = self._read()
            if (raw := entries.get(key)) is not None:
                raw.update(status=status, updated=self._clock())
                self._write(entries)

    def task_ids(self) -> set[str]:
        """See :meth:`extruct_deep_search.journal.Journal.task_ids`."""
        return {str(raw["task_id"]) for raw in self._read().values() if raw.get("task_id")}

    def entries(self) -> list[JournalEntry]:
        """See :meth:`extruct_deep_search.journal.Journal.entries`."""
        found = [_entry(key, raw) for key, raw in self._read().items()]
        return sorted(found, key=lambda e: (e.created, e.key))

    # Beyond the protocol.

    def forget(self, key: str) -> None:
        """Drop ``key`` (its task failed: the next create for the key starts afresh)."""
        with self._lock:
            entries = self._read()
            if entries.pop(key, None) is not None:
                self._write(entries)

    def owner_alive(self, owner: str | None) -> bool | None:
        """Whether ``owner`` may still be sending a create for a key of this journal.

        An owner whose claim an earlier try recorded is gone: Airflow starts a
        new try only after the previous one ended (or was declared dead and
        killed). Otherwise the process check of :func:`~extruct_deep_search.journal.owner_alive`.
        """
        tries = [raw.get("try") for raw in self._read().values() if raw.get("owner") == owner]
        if tries and all(isinstance(t, int) and t < self.try_number for t in tries):
            return False
        return owner_alive(owner)
