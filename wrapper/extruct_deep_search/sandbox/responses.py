"""JSON shaping: tasks, results and scores as the API's response bodies.

Field names and types follow openapi/upstream.yaml's ``DiscoveryTask``,
``DiscoveryTaskResult`` and ``CriterionScore``. Nothing here decides progress;
``task_json`` is handed the counters ``simulation.Progress`` computed.
"""

from __future__ import annotations

import hashlib
import random
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple

from .corpus import Company
from .matching import Spec, explain, parse, sources
from .models import Candidate, Task

__all__ = [
    "Progress",
    "exclusion_error",
    "hex_id",
    "iso",
    "page",
    "result_json",
    "task_json",
]


class Progress(NamedTuple):
    """A task's counters that depend on the simulation's rules."""

    discovered: int
    enriched: int
    is_exhausted: bool


def iso(ts: float) -> str:
    """Epoch seconds as ISO 8601 UTC to the microsecond: ``2023-11-07T05:31:56.123456Z``."""
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def hex_id(*parts: object) -> str:
    """A UUID4-shaped id derived from ``parts`` (same parts, same id)."""
    digest = hashlib.sha256(":".join(map(str, parts)).encode()).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


def page(items: Sequence[Any], offset: int | None, limit: int | None) -> list[Any]:
    """One page of ``items``; a missing limit means the rest."""
    start = max(offset or 0, 0)
    if limit is None:
        return list(items[start:])
    return list(items[start : start + max(limit, 0)])


def exclusion_error(msg: str) -> dict[str, Any]:
    """A 422 detail item about ``exclude_domains``."""
    return {"loc": ["body", "exclude_domains"], "msg": f"Value error, {msg}", "type": "value_error"}


def task_json(task: Task, progress: Progress) -> dict[str, Any]:
    """The task object returned by create, get, resume and list."""
    body = task.input
    return {
        "id": task.id,
        "created_at": iso(task.created_at),
        "status": task.status.value,
        "query": body.query,
        "desired_num_results": task.desired,
        "is_exhausted": progress.is_exhausted,
        "num_results_discovered": progress.discovered,
        "num_results_enriched": progress.enriched,
        "num_results_evaluated": task.evaluated,
        "num_results": task.high_fit,
        "table_id": body.table_id,
        "auto_data_sources": body.auto_data_sources,
        "data_sources": None if body.data_sources is None else list(body.data_sources),
        "criteria": [{"key": k, "name": n, "criterion": c} for k, n, c in task.criteria],
        "exclude_domains": list(task.exclude_domains),
    }


def result_json(task: Task, cand: Candidate, seed: int, now: float) -> dict[str, Any]:
    """One result row: the company's profile plus a score per criterion."""
    company = cand.company
    scores: dict[str, Any] = {}
    broad = "broad" in task.input.query.lower().split()
    for (key, name, text), grade in zip(task.criteria, cand.grades, strict=True):
        rng = random.Random(f"{seed}:{company.domain}:{key}")
        scores[key] = _score(parse(text, name, broad), company, grade, cand.source, rng)
    return {
        "id": hex_id(task.id, company.domain),
        "task_id": task.id,
        "created_at": iso(now),
        "company_name": company.name,
        "company_description": company.description,
        "company_website": company.website,
        "company_profile_id": company.profile_id,
        "source": cand.source,
        "relevance": cand.relevance,
        "scores": scores,
        "founding_year": company.founding_year,
        "employee_count": company.size,
        "hq_country": company.hq_country,
        "hq_state_province": company.hq_state_province,
        "hq_city": company.hq_city,
        "company_full_description": company.full_description,
    }


def _score(
    spec: Spec, company: Company, grade: int | None, source: str, rng: random.Random
) -> dict[str, Any]:
    if grade is None:
        return {
            "grade": None,
            "explanation": "Evaluation failed: no usable evidence.",
            "sources": None,
        }
    explanation, kind = explain(spec, company, grade, rng)
    return {
        "grade": grade,
        "explanation": explanation[:1000],
        "sources": sources(company, kind, source, rng),
    }
