"""Servers that would keep a client reading or waiting forever (issue 10, items 4 and 10).

4. The page loop ends against any server: one that ignores ``offset`` (the
   same full page forever), pages that never shrink, results of another task.
10. wait(timeout=T) ends within T plus one request timeout, even when the
   server asks for a long Retry-After on every poll.

Both clients, through the public API, each call under a watchdog.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from extruct_deep_search import (
    AsyncDeepSearch,
    DeepSearch,
    UnexpectedResponseError,
    WaitTimeoutError,
)

from .byteserver import within

TOKEN = "sk_endless_T0KEN_55"
BASE = "https://api.test.example"
CREATED = "2026-01-02T03:04:05+00:00"
CLIENTS = ["sync", "async"]


def task(task_id: str = "t1", status: str = "done") -> dict[str, Any]:
    return {
        "id": task_id,
        "created_at": CREATED,
        "status": status,
        "query": "q",
        "desired_num_results": 5,
    }


def row(n: int, task_id: str = "t1") -> dict[str, Any]:
    return {
        "id": f"r{n}",
        "task_id": task_id,
        "company_name": f"C{n}",
        "company_description": "d",
        "company_website": f"https://c{n}.example.com",
        "relevance": 50,
    }


Handler = Callable[[httpx.Request], httpx.Response]


def offset_ignored(status: str) -> Handler:
    return lambda r: httpx.Response(
        200, json={**task(status=status), "results": [row(i) for i in range(50)]}
    )


def never_shrinks(r: httpx.Request) -> httpx.Response:
    offset = int(r.url.params["offset"])
    rows = [row(offset + i) for i in range(int(r.url.params["limit"]))]
    return httpx.Response(200, json={**task(), "results": rows})


def other_task(r: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={**task("t2"), "results": [row(1, "t2")]})


def run(kind: str, handler: Handler, op: str, **kwargs: Any) -> Any:
    if kind == "sync":
        http = httpx.Client(transport=httpx.MockTransport(handler))
        with DeepSearch(TOKEN, base_url=BASE, http_client=http, max_retries=0) as ds:
            if op == "results":
                return ds.results("t1")
            if op == "stream":
                return list(ds.stream_results("t1", poll_interval=0.01))
            return ds.wait("t1", **kwargs)

    async def main() -> Any:
        http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
        async with AsyncDeepSearch(TOKEN, base_url=BASE, http_client=http, max_retries=0) as ds:
            if op == "results":
                return await ds.results("t1")
            if op == "stream":
                return [r async for r in ds.stream_results("t1", poll_interval=0.01)]
            return await ds.wait("t1", **kwargs)

    return asyncio.run(main())


ENDLESS = {
    "offset-ignored-done": offset_ignored("done"),
    "offset-ignored-running": offset_ignored("in_progress"),
    "pages-never-shrink": never_shrinks,
    "results-of-another-task": other_task,
}


# A stream of a running task behind an offset-ignoring proxy has its own test below.
PAIRS = [
    (op, case)
    for op in ("results", "stream")
    for case in sorted(ENDLESS)
    if (op, case) != ("stream", "offset-ignored-running")
]


@pytest.mark.parametrize("kind", CLIENTS)
@pytest.mark.parametrize(("op", "case"), PAIRS)
def test_the_page_loop_ends_with_a_typed_error(kind: str, op: str, case: str) -> None:
    with pytest.raises(UnexpectedResponseError) as info:
        within(20, lambda: run(kind, ENDLESS[case], op))
    assert info.value.status_code == 200


@pytest.mark.parametrize("kind", CLIENTS)
def test_a_stream_of_a_running_task_behind_an_offset_ignoring_proxy_ends(kind: str) -> None:
    """Each sweep stops at the cap; the wait gives up after max failures in a row."""
    with pytest.raises(UnexpectedResponseError, match="at most 250"):
        within(20, lambda: run(kind, offset_ignored("in_progress"), "stream"))


@pytest.mark.parametrize("kind", CLIENTS)
def test_wait_ends_within_its_timeout_despite_long_retry_after(kind: str) -> None:
    def busy(r: httpx.Request) -> httpx.Response:
        return httpx.Response(503, json={"detail": "busy"}, headers={"retry-after": "30"})

    started = time.monotonic()

    def call() -> Any:
        if kind == "sync":
            http = httpx.Client(transport=httpx.MockTransport(busy))
            with DeepSearch(TOKEN, base_url=BASE, http_client=http, max_retries=5) as ds:
                return ds.wait("t1", timeout=1.0, poll_interval=0.2)

        async def main() -> Any:
            http = httpx.AsyncClient(transport=httpx.MockTransport(busy))
            async with AsyncDeepSearch(TOKEN, base_url=BASE, http_client=http, max_retries=5) as ds:
                return await ds.wait("t1", timeout=1.0, poll_interval=0.2)

        return asyncio.run(main())

    with pytest.raises(WaitTimeoutError):
        within(10, call)
    assert time.monotonic() - started < 5.0
