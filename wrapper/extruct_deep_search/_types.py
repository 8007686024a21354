"""The public models: what users read (Task, Result, CriterionScore) and pass (Criterion).

They are plain frozen attrs classes, never the generator's models: no UNSET
(documented defaults are applied: a missing counter is 0), and an enum value
this client does not know yet stays a plain string instead of failing.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

import attrs

from ._core.polling import is_finished

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
    """Documented task statuses. Fields typed ``TaskStatus | str`` may hold others."""

    CREATED = "created"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    FAILED = "failed"


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

    ``status`` is a :class:`TaskStatus` (or a plain string for a status this
    client does not know). Counters: ``num_results_discovered`` >=
    ``num_results_enriched`` >= ``num_results_evaluated`` >= ``num_results``,
    where ``num_results`` counts high-fit results (at least 75% of criteria
    graded 4-5). ``is_exhausted`` means the candidate pool is depleted;
    evaluation may still be running, so it does not mean the task is finished.
    """

    id: str
    created_at: datetime.datetime
    status: TaskStatus | str
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

    def grade(self, key: str) -> int | None:
        """The grade on criterion ``key``, or None when missing or not evaluated."""
        score = self.scores.get(key)
        return score.grade if score is not None else None


@attrs.frozen
class SearchRun:
    """The outcome of :meth:`DeepSearch.run`: the finished task and all its results."""

    task: Task
    results: list[Result]
