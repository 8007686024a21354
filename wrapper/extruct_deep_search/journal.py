"""The journal: which key created which task, kept across processes and crashes.

A *key* names one logical search. Before the client sends the create POST for
a key, it records the key with its request fingerprint and the send time; as
soon as it learns the task id, it records that too. A later call with the same
key, in this process or another one (a rerun script, a restarted kernel, a
retried scheduler task), re-attaches instead of paying for a second task. When
a process died between the POST and recording the id, the recorded send time
bounds the search for the task in the task list (``_core/recovery.py``).

Two implementations of the :class:`Journal` protocol ship here:
:class:`MemoryJournal` (the default: keys live as long as the client) and
:class:`SQLiteJournal` (a file that several processes can share at once).

SQLite schema, version 1 (``PRAGMA user_version = 1``)::

    CREATE TABLE searches (
        key         TEXT PRIMARY KEY,   -- the caller's key
        fingerprint TEXT NOT NULL,      -- CreateParams.fingerprint()
        query       TEXT NOT NULL,      -- for listing only
        task_id     TEXT UNIQUE,        -- NULL until the create's answer was recorded
        status      TEXT,               -- last status seen, for listing
        sent_at     REAL,               -- Unix time of the earliest create POST for the key
        owner       TEXT,               -- "host:pid:start" of the process sending it
        created     REAL NOT NULL,      -- Unix time the entry was made
        updated     REAL NOT NULL
    );

The token is never stored. Writes are single transactions in WAL mode with
``synchronous=FULL``, so a SIGKILL at any instant leaves either the old or
the new record, never a torn one.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Protocol

from ._core.keys import JournalEntry, claimed

__all__ = ["Journal", "JournalEntry", "MemoryJournal", "SQLiteJournal", "process_owner"]

SCHEMA_VERSION = 1


class Journal(Protocol):
    """Storage for keys. Every method is one atomic step; implementations are thread-safe."""

    def get(self, key: str) -> JournalEntry | None:
        """The entry for ``key``, or None."""
        ...

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
        """Claim ``key`` for ``owner`` before sending its create POST; returns the stored entry.

        Inserts the entry when the key is new. When it exists without a task id
        and its owner is ``replace_owner`` (a process known to be gone), the
        claim passes to ``owner``, keeping the earliest ``sent_at``. Otherwise
        the existing entry is returned unchanged: the caller owns the key only
        when the returned entry's ``owner`` is its own and ``task_id`` is None.
        """
        ...

    def attach(self, key: str, task_id: str, status: str | None = None) -> bool:
        """Record the task created (or adopted) for ``key``.

        Returns False, changing nothing, when ``task_id`` is already recorded
        under another key: another process adopted that task first.
        """
        ...

    def set_status(self, key: str, status: str) -> None:
        """Record the last status seen for ``key``'s task (for listing)."""
        ...

    def task_ids(self) -> set[str]:
        """Every task id recorded under any key (tasks that recovery must not adopt)."""
        ...

    def entries(self) -> list[JournalEntry]:
        """Every entry, oldest first."""
        ...

    def owner_alive(self, owner: str | None) -> bool | None:
        """Whether the process ``owner`` still runs: True, False, or None (cannot tell)."""
        ...


def _process_start(pid: int) -> str:
    """The start time of process ``pid`` in clock ticks (Linux), or "" when unknown.

    Together with the pid it tells a live owner from a new process that reused its pid.
    """
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    # The command name (field 2) may hold spaces and parentheses: split after the last ')'.
    fields = stat.rsplit(")", 1)[-1].split()
    return fields[19] if len(fields) > 19 else ""


def process_owner() -> str:
    """This process's identity, as journal entries record it: ``host:pid:start``."""
    pid = os.getpid()
    return f"{socket.gethostname()}:{pid}:{_process_start(pid)}"


def owner_alive(owner: str | None) -> bool | None:
    """True or False for an owner on this host; None when it cannot be told (another host)."""
    if not owner:
        return False
    host, _, rest = owner.partition(":")
    pid_text, _, start = rest.partition(":")
    if host != socket.gethostname() or not pid_text.isdigit():
        return None
    pid = int(pid_text)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # exists, owned by another user
    return _process_start(pid) == start


class MemoryJournal:
    """Keys kept in memory, for the life of one client (the default without ``journal=``)."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._entries: dict[str, JournalEntry] = {}
        self._lock = threading.Lock()
        self._clock = clock

    def __repr__(self) -> str:
        return f"MemoryJournal({len(self._entries)} keys)"

    def get(self, key: str) -> JournalEntry | None:
        """The entry for ``key``, or None."""
        return self._entries.get(key)

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
        """See :meth:`Journal.begin`."""
        with self._lock:
            entry = self._entries.get(key)
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
            self._entries[key] = stored
            return stored

    def attach(self, key: str, task_id: str, status: str | None = None) -> bool:
        """See :meth:`Journal.attach`."""
        with self._lock:
            if any(e.task_id == task_id and e.key != key for e in self._entries.values()):
                return False
            entry = self._entries[key]
            self._entries[key] = replace(
                entry, task_id=task_id, status=status or entry.status, updated=self._clock()
            )
            return True

    def set_status(self, key: str, status: str) -> None:
        """See :meth:`Journal.set_status`."""
        with self._lock:
            if (entry := self._entries.get(key)) is not None:
                self._entries[key] = replace(entry, status=status, updated=self._clock())

    def task_ids(self) -> set[str]:
        """See :meth:`Journal.task_ids`."""
        return {e.task_id for e in self._entries.values() if e.task_id is not None}

    def entries(self) -> list[JournalEntry]:
        """See :meth:`Journal.entries`."""
        return sorted(self._entries.values(), key=lambda e: (e.created, e.key))

    def owner_alive(self, owner: str | None) -> bool | None:
        """See :meth:`Journal.owner_alive`: a process on this host, checked by pid and start time."""
        return owner_alive(owner)


_SCHEMA = """
CREATE TABLE IF NOT EXISTS searches (
    key         TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    query       TEXT NOT NULL,
    task_id     TEXT UNIQUE,
    status      TEXT,
    sent_at     REAL,
    owner       TEXT,
    created     REAL NOT NULL,
    updated     REAL NOT NULL
)
"""
_COLUMNS = "key, fingerprint, query, task_id, status, sent_at, owner, created, updated"


class SQLiteJournal:
    """Keys kept in a SQLite file that several processes and threads can share.

    Usage::

        from extruct_deep_search import DeepSearch, SQLiteJournal

        with DeepSearch(journal="searches.sqlite") as ds:   # a path is enough
            run = ds.run("dental SaaS in Europe", key="dental-eu-2026-12")

    Args:
        path: the database file (created with its folder when missing).
        busy_timeout: seconds to wait for another process's write lock.
    """

    def __init__(self, path: str | os.PathLike[str], *, busy_timeout: float = 30.0) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._busy_ms = int(busy_timeout * 1000)
        self._lock = threading.Lock()
        self._clock = time.time
        with self._connect() as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version not in (0, SCHEMA_VERSION):
                raise ValueError(
                    f"{self.path}: journal schema version {version}; this client reads "
                    f"version {SCHEMA_VERSION}"
                )
            db.execute("BEGIN IMMEDIATE")
            db.execute(_SCHEMA)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            db.execute("COMMIT")

    def __repr__(self) -> str:
        return f"SQLiteJournal({str(self.path)!r})"

    def _connect(self) -> sqlite3.Connection:
        # One short-lived connection per step: safe across threads and forks, and
        # nothing is held open between steps for another process to wait on.
        db = sqlite3.connect(self.path, timeout=self._busy_ms / 1000, isolation_level=None)
        db.execute(f"PRAGMA busy_timeout = {self._busy_ms}")
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = FULL")
        return db

    def _step(self, sql: str, args: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
        with self._lock:
            db = self._connect()
            try:
                return db.execute(sql, args).fetchall()
            finally:
                db.close()

    @staticmethod
    def _entry(row: tuple[object, ...]) -> JournalEntry:
        return JournalEntry(*row)  # type: ignore[arg-type]

    def get(self, key: str) -> JournalEntry | None:
        """The entry for ``key``, or None."""
        rows = self._step(f"SELECT {_COLUMNS} FROM searches WHERE key = ?", (key,))
        return self._entry(rows[0]) if rows else None

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
        """See :meth:`Journal.begin`; one IMMEDIATE transaction, so claims never race."""
        with self._lock:
            db = self._connect()
            try:
                db.execute("BEGIN IMMEDIATE")
                now = self._clock()
                db.execute(
                    "INSERT INTO searches (key, fingerprint, query, sent_at, owner, created, updated)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(key) DO NOTHING",
                    (key, fingerprint, query, sent_at, owner, now, now),
                )
                if replace_owner is not None:
                    db.execute(
                        "UPDATE searches SET owner = ?, sent_at = min(coalesce(sent_at, ?), ?),"
                        " updated = ? WHERE key = ? AND task_id IS NULL AND owner = ?",
                        (owner, sent_at, sent_at, now, key, replace_owner),
                    )
                row = db.execute(
                    f"SELECT {_COLUMNS} FROM searches WHERE key = ?", (key,)
                ).fetchone()
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
            finally:
                db.close()
        return self._entry(row)

    def attach(self, key: str, task_id: str, status: str | None = None) -> bool:
        """See :meth:`Journal.attach`; one statement, so the check and the write are atomic."""
        with self._lock:
            db = self._connect()
            try:
                changed = db.execute(
                    "UPDATE searches SET task_id = ?, status = coalesce(?, status), updated = ?"
                    " WHERE key = ? AND NOT EXISTS"
                    " (SELECT 1 FROM searches WHERE task_id = ? AND key <> ?)",
                    (task_id, status, self._clock(), key, task_id, key),
                ).rowcount
            finally:
                db.close()
        return changed > 0

    def set_status(self, key: str, status: str) -> None:
        """See :meth:`Journal.set_status`."""
        self._step(
            "UPDATE searches SET status = ?, updated = ? WHERE key = ?",
            (status, self._clock(), key),
        )

    def task_ids(self) -> set[str]:
        """See :meth:`Journal.task_ids`."""
        rows = self._step("SELECT task_id FROM searches WHERE task_id IS NOT NULL")
        return {str(r[0]) for r in rows}

    def entries(self) -> list[JournalEntry]:
        """See :meth:`Journal.entries`."""
        rows = self._step(f"SELECT {_COLUMNS} FROM searches ORDER BY created, key")
        return [self._entry(r) for r in rows]

    def owner_alive(self, owner: str | None) -> bool | None:
        """See :meth:`Journal.owner_alive`: a process on this host, checked by pid and start time."""
        return owner_alive(owner)
