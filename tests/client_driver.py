"""One client, sync or async, behind a synchronous face, with every request recorded.

Shared by the HTTP test folders (``exactly_once``, ``batch``) through their
conftest files, so each test runs on both clients. ``Driver`` holds a
DeepSearch, or an AsyncDeepSearch on one event loop kept for the driver's life;
every request is recorded (method, path, query parameters) through an httpx
event hook on the ``http_client`` it is given, and ``before_send`` lets a test
act just before a request leaves (to observe the sandbox, or add a fault).
"""

from __future__ import annotations

import asyncio
import signal
import threading
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from extruct_deep_search import AsyncDeepSearch, DeepSearch, RetryPolicy, SearchOutcome
from extruct_deep_search.sandbox import Sandbox

# Fast retries; a short recovery window keeps the unsettled cases (timeouts,
# dropped connections) to about two seconds each.
FAST = RetryPolicy(max_retries=2, base_delay=0.01, max_delay=0.05, recovery_window=2.0)
MODES = ["sync", "async"]
TASKS = "/v1/discovery_tasks"

Sent = tuple[str, str, dict[str, str]]


def kind_of(sent: Sent) -> str:
    """ "create", "list", "get", "results" or "other" for one recorded request."""
    method, path, _ = sent
    if path == TASKS:
        return "create" if method == "POST" else "list"
    if path.startswith(TASKS + "/") and method == "GET":
        return "results" if path.endswith("/results") else "get"
    return "other"


class Driver:
    """One client, sync or async, behind a synchronous face; records its requests.

    Args:
        mode: "sync" or "async".
        sb: the sandbox to talk to.
        kwargs: passed to the client (journal=, timeout=, retry_policy=, ...).
    """

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

    def posts(self) -> int:
        """Create requests sent so far."""
        return self.count("create")

    def sent_to(self, method: str, path: str) -> int:
        """Requests sent with this method to this path."""
        return sum(1 for m, p, _ in self.sent if (m, p) == (method, path))

    def call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """``ds.<name>(*args, **kwargs)``, awaited on the driver's loop for the async client."""
        result = getattr(self.ds, name)(*args, **kwargs)
        return result if self.runner is None else self.runner.run(result)

    def create(self, *args: Any, **kwargs: Any) -> Any:
        """``ds.create``."""
        return self.call("create", *args, **kwargs)

    def run(self, *args: Any, **kwargs: Any) -> Any:
        """``ds.run``."""
        return self.call("run", *args, **kwargs)

    def interrupted(self, name: str, after: float, *args: Any, **kwargs: Any) -> BaseException:
        """``ds.<name>(...)`` interrupted after ``after`` seconds; returns what it raised.

        The sync client gets a KeyboardInterrupt from a signal handler, as from
        Ctrl-C; the async client's call is cancelled, as by a timeout or a
        TaskGroup whose sibling failed.
        """
        if self.runner is None:

            def interrupt(signum: int, frame: object) -> None:
                raise KeyboardInterrupt

            previous = signal.signal(signal.SIGALRM, interrupt)
            signal.setitimer(signal.ITIMER_REAL, after)
            try:
                getattr(self.ds, name)(*args, **kwargs)
            except KeyboardInterrupt as exc:
                return exc
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, previous)
            raise AssertionError(f"{name} returned before it was interrupted")

        async def cancel() -> BaseException:
            call = asyncio.ensure_future(getattr(self.ds, name)(*args, **kwargs))
            await asyncio.sleep(after)
            call.cancel()
            try:
                await call
            except asyncio.CancelledError as exc:
                return exc
            raise AssertionError(f"{name} returned before it was cancelled")

        return self.runner.run(cancel())

    def run_many(self, searches: Any, **kwargs: Any) -> list[SearchOutcome]:
        """Every outcome of ``ds.run_many(searches, **kwargs)``, in the order yielded."""
        if self.runner is None:
            return list(self.ds.run_many(searches, **kwargs))

        async def collect() -> list[SearchOutcome]:
            return [o async for o in self.ds.run_many(searches, **kwargs)]

        return self.runner.run(collect())

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
def sb(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    """A fresh sandbox per test (seed 0, speed 20), so task counts and faults are the test's own.

    Parametrize it indirectly with a dict of Sandbox arguments (``speed``, ``clock_offset``).
    """
    options: dict[str, Any] = {"seed": 0, "speed": 20, **getattr(request, "param", {})}
    with Sandbox(**options) as sandbox:
        yield sandbox


@pytest.fixture(params=MODES)
def mode(request: pytest.FixtureRequest) -> str:
    """Which client: "sync" (DeepSearch) or "async" (AsyncDeepSearch)."""
    return str(request.param)


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
