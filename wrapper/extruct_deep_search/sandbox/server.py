"""``Sandbox``: the sandbox served by uvicorn in a background thread on 127.0.0.1."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable, Iterable
from types import TracebackType

import uvicorn

from .app import create_app
from .faults import FaultPlan, FaultRule
from .state import DEFAULT_TOKENS, SandboxState

__all__ = ["Sandbox"]


class Sandbox:
    """A local Extruct Deep Search server for tests, demos and offline work.

    Usage::

        with Sandbox(seed=0, speed=1.0) as sb:
            httpx.get(f"{sb.base_url}/v1/discovery_tasks",
                      headers={"Authorization": f"Bearer {sb.token}"})

        async with Sandbox() as sb:  # starts and stops off the event loop
            ...

    Args:
        seed: makes the corpus, pools, grades and ids reproducible.
        speed: multiplies the rate of simulated progress; at 1.0 a 50-result
            task is done in about 2-4 s, 0.02 makes it take minutes.
        port: TCP port on ``host``; 0 picks a free one.
        host: the interface to bind; loopback by default.
        faults: initial fault rules (``FaultRule`` or text like ``"create:500*1"``);
            see :mod:`extruct_deep_search.sandbox.faults`.
        now: clock for the state machine (epoch seconds); real time by default.
        clock_offset: seconds the server's clock is off (e.g. ``-300``: five
            minutes slow); ``created_at`` stamps and the ``Date`` header both
            show the skewed time, progress is unaffected.
        results: ``"high_fit"`` (default: the results are the high-fit
            candidates, as many as ``num_results``) or ``"evaluated"`` (every
            evaluated candidate, by relevance; ``num_results`` still counts the
            high-fit ones, so low-fit rows fail a shortlist).

    Attributes:
        base_url: ``http://127.0.0.1:<port>`` once started.
        token: a token of organization A.
        other_token: a second token of organization A (same tasks).
        foreign_token: the token of organization B (cannot see A's tasks).
        faults: the live :class:`FaultPlan`; ``faults.add("get:503*2")`` at run time.
        state: the underlying :class:`SandboxState`.
    """

    token = "sbx_org_a_token_1"
    other_token = "sbx_org_a_token_2"
    foreign_token = "sbx_org_b_token_1"

    def __init__(
        self,
        seed: int = 0,
        speed: float = 1.0,
        port: int = 0,
        host: str = "127.0.0.1",
        faults: Iterable[FaultRule | str] | None = None,
        now: Callable[[], float] = time.time,
        clock_offset: float = 0.0,
        results: str = "high_fit",
    ) -> None:
        self.state = SandboxState(
            seed=seed,
            speed=speed,
            now=now,
            tokens=dict(DEFAULT_TOKENS),
            clock_offset=clock_offset,
            results=results,
        )
        self.faults = FaultPlan(list(faults or []), seed=seed)
        self.host = host
        self.port = port
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """The server's URL, e.g. ``http://127.0.0.1:8787``."""
        if self._server is None:
            raise RuntimeError("the sandbox is not running; call start() or use `with`")
        return f"http://{self.host}:{self.port}"

    def start(self) -> Sandbox:
        """Start serving in a daemon thread; return once it accepts connections."""
        if self._server is not None:
            raise RuntimeError("the sandbox is already running")
        # proto=IPPROTO_TCP lets asyncio set TCP_NODELAY on accepted sockets; with
        # proto 0 it skips that, and Nagle + delayed ACKs add ~40 ms per response.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            create_app(self.state, self.faults),
            log_level="warning",
            access_log=False,
            http="h11",
            lifespan="off",
            date_header=False,  # the app sends Date from the sandbox's (maybe skewed) clock
            timeout_graceful_shutdown=1,
            # Longer than httpx's 5 s keep-alive expiry, as real front ends are:
            # with uvicorn's default 5 s both ends expire an idle connection
            # together, and a create sent on it can race the close.
            timeout_keep_alive=30,
        )
        server = uvicorn.Server(config)
        self._server = server
        self._thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="extruct-sandbox", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self._server = None
                sock.close()
                raise RuntimeError("the sandbox server failed to start")
            time.sleep(0.005)
        return self

    def stop(self) -> None:
        """Stop the server and wait for its thread."""
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        server.should_exit = True
        thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> Sandbox:
        return self.start()

    async def __aenter__(self) -> Sandbox:
        """``async with Sandbox() as sb:``; starts in a worker thread, the loop runs on."""
        return await asyncio.to_thread(self.start)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await asyncio.to_thread(self.stop)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def fault_counts(self) -> dict[tuple[str, str], int]:
        """Return how many faults were injected, per (endpoint, kind)."""
        return self.faults.counts()

    def tasks_created(self, token: str | None = None) -> int:
        """Count tasks created in ``token``'s organization (all orgs when None)."""
        if token is None:
            return self.state.tasks_created()
        found = self.state.authenticate(token)
        if found is None:
            raise ValueError("unknown token")
        return self.state.tasks_created(found[0])
