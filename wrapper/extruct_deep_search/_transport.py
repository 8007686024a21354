"""What the drivers need from httpx beyond sending: the one table that turns any
exception into a :class:`~._core.effects.Failure`, the per-attempt deadline,
and the connections (own or given, per event loop for asyncio).

The deadline: httpx's timeouts bound each connect, read and write, not the
whole exchange, so a server dripping its headers a byte at a time, or sending
``100 Continue`` forever, never times out. Every attempt therefore has a
deadline of connect + write + read timeout, enforced from the first byte:

- asyncio: ``asyncio.timeout`` around the whole attempt (any transport).
- blocking: the client's own ``httpx.Client`` runs on a network backend that
  cuts every socket connect, read and write to the time left before the
  deadline. A given ``http_client`` keeps its own transport; the driver then
  checks the deadline between body chunks only.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from contextvars import ContextVar
from typing import Any

import httpcore
import httpx

from ._core.body import BodyTooLarge, UndecodableBody
from ._core.effects import Failure

__all__ = [
    "FAILURES",
    "AsyncConnections",
    "Connections",
    "async_deadline",
    "deadline",
    "failure_of",
]

# The exception table: every exception sending, receiving or decoding can
# raise, by what it proves about delivery. Looked up along the exception's MRO,
# so the most specific entry wins; tests/wrapper/test_transport.py walks
# httpx's exception tree and fails on any class missing here.
FAILURES: Mapping[type[BaseException], Failure] = {
    # httpx.HTTPError and its tree.
    httpx.HTTPError: Failure.NETWORK,
    httpx.RequestError: Failure.NETWORK,
    httpx.TransportError: Failure.NETWORK,
    httpx.TimeoutException: Failure.TIMEOUT,
    httpx.ConnectTimeout: Failure.CONNECT_TIMEOUT,
    httpx.PoolTimeout: Failure.CONNECT_TIMEOUT,  # no connection slot: nothing was sent
    httpx.ReadTimeout: Failure.TIMEOUT,
    httpx.WriteTimeout: Failure.TIMEOUT,
    httpx.NetworkError: Failure.NETWORK,
    httpx.ConnectError: Failure.CONNECT,
    httpx.ReadError: Failure.NETWORK,
    httpx.WriteError: Failure.NETWORK,
    httpx.CloseError: Failure.NETWORK,
    httpx.ProtocolError: Failure.NETWORK,
    httpx.RemoteProtocolError: Failure.NETWORK,
    httpx.LocalProtocolError: Failure.LOCAL,  # h11 refused what we asked it to send
    httpx.ProxyError: Failure.NETWORK,
    httpx.UnsupportedProtocol: Failure.LOCAL,
    httpx.DecodingError: Failure.UNREADABLE,
    httpx.TooManyRedirects: Failure.LOCAL,  # redirects are never followed
    httpx.HTTPStatusError: Failure.LOCAL,  # raise_for_status is never called
    # httpx's other exceptions: misuse, caught before anything is sent.
    httpx.InvalidURL: Failure.LOCAL,
    httpx.CookieConflict: Failure.LOCAL,
    httpx.StreamError: Failure.LOCAL,
    httpx.StreamConsumed: Failure.LOCAL,
    httpx.StreamClosed: Failure.LOCAL,
    httpx.ResponseNotRead: Failure.LOCAL,
    httpx.RequestNotRead: Failure.LOCAL,
    # The body reader (_core/body.py).
    BodyTooLarge: Failure.NETWORK,  # cut off, as a dropped connection would be
    UndecodableBody: Failure.UNREADABLE,
    # The standard library, from a transport that does not wrap its errors.
    TimeoutError: Failure.TIMEOUT,  # asyncio.timeout: the attempt's deadline
    ssl.SSLError: Failure.NETWORK,
    OSError: Failure.NETWORK,
    EOFError: Failure.NETWORK,
    ValueError: Failure.LOCAL,  # UnicodeEncodeError of a header or URL, and kin
    RuntimeError: Failure.LOCAL,  # a closed httpx client, an event loop gone or foreign
}


def failure_of(exc: BaseException) -> Failure | None:
    """The Failure for ``exc`` from :data:`FAILURES`, or None for a programming error."""
    for cls in type(exc).__mro__:
        failure = FAILURES.get(cls)
        if failure is not None:
            return failure
    return None


# The attempt deadline.

_DEADLINE: ContextVar[float | None] = ContextVar("extruct_deep_search_deadline", default=None)


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Bound every socket operation of the own httpx.Client to ``seconds`` from now."""
    token = _DEADLINE.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def async_deadline(seconds: float) -> asyncio.Timeout:
    """Cancel the attempt ``seconds`` from now (raises TimeoutError)."""
    return asyncio.timeout(seconds)


def _left(timeout: float | None, error: type[Exception]) -> float | None:
    end = _DEADLINE.get()
    if end is None:
        return timeout
    left = end - time.monotonic()
    if left <= 0:
        raise error("the request's deadline passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        left = _left(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, left))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self, backend: httpcore.NetworkBackend) -> None:
        self._backend = backend

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        left = _left(timeout, httpcore.ConnectTimeout)
        stream = self._backend.connect_tcp(host, port, left, local_address, socket_options)
        return _DeadlineStream(stream)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        left = _left(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._backend.connect_unix_socket(path, left, socket_options))

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


def _own_client() -> httpx.Client:
    """A new httpx.Client (proxies from the environment as usual) whose sockets keep the deadline."""
    client = httpx.Client(follow_redirects=False)
    # httpx has no public hook for the network backend; httpcore's pools keep
    # it here. tests/reliability/test_byte_server.py fails if this stops working.
    for transport in (client._transport, *client._mounts.values()):
        pool = getattr(transport, "_pool", None)
        backend = getattr(pool, "_network_backend", None)
        if isinstance(backend, httpcore.NetworkBackend):
            pool._network_backend = _DeadlineBackend(backend)  # type: ignore[union-attr]
    return client


# Connections.

CLOSED = "the client is closed; create a new DeepSearch or AsyncDeepSearch"
GIVEN_CLOSED = "the http_client passed to this client is closed"


class Connections:
    """The blocking client's httpx.Client (its own, or the one given) and request slots."""

    def __init__(self, http: httpx.Client | None, slots: int) -> None:
        self._owned = http is None
        self._http = http if http is not None else _own_client()
        self._slots = threading.Semaphore(slots)
        self.closed = False

    @property
    def owned(self) -> bool:
        """True when the client created the httpx.Client (and so bounds its sockets)."""
        return self._owned

    def current(self) -> tuple[httpx.Client, threading.Semaphore]:
        """The httpx client and slots to use now.

        Raises:
            RuntimeError: the client, or the given httpx client, is closed.
        """
        if self.closed:
            raise RuntimeError(CLOSED)
        if self._http.is_closed:
            raise RuntimeError(GIVEN_CLOSED)
        return self._http, self._slots

    def close(self) -> None:
        """Close the own httpx client (a given one stays open); twice is fine."""
        if not self.closed:
            self.closed = True
            if self._owned:
                self._http.close()


class AsyncConnections:
    """The asyncio client's httpx.AsyncClient and request slots, per event loop.

    An httpx.AsyncClient's connections and an asyncio.Semaphore belong to the
    loop they were first used in. So the slots, and the AsyncClient when the
    client created it, are made afresh in each new running loop: one client
    works from several loops in turn (two ``asyncio.run`` calls, or
    pytest-asyncio's loop per test). A given AsyncClient is used as is.
    """

    def __init__(self, http: httpx.AsyncClient | None, slots: int) -> None:
        self._owned = http is None
        self._http = http
        self._slot_count = slots
        self._slots: asyncio.Semaphore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.closed = False

    @property
    def owned(self) -> bool:
        """True when the client creates its own httpx.AsyncClient."""
        return self._owned

    def current(self) -> tuple[httpx.AsyncClient, asyncio.Semaphore]:
        """The httpx client and slots for the running loop.

        Raises:
            RuntimeError: the client, or the given httpx client, is closed.
        """
        if self.closed:
            raise RuntimeError(CLOSED)
        loop = asyncio.get_running_loop()
        if loop is not self._loop or self._http is None or self._slots is None:
            self._loop = loop
            self._slots = asyncio.Semaphore(self._slot_count)
            if self._owned:
                # The previous loop's AsyncClient cannot be closed from here;
                # its sockets close when it is collected.
                self._http = httpx.AsyncClient(follow_redirects=False)
        assert self._http is not None
        if self._http.is_closed:
            raise RuntimeError(GIVEN_CLOSED)
        return self._http, self._slots

    async def aclose(self) -> None:
        """Close the own httpx client (a given one stays open); twice is fine."""
        if self.closed:
            return
        self.closed = True
        http, self._http = self._http, None
        if self._owned and http is not None:
            try:
                same_loop = asyncio.get_running_loop() is self._loop
            except RuntimeError:
                same_loop = False
            if same_loop:
                await http.aclose()
