"""Keys: what a create with a key does, given what the journal holds for it.

A key names one logical search, and one key never creates a second task
(``journal.py`` stores keys; this module only decides). The table:

=============================================  ==========================================
journal holds for the key                      decision
=============================================  ==========================================
nothing                                        :class:`Claim` it, then create
another fingerprint                            :class:`Conflict`: InvalidArgumentError(key)
a task id                                      :class:`Reattach` to that task (no POST)
a pending claim of a live owner (this host,    :class:`WaitForOwner`, up to
or another host's, recently)                   ``OWNER_WAIT`` seconds in all
a pending claim whose owner is gone, or that   :class:`TakeOver`: claim it, recover the
this process holds with no create in flight    task from the task list since the
                                               recorded send time, else create once
=============================================  ==========================================

A pending claim is one recorded before a POST whose answer (the task id) was
never recorded: the owner process is still waiting for it, or died between
the POST and the record. Only a journal-wide compare-and-swap
(``Journal.begin(..., replace_owner=...)``) passes a claim on, so two
processes never both create for one key.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from .._errors import InvalidArgumentError

__all__ = [
    "MAX_KEY_LENGTH",
    "OWNER_WAIT",
    "STALE_AFTER",
    "JournalEntry",
    "claimed",
    "decide",
    "validate_key",
]


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """What the journal knows of one key.

    Attributes:
        key: the caller's key.
        fingerprint: the create parameters' fingerprint (``CreateParams.fingerprint()``).
        query: the query, for listing.
        task_id: the task created for the key, or None while its create is unanswered.
        status: the last status seen (for listing; not authoritative).
        sent_at: Unix time of the earliest create POST sent for the key, or None.
        owner: ``host:pid:start`` of the process that is (or was) sending it.
        created: Unix time the entry was made.
        updated: Unix time of the last change.
    """

    key: str
    fingerprint: str
    query: str
    task_id: str | None
    status: str | None
    sent_at: float | None
    owner: str | None
    created: float
    updated: float


def claimed(
    entry: JournalEntry | None,
    key: str,
    fingerprint: str,
    query: str,
    *,
    sent_at: float,
    owner: str,
    replace_owner: str | None,
    now: float,
) -> JournalEntry | None:
    """The claim rule of ``Journal.begin``: the entry to store, or None to keep ``entry``.

    A new key is claimed by ``owner``. A pending claim (no task id) held by
    ``replace_owner``, a process known to be gone, passes to ``owner`` and
    keeps the earliest send time, so recovery looks back far enough. Any
    other entry stays as it is.
    """
    if entry is None:
        return JournalEntry(key, fingerprint, query, None, None, sent_at, owner, now, now)
    if entry.task_id is None and entry.owner == replace_owner:
        earliest = sent_at if entry.sent_at is None else min(entry.sent_at, sent_at)
        return replace(entry, owner=owner, sent_at=earliest, updated=now)
    return None


MAX_KEY_LENGTH = 200


def validate_key(value: object) -> str | None:
    """A key is None or a non-empty printable string of at most 200 characters."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidArgumentError("key", f"must be a string, got {type(value).__name__}")
    if not value or not value.strip():
        raise InvalidArgumentError("key", "must be a non-empty string of printable characters")
    if len(value) > MAX_KEY_LENGTH:
        raise InvalidArgumentError(
            "key", f"must be at most {MAX_KEY_LENGTH} characters long, got {len(value)}"
        )
    if not value.isprintable():
        raise InvalidArgumentError("key", "must hold printable characters only (no controls)")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidArgumentError("key", "must be valid Unicode (no lone surrogates)") from None
    return value


# The longest one call waits for another live process to record its task id.
OWNER_WAIT = 120.0
# A claim by a process we cannot check (another host) counts as abandoned after this.
STALE_AFTER = 600.0


@dataclass(frozen=True, slots=True)
class Claim:
    """The key is new: claim it and create its task."""


@dataclass(frozen=True, slots=True)
class Conflict:
    """The key was used with other parameters."""

    entry: JournalEntry


@dataclass(frozen=True, slots=True)
class Reattach:
    """The key's task exists: use it."""

    task_id: str


@dataclass(frozen=True, slots=True)
class WaitForOwner:
    """Another live process is creating the key's task: read the journal again later."""

    owner: str


@dataclass(frozen=True, slots=True)
class TakeOver:
    """The claim is abandoned: take it over, recover since ``sent_at``, or create once."""

    previous_owner: str | None
    sent_at: float | None


Decision = Claim | Conflict | Reattach | WaitForOwner | TakeOver


def decide(
    entry: JournalEntry | None,
    fingerprint: str,
    *,
    me: str,
    in_flight_here: bool,
    owner_alive: bool | None,
    now: float,
) -> Decision:
    """The table above.

    Args:
        entry: what the journal holds for the key.
        fingerprint: the fingerprint of the parameters asked for now.
        me: this process's owner string.
        in_flight_here: a create for this key is under way in this process.
        owner_alive: the entry's owner process is alive (None: cannot tell).
        now: Unix time.
    """
    if entry is None:
        return Claim()
    if entry.fingerprint != fingerprint:
        return Conflict(entry)
    if entry.task_id is not None:
        return Reattach(entry.task_id)
    owner = entry.owner or ""
    if owner == me:
        if in_flight_here:
            return WaitForOwner(owner)
        return TakeOver(entry.owner, entry.sent_at)
    if owner_alive is True:
        return WaitForOwner(owner)
    if owner_alive is None and now - entry.updated < STALE_AFTER:
        return WaitForOwner(owner)
    return TakeOver(entry.owner, entry.sent_at)
