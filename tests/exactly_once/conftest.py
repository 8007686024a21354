"""Fixtures for the exactly-once tests over real HTTP: a fresh sandbox and counted clients.

``Driver`` puts a DeepSearch or an AsyncDeepSearch (on one event loop kept for
the driver's life) behind one synchronous face, so each test runs on both
clients. Every request the client sends is counted by method and path through
an httpx event hook on the ``http_client`` it is given.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from extruct_deep_search import AsyncDeepSearch, DeepSearch, RetryPolicy
from extruct_deep_search.sandbox import Sandbox

# Fast retries; a short recovery window keeps the unsettled cases (timeouts,
# dropped connections) to about two seconds each.
FAST = RetryPolicy(max_retries=2, base_delay=0.01, max_delay=0.05, recovery_window=2.0)
MODES = ["sync", "async"]


@pytest.fixture
def sb(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    """A fresh sandbox per test (seed 0, fast), so task counts and faults are the test's own.

    Parametrize it indirectly with a dict of extra Sandbox arguments (``clock_offset``).
    """
    options: dict[str, Any] = getattr(request, "param", {})
    with Sandbox(seed=0, speed=20, **options) as sandbox:
        yield sandbox


@pytest.fixture(params=MODES)
def mode(request: pytest.FixtureRequest) -> str:
    """Which client: "sync" (DeepSearch) or "async" (AsyncDeepSearch)."""
    return str(request.param)


class Driver:
    """One client, sync or async, behind a synchronous face; counts its requests.

    Args:
        mode: "sync" or "async".
        sb: the sandbox to talk to.
        kwargs: passed to the client (journal=, timeout=, retry_policy=, ...).
    """

    def __init__(self, mode: str, sb: Sandbox, **kwargs: Any) -> None:
        self.mode = mode
        self.sent: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        kwargs.setdefault("retry_policy", FAST)
        kwargs.setdefault("poll_interval", 0.05)
        kwargs.setdefault("wait_timeout", 60)
        self.runner: asyncio.Runner | None = None
        self.ds: Any
        if mode == "sync":
            self.http: Any = httpx.Client(event_hooks={"request": [self._count]})
            self.ds = DeepSearch(sb.token, base_url=sb.base_url, http_client=self.http, **kwargs)
        else:
            self.runner = asyncio.Runner()

            async def count(request: httpx.Request) -> None:
                self._count(request)

            async def build() -> AsyncDeepSearch:
                self.http = httpx.AsyncClient(event_hooks={"request": [count]})
                return AsyncDeepSearch(
                    sb.token, base_url=sb.base_url, http_client=self.http, **kwargs
                )

            self.ds = self.runner.run(build())

    def _count(self, request: httpx.Request) -> None:
        with self._lock:
            self.sent.append((request.method, request.url.path))

    def posts(self) -> int:
        """Create requests sent so far."""
        return sum(1 for method, _ in self.sent if method == "POST")

    def call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """``ds.<name>(*args, **kwargs)``, awaited on the driver's loop for the async client."""
        result = getattr(self.ds, name)(*args, **kwargs)
        if self.runner is None:
            return result
        return self.runner.run(result)

    def create(self, *args: Any, **kwargs: Any) -> Any:
        """``ds.create``."""
        return self.call("create", *args, **kwargs)

    def run(self, *args: Any, **kwargs: Any) -> Any:
        """``ds.run``."""
        return self.call("run", *args, **kwargs)

    def at_once(self, calls: list[Callable[[Any], Any]]) -> list[Any]:
        """Run ``call(ds)`` for each call concurrently (threads, or asyncio.gather).

        Returns each call's result or the exception it raised, in order.
        """
        if self.runner is None:
            out: list[Any] = [None] * len(calls)
            barrier = threading.Barrier(len(calls))

            def work(i: int) -> None:
                barrier.wait()
                try:
                    out[i] = calls[i](self.ds)
                except Exception as exc:
                    out[i] = exc

            threads = [threading.Thread(target=work, args=(i,)) for i in range(len(calls))]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            return out

        async def gather() -> list[Any]:
            return list(await asyncio.gather(*(c(self.ds) for c in calls), return_exceptions=True))

        return self.runner.run(gather())

    def close(self) -> None:
        """Close the client, its http_client and the loop."""
        if self.runner is None:
            self.ds.close()
            self.http.close()
            return

        async def close() -> None:
            await self.ds.aclose()
            await self.http.aclose()

        self.runner.run(close())
        self.runner.close()


@pytest.fixture
def make(sb: Sandbox, mode: str) -> Iterator[Callable[..., Driver]]:
    """``make(**client_kwargs)``: a counted Driver of this test's mode, closed at the end."""
    made: list[Driver] = []

    def factory(**kwargs: Any) -> Driver:
        driver = Driver(mode, sb, **kwargs)
        made.append(driver)
        return driver

    yield factory
    for driver in made:
        driver.close()


def server_tasks(sb: Sandbox) -> list[dict[str, Any]]:
    """Every task organization A holds on the sandbox, newest first."""
    org, _ = sb.state.authenticate(sb.token) or ("", "")
    return sb.state.list_tasks(org, 0, 10_000)
