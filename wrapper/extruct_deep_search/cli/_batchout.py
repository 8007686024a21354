"""What ``batch`` writes in DIR: one results file per search, companies.csv and summary.json.

Everything here turns values into bytes; ``_atomic.write_atomic`` puts them
on disk. The bytes depend only on the batch and the tasks' results, never on
the order searches finished in or the time, so a rerun that learns nothing
new writes nothing.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .. import Result, Search, Task
from .._core.domains import registered_domain
from ..exports import (
    FORMULA_PREFIXES,
    criteria_keys_of,
    write_csv,
    write_jsonl,
    write_parquet,
)

__all__ = [
    "COMPANIES",
    "EXTENSIONS",
    "SUMMARY",
    "Companies",
    "SearchRecord",
    "file_names",
    "results_bytes",
    "summary_bytes",
]

COMPANIES = "companies.csv"
SUMMARY = "summary.json"
EXTENSIONS = {"csv": ".csv", "jsonl": ".jsonl", "parquet": ".parquet"}

_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,119}$")
_UNSAFE_RUN = re.compile(r"[^A-Za-z0-9._-]+")
# Names the batch writes itself, and names Windows will not create.
_RESERVED = {"companies", "summary", "journal", "con", "prn", "aux", "nul"}
_RESERVED |= {f"{port}{n}" for port in ("com", "lpt") for n in range(1, 10)}


def _stem(key: str) -> str:
    if _SAFE.match(key) and key.split(".")[0].lower() not in _RESERVED:
        return key
    slug = _UNSAFE_RUN.sub("-", key).strip("-.")[:60] or "search"
    return f"{slug}-{hashlib.sha256(key.encode('utf-8')).hexdigest()[:10]}"


def file_names(keys: Sequence[str], fmt: str) -> dict[str, str]:
    """The results file of each key: ``<key>.csv`` when the key is a safe file name.

    Other keys (with ``/``, spaces, a reserved name, or equal to another key
    but for case, which some file systems confuse) get a readable slug and a
    hash of the key, so every key has its own file on every platform.
    """
    stems = {key: _stem(key) for key in keys}
    folded: dict[str, int] = {}
    for stem in stems.values():
        folded[stem.lower()] = folded.get(stem.lower(), 0) + 1
    extension = EXTENSIONS[fmt]
    names = {}
    for key, stem in stems.items():
        if folded[stem.lower()] > 1:
            stem = (
                f"{_UNSAFE_RUN.sub('-', key)[:60]}-{hashlib.sha256(key.encode()).hexdigest()[:10]}"
            )
        names[key] = stem + extension
    return names


def criteria_keys(task: Task | None, results: Sequence[Result]) -> list[str]:
    """The task's criterion keys, or those found in the results' scores."""
    if task is not None and task.criteria:
        return [c.key for c in task.criteria]
    return criteria_keys_of(results)


def results_bytes(
    results: Sequence[Result], keys: Sequence[str], fmt: str, *, raw: bool = False
) -> bytes:
    """One search's results file: CSV (exports.write_csv), JSON Lines or Parquet."""
    if fmt == "parquet":
        binary = io.BytesIO()
        write_parquet(results, binary, keys)
        return binary.getvalue()
    text = io.StringIO(newline="")
    if fmt == "csv":
        write_csv(results, text, keys, raw=raw)
    else:
        write_jsonl(results, text)
    return text.getvalue().encode("utf-8")


# companies.csv ----------------------------------------------------------------------------


@dataclass
class _Company:
    domain: str
    found_by: set[str]
    best: Result
    best_key: str
    best_position: int


def company_id(result: Result) -> str:
    """What identifies a company: its registered domain (``www.a.co.uk/x`` -> ``a.co.uk``).

    A website that does not parse as a domain stands for itself.
    """
    website = (result.company_website or "").strip()
    return registered_domain(website) or website.lower() or f"result:{result.id}"


def _rank(relevance: int | None) -> int:
    return -1 if relevance is None else relevance


def _grade(result: Result, criterion: str) -> int | None:
    # Searches of a batch may grade on different criteria: a missing one is an empty cell.
    score = result.scores.get(criterion)
    return score.grade if score is not None else None


def _cell(value: Any, raw: bool) -> Any:
    if not raw and isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


@dataclass
class Companies:
    """The companies of a batch, one per registered domain, merged as searches finish.

    ``positions`` maps each key to its place in the batch: it breaks ties (the
    earlier search wins) and orders the ``keys`` cell, so the file is the same
    whatever order the searches finished in.
    """

    positions: Mapping[str, int]
    _companies: dict[str, _Company] = field(default_factory=dict)
    _criteria: dict[str, list[str]] = field(default_factory=dict)

    def add(self, key: str, results: Sequence[Result], criteria: Sequence[str]) -> None:
        """Merge the results of search ``key`` (graded on ``criteria``)."""
        position = self.positions[key]
        self._criteria[key] = list(criteria)
        for result in results:
            domain = company_id(result)
            company = self._companies.get(domain)
            if company is None:
                self._companies[domain] = _Company(domain, {key}, result, key, position)
                continue
            company.found_by.add(key)
            better = _rank(result.relevance) - _rank(company.best.relevance)
            if better > 0 or (better == 0 and position < company.best_position):
                company.best, company.best_key, company.best_position = result, key, position

    def __len__(self) -> int:
        return len(self._companies)

    def found_more_than_once(self) -> int:
        """Companies that more than one search found (and so were paid for more than once)."""
        return sum(1 for c in self._companies.values() if len(c.found_by) > 1)

    def grade_columns(self) -> list[str]:
        """Criterion keys of every search, in batch order, each once."""
        seen: dict[str, None] = {}
        for key in sorted(self._criteria, key=self.positions.__getitem__):
            for criterion in self._criteria[key]:
                seen.setdefault(criterion, None)
        return list(seen)

    def to_csv(self, *, raw: bool = False) -> bytes:
        """companies.csv: best relevance first; grades from the search that graded it best."""
        grades = self.grade_columns()
        header = [
            "domain",
            "company_name",
            "company_website",
            "found_by",
            "keys",
            "best_key",
            "best_task_id",
            "relevance",
            *(f"grade_{g}" for g in grades),
        ]
        text = io.StringIO(newline="")
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow(header)
        rows = sorted(self._companies.values(), key=lambda c: (-_rank(c.best.relevance), c.domain))
        for company in rows:
            keys = sorted(company.found_by, key=self.positions.__getitem__)
            best = company.best
            cells = [
                company.domain,
                best.company_name,
                best.company_website,
                len(keys),
                ";".join(keys),
                company.best_key,
                best.task_id,
                best.relevance,
                *(_grade(best, g) for g in grades),
            ]
            writer.writerow([_cell(c, raw) for c in cells])
        return text.getvalue().encode("utf-8")


# summary.json -----------------------------------------------------------------------------


@dataclass
class SearchRecord:
    """What summary.json says about one search."""

    search: Search
    file: str
    task: Task | None = None
    status: str = "pending"
    results: int | None = None
    written: bool = False
    error: dict[str, str] | None = None

    def to_json(self) -> dict[str, Any]:
        """The JSON object of this search in summary.json."""
        task = self.task
        return {
            "key": self.search.key,
            "query": self.search.query,
            "desired_num_results": self.search.params.desired_num_results,
            "task_id": task.id if task else None,
            "status": self.status,
            "num_results": task.num_results if task else None,
            "num_results_evaluated": task.num_results_evaluated if task else None,
            "is_exhausted": task.is_exhausted if task else None,
            "results": self.results,
            "file": self.file if self.written else None,
            "error": self.error,
        }


def summary_bytes(
    records: Sequence[SearchRecord],
    extra: Mapping[str, Any],
    previous: Mapping[str, Mapping[str, Any]] | None = None,
) -> bytes:
    """summary.json: counts by status, then one object per search in batch order.

    A search still ``pending`` in this run (not reached yet) keeps its object
    from ``previous`` (the last summary, by key), so the file never forgets.
    """
    items = []
    for record in records:
        old = (previous or {}).get(record.search.key)
        fresh = record.status != "pending" or record.task is not None
        items.append(record.to_json() if fresh or old is None else dict(old))
    counts: dict[str, int] = {}
    for item in items:
        status = str(item.get("status"))
        counts[status] = counts.get(status, 0) + 1
    payload = {
        **extra,
        "searches": len(records),
        "by_status": dict(sorted(counts.items())),
        "results": items,
    }
    return (json.dumps(payload, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
