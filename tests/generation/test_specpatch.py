"""Unit tests of scripts/specpatch.py, one step at a time, and of the committed result."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import regenerate
import specpatch
import yaml
from specpatch import SpecPatchError

from .conftest import CLIENT_PATH

SHORT_IDS = {
    ("post", "/v1/discovery_tasks"): "create_task",
    ("get", "/v1/discovery_tasks"): "list_tasks",
    ("get", "/v1/discovery_tasks/{task_id}"): "get_task",
    ("get", "/v1/discovery_tasks/{task_id}/results"): "get_task_results",
    ("post", "/v1/discovery_tasks/{task_id}/resume"): "resume_task",
    ("post", "/v1/tables/{table_id}/rows"): "add_table_rows",
}

SIZE_NAMES = [
    "SIZE_1_10",
    "SIZE_11_50",
    "SIZE_51_200",
    "SIZE_201_500",
    "SIZE_501_1000",
    "SIZE_1001_5000",
    "SIZE_5001_10000",
    "SIZE_10001_PLUS",
]

REQUEST_SCHEMAS = {
    "DiscoveryTaskInput",
    "DiscoveryTableLink",
    "ResumeDiscoveryTaskInput",
    "TableRowsInput",
    "TableRowInput",
    "CriterionDefinition",  # also in responses, but shared schemas stay strict
    "DiscoveryDataSource",
}

RESPONSE_ONLY = {
    "CompanySize",
    "CriterionScore",
    "DiscoveryTaskOutput",
    "DiscoveryTaskResultOutput",
    "DiscoveryTaskResultsOutput",
    "HTTPError",
    "HTTPValidationError",
    "Status",
    "TableRowOutput",
    "ValidationError",
}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def tolerant(name: str) -> dict[str, Any]:
    return {"anyOf": [ref(name), {"type": "string"}]}


def operation_ids(spec: dict[str, Any]) -> dict[tuple[str, str], str]:
    return {
        (method, path): op["operationId"]
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method in specpatch.HTTP_METHODS
    }


# --- step 1: shorten_operation_ids -------------------------------------------------


def test_upstream_has_the_long_fastapi_ids(upstream: dict[str, Any]) -> None:
    ids = operation_ids(upstream)
    assert set(ids) == set(SHORT_IDS)
    assert all(ids[key] != short for key, short in SHORT_IDS.items())


def test_operation_ids_shortened_for_all_six(upstream: dict[str, Any]) -> None:
    assert specpatch.OPERATION_IDS == SHORT_IDS
    assert operation_ids(specpatch.shorten_operation_ids(upstream)) == SHORT_IDS


def test_non_method_keys_of_a_path_item_are_ignored(upstream: dict[str, Any]) -> None:
    item = upstream["paths"]["/v1/discovery_tasks/{task_id}"]
    item["parameters"] = []
    item["summary"] = "path-level fields are not operations"
    assert operation_ids(specpatch.shorten_operation_ids(upstream)) == SHORT_IDS


@pytest.mark.parametrize(
    ("path", "method"),
    [
        ("/v1/discovery_tasks/{task_id}/cancel", "post"),  # new path
        ("/v1/discovery_tasks/{task_id}", "delete"),  # new method on a known path
    ],
)
def test_unknown_operation_fails_naming_it(
    upstream: dict[str, Any], path: str, method: str
) -> None:
    upstream["paths"].setdefault(path, {})[method] = {
        "operationId": "x",
        "responses": {"200": {"description": "ok"}},
    }
    with pytest.raises(SpecPatchError) as exc:
        specpatch.patch(upstream)
    assert f"{method.upper()} {path}" in str(exc.value)
    assert "OPERATION_IDS" in str(exc.value)


def test_disappearing_path_fails_naming_the_operation(upstream: dict[str, Any]) -> None:
    del upstream["paths"]["/v1/discovery_tasks/{task_id}/resume"]
    with pytest.raises(SpecPatchError, match=r"POST /v1/discovery_tasks/\{task_id\}/resume"):
        specpatch.patch(upstream)


def test_disappearing_method_fails_naming_only_it(upstream: dict[str, Any]) -> None:
    del upstream["paths"]["/v1/discovery_tasks"]["get"]
    with pytest.raises(SpecPatchError) as exc:
        specpatch.patch(upstream)
    msg = str(exc.value)
    assert "GET /v1/discovery_tasks" in msg
    assert "POST /v1/discovery_tasks" not in msg


# --- step 2: name_company_sizes ----------------------------------------------------


def test_company_sizes_get_names_in_enum_order(upstream: dict[str, Any]) -> None:
    schema = specpatch.name_company_sizes(upstream)["components"]["schemas"]["CompanySize"]
    assert schema["x-enum-varnames"] == SIZE_NAMES
    assert len(schema["x-enum-varnames"]) == len(schema["enum"])


@pytest.mark.parametrize(
    ("value", "name"),
    [
        ("1-10", "SIZE_1_10"),
        ("51-200", "SIZE_51_200"),
        ("5001-10000", "SIZE_5001_10000"),
        ("10001+", "SIZE_10001_PLUS"),
        ("10001-50000", "SIZE_10001_50000"),
        ("50,001 - 100,000", "SIZE_50_001_100_000"),
        ("100000+", "SIZE_100000_PLUS"),
        ("self-employed", "SIZE_SELF_EMPLOYED"),
    ],
)
def test_enum_varname(value: str, name: str) -> None:
    assert specpatch.enum_varname(value) == name
    assert name.isidentifier()


def test_inserted_bucket_keeps_existing_names(upstream: dict[str, Any]) -> None:
    """Unlike positional VALUE_n names, inserting a bucket renames nothing."""
    enum = upstream["components"]["schemas"]["CompanySize"]["enum"]
    enum.insert(enum.index("10001+"), "10001-50000")
    names = specpatch.name_company_sizes(upstream)["components"]["schemas"]["CompanySize"][
        "x-enum-varnames"
    ]
    assert dict(zip(enum, names, strict=True)) == {
        **dict(
            zip(
                upstream["components"]["schemas"]["CompanySize"]["enum"],
                names,
                strict=True,
            )
        ),
        "10001-50000": "SIZE_10001_50000",
    }
    assert [n for n in names if n != "SIZE_10001_50000"] == SIZE_NAMES


def test_company_size_gone_fails(upstream: dict[str, Any]) -> None:
    del upstream["components"]["schemas"]["CompanySize"]
    with pytest.raises(SpecPatchError, match="CompanySize"):
        specpatch.name_company_sizes(upstream)


def test_company_size_without_enum_fails(upstream: dict[str, Any]) -> None:
    del upstream["components"]["schemas"]["CompanySize"]["enum"]
    with pytest.raises(SpecPatchError, match="CompanySize"):
        specpatch.name_company_sizes(upstream)


# --- step 3: tolerate_unknown_response_enums ---------------------------------------


def test_response_only_schemas(upstream: dict[str, Any]) -> None:
    found = specpatch.response_only_schemas(upstream)
    assert found == RESPONSE_ONLY
    assert not found & REQUEST_SCHEMAS


def test_request_schemas_stay_strict(upstream: dict[str, Any]) -> None:
    before = copy.deepcopy(upstream["components"]["schemas"])
    schemas = specpatch.tolerate_unknown_response_enums(upstream)["components"]["schemas"]
    for name in REQUEST_SCHEMAS:
        assert schemas[name] == before[name], name
    data_sources = schemas["DiscoveryTaskInput"]["properties"]["data_sources"]
    assert data_sources["anyOf"][0]["items"] == ref("DiscoveryDataSource")


def test_response_enums_become_tolerant(upstream: dict[str, Any]) -> None:
    schemas = specpatch.tolerate_unknown_response_enums(upstream)["components"]["schemas"]
    task = schemas["DiscoveryTaskOutput"]["properties"]
    assert task["status"] == tolerant("Status")
    assert task["data_sources"]["anyOf"][0]["items"] == tolerant("DiscoveryDataSource")
    assert schemas["DiscoveryTaskResultsOutput"]["properties"]["status"] == tolerant("Status")
    row = schemas["DiscoveryTaskResultOutput"]["properties"]
    # Siblings of the $ref (description, default) are kept beside the anyOf.
    assert row["source"]["anyOf"] == tolerant("DiscoveryDataSource")["anyOf"]
    assert row["source"]["default"] == "web_search"
    assert row["source"]["description"].startswith("Data source")
    assert row["employee_count"]["anyOf"] == [tolerant("CompanySize"), {"type": "null"}]
    # The enum schemas themselves are untouched.
    assert schemas["Status"]["enum"] == ["created", "in_progress", "done", "failed"]
    assert "anyOf" not in schemas["CompanySize"]


def _bare_enum_refs(node: Any, enums: set[str]) -> list[str]:
    """Enum $refs not wrapped in ``anyOf: [ref, {type: string}]``."""
    found: list[str] = []
    if isinstance(node, dict):
        any_of = node.get("anyOf")
        if (
            isinstance(any_of, list)
            and len(any_of) == 2
            and any_of[1] == {"type": "string"}
            and any_of[0].get("$ref", "").rsplit("/", 1)[-1] in enums
        ):
            return found
        target = node.get("$ref", "")
        if isinstance(target, str) and target.rsplit("/", 1)[-1] in enums:
            found.append(target)
        for value in node.values():
            found.extend(_bare_enum_refs(value, enums))
    elif isinstance(node, list):
        for value in node:
            found.extend(_bare_enum_refs(value, enums))
    return found


def test_no_bare_enum_ref_left_in_response_schemas(upstream: dict[str, Any]) -> None:
    schemas = upstream["components"]["schemas"]
    enums = {n for n, s in schemas.items() if "enum" in s}
    assert _bare_enum_refs(schemas["DiscoveryTaskOutput"], enums)  # precondition
    patched = specpatch.tolerate_unknown_response_enums(upstream)["components"]["schemas"]
    for name in RESPONSE_ONLY - enums:
        assert _bare_enum_refs(patched[name], enums) == [], name
    assert _bare_enum_refs(patched["DiscoveryTaskInput"], enums)  # still strict


def test_tolerance_on_a_synthetic_spec() -> None:
    """Shared enum: strict in the request model, tolerant in the response-only one."""
    spec: dict[str, Any] = {
        "paths": {
            "/x": {
                "post": {
                    "requestBody": {"content": {"application/json": {"schema": ref("In")}}},
                    "responses": {"200": {"content": {"application/json": {"schema": ref("Out")}}}},
                }
            }
        },
        "components": {
            "schemas": {
                "Color": {"type": "string", "enum": ["red"]},
                "Shape": {"type": "string", "enum": ["round"]},
                "In": {"properties": {"color": ref("Color")}},
                "Out": {
                    "properties": {
                        "color": {**ref("Color"), "default": "red"},
                        "shapes": {"type": "array", "items": ref("Shape")},
                        "nested": ref("Inner"),
                    }
                },
                "Inner": {"properties": {"color": ref("Color")}},
            }
        },
    }
    assert specpatch.response_only_schemas(spec) == {"Out", "Inner", "Shape"}
    schemas = specpatch.tolerate_unknown_response_enums(spec)["components"]["schemas"]
    assert schemas["In"]["properties"]["color"] == ref("Color")
    assert schemas["Out"]["properties"]["color"] == {**tolerant("Color"), "default": "red"}
    assert schemas["Out"]["properties"]["shapes"]["items"] == tolerant("Shape")
    assert schemas["Out"]["properties"]["nested"] == ref("Inner")  # not an enum
    assert schemas["Inner"]["properties"]["color"] == tolerant("Color")
    assert schemas["Color"] == {"type": "string", "enum": ["red"]}


# --- the whole patch ----------------------------------------------------------------


def test_patch_applies_the_three_steps_in_order() -> None:
    steps = specpatch.STEPS
    assert steps == (
        specpatch.shorten_operation_ids,
        specpatch.name_company_sizes,
        specpatch.tolerate_unknown_response_enums,
    )


def test_patch_does_not_mutate_its_input(upstream: dict[str, Any]) -> None:
    before = copy.deepcopy(upstream)
    patched = specpatch.patch(upstream)
    assert upstream == before
    assert patched != upstream


def test_patch_is_deterministic(upstream: dict[str, Any]) -> None:
    def dump(spec: dict[str, Any]) -> str:
        return yaml.safe_dump(spec, sort_keys=False, allow_unicode=True, width=100)

    first = specpatch.patch(upstream)
    assert dump(specpatch.patch(upstream)) == dump(first)
    # Independent of the order of paths and schemas in the input.
    shuffled = copy.deepcopy(upstream)
    shuffled["paths"] = dict(reversed(list(shuffled["paths"].items())))
    schemas = shuffled["components"]["schemas"]
    shuffled["components"]["schemas"] = dict(reversed(list(schemas.items())))
    assert specpatch.patch(shuffled) == first


def _unpatch(node: Any) -> Any:
    """Undo the tolerant-enum rewrite."""
    if isinstance(node, list):
        return [_unpatch(v) for v in node]
    if not isinstance(node, dict):
        return node
    any_of = node.get("anyOf")
    if (
        isinstance(any_of, list)
        and len(any_of) == 2
        and set(any_of[0]) == {"$ref"}
        and any_of[1] == {"type": "string"}
    ):
        rest = {k: v for k, v in node.items() if k != "anyOf"}
        return {**any_of[0], **_unpatch(rest)}
    return {k: _unpatch(v) for k, v in node.items()}


def test_patch_changes_nothing_else(upstream: dict[str, Any]) -> None:
    """Undo the three documented edits and the upstream spec comes back exactly."""
    restored = _unpatch(specpatch.patch(upstream))
    del restored["components"]["schemas"]["CompanySize"]["x-enum-varnames"]
    original = operation_ids(upstream)
    for path, item in restored["paths"].items():
        for method, op in item.items():
            op["operationId"] = original[(method, path)]
    assert restored == upstream


def test_committed_client_spec_is_header_plus_patched_upstream(upstream: dict[str, Any]) -> None:
    committed = CLIENT_PATH.read_text()
    assert committed.startswith(regenerate.HEADER)
    assert committed == regenerate.client_spec_text()
    body = yaml.safe_load(committed)
    assert body == specpatch.patch(upstream)
    assert operation_ids(body) == SHORT_IDS
