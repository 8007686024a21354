"""Token redaction, forward compatibility of the models, and the public API surface."""

from __future__ import annotations

import datetime
import inspect
import json
import logging

import attrs
import extruct_deep_search
import httpx
import pytest
from extruct_deep_search import (
    APIConnectionError,
    CompanySize,
    CriterionScore,
    DataSource,
    DeepSearch,
    ExtructError,
    InvalidArgumentError,
    TaskStatus,
)

from .fakes import TOKEN, Recorder, ScriptedTask, client, page_json, respond, result_json, task_json

# Redaction.


def test_repr_of_client_hides_token() -> None:
    with client(Recorder(respond(200, task_json()))) as ds:
        assert TOKEN not in repr(ds)
        assert TOKEN not in str(ds)
        assert TOKEN not in repr(vars(ds).get("retry_policy"))


ECHOES = [
    pytest.param(respond(401, {"detail": f"Invalid token {TOKEN}"}), id="401-json"),
    pytest.param(
        respond(422, {"detail": [{"loc": ["header", TOKEN], "msg": TOKEN, "type": "x"}]}), id="422"
    ),
    pytest.param(respond(500, f"<html>Authorization: Bearer {TOKEN}</html>"), id="500-html"),
    pytest.param(respond(418, {"detail": {"token": TOKEN}}), id="418-map"),
    pytest.param(respond(429, {"detail": TOKEN}), id="429"),
    pytest.param(httpx.Response(200, content=f"<html>{TOKEN}</html>".encode()), id="200-html"),
    pytest.param(
        respond(200, task_json(created_at=TOKEN)),
        id="200-bad-field",
    ),
    pytest.param(httpx.ConnectError(f"could not connect with {TOKEN}"), id="connect-error"),
    pytest.param(httpx.ReadTimeout(f"timeout {TOKEN}"), id="read-timeout"),
]


@pytest.mark.parametrize("answer", ECHOES)
@pytest.mark.parametrize("operation", ["get", "create", "resume"])
def test_errors_never_show_token(answer: object, operation: str) -> None:
    rec = Recorder(answer)  # type: ignore[arg-type]
    with client(rec, max_retries=0) as ds, pytest.raises(ExtructError) as info:
        if operation == "get":
            ds.get("t1")
        elif operation == "create":
            ds.create("dental SaaS")
        else:
            ds.resume("t1")
    exc = info.value
    assert TOKEN not in str(exc)
    assert TOKEN not in repr(exc)
    assert all(TOKEN not in repr(a) for a in exc.args)


@pytest.mark.parametrize("answer", ECHOES[:5])
def test_error_body_attribute_scrubbed(answer: httpx.Response) -> None:
    with client(Recorder(answer), max_retries=0) as ds, pytest.raises(ExtructError) as info:
        ds.get("t1")
    assert TOKEN not in json.dumps(getattr(info.value, "body", None), default=str)


def test_unreadable_2xx_body_attribute_scrubbed() -> None:
    rec = Recorder(httpx.Response(200, content=f"<html>{TOKEN}</html>".encode()))
    with client(rec, max_retries=0) as ds, pytest.raises(ExtructError) as info:
        ds.get("t1")
    assert TOKEN not in str(getattr(info.value, "body", ""))


def test_logs_never_show_token(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    server = ScriptedTask()
    server.add(relevance=70, count=3)
    flaky: list[object] = [
        httpx.ConnectError(f"refused {TOKEN}"),
        respond(503, {"detail": TOKEN}),
        respond(429, {"detail": TOKEN}, {"retry-after": "1"}),
    ]

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path == "/v1/discovery_tasks":
            return respond(200, {**server.task(), "status": "created"})
        if request.method == "GET" and flaky:
            item = flaky.pop(0)
            if isinstance(item, Exception):
                raise item
            assert isinstance(item, httpx.Response)
            return item
        if server.task_reads >= 2:
            server.status = "done"
        return server(request)

    with client(handler) as ds:
        run = ds.run("dental SaaS", desired_num_results=3)
        list(ds.stream_results(run.task.id))
        with pytest.raises(ExtructError):
            ds.resume("t1")  # the scripted server answers 404
    assert len(run.results) == 3
    assert caplog.records, "expected DEBUG request/response log lines"
    assert any(
        r.name == "extruct_deep_search" and r.levelno == logging.DEBUG for r in caplog.records
    )
    assert any("retrying" in r.getMessage() for r in caplog.records)
    for record in caplog.records:
        assert TOKEN not in record.getMessage()
        assert TOKEN not in repr(record.args)
    assert TOKEN not in caplog.text


def test_authorization_header_sent() -> None:
    rec = Recorder(respond(200, task_json()))
    with client(rec) as ds:
        ds.get("t1")
    headers = rec.requests[0].headers
    assert headers["authorization"] == f"Bearer {TOKEN}"
    assert headers["user-agent"].startswith("extruct-deep-search-python/")


# Forward compatibility.


def test_unknown_enum_values_kept_as_strings() -> None:
    task_body = task_json(
        status="paused_v2", data_sources=["web_search", "carrier_pigeon"], auto_data_sources=False
    )
    row = result_json(1, source="crunchbase", employee_count="10001-50000")
    rec = Recorder(
        respond(200, task_body), respond(200, page_json(task_json(status="done"), [row]))
    )
    with client(rec) as ds:
        task = ds.get("t1")
        (result,) = ds.results("t1")
    assert task.status == "paused_v2"
    # An unknown status survives as a TaskStatus pseudo-member (issue 14: Task.status
    # is typed TaskStatus), not one of the documented four.
    assert isinstance(task.status, TaskStatus)
    assert task.status not in list(TaskStatus)
    assert str(task.status) == "paused_v2" and task.status.value == "paused_v2"
    assert not task.is_terminal
    assert task.data_sources == (DataSource.WEB_SEARCH, "carrier_pigeon")
    assert isinstance(task.data_sources[0], DataSource)
    assert task.auto_data_sources is False
    assert result.source == "crunchbase" and not isinstance(result.source, DataSource)
    assert result.employee_count == "10001-50000"
    assert not isinstance(result.employee_count, CompanySize)


def test_known_enum_values_are_members() -> None:
    row = result_json(1, source="linkedin", employee_count="10001+")
    rec = Recorder(respond(200, page_json(task_json(status="done"), [row])))
    with client(rec) as ds:
        (result,) = ds.results("t1")
    assert result.source is DataSource.LINKEDIN
    assert result.employee_count is CompanySize.SIZE_10001_PLUS


def test_unknown_fields_in_extra() -> None:
    body = task_json(new_counter=7, nested={"a": [1]})
    row = result_json(1, linkedin_url="https://linkedin.example/x")
    rec = Recorder(
        respond(200, body), respond(200, page_json(task_json(status="done", page_hint="x"), [row]))
    )
    with client(rec) as ds:
        task = ds.get("t1")
        (result,) = ds.results("t1")
    assert task.extra == {"new_counter": 7, "nested": {"a": [1]}}
    assert result.extra == {"linkedin_url": "https://linkedin.example/x"}


def test_missing_optional_fields_default() -> None:
    minimal_task = {
        "id": "t1",
        "created_at": "2026-01-02T03:04:05Z",
        "status": "created",
        "query": "q",
        "desired_num_results": 10,
    }
    minimal_row = {
        "id": "r1",
        "task_id": "t1",
        "company_name": "Acme",
        "company_description": "d",
        "company_website": "https://acme.com",
        "relevance": 42,
    }
    rec = Recorder(
        respond(200, minimal_task),
        respond(200, {**minimal_task, "status": "done", "results": [minimal_row]}),
    )
    with client(rec) as ds:
        task = ds.get("t1")
        (row,) = ds.results("t1")
    assert task.status is TaskStatus.CREATED
    assert task.created_at == datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
    assert (task.num_results_discovered, task.num_results_enriched) == (0, 0)
    assert (task.num_results_evaluated, task.num_results) == (0, 0)
    assert task.is_exhausted is False
    assert task.auto_data_sources is True
    assert task.data_sources is None
    assert task.criteria == ()
    assert task.exclude_domains == ()
    assert task.table_id is None
    assert task.extra == {}
    assert row.source is DataSource.WEB_SEARCH
    assert row.scores == {}
    assert row.employee_count is None
    assert row.created_at is None
    assert row.founding_year is None
    assert row.hq_country is None


def test_no_unset_leaks() -> None:
    minimal_task = {
        "id": "t1",
        "created_at": "2026-01-02T03:04:05Z",
        "status": "x",
        "query": "q",
        "desired_num_results": 1,
    }
    rec = Recorder(respond(200, minimal_task))
    with client(rec) as ds:
        task = ds.get("t1")
    for name, value in attrs.asdict(task, recurse=False).items():
        assert "Unset" not in type(value).__name__, name


def test_null_grades_and_relevance() -> None:
    row = result_json(
        1,
        relevance=None,
        scores={
            "b2b": {"grade": None, "explanation": None, "sources": None},
            "dental": {"grade": 5, "explanation": "yes", "sources": ["https://x.example"]},
            "minimal": {},
        },
    )
    rec = Recorder(respond(200, page_json(task_json(status="done"), [row])))
    with client(rec) as ds:
        (result,) = ds.results("t1")
    assert result.relevance is None
    assert result.scores["b2b"] == CriterionScore(grade=None, explanation=None, sources=())
    assert result.grade("b2b") is None
    assert result.grade("dental") == 5
    assert result.scores["dental"].sources == ("https://x.example",)
    assert result.grade("minimal") is None
    # A key that is none of the task's criteria is a typo, not "not graded" (issue 14).
    with pytest.raises(InvalidArgumentError, match="no_such_key") as info:
        result.grade("no_such_key")
    assert info.value.argument == "key"
    assert "b2b" in str(info.value) and "dental" in str(info.value)


# The public API surface.


def test_all_names_importable_and_complete() -> None:
    names = extruct_deep_search.__all__
    assert len(names) == len(set(names))
    namespace: dict[str, object] = {}
    exec("from extruct_deep_search import *", namespace)
    for name in names:
        assert name in namespace, name
    public = {
        n
        for n, v in vars(extruct_deep_search).items()
        if not n.startswith("_") and not inspect.ismodule(v)
    }
    assert public <= set(names)


def test_all_sorted_casefold() -> None:
    names = extruct_deep_search.__all__
    assert names == sorted(names, key=str.casefold)


def test_module_rewritten() -> None:
    for name in extruct_deep_search.__all__:
        obj = getattr(extruct_deep_search, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            assert obj.__module__ == "extruct_deep_search", name
    assert repr(DeepSearch).startswith("<class 'extruct_deep_search.DeepSearch'")


def test_contract_names_present() -> None:
    required = {
        "DeepSearch",
        "AsyncDeepSearch",
        "Criterion",
        "Task",
        "Result",
        "CriterionScore",
        "SearchRun",
        "ExtructError",
        "APIError",
        "BadRequestError",
        "TaskExhaustedError",
        "AuthenticationError",
        "PaymentRequiredError",
        "PermissionDeniedError",
        "NotFoundError",
        "UnprocessableEntityError",
        "RateLimitError",
        "ServerError",
        "APIConnectionError",
        "APITimeoutError",
        "TaskFailedError",
        "WaitTimeoutError",
    }
    assert required <= set(extruct_deep_search.__all__)
    assert isinstance(extruct_deep_search.__version__, str)


def test_error_hierarchy() -> None:
    e = extruct_deep_search
    assert issubclass(e.TaskExhaustedError, e.BadRequestError)
    for cls in (
        e.BadRequestError,
        e.AuthenticationError,
        e.NotFoundError,
        e.ServerError,
        e.RateLimitError,
    ):
        assert issubclass(cls, e.APIError)
    assert issubclass(e.APITimeoutError, APIConnectionError)
    assert issubclass(e.InvalidArgumentError, ValueError)
    for name in e.__all__:
        obj = getattr(e, name)
        if inspect.isclass(obj) and issubclass(obj, Exception):
            assert issubclass(obj, ExtructError), name
