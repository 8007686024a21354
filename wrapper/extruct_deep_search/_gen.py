"""The only module that imports the generated client (extruct_deep_search_client).

It turns calls into :class:`RequestSpec` values with the generated request
builders and models, and turns response JSON into the public models, checking
types and applying the documented defaults (a missing counter is 0), using the
generated models' field lists as the schema. Nothing generated, UNSET
included, leaves this module.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

import attrs
from extruct_deep_search_client.api.company_discovery import (
    create_task,
    get_task,
    get_task_results,
    list_tasks,
    resume_task,
)
from extruct_deep_search_client.api.tables import add_table_rows
from extruct_deep_search_client.models import (
    CriterionDefinition,
    DiscoveryDataSource,
    DiscoveryTaskInput,
    DiscoveryTaskOutput,
    DiscoveryTaskResultOutput,
    ResumeDiscoveryTaskInput,
    TableRowInput,
    TableRowInputData,
    TableRowOutput,
    TableRowsInput,
)

from ._core.effects import RequestSpec
from ._core.params import CreateParams
from ._types import CompanySize, Criterion, CriterionScore, DataSource, Result, Task, TaskStatus

D = TypeVar("D")


class ParseError(Exception):
    """A response body did not have the documented shape."""


def _spec(
    kwargs: dict[str, Any], *, idempotent: bool, exhausted_on_400: bool = False, subject: str = ""
) -> RequestSpec:
    return RequestSpec(
        method=kwargs["method"].upper(),
        path=kwargs["url"],
        params=kwargs.get("params", {}),
        json=kwargs.get("json"),
        idempotent=idempotent,
        exhausted_on_400=exhausted_on_400,
        subject=subject,
    )


# Requests. create and resume are not idempotent: a re-send can act twice.


def create_request(params: CreateParams) -> RequestSpec:
    """POST /v1/discovery_tasks. Giving data_sources turns auto_data_sources off."""
    body = DiscoveryTaskInput(
        query=params.query,
        desired_num_results=params.desired_num_results,
        auto_data_sources=params.data_sources is None,
    )
    if params.data_sources is not None:
        body.data_sources = [DiscoveryDataSource(s) for s in params.data_sources]
    if params.criteria is not None:
        body.criteria = [
            CriterionDefinition(key=c.key, name=c.name, criterion=c.criterion)
            for c in params.criteria
        ]
    if params.exclude_domains is not None:
        body.exclude_domains = list(params.exclude_domains)
    if params.exclude_task_ids is not None:
        body.exclude_task_ids = list(params.exclude_task_ids)
    return _spec(create_task._get_kwargs(body=body), idempotent=False)


def get_request(task_id: str) -> RequestSpec:
    """GET /v1/discovery_tasks/{task_id}."""
    return _spec(get_task._get_kwargs(task_id), idempotent=True, subject=f"task {task_id!r}")


def results_request(task_id: str, *, offset: int, limit: int) -> RequestSpec:
    """GET /v1/discovery_tasks/{task_id}/results?offset=&limit=."""
    kwargs = get_task_results._get_kwargs(task_id, offset=offset, limit=limit)
    return _spec(kwargs, idempotent=True, subject=f"task {task_id!r}")


def resume_request(task_id: str, desired_new_results: int) -> RequestSpec:
    """POST /v1/discovery_tasks/{task_id}/resume; its 400 means exhausted."""
    body = ResumeDiscoveryTaskInput(desired_new_results=desired_new_results)
    kwargs = resume_task._get_kwargs(task_id, body=body)
    return _spec(kwargs, idempotent=False, exhausted_on_400=True, subject=f"task {task_id!r}")


def list_request(*, offset: int, limit: int) -> RequestSpec:
    """GET /v1/discovery_tasks?offset=&limit=."""
    return _spec(list_tasks._get_kwargs(offset=offset, limit=limit), idempotent=True)


def add_rows_request(table_id: str, inputs: Sequence[str], *, run: bool) -> RequestSpec:
    """POST /v1/tables/{table_id}/rows with one ``{"data": {"input": ...}}`` row per input."""
    rows = []
    for value in inputs:
        data = TableRowInputData()
        data["input"] = value
        rows.append(TableRowInput(data=data))
    body = TableRowsInput(rows=rows, run=run)
    kwargs = add_table_rows._get_kwargs(table_id, body=body)
    return _spec(kwargs, idempotent=False, subject=f"table {table_id!r}")


# Responses.
#
# Responses are read straight from the decoded JSON into the public models:
# going through the generated from_dict first and copying its objects cost
# 2.5x as much per page (BENCHMARKS.md, section 3) and checked no types. The
# generated models still define which fields exist (the *_FIELDS sets below),
# and tests/wrapper/test_gen_parse.py proves both parsers agree on every
# documented response shape and that no spec field is left unread.


def _field_names(model: type[Any]) -> frozenset[str]:
    return frozenset(a.name for a in attrs.fields(model)) - {"additional_properties"}


TASK_FIELDS = _field_names(DiscoveryTaskOutput)
RESULT_FIELDS = _field_names(DiscoveryTaskResultOutput)
_TASK_AND_RESULTS = TASK_FIELDS | {"results"}

_STATUSES: dict[str, TaskStatus] = {m.value: m for m in TaskStatus}
_SOURCES: dict[str, DataSource | str] = {m.value: m for m in DataSource}
# Member names too: the spec's CompanySize description cites SIZE_51_200 while
# its enum lists "51-200".
_SIZES: dict[str, CompanySize | str] = {
    **{m.value: m for m in CompanySize},
    **{m.name: m for m in CompanySize},
}


def _typed(value: Any, kind: type[D], name: str) -> D:
    """``value`` if it has the documented type (a bool is not an int)."""
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ParseError(f"{name} should be {kind.__name__}, got {value!r:.40}")
    return value


def _maybe(value: Any, kind: type[D], name: str) -> D | None:
    return None if value is None else _typed(value, kind, name)


def _strings(value: Any, name: str) -> tuple[str, ...]:
    if value is None:
        return ()
    return tuple(_typed(v, str, name) for v in _typed(value, list, name))


def _enum(table: dict[str, Any], value: Any, name: str) -> Any:
    """The enum member for a known value; an unknown string stays a plain string."""
    return table.get(_typed(value, str, name), value)


def _status(value: Any) -> TaskStatus:
    """The member for a documented status; a pseudo-member (TaskStatus) for any other."""
    text = _typed(value, str, "status")
    return _STATUSES.get(text) or TaskStatus(text)


def _datetime(value: Any, name: str) -> datetime.datetime:
    try:
        return datetime.datetime.fromisoformat(_typed(value, str, name))
    except ValueError as exc:
        raise ParseError(f"{name} is not an ISO 8601 date-time: {value!r:.40}") from exc


def _extra(data: Mapping[str, Any], known: frozenset[str]) -> dict[str, Any]:
    return {} if known.issuperset(data) else {k: v for k, v in data.items() if k not in known}


def _object(data: Any, name: str = "response") -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise ParseError(f"{name} should be a JSON object, got {type(data).__name__}")
    return data


def _criterion(data: Any) -> Criterion:
    d = _object(data, "criterion")
    return Criterion(
        _typed(d["key"], str, "criterion key"),
        _typed(d["name"], str, "criterion name"),
        _typed(d["criterion"], str, "criterion text"),
    )


def _task(d: Mapping[str, Any], known: frozenset[str]) -> Task:
    """Documented defaults apply: a missing counter is 0, is_exhausted False."""
    sources = d.get("data_sources")
    criteria = d.get("criteria")
    return Task(
        id=_typed(d["id"], str, "id"),
        created_at=_datetime(d["created_at"], "created_at"),
        status=_status(d["status"]),
        query=_typed(d["query"], str, "query"),
        desired_num_results=_typed(d["desired_num_results"], int, "desired_num_results"),
        is_exhausted=_typed(d.get("is_exhausted", False), bool, "is_exhausted"),
        num_results_discovered=_typed(
            d.get("num_results_discovered", 0), int, "num_results_discovered"
        ),
        num_results_enriched=_typed(d.get("num_results_enriched", 0), int, "num_results_enriched"),
        num_results_evaluated=_typed(
            d.get("num_results_evaluated", 0), int, "num_results_evaluated"
        ),
        num_results=_typed(d.get("num_results", 0), int, "num_results"),
        table_id=_maybe(d.get("table_id"), str, "table_id"),
        auto_data_sources=_typed(d.get("auto_data_sources", True), bool, "auto_data_sources"),
        data_sources=(
            None
            if sources is None
            else tuple(
                _enum(_SOURCES, s, "data_sources") for s in _typed(sources, list, "data_sources")
            )
        ),
        criteria=(
            ()
            if criteria is None
            else tuple(_criterion(c) for c in _typed(criteria, list, "criteria"))
        ),
        exclude_domains=_strings(d.get("exclude_domains"), "exclude_domains"),
        extra=_extra(d, known),
    )


def _score(data: Any) -> CriterionScore:
    d = _object(data, "score")
    return CriterionScore(
        grade=_maybe(d.get("grade"), int, "grade"),
        explanation=_maybe(d.get("explanation"), str, "explanation"),
        sources=_strings(d.get("sources"), "sources"),
    )


def _result(data: Any, criteria_keys: tuple[str, ...] | None = None) -> Result:
    d = _object(data, "result")
    created = d.get("created_at")
    scores = d.get("scores")
    size = d.get("employee_count")
    return Result(
        id=_typed(d["id"], str, "result id"),
        task_id=_typed(d["task_id"], str, "task_id"),
        company_name=_typed(d["company_name"], str, "company_name"),
        company_description=_typed(d["company_description"], str, "company_description"),
        company_website=_typed(d["company_website"], str, "company_website"),
        relevance=_maybe(d["relevance"], int, "relevance"),
        created_at=None if created is None else _datetime(created, "created_at"),
        company_profile_id=_maybe(d.get("company_profile_id"), str, "company_profile_id"),
        source=_enum(_SOURCES, d.get("source", "web_search"), "source"),
        scores=(
            {}
            if scores is None
            else {k: _score(v) for k, v in _typed(scores, dict, "scores").items()}
        ),
        founding_year=_maybe(d.get("founding_year"), int, "founding_year"),
        employee_count=None if size is None else _enum(_SIZES, size, "employee_count"),
        hq_country=_maybe(d.get("hq_country"), str, "hq_country"),
        hq_state_province=_maybe(d.get("hq_state_province"), str, "hq_state_province"),
        hq_city=_maybe(d.get("hq_city"), str, "hq_city"),
        company_full_description=_maybe(
            d.get("company_full_description"), str, "company_full_description"
        ),
        extra=_extra(d, RESULT_FIELDS),
        criteria_keys=criteria_keys,
    )


def parse_task(data: Any) -> Task:
    """A task object (create, get, resume)."""
    try:
        return _task(_object(data), TASK_FIELDS)
    except KeyError as exc:
        raise ParseError(f"task object lacks required field {exc}") from exc


def parse_results_page(data: Any) -> tuple[Task, list[Result]]:
    """A results page: the task as of this read, and its rows."""
    try:
        page = _object(data)
        rows = _typed(page["results"], list, "results")
        task = _task(page, _TASK_AND_RESULTS)
        keys = tuple(c.key for c in task.criteria) or None  # None: not known
        return task, [_result(r, keys) for r in rows]
    except KeyError as exc:
        raise ParseError(f"results page lacks required field {exc}") from exc


def parse_task_list(data: Any) -> list[Task]:
    """The list endpoint's JSON array of tasks."""
    return [parse_task(item) for item in _typed(data, list, "task list")]


def parse_rows(data: Any) -> list[dict[str, Any]]:
    """The tables endpoint's JSON array of created rows, as plain dicts."""
    try:
        return [
            TableRowOutput.from_dict(_object(item)).to_dict() for item in _typed(data, list, "rows")
        ]
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ParseError(f"not a table row: {exc!r}") from exc
