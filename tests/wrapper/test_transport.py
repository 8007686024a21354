"""The one exception table (_transport.FAILURES) and the connections' life cycle
(issue 10, items 3 and 9).

The table is tested exhaustively: the test walks httpx's whole exception tree,
so a new httpx exception class fails it until someone decides what it proves
about delivery. Then every class is raised from a transport, under both
clients, and must come out as an ExtructError.
"""

from __future__ import annotations

import asyncio
import inspect
import ssl
from typing import Any

import httpx
import pytest
from extruct_deep_search import (
    APIConnectionError,
    APITimeoutError,
    AsyncDeepSearch,
    DeepSearch,
    ExtructError,
    UnexpectedResponseError,
)
from extruct_deep_search._core.effects import Failure
from extruct_deep_search._transport import FAILURES, failure_of

from .fakes import OK_TASK, Recorder, async_client, client, respond, task_json


def _subclasses(cls: type[BaseException]) -> set[type[BaseException]]:
    found = {cls}
    for sub in cls.__subclasses__():
        found |= _subclasses(sub)
    return found


def httpx_exceptions() -> set[type[BaseException]]:
    """Every exception class httpx defines, found by walking its hierarchy."""
    roots = [
        obj for obj in vars(httpx).values() if inspect.isclass(obj) and issubclass(obj, Exception)
    ]
    found: set[type[BaseException]] = set()
    for root in roots:
        found |= {c for c in _subclasses(root) if c.__module__.startswith("httpx")}
    return found


def test_the_walk_finds_httpx_exceptions_outside_httperror_too() -> None:
    found = httpx_exceptions()
    assert httpx.ReadTimeout in found and httpx.InvalidURL in found
    assert httpx.CookieConflict in found and httpx.StreamConsumed in found
    assert len(found) >= 28


@pytest.mark.parametrize("cls", sorted(httpx_exceptions(), key=lambda c: c.__name__))
def test_every_httpx_exception_is_in_the_table_by_name(cls: type[BaseException]) -> None:
    assert cls in FAILURES, f"httpx.{cls.__name__} is not classified in _transport.FAILURES"


def instance(cls: type[BaseException]) -> BaseException:
    """An instance of any httpx (or stdlib) exception class."""
    request = httpx.Request("GET", "https://api.test.example/v1/discovery_tasks/t1")
    if cls is httpx.HTTPStatusError:
        return cls("boom", request=request, response=httpx.Response(500, request=request))
    if issubclass(cls, UnicodeEncodeError):
        return cls("ascii", "\u00e9", 0, 1, "ordinal not in range")
    if issubclass(cls, UnicodeDecodeError):
        return cls("utf-8", b"\xff", 0, 1, "invalid start byte")
    for args in (("boom",), ()):
        try:
            return cls(*args)
        except TypeError:
            continue
    raise AssertionError(f"cannot build {cls}")


STDLIB = [
    TimeoutError,
    ConnectionResetError,
    BrokenPipeError,
    OSError,
    ssl.SSLError,
    EOFError,
    UnicodeEncodeError,
    UnicodeDecodeError,
    ValueError,
    RuntimeError,
]
EVERY = sorted(httpx_exceptions(), key=lambda c: c.__name__) + STDLIB


@pytest.mark.parametrize("cls", EVERY, ids=lambda c: c.__name__)
def test_every_exception_a_transport_raises_ends_as_an_extruct_error(
    cls: type[BaseException],
) -> None:
    rec = Recorder(instance(cls))
    with client(rec, max_retries=0) as ds, pytest.raises(ExtructError) as info:
        ds.get("t1")
    assert failure_of(instance(cls)) is not None
    if failure_of(instance(cls)) is Failure.LOCAL:
        assert type(info.value) is ExtructError  # not a connection error: never ridden out
    assert rec.calls == 1


@pytest.mark.parametrize("cls", EVERY, ids=lambda c: c.__name__)
async def test_every_exception_a_transport_raises_ends_as_an_extruct_error_async(
    cls: type[BaseException],
) -> None:
    rec = Recorder(instance(cls))
    async with async_client(rec, max_retries=0) as ds:
        with pytest.raises(ExtructError):
            await ds.get("t1")


@pytest.mark.parametrize(
    ("exc", "cls"),
    [
        (httpx.ConnectTimeout("c"), APITimeoutError),
        (httpx.PoolTimeout("p"), APITimeoutError),
        (httpx.ReadTimeout("r"), APITimeoutError),
        (TimeoutError("deadline"), APITimeoutError),
        (httpx.ConnectError("c"), APIConnectionError),
        (httpx.RemoteProtocolError("r"), APIConnectionError),
        (ConnectionResetError("reset"), APIConnectionError),
        (httpx.DecodingError("d"), UnexpectedResponseError),
    ],
)
def test_the_table_picks_the_most_specific_entry(exc: BaseException, cls: type) -> None:
    with client(Recorder(exc), max_retries=0) as ds, pytest.raises(cls):
        ds.get("t1")


def test_a_programming_error_in_a_transport_is_not_disguised() -> None:
    """Only what the table names becomes an ExtructError; a bug stays a bug."""
    with client(Recorder(KeyError("bug")), max_retries=0) as ds, pytest.raises(KeyError):
        ds.get("t1")


# Closing (item 9).


def test_a_closed_client_raises_and_sends_nothing() -> None:
    rec = Recorder(OK_TASK)
    ds = client(rec)
    ds.close()
    ds.close()  # twice is fine
    for call in (lambda: ds.get("t1"), lambda: ds.results("t1"), lambda: ds.create("q")):
        with pytest.raises(ExtructError, match="closed") as info:
            call()
        assert not isinstance(info.value, APIConnectionError)
    assert rec.calls == 0


def test_a_closed_client_does_not_make_a_wait_ride_it_out() -> None:
    rec = Recorder(OK_TASK)
    ds = client(rec)
    ds.close()
    with pytest.raises(ExtructError, match="closed"):
        ds.wait("t1")
    assert rec.calls == 0


async def test_a_closed_async_client_raises_and_sends_nothing() -> None:
    rec = Recorder(OK_TASK)
    ds = async_client(rec)
    await ds.aclose()
    await ds.aclose()
    with pytest.raises(ExtructError, match="closed"):
        await ds.get("t1")
    with pytest.raises(ExtructError, match="closed"):
        [r async for r in ds.iter_results("t1")]
    assert rec.calls == 0


def test_a_given_http_client_closed_by_its_owner_is_a_clear_error() -> None:
    rec = Recorder(OK_TASK)
    http = httpx.Client(transport=httpx.MockTransport(rec))
    with DeepSearch("sk_test_token", base_url="https://api.test.example", http_client=http) as ds:
        http.close()
        with pytest.raises(ExtructError, match="http_client"):
            ds.get("t1")
    assert rec.calls == 0


def test_the_own_http_client_is_closed_and_a_given_one_is_not() -> None:
    http = httpx.Client(transport=httpx.MockTransport(Recorder(OK_TASK)))
    with DeepSearch("sk_test_token", base_url="https://api.test.example", http_client=http):
        pass
    assert not http.is_closed
    own = DeepSearch("sk_test_token", base_url="https://api.test.example")
    own.close()
    assert own._connections.closed


# Event loops (item 9).


@pytest.mark.integration
def test_one_async_client_works_from_two_event_loops_in_turn(
    direct_url: str, api_token: str
) -> None:
    ds = AsyncDeepSearch(api_token, base_url=direct_url)

    async def one() -> Any:
        return await ds.list_tasks(limit=1)

    first = asyncio.run(one())
    second = asyncio.run(one())  # a new loop: the old pool's sockets belong to a closed loop
    assert isinstance(first, list) and isinstance(second, list)
    asyncio.run(ds.aclose())


@pytest.mark.integration
def test_concurrency_slots_are_per_loop(direct_url: str, api_token: str) -> None:
    """The semaphore binds to a loop; 30 requests at once through 2 slots, twice."""
    ds = AsyncDeepSearch(api_token, base_url=direct_url, max_concurrent_requests=2)

    async def many() -> int:
        results = await asyncio.gather(*(ds.list_tasks(limit=1) for _ in range(30)))
        return len(results)

    assert asyncio.run(many()) == 30
    assert asyncio.run(many()) == 30
    asyncio.run(ds.aclose())


MODULE_CLIENT: dict[str, AsyncDeepSearch] = {}


@pytest.mark.integration
@pytest.mark.parametrize("round_", [1, 2, 3])
async def test_a_module_level_async_client_under_per_test_loops(
    round_: int, direct_url: str, api_token: str
) -> None:
    """pytest-asyncio gives each test its own loop; one client serves them all."""
    ds = MODULE_CLIENT.setdefault(direct_url, AsyncDeepSearch(api_token, base_url=direct_url))
    assert isinstance(await ds.list_tasks(limit=1), list)


# on_progress coroutines (item 9).


async def test_an_async_on_progress_is_awaited() -> None:
    seen: list[str] = []

    async def on_progress(task: Any) -> None:
        await asyncio.sleep(0)
        seen.append(task.status)

    rec = Recorder(respond(200, task_json(status="in_progress")), OK_TASK)
    async with async_client(rec) as ds:
        task = await ds.wait("t1", on_progress=on_progress)
    assert task.status == "done"
    assert seen == ["in_progress", "done"]


def test_the_blocking_client_refuses_an_async_on_progress_before_any_request() -> None:
    async def on_progress(task: Any) -> None:
        pass

    rec = Recorder(OK_TASK)
    with client(rec) as ds:
        with pytest.raises(ExtructError, match="on_progress") as info:
            ds.wait("t1", on_progress=on_progress)
        assert info.value.argument == "on_progress"  # type: ignore[attr-defined]
        with pytest.raises(ExtructError, match="on_progress"):
            ds.stream_results("t1", on_progress=on_progress)
    assert rec.calls == 0


def test_the_blocking_client_refuses_an_awaitable_returned_by_on_progress() -> None:
    """A lambda returning a coroutine is not a coroutine function: caught when it returns one."""
    made: list[Any] = []

    async def later(task: Any) -> None:
        pass

    def on_progress(task: Any) -> Any:
        made.append(later(task))
        return made[-1]

    with client(Recorder(OK_TASK)) as ds, pytest.raises(ExtructError, match="on_progress"):
        ds.wait("t1", on_progress=on_progress)
    assert made and made[0].cr_frame is None  # closed, so no "never awaited" warning
