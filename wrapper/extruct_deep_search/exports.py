"""Exporters: results to CSV, JSON Lines, JSON, pandas, and the AI Tables rows body.

The CSV has one row per company with the columns in :data:`BASE_COLUMNS`, then,
for each criterion key, ``<key>_grade``, ``<key>_explanation`` and
``<key>_sources`` (the source URLs joined by a space). JSON and JSON Lines hold
every field of each result (see :func:`result_record`).

Usage::

    from extruct_deep_search.exports import table_rows, write_csv

    write_csv(run.results, "results.csv", criteria_keys=[c.key for c in run.task.criteria])
    body = table_rows(shortlisted)  # {"rows": [{"data": {"input": "https://..."}}], "run": False}
"""

from __future__ import annotations

import csv
import datetime
import enum
import importlib
import json
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import IO, Any

from ._types import Result, Task

__all__ = [
    "BASE_COLUMNS",
    "FileOrPath",
    "criteria_keys_of",
    "csv_columns",
    "result_record",
    "table_rows",
    "task_record",
    "to_dataframe",
    "to_records",
    "to_rows",
    "write_csv",
    "write_json",
    "write_jsonl",
]

FileOrPath = str | os.PathLike[str] | IO[str]
"""A path (the file is created or overwritten, UTF-8) or an open text file."""

BASE_COLUMNS: tuple[str, ...] = (
    "company_name",
    "company_website",
    "relevance",
    "company_description",
    "hq_country",
    "hq_state_province",
    "hq_city",
    "employee_count",
    "founding_year",
    "source",
)
"""The CSV columns every row has, before the per-criterion columns."""


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


def criteria_keys_of(results: Iterable[Result]) -> list[str]:
    """The criterion keys found in the results' scores, in order of first appearance."""
    keys: dict[str, None] = {}
    for result in results:
        for key in result.scores:
            keys.setdefault(key, None)
    return list(keys)


def csv_columns(criteria_keys: Sequence[str]) -> list[str]:
    """The CSV header: :data:`BASE_COLUMNS`, then grade, explanation and sources per key."""
    columns = list(BASE_COLUMNS)
    for key in criteria_keys:
        columns += [f"{key}_grade", f"{key}_explanation", f"{key}_sources"]
    return columns


def to_rows(
    results: Iterable[Result], criteria_keys: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """Flat rows, one per company, keyed by :func:`csv_columns`.

    Args:
        results: the results to flatten.
        criteria_keys: which criteria get columns, in order (e.g. the task's
            criteria keys); default: every key found in the results.

    Returns:
        One dict per result. Missing values are None; ``<key>_sources`` is the
        source URLs joined by a space.
    """
    results = list(results)
    keys = list(criteria_keys) if criteria_keys is not None else criteria_keys_of(results)
    rows: list[dict[str, Any]] = []
    for result in results:
        row: dict[str, Any] = {col: _plain(getattr(result, col)) for col in BASE_COLUMNS}
        for key in keys:
            score = result.scores.get(key)
            row[f"{key}_grade"] = score.grade if score else None
            row[f"{key}_explanation"] = score.explanation if score else None
            row[f"{key}_sources"] = " ".join(score.sources) if score else None
        rows.append(row)
    return rows


def result_record(result: Result) -> dict[str, Any]:
    """Every field of a result as a JSON-ready dict (scores keyed by criterion).

    Fields the server sent that this client does not model are included too.
    """
    record: dict[str, Any] = {str(k): _plain(v) for k, v in result.extra.items()}
    record.update(
        {
            "id": result.id,
            "task_id": result.task_id,
            "company_name": result.company_name,
            "company_website": result.company_website,
            "company_description": result.company_description,
            "company_full_description": result.company_full_description,
            "relevance": result.relevance,
            "scores": {
                key: {
                    "grade": score.grade,
                    "explanation": score.explanation,
                    "sources": list(score.sources),
                }
                for key, score in result.scores.items()
            },
            "hq_country": result.hq_country,
            "hq_state_province": result.hq_state_province,
            "hq_city": result.hq_city,
            "employee_count": _plain(result.employee_count),
            "founding_year": result.founding_year,
            "source": _plain(result.source),
            "company_profile_id": result.company_profile_id,
            "created_at": _plain(result.created_at),
        }
    )
    return record


def task_record(task: Task) -> dict[str, Any]:
    """Every field of a task as a JSON-ready dict (criteria as ``{key, name, criterion}``)."""
    record: dict[str, Any] = {str(k): _plain(v) for k, v in task.extra.items()}
    record.update(
        {
            "id": task.id,
            "created_at": _plain(task.created_at),
            "status": _plain(task.status),
            "query": task.query,
            "desired_num_results": task.desired_num_results,
            "is_exhausted": task.is_exhausted,
            "num_results_discovered": task.num_results_discovered,
            "num_results_enriched": task.num_results_enriched,
            "num_results_evaluated": task.num_results_evaluated,
            "num_results": task.num_results,
            "table_id": task.table_id,
            "auto_data_sources": task.auto_data_sources,
            "data_sources": _plain(task.data_sources),
            "criteria": [
                {"key": c.key, "name": c.name, "criterion": c.criterion} for c in task.criteria
            ],
            "exclude_domains": list(task.exclude_domains),
        }
    )
    return record


def to_records(results: Iterable[Result]) -> list[dict[str, Any]]:
    """:func:`result_record` of each result."""
    return [result_record(r) for r in results]


@contextmanager
def _opened(file: FileOrPath, newline: str | None = None) -> Iterator[IO[str]]:
    if isinstance(file, str | os.PathLike):
        with open(file, "w", encoding="utf-8", newline=newline) as handle:
            yield handle
    else:
        yield file


def write_csv(
    results: Iterable[Result],
    file: FileOrPath,
    criteria_keys: Sequence[str] | None = None,
) -> int:
    """Write results as CSV (header from :func:`csv_columns`); returns the row count.

    Args:
        results: the results to write.
        file: a path (UTF-8, overwritten) or an open text file (open it with
            ``newline=""``, as the csv module requires).
        criteria_keys: which criteria get columns, in order; default: every key
            found in the results. Pass the task's keys so the columns are stable
            even when no result has a score yet.
    """
    results = list(results)
    keys = list(criteria_keys) if criteria_keys is not None else criteria_keys_of(results)
    rows = to_rows(results, keys)
    with _opened(file, newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=csv_columns(keys), lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


def write_jsonl(results: Iterable[Result], file: FileOrPath) -> int:
    """Write one JSON object per line (:func:`result_record`); returns the count."""
    count = 0
    with _opened(file) as handle:
        for result in results:
            handle.write(json.dumps(result_record(result), ensure_ascii=False) + "\n")
            count += 1
    return count


def write_json(results: Iterable[Result], file: FileOrPath, *, indent: int | None = 2) -> int:
    """Write a JSON array of :func:`result_record` objects; returns the count."""
    records = to_records(results)
    with _opened(file) as handle:
        json.dump(records, handle, ensure_ascii=False, indent=indent)
        handle.write("\n")
    return len(records)


def to_dataframe(results: Iterable[Result], criteria_keys: Sequence[str] | None = None) -> Any:
    """The rows of :func:`to_rows` as a ``pandas.DataFrame`` (pandas is imported only here).

    Raises:
        ImportError: pandas is not installed (``pip install 'extruct-deep-search[pandas]'``).
    """
    try:
        pandas = importlib.import_module("pandas")
    except ImportError as exc:
        raise ImportError(
            "to_dataframe() needs pandas: pip install 'extruct-deep-search[pandas]'"
        ) from exc
    keys = None if criteria_keys is None else list(criteria_keys)
    results = list(results)
    columns = csv_columns(keys if keys is not None else criteria_keys_of(results))
    return pandas.DataFrame(to_rows(results, keys), columns=columns)


def table_rows(
    results: Iterable[Result],
    *,
    run: bool = False,
    key: Callable[[Result], str | None] | None = None,
) -> dict[str, Any]:
    """The AI Tables "add rows" body for these results, as Extruct's guide maps it.

    Each result's ``company_website`` becomes one row's ``data.input``
    (``POST /v1/tables/{table_id}/rows``). Results without a website are
    skipped and repeated websites are sent once, keeping the first.

    Args:
        results: e.g. the output of :func:`~extruct_deep_search.shortlist.shortlist`.
        run: whether AI Tables should run the table's columns on the new rows.
        key: what to send as input instead of the website (e.g. the company name).

    Returns:
        ``{"rows": [{"data": {"input": website}}, ...], "run": run}``.
    """
    pick = key or (lambda r: r.company_website)
    inputs: dict[str, None] = {}
    for result in results:
        value = pick(result)
        if value:
            inputs.setdefault(value, None)
    return {"rows": [{"data": {"input": value}} for value in inputs], "run": run}
