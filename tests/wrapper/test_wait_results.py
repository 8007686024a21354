"""wait(), iter_results(), stream_results() and run() over scripted fake servers."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from extruct_deep_search import (
    APIConnectionError,
    NotFoundError,
    ServerError,
    Task,
    TaskFailedError,
    WaitTimeoutError,
)

from .fakes import (
    FakeTime,
    Recorder,
    ScriptedTask,
    check_stream,
    client,
    ids,
    page_json,
    random_script,
    respond,
    result_json,
    task_json,
)


def tasks(*statuses: str | tuple[str, bool]) -> list[httpx.Response]:
    out = []
    for s in statuses:
        status, exhausted = s if isinstance(s, tuple) else (s, False)
        out.append(respond(200, task_json(status=status, is_exhausted=exhausted)))
    return out


# wait(): the completion rule.


def test_wait_keeps_polling_while_exhausted_but_in_progress() -> None:
    rec = Recorder(
        *tasks(
            "created",
            ("in_progress", True),
            ("in_progress", True),
            ("in_progress", True),
            ("done", True),
        )
    )
    t = FakeTime()
    seen: list[Task] = []
    with client(rec, t) as ds:
        task = ds.wait("t1", poll_interval=2.0, timeout=100, on_progress=seen.append)
    assert task.status == "done"
    assert task.is_exhausted
    assert rec.calls == 5
    assert t.sleeps == [2.0] * 4
    assert [s.status for s in seen] == [
        "created",
        "in_progress",
        "in_progress",
        "in_progress",
        "done",
    ]


def test_wait_returns_at_once_when_done() -> None:
    rec = Recorder(*tasks("done"))
    t = FakeTime()
    with client(rec, t) as ds:
        assert ds.wait("t1").status == "done"
    assert rec.calls == 1
    assert t.sleeps == []


def test_wait_failed_raises_with_task() -> None:
    rec = Recorder(*tasks("in_progress", "failed"))
    with client(rec) as ds, pytest.raises(TaskFailedError) as info:
        ds.wait("t1")
    assert info.value.task.status == "failed"
    assert info.value.task.id == "t1"
    assert "t1" in str(info.value)


def test_wait_timeout_on_fake_clock() -> None:
    rec = Recorder(*tasks("in_progress"))
    t = FakeTime()
    with client(rec, t) as ds, pytest.raises(WaitTimeoutError) as info:
        ds.wait("t1", poll_interval=1.0, timeout=3.5)
    exc = info.value
    assert exc.elapsed == pytest.approx(3.5)
    assert exc.task is not None and exc.task.status == "in_progress"
    assert t.sleeps == [1.0, 1.0, 1.0, 0.5]
    assert rec.calls == 5


def test_wait_timeout_uses_client_default() -> None:
    rec = Recorder(*tasks("in_progress"))
    t = FakeTime()
    with (
        client(rec, t, poll_interval=5.0, wait_timeout=12.0) as ds,
        pytest.raises(WaitTimeoutError),
    ):
        ds.wait("t1")
    assert t.sleeps == [5.0, 5.0, 2.0]


def test_wait_unknown_status_keeps_polling() -> None:
    rec = Recorder(*tasks("queued_v2", "paused_for_review", "done"))
    with client(rec) as ds:
        assert ds.wait("t1").status == "done"
    assert rec.calls == 3


def test_wait_survives_transient_poll_failures() -> None:
    rec = Recorder(
        *tasks("in_progress"),
        respond(503, {"detail": "x"}),
        httpx.ConnectError("refused"),
        httpx.ReadTimeout("slow"),
        respond(429, {"detail": "x"}, {"retry-after": "1"}),
        httpx.Response(200, content=b"<html>"),
        *tasks("done"),
    )
    with client(rec, max_retries=0) as ds:
        assert ds.wait("t1", timeout=1000).status == "done"
    assert rec.calls == 7


def test_wait_raises_after_too_many_failures_in_a_row() -> None:
    rec = Recorder(*tasks("in_progress"), respond(503, {"detail": "x"}))
    with client(rec, max_retries=0) as ds, pytest.raises(ServerError):
        ds.wait("t1", timeout=10_000)
    assert rec.calls == 1 + 6  # one success, then max_failures=5 tolerated + the one raised


def test_wait_failure_count_resets_on_success() -> None:
    fail = respond(503, {"detail": "x"})
    rec = Recorder(*[fail] * 5, *tasks("in_progress"), *[fail] * 5, *tasks("done"))
    with client(rec, max_retries=0) as ds:
        assert ds.wait("t1", timeout=10_000).status == "done"
    assert rec.calls == 12


def test_wait_connection_errors_exhaust() -> None:
    rec = Recorder(httpx.ConnectError("refused"))
    with client(rec, max_retries=0) as ds, pytest.raises(APIConnectionError):
        ds.wait("t1", timeout=10_000)
    assert rec.calls == 6


def test_wait_non_transient_error_raised_at_once() -> None:
    rec = Recorder(*tasks("in_progress"), respond(404, {"detail": "gone"}))
    with client(rec) as ds, pytest.raises(NotFoundError):
        ds.wait("t1")
    assert rec.calls == 2


# iter_results(): the page loop.


@pytest.mark.parametrize("page_size", [50, 7])
@pytest.mark.parametrize("total", [0, 49, 50, 51, 100])
def test_iter_results_request_count(total: int, page_size: int) -> None:
    server = ScriptedTask(status="done")
    for i in range(total):
        server.add(relevance=100 - i % 100)
    with client(server) as ds:
        got = list(ds.iter_results("t1", page_size=page_size))
    assert ids(got) == [r["id"] for r in server.rows]
    expected_requests = total // page_size + 1  # full pages, then one short (maybe empty) page
    assert len(server.reads) == expected_requests
    assert [(o, lim) for _, o, lim in server.reads] == [
        (i * page_size, page_size) for i in range(expected_requests)
    ]


def test_iter_results_dedupes_overlapping_pages() -> None:
    server = ScriptedTask()
    server.add(relevance=50, count=10)

    def insert_top(s: ScriptedTask) -> None:
        if len(s.reads) == 1:  # after the first page, a new top row shifts everything down
            s.add(relevance=99)

    server.on_read = insert_top
    with client(server) as ds:
        got = list(ds.iter_results("t1", page_size=4))
    assert len(ids(got)) == len(set(ids(got)))
    assert set(ids(got)) <= {r["id"] for r in server.rows}


def test_results_parses_rows_and_is_lazy() -> None:
    server = ScriptedTask(status="done")
    server.add(relevance=90, count=5)
    with client(server) as ds:
        it = ds.iter_results("t1", page_size=2)
        assert server.reads == []  # nothing is sent until iteration starts
        first = next(it)
        assert len(server.reads) == 1
        assert first.id == server.rows[0]["id"]
        assert first.relevance == 90
        rest = list(it)
    assert len(rest) == 4
    assert len(server.reads) == 3


# stream_results(): results shift between page reads.


@pytest.mark.parametrize("page_size", [3, 7, 50])
@pytest.mark.parametrize("seed", range(12))
def test_stream_results_yields_each_final_result_once(seed: int, page_size: int) -> None:
    server = random_script(seed, page_size)
    with client(server) as ds:
        got = list(ds.stream_results("t1", page_size=page_size, poll_interval=0.5, timeout=None))
    check_stream(server, got)


def test_stream_done_mid_sweep_triggers_another_sweep() -> None:
    server = ScriptedTask()
    server.add(relevance=50, count=6)
    late: list[str] = []

    def mutate(s: ScriptedTask) -> None:
        # The second page read of the first sweep: a new top row appears and the
        # task finishes. The first sweep started on in_progress, so it cannot be the last.
        if len(s.reads) == 1 and s.status == "in_progress":
            late.extend(s.add(relevance=99))
            s.status = "done"

    server.on_read = mutate
    with client(server) as ds:
        got = list(ds.stream_results("t1", page_size=4, poll_interval=0.5))
    assert late and late[0] in ids(got)
    check_stream(server, got)
    assert [o for _, o, _ in server.reads] == [0, 4, 0, 4]


def test_stream_yields_as_soon_as_seen() -> None:
    server = ScriptedTask()
    server.add(relevance=70, count=5)
    with client(server) as ds:
        it = ds.stream_results("t1", page_size=2, poll_interval=0.5)
        first = next(it)
        assert len(server.reads) == 1
        assert first.id == server.rows[0]["id"]
        server.status = "done"
        rest = list(it)
    assert len(rest) == 4


def test_stream_sleeps_between_sweeps() -> None:
    server = ScriptedTask()
    server.add(relevance=70, count=2)
    sweeps = {"n": 0}

    def mutate(s: ScriptedTask) -> None:
        sweeps["n"] += 1
        if sweeps["n"] == 3:
            s.status = "done"

    server.on_read = mutate
    t = FakeTime()
    with client(server, t) as ds:
        list(ds.stream_results("t1", poll_interval=2.5))
    assert t.sleeps == [2.5, 2.5]


def test_stream_failed_after_partial_results() -> None:
    server = ScriptedTask()
    server.add(relevance=80, count=3)

    def mutate(s: ScriptedTask) -> None:
        if len(s.reads) == 2:
            s.add(relevance=10)
            s.status = "failed"

    server.on_read = mutate
    got = []
    with client(server) as ds, pytest.raises(TaskFailedError) as info:
        for row in ds.stream_results("t1", page_size=50, poll_interval=0.5):
            got.append(row)
    assert info.value.task.status == "failed"
    assert set(ids(got)) == {r["id"] for r in server.rows}
    assert len(got) == 4


def test_stream_timeout() -> None:
    server = ScriptedTask()
    server.add(relevance=80, count=2)
    t = FakeTime()
    got = []
    with client(server, t) as ds, pytest.raises(WaitTimeoutError) as info:
        for row in ds.stream_results("t1", poll_interval=1.0, timeout=2.0):
            got.append(row)
    assert len(got) == 2
    assert info.value.elapsed == pytest.approx(2.0)


def test_stream_survives_transient_page_failure() -> None:
    server = ScriptedTask(status="done")
    server.add(relevance=80, count=3)
    script: list[Any] = [httpx.ReadError("reset"), respond(503, {"detail": "x"})]

    def handler(request: httpx.Request) -> httpx.Response:
        if script:
            item = script.pop(0)
            if isinstance(item, Exception):
                raise item
            return item
        return server(request)

    with client(handler, max_retries=0) as ds:
        got = list(ds.stream_results("t1", poll_interval=0.5))
    assert ids(got) == [r["id"] for r in server.rows]


# run(): create, wait, read everything.


def test_run_happy_path() -> None:
    rows = [result_json(i, relevance=100 - i) for i in range(60)]
    state = {"polls": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.method == "POST" and path == "/v1/discovery_tasks":
            return respond(200, task_json(status="created"))
        if path == "/v1/discovery_tasks/t1":
            state["polls"] += 1
            return respond(200, task_json(status="done" if state["polls"] >= 2 else "in_progress"))
        if path == "/v1/discovery_tasks/t1/results":
            offset = int(request.url.params["offset"])
            limit = int(request.url.params["limit"])
            return respond(200, page_json(task_json(status="done"), rows[offset : offset + limit]))
        return respond(404, {"detail": "no"})

    rec = Recorder(handler)
    t = FakeTime()
    seen: list[str] = []
    with client(rec, t) as ds:
        run = ds.run(
            "dental SaaS",
            desired_num_results=60,
            poll_interval=3.0,
            on_progress=lambda x: seen.append(x.status),
        )
    assert run.task.status == "done"
    assert ids(run.results) == [r["id"] for r in rows]
    methods = [(r.method, r.url.path) for r in rec.requests]
    assert methods[0] == ("POST", "/v1/discovery_tasks")
    assert methods.count(("POST", "/v1/discovery_tasks")) == 1
    assert seen == [
        "created",
        "in_progress",
        "done",
    ]  # the create response counts as the first poll
    assert t.sleeps == [3.0, 3.0]
    assert rec.requests[0].headers["content-type"] == "application/json"
