"""What a client needs to recover an ambiguous create, over real HTTP.

The list endpoint (newest first, full task objects, paged), precise
``created_at`` stamps, a ``Date`` header on every response, a server clock
that can be off, and faults that act exactly once or not at all.
"""

from __future__ import annotations

import contextlib
import re
import time
import uuid
from collections.abc import Iterator
from datetime import datetime
from email.utils import parsedate_to_datetime

import httpx
import pytest
from extruct_deep_search.sandbox import FaultRule, Sandbox
from extruct_deep_search.sandbox.faults import ACTED, KINDS
from extruct_deep_search.sandbox.state import CreateInput, SandboxState

from .conftest import auth, create, wait_finished

pytestmark = pytest.mark.integration

STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
IMF_FIXDATE = re.compile(r"^[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT$")


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with Sandbox(seed=2, speed=50) as sandbox:
        yield sandbox


def client_for(sb: Sandbox, timeout: float = 10) -> httpx.Client:
    return httpx.Client(base_url=sb.base_url, headers=auth(sb.token), timeout=timeout)


def listed(c: httpx.Client, **params: int) -> list[dict[str, object]]:
    response = c.get("/v1/discovery_tasks", params=params)
    assert response.status_code == 200, response.text
    out: list[dict[str, object]] = response.json()
    return out


def test_list_is_newest_first_with_the_same_objects_as_get(sb: Sandbox) -> None:
    with client_for(sb) as c:
        done = create(c, query="broad recovery done", desired_num_results=2)
        wait_finished(c, str(done["id"]))
        ids = [str(done["id"])]
        ids += [
            str(create(c, query=f"recovery {i}", desired_num_results=5)["id"]) for i in range(4)
        ]
        everything = listed(c)
        assert [t["id"] for t in everything] == ids[::-1]
        stamps = [str(t["created_at"]) for t in everything]
        assert all(STAMP.match(s) for s in stamps), stamps
        assert stamps == sorted(stamps, reverse=True)
        # Every field GET returns, with the same values (the finished task is stable).
        for task in everything:
            assert task.keys() == c.get(f"/v1/discovery_tasks/{task['id']}").json().keys()
        assert everything[-1] == c.get(f"/v1/discovery_tasks/{ids[0]}").json()
        assert everything[-1]["status"] == "done"  # listing advances tasks like GET does
        assert [t["id"] for t in listed(c, offset=1, limit=2)] == ids[::-1][1:3]
        assert [t["id"] for t in listed(c, limit=1)] == ids[-1:]
        assert listed(c, offset=5) == []
        assert [t["id"] for t in listed(c, offset=3, limit=50)] == ids[1::-1]


def test_list_order_and_objects_in_process() -> None:
    # A fake clock: equal stamps and a clock stepping back, compared at one instant.
    t = [1_700_000_000.0]
    state = SandboxState(seed=0, now=lambda: t[0])
    first = state.create_task("org_a", CreateInput(query="tie one", desired_num_results=5))
    second = state.create_task("org_a", CreateInput(query="tie two", desired_num_results=5))
    t[0] += 5.0
    third = state.create_task("org_a", CreateInput(query="later", desired_num_results=5))
    t[0] -= 2.0  # the clock steps back: an older stamp, created last
    fourth = state.create_task("org_a", CreateInput(query="stepped back", desired_num_results=5))
    t[0] += 0.4
    order = [third, fourth, second, first]
    everything = state.list_tasks("org_a")
    assert [x["id"] for x in everything] == [x["id"] for x in order]
    assert everything == [state.get_task("org_a", str(x["id"])) for x in order]
    assert any(x["status"] == "in_progress" for x in everything)
    assert first["created_at"] == "2023-11-14T22:13:20.000000Z"
    t[0] = 1_700_000_000.123456
    stamp = state.create_task("org_a", CreateInput(query="precise"))["created_at"]
    assert stamp == "2023-11-14T22:13:20.123456Z"


def test_date_header_on_every_response(sb: Sandbox) -> None:
    sb.faults.add("get:429=2*1")
    sb.faults.add("get:500*1")
    sb.faults.add("get:503*1")
    sb.faults.add("get:truncated*1")
    sb.faults.add("get:non_json*1")
    sb.faults.add("list:slow=0.05*1")
    with client_for(sb) as c:
        responses = [c.get("/v1/discovery_tasks/x") for _ in range(6)]  # five faults, a 404
        responses += [
            c.get("/v1/discovery_tasks"),  # slow
            c.post("/v1/discovery_tasks", json={"query": "dated", "desired_num_results": 1}),
            c.post("/v1/discovery_tasks", json={"desired_num_results": 0}),  # 422
            c.get("/v1/healthcheck"),
            c.get("/_sandbox/faults"),
            c.get("/nowhere"),  # 404 from the router
            httpx.get(f"{sb.base_url}/v1/user"),  # 401
        ]
    statuses = [r.status_code for r in responses]
    assert statuses == [429, 500, 503, 200, 200, 404, 200, 200, 422, 200, 200, 404, 401]
    for response in responses:
        dates = response.headers.get_list("date")
        assert len(dates) == 1 and IMF_FIXDATE.match(dates[0]), (response.status_code, dates)
        assert abs(parsedate_to_datetime(dates[0]).timestamp() - time.time()) < 5


@pytest.mark.parametrize("offset", [-600.0, 3600.0])
def test_clock_offset_skews_created_at_and_date_alike(offset: float) -> None:
    with Sandbox(seed=0, speed=50, clock_offset=offset) as sb, client_for(sb) as c:
        before = time.time()
        response = c.post("/v1/discovery_tasks", json={"query": "skewed", "desired_num_results": 1})
        after = time.time()
        created = datetime.fromisoformat(response.json()["created_at"]).timestamp()
        date = parsedate_to_datetime(response.headers["date"]).timestamp()
        assert before + offset - 0.001 <= created <= after + offset + 0.001
        assert int(before + offset) - 1 <= date <= after + offset + 1
        task = wait_finished(c, response.json()["id"])  # progress does not care about the skew
        assert task["status"] == "done"
        rows = c.get(f"/v1/discovery_tasks/{task['id']}/results").json()["results"]
        assert all(
            abs(datetime.fromisoformat(r["created_at"]).timestamp() - (time.time() + offset)) < 10
            for r in rows
        )


@pytest.mark.parametrize("kind", KINDS)
def test_each_create_fault_creates_one_task_or_none(sb: Sandbox, kind: str) -> None:
    query = f"recovery {kind} {uuid.uuid4().hex[:8]}"
    param = 0.5 if kind == "slow" else None  # longer than the client waits
    sb.faults.add(FaultRule("create", kind, count=1, param=param))
    with client_for(sb, timeout=0.25) as c:
        with contextlib.suppress(httpx.TransportError):
            c.post("/v1/discovery_tasks", json={"query": query, "desired_num_results": 1})
        if kind == "slow":
            assert sb.fault_counts() == {("create", "slow"): 1}
        tasks = [t for t in listed(c) if t["query"] == query]
    assert len(tasks) == (1 if kind in ACTED else 0), kind
    assert sb.tasks_created(sb.token) == len(tasks)


def test_slow_create_past_the_client_timeout_has_acted(sb: Sandbox) -> None:
    sb.faults.add("create:slow=0.6*1")
    body = {"query": "recovery slow create", "desired_num_results": 1}
    with client_for(sb, timeout=0.2) as c:
        started = time.monotonic()
        with pytest.raises(httpx.ReadTimeout):
            c.post("/v1/discovery_tasks", json=body)
        assert time.monotonic() - started < 0.5
        # The client gave up; the task is there already, and exactly once.
        assert [t["query"] for t in listed(c)] == [body["query"]]
    with client_for(sb) as c:
        sb.faults.add("create:slow=0.2*1")
        started = time.monotonic()
        response = c.post("/v1/discovery_tasks", json=body)
        assert response.status_code == 200 and time.monotonic() - started >= 0.2
        assert listed(c, limit=1)[0]["id"] == response.json()["id"]
    assert sb.tasks_created(sb.token) == 2
