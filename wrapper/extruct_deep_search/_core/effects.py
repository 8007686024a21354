"""What a flow asks its driver to do, and what the driver hands back.

Flows (``_flows.py``) are generators: they yield an effect and receive its
answer. The sync and async drivers are the only code that performs effects.
"""

from __future__ import annotations

from collections.abc import Awaitable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from .keys import JournalEntry


@dataclass(frozen=True, slots=True)
class RequestSpec:
    """One API call, independent of any HTTP library.

    ``idempotent``: safe to re-send after the server may have acted (GETs).
    ``exhausted_on_400``: a 400 means the task is exhausted (resume).
    ``subject``: what the request looks up (``task 'abc'``), named by a 404.
    """

    method: str
    path: str
    params: Mapping[str, Any] = field(default_factory=dict)
    json: Any = None
    idempotent: bool = True
    exhausted_on_400: bool = False
    subject: str = ""


class Failure(Enum):
    """Why an attempt brought no usable answer, by what it proves about delivery.

    ``_core/retry.py`` turns these into decisions: whether to re-send, and
    whether the server may have acted on the request.
    """

    CONNECT = "connect"  # no connection: provably never reached the server
    CONNECT_TIMEOUT = "connect_timeout"  # no connection in time (or no pool slot): same
    TIMEOUT = "timeout"  # sent (maybe), no full answer in time: may have acted
    NETWORK = "network"  # dropped or broken mid-exchange: may have acted
    UNREADABLE = "unreadable"  # a response arrived (``status`` set), its body cannot be read
    LOCAL = "local"  # refused before sending (closed client, a URL or header httpx refuses)

    @property
    def unsent(self) -> bool:
        """True when the request provably never reached the server."""
        return self in _UNSENT

    @property
    def timed_out(self) -> bool:
        """True when a deadline, not the peer, ended the attempt."""
        return self in (Failure.TIMEOUT, Failure.CONNECT_TIMEOUT)


_UNSENT = frozenset({Failure.CONNECT, Failure.CONNECT_TIMEOUT, Failure.LOCAL})


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one attempt came to: a response (``status`` set), a failure, or both.

    ``failure`` is None for a response whose body was read; UNREADABLE comes
    with the status of the response whose body could not be read. The body
    and headers stay out of the repr: a server may echo the token into them,
    and tracebacks print the locals that hold an Outcome.
    """

    status: int | None = None
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)
    content: bytes = field(default=b"", repr=False)
    failure: Failure | None = None
    message: str = ""


@dataclass(frozen=True, slots=True)
class Send:
    """Send ``request`` once; the answer is an :class:`Outcome`."""

    request: RequestSpec


@dataclass(frozen=True, slots=True)
class Sleep:
    """Sleep ``seconds``; the answer is None."""

    seconds: float


@dataclass(frozen=True, slots=True)
class Now:
    """Read the monotonic clock; the answer is a float in seconds."""


@dataclass(frozen=True, slots=True)
class WallNow:
    """Read the wall clock; the answer is Unix time in seconds (Retry-After dates)."""


@dataclass(frozen=True, slots=True)
class Jitter:
    """Draw a random float in [0, 1); the answer is that float."""


@dataclass(frozen=True, slots=True)
class Emit:
    """Hand ``items`` to the caller of an iterator; the answer is None."""

    items: list[Any]


@dataclass(frozen=True, slots=True)
class Await:
    """Await ``awaitable`` (what an ``async def`` on_progress returned); the answer is None.

    The asyncio driver awaits it; the blocking driver refuses it with an
    InvalidArgumentError, since it cannot await.
    """

    awaitable: Awaitable[object]


# Keys and claims (``_create.py``), performed by ``_keyring.KeyRing`` for both drivers.


@dataclass(frozen=True, slots=True)
class KeyState:
    """What a keyed create needs to know: the journal's entry and the facts around it."""

    entry: JournalEntry | None
    me: str  # this process's owner string
    in_flight_here: bool  # a create for the key is under way in this client
    owner_alive: bool | None  # the entry owner's process runs (None: cannot tell)


@dataclass(frozen=True, slots=True)
class ReadKey:
    """Read ``key``'s journal entry; the answer is a :class:`KeyState`."""

    key: str


@dataclass(frozen=True, slots=True)
class ClaimKey:
    """Claim ``key`` before its POST (``Journal.begin``); the answer is the stored entry."""

    key: str
    fingerprint: str
    query: str
    sent_at: float
    replace_owner: str | None


@dataclass(frozen=True, slots=True)
class RecordTask:
    """Record ``task_id`` as ``key``'s task and end the claim.

    The answer is whether it was recorded: False when the journal holds
    ``task_id`` under another key (another process adopted it first).
    """

    key: str
    task_id: str
    status: str


@dataclass(frozen=True, slots=True)
class ReleaseKey:
    """The create for ``key`` ended without a task id; the answer is None."""

    key: str


@dataclass(frozen=True, slots=True)
class RecordStatus:
    """Record the last status seen for ``key``'s task; the answer is None."""

    key: str
    status: str


@dataclass(frozen=True, slots=True)
class ClaimedTasks:
    """The ids recovery must not adopt; the answer is a frozenset of task ids."""


@dataclass(frozen=True, slots=True)
class ClaimTask:
    """Mark ``task_id`` as returned by this client; the answer is False if it already was."""

    task_id: str


KeyEffect = ReadKey | ClaimKey | RecordTask | ReleaseKey | RecordStatus | ClaimedTasks | ClaimTask

Effect = Send | Sleep | Now | WallNow | Jitter | Emit | Await | KeyEffect
