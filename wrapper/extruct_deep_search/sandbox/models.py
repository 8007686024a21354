"""The sandbox's records: a validated create body, a candidate, a task, an API error.

Plain data shared by ``simulation`` (which advances tasks), ``responses`` (which
shapes them as JSON) and ``state`` (which stores them); no rules live here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .corpus import Company
from .lifecycle import Lifecycle, Status

__all__ = ["ApiError", "Candidate", "CreateInput", "Criterion", "Task"]

Criterion = tuple[str, str, str]
"""A criterion as (key, name, criterion text)."""


class ApiError(Exception):
    """An HTTP error the app turns into ``{"detail": detail}`` with ``status``."""

    def __init__(self, status: int, detail: str | list[dict[str, Any]]) -> None:
        super().__init__(status, detail)
        self.status = status
        self.detail = detail


@dataclass(frozen=True)
class CreateInput:
    """A validated create-task body."""

    query: str
    desired_num_results: int = 100
    auto_data_sources: bool = True
    data_sources: list[str] | None = None
    criteria: list[Criterion] | None = None
    exclude_domains: list[str] | None = None
    exclude_task_ids: list[str] | None = None
    table_id: str | None = None


@dataclass(frozen=True)
class Candidate:
    """One company in a task's pool, with its grades decided up front."""

    company: Company
    passes: bool
    grades: tuple[int | None, ...]
    relevance: int | None
    high_fit: bool
    source: str


@dataclass
class Task:
    """A task: its input, frozen pool and exclusions, and its progress so far."""

    id: str
    org: str
    seq: int
    created_at: float
    input: CreateInput
    criteria: list[Criterion]
    exclude_domains: list[str]
    pool: list[Candidate]
    passing: list[int]
    last: float
    desired: int
    lifecycle: Lifecycle = field(default_factory=Lifecycle)
    waited: float = 0.0
    work: float = 0.0
    evaluated: int = 0
    high_fit: int = 0
    results: list[dict[str, Any]] = field(default_factory=list)

    @property
    def status(self) -> Status:
        """The current status (changed only through ``lifecycle``)."""
        return self.lifecycle.status
