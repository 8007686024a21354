"""Auth (401) and FastAPI-shaped 422s over real HTTP, straight to the sandbox.

These requests violate the spec on purpose, so they bypass the Prism proxy.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from extruct_deep_search.sandbox import Sandbox

from .conftest import auth, create

pytestmark = pytest.mark.integration

CRIT = {"key": "ok_key", "name": "Name", "criterion": "A long enough criterion."}


def assert_422(response: httpx.Response, loc: list[Any], type_: str) -> None:
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert isinstance(detail, list) and detail
    for item in detail:
        assert set(item) >= {"loc", "msg", "type"} and isinstance(item["msg"], str)
    assert any(d["loc"] == loc and d["type"] == type_ for d in detail), detail


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong"},
        {"Authorization": "Basic abc"},
        {"Authorization": "Bearer"},
    ],
)
def test_401_without_a_valid_bearer_token(direct_url: str, headers: dict[str, str]) -> None:
    for method, path in (
        ("POST", "/v1/discovery_tasks"),
        ("GET", "/v1/discovery_tasks"),
        ("GET", "/v1/discovery_tasks/x"),
        ("GET", "/v1/discovery_tasks/x/results"),
        ("POST", "/v1/discovery_tasks/x/resume"),
        ("POST", "/v1/tables/tbl_x/rows"),
        ("GET", "/v1/user"),
    ):
        response = httpx.request(method, direct_url + path, headers=headers, json={"query": "q"})
        assert response.status_code == 401, (method, path)
        assert isinstance(response.json()["detail"], str)


def test_all_three_tokens_work(direct_url: str, sandbox: Sandbox) -> None:
    for token in (sandbox.token, sandbox.other_token, sandbox.foreign_token):
        assert httpx.get(direct_url + "/v1/discovery_tasks", headers=auth(token)).status_code == 200


@pytest.mark.parametrize(
    ("body", "loc", "type_"),
    [
        ({}, ["body", "query"], "missing"),
        ({"query": ""}, ["body", "query"], "string_too_short"),
        ({"query": 5}, ["body", "query"], "string_type"),
        ({"query": None}, ["body", "query"], "string_type"),
        ({"query": "q", "desired_num_results": 0}, ["body", "desired_num_results"], "greater_than_equal"),
        ({"query": "q", "desired_num_results": 251}, ["body", "desired_num_results"], "less_than_equal"),
        ({"query": "q", "desired_num_results": "5"}, ["body", "desired_num_results"], "int_type"),
        ({"query": "q", "desired_num_results": True}, ["body", "desired_num_results"], "int_type"),
        ({"query": "q", "desired_num_results": 2.5}, ["body", "desired_num_results"], "int_from_float"),
        ({"query": "q", "auto_data_sources": "yes"}, ["body", "auto_data_sources"], "bool_type"),
        ({"query": "q", "data_sources": ["fax"]}, ["body", "data_sources", 0], "enum"),
        ({"query": "q", "unknown": 1}, ["body", "unknown"], "extra_forbidden"),
        ({"query": "q", "criteria": {}}, ["body", "criteria"], "list_type"),
        ({"query": "q", "criteria": [{**CRIT, "key": "1bad"}]}, ["body", "criteria", 0, "key"], "string_pattern_mismatch"),
        ({"query": "q", "criteria": [{**CRIT, "name": ""}]}, ["body", "criteria", 0, "name"], "string_too_short"),
        ({"query": "q", "criteria": [{**CRIT, "name": "n" * 101}]}, ["body", "criteria", 0, "name"], "string_too_long"),
        ({"query": "q", "criteria": [{**CRIT, "criterion": "too short"}]}, ["body", "criteria", 0, "criterion"], "string_too_short"),
        ({"query": "q", "criteria": [{**CRIT, "criterion": "c" * 501}]}, ["body", "criteria", 0, "criterion"], "string_too_long"),
        ({"query": "q", "criteria": [{"key": "k", "name": "n"}]}, ["body", "criteria", 0, "criterion"], "missing"),
        ({"query": "q", "exclude_domains": ["ok.com", "not a domain"]}, ["body", "exclude_domains", 1], "value_error"),
        ({"query": "q", "exclude_domains": [3]}, ["body", "exclude_domains", 0], "string_type"),
        ({"query": "q", "exclude_task_ids": [f"t{i}" for i in range(101)]}, ["body", "exclude_task_ids"], "too_long"),
        ([], ["body"], "model_attributes_type"),
    ],
)  # fmt: skip
def test_create_422_shapes(direct: httpx.Client, body: Any, loc: list[Any], type_: str) -> None:
    assert_422(direct.post("/v1/discovery_tasks", json=body), loc, type_)


def test_create_422_invalid_json_and_missing_body(direct: httpx.Client) -> None:
    bad = direct.post(
        "/v1/discovery_tasks", content=b'{"query": ', headers={"Content-Type": "application/json"}
    )
    assert_422(bad, ["body", 10], "json_invalid")
    assert_422(direct.post("/v1/discovery_tasks"), ["body"], "missing")


def test_422_reports_every_error_at_once(direct: httpx.Client) -> None:
    response = direct.post("/v1/discovery_tasks", json={"desired_num_results": 0, "x": 1})
    assert {tuple(d["loc"]) for d in response.json()["detail"]} == {
        ("body", "query"),
        ("body", "desired_num_results"),
        ("body", "x"),
    }


def test_valid_edges_are_accepted(direct: httpx.Client) -> None:
    for n in (1, 250):
        assert (
            direct.post(
                "/v1/discovery_tasks", json={"query": "q", "desired_num_results": n}
            ).status_code
            == 200
        )
    crit = {"key": "a", "name": "n", "criterion": "c" * 10}
    assert (
        direct.post("/v1/discovery_tasks", json={"query": "q", "criteria": [crit]}).status_code
        == 200
    )


@pytest.mark.parametrize(
    ("body", "loc", "type_"),
    [
        ({"desired_new_results": -1}, ["body", "desired_new_results"], "greater_than_equal"),
        ({"desired_new_results": 251}, ["body", "desired_new_results"], "less_than_equal"),
        ({"desired_new_results": "3"}, ["body", "desired_new_results"], "int_type"),
        ({"extra": 1}, ["body", "extra"], "extra_forbidden"),
        ([1], ["body"], "model_attributes_type"),
        (None, ["body"], "model_attributes_type"),
    ],
)
def test_resume_422(direct: httpx.Client, body: Any, loc: list[Any], type_: str) -> None:
    task = create(direct, query="broad resume validation", desired_num_results=1)
    path = f"/v1/discovery_tasks/{task['id']}/resume"
    assert_422(direct.post(path, content=json.dumps(body).encode()), loc, type_)
    assert direct.post(path).status_code == 200  # no body at all: the defaults


@pytest.mark.parametrize("path", ["/v1/discovery_tasks", "/v1/discovery_tasks/x/results"])
@pytest.mark.parametrize("name", ["offset", "limit"])
def test_paging_params_must_be_integers(direct: httpx.Client, path: str, name: str) -> None:
    assert_422(direct.get(path, params={name: "ten"}), ["query", name], "int_parsing")


def test_table_rows_422(direct: httpx.Client) -> None:
    assert_422(direct.post("/v1/tables/tbl_v/rows", json={}), ["body", "rows"], "missing")
    assert_422(
        direct.post("/v1/tables/tbl_v/rows", json={"rows": [{"data": {"input": 1}}]}),
        ["body", "rows", 0, "data", "input"],
        "string_type",
    )
    assert_422(
        direct.post("/v1/tables/tbl_v/rows", json={"rows": [{}]}),
        ["body", "rows", 0, "data"],
        "missing",
    )


def test_unknown_route_is_json_404(direct: httpx.Client) -> None:
    response = direct.get("/v1/nothing-here")
    assert response.status_code == 404 and response.json() == {"detail": "Not Found"}
