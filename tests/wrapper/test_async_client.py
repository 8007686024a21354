"""AsyncDeepSearch: the same rules as the sync client, for a representative subset."""

from __future__ import annotations

import httpx
import pytest
from extruct_deep_search import (
    AsyncDeepSearch,
    InvalidArgumentError,
    NotFoundError,
    RateLimitError,
    ServerError,
    TaskExhaustedError,
    TaskFailedError,
    UnexpectedResponseError,
    WaitTimeoutError,
)

from .fakes import (
    TOKEN,
    FakeTime,
    Recorder,
    ScriptedTask,
    async_client,
    check_stream,
    ids,
    page_json,
    random_script,
    respond,
    result_json,
    task_json,
)

OK = respond(200, task_json(status="done"))


async def test_error_mapping() -> None:
    rec = Recorder(respond(404, {"detail": "Task not found"}, {"x-request-id": "rq"}))
    async with async_client(rec) as ds:
        with pytest.raises(NotFoundError) as info:
            await ds.get("t1")
    assert info.value.request_id == "rq"
    assert info.value.status_code == 404


async def test_resume_exhausted() -> None:
    rec = Recorder(respond(400, {"detail": "exhausted"}))
    async with async_client(rec) as ds:
        with pytest.raises(TaskExhaustedError):
            await ds.resume("t1")
    assert rec.calls == 1


async def test_unreadable_body() -> None:
    rec = Recorder(httpx.Response(200, content=b"<html>"))
    async with async_client(rec, max_retries=1) as ds:
        with pytest.raises(UnexpectedResponseError):
            await ds.get("t1")
    assert rec.calls == 2


async def test_validation_sends_nothing() -> None:
    rec = Recorder(OK)
    async with async_client(rec) as ds:
        with pytest.raises(InvalidArgumentError):
            await ds.create("q", desired_num_results=251)
        with pytest.raises(InvalidArgumentError):
            await ds.get("..")
        with pytest.raises(InvalidArgumentError):
            ds.iter_results("t1", page_size=0)
    assert rec.calls == 0


@pytest.mark.parametrize(
    ("fault", "sleeps"),
    [
        (httpx.ConnectError("refused"), [0.375, 0.75]),
        (httpx.ReadTimeout("slow"), [0.375, 0.75]),
        (respond(503, {"detail": "x"}), [0.375, 0.75]),
        (respond(429, {"detail": "x"}, {"retry-after": "4"}), [4.0, 4.0]),
    ],
)
async def test_get_retry_and_sleeps(fault: object, sleeps: list[float]) -> None:
    rec = Recorder(fault, fault, OK)  # type: ignore[arg-type]
    t = FakeTime()
    async with async_client(rec, t, jitter=0.5) as ds:
        assert (await ds.get("t1")).status == "done"
    assert rec.calls == 3
    assert t.sleeps == sleeps


async def test_429_without_retry_after_not_retried() -> None:
    rec = Recorder(respond(429, {"detail": "quota"}), OK)
    async with async_client(rec) as ds:
        with pytest.raises(RateLimitError):
            await ds.get("t1")
    assert rec.calls == 1


@pytest.mark.parametrize(
    "fault",
    [
        httpx.ReadTimeout("slow"),
        httpx.RemoteProtocolError("dropped"),
        respond(500, {"detail": "x"}),
    ],
)
async def test_create_not_resent(fault: object) -> None:
    rec = Recorder(fault, OK, lists=[])  # type: ignore[arg-type]
    async with async_client(rec, FakeTime(), max_retries=5) as ds:
        with pytest.raises(Exception) as info:
            await ds.create("dental SaaS")
    assert not isinstance(info.value, AssertionError)
    assert rec.calls == 1  # the one POST; recovery only reads the task list
    assert rec.list_requests


async def test_create_resent_after_connect_error() -> None:
    rec = Recorder(httpx.ConnectError("refused"), respond(200, task_json()))
    async with async_client(rec) as ds:
        await ds.create("dental SaaS")
    assert rec.calls == 2


async def test_wait_completion_rule() -> None:
    rec = Recorder(
        respond(200, task_json(status="in_progress", is_exhausted=True)),
        respond(503, {"detail": "x"}),
        respond(200, task_json(status="in_progress", is_exhausted=True)),
        respond(200, task_json(status="done", is_exhausted=True)),
    )
    t = FakeTime()
    async with async_client(rec, t, max_retries=0) as ds:
        task = await ds.wait("t1", poll_interval=2.0)
    assert task.status == "done"
    assert rec.calls == 4
    assert t.sleeps == [2.0, 2.0, 2.0]


async def test_wait_failed_and_timeout() -> None:
    async with async_client(Recorder(respond(200, task_json(status="failed")))) as ds:
        with pytest.raises(TaskFailedError) as failed:
            await ds.wait("t1")
    assert failed.value.task.status == "failed"
    t = FakeTime()
    async with async_client(Recorder(respond(200, task_json())), t) as ds:
        with pytest.raises(WaitTimeoutError) as timed:
            await ds.wait("t1", poll_interval=1.0, timeout=2.5)
    assert timed.value.elapsed == pytest.approx(2.5)
    assert timed.value.task is not None


async def test_wait_raises_after_too_many_failures() -> None:
    rec = Recorder(respond(502, {"detail": "x"}))
    async with async_client(rec, max_retries=0) as ds:
        with pytest.raises(ServerError):
            await ds.wait("t1", timeout=10_000)
    assert rec.calls == 6


@pytest.mark.parametrize(("total", "page_size"), [(0, 50), (50, 50), (51, 7), (100, 50)])
async def test_iter_results_pages(total: int, page_size: int) -> None:
    server = ScriptedTask(status="done")
    for i in range(total):
        server.add(relevance=100 - i % 100)
    async with async_client(server) as ds:
        got = [r async for r in ds.iter_results("t1", page_size=page_size)]
        again = await ds.results("t1", page_size=page_size)
    assert ids(got) == [r["id"] for r in server.rows] == ids(again)
    assert len(server.reads) == 2 * (total // page_size + 1)


@pytest.mark.parametrize("seed", range(6))
async def test_stream_results_under_shifting_rows(seed: int) -> None:
    server = random_script(seed, 5)
    async with async_client(server) as ds:
        got = [
            r async for r in ds.stream_results("t1", page_size=5, poll_interval=0.5, timeout=None)
        ]
    check_stream(server, got)


async def test_stream_failed_after_partial() -> None:
    server = ScriptedTask()
    server.add(relevance=80, count=2)

    def mutate(s: ScriptedTask) -> None:
        if len(s.reads) == 1:
            s.status = "failed"

    server.on_read = mutate
    got = []
    async with async_client(server) as ds:
        with pytest.raises(TaskFailedError):
            async for row in ds.stream_results("t1", poll_interval=0.5):
                got.append(row)
    assert len(got) == 2


async def test_run() -> None:
    rows = [result_json(i, relevance=90 - i) for i in range(12)]
    polls = {"n": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return respond(200, task_json(status="created"))
        if request.url.path.endswith("/results"):
            o, lim = int(request.url.params["offset"]), int(request.url.params["limit"])
            return respond(200, page_json(task_json(status="done"), rows[o : o + lim]))
        polls["n"] += 1
        return respond(200, task_json(status="done" if polls["n"] > 1 else "in_progress"))

    t = FakeTime()
    async with async_client(handler, t) as ds:
        run = await ds.run("dental SaaS", desired_num_results=12, page_size=5)
    assert ids(run.results) == [r["id"] for r in rows]
    assert run.task.status == "done"
    assert t.sleeps == [1.0, 1.0]


async def test_repr_hides_token() -> None:
    ds = AsyncDeepSearch(TOKEN, base_url="https://api.test.example")
    assert TOKEN not in repr(ds)
    await ds.aclose()
