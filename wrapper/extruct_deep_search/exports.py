"""Exporters: results to CSV, JSON Lines, JSON, pandas, polars, Arrow and Parquet,
and the AI Tables rows body.

Every tabular export has one row per company and the same columns
(:func:`csv_columns`): :data:`BASE_COLUMNS`, then for each criterion key
``grade_<key>``, ``explanation_<key>`` and ``sources_<key>``. The names depend
only on the keys, so they are the same for every task with the same criteria.

- CSV: sources joined by a space. A text cell that a spreadsheet would run as a
  formula (it starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
  return) gets a leading ``'``; numbers stay numbers. ``raw=True`` turns this off.
- DataFrames and Parquet are typed: relevance, founding year and grades are
  nullable integers, sources a list of strings.
- JSON and JSON Lines hold every field of each result (see :func:`result_record`).

Usage::

    from extruct_deep_search.exports import table_rows, to_polars, write_csv, write_parquet

    keys = [c.key for c in run.task.criteria]
    write_csv(run.results, "results.csv", criteria_keys=keys)
    write_parquet(run.results, "results.parquet", criteria_keys=keys)
    frame = to_polars(run.results, keys)  # grade_<key> columns: frame.filter(pl.col("grade_dental") >= 4)
    body = table_rows(shortlisted)  # {"rows": [{"data": {"input": "https://..."}}], "run": False}
"""

from __future__ import annotations

import csv
import importlib
import json
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from types import ModuleType
from typing import IO, TYPE_CHECKING, Any, Literal

from ._errors import InvalidArgumentError
from ._types import Result, Task, _plain

if TYPE_CHECKING:
    import pandas
    import polars
    import pyarrow

__all__ = [
    "BASE_COLUMNS",
    "FORMULA_PREFIXES",
    "FileOrPath",
    "criteria_keys_of",
    "csv_columns",
    "result_record",
    "table_row_batches",
    "table_rows",
    "task_record",
    "to_arrow",
    "to_dataframe",
    "to_polars",
    "to_records",
    "to_rows",
    "write_csv",
    "write_json",
    "write_jsonl",
    "write_parquet",
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
"""The columns every row has, before the per-criterion columns."""

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet treat a CSV cell as a formula."""

Kind = Literal["int", "str", "list"]
_INT_COLUMNS = frozenset({"relevance", "founding_year"})


def criteria_keys_of(results: Iterable[Result]) -> list[str]:
    """The criterion keys found in the results' scores, in order of first appearance."""
    keys: dict[str, None] = {}
    for result in results:
        for key in result.scores:
            keys.setdefault(key, None)
    return list(keys)


def csv_columns(criteria_keys: Sequence[str]) -> list[str]:
    """The column names: :data:`BASE_COLUMNS`, then ``grade_<key>``,
    ``explanation_<key>`` and ``sources_<key>`` per criterion key."""
    columns = list(BASE_COLUMNS)
    for key in criteria_keys:
        columns += [f"grade_{key}", f"explanation_{key}", f"sources_{key}"]
    return columns


def _kinds(criteria_keys: Sequence[str]) -> dict[str, Kind]:
    kinds: dict[str, Kind] = {
        name: "int" if name in _INT_COLUMNS else "str" for name in BASE_COLUMNS
    }
    for key in criteria_keys:
        kinds.update({f"grade_{key}": "int", f"explanation_{key}": "str", f"sources_{key}": "list"})
    return kinds


def _keys(results: list[Result], criteria_keys: Sequence[str] | None) -> list[str]:
    return list(criteria_keys) if criteria_keys is not None else criteria_keys_of(results)


def _row(result: Result, keys: Sequence[str]) -> dict[str, Any]:
    """One result's cells, typed: sources stay a list."""
    row: dict[str, Any] = {col: _plain(getattr(result, col)) for col in BASE_COLUMNS}
    for key in keys:
        score = result.scores.get(key)
        row[f"grade_{key}"] = score.grade if score else None
        row[f"explanation_{key}"] = score.explanation if score else None
        row[f"sources_{key}"] = list(score.sources) if score else None
    return row


def to_rows(
    results: Iterable[Result], criteria_keys: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """Flat rows, one per company, keyed by :func:`csv_columns` (the CSV's cells).

    Args:
        results: the results to flatten.
        criteria_keys: which criteria get columns, in order (e.g. the task's
            criteria keys); default: every key found in the results.

    Returns:
        One dict per result. Missing values are None; ``sources_<key>`` is the
        source URLs joined by a space.
    """
    results = list(results)
    keys = _keys(results, criteria_keys)
    rows = [_row(result, keys) for result in results]
    for row in rows:
        for key in keys:
            sources = row[f"sources_{key}"]
            row[f"sources_{key}"] = None if sources is None else " ".join(sources)
    return rows


def _columns(
    results: Iterable[Result], criteria_keys: Sequence[str] | None
) -> tuple[dict[str, list[Any]], dict[str, Kind]]:
    """Column name -> values (typed: ints, strings, lists of sources), and each column's kind."""
    results = list(results)
    keys = _keys(results, criteria_keys)
    kinds = _kinds(keys)
    data: dict[str, list[Any]] = {name: [] for name in kinds}
    for result in results:
        for name, value in _row(result, keys).items():
            data[name].append(value)
    return data, kinds


def result_record(result: Result) -> dict[str, Any]:
    """Every field of a result as a JSON-ready dict: :meth:`Result.to_dict`."""
    return result.to_dict()


def task_record(task: Task) -> dict[str, Any]:
    """Every field of a task as a JSON-ready dict: :meth:`Task.to_dict`."""
    return task.to_dict()


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


def _neutralised(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def write_csv(
    results: Iterable[Result],
    file: FileOrPath,
    criteria_keys: Sequence[str] | None = None,
    *,
    raw: bool = False,
) -> int:
    """Write results as CSV (header from :func:`csv_columns`); returns the row count.

    Company names, descriptions and explanations come from the web, so anyone
    can plant a cell such as ``=HYPERLINK(...)`` that a spreadsheet would run.
    By default a text cell starting with one of :data:`FORMULA_PREFIXES` is
    written with a leading ``'`` (shown as text by Excel, LibreOffice and
    Google Sheets); numbers are written as numbers.

    Args:
        results: the results to write.
        file: a path (UTF-8, overwritten) or an open text file (open it with
            ``newline=""``, as the csv module requires).
        criteria_keys: which criteria get columns, in order; default: every key
            found in the results. Pass the task's keys so the columns are stable
            even when no result has a score yet.
        raw: write every cell exactly as the server sent it (no leading ``'``).
    """
    results = list(results)
    keys = _keys(results, criteria_keys)
    rows = to_rows(results, keys)
    if not raw:
        rows = [{name: _neutralised(value) for name, value in row.items()} for row in rows]
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


def _require(module: str, extra: str, what: str) -> ModuleType:
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(
            f"{what} needs {module}: pip install 'extruct-deep-search[{extra}]'"
        ) from exc


def to_dataframe(
    results: Iterable[Result], criteria_keys: Sequence[str] | None = None
) -> pandas.DataFrame:
    """A ``pandas.DataFrame`` with the columns of :func:`csv_columns`.

    Relevance, founding year and grades are nullable ``Int64`` columns (a
    missing grade is ``<NA>``, not a float); ``sources_<key>`` holds lists.

    Raises:
        ImportError: pandas is not installed (``pip install 'extruct-deep-search[pandas]'``).
    """
    pd = _require("pandas", "pandas", "to_dataframe()")
    data, kinds = _columns(results, criteria_keys)
    columns = {
        name: pd.array(values, dtype="Int64")
        if kinds[name] == "int"
        else pd.Series(values, dtype=object)
        for name, values in data.items()
    }
    frame: pandas.DataFrame = pd.DataFrame(columns, columns=list(data))
    return frame


def to_polars(
    results: Iterable[Result], criteria_keys: Sequence[str] | None = None
) -> polars.DataFrame:
    """A ``polars.DataFrame`` with the columns of :func:`csv_columns`.

    Relevance, founding year and grades are ``Int64``, text is ``String``,
    ``sources_<key>`` is ``List(String)``; the schema is the same with no rows.

    Raises:
        ImportError: polars is not installed (``pip install 'extruct-deep-search[polars]'``).
    """
    pl = _require("polars", "polars", "to_polars()")
    data, kinds = _columns(results, criteria_keys)
    types = {"int": pl.Int64, "str": pl.String, "list": pl.List(pl.String)}
    frame: polars.DataFrame = pl.DataFrame(
        data, schema={name: types[kind] for name, kind in kinds.items()}
    )
    return frame


def to_arrow(
    results: Iterable[Result], criteria_keys: Sequence[str] | None = None
) -> pyarrow.Table:
    """A ``pyarrow.Table`` with the columns of :func:`csv_columns`, typed as in :func:`to_polars`.

    Raises:
        ImportError: pyarrow is not installed (``pip install 'extruct-deep-search[parquet]'``).
    """
    pa = _require("pyarrow", "parquet", "to_arrow()")
    data, kinds = _columns(results, criteria_keys)
    types = {"int": pa.int64(), "str": pa.string(), "list": pa.list_(pa.string())}
    schema = pa.schema([(name, types[kind]) for name, kind in kinds.items()])
    table: pyarrow.Table = pa.table(data, schema=schema)
    return table


def write_parquet(
    results: Iterable[Result],
    file: str | os.PathLike[str] | IO[bytes],
    criteria_keys: Sequence[str] | None = None,
) -> int:
    """Write :func:`to_arrow`'s table as a Parquet file; returns the row count.

    Args:
        results: the results to write.
        file: a path (overwritten) or a binary file open for writing.
        criteria_keys: which criteria get columns, in order; default: every key
            found in the results.

    Raises:
        ImportError: pyarrow is not installed (``pip install 'extruct-deep-search[parquet]'``).
    """
    table = to_arrow(results, criteria_keys)
    parquet = _require("pyarrow.parquet", "parquet", "write_parquet()")
    parquet.write_table(table, file)
    return int(table.num_rows)


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


def table_row_batches(
    results: Iterable[Result],
    *,
    run: bool = False,
    batch_size: int = 100,
    key: Callable[[Result], str | None] | None = None,
) -> list[dict[str, Any]]:
    """:func:`table_rows` split into the request bodies ``add_table_rows`` sends.

    Each body holds at most ``batch_size`` rows, in order; no results give no batches.
    """
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise InvalidArgumentError("batch_size", f"must be an integer >= 1, got {batch_size!r}")
    rows = table_rows(results, run=run, key=key)["rows"]
    return [
        {"rows": rows[start : start + batch_size], "run": run}
        for start in range(0, len(rows), batch_size)
    ]
