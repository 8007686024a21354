"""The only module that imports the generated client (extruct_deep_search_client).

It turns calls into :class:`RequestSpec` values with the generated request
builders and models, and turns response JSON into the public models through
the generated ``from_dict`` parsers. Here, and only here, the generator's
``UNSET`` is replaced by the documented defaults.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import Enum
from typing import Any, TypeVar

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
    CriterionScores,
    DiscoveryDataSource,
    DiscoveryTaskInput,
    DiscoveryTaskOutput,
    DiscoveryTaskResultOutput,
    DiscoveryTaskResultsOutput,
    ResumeDiscoveryTaskInput,
    TableRowInput,
    TableRowInputData,
    TableRowOutput,
    TableRowsInput,
)
from extruct_deep_search_client.models import (
    CriterionScore as GenCriterionScore,
)
from extruct_deep_search_client.types import Unset

from ._core.effects import RequestSpec
from ._types import CompanySize, Criterion, CriterionScore, DataSource, Result, Task, TaskStatus

E = TypeVar("E", bound=Enum)
D = TypeVar("D")


class ParseError(Exception):
    """A response body did not have the documented shape."""


def _spec(
    kwargs: dict[str, Any], *, idempotent: bool, exhausted_on_400: bool = False
) -> RequestSpec:
    return RequestSpec(
        method=kwargs["method"].upper(),
        path=kwargs["url"],
        params=kwargs.get("params", {}),
        json=kwargs.get("json"),
        idempotent=idempotent,
        exhausted_on_400=exhausted_on_400,
    )


# Requests. create and resume are not idempotent: a re-send can act twice.


def create_request(
    query: str,
    *,
    desired_num_results: int,
    criteria: Sequence[Criterion] | None,
    exclude_domains: Sequence[str] | None,
    exclude_task_ids: Sequence[str] | None,
    data_sources: Sequence[str] | None,
) -> RequestSpec:
    """POST /v1/discovery_tasks. Giving data_sources turns auto_data_sources off."""
    body = DiscoveryTaskInput(
        query=query,
        desired_num_results=desired_num_results,
        auto_data_sources=data_sources is None,
    )
    if data_sources is not None:
        body.data_sources = [DiscoveryDataSource(s) for s in data_sources]
    if criteria is not None:
        body.criteria = [
            CriterionDefinition(key=c.key, name=c.name, criterion=c.criterion) for c in criteria
        ]
    if exclude_domains is not None:
        body.exclude_domains = list(exclude_domains)
    if exclude_task_ids is not None:
        body.exclude_task_ids = list(exclude_task_ids)
    return _spec(create_task._get_kwargs(body=body), idempotent=False)


def get_request(task_id: str) -> RequestSpec:
    """GET /v1/discovery_tasks/{task_id}."""
    return _spec(get_task._get_kwargs(task_id), idempotent=True)


def results_request(task_id: str, *, offset: int, limit: int) -> RequestSpec:
    """GET /v1/discovery_tasks/{task_id}/results?offset=&limit=."""
    kwargs = get_task_results._get_kwargs(task_id, offset=offset, limit=limit)
    return _spec(kwargs, idempotent=True)


def resume_request(task_id: str, desired_new_results: int) -> RequestSpec:
    """POST /v1/discovery_tasks/{task_id}/resume; its 400 means exhausted."""
    body = ResumeDiscoveryTaskInput(desired_new_results=desired_new_results)
    kwargs = resume_task._get_kwargs(task_id, body=body)
    return _spec(kwargs, idempotent=False, exhausted_on_400=True)


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
    return _spec(add_table_rows._get_kwargs(table_id, body=body), idempotent=False)


# Responses.


def _typed(value: Any, kind: type[D], name: str) -> D:
    """``value`` if it has the documented type; the generator itself checks no types."""
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ParseError(f"{name} should be {kind.__name__}, got {value!r:.40}")
    return value


def _count(value: int | Unset, name: str) -> int:
    return 0 if isinstance(value, Unset) else _typed(value, int, name)


def _or(value: D | Unset | None, default: D) -> D:
    return default if value is None or isinstance(value, Unset) else value


def _opt(value: D | Unset | None) -> D | None:
    return None if isinstance(value, Unset) else value


def _enum(cls: type[E], value: Any) -> E | str:
    """Our enum member for a known value or member name; the plain string otherwise.

    Member names are accepted because the spec's CompanySize description cites
    them (SIZE_51_200) while its enum lists the values ("51-200").
    """
    raw = value.value if isinstance(value, Enum) else value
    try:
        return cls(raw)
    except ValueError:
        member = cls.__members__.get(str(raw))
        return member if member is not None else str(raw)


def _task(gen: DiscoveryTaskOutput | DiscoveryTaskResultsOutput) -> Task:
    criteria = _or(gen.criteria, [])
    sources = _opt(gen.data_sources)
    return Task(
        id=_typed(gen.id, str, "id"),
        created_at=gen.created_at,
        status=_enum(TaskStatus, _typed(gen.status, str, "status")),
        query=gen.query,
        desired_num_results=_typed(gen.desired_num_results, int, "desired_num_results"),
        is_exhausted=_or(gen.is_exhausted, False) is True,
        num_results_discovered=_count(gen.num_results_discovered, "num_results_discovered"),
        num_results_enriched=_count(gen.num_results_enriched, "num_results_enriched"),
        num_results_evaluated=_count(gen.num_results_evaluated, "num_results_evaluated"),
        num_results=_count(gen.num_results, "num_results"),
        table_id=_opt(gen.table_id),
        auto_data_sources=_or(gen.auto_data_sources, True),
        data_sources=None if sources is None else tuple(_enum(DataSource, s) for s in sources),
        criteria=tuple(Criterion(c.key, c.name, c.criterion) for c in criteria),
        exclude_domains=tuple(_or(gen.exclude_domains, [])),
        extra=gen.additional_properties,
    )


def _score(gen: GenCriterionScore) -> CriterionScore:
    grade = _opt(gen.grade)
    return CriterionScore(
        grade=None if grade is None else _typed(grade, int, "grade"),
        explanation=_opt(gen.explanation),
        sources=tuple(_or(gen.sources, [])),
    )


def _result(gen: DiscoveryTaskResultOutput) -> Result:
    scores = gen.scores
    size = _opt(gen.employee_count)
    relevance = gen.relevance
    return Result(
        id=_typed(gen.id, str, "result id"),
        task_id=gen.task_id,
        company_name=gen.company_name,
        company_description=gen.company_description,
        company_website=gen.company_website,
        relevance=None if relevance is None else _typed(relevance, int, "relevance"),
        created_at=_opt(gen.created_at),
        company_profile_id=_opt(gen.company_profile_id),
        source=_enum(DataSource, _or(gen.source, "web_search")),
        scores=(
            {k: _score(v) for k, v in scores.additional_properties.items()}
            if isinstance(scores, CriterionScores)
            else {}
        ),
        founding_year=_opt(gen.founding_year),
        employee_count=None if size is None else _enum(CompanySize, size),
        hq_country=_opt(gen.hq_country),
        hq_state_province=_opt(gen.hq_state_province),
        hq_city=_opt(gen.hq_city),
        company_full_description=_opt(gen.company_full_description),
        extra=gen.additional_properties,
    )


def _object(data: Any) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise ParseError(f"expected a JSON object, got {type(data).__name__}")
    return data


def parse_task(data: Any) -> Task:
    """A task object (create, get, resume)."""
    try:
        return _task(DiscoveryTaskOutput.from_dict(_object(data)))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ParseError(f"not a task object: {exc!r}") from exc


def parse_results_page(data: Any) -> tuple[Task, list[Result]]:
    """A results page: the task as of this read, and its rows."""
    try:
        page = DiscoveryTaskResultsOutput.from_dict(_object(data))
        return _task(page), [_result(r) for r in page.results]
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ParseError(f"not a results page: {exc!r}") from exc


def parse_task_list(data: Any) -> list[Task]:
    """The list endpoint's JSON array of tasks."""
    if not isinstance(data, list):
        raise ParseError(f"expected a JSON array of tasks, got {type(data).__name__}")
    return [parse_task(item) for item in data]


def parse_rows(data: Any) -> list[dict[str, Any]]:
    """The tables endpoint's JSON array of created rows, as plain dicts."""
    if not isinstance(data, list):
        raise ParseError(f"expected a JSON array of rows, got {type(data).__name__}")
    try:
        return [TableRowOutput.from_dict(_object(item)).to_dict() for item in data]
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ParseError(f"not a table row: {exc!r}") from exc
