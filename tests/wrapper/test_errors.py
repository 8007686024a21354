"""Every error status and unreadable body maps to the right exception (sync client)."""

from __future__ import annotations

import json

import httpx
import pytest
from extruct_deep_search import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ExtructError,
    NotFoundError,
    PaymentRequiredError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    TaskExhaustedError,
    UnexpectedResponseError,
    UnprocessableEntityError,
)

from .fakes import Recorder, client, respond, result_json, task_json

VALIDATION_DETAIL = [
    {"loc": ["body", "desired_num_results"], "msg": "too big", "type": "less_than_equal"},
    {"loc": ["query", "limit"], "msg": "bad", "type": "int_parsing"},
]


@pytest.mark.parametrize(
    ("status", "body", "cls"),
    [
        (400, {"detail": "exclude task not done"}, BadRequestError),
        (401, {"detail": "Invalid token"}, AuthenticationError),
        (402, {"detail": {"error": "insufficient_credits"}}, PaymentRequiredError),
        (403, {"detail": "not yours"}, PermissionDeniedError),
        (404, {"detail": "Task not found"}, NotFoundError),
        (422, {"detail": VALIDATION_DETAIL}, UnprocessableEntityError),
        (429, {"detail": "quota"}, RateLimitError),
        (500, {"detail": "boom"}, ServerError),
        (502, {"detail": "bad gateway"}, ServerError),
        (503, {"detail": "unavailable"}, ServerError),
        (504, {"detail": "gateway timeout"}, ServerError),
        (301, {"detail": "moved"}, UnexpectedResponseError),
        (302, {"detail": "found"}, UnexpectedResponseError),
        (304, {"detail": "not modified"}, UnexpectedResponseError),
        (418, {"detail": "teapot"}, UnexpectedResponseError),
    ],
)
def test_error_status_maps_to_class(status: int, body: dict, cls: type[APIError]) -> None:
    headers = {"x-request-id": "req-123"}
    if status in (301, 302):
        headers["location"] = "https://elsewhere.example/"
    rec = Recorder(respond(status, body, headers))
    with client(rec, max_retries=0) as ds, pytest.raises(APIError) as info:
        ds.get("t1")
    exc = info.value
    assert type(exc) is cls
    assert isinstance(exc, ExtructError)
    assert exc.status_code == status
    assert exc.request_id == "req-123"
    assert "req-123" in str(exc)
    assert exc.body == body
    assert exc.detail == body["detail"]
    assert rec.calls == 1  # redirects are not followed; max_retries=0 sends once


def test_get_400_is_not_task_exhausted() -> None:
    rec = Recorder(respond(400, {"detail": "nope"}))
    with client(rec) as ds, pytest.raises(BadRequestError) as info:
        ds.get("t1")
    assert not isinstance(info.value, TaskExhaustedError)


def test_create_400_is_bad_request_not_exhausted() -> None:
    rec = Recorder(respond(400, {"detail": "exclude_task_ids: task x is in_progress, not done"}))
    with client(rec) as ds, pytest.raises(BadRequestError) as info:
        ds.create("dental SaaS")
    assert type(info.value) is BadRequestError
    assert "not done" in str(info.value)


def test_resume_400_is_task_exhausted() -> None:
    rec = Recorder(respond(400, {"detail": "Task is exhausted"}, {"x-request-id": "r9"}))
    with client(rec) as ds, pytest.raises(TaskExhaustedError) as info:
        ds.resume("t1", 10)
    exc = info.value
    assert isinstance(exc, BadRequestError)
    assert exc.status_code == 400
    assert exc.request_id == "r9"
    assert rec.calls == 1
    assert rec.requests[0].url.path == "/v1/discovery_tasks/t1/resume"
    assert json.loads(rec.requests[0].content) == {"desired_new_results": 10}


def test_resume_other_statuses_are_not_exhausted() -> None:
    rec = Recorder(respond(404, {"detail": "Task not found"}))
    with client(rec) as ds, pytest.raises(NotFoundError):
        ds.resume("t1")


def test_402_detail_error() -> None:
    rec = Recorder(respond(402, {"detail": {"error": "plan_required"}}))
    with client(rec) as ds, pytest.raises(PaymentRequiredError) as info:
        ds.create("dental SaaS")
    assert info.value.detail["error"] == "plan_required"
    assert "plan_required" in str(info.value)


def test_422_errors_list() -> None:
    rec = Recorder(respond(422, {"detail": VALIDATION_DETAIL}))
    with client(rec) as ds, pytest.raises(UnprocessableEntityError) as info:
        ds.create("dental SaaS")
    assert info.value.errors == VALIDATION_DETAIL
    assert "desired_num_results" in str(info.value)


def test_422_without_list_has_empty_errors() -> None:
    rec = Recorder(respond(422, {"detail": "weird"}))
    with client(rec) as ds, pytest.raises(UnprocessableEntityError) as info:
        ds.create("dental SaaS")
    assert info.value.errors == []


@pytest.mark.parametrize(("header", "expected"), [("7", 7.0), (None, None)])
def test_429_retry_after_attribute(header: str | None, expected: float | None) -> None:
    headers = {"retry-after": header} if header else {}
    rec = Recorder(respond(429, {"detail": "slow down"}, headers))
    with client(rec, max_retries=0) as ds, pytest.raises(RateLimitError) as info:
        ds.get("t1")
    assert info.value.retry_after == expected


def test_no_request_id_header() -> None:
    rec = Recorder(respond(404, {"detail": "x"}))
    with client(rec) as ds, pytest.raises(NotFoundError) as info:
        ds.get("t1")
    assert info.value.request_id is None


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (404, NotFoundError),
        (500, ServerError),
        (401, AuthenticationError),
        (418, UnexpectedResponseError),
    ],
)
@pytest.mark.parametrize(
    "content", [b"<html><body>Bad</body></html>", b"", b"\xff\xfe not utf8", b'{"detail": ']
)
def test_non_json_error_body(status: int, cls: type[APIError], content: bytes) -> None:
    rec = Recorder(httpx.Response(status, content=content, headers={"content-type": "text/html"}))
    with client(rec, max_retries=0) as ds, pytest.raises(APIError) as info:
        ds.get("t1")
    assert type(info.value) is cls
    assert isinstance(info.value.body, str)
    assert info.value.detail is None


BAD_200_BODIES = [
    pytest.param(b"<html>maintenance</html>", id="html"),
    pytest.param(json.dumps(task_json())[:40].encode(), id="truncated"),
    pytest.param(b"", id="empty"),
    pytest.param(b"[]", id="array"),
    pytest.param(b"null", id="null"),
    pytest.param(b'"a string"', id="string"),
    pytest.param(json.dumps({"id": "t1"}).encode(), id="missing-fields"),
    pytest.param(json.dumps(task_json(created_at="not a date")).encode(), id="bad-date"),
]


def _assert_unexpected(exc: BaseException) -> None:
    assert type(exc) is UnexpectedResponseError
    assert not isinstance(exc, ValueError | KeyError | TypeError)
    assert exc.status_code == 200


@pytest.mark.parametrize("content", BAD_200_BODIES)
def test_unreadable_200_on_get_is_retried_then_unexpected(content: bytes) -> None:
    rec = Recorder(httpx.Response(200, content=content))
    with client(rec, max_retries=2) as ds, pytest.raises(ExtructError) as info:
        ds.get("t1")
    _assert_unexpected(info.value)
    assert rec.calls == 3


@pytest.mark.parametrize("content", BAD_200_BODIES)
def test_unreadable_200_on_get_recovers_when_retry_succeeds(content: bytes) -> None:
    rec = Recorder(httpx.Response(200, content=content), respond(200, task_json(status="done")))
    with client(rec) as ds:
        assert ds.get("t1").status == "done"
    assert rec.calls == 2


@pytest.mark.parametrize("content", BAD_200_BODIES)
def test_unreadable_200_on_create_is_not_resent(content: bytes) -> None:
    rec = Recorder(httpx.Response(200, content=content), lists=[])
    with client(rec, max_retries=2) as ds, pytest.raises(ExtructError) as info:
        ds.create("dental SaaS")
    _assert_unexpected(info.value)
    assert rec.calls == 1  # the one POST; recovery then read the task list
    assert len(rec.list_requests) == 1
    assert "no matching task was found" in str(info.value)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(task_json(), id="no-results-key"),
        pytest.param({**task_json(), "results": "nope"}, id="results-string"),
        pytest.param({**task_json(), "results": [{"id": "r1"}]}, id="row-missing-fields"),
        pytest.param([result_json(1)], id="bare-array"),
    ],
)
def test_wrong_shape_results_page(body: object) -> None:
    rec = Recorder(respond(200, body))
    with client(rec, max_retries=1) as ds, pytest.raises(ExtructError) as info:
        ds.results("t1")
    _assert_unexpected(info.value)
    assert rec.calls == 2


def test_wrong_shape_task_list() -> None:
    rec = Recorder(respond(200, {"tasks": []}))
    with client(rec, max_retries=0) as ds, pytest.raises(ExtructError) as info:
        ds.list_tasks()
    _assert_unexpected(info.value)


@pytest.mark.parametrize(
    ("exc", "cls"),
    [
        (httpx.ConnectError("refused"), APIConnectionError),
        (httpx.RemoteProtocolError("peer closed"), APIConnectionError),
        (httpx.ReadError("reset"), APIConnectionError),
        (httpx.ReadTimeout("read timed out"), APITimeoutError),
        (httpx.WriteTimeout("write timed out"), APITimeoutError),
    ],
)
def test_transport_errors(exc: Exception, cls: type[APIConnectionError]) -> None:
    rec = Recorder(exc)
    with client(rec, max_retries=0) as ds, pytest.raises(APIConnectionError) as info:
        ds.get("t1")
    assert type(info.value) is cls
    assert "GET /v1/discovery_tasks/t1" in str(info.value)
    assert rec.calls == 1


@pytest.mark.parametrize(
    "exc", [httpx.ConnectTimeout("connect timed out"), httpx.PoolTimeout("pool")]
)
def test_connect_timeout_is_api_timeout_error(exc: Exception) -> None:
    rec = Recorder(exc)
    with client(rec, max_retries=0) as ds, pytest.raises(APIConnectionError) as info:
        ds.get("t1")
    assert isinstance(info.value, APITimeoutError)
