"""Fault injection over real HTTP: every kind, counting, control endpoint, acted-or-not."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator

import httpx
import pytest
from extruct_deep_search.sandbox import FaultRule, Sandbox
from extruct_deep_search.sandbox.faults import ACTED

from .conftest import auth

pytestmark = pytest.mark.integration

CREATE = {"query": "broad fault test", "desired_num_results": 3}


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with Sandbox(seed=1, speed=50) as sandbox:
        yield sandbox


def client_for(sb: Sandbox, timeout: float = 10) -> httpx.Client:
    return httpx.Client(base_url=sb.base_url, headers=auth(sb.token), timeout=timeout)


def test_faults_are_off_by_default(sb: Sandbox) -> None:
    with client_for(sb) as c:
        for _ in range(5):
            assert c.post("/v1/discovery_tasks", json=CREATE).status_code == 200
    assert sb.fault_counts() == {} and sb.tasks_created(sb.token) == 5


@pytest.mark.parametrize(
    ("kind", "status"), [("500", 500), ("502", 502), ("503", 503), ("429_no_retry_after", 429)]
)
def test_status_faults(sb: Sandbox, kind: str, status: int) -> None:
    sb.faults.add(FaultRule("list", kind, count=2))
    with client_for(sb) as c:
        got = [c.get("/v1/discovery_tasks") for _ in range(3)]
    assert [r.status_code for r in got] == [status, status, 200]
    assert isinstance(got[0].json()["detail"], str)
    assert "retry-after" not in got[0].headers
    assert sb.fault_counts() == {("list", kind): 2}


def test_429_with_retry_after(sb: Sandbox) -> None:
    sb.faults.add("results:429=7")
    with client_for(sb) as c:
        response = c.get("/v1/discovery_tasks/x/results")
        assert response.status_code == 429 and response.headers["retry-after"] == "7"
        assert c.get("/v1/discovery_tasks/x/results").status_code == 404
    assert sb.fault_counts() == {("results", "429"): 1}


@pytest.mark.parametrize("kind", ["drop", "drop_after"])
def test_dropped_connection(sb: Sandbox, kind: str) -> None:
    sb.faults.add(f"create:{kind}*1")
    with client_for(sb) as c:
        # Usually "server disconnected" (FIN); under load the close can arrive as a reset.
        with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
            c.post("/v1/discovery_tasks", json=CREATE)
        assert c.post("/v1/discovery_tasks", json=CREATE).status_code == 200
    assert sb.fault_counts() == {("create", kind): 1}
    # drop: closed before acting; drop_after: the task was created, then the socket closed.
    assert sb.tasks_created(sb.token) == (2 if kind == "drop_after" else 1)


def test_truncated_and_non_json_bodies(sb: Sandbox) -> None:
    sb.faults.add("get:truncated*1")
    sb.faults.add("get:non_json*1")
    with client_for(sb) as c:
        truncated = c.get("/v1/discovery_tasks/whatever")
        assert truncated.status_code == 200
        with pytest.raises(json.JSONDecodeError):
            json.loads(truncated.content)
        html = c.get("/v1/discovery_tasks/whatever")
        assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
        with pytest.raises(json.JSONDecodeError):
            html.json()
    assert sb.fault_counts() == {("get", "truncated"): 1, ("get", "non_json"): 1}


def test_slow_response(sb: Sandbox) -> None:
    sb.faults.add("list:slow=0.6*1")
    with client_for(sb, timeout=0.2) as c:
        start = time.monotonic()
        with pytest.raises(httpx.ReadTimeout):
            c.get("/v1/discovery_tasks")
        assert time.monotonic() - start < 0.5
    with client_for(sb) as c:
        sb.faults.add("list:slow=0.3*1")
        start = time.monotonic()
        assert c.get("/v1/discovery_tasks").status_code == 200
        assert time.monotonic() - start >= 0.3


@pytest.mark.parametrize("kind", [*sorted(set(ACTED) - {"slow"}), "429", "503", "drop"])
def test_create_acted_or_not_per_kind(sb: Sandbox, kind: str) -> None:
    sb.faults.add(FaultRule("create", kind, count=1))
    with client_for(sb) as c, contextlib.suppress(httpx.TransportError):
        c.post("/v1/discovery_tasks", json=CREATE)
    assert sb.tasks_created(sb.token) == (1 if kind in ACTED else 0)


def test_resume_acted_or_not(sb: Sandbox) -> None:
    with client_for(sb) as c:
        task = c.post("/v1/discovery_tasks", json=CREATE).json()
        sb.faults.add("resume:503*1")
        assert c.post(f"/v1/discovery_tasks/{task['id']}/resume", json={}).status_code == 503
        assert c.get(f"/v1/discovery_tasks/{task['id']}").json()["desired_num_results"] == 3
        sb.faults.add("resume:500*1")
        assert c.post(f"/v1/discovery_tasks/{task['id']}/resume", json={}).status_code == 500
        assert c.get(f"/v1/discovery_tasks/{task['id']}").json()["desired_num_results"] == 28


def test_rate_faults_are_seeded(sb: Sandbox) -> None:
    def pattern() -> list[int]:
        with Sandbox(seed=5, faults=["get:503@0.5"]) as s, client_for(s) as c:
            return [c.get("/v1/discovery_tasks/x").status_code for _ in range(30)]

    first = pattern()
    assert first == pattern()
    assert 5 < first.count(503) < 25 and set(first) == {404, 503}


def test_wildcard_endpoint_and_startup_faults() -> None:
    with Sandbox(faults=["*:502*3"]) as s, client_for(s) as c:
        assert c.get("/v1/discovery_tasks").status_code == 502
        assert c.post("/v1/tables/tbl_a/rows", json={"rows": []}).status_code == 502
        assert c.get("/v1/discovery_tasks/x").status_code == 502
        assert c.get("/v1/healthcheck").status_code == 200  # not a faultable endpoint
        assert c.get("/v1/discovery_tasks").status_code == 200
        assert s.fault_counts() == {("list", "502"): 1, ("table_rows", "502"): 1, ("get", "502"): 1}


def test_control_endpoint(sb: Sandbox) -> None:
    with client_for(sb) as c:
        assert httpx.get(sb.base_url + "/_sandbox/faults").status_code == 401
        added = c.post(
            "/_sandbox/faults",
            json={"rules": [{"endpoint": "get", "kind": "503", "count": 1}, "list:500*1"]},
        )
        assert added.status_code == 200 and len(added.json()["rules"]) == 2
        assert c.get("/v1/discovery_tasks/x").status_code == 503
        assert c.post("/v1/discovery_tasks", json=CREATE).status_code == 200
        state = c.get("/_sandbox/faults").json()
        assert state["counts"] == [{"endpoint": "get", "kind": "503", "count": 1}]
        assert state["tasks_created"] == 1
        assert [r["kind"] for r in state["rules"]] == ["500"]
        bad = c.post("/_sandbox/faults", json={"endpoint": "nope", "kind": "500"})
        assert bad.status_code == 400
        cleared = c.delete("/_sandbox/faults").json()
        assert cleared["rules"] == [] and cleared["counts"] == []
        assert c.get("/v1/discovery_tasks").status_code == 200
        table = c.post("/_sandbox/tables").json()["id"]
        assert c.post(f"/v1/tables/{table}/rows", json={"rows": []}).status_code == 200


@pytest.mark.parametrize(
    "text", ["create:500*2", "get:503@0.25", "results:slow=1.5*3", "get:429=7", "*:drop"]
)
def test_rule_text_round_trip(text: str) -> None:
    rule = FaultRule.parse(text)
    assert rule.endpoint == text.split(":")[0]


@pytest.mark.parametrize("text", ["create:teapot", "nowhere:500", "create:500*1@0.5", "create"])
def test_bad_rule_text(text: str) -> None:
    with pytest.raises(ValueError):
        FaultRule.parse(text)
