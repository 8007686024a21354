"""Fixtures for the run_many tests over real HTTP: a fresh sandbox and counted clients.

``Driver`` puts a DeepSearch or an AsyncDeepSearch (on one event loop kept for
the driver's life) behind one synchronous face, so each test runs on both
clients. Every request is recorded (method, path, query parameters) through an
httpx event hook on the ``http_client``; ``before_send`` lets a test act just
before a request leaves (to observe the sandbox, or to add a fault mid-batch).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from extruct_deep_search import AsyncDeepSearch, DeepSearch, RetryPolicy, SearchOutcome
from extruct_deep_search.sandbox import Sandbox

FAST = RetryPolicy(max_retries=2, base_delay=0.01, max_delay=0.05, recovery_window=2.0)
MODES = ["sync", "async"]
TASKS = "/v1/discovery_tasks"


@pytest.fixture
def sb(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    """A fresh sandbox per test (seed 0, fast), so task counts and faults are the test's own.

    Parametrize it indirectly with a dict of Sandbox arguments to change them (``speed``).
    """
    options: dict[str, Any] = {"seed": 0, "speed": 20, **getattr(request, "param", {})}
    with Sandbox(**options) as sandbox:
        yield sandbox


@pytest.fixture(params=MODES)
def mode(request: pytest.FixtureRequest) -> str:
    """Which client: "sync" (DeepSearch) or "async" (AsyncDeepSearch)."""
    return str(request.param)


Sent = tuple[str, str, dict[str, str]]


class Driver:
    """One client, sync or async, behind a synchronous face; records its requests."""

    def __init__(self, mode: str, sb: Sandbox, **kwargs: Any) -> None:
        self.mode = mode
        self.sent: list[Sent] = []
        self.before_send: Callable[[Sent], None] | None = None
        self._lock = threading.Lock()
        kwargs.setdefault("retry_policy", FAST)
        kwargs.setdefault("poll_interval", 0.05)
        kwargs.setdefault("wait_timeout", 60)
        self.runner: asyncio.Runner | None = None
        self.ds: Any
        if mode == "sync":
            self.http: Any = httpx.Client(event_hooks={"request": [self._record]})
            self.ds = DeepSearch(sb.token, base_url=sb.base_url, http_client=self.http, **kwargs)
        else:
            self.runner = asyncio.Runner()

            async def record(request: httpx.Request) -> None:
                self._record(request)

            async def build() -> AsyncDeepSearch:
                self.http = httpx.AsyncClient(event_hooks={"request": [record]})
                return AsyncDeepSearch(
                    sb.token, base_url=sb.base_url, http_client=self.http, **kwargs
                )

            self.ds = self.runner.run(build())

    def _record(self, request: httpx.Request) -> None:
        sent = (request.method, request.url.path, dict(request.url.params))
        if self.before_send is not None:
            self.before_send(sent)
        with self._lock:
            self.sent.append(sent)

    def count(self, kind: str) -> int:
        """Requests of one kind: "create", "list", "get" (one task) or "results"."""
        return sum(1 for s in self.sent if kind_of(s) == kind)

    def run_many(self, searches: Any, **kwargs: Any) -> list[SearchOutcome]:
        """Every outcome of ``ds.run_many(searches, **kwargs)``, in the order yielded."""
        if self.runner is None:
            return list(self.ds.run_many(searches, **kwargs))

        async def collect() -> list[SearchOutcome]:
            return [o async for o in self.ds.run_many(searches, **kwargs)]

        return self.runner.run(collect())

    def call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """``ds.<name>(*args, **kwargs)``, awaited on the driver's loop for the async client."""
        result = getattr(self.ds, name)(*args, **kwargs)
        return result if self.runner is None else self.runner.run(result)

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


def kind_of(sent: Sent) -> str:
    """ "create", "list", "get", "results" or "other" for one recorded request."""
    method, path, _ = sent
    if path == TASKS:
        return "create" if method == "POST" else "list"
    if path.startswith(TASKS + "/") and method == "GET":
        return "results" if path.endswith("/results") else "get"
    return "other"


@pytest.fixture
def make(sb: Sandbox, mode: str) -> Iterator[Callable[..., Driver]]:
    """``make(**client_kwargs)``: a recorded Driver of this test's mode, closed at the end."""
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
