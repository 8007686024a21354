"""A careless caller (issue 10, items 6, 7 and 8), through the public API of both clients.

6. Inputs are read once: a generator passed as inputs, criteria,
   exclude_domains or exclude_task_ids is neither emptied before it is sent
   nor sent empty; add_table_rows failing on a later batch names the rows
   earlier batches created.
7. run(): an error after the task exists names the task.
8. Validation before any request: lone surrogates and C1 controls in every
   string argument, overlong ids, absurd integers, settings checked at
   construction, base URLs with a query, fragment or credentials (never shown).
"""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from extruct_deep_search import (
    AsyncDeepSearch,
    Criterion,
    DeepSearch,
    ExtructError,
    InvalidArgumentError,
    PermissionDeniedError,
    RetryPolicy,
    ServerError,
)

TOKEN = "sk_careless_T0KEN_777"
BASE = "https://api.test.example"
CREATED = "2026-01-02T03:04:05+00:00"


def task(task_id: str = "t1", status: str = "in_progress") -> dict[str, Any]:
    return {
        "id": task_id,
        "created_at": CREATED,
        "status": status,
        "query": "q",
        "desired_num_results": 5,
    }


class Server:
    """Records requests; answers create with a task, rows with created rows."""

    def __init__(self, fail_batch: int | None = None, poll: Callable[[], Any] | None = None):
        self.requests: list[httpx.Request] = []
        self.fail_batch = fail_batch
        self.poll = poll
        self.batches = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if path.endswith("/rows"):
            self.batches += 1
            if self.batches == self.fail_batch:
                return httpx.Response(503, json={"detail": "busy"})
            rows = json.loads(request.content)["rows"]
            return httpx.Response(
                200,
                json=[
                    {"id": f"row-{self.batches}-{i}", "created_at": CREATED, "data": r["data"]}
                    for i, r in enumerate(rows)
                ],
            )
        if request.method == "POST":
            return httpx.Response(200, json=task("t-new"))
        if self.poll is not None:
            return self.poll()
        return httpx.Response(200, json=task("t-new", "done"))


def run_both(kind: str, server: Server, fn: Callable[[Any], Any], **kwargs: Any) -> Any:
    kwargs.setdefault("max_retries", 0)
    if kind == "sync":
        http = httpx.Client(transport=httpx.MockTransport(server))
        with DeepSearch(TOKEN, base_url=BASE, http_client=http, **kwargs) as ds:
            return fn(ds)

    async def main() -> Any:
        http = httpx.AsyncClient(transport=httpx.MockTransport(server))
        async with AsyncDeepSearch(TOKEN, base_url=BASE, http_client=http, **kwargs) as ds:
            out = fn(ds)
            return await out if asyncio.iscoroutine(out) else out

    return asyncio.run(main())


CLIENTS = ["sync", "async"]


# 6. Inputs read once.


@pytest.mark.parametrize("kind", CLIENTS)
def test_add_table_rows_sends_a_generator_instead_of_nothing(kind: str) -> None:
    server = Server()
    created = run_both(
        kind, server, lambda ds: ds.add_table_rows("tb1", (f"s{i}.com" for i in range(3)))
    )
    assert len(created) == 3
    sent = json.loads(server.requests[0].content)["rows"]
    assert [r["data"]["input"] for r in sent] == ["s0.com", "s1.com", "s2.com"]


@pytest.mark.parametrize("kind", CLIENTS)
def test_create_sends_every_generator_argument(kind: str) -> None:
    server = Server()
    run_both(
        kind,
        server,
        lambda ds: ds.create(
            "dental SaaS",
            criteria=(c for c in [Criterion("b2b", "B2B", "Sells to other businesses")]),
            exclude_domains=(d for d in ["acme.com", "https://www.other.org/x"]),
            exclude_task_ids=(t for t in ["done-1"]),
            data_sources=(s for s in ["web_search"]),
        ),
    )
    body = json.loads(server.requests[0].content)
    assert [c["key"] for c in body["criteria"]] == ["b2b"]
    assert body["exclude_domains"] == ["acme.com", "https://www.other.org/x"]
    assert body["exclude_task_ids"] == ["done-1"]
    assert body["data_sources"] == ["web_search"]


@pytest.mark.parametrize("kind", CLIENTS)
def test_add_table_rows_failure_names_the_rows_already_created(kind: str) -> None:
    server = Server(fail_batch=3)
    with pytest.raises(ServerError) as info:
        run_both(
            kind,
            server,
            lambda ds: ds.add_table_rows("tb1", [f"s{i}.com" for i in range(5)], batch_size=2),
        )
    rows = info.value.created_rows
    assert rows is not None and [r["id"] for r in rows] == [
        "row-1-0",
        "row-1-1",
        "row-2-0",
        "row-2-1",
    ]
    assert "row-2-1" in str(info.value) and "inputs[4:]" in str(info.value)


# 7. run() names the task.


@pytest.mark.parametrize("kind", CLIENTS)
def test_run_errors_after_create_carry_the_task_id(kind: str) -> None:
    server = Server(poll=lambda: httpx.Response(403, json={"detail": "not yours"}))
    with pytest.raises(PermissionDeniedError) as info:
        run_both(kind, server, lambda ds: ds.run("q", poll_interval=0.01, timeout=0.05))
    assert info.value.task_id == "t-new"
    assert "t-new" in str(info.value)
    assert sum(r.method == "POST" for r in server.requests) == 1


# 8. Validation before any request.

SURROGATE = "dental \ud800 SaaS"
C1 = "dental \x85 SaaS"  # NEL, a C1 control
CASES: list[tuple[str, Callable[[Any], Any], str]] = [
    ("query-surrogate", lambda ds: ds.create(SURROGATE), "query"),
    ("query-c1", lambda ds: ds.create(C1), "query"),
    ("query-c1-csi", lambda ds: ds.create("a \x9b31m b"), "query"),
    ("run-query-surrogate", lambda ds: ds.run(SURROGATE), "query"),
    (
        "criterion-name-surrogate",
        lambda ds: ds.create("q", criteria=[Criterion("k", "N\udfff", "long enough text")]),
        "criteria[0].name",
    ),
    (
        "criterion-text-surrogate",
        lambda ds: ds.create("q", criteria=[Criterion("k", "N", "long enough \ud800 text")]),
        "criteria[0].criterion",
    ),
    (
        "domain-surrogate",
        lambda ds: ds.create("q", exclude_domains=["a\ud800.com"]),
        "exclude_domains[0]",
    ),
    (
        "task-ids-surrogate",
        lambda ds: ds.create("q", exclude_task_ids=["t\ud800"]),
        "exclude_task_ids[0]",
    ),
    (
        "sources-surrogate",
        lambda ds: ds.create("q", data_sources=["maps\ud800"]),
        "data_sources[0]",
    ),
    ("get-surrogate", lambda ds: ds.get("t\ud800"), "task_id"),
    ("get-c1", lambda ds: ds.get("t\x85"), "task_id"),
    ("get-c1-csi", lambda ds: ds.get("t\x9b"), "task_id"),
    ("get-id-too-long", lambda ds: ds.get("t" * 129), "task_id"),
    ("rows-table-too-long", lambda ds: ds.add_table_rows("t" * 129, ["a.com"]), "table_id"),
    ("rows-input-surrogate", lambda ds: ds.add_table_rows("tb1", ["a\ud800.com"]), "inputs"),
    ("page-size-absurd", lambda ds: ds.results("t1", page_size=10**5000), "page_size"),
    ("limit-absurd", lambda ds: ds.list_tasks(limit=10**5000), "limit"),
    ("offset-absurd", lambda ds: ds.list_tasks(offset=10**5000), "offset"),
    (
        "batch-size-absurd",
        lambda ds: ds.add_table_rows("tb1", ["a.com"], batch_size=10**5000),
        "batch_size",
    ),
    ("poll-interval-absurd", lambda ds: ds.wait("t1", poll_interval=10**5000), "poll_interval"),
    ("timeout-absurd", lambda ds: ds.wait("t1", timeout=10**400), "timeout"),
    (
        "num-results-absurd",
        lambda ds: ds.create("q", desired_num_results=-(10**5000)),
        "desired_num_results",
    ),
]


@pytest.mark.parametrize("kind", CLIENTS)
@pytest.mark.parametrize(("call", "argument"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_strings_and_numbers_are_refused_before_any_request(
    kind: str, call: Callable[[Any], Any], argument: str
) -> None:
    server = Server()

    def consume(ds: Any) -> Any:
        out = call(ds)
        if hasattr(out, "__aiter__"):

            async def drain() -> None:
                async for _ in out:
                    pass

            return drain()
        return out

    with pytest.raises(InvalidArgumentError) as info:
        run_both(kind, server, consume)
    assert info.value.argument == argument, str(info.value)
    assert len(str(info.value)) < 400
    assert server.requests == []


CTOR: list[tuple[str, dict[str, Any], str]] = [
    ("policy-negative-delay", {"retry_policy_kwargs": {"base_delay": -1}}, "base_delay"),
    ("policy-nan-delay", {"retry_policy_kwargs": {"max_delay": math.nan}}, "max_delay"),
    (
        "policy-inf-retry-after",
        {"retry_policy_kwargs": {"max_retry_after": math.inf}},
        "max_retry_after",
    ),
    ("policy-float-retries", {"retry_policy_kwargs": {"max_retries": 1.5}}, "max_retries"),
    ("timeout-zero-phase", {"timeout": httpx.Timeout(5, connect=0)}, "timeout"),
    ("timeout-negative-phase", {"timeout": httpx.Timeout(5, read=-1)}, "timeout"),
    ("timeout-nan-phase", {"timeout": httpx.Timeout(5, write=math.nan)}, "timeout"),
    ("timeout-inf-phase", {"timeout": httpx.Timeout(5, pool=math.inf)}, "timeout"),
    ("timeout-absurd", {"timeout": 10**5000}, "timeout"),
    ("wait-timeout-absurd", {"wait_timeout": 10**400}, "wait_timeout"),
    ("max-concurrent-absurd", {"max_concurrent_requests": 10**5000}, "max_concurrent_requests"),
    ("base-url-query", {"base_url": "https://api.extruct.ai/v?x=1"}, "base_url"),
    ("base-url-bare-question-mark", {"base_url": "https://api.extruct.ai/?"}, "base_url"),
    ("base-url-fragment", {"base_url": "https://api.extruct.ai/#frag"}, "base_url"),
    ("base-url-bare-hash", {"base_url": "https://api.extruct.ai#"}, "base_url"),
    ("base-url-userinfo", {"base_url": "https://alice:hunter2@api.extruct.ai"}, "base_url"),
    ("base-url-user-only", {"base_url": "https://hunter2@api.extruct.ai"}, "base_url"),
    ("base-url-ftp-userinfo", {"base_url": "ftp://alice:hunter2@api.extruct.ai"}, "base_url"),
    ("base-url-bad-port", {"base_url": "https://api.extruct.ai:hunter2/"}, "base_url"),
    ("base-url-surrogate", {"base_url": "https://api.extruct.ai/\ud800"}, "base_url"),
    ("base-url-c1", {"base_url": "https://api.extruct.ai/v\x85x"}, "base_url"),
]


@pytest.mark.parametrize("cls", [DeepSearch, AsyncDeepSearch])
@pytest.mark.parametrize(("kwargs", "argument"), [c[1:] for c in CTOR], ids=[c[0] for c in CTOR])
def test_settings_are_checked_at_construction(
    cls: type, kwargs: dict[str, Any], argument: str
) -> None:
    kwargs = dict(kwargs)
    with pytest.raises(InvalidArgumentError) as info:
        if "retry_policy_kwargs" in kwargs:
            cls(TOKEN, base_url=BASE, retry_policy=RetryPolicy(**kwargs.pop("retry_policy_kwargs")))
        else:
            cls(TOKEN, **{"base_url": BASE, **kwargs})
    assert info.value.argument == argument, str(info.value)
    assert "hunter2" not in str(info.value) and "alice" not in str(info.value)
    assert len(str(info.value)) < 300


def test_no_repr_ever_shows_url_credentials() -> None:
    """Refused at construction, so no client (and no repr) ever holds them."""
    for url in ("https://alice:hunter2@api.extruct.ai", "https://hunter2@api.extruct.ai/v"):
        with pytest.raises(ExtructError) as info:
            DeepSearch(TOKEN, base_url=url)
        assert "hunter2" not in repr(info.value)
