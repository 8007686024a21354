"""The generated low-level client sends the right requests and parses every documented
response shape. Runs against httpx.MockTransport; no network.

Generator behaviours pinned here that the wrapper must handle:
- optional response fields with a spec default (counters, is_exhausted,
  auto_data_sources, a result's source) parse as UNSET when absent, never as
  their default;
- request defaults are always sent (desired_num_results=100, desired_new_results=25,
  auto_data_sources=true, run=false);
- path parameters are quoted, but httpx still resolves "." and ".." segments;
- resume_task without a body sends Content-Type: application/json and no body;
- documented error statuses come back parsed, not raised; undocumented ones give
  parsed=None (or UnexpectedStatus, which drops headers); a non-JSON error body
  raises out of sync_detailed.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import httpx
import pytest
from extruct_deep_search_client import AuthenticatedClient, errors
from extruct_deep_search_client.api.company_discovery import (
    create_task,
    get_task,
    get_task_results,
    list_tasks,
    resume_task,
)
from extruct_deep_search_client.api.tables import add_table_rows
from extruct_deep_search_client.models import (
    CompanySize,
    CriterionDefinition,
    CriterionScore,
    CriterionScores,
    DiscoveryDataSource,
    DiscoveryTableLink,
    DiscoveryTaskInput,
    DiscoveryTaskOutput,
    DiscoveryTaskResultOutput,
    DiscoveryTaskResultsOutput,
    HTTPError,
    HTTPValidationError,
    ResumeDiscoveryTaskInput,
    Status,
    TableRowInput,
    TableRowInputData,
    TableRowOutput,
    TableRowOutputData,
    TableRowsInput,
    ValidationError,
)
from extruct_deep_search_client.types import UNSET, Unset

from .conftest import CLIENT_PATH, GENERATED_PKG, load_yaml

BASE = "https://api.test"
TOKEN = "t0k"
TASK_ID = "6f1c2d3e-0000-4000-8000-000000000001"

FULL_TASK: dict[str, Any] = {
    "id": TASK_ID,
    "created_at": "2026-01-02T03:04:05.123456Z",
    "status": "in_progress",
    "query": "B2B payroll software for EU SMEs",
    "is_exhausted": True,
    "desired_num_results": 100,
    "num_results_discovered": 140,
    "num_results_enriched": 90,
    "num_results_evaluated": 80,
    "num_results": 75,
    "table_id": "tbl_1",
    "auto_data_sources": False,
    "data_sources": ["web_search", "linkedin", "maps"],
    "criteria": [
        {"key": "is_saas", "name": "SaaS", "criterion": "The company sells SaaS software."}
    ],
    "exclude_domains": ["a.com", "b.co.uk"],
}

MINIMAL_TASK: dict[str, Any] = {
    "id": TASK_ID,
    "created_at": "2026-01-02T03:04:05+00:00",
    "status": "created",
    "query": "q",
    "desired_num_results": 10,
}

FULL_ROW: dict[str, Any] = {
    "id": "r1",
    "task_id": TASK_ID,
    "created_at": "2026-01-02T03:05:00Z",
    "company_name": "Acme",
    "company_description": "Payroll",
    "company_website": "https://acme.example",
    "company_profile_id": "7d0c0000-0000-4000-8000-000000000002",
    "source": "linkedin",
    "relevance": 87,
    "scores": {
        "is_saas": {"grade": 5, "explanation": "Sells SaaS", "sources": ["https://acme.example"]},
        "is_eu": {"grade": None, "explanation": None, "sources": None},
    },
    "founding_year": 2015,
    "employee_count": "51-200",
    "hq_country": "DE",
    "hq_state_province": "Berlin",
    "hq_city": "Berlin",
    "company_full_description": "Acme makes payroll software.",
}

MINIMAL_ROW: dict[str, Any] = {
    "id": "r2",
    "task_id": TASK_ID,
    "company_name": "Beta",
    "company_description": "HR",
    "company_website": "beta.example",
    "relevance": None,
}

RESULTS_PAGE: dict[str, Any] = {
    **{k: v for k, v in FULL_TASK.items()},
    "status": "done",
    "results": [FULL_ROW, MINIMAL_ROW],
}

TABLE_ROWS: list[dict[str, Any]] = [
    {
        "id": "row_1",
        "created_at": "2026-01-02T03:06:00Z",
        "data": {"input": "https://acme.example", "score": 3, "extra": None},
    }
]

VALIDATION_422: dict[str, Any] = {
    "detail": [
        {
            "loc": ["body", "desired_num_results"],
            "msg": "Input should be less than or equal to 250",
            "type": "less_than_equal",
        },
        {"loc": ["body", "criteria", 0, "key"], "msg": "bad key", "type": "string_pattern"},
    ]
}


@dataclass
class Recorder:
    """A MockTransport handler that records requests and returns one canned response."""

    status: int = 200
    body: Any = None
    content: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    requests: list[httpx.Request] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.content is not None:
            return httpx.Response(self.status, content=self.content, headers=self.headers)
        return httpx.Response(self.status, json=self.body, headers=self.headers)

    @property
    def only(self) -> httpx.Request:
        assert len(self.requests) == 1
        return self.requests[0]


def make_client(handler: Recorder, **kwargs: Any) -> AuthenticatedClient:
    return AuthenticatedClient(
        base_url=BASE,
        token=TOKEN,
        httpx_args={"transport": httpx.MockTransport(handler)},
        **kwargs,
    )


def body_of(request: httpx.Request) -> Any:
    return json.loads(request.content)


# --- which operations exist ----------------------------------------------------------

# name -> (module, kwargs for sync_detailed, method, raw path, raw query, JSON body or None)
Call = tuple[ModuleType, dict[str, Any], str, bytes, bytes, Any]
OPERATIONS: dict[str, Call] = {
    "create_task": (
        create_task,
        {"body": DiscoveryTaskInput(query="payroll")},
        "POST",
        b"/v1/discovery_tasks",
        b"",
        {"query": "payroll", "desired_num_results": 100, "auto_data_sources": True},
    ),
    "list_tasks": (list_tasks, {}, "GET", b"/v1/discovery_tasks", b"", None),
    "get_task": (
        get_task,
        {"task_id": TASK_ID},
        "GET",
        f"/v1/discovery_tasks/{TASK_ID}".encode(),
        b"",
        None,
    ),
    "get_task_results": (
        get_task_results,
        {"task_id": TASK_ID},
        "GET",
        f"/v1/discovery_tasks/{TASK_ID}/results".encode(),
        b"",
        None,
    ),
    "resume_task": (
        resume_task,
        {"task_id": TASK_ID, "body": ResumeDiscoveryTaskInput()},
        "POST",
        f"/v1/discovery_tasks/{TASK_ID}/resume".encode(),
        b"",
        {"desired_new_results": 25},
    ),
    "add_table_rows": (
        add_table_rows,
        {
            "table_id": "tbl_1",
            "body": TableRowsInput(
                rows=[TableRowInput(data=TableRowInputData.from_dict({"input": "acme.example"}))]
            ),
        },
        "POST",
        b"/v1/tables/tbl_1/rows",
        b"",
        {"rows": [{"data": {"input": "acme.example"}}], "run": False},
    ),
}

# Success body per operation, and what it parses into.
SUCCESS: dict[str, tuple[Any, type]] = {
    "create_task": (MINIMAL_TASK, DiscoveryTaskOutput),
    "list_tasks": ([FULL_TASK, MINIMAL_TASK], list),
    "get_task": (FULL_TASK, DiscoveryTaskOutput),
    "get_task_results": (RESULTS_PAGE, DiscoveryTaskResultsOutput),
    "resume_task": (FULL_TASK, DiscoveryTaskOutput),
    "add_table_rows": (TABLE_ROWS, list),
}


def test_every_generated_operation_is_covered() -> None:
    modules = {p.stem for p in (GENERATED_PKG / "api").rglob("*.py") if p.stem != "__init__"}
    assert modules == set(OPERATIONS)


def documented_statuses(client_spec: dict[str, Any]) -> list[tuple[str, int]]:
    by_id = {
        op["operationId"]: op
        for item in client_spec["paths"].values()
        for op in item.values()
        if isinstance(op, dict) and "operationId" in op
    }
    assert set(by_id) == set(OPERATIONS)
    return [(name, int(code)) for name, op in sorted(by_id.items()) for code in op["responses"]]


# --- requests ------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_request_shape(name: str) -> None:
    module, kwargs, method, raw_path, query, body = OPERATIONS[name]
    rec = Recorder(body=SUCCESS[name][0])
    response = module.sync_detailed(client=make_client(rec), **kwargs)
    assert response.status_code == 200
    req = rec.only
    assert req.method == method
    assert req.url.scheme == "https" and req.url.host == "api.test"
    assert req.url.raw_path == raw_path + (b"?" + query if query else b"")
    assert req.url.query == query
    assert req.headers["Authorization"] == f"Bearer {TOKEN}"
    if body is None:
        assert req.content == b""
        assert "content-type" not in req.headers
    else:
        assert req.headers["Content-Type"] == "application/json"
        assert body_of(req) == body


def test_set_httpx_client_needs_its_own_auth_header() -> None:
    """set_httpx_client ignores the token: the caller's httpx.Client must carry it."""
    rec = Recorder(body=FULL_TASK)
    client = AuthenticatedClient(base_url=BASE, token=TOKEN)
    client.set_httpx_client(httpx.Client(base_url=BASE, transport=httpx.MockTransport(rec)))
    get_task.sync_detailed(TASK_ID, client=client)
    assert "authorization" not in rec.requests[-1].headers

    client.set_httpx_client(
        httpx.Client(
            base_url=BASE,
            transport=httpx.MockTransport(rec),
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
    )
    get_task.sync_detailed(TASK_ID, client=client)
    assert rec.requests[-1].headers["Authorization"] == f"Bearer {TOKEN}"


def test_create_task_full_body() -> None:
    rec = Recorder(body=FULL_TASK)
    body = DiscoveryTaskInput(
        query="payroll",
        desired_num_results=250,
        auto_data_sources=False,
        data_sources=[DiscoveryDataSource.LINKEDIN, DiscoveryDataSource.MAPS],
        criteria=[CriterionDefinition(key="is_saas", name="SaaS", criterion="Sells SaaS.")],
        exclude_domains=["a.com", "https://www.b.co.uk/x"],
        exclude_task_ids=["t1", "t2"],
        table=DiscoveryTableLink(id="tbl_1", run=True, columns=["c1"], auto_import=False),
    )
    create_task.sync_detailed(client=make_client(rec), body=body)
    assert body_of(rec.only) == {
        "query": "payroll",
        "desired_num_results": 250,
        "auto_data_sources": False,
        "data_sources": ["linkedin", "maps"],
        "criteria": [{"key": "is_saas", "name": "SaaS", "criterion": "Sells SaaS."}],
        "exclude_domains": ["a.com", "https://www.b.co.uk/x"],
        "exclude_task_ids": ["t1", "t2"],
        "table": {"id": "tbl_1", "run": True, "columns": ["c1"], "auto_import": False},
    }


def test_create_task_explicit_nulls_and_unset_defaults() -> None:
    """None is sent as null; UNSET omits even a field that has a default."""
    rec = Recorder(body=FULL_TASK)
    body = DiscoveryTaskInput(
        query="q",
        desired_num_results=UNSET,
        auto_data_sources=UNSET,
        data_sources=None,
        criteria=None,
        exclude_domains=None,
        exclude_task_ids=None,
        table=None,
    )
    create_task.sync_detailed(client=make_client(rec), body=body)
    assert body_of(rec.only) == {
        "query": "q",
        "data_sources": None,
        "criteria": None,
        "exclude_domains": None,
        "exclude_task_ids": None,
        "table": None,
    }


def test_no_client_side_validation() -> None:
    """Limits from the spec are not enforced by the generated models: the wrapper must."""
    rec = Recorder(status=422, body=VALIDATION_422)
    body = DiscoveryTaskInput(query="", desired_num_results=10_000, exclude_task_ids=["x"] * 101)
    response = create_task.sync_detailed(client=make_client(rec), body=body)
    assert body_of(rec.only)["desired_num_results"] == 10_000
    assert isinstance(response.parsed, HTTPValidationError)


@pytest.mark.parametrize("desired", [0, 7, 250])
def test_resume_task_explicit_count(desired: int) -> None:
    rec = Recorder(body=FULL_TASK)
    resume_task.sync_detailed(
        TASK_ID, client=make_client(rec), body=ResumeDiscoveryTaskInput(desired_new_results=desired)
    )
    assert body_of(rec.only) == {"desired_new_results": desired}


def test_resume_task_without_body_sends_json_content_type_and_no_body() -> None:
    rec = Recorder(body=FULL_TASK)
    resume_task.sync_detailed(TASK_ID, client=make_client(rec))
    assert rec.only.content == b""
    assert rec.only.headers["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    ("kwargs", "query"),
    [
        ({}, b""),
        ({"offset": 0, "limit": 50}, b"offset=0&limit=50"),
        ({"offset": 250}, b"offset=250"),
        ({"limit": 1}, b"limit=1"),
        ({"offset": None, "limit": None}, b""),
    ],
)
@pytest.mark.parametrize("name", ["list_tasks", "get_task_results"])
def test_paging_query(name: str, kwargs: dict[str, Any], query: bytes) -> None:
    module, base_kwargs, _, raw_path, _, _ = OPERATIONS[name]
    rec = Recorder(body=SUCCESS[name][0])
    module.sync_detailed(client=make_client(rec), **base_kwargs, **kwargs)
    assert rec.only.url.query == query
    assert rec.only.url.raw_path == raw_path + (b"?" + query if query else b"")


@pytest.mark.parametrize(
    ("name", "template"),
    [
        ("get_task", "/v1/discovery_tasks/{}"),
        ("get_task_results", "/v1/discovery_tasks/{}/results"),
        ("resume_task", "/v1/discovery_tasks/{}/resume"),
        ("add_table_rows", "/v1/tables/{}/rows"),
    ],
)
@pytest.mark.parametrize(
    ("raw", "quoted"),
    [("a/b?c#d", "a%2Fb%3Fc%23d"), ("sp ace", "sp%20ace"), ("ü%", "%C3%BC%25")],
)
def test_path_params_are_quoted(name: str, template: str, raw: str, quoted: str) -> None:
    module, kwargs, *_ = OPERATIONS[name]
    param = "table_id" if name == "add_table_rows" else "task_id"
    rec = Recorder(body=SUCCESS[name][0])
    module.sync_detailed(client=make_client(rec), **{**kwargs, param: raw})
    assert rec.only.url.raw_path == template.format(quoted).encode()


@pytest.mark.parametrize(
    ("task_id", "path"),
    [("..", b"/v1"), (".", b"/v1/discovery_tasks"), ("", b"/v1/discovery_tasks/")],
)
def test_dot_segment_task_ids_hit_other_endpoints(task_id: str, path: bytes) -> None:
    """Quoting does not protect against "." / ".." / "": the wrapper must validate ids."""
    rec = Recorder(body=FULL_TASK)
    get_task.sync_detailed(task_id, client=make_client(rec))
    assert rec.only.url.raw_path == path


# --- responses -----------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_success_parses(name: str) -> None:
    module, kwargs, *_ = OPERATIONS[name]
    payload, kind = SUCCESS[name]
    response = module.sync_detailed(client=make_client(Recorder(body=payload)), **kwargs)
    assert isinstance(response.parsed, kind)
    assert json.loads(response.content) == payload


def test_full_task_parses_every_field() -> None:
    response = get_task.sync_detailed(TASK_ID, client=make_client(Recorder(body=FULL_TASK)))
    task = response.parsed
    assert isinstance(task, DiscoveryTaskOutput)
    assert task.id == TASK_ID
    assert task.created_at == datetime.datetime(2026, 1, 2, 3, 4, 5, 123456, tzinfo=datetime.UTC)
    assert task.status is Status.IN_PROGRESS
    assert task.query == FULL_TASK["query"]
    assert task.is_exhausted is True
    assert task.desired_num_results == 100
    assert (
        task.num_results_discovered,
        task.num_results_enriched,
        task.num_results_evaluated,
        task.num_results,
    ) == (140, 90, 80, 75)
    assert task.table_id == "tbl_1"
    assert task.auto_data_sources is False
    assert task.data_sources == [
        DiscoveryDataSource.WEB_SEARCH,
        DiscoveryDataSource.LINKEDIN,
        DiscoveryDataSource.MAPS,
    ]
    assert all(isinstance(s, DiscoveryDataSource) for s in task.data_sources)
    assert isinstance(task.criteria, list)
    assert task.criteria[0] == CriterionDefinition(
        key="is_saas", name="SaaS", criterion="The company sells SaaS software."
    )
    assert task.exclude_domains == ["a.com", "b.co.uk"]
    assert task.additional_properties == {}
    assert task.to_dict() == {**FULL_TASK, "created_at": "2026-01-02T03:04:05.123456+00:00"}


def test_minimal_task_leaves_defaulted_fields_unset() -> None:
    """Spec defaults are NOT applied when parsing: the wrapper must map UNSET to
    is_exhausted=False, counters=0, auto_data_sources=True itself."""
    response = get_task.sync_detailed(TASK_ID, client=make_client(Recorder(body=MINIMAL_TASK)))
    task = response.parsed
    assert isinstance(task, DiscoveryTaskOutput)
    assert task.status is Status.CREATED
    for name in (
        "is_exhausted",
        "num_results_discovered",
        "num_results_enriched",
        "num_results_evaluated",
        "num_results",
        "auto_data_sources",
        "table_id",
        "data_sources",
        "criteria",
        "exclude_domains",
    ):
        value = getattr(task, name)
        assert isinstance(value, Unset), name
        assert value is UNSET
    # UNSET is falsy but is not 0/False: `task.num_results == 0` is False.
    assert not task.num_results
    assert task.num_results != 0
    # Whereas a constructed model does get the spec defaults.
    built = DiscoveryTaskOutput(
        id="x",
        created_at=task.created_at,
        status=Status.CREATED,
        query="q",
        desired_num_results=1,
    )
    assert (built.is_exhausted, built.num_results, built.auto_data_sources) == (False, 0, True)


def test_null_table_id_and_lists_parse_as_none() -> None:
    payload = {**MINIMAL_TASK, "table_id": None, "data_sources": None, "criteria": None}
    payload["exclude_domains"] = None
    task = get_task.sync_detailed(TASK_ID, client=make_client(Recorder(body=payload))).parsed
    assert isinstance(task, DiscoveryTaskOutput)
    assert (task.table_id, task.data_sources, task.criteria, task.exclude_domains) == (
        None,
        None,
        None,
        None,
    )


def test_results_page_parses_every_row_shape() -> None:
    response = get_task_results.sync_detailed(
        TASK_ID, client=make_client(Recorder(body=RESULTS_PAGE)), offset=0, limit=2
    )
    page = response.parsed
    assert isinstance(page, DiscoveryTaskResultsOutput)
    assert page.status is Status.DONE
    assert page.num_results == 75
    assert len(page.results) == 2
    full, minimal = page.results
    assert isinstance(full, DiscoveryTaskResultOutput)

    assert full.created_at == datetime.datetime(2026, 1, 2, 3, 5, tzinfo=datetime.UTC)
    assert full.source is DiscoveryDataSource.LINKEDIN
    assert full.relevance == 87
    assert full.employee_count is CompanySize.SIZE_51_200
    assert full.founding_year == 2015
    assert (full.hq_country, full.hq_state_province, full.hq_city) == ("DE", "Berlin", "Berlin")
    assert full.company_profile_id == FULL_ROW["company_profile_id"]
    assert isinstance(full.scores, CriterionScores)
    assert sorted(full.scores.additional_keys) == ["is_eu", "is_saas"]
    saas = full.scores["is_saas"]
    assert isinstance(saas, CriterionScore)
    assert (saas.grade, saas.explanation, saas.sources) == (
        5,
        "Sells SaaS",
        ["https://acme.example"],
    )
    eu = full.scores["is_eu"]
    assert (eu.grade, eu.explanation, eu.sources) == (None, None, None)
    assert full.to_dict() == {**FULL_ROW, "created_at": "2026-01-02T03:05:00+00:00"}

    # Row with only the required fields: relevance null, everything optional UNSET.
    assert minimal.relevance is None
    assert minimal.company_website == "beta.example"
    for name in (
        "created_at",
        "company_profile_id",
        "scores",
        "founding_year",
        "employee_count",
        "hq_country",
        "hq_state_province",
        "hq_city",
        "company_full_description",
    ):
        assert getattr(minimal, name) is UNSET, name
    # The spec's `default: web_search` for source is kept in the constructor (the
    # tolerant anyOf carries it) but is not applied when parsing a missing field.
    assert minimal.source is UNSET
    assert DiscoveryTaskResultOutput(
        id="x",
        task_id="t",
        company_name="n",
        company_description="d",
        company_website="w",
        relevance=None,
    ).source == (DiscoveryDataSource.WEB_SEARCH)


def test_results_page_explicit_nulls_and_empty_scores() -> None:
    row = {
        **MINIMAL_ROW,
        "scores": {},
        "employee_count": None,
        "founding_year": None,
        "company_profile_id": None,
        "hq_country": None,
    }
    empty = {**MINIMAL_TASK, "results": [row]}
    page = get_task_results.sync_detailed(TASK_ID, client=make_client(Recorder(body=empty))).parsed
    assert isinstance(page, DiscoveryTaskResultsOutput)
    (parsed,) = page.results
    assert isinstance(parsed.scores, CriterionScores)
    assert parsed.scores.additional_keys == []
    assert (parsed.employee_count, parsed.founding_year, parsed.company_profile_id) == (
        None,
        None,
        None,
    )
    assert parsed.hq_country is None
    assert page.num_results is UNSET


def test_empty_results_page() -> None:
    payload = {**MINIMAL_TASK, "status": "done", "is_exhausted": True, "results": []}
    page = get_task_results.sync_detailed(
        TASK_ID, client=make_client(Recorder(body=payload))
    ).parsed
    assert isinstance(page, DiscoveryTaskResultsOutput)
    assert page.results == []
    assert page.is_exhausted is True


def test_list_response() -> None:
    rec = Recorder(body=[FULL_TASK, MINIMAL_TASK])
    tasks = list_tasks.sync_detailed(client=make_client(rec)).parsed
    assert isinstance(tasks, list)
    assert [type(t) for t in tasks] == [DiscoveryTaskOutput, DiscoveryTaskOutput]
    assert [t.status for t in tasks] == [Status.IN_PROGRESS, Status.CREATED]
    assert tasks[1].num_results is UNSET
    assert list_tasks.sync_detailed(client=make_client(Recorder(body=[]))).parsed == []


def test_table_rows_response() -> None:
    module, kwargs, *_ = OPERATIONS["add_table_rows"]
    rows = module.sync_detailed(client=make_client(Recorder(body=TABLE_ROWS)), **kwargs).parsed
    assert isinstance(rows, list)
    (row,) = rows
    assert isinstance(row, TableRowOutput)
    assert row.id == "row_1"
    assert row.created_at == datetime.datetime(2026, 1, 2, 3, 6, tzinfo=datetime.UTC)
    assert isinstance(row.data, TableRowOutputData)
    assert row.data.additional_properties == {
        "input": "https://acme.example",
        "score": 3,
        "extra": None,
    }


@pytest.mark.parametrize(
    "detail",
    [
        "Not authenticated",
        {"error": "insufficient_credits", "message": "Top up"},
        [{"anything": 1}],
    ],
    ids=["string", "object", "list"],
)
def test_http_error_detail_is_kept_verbatim(detail: Any) -> None:
    rec = Recorder(status=401, body={"detail": detail})
    parsed = get_task.sync_detailed(TASK_ID, client=make_client(rec)).parsed
    assert isinstance(parsed, HTTPError)
    assert parsed.detail == detail


def _error_payload(status: int) -> tuple[Any, type]:
    if status == 422:
        return VALIDATION_422, HTTPValidationError
    return {"detail": f"error {status}"}, HTTPError


@pytest.fixture(scope="module")
def statuses() -> list[tuple[str, int]]:
    return documented_statuses(load_yaml(CLIENT_PATH))


def test_documented_statuses_are_the_expected_ones(statuses: list[tuple[str, int]]) -> None:
    by_op: dict[str, set[int]] = {}
    for name, code in statuses:
        by_op.setdefault(name, set()).add(code)
    assert by_op == {
        "create_task": {200, 400, 401, 402, 403, 404, 422},
        "resume_task": {200, 400, 401, 402, 404, 422},
        "get_task": {200, 401, 404, 422},
        "get_task_results": {200, 401, 404, 422},
        "list_tasks": {200, 401, 422},
        "add_table_rows": {200, 401, 404, 422},
    }


def test_every_documented_error_status_is_parsed(statuses: list[tuple[str, int]]) -> None:
    checked = 0
    for name, code in statuses:
        if code == 200:
            continue
        module, kwargs, *_ = OPERATIONS[name]
        payload, kind = _error_payload(code)
        rec = Recorder(status=code, body=payload, headers={"X-Request-Id": "req-1"})
        response = module.sync_detailed(client=make_client(rec), **kwargs)
        assert response.status_code == code, (name, code)
        assert isinstance(response.parsed, kind), (name, code)
        assert response.headers["X-Request-Id"] == "req-1"
        if kind is HTTPError:
            assert response.parsed.detail == f"error {code}"
        checked += 1
    assert checked == 22


def test_validation_error_parses() -> None:
    rec = Recorder(status=422, body=VALIDATION_422)
    module, kwargs, *_ = OPERATIONS["create_task"]
    parsed = module.sync_detailed(client=make_client(rec), **kwargs).parsed
    assert isinstance(parsed, HTTPValidationError)
    assert isinstance(parsed.detail, list)
    first, second = parsed.detail
    assert isinstance(first, ValidationError)
    assert first.loc == ["body", "desired_num_results"]
    assert first.msg == "Input should be less than or equal to 250"
    assert first.type_ == "less_than_equal"
    assert second.loc == ["body", "criteria", 0, "key"]


def test_undocumented_status_is_none_or_raises_without_headers() -> None:
    rec = Recorder(status=429, body={"detail": "slow down"}, headers={"Retry-After": "7"})
    response = get_task.sync_detailed(TASK_ID, client=make_client(rec))
    assert response.status_code == 429
    assert response.parsed is None
    assert response.headers["Retry-After"] == "7"  # only the *_detailed Response keeps it

    strict = make_client(rec, raise_on_unexpected_status=True)
    with pytest.raises(errors.UnexpectedStatus) as exc:
        get_task.sync_detailed(TASK_ID, client=strict)
    assert exc.value.status_code == 429
    assert not hasattr(exc.value, "headers")


def test_non_json_error_body_raises_from_sync_detailed() -> None:
    """A proxy's HTML 502 on a documented status code escapes as JSONDecodeError."""
    rec = Recorder(status=404, content=b"<html>Not Found</html>")
    with pytest.raises(json.JSONDecodeError):
        get_task.sync_detailed(TASK_ID, client=make_client(rec))


# --- async ---------------------------------------------------------------------------


async def test_asyncio_detailed_create_task() -> None:
    rec = Recorder(body=MINIMAL_TASK)
    client = make_client(rec)
    body = DiscoveryTaskInput(query="payroll", exclude_domains=["a.com"])
    response = await create_task.asyncio_detailed(client=client, body=body)
    req = rec.only
    assert (req.method, req.url.raw_path) == ("POST", b"/v1/discovery_tasks")
    assert req.headers["Authorization"] == f"Bearer {TOKEN}"
    assert body_of(req) == {
        "query": "payroll",
        "desired_num_results": 100,
        "auto_data_sources": True,
        "exclude_domains": ["a.com"],
    }
    assert isinstance(response.parsed, DiscoveryTaskOutput)
    assert response.parsed.num_results is UNSET


async def test_asyncio_detailed_results_and_resume() -> None:
    rec = Recorder(body=RESULTS_PAGE)
    client = make_client(rec)
    response = await get_task_results.asyncio_detailed("a/b", client=client, limit=250)
    assert rec.only.url.raw_path == b"/v1/discovery_tasks/a%2Fb/results?limit=250"
    assert isinstance(response.parsed, DiscoveryTaskResultsOutput)
    assert len(response.parsed.results) == 2

    rec2 = Recorder(status=400, body={"detail": "Task is exhausted"})
    resumed = await resume_task.asyncio_detailed(
        TASK_ID, client=make_client(rec2), body=ResumeDiscoveryTaskInput()
    )
    assert body_of(rec2.only) == {"desired_new_results": 25}
    assert isinstance(resumed.parsed, HTTPError)


def test_sync_and_parsed_helpers_agree() -> None:
    """`sync` is `sync_detailed(...).parsed`; exercised once so its signature is checked."""
    parsed = get_task.sync(TASK_ID, client=make_client(Recorder(body=FULL_TASK)))
    assert isinstance(parsed, DiscoveryTaskOutput)
    assert parsed.status is Status.IN_PROGRESS


def test_422_with_a_string_detail_raises_from_sync_detailed() -> None:
    """HTTPValidationError expects a list; a plain-string 422 detail (e.g. a custom
    "more than 1000 excluded domains" message) raises instead of parsing. The wrapper
    must map 422 from the raw response, not rely on `parsed`."""
    rec = Recorder(status=422, body={"detail": "Exclusion set exceeds 1000 domains"})
    module, kwargs, *_ = OPERATIONS["create_task"]
    with pytest.raises(ValueError):
        module.sync_detailed(client=make_client(rec), **kwargs)
