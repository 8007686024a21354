"""The retry policy through the client (which requests are re-sent, how often,
how long it sleeps) and as tables over _core/retry.py."""

from __future__ import annotations

import calendar
import email.utils
import time

import httpx
import pytest
from extruct_deep_search import (
    APIConnectionError,
    APIError,
    ExtructError,
    InvalidArgumentError,
    RateLimitError,
    RetryPolicy,
    ServerError,
)
from extruct_deep_search._core.effects import Failure, Outcome
from extruct_deep_search._core.retry import Retry, may_have_acted, parse_retry_after, retryable

from .fakes import FakeTime, Recorder, client, respond, task_json

OK = respond(200, task_json(status="done"))

# Faults a GET rides out: (fault, expected sleeps with jitter 0 and default policy).
BACKOFF = [0.25, 0.5]  # base 0.5 * 2**attempt * (0.5 + 0/2)
GET_RETRIED = [
    pytest.param(httpx.ConnectError("refused"), BACKOFF, id="connect-error"),
    pytest.param(httpx.ConnectTimeout("connect"), BACKOFF, id="connect-timeout"),
    pytest.param(httpx.ReadTimeout("read"), BACKOFF, id="read-timeout"),
    pytest.param(httpx.RemoteProtocolError("dropped"), BACKOFF, id="remote-protocol"),
    pytest.param(httpx.ReadError("reset"), BACKOFF, id="read-error"),
    pytest.param(respond(408, {"detail": "timeout"}), BACKOFF, id="408"),
    pytest.param(
        respond(429, {"detail": "x"}, {"retry-after": "3"}), [3.0, 3.0], id="429-retry-after"
    ),
    pytest.param(
        respond(429, {"detail": "x"}, {"retry-after": "0"}), [0.0, 0.0], id="429-retry-after-0"
    ),
    pytest.param(respond(500, {"detail": "x"}), BACKOFF, id="500"),
    pytest.param(respond(502, b"<html>bad gateway</html>"), BACKOFF, id="502"),
    pytest.param(respond(503, {"detail": "x"}), BACKOFF, id="503"),
    pytest.param(respond(504, {"detail": "x"}), BACKOFF, id="504"),
    pytest.param(httpx.Response(200, content=b'{"id": "t1", "sta'), BACKOFF, id="truncated-200"),
]


@pytest.mark.parametrize(("fault", "sleeps"), GET_RETRIED)
def test_get_retried_then_succeeds(fault: object, sleeps: list[float]) -> None:
    rec = Recorder(fault, fault, OK)  # type: ignore[arg-type]
    t = FakeTime()
    with client(rec, t) as ds:
        assert ds.get("t1").status == "done"
    assert rec.calls == 3
    assert t.sleeps == sleeps


@pytest.mark.parametrize(("fault", "sleeps"), GET_RETRIED)
def test_get_gives_up_after_max_retries(fault: object, sleeps: list[float]) -> None:
    rec = Recorder(fault)  # type: ignore[arg-type]
    t = FakeTime()
    with client(rec, t, max_retries=2) as ds, pytest.raises(ExtructError) as info:
        ds.get("t1")
    assert isinstance(info.value, APIError | APIConnectionError)
    assert rec.calls == 3
    assert t.sleeps == sleeps


@pytest.mark.parametrize("max_retries", [0, 1, 4])
def test_max_retries_respected(max_retries: int) -> None:
    rec = Recorder(respond(503, {"detail": "x"}))
    t = FakeTime()
    with client(rec, t, max_retries=max_retries) as ds, pytest.raises(ServerError):
        ds.get("t1")
    assert rec.calls == max_retries + 1
    assert len(t.sleeps) == max_retries


def test_backoff_doubles_and_is_capped_with_jitter() -> None:
    rec = Recorder(respond(500, {"detail": "x"}))
    t = FakeTime()
    policy = RetryPolicy(max_retries=6, base_delay=1.0, max_delay=8.0)
    with client(rec, t, jitter=0.5, retry_policy=policy) as ds, pytest.raises(ServerError):
        ds.get("t1")
    factor = 0.5 + 0.5 / 2
    assert t.sleeps == [d * factor for d in (1.0, 2.0, 4.0, 8.0, 8.0, 8.0)]


def test_retry_after_http_date() -> None:
    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    rec = Recorder(respond(429, {"detail": "x"}, {"retry-after": when}), OK)
    t = FakeTime()
    with client(rec, t) as ds:
        ds.get("t1")
    assert rec.calls == 2
    assert len(t.sleeps) == 1
    assert 27.0 <= t.sleeps[0] <= 31.0


def test_429_without_retry_after_raised_at_once() -> None:
    rec = Recorder(respond(429, {"detail": "quota"}), OK)
    t = FakeTime()
    with client(rec, t, max_retries=5) as ds, pytest.raises(RateLimitError) as info:
        ds.get("t1")
    assert info.value.retry_after is None
    assert rec.calls == 1
    assert t.sleeps == []


def test_retry_after_above_cap_raised_at_once() -> None:
    rec = Recorder(respond(429, {"detail": "x"}, {"retry-after": "61"}), OK)
    t = FakeTime()
    with client(rec, t, max_retries=5) as ds, pytest.raises(RateLimitError) as info:
        ds.get("t1")
    assert info.value.retry_after == 61.0
    assert rec.calls == 1
    assert t.sleeps == []


def test_retry_after_cap_configurable() -> None:
    rec = Recorder(respond(429, {"detail": "x"}, {"retry-after": "100"}), OK)
    t = FakeTime()
    with client(rec, t, retry_policy=RetryPolicy(max_retry_after=120)) as ds:
        ds.get("t1")
    assert t.sleeps == [100.0]


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422, 418])
def test_client_errors_not_retried(status: int) -> None:
    rec = Recorder(respond(status, {"detail": "x"}), OK)
    with client(rec, max_retries=5) as ds, pytest.raises(APIError):
        ds.get("t1")
    assert rec.calls == 1


def test_list_and_results_are_retried() -> None:
    rec = Recorder(respond(503, {"detail": "x"}), respond(200, []))
    with client(rec) as ds:
        assert ds.list_tasks() == []
    assert rec.calls == 2
    rec = Recorder(respond(502, {"detail": "x"}), respond(200, {**task_json(), "results": []}))
    with client(rec) as ds:
        assert ds.results("t1") == []
    assert rec.calls == 2


NOT_RESENT = [
    pytest.param(httpx.ReadTimeout("read"), id="read-timeout"),
    pytest.param(httpx.WriteTimeout("write"), id="write-timeout"),
    pytest.param(httpx.RemoteProtocolError("dropped"), id="remote-protocol"),
    pytest.param(httpx.ReadError("reset"), id="read-error"),
    pytest.param(respond(500, {"detail": "x"}), id="500"),
    pytest.param(respond(502, {"detail": "x"}), id="502"),
    pytest.param(respond(503, {"detail": "x"}), id="503"),
    pytest.param(respond(504, {"detail": "x"}), id="504"),
    pytest.param(respond(408, {"detail": "x"}), id="408"),
    pytest.param(respond(429, {"detail": "quota"}), id="429-no-retry-after"),
    pytest.param(httpx.Response(200, content=b'{"id": "t1", "sta'), id="truncated-200"),
    pytest.param(httpx.Response(200, content=b"<html></html>"), id="html-200"),
]


# The faults after which the server may have created the task: create recovery
# then reads the task list (GETs), never POSTs again. 408 and 429 are refusals.
MAY_HAVE_ACTED = {
    "read-timeout",
    "write-timeout",
    "remote-protocol",
    "read-error",
    "500",
    "502",
    "503",
    "504",
    "truncated-200",
    "html-200",
}
UNSETTLED = {"read-timeout", "write-timeout", "remote-protocol", "read-error"}


@pytest.mark.parametrize("fault", NOT_RESENT)
def test_create_not_resent_when_server_may_have_acted(
    fault: object, request: pytest.FixtureRequest
) -> None:
    rec = Recorder(fault, OK, lists=[])  # type: ignore[arg-type]
    t = FakeTime()
    with client(rec, t, max_retries=5) as ds, pytest.raises(ExtructError) as info:
        ds.create("dental SaaS")
    assert rec.calls == 1  # one POST, whatever happened
    fault_id = request.node.callspec.id
    if fault_id in MAY_HAVE_ACTED:
        assert rec.list_requests, "an ambiguous create is looked for in the task list"
        assert "no matching task was found" in str(info.value)
    else:
        assert rec.list_requests == []
    if fault_id not in UNSETTLED:
        # The server answered: one read of the list decides, with no waiting.
        assert t.sleeps == []
        assert len(rec.list_requests) <= 1
    else:
        # It may still be creating the task: the list is read again, within the window.
        assert sum(t.sleeps) <= ds.retry_policy.recovery_window


@pytest.mark.parametrize("fault", NOT_RESENT)
def test_resume_not_resent_when_server_may_have_acted(fault: object) -> None:
    rec = Recorder(fault, OK)  # type: ignore[arg-type]
    with client(rec, max_retries=5) as ds, pytest.raises(ExtructError):
        ds.resume("t1")
    assert rec.calls == 1


@pytest.mark.parametrize("fault", NOT_RESENT)
def test_run_never_creates_twice(fault: object) -> None:
    rec = Recorder(fault, OK, lists=[])  # type: ignore[arg-type]
    with client(rec, FakeTime(), max_retries=5) as ds, pytest.raises(ExtructError):
        ds.run("dental SaaS")
    assert [r.method for r in rec.requests] == ["POST"]


RESENT = [
    pytest.param(httpx.ConnectError("refused"), [0.25], id="connect-error"),
    pytest.param(respond(429, {"detail": "x"}, {"retry-after": "2"}), [2.0], id="429-retry-after"),
]


@pytest.mark.parametrize(("fault", "sleeps"), RESENT)
def test_create_resent_when_provably_not_acted(fault: object, sleeps: list[float]) -> None:
    rec = Recorder(fault, respond(200, task_json()))  # type: ignore[arg-type]
    t = FakeTime()
    with client(rec, t) as ds:
        assert ds.create("dental SaaS").id == "t1"
    assert rec.calls == 2
    assert rec.requests[0].content == rec.requests[1].content
    assert t.sleeps == sleeps


@pytest.mark.parametrize(("fault", "sleeps"), RESENT)
def test_resume_resent_when_provably_not_acted(fault: object, sleeps: list[float]) -> None:
    rec = Recorder(fault, respond(200, task_json()))  # type: ignore[arg-type]
    t = FakeTime()
    with client(rec, t) as ds:
        ds.resume("t1", 5)
    assert rec.calls == 2
    assert t.sleeps == sleeps


def test_create_connect_error_respects_max_retries() -> None:
    rec = Recorder(httpx.ConnectError("refused"))
    with client(rec, max_retries=3) as ds, pytest.raises(APIConnectionError):
        ds.create("dental SaaS")
    assert rec.calls == 4


# Tables over the pure rules.

POLICY = RetryPolicy(max_retries=3, base_delay=0.5, max_delay=8.0, max_retry_after=60.0)
CONNECT = Outcome(failure=Failure.CONNECT)
TIMEOUT = Outcome(failure=Failure.TIMEOUT)
NETWORK = Outcome(failure=Failure.NETWORK)


def status(code: int) -> Outcome:
    return Outcome(status=code)


@pytest.mark.parametrize(
    ("attempt", "outcome", "idempotent", "retry_after", "jitter", "expected"),
    [
        (0, CONNECT, True, None, 0.0, Retry(0.25)),
        (0, CONNECT, False, None, 0.0, Retry(0.25)),
        (0, TIMEOUT, True, None, 0.0, Retry(0.25)),
        (0, TIMEOUT, False, None, 0.0, None),
        (0, NETWORK, True, None, 0.0, Retry(0.25)),
        (0, NETWORK, False, None, 0.0, None),
        (1, CONNECT, True, None, 0.0, Retry(0.5)),
        (2, CONNECT, True, None, 0.0, Retry(1.0)),
        (3, CONNECT, True, None, 0.0, None),  # budget spent
        (0, CONNECT, True, None, 0.5, Retry(0.375)),
        (0, CONNECT, True, None, 0.999, Retry(0.5 * (0.5 + 0.999 / 2))),
        (0, status(408), True, None, 0.0, Retry(0.25)),
        (0, status(408), False, None, 0.0, None),
        (0, status(500), True, None, 0.0, Retry(0.25)),
        (0, status(503), True, None, 0.0, Retry(0.25)),
        (0, status(599), True, None, 0.0, Retry(0.25)),
        (0, status(500), False, None, 0.0, None),
        (0, status(503), False, None, 0.0, None),
        (0, status(503), True, 4.0, 0.0, Retry(4.0)),
        (0, status(429), True, None, 0.0, None),
        (0, status(429), False, None, 0.0, None),
        (0, status(429), True, 5.0, 0.9, Retry(5.0)),
        (0, status(429), False, 5.0, 0.9, Retry(5.0)),
        (0, status(429), True, 60.0, 0.0, Retry(60.0)),
        (0, status(429), True, 60.5, 0.0, None),
        (3, status(429), True, 5.0, 0.0, None),
        (0, status(400), True, None, 0.0, None),
        (0, status(404), True, None, 0.0, None),
        (0, status(422), True, None, 0.0, None),
        (0, status(302), True, None, 0.0, None),
    ],
)
def test_decide_table(
    attempt: int,
    outcome: Outcome,
    idempotent: bool,
    retry_after: float | None,
    jitter: float,
    expected: Retry | None,
) -> None:
    got = POLICY.decide(
        attempt, outcome, idempotent=idempotent, retry_after=retry_after, jitter=jitter
    )
    if expected is None:
        assert got is None
    else:
        assert got is not None
        assert got.delay == pytest.approx(expected.delay)


def test_decide_backoff_cap() -> None:
    policy = RetryPolicy(max_retries=20, base_delay=0.5, max_delay=8.0)
    delays = [
        policy.decide(a, CONNECT, idempotent=True, retry_after=None, jitter=1.0 - 1e-12)
        for a in range(10)
    ]
    assert all(d is not None for d in delays)
    assert max(d.delay for d in delays if d) <= 8.0
    assert delays[-1] is not None and delays[-1].delay == pytest.approx(8.0)


def test_decide_max_retries_zero() -> None:
    policy = RetryPolicy(max_retries=0)
    assert policy.decide(0, CONNECT, idempotent=True, retry_after=None, jitter=0.0) is None


NOW = float(calendar.timegm((2026, 1, 1, 0, 0, 0)))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("5", 5.0),
        ("0", 0.0),
        ("1.5", 1.5),
        (" 7 ", 7.0),
        ("120", 120.0),
        ("Thu, 01 Jan 2026 00:00:30 GMT", 30.0),
        ("Thu, 01 Jan 2026 00:10:00 GMT", 600.0),
        ("Wed, 31 Dec 2025 23:59:00 GMT", 0.0),  # past
        ("Thu, 01 Jan 2026 00:00:00 GMT", 0.0),
        ("Thu, 01 Jan 2026 00:00:30", None),  # no zone: cannot place it in time
        ("garbage", None),
        ("soon", None),
        ("-1", None),
        ("-0.5", None),
        ("NaN", None),
        ("nan", None),
        ("inf", None),
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    got = parse_retry_after(value, NOW)
    if expected is None:
        assert got is None
    else:
        assert got == pytest.approx(expected)


# What a failed attempt proves about delivery (the create recovery's question).

UNREADABLE_200 = Outcome(status=200, failure=Failure.UNREADABLE)
LOCAL = Outcome(failure=Failure.LOCAL)
CONNECT_TIMEOUT = Outcome(failure=Failure.CONNECT_TIMEOUT)


@pytest.mark.parametrize(
    ("outcome", "acted"),
    [
        (CONNECT, False),
        (CONNECT_TIMEOUT, False),
        (LOCAL, False),
        (TIMEOUT, True),
        (NETWORK, True),
        (UNREADABLE_200, True),
        (Outcome(status=502, failure=Failure.UNREADABLE), True),
        (Outcome(status=400, failure=Failure.UNREADABLE), False),
        (status(500), True),
        (status(503), True),
        (status(599), True),
        (status(302), True),  # unknown: assume it may have
        (status(400), False),
        (status(404), False),
        (status(408), False),
        (status(422), False),
        (status(429), False),
    ],
)
def test_may_have_acted_table(outcome: Outcome, acted: bool) -> None:
    assert may_have_acted(outcome) is acted


ALL_OUTCOMES = [
    CONNECT,
    CONNECT_TIMEOUT,
    LOCAL,
    TIMEOUT,
    NETWORK,
    UNREADABLE_200,
    *(status(code) for code in (200, 302, 400, 401, 404, 408, 422, 429, 500, 502, 503, 599)),
]


@pytest.mark.parametrize("outcome", ALL_OUTCOMES, ids=repr)
@pytest.mark.parametrize("retry_after", [None, 2.0])
def test_a_non_idempotent_resend_never_follows_an_attempt_that_may_have_acted(
    outcome: Outcome, retry_after: float | None
) -> None:
    if retryable(outcome, idempotent=False, retry_after=retry_after):
        assert not may_have_acted(outcome)
        assert retryable(outcome, idempotent=True, retry_after=retry_after)


def test_unreadable_2xx_is_its_own_outcome_kind() -> None:
    assert retryable(UNREADABLE_200, idempotent=True, retry_after=None)
    assert not retryable(UNREADABLE_200, idempotent=False, retry_after=None)


def test_a_local_refusal_is_never_retried() -> None:
    assert not retryable(LOCAL, idempotent=True, retry_after=None)
    assert not retryable(LOCAL, idempotent=False, retry_after=1.0)


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"max_retries": -1}, "max_retries"),
        ({"max_retries": 2.5}, "max_retries"),
        ({"max_retries": True}, "max_retries"),
        ({"max_retries": 10**5000}, "max_retries"),
        ({"base_delay": -0.1}, "base_delay"),
        ({"base_delay": float("nan")}, "base_delay"),
        ({"base_delay": float("inf")}, "base_delay"),
        ({"max_delay": "1"}, "max_delay"),
        ({"max_delay": 10**400}, "max_delay"),
        ({"max_retry_after": -5}, "max_retry_after"),
        ({"max_retry_after": float("inf")}, "max_retry_after"),
    ],
)
def test_retry_policy_is_checked_at_construction(kwargs: dict[str, object], argument: str) -> None:
    with pytest.raises(InvalidArgumentError) as info:
        RetryPolicy(**kwargs)  # type: ignore[arg-type]
    assert info.value.argument == argument
    assert len(str(info.value)) < 200
