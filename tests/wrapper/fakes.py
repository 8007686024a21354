"""Scripted fakes for the wrapper's unit tests: JSON builders, a recording
MockTransport handler, a fake clock/sleep, and a results server whose list
changes between page reads."""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import httpx
from extruct_deep_search import AsyncDeepSearch, DeepSearch

TOKEN = "sk_live_S3CRET_t0ken_value_42"
BASE_URL = "https://api.test.example"
CREATED_AT = "2026-01-02T03:04:05+00:00"

Handler = Callable[[httpx.Request], httpx.Response]


def task_json(task_id: str = "t1", status: str = "in_progress", **over: Any) -> dict[str, Any]:
    """A complete task object as the server sends it."""
    data: dict[str, Any] = {
        "id": task_id,
        "created_at": CREATED_AT,
        "status": status,
        "query": "dental SaaS",
        "desired_num_results": 50,
        "is_exhausted": False,
        "num_results_discovered": 10,
        "num_results_enriched": 8,
        "num_results_evaluated": 6,
        "num_results": 4,
        "auto_data_sources": True,
        "data_sources": None,
        "criteria": [{"key": "b2b", "name": "B2B", "criterion": "Sells to other businesses"}],
        "exclude_domains": [],
    }
    data.update(over)
    return data


def result_json(
    n: int | str, task_id: str = "t1", relevance: int | None = 50, **over: Any
) -> dict[str, Any]:
    """A complete result row."""
    data: dict[str, Any] = {
        "id": f"r{n}",
        "task_id": task_id,
        "company_name": f"Company {n}",
        "company_description": "Makes things",
        "company_website": f"https://company{n}.example.com",
        "relevance": relevance,
        "created_at": CREATED_AT,
        "source": "web_search",
        "scores": {"b2b": {"grade": 4, "explanation": "yes", "sources": ["https://a.example"]}},
        "employee_count": "11-50",
    }
    data.update(over)
    return data


def page_json(task: dict[str, Any], rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {**task, "results": rows}


def respond(
    status: int = 200, body: Any = None, headers: dict[str, str] | None = None
) -> httpx.Response:
    if isinstance(body, bytes | str):
        return httpx.Response(status, content=body, headers=headers)
    return httpx.Response(status, json=body, headers=headers)


OK_TASK = httpx.Response(200, json=task_json(status="done"))


class Recorder:
    """A MockTransport handler that records every request and answers from a script.

    ``script`` items are an ``httpx.Response``, an exception instance (raised in
    the handler, as a transport would), or a callable taking the request.
    The last item repeats when the script runs out.
    """

    def __init__(
        self, *script: httpx.Response | BaseException | Handler, lists: list[Any] | None = None
    ) -> None:
        self.script = list(script)
        self.requests: list[httpx.Request] = []
        # With ``lists``, reads of the task list (create recovery's) are answered
        # with that JSON array and recorded apart, outside the script.
        self.lists = lists
        self.list_requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if (
            self.lists is not None
            and request.url.path == "/v1/discovery_tasks"
            and request.method == "GET"
        ):
            self.list_requests.append(request)
            return httpx.Response(200, json=self.lists)
        self.requests.append(request)
        item = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        if isinstance(item, BaseException):
            raise item
        if isinstance(item, httpx.Response):
            # A fresh copy each time (a Response can be read once per request).
            return httpx.Response(item.status_code, headers=item.headers, content=item.content)
        return item(request)

    @property
    def calls(self) -> int:
        return len(self.requests)


class FakeTime:
    """A monotonic clock that only moves when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)


def client(
    handler: Any, time: FakeTime | None = None, jitter: float = 0.0, **kwargs: Any
) -> DeepSearch:
    time = time or FakeTime()
    kwargs.setdefault("poll_interval", 1.0)
    return DeepSearch(
        TOKEN,
        base_url=kwargs.pop("base_url", BASE_URL),
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
        _sleep=time.sleep,
        _clock=time.clock,
        _random=lambda: jitter,
        **kwargs,
    )


def async_client(
    handler: Any, time: FakeTime | None = None, jitter: float = 0.0, **kwargs: Any
) -> AsyncDeepSearch:
    time = time or FakeTime()
    kwargs.setdefault("poll_interval", 1.0)
    return AsyncDeepSearch(
        TOKEN,
        base_url=kwargs.pop("base_url", BASE_URL),
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
        _sleep=time.asleep,
        _clock=time.clock,
        _random=lambda: jitter,
        **kwargs,
    )


_RESULTS_PATH = re.compile(r"^/v1/discovery_tasks/([^/]+)/results$")
_TASK_PATH = re.compile(r"^/v1/discovery_tasks/([^/]+)$")


@dataclass
class ScriptedTask:
    """A fake server for one task whose result list changes between reads.

    ``rows`` is kept sorted by relevance desc. ``on_read`` is called before
    every page read (results endpoint) and every task read with this object,
    so a test can insert rows, change the status, etc. ``reads`` records
    (status served, offset, limit) for every results read.
    """

    task_id: str = "t1"
    status: str = "in_progress"
    rows: list[dict[str, Any]] = field(default_factory=list)
    on_read: Callable[[ScriptedTask], None] | None = None
    reads: list[tuple[str, int, int]] = field(default_factory=list)
    task_reads: int = 0
    counter: int = 0

    def add(self, relevance: int, count: int = 1) -> list[str]:
        """Add ``count`` new rows with ``relevance``; returns their ids."""
        ids = []
        for _ in range(count):
            self.counter += 1
            row = result_json(self.counter, task_id=self.task_id, relevance=relevance)
            self.rows.append(row)
            ids.append(row["id"])
        self.rows.sort(key=lambda r: (-(r["relevance"] or 0), r["id"]))
        return ids

    def task(self) -> dict[str, Any]:
        return task_json(self.task_id, self.status, num_results=len(self.rows))

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if self.on_read is not None:
            self.on_read(self)
        if m := _RESULTS_PATH.match(request.url.path):
            assert m.group(1) == self.task_id
            offset = int(request.url.params.get("offset", "0"))
            limit = int(request.url.params.get("limit", "50"))
            self.reads.append((self.status, offset, limit))
            return httpx.Response(
                200, json=page_json(self.task(), self.rows[offset : offset + limit])
            )
        if _TASK_PATH.match(request.url.path):
            self.task_reads += 1
            return httpx.Response(200, json=self.task())
        return httpx.Response(404, json={"detail": "Not Found"})


def ids(results: Iterable[Any]) -> list[str]:
    return [r.id for r in results]


def body_of(request: httpx.Request) -> Any:
    return json.loads(request.content)


def random_script(seed: int, page_size: int) -> ScriptedTask:
    rng = random.Random(seed)
    server = ScriptedTask()
    server.add(relevance=60, count=rng.randint(0, 12))
    state = {"n": 0, "done_at": rng.randint(5, 40)}

    def mutate(s: ScriptedTask) -> None:
        state["n"] += 1
        if s.status == "done":
            return
        for _ in range(rng.choice([0, 0, 1, 2, 5])):
            s.add(relevance=rng.randint(0, 100))  # often above rows already read
        if state["n"] >= state["done_at"]:
            s.status = "done"

    server.on_read = mutate
    return server


def check_stream(server: ScriptedTask, got: list[Any]) -> None:
    final = [r["id"] for r in server.rows]
    assert len(ids(got)) == len(set(ids(got))), "a result was yielded twice"
    assert set(ids(got)) == set(final), "a result was lost"
    sweeps_started = [status for status, offset, _ in server.reads if offset == 0]
    assert sweeps_started[-1] == "done"
    assert sweeps_started.count("done") == 1, "kept sweeping after a sweep of a done task"
