"""Values and fields this client does not know yet must not break parsing.

The client spec (scripts/specpatch.py) declares response enums as
``anyOf: [enum, string]``; without that, one unknown value raises ValueError and
fails a whole results page.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from extruct_deep_search_client import AuthenticatedClient
from extruct_deep_search_client.api.company_discovery import get_task, get_task_results, list_tasks
from extruct_deep_search_client.models import (
    CompanySize,
    CriterionScore,
    CriterionScores,
    DiscoveryDataSource,
    DiscoveryTaskInput,
    DiscoveryTaskOutput,
    DiscoveryTaskResultOutput,
    DiscoveryTaskResultsOutput,
    HTTPError,
    HTTPValidationError,
    Status,
    TableRowOutput,
)

from .conftest import CLIENT_PATH, load_yaml

TASK: dict[str, Any] = {
    "id": "t1",
    "created_at": "2026-01-02T03:04:05Z",
    "status": "done",
    "query": "q",
    "desired_num_results": 10,
}
ROW: dict[str, Any] = {
    "id": "r1",
    "task_id": "t1",
    "company_name": "Acme",
    "company_description": "d",
    "company_website": "acme.example",
    "relevance": 50,
}


def serve(body: Any) -> AuthenticatedClient:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=body)

    return AuthenticatedClient(
        base_url="https://api.test",
        token="t0k",
        httpx_args={"transport": httpx.MockTransport(handler)},
    )


def fetch_task(body: dict[str, Any]) -> DiscoveryTaskOutput:
    parsed = get_task.sync_detailed("t1", client=serve(body)).parsed
    assert isinstance(parsed, DiscoveryTaskOutput)
    return parsed


def fetch_page(rows: list[dict[str, Any]], **extra: Any) -> DiscoveryTaskResultsOutput:
    body = {**TASK, **extra, "results": rows}
    parsed = get_task_results.sync_detailed("t1", client=serve(body)).parsed
    assert isinstance(parsed, DiscoveryTaskResultsOutput)
    return parsed


# --- unknown enum values -------------------------------------------------------------


def test_unknown_task_status_is_a_plain_string() -> None:
    task = fetch_task({**TASK, "status": "cancelled"})
    assert task.status == "cancelled"
    assert type(task.status) is str
    assert not isinstance(task.status, Status)
    assert task.to_dict()["status"] == "cancelled"


def test_unknown_status_in_list_and_results() -> None:
    tasks = list_tasks.sync_detailed(
        client=serve([{**TASK, "status": "cancelled"}, {**TASK, "status": "done"}])
    ).parsed
    assert isinstance(tasks, list)
    assert [t.status for t in tasks] == ["cancelled", Status.DONE]
    assert type(tasks[0].status) is str
    assert tasks[1].status is Status.DONE
    assert fetch_page([], status="archived").status == "archived"


def test_unknown_data_sources_keep_the_known_ones_typed() -> None:
    task = fetch_task({**TASK, "data_sources": ["crunchbase", "linkedin"]})
    assert task.data_sources == ["crunchbase", DiscoveryDataSource.LINKEDIN]
    assert isinstance(task.data_sources, list)
    assert type(task.data_sources[0]) is str
    assert task.data_sources[1] is DiscoveryDataSource.LINKEDIN
    assert fetch_page([], data_sources=["crunchbase"]).data_sources == ["crunchbase"]


def test_one_odd_row_does_not_fail_the_page() -> None:
    rows = [
        {**ROW, "id": "a", "source": "web_search", "employee_count": "1-10"},
        {**ROW, "id": "b", "source": "crunchbase", "employee_count": "10001-50000"},
        {**ROW, "id": "c", "source": "maps", "employee_count": "10001+"},
    ]
    page = fetch_page(rows)
    a, b, c = page.results
    assert (a.source, a.employee_count) == (DiscoveryDataSource.WEB_SEARCH, CompanySize.SIZE_1_10)
    assert isinstance(a.employee_count, CompanySize)
    assert (b.source, b.employee_count) == ("crunchbase", "10001-50000")
    assert type(b.source) is str and type(b.employee_count) is str
    assert (c.source, c.employee_count) == (DiscoveryDataSource.MAPS, CompanySize.SIZE_10001_PLUS)
    assert b.to_dict()["source"] == "crunchbase"
    assert b.to_dict()["employee_count"] == "10001-50000"


def test_request_model_enum_stays_strict() -> None:
    """Only response schemas are tolerant; the request model keeps the closed enum."""
    with pytest.raises(ValueError, match="crunchbase"):
        DiscoveryDataSource("crunchbase")
    body = DiscoveryTaskInput(query="q", data_sources=[DiscoveryDataSource.LINKEDIN])
    assert body.to_dict()["data_sources"] == ["linkedin"]


# --- unknown fields ------------------------------------------------------------------


def test_unknown_task_fields_land_in_additional_properties() -> None:
    extra = {"error": {"code": "timeout"}, "credits_used": 12.5, "tags": ["x"]}
    task = fetch_task({**TASK, **extra})
    assert task.additional_properties == extra
    assert task["credits_used"] == 12.5
    assert "error" in task
    assert task.to_dict() == {**TASK, "created_at": "2026-01-02T03:04:05+00:00", **extra}


def test_unknown_fields_in_page_row_and_score() -> None:
    row = {
        **ROW,
        "linkedin_url": "https://linkedin.com/company/acme",
        "scores": {"k": {"grade": 3, "confidence": 0.9}},
    }
    page = fetch_page([row], next_offset=1)
    assert page.additional_properties == {"next_offset": 1}
    (parsed,) = page.results
    assert isinstance(parsed, DiscoveryTaskResultOutput)
    assert parsed.additional_properties == {"linkedin_url": "https://linkedin.com/company/acme"}
    assert isinstance(parsed.scores, CriterionScores)
    score = parsed.scores["k"]
    assert isinstance(score, CriterionScore)
    assert score.grade == 3
    assert score.additional_properties == {"confidence": 0.9}


def test_unknown_fields_in_errors_and_table_rows() -> None:
    err = HTTPError.from_dict({"detail": "no", "request_id": "r"})
    assert err.additional_properties == {"request_id": "r"}
    verr = HTTPValidationError.from_dict(
        {"detail": [{"loc": ["body"], "msg": "m", "type": "t", "input": 5, "ctx": {}}]}
    )
    assert isinstance(verr.detail, list)
    assert verr.detail[0].additional_properties == {"input": 5, "ctx": {}}
    row = TableRowOutput.from_dict(
        {"id": "x", "created_at": "2026-01-01T00:00:00Z", "data": {}, "status": "queued"}
    )
    assert row.additional_properties == {"status": "queued"}


# --- CompanySize names ---------------------------------------------------------------


def test_company_size_members_have_size_names() -> None:
    assert {m.name: m.value for m in CompanySize} == {
        "SIZE_1_10": "1-10",
        "SIZE_11_50": "11-50",
        "SIZE_51_200": "51-200",
        "SIZE_201_500": "201-500",
        "SIZE_501_1000": "501-1000",
        "SIZE_1001_5000": "1001-5000",
        "SIZE_5001_10000": "5001-10000",
        "SIZE_10001_PLUS": "10001+",
    }
    assert not any(m.name.startswith("VALUE_") for m in CompanySize)
    assert str(CompanySize.SIZE_10001_PLUS) == "10001+"


def test_company_size_members_match_the_client_spec() -> None:
    schema = load_yaml(CLIENT_PATH)["components"]["schemas"]["CompanySize"]
    pairs = dict(zip(schema["x-enum-varnames"], schema["enum"], strict=True))
    assert {m.name: m.value for m in CompanySize} == pairs
