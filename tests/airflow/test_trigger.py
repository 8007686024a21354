"""DeepSearchTrigger against the sandbox over real HTTP: exactly one event per run."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from extruct_deep_search import DeepSearch
from extruct_deep_search.airflow import DeepSearchTrigger
from extruct_deep_search.sandbox import Sandbox

pytestmark = pytest.mark.integration


async def events(trigger: DeepSearchTrigger) -> list[dict[str, Any]]:
    return [event.payload async for event in trigger.run()]


def create(base_url: str, token: str, query: str, n: int = 10) -> str:
    with DeepSearch(token, base_url=base_url) as ds:
        return ds.create(query, desired_num_results=n).id


def test_serializes_to_plain_values_without_the_token() -> None:
    trigger = DeepSearchTrigger("tid-1", "my_conn", poll_interval=2.5, end_time=123.0)
    path, kwargs = trigger.serialize()
    assert path == "extruct_deep_search.airflow.trigger.DeepSearchTrigger"
    assert kwargs == {
        "extruct_task_id": "tid-1",
        "conn_id": "my_conn",
        "poll_interval": 2.5,
        "end_time": 123.0,
    }
    json.dumps(kwargs)
    rebuilt = DeepSearchTrigger(**kwargs)
    assert rebuilt.serialize() == (path, kwargs)


async def test_done(extruct_conn: str, base_url: str, api_token: str) -> None:
    task_id = create(base_url, api_token, "fintech startups in Berlin")
    got = await events(DeepSearchTrigger(task_id, extruct_conn, poll_interval=0.2))
    assert len(got) == 1
    event = got[0]
    assert event["status"] == "done" and event["task_id"] == task_id
    assert event["task_status"] == "done" and event["num_results"] > 0
    assert api_token not in json.dumps(got)


async def test_failed(extruct_conn: str, base_url: str, api_token: str) -> None:
    task_id = create(base_url, api_token, "FAIL_TASK robotics")
    got = await events(DeepSearchTrigger(task_id, extruct_conn, poll_interval=0.2))
    assert [e["status"] for e in got] == ["failed"]
    assert task_id in got[0]["message"] and got[0]["task_status"] == "failed"


async def test_timed_out_task_keeps_running(monkeypatch: pytest.MonkeyPatch) -> None:
    with Sandbox(seed=1, speed=0.01) as slow:
        monkeypatch.setenv(
            "AIRFLOW_CONN_EXTRUCT_SLOW",
            json.dumps({"conn_type": "extruct", "host": slow.base_url, "password": slow.token}),
        )
        task_id = create(slow.base_url, slow.token, "broad software companies", 100)
        trigger = DeepSearchTrigger(
            task_id, "extruct_slow", poll_interval=0.2, end_time=time.time() + 0.5
        )
        got = await events(trigger)
    assert [e["status"] for e in got] == ["timeout"]
    assert task_id in got[0]["message"] and got[0]["task_status"] != "done"


async def test_past_end_time_still_looks_once(
    extruct_conn: str, base_url: str, api_token: str
) -> None:
    task_id = create(base_url, api_token, "dental clinics software")
    with DeepSearch(api_token, base_url=base_url) as ds:
        ds.wait(task_id, poll_interval=0.2)
    got = await events(DeepSearchTrigger(task_id, extruct_conn, end_time=time.time() - 60))
    assert [e["status"] for e in got] == ["done"]


async def test_rides_out_transient_errors(
    extruct_conn: str, sandbox: Sandbox, api_token: str
) -> None:
    task_id = create(sandbox.base_url, api_token, "logistics software")
    sandbox.faults.add("get:503*2")
    sandbox.faults.add("get:drop*1")
    try:
        got = await events(DeepSearchTrigger(task_id, extruct_conn, poll_interval=0.2))
        counts = sandbox.fault_counts()
    finally:
        sandbox.faults.clear()
    assert [e["status"] for e in got] == ["done"]
    assert counts[("get", "503")] == 2 and counts[("get", "drop")] == 1


async def test_error_for_an_unknown_task(extruct_conn: str) -> None:
    got = await events(DeepSearchTrigger("00000000-0000-0000-0000-000000000000", extruct_conn))
    assert [e["status"] for e in got] == ["error"]
    assert "NotFoundError" in got[0]["message"]


async def test_error_for_a_bad_token_never_shows_it(
    monkeypatch: pytest.MonkeyPatch, base_url: str
) -> None:
    secret = "sbx_wrong_token_123"
    monkeypatch.setenv(
        "AIRFLOW_CONN_EXTRUCT_BAD",
        json.dumps({"conn_type": "extruct", "host": base_url, "password": secret}),
    )
    got = await events(DeepSearchTrigger("00000000-0000-0000-0000-000000000000", "extruct_bad"))
    assert [e["status"] for e in got] == ["error"]
    assert "AuthenticationError" in got[0]["message"]
    assert secret not in json.dumps(got)


async def test_error_for_a_missing_connection() -> None:
    got = await events(DeepSearchTrigger("tid", "no_such_connection"))
    assert [e["status"] for e in got] == ["error"]
    assert "no_such_connection" in got[0]["message"]
