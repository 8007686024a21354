"""The flows in _flows.py driven directly by a scripted fake of their effects:
no sockets, no httpx, no clock. Each test scripts the Outcomes a flow receives
and checks the effects it asks for (sends, sleeps) and what it returns or
raises: the retry, wait, sweep and stream decisions, the page loop's limits,
the wait deadline, run()'s task naming and add_table_rows' partial failure.

The retry and wait tables also run against both clients over
httpx.MockTransport, so the drivers add nothing to the decisions.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from extruct_deep_search import (
    APIConnectionError,
    APITimeoutError,
    ExtructError,
    NotFoundError,
    RateLimitError,
    RetryPolicy,
    ServerError,
    TaskFailedError,
    UnexpectedResponseError,
    WaitTimeoutError,
    _flows,
)
from extruct_deep_search._core.effects import (
    Await,
    Emit,
    Failure,
    Jitter,
    Now,
    Outcome,
    RequestSpec,
    Send,
    Sleep,
    WallNow,
)
from extruct_deep_search._core.params import CreateParams
from extruct_deep_search._core.polling import PollPlan
from extruct_deep_search._core.secrets import Secret

from .fakes import FakeTime, async_client, client, page_json, result_json, task_json

SECRET = Secret("sk_flow_token_123")
POLICY = RetryPolicy(max_retries=2, base_delay=0.5, max_delay=8.0, max_retry_after=60.0)

Answer = Outcome | Callable[[RequestSpec], Outcome]


def ok(body: Any, status: int = 200, **headers: str) -> Outcome:
    return Outcome(status=status, headers=headers, content=json.dumps(body).encode())


def fail(kind: Failure) -> Outcome:
    return Outcome(failure=kind, message=f"{kind.value} failure")


@dataclass
class Driver:
    """Performs a flow's effects from a script: Send pops the next answer (the
    last one repeats), Sleep advances a fake clock, Jitter is 0."""

    answers: list[Answer]
    now: float = 1000.0
    wall: float = 1_767_225_600.0  # 2026-01-01
    sent: list[RequestSpec] = field(default_factory=list)
    sleeps: list[float] = field(default_factory=list)
    emitted: list[Any] = field(default_factory=list)
    awaited: list[Any] = field(default_factory=list)

    def run(self, flow: _flows.Flow[Any]) -> Any:
        answer: Any = None
        while True:
            try:
                effect = flow.send(answer)
            except StopIteration as stop:
                return stop.value
            answer = self.perform(effect)

    def perform(self, effect: object) -> Any:
        if isinstance(effect, Send):
            self.sent.append(effect.request)
            item = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
            return item(effect.request) if callable(item) else item
        if isinstance(effect, Sleep):
            self.sleeps.append(effect.seconds)
            self.now += effect.seconds
            return None
        if isinstance(effect, Now):
            return self.now
        if isinstance(effect, WallNow):
            return self.wall
        if isinstance(effect, Jitter):
            return 0.0
        if isinstance(effect, Emit):
            self.emitted.extend(effect.items)
            return None
        if isinstance(effect, Await):
            self.awaited.append(effect.awaitable)
            return None
        raise AssertionError(f"unexpected effect {effect!r}")


DONE = ok(task_json(status="done"))
RUNNING = ok(task_json(status="in_progress"))


# The retry table: what a GET (idempotent) and a create (not) do after each fault.
# (id, answers, expected sends for get, sleeps for get, error for get,
#  sends for create, error for create)

RETRY_TABLE: list[tuple[str, list[Outcome], int, list[float], type | None, int, type | None]] = [
    ("ok", [DONE], 1, [], None, 1, None),
    ("connect-then-ok", [fail(Failure.CONNECT), DONE], 2, [0.25], None, 2, None),
    (
        "connect-timeout-x3",
        [fail(Failure.CONNECT_TIMEOUT)],
        3,
        [0.25, 0.5],
        APITimeoutError,
        3,
        APITimeoutError,
    ),
    ("timeout-then-ok", [fail(Failure.TIMEOUT), DONE], 2, [0.25], None, 1, APITimeoutError),
    (
        "network-x3",
        [fail(Failure.NETWORK)],
        3,
        [0.25, 0.5],
        APIConnectionError,
        1,
        APIConnectionError,
    ),
    ("local", [fail(Failure.LOCAL)], 1, [], ExtructError, 1, ExtructError),
    ("503-then-ok", [ok({"detail": "x"}, 503), DONE], 2, [0.25], None, 1, ServerError),
    (
        "429-retry-after-then-ok",
        [ok({"detail": "x"}, 429, **{"retry-after": "3"}), DONE],
        2,
        [3.0],
        None,
        2,
        None,
    ),
    ("429-quota", [ok({"detail": "x"}, 429)], 1, [], RateLimitError, 1, RateLimitError),
    (
        "429-retry-after-too-long",
        [ok({"detail": "x"}, 429, **{"retry-after": "61"})],
        1,
        [],
        RateLimitError,
        1,
        RateLimitError,
    ),
    (
        "unreadable-200-then-ok",
        [Outcome(status=200, content=b"{trunc"), DONE],
        2,
        [0.25],
        None,
        1,
        UnexpectedResponseError,
    ),
    (
        "undecodable-200",
        [Outcome(status=200, failure=Failure.UNREADABLE, message="bad gzip")],
        3,
        [0.25, 0.5],
        UnexpectedResponseError,
        1,
        UnexpectedResponseError,
    ),
    ("404", [ok({"detail": "Not Found"}, 404)], 1, [], NotFoundError, 1, NotFoundError),
]


@pytest.mark.parametrize(
    ("answers", "sends", "sleeps", "error", "create_sends", "create_error"),
    [row[1:] for row in RETRY_TABLE],
    ids=[row[0] for row in RETRY_TABLE],
)
def test_retry_table_on_the_flow(
    answers: list[Outcome],
    sends: int,
    sleeps: list[float],
    error: type | None,
    create_sends: int,
    create_error: type | None,
) -> None:
    driver = Driver(list(answers))
    if error is None:
        assert driver.run(_flows.get("t1", POLICY, SECRET)).id == "t1"
    else:
        with pytest.raises(error):
            driver.run(_flows.get("t1", POLICY, SECRET))
    assert (len(driver.sent), driver.sleeps) == (sends, sleeps)

    driver = Driver(list(answers))
    if create_error is None:
        driver.run(_flows.create(CreateParams(query="q"), POLICY, SECRET))
    else:
        with pytest.raises(create_error):
            driver.run(_flows.create(CreateParams(query="q"), POLICY, SECRET))
    assert len(driver.sent) == create_sends


def _as_http(outcome: Outcome) -> httpx.Response | BaseException:
    """The same fault as the transport would deliver it to a client."""
    match outcome.failure:
        case None:
            return httpx.Response(
                outcome.status or 0, headers=outcome.headers, content=outcome.content
            )
        case Failure.CONNECT:
            return httpx.ConnectError("refused")
        case Failure.CONNECT_TIMEOUT:
            return httpx.ConnectTimeout("slow connect")
        case Failure.TIMEOUT:
            return httpx.ReadTimeout("slow read")
        case Failure.NETWORK:
            return httpx.RemoteProtocolError("dropped")
        case Failure.LOCAL:
            return httpx.InvalidURL("bad url")
        case Failure.UNREADABLE:
            # Streamed, not pre-read: httpx would decode (and fail on) a body given as content.
            return httpx.Response(
                200, headers={"content-encoding": "gzip"}, stream=httpx.ByteStream(b"not gzip")
            )
    raise AssertionError(outcome)


class Script:
    """A MockTransport handler answering from a list (the last answer repeats).

    Reads of the task list (create recovery's, after an ambiguous create) are
    answered with an empty list outside the script and counted apart: the
    table is about the one POST and its retries.
    """

    def __init__(self, answers: list[Outcome]) -> None:
        self.answers = [_as_http(a) for a in answers]
        self.calls = 0
        self.list_calls = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.method == "GET" and request.url.path == "/v1/discovery_tasks":
            self.list_calls += 1
            return httpx.Response(200, json=[])
        self.calls += 1
        item = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(item, BaseException):
            raise item
        if item.headers.get("content-encoding") == "gzip":
            return httpx.Response(200, headers=item.headers, stream=httpx.ByteStream(b"not gzip"))
        return httpx.Response(item.status_code, headers=item.headers, content=item.content)


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize(
    ("answers", "sends", "sleeps", "error", "create_sends", "create_error"),
    [row[1:] for row in RETRY_TABLE],
    ids=[row[0] for row in RETRY_TABLE],
)
def test_retry_table_on_both_clients(
    kind: str,
    answers: list[Outcome],
    sends: int,
    sleeps: list[float],
    error: type | None,
    create_sends: int,
    create_error: type | None,
) -> None:
    for op, n, exc in (("get", sends, error), ("create", create_sends, create_error)):
        script, t = Script(list(answers)), FakeTime()
        outcome = _run_on(kind, script, t, op)
        if exc is None:
            assert not isinstance(outcome, BaseException), outcome
        else:
            assert isinstance(outcome, exc), outcome
        assert script.calls == n, op
        if op == "get":
            assert t.sleeps == sleeps


def _run_on(kind: str, script: Script, t: FakeTime, op: str, **kwargs: Any) -> Any:
    def sync() -> Any:
        with client(script, t, max_retries=2) as ds:
            if op == "wait":
                return ds.wait("t1", **kwargs)
            return ds.get("t1") if op == "get" else ds.create("q")

    async def main() -> Any:
        async with async_client(script, t, max_retries=2) as ds:
            if op == "wait":
                return await ds.wait("t1", **kwargs)
            return await (ds.get("t1") if op == "get" else ds.create("q"))

    try:
        return sync() if kind == "sync" else asyncio.run(main())
    except ExtructError as exc:
        return exc


# The wait table: the completion rule, failures ridden out, the deadline.
# (id, answers, poll interval, timeout, expected polls, sleeps, error)

T503 = ok({"detail": "x"}, 503)
WAIT_TABLE: list[tuple[str, list[Outcome], float, float | None, int, list[float], type | None]] = [
    ("done-at-once", [DONE], 1.0, 10.0, 1, [], None),
    ("running-then-done", [RUNNING, RUNNING, DONE], 2.0, 10.0, 3, [2.0, 2.0], None),
    ("failed", [RUNNING, ok(task_json(status="failed"))], 1.0, 10.0, 2, [1.0], TaskFailedError),
    (
        "unknown-status-keeps-polling",
        [ok(task_json(status="paused")), DONE],
        1.0,
        10.0,
        2,
        [1.0],
        None,
    ),
    ("timeout", [RUNNING], 3.0, 7.0, 4, [3.0, 3.0, 1.0], WaitTimeoutError),
    # A 503 poll is retried twice (0.25 + 0.5 s), then ridden out by the wait.
    ("5xx-ridden-out", [T503, T503, T503, DONE], 1.0, 60.0, 4, [0.25, 0.5, 1.0], None),
    (
        "404-raised-at-once",
        [RUNNING, ok({"detail": "nf"}, 404)],
        1.0,
        60.0,
        2,
        [1.0],
        NotFoundError,
    ),
    # Retry-After 30 inside a 5 s wait: the retry sleep is cut to the deadline,
    # one last attempt goes out at it, and the wait times out (no attempt
    # starts after the deadline, and no sleep passes it).
    (
        "retry-after-clamped-to-the-deadline",
        [RUNNING, ok({"detail": "x"}, 429, **{"retry-after": "30"})],
        2.0,
        5.0,
        3,
        [2.0, 3.0],
        WaitTimeoutError,
    ),
]


@pytest.mark.parametrize(
    ("answers", "interval", "timeout", "polls", "sleeps", "error"),
    [row[1:] for row in WAIT_TABLE],
    ids=[row[0] for row in WAIT_TABLE],
)
def test_wait_table_on_the_flow(
    answers: list[Outcome],
    interval: float,
    timeout: float | None,
    polls: int,
    sleeps: list[float],
    error: type | None,
) -> None:
    driver = Driver(list(answers))
    flow = _flows.wait("t1", PollPlan(interval=interval, timeout=timeout), POLICY, SECRET)
    if error is None:
        assert driver.run(flow).status == "done"
    else:
        with pytest.raises(error):
            driver.run(flow)
    assert (len(driver.sent), driver.sleeps) == (polls, sleeps)
    if timeout is not None:
        assert driver.now - 1000.0 <= timeout  # no sleep passes the wait's deadline


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize(
    ("answers", "interval", "timeout", "polls", "sleeps", "error"),
    [row[1:] for row in WAIT_TABLE],
    ids=[row[0] for row in WAIT_TABLE],
)
def test_wait_table_on_both_clients(
    kind: str,
    answers: list[Outcome],
    interval: float,
    timeout: float | None,
    polls: int,
    sleeps: list[float],
    error: type | None,
) -> None:
    script, t = Script(list(answers)), FakeTime()
    got = _run_on(kind, script, t, "wait", poll_interval=interval, timeout=timeout)
    if error is None:
        assert got.status == "done"
    else:
        assert isinstance(got, error), got
    assert (script.calls, t.sleeps) == (polls, sleeps)


def test_retry_sleeps_never_outlast_the_wait() -> None:
    """Backoff inside a poll is cut to the deadline too (here 8 s caps at 2.5 s)."""
    policy = RetryPolicy(max_retries=10, base_delay=8.0, max_delay=8.0)
    driver = Driver([RUNNING, fail(Failure.NETWORK)])
    with pytest.raises(WaitTimeoutError):
        driver.run(_flows.wait("t1", PollPlan(interval=0.5, timeout=3.0), policy, SECRET))
    assert sum(driver.sleeps) == pytest.approx(3.0)
    assert driver.sleeps[0] == 0.5


def test_an_awaitable_from_on_progress_is_handed_to_the_driver() -> None:
    marker = object()

    class Awaitable:
        def __await__(self) -> Any:
            yield marker

    driver = Driver([DONE])
    driver.run(
        _flows.wait(
            "t1", PollPlan(interval=1.0, timeout=5.0), POLICY, SECRET, lambda t: Awaitable()
        )
    )
    assert len(driver.awaited) == 1


# The sweep: the page loop and its limits.


def pages(
    task_id: str, status: str, rows: list[dict[str, Any]]
) -> Callable[[RequestSpec], Outcome]:
    """A results endpoint honouring offset and limit."""

    def answer(request: RequestSpec) -> Outcome:
        offset, limit = request.params["offset"], request.params["limit"]
        return ok(page_json(task_json(task_id, status), rows[offset : offset + limit]))

    return answer


def rows_of(n: int, task_id: str = "t1") -> list[dict[str, Any]]:
    return [result_json(i, task_id=task_id) for i in range(n)]


@pytest.mark.parametrize(
    ("total", "size", "reads"), [(0, 5, 1), (7, 5, 2), (10, 5, 3), (250, 50, 6)]
)
def test_sweep_reads_until_a_short_page(total: int, size: int, reads: int) -> None:
    driver = Driver([pages("t1", "done", rows_of(total))])
    task = driver.run(_flows.iter_results("t1", size, POLICY, SECRET))
    assert task.status == "done"
    assert len(driver.emitted) == total and len(driver.sent) == reads


def ignores_offset(status: str, n: int = 5) -> Callable[[RequestSpec], Outcome]:
    """A proxy that drops the query string: the same full first page forever."""
    return lambda request: ok(page_json(task_json("t1", status), rows_of(n)))


def test_sweep_refuses_a_repeated_page_of_a_finished_task() -> None:
    driver = Driver([ignores_offset("done")])
    with pytest.raises(UnexpectedResponseError, match="repeats"):
        driver.run(_flows.iter_results("t1", 5, POLICY, SECRET))
    assert len(driver.sent) == 2
    assert len(driver.emitted) == 5  # the first page was fine and was passed on


def test_sweep_stops_at_the_cap_on_a_running_task() -> None:
    """While a task runs, pages may repeat rows (they shift); the cap still ends the read."""
    driver = Driver([ignores_offset("in_progress")])
    with pytest.raises(UnexpectedResponseError, match="at most 250"):
        driver.run(_flows.iter_results("t1", 5, POLICY, SECRET))
    assert len(driver.sent) == 100  # 500 rows read, 5 at a time


def test_sweep_reads_on_after_a_page_longer_than_asked() -> None:
    """A server that ignores limit but honours offset still gives each row once."""

    def answer(request: RequestSpec) -> Outcome:
        offset = request.params["offset"]
        return ok(page_json(task_json("t1", "done"), rows_of(12)[offset : offset + 8]))

    driver = Driver([answer])
    driver.run(_flows.iter_results("t1", 5, POLICY, SECRET))
    assert [r.id for r in driver.emitted] == [f"r{i}" for i in range(12)]


def test_sweep_refuses_pages_that_never_shrink() -> None:
    """Every page full and every row new: the cap (twice the 250 documented) ends it."""

    def answer(request: RequestSpec) -> Outcome:
        offset = request.params["offset"]
        return ok(page_json(task_json("t1", "done"), rows_of(offset + 50)[offset:]))

    driver = Driver([answer])
    with pytest.raises(UnexpectedResponseError, match="at most 250"):
        driver.run(_flows.iter_results("t1", 50, POLICY, SECRET))
    assert len(driver.sent) == 10


@pytest.mark.parametrize(
    ("page_task", "row_task"), [("other", "t1"), ("t1", "other")], ids=["page", "row"]
)
def test_results_of_another_task_are_refused(page_task: str, row_task: str) -> None:
    answer = ok(page_json(task_json(page_task, "done"), rows_of(2, task_id=row_task)))
    driver = Driver([answer])
    with pytest.raises(UnexpectedResponseError, match="other"):
        driver.run(_flows.iter_results("t1", 5, POLICY, SECRET))
    assert driver.emitted == []


@pytest.mark.parametrize("op", ["get", "resume"])
def test_a_task_with_another_id_is_refused(op: str) -> None:
    driver = Driver([ok(task_json("someone-else", "done"))])
    flow = (
        _flows.get("t1", POLICY, SECRET) if op == "get" else _flows.resume("t1", 5, POLICY, SECRET)
    )
    with pytest.raises(UnexpectedResponseError, match="someone-else"):
        driver.run(flow)
    assert len(driver.sent) == (3 if op == "get" else 1)  # a GET may be re-sent, resume never


def test_stream_refuses_a_repeated_page_after_riding_it_out() -> None:
    driver = Driver([ignores_offset("done")])
    plan = PollPlan(interval=1.0, timeout=100.0, max_failures=2)
    with pytest.raises(UnexpectedResponseError):
        driver.run(_flows.stream("t1", 5, plan, POLICY, SECRET))
    assert len(driver.emitted) == 5  # each result once across the sweeps


def test_stream_ends_after_a_sweep_that_began_on_a_finished_task() -> None:
    state = {"reads": 0}
    rows = rows_of(3)

    def answer(request: RequestSpec) -> Outcome:
        state["reads"] += 1
        status = "done" if state["reads"] > 2 else "in_progress"
        if state["reads"] == 2:
            rows.insert(0, result_json("new", relevance=99))
        offset, limit = request.params["offset"], request.params["limit"]
        return ok(page_json(task_json("t1", status), rows[offset : offset + limit]))

    driver = Driver([answer])
    driver.run(_flows.stream("t1", 5, PollPlan(interval=1.0, timeout=60.0), POLICY, SECRET))
    assert sorted(r.id for r in driver.emitted) == sorted(r["id"] for r in rows)
    assert state["reads"] == 3


# run(): errors after the task exists name it.


NEW = "t-created"


@pytest.mark.parametrize(
    ("after_create", "error"),
    [
        ([ok({"detail": "x"}, 404)], NotFoundError),
        ([ok(task_json(NEW, "failed"))], TaskFailedError),
        ([ok(task_json(NEW, "in_progress"))], WaitTimeoutError),
        ([ok(task_json(NEW, "done")), ok({"detail": "bad"}, 401)], ExtructError),
        ([ok(task_json(NEW, "done")), fail(Failure.LOCAL)], ExtructError),
        ([ok(task_json(NEW, "done")), ok(task_json("t1", "done"))], UnexpectedResponseError),
    ],
    ids=["404", "failed", "timeout", "401-on-results", "local-on-results", "wrong-task"],
)
def test_run_names_the_task_in_every_error_after_create(
    after_create: list[Outcome], error: type
) -> None:
    driver = Driver([ok(task_json(NEW, "in_progress")), *after_create])
    created = _flows.create(CreateParams(query="q"), POLICY, SECRET)
    flow = _flows.run(created, PollPlan(interval=1.0, timeout=3.0), 50, POLICY, SECRET)
    with pytest.raises(error) as info:
        driver.run(flow)
    assert info.value.task_id == NEW
    assert NEW in str(info.value)


def test_run_error_before_the_task_exists_names_none() -> None:
    driver = Driver([ok({"detail": "x"}, 503)])
    created = _flows.create(CreateParams(query="q"), POLICY, SECRET)
    flow = _flows.run(created, PollPlan(), 50, POLICY, SECRET)
    with pytest.raises(ServerError) as info:
        driver.run(flow)
    assert info.value.task_id is None


# add_table_rows: consumed once, partial failure names what was created.


_ROW_IDS = iter(range(10**6))


def rows_created(request: RequestSpec) -> Outcome:
    """The tables endpoint: one created row per input, each with a new id."""
    return ok(
        [
            {
                "id": f"row-{next(_ROW_IDS)}",
                "created_at": "2026-01-01T00:00:00+00:00",
                "data": r["data"],
            }
            for r in request.json["rows"]
        ]
    )


def test_add_table_rows_reads_a_generator_once() -> None:
    driver = Driver([rows_created])
    created = driver.run(
        _flows.add_table_rows("tb1", (f"site{i}.com" for i in range(5)), False, 2, POLICY, SECRET)
    )
    assert len(created) == 5 and len(driver.sent) == 3


def test_add_table_rows_failure_names_the_rows_earlier_batches_created() -> None:
    driver = Driver([rows_created, rows_created, ok({"detail": "x"}, 500)])
    with pytest.raises(ServerError) as info:
        driver.run(
            _flows.add_table_rows("tb1", [f"s{i}.com" for i in range(5)], False, 2, POLICY, SECRET)
        )
    err = info.value
    assert err.created_rows is not None and len(err.created_rows) == 4
    assert [r["data"]["input"] for r in err.created_rows] == [
        "s0.com",
        "s1.com",
        "s2.com",
        "s3.com",
    ]
    for row in err.created_rows:
        assert row["id"] in str(err)
    assert "inputs[4:]" in str(err)


def test_add_table_rows_first_batch_failure_has_no_created_rows() -> None:
    driver = Driver([ok({"detail": "x"}, 500)])
    with pytest.raises(ServerError) as info:
        driver.run(_flows.add_table_rows("tb1", ["a.com"], False, 2, POLICY, SECRET))
    assert info.value.created_rows is None
