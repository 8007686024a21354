"""The public models: what users read (Task, Result, CriterionScore) and pass (Criterion).

They are plain frozen attrs classes, never the generator's models: no UNSET
(documented defaults are applied: a missing counter is 0), and an enum value
this client does not know yet stays a plain string instead of failing.
"""

from __future__ import annotations

import datetime
import enum
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

import attrs

from ._core.polling import is_finished
from ._errors import InvalidArgumentError, shown

__all__ = [
    "CompanySize",
    "Criterion",
    "CriterionScore",
    "DataSource",
    "Result",
    "SearchRun",
    "Task",
    "TaskStatus",
]


class TaskStatus(StrEnum):
    """Task statuses: the four documented ones, and any other the server sends.

    A status this client does not know yet becomes a pseudo-member instead of
    an error: ``TaskStatus("paused")`` equals ``"paused"``, prints as it, and
    is not one of the four members (``list(TaskStatus)``). ``Task.status`` is
    therefore always a TaskStatus, which IDEs complete, while a new status
    still arrives intact; the completion rule treats it as still running.
    Because of it, a ``match`` over the members needs a ``case _:``.
    """

    CREATED = "created"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    FAILED = "failed"

    @classmethod
    def _missing_(cls, value: object) -> TaskStatus | None:
        if not isinstance(value, str):
            return None
        pseudo = str.__new__(cls, value)
        pseudo._name_ = value
        pseudo._value_ = value
        return pseudo


class DataSource(StrEnum):
    """Documented data sources for discovery."""

    WEB_SEARCH = "web_search"
    LINKEDIN = "linkedin"
    MAPS = "maps"


class CompanySize(StrEnum):
    """Employee headcount buckets (LinkedIn-style ranges)."""

    SIZE_1_10 = "1-10"
    SIZE_11_50 = "11-50"
    SIZE_51_200 = "51-200"
    SIZE_201_500 = "201-500"
    SIZE_501_1000 = "501-1000"
    SIZE_1001_5000 = "1001-5000"
    SIZE_5001_10000 = "5001-10000"
    SIZE_10001_PLUS = "10001+"


@attrs.frozen
class Criterion:
    """A criterion each result is graded on, 1 (weak) to 5 (strong).

    Args:
        key: identifier matching ``^[a-zA-Z][a-zA-Z0-9_]*$``, e.g. ``"b2b_saas"``.
        name: human-readable name, 1-100 characters.
        criterion: the text to evaluate companies against, 10-500 characters.

    Usage::

        Criterion("b2b", "B2B", "Sells primarily to other businesses")
    """

    key: str
    name: str
    criterion: str


@attrs.frozen(kw_only=True)
class Task:
    """A Deep Search task as last seen.

    ``status`` is a :class:`TaskStatus` (a pseudo-member for a status this
    client does not know; a plain string given here is converted). Counters: ``num_results_discovered`` >=
    ``num_results_enriched`` >= ``num_results_evaluated`` >= ``num_results``,
    where ``num_results`` counts high-fit results (at least 75% of criteria
    graded 4-5). ``is_exhausted`` means the candidate pool is depleted;
    evaluation may still be running, so it does not mean the task is finished.
    """

    id: str
    created_at: datetime.datetime
    status: TaskStatus = attrs.field(converter=TaskStatus)
    query: str
    desired_num_results: int
    is_exhausted: bool = False
    num_results_discovered: int = 0
    num_results_enriched: int = 0
    num_results_evaluated: int = 0
    num_results: int = 0
    table_id: str | None = None
    auto_data_sources: bool = True
    data_sources: tuple[DataSource | str, ...] | None = None
    criteria: tuple[Criterion, ...] = ()
    exclude_domains: tuple[str, ...] = ()
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False, eq=False)
    """Fields the server sent that this client does not know."""

    @property
    def is_terminal(self) -> bool:
        """True when the task will not change by itself any more (done or failed)."""
        return is_finished(self.status)

    def to_dict(self) -> dict[str, Any]:
        """Every field as a JSON-ready dict (criteria as ``{key, name, criterion}``).

        Fields the server sent that this client does not model are included too.
        """
        record: dict[str, Any] = {str(k): _plain(v) for k, v in self.extra.items()}
        record.update(
            {
                "id": self.id,
                "created_at": _plain(self.created_at),
                "status": _plain(self.status),
                "query": self.query,
                "desired_num_results": self.desired_num_results,
                "is_exhausted": self.is_exhausted,
                "num_results_discovered": self.num_results_discovered,
                "num_results_enriched": self.num_results_enriched,
                "num_results_evaluated": self.num_results_evaluated,
                "num_results": self.num_results,
                "table_id": self.table_id,
                "auto_data_sources": self.auto_data_sources,
                "data_sources": _plain(self.data_sources),
                "criteria": [
                    {"key": c.key, "name": c.name, "criterion": c.criterion} for c in self.criteria
                ],
                "exclude_domains": list(self.exclude_domains),
            }
        )
        return record

    def _repr_html_(self) -> str:
        from ._html import task_html

        return task_html(self)


@attrs.frozen(kw_only=True)
class CriterionScore:
    """How one result scored on one criterion.

    ``grade`` is 1-5, or None when the evaluation failed.
    """

    grade: int | None = None
    explanation: str | None = None
    sources: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class Result:
    """One company found by a task. ``scores`` maps criterion key to its score."""

    id: str
    task_id: str
    company_name: str
    company_description: str
    company_website: str
    relevance: int | None
    created_at: datetime.datetime | None = None
    company_profile_id: str | None = None
    source: DataSource | str = DataSource.WEB_SEARCH
    scores: Mapping[str, CriterionScore] = attrs.field(factory=dict)
    founding_year: int | None = None
    employee_count: CompanySize | str | None = None
    hq_country: str | None = None
    hq_state_province: str | None = None
    hq_city: str | None = None
    company_full_description: str | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False, eq=False)
    """Fields the server sent that this client does not know."""
    criteria_keys: tuple[str, ...] | None = attrs.field(default=None, repr=False, eq=False)
    """The keys of its task's criteria (set on results read from the API; None when unknown)."""

    def grade(self, key: str) -> int | None:
        """The grade (1-5) on criterion ``key``; None when it was not (or not yet) graded.

        Raises:
            InvalidArgumentError: ``key`` is none of the task's criteria (a typo
                would otherwise pass for "not graded"). Checked when the result
                knows its task's criteria, as results read from the API do.
        """
        score = self.scores.get(key)
        if score is not None:
            return score.grade
        if self.criteria_keys is not None and key not in self.criteria_keys:
            known = sorted({*self.criteria_keys, *self.scores})
            raise InvalidArgumentError(
                "key",
                f"{shown(key)} is not one of this result's criteria: "
                f"{', '.join(known) or '(none)'}",
            )
        return None

    def to_dict(self) -> dict[str, Any]:
        """Every field as a JSON-ready dict (scores keyed by criterion).

        Fields the server sent that this client does not model are included too.
        """
        record: dict[str, Any] = {str(k): _plain(v) for k, v in self.extra.items()}
        record.update(
            {
                "id": self.id,
                "task_id": self.task_id,
                "company_name": self.company_name,
                "company_website": self.company_website,
                "company_description": self.company_description,
                "company_full_description": self.company_full_description,
                "relevance": self.relevance,
                "scores": {
                    key: {
                        "grade": score.grade,
                        "explanation": score.explanation,
                        "sources": list(score.sources),
                    }
                    for key, score in self.scores.items()
                },
                "hq_country": self.hq_country,
                "hq_state_province": self.hq_state_province,
                "hq_city": self.hq_city,
                "employee_count": _plain(self.employee_count),
                "founding_year": self.founding_year,
                "source": _plain(self.source),
                "company_profile_id": self.company_profile_id,
                "created_at": _plain(self.created_at),
            }
        )
        return record


@attrs.frozen
class SearchRun:
    """The outcome of :meth:`DeepSearch.run`: the finished task and all its results.

    In Jupyter it shows as a table of the results (``_repr_html_``).
    """

    task: Task
    results: list[Result]

    def _repr_html_(self) -> str:
        from ._html import run_html

        return run_html(self)


def _plain(value: Any) -> Any:
    """A JSON-ready value: enums to their value, datetimes to ISO 8601, tuples to lists."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
