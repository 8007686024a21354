"""What the operator returns to XCom, and the result files it writes.

The XCom value is a plain JSON dict: the task's id, status and counts, and
either the results as records (:func:`~extruct_deep_search.exports.result_record`)
or, when a ``results_path`` is given, only the path, its format and the row
count. The token is never part of it.
"""

from __future__ import annotations

import importlib
import io
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .._errors import InvalidArgumentError
from .._types import Result, Task
from ..exports import criteria_keys_of, to_records, to_rows, write_csv, write_jsonl

__all__ = ["FORMATS", "summary", "write_results"]

FORMATS = ("jsonl", "csv", "parquet")
_SUFFIXES = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".parquet": "parquet"}


WritablePath = Any
"""A local ``Path`` or an Airflow ``ObjectStoragePath`` (both have suffix, parent, open)."""


def summary(task: Task, key: str | None) -> dict[str, Any]:
    """The part of the XCom value every output has."""
    return {
        "task_id": task.id,
        "key": key,
        "status": str(task.status),
        "query": task.query,
        "desired_num_results": task.desired_num_results,
        "is_exhausted": task.is_exhausted,
        "num_results_discovered": task.num_results_discovered,
        "num_results_enriched": task.num_results_enriched,
        "num_results_evaluated": task.num_results_evaluated,
        "num_results": task.num_results,
        "criteria_keys": [c.key for c in task.criteria],
    }


def records(task: Task, key: str | None, results: Sequence[Result]) -> dict[str, Any]:
    """The XCom value holding every result as a record."""
    return {**summary(task, key), "num_records": len(results), "results": to_records(results)}


def resolve_path(path: str | os.PathLike[str] | WritablePath) -> WritablePath:
    """A local path, or an ObjectStoragePath for a URL such as ``s3://bucket/x.jsonl``."""
    if isinstance(path, str) and "://" in path:
        from airflow.sdk import ObjectStoragePath

        return ObjectStoragePath(path)
    if isinstance(path, str | os.PathLike):
        return Path(path)
    return path


def file_format(path: WritablePath, given: str | None) -> str:
    """The format asked for, or the one the path's suffix names."""
    if given is not None:
        if given not in FORMATS:
            raise InvalidArgumentError(
                "results_format", f"must be one of {', '.join(FORMATS)}, got {given!r}"
            )
        return given
    found = _SUFFIXES.get(path.suffix.lower())
    if found is None:
        raise InvalidArgumentError(
            "results_path",
            f"has suffix {path.suffix!r}; use .jsonl, .csv or .parquet, or set results_format",
        )
    return found


def _write_parquet(results: Sequence[Result], criteria_keys: list[str], path: WritablePath) -> None:
    try:
        pyarrow = importlib.import_module("pyarrow")
        parquet = importlib.import_module("pyarrow.parquet")
    except ImportError as exc:
        raise ImportError("writing Parquet needs pyarrow: pip install pyarrow") from exc
    table = pyarrow.Table.from_pylist(to_rows(results, criteria_keys))
    buffer = io.BytesIO()
    parquet.write_table(table, buffer)
    with path.open("wb") as handle:
        handle.write(buffer.getvalue())


def write_results(
    task: Task,
    key: str | None,
    results: Sequence[Result],
    path: WritablePath,
    fmt: str,
) -> dict[str, Any]:
    """Write the results to ``path`` as ``fmt``; returns the XCom value (path and counts).

    CSV and Parquet have one flat row per company (columns of
    :func:`~extruct_deep_search.exports.csv_columns`, per criterion of the task);
    JSON Lines one full record per line.
    """
    keys = [c.key for c in task.criteria] or criteria_keys_of(results)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "jsonl":
        with path.open("w", encoding="utf-8") as handle:
            write_jsonl(results, handle)
    elif fmt == "csv":
        with path.open("w", encoding="utf-8", newline="") as handle:
            write_csv(results, handle, criteria_keys=keys)
    else:
        _write_parquet(results, keys, path)
    return {
        **summary(task, key),
        "num_records": len(results),
        "results_path": str(path),
        "results_format": fmt,
    }
