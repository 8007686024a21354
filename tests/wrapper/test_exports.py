"""exports.py on synthetic results: columns, CSV (formula cells), JSON, pandas, polars, Parquet."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pandas
import polars
import pyarrow
import pyarrow.parquet
import pytest
from extruct_deep_search import (
    CompanySize,
    CriterionScore,
    DataSource,
    InvalidArgumentError,
    Result,
)
from extruct_deep_search.exports import (
    BASE_COLUMNS,
    csv_columns,
    table_row_batches,
    table_rows,
    to_arrow,
    to_dataframe,
    to_polars,
    to_rows,
    write_csv,
    write_json,
    write_jsonl,
    write_parquet,
)

ROWS = [
    Result(
        id="r1",
        task_id="t1",
        company_name='Acme, "Dental" Inc.',
        company_description="Line one\nline two",
        company_website="https://acme.com",
        relevance=92,
        source=DataSource.LINKEDIN,
        employee_count=CompanySize.SIZE_11_50,
        founding_year=2015,
        hq_country="United States",
        hq_state_province="Texas",
        hq_city="Austin",
        scores={
            "dental": CriterionScore(
                grade=5, explanation="Clinics", sources=("https://a", "https://b")
            ),
            "b2b": CriterionScore(grade=None, explanation=None, sources=()),
        },
    ),
    Result(
        id="r2",
        task_id="t1",
        company_name="Bare",
        company_description="",
        company_website="https://bare.io",
        relevance=None,
    ),
    Result(
        id="r3",
        task_id="t1",
        company_name="Acme again",
        company_description="",
        company_website="https://acme.com",
        relevance=10,
    ),
]

# Cells a spreadsheet would run, planted in every kind of server text.
HOSTILE = Result(
    id="r4",
    task_id="t1",
    company_name='=HYPERLINK("https://evil.example","click")',
    company_description="+1 improves retention",
    company_website="https://evil.example",
    relevance=-5,  # a number: stays a number
    hq_city="@SUM(A1:A9)",
    hq_country="\tTabland",
    hq_state_province="\rCarriage",
    founding_year=1999,
    scores={"dental": CriterionScore(grade=1, explanation="-2 dentists", sources=("=x",))},
)


def read_csv(text: str) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    rows = list(reader)
    return list(reader.fieldnames or []), rows


def test_columns_have_stable_names() -> None:
    assert csv_columns(["dental"]) == [
        *BASE_COLUMNS,
        "grade_dental",
        "explanation_dental",
        "sources_dental",
    ]
    assert BASE_COLUMNS == (
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


def test_csv_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    assert write_csv(ROWS, path, criteria_keys=["dental", "b2b"]) == 3
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == csv_columns(["dental", "b2b"])
        rows = list(reader)
    assert len(rows) == 3
    first = rows[0]
    assert first["company_name"] == 'Acme, "Dental" Inc.'
    assert first["company_description"] == "Line one\nline two"
    assert first["relevance"] == "92"
    assert first["employee_count"] == "11-50"
    assert first["source"] == "linkedin"
    assert first["grade_dental"] == "5"
    assert first["sources_dental"] == "https://a https://b"
    assert first["grade_b2b"] == ""
    assert rows[1]["grade_dental"] == "" and rows[1]["relevance"] == ""


def test_csv_keys_default_to_those_in_results() -> None:
    buffer = io.StringIO(newline="")
    write_csv(ROWS, buffer)
    header = next(csv.reader(io.StringIO(buffer.getvalue())))
    assert header == csv_columns(["dental", "b2b"])


def test_csv_neutralises_formula_cells_by_default() -> None:
    buffer = io.StringIO(newline="")
    write_csv([HOSTILE], buffer, ["dental"])
    _, (row,) = read_csv(buffer.getvalue())
    assert row["company_name"] == "'" + HOSTILE.company_name
    assert row["company_description"] == "'+1 improves retention"
    assert row["hq_city"] == "'@SUM(A1:A9)"
    assert row["hq_country"] == "'\tTabland"
    assert row["hq_state_province"] == "'\rCarriage"
    assert row["explanation_dental"] == "'-2 dentists"
    assert row["sources_dental"] == "'=x"
    # Numbers stay numbers, plain text stays as it is.
    assert row["relevance"] == "-5" and row["founding_year"] == "1999"
    assert row["grade_dental"] == "1"
    assert row["company_website"] == "https://evil.example"


def test_csv_raw_keeps_cells_as_sent() -> None:
    buffer = io.StringIO(newline="")
    write_csv([HOSTILE], buffer, ["dental"], raw=True)
    _, (row,) = read_csv(buffer.getvalue())
    assert row["company_name"] == HOSTILE.company_name
    assert row["explanation_dental"] == "-2 dentists"
    assert row["hq_country"] == "\tTabland"


def test_to_rows_values() -> None:
    rows = to_rows(ROWS, ["dental"])
    assert rows[0]["explanation_dental"] == "Clinics"
    assert rows[0]["sources_dental"] == "https://a https://b"
    assert rows[1]["sources_dental"] is None
    assert "grade_b2b" not in rows[0]
    # to_rows is data, not a CSV: nothing is neutralised there.
    assert to_rows([HOSTILE])[0]["company_name"] == HOSTILE.company_name


def test_jsonl_and_json(tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    assert write_jsonl(ROWS, path) == 3
    records = [json.loads(line) for line in path.read_text().splitlines()]
    assert [r["id"] for r in records] == ["r1", "r2", "r3"]
    assert records[0]["scores"]["dental"] == {
        "grade": 5,
        "explanation": "Clinics",
        "sources": ["https://a", "https://b"],
    }
    assert records[0]["employee_count"] == "11-50"
    buffer = io.StringIO()
    write_json(ROWS, buffer)
    assert json.loads(buffer.getvalue()) == records


def test_table_rows_body() -> None:
    body = table_rows(ROWS)
    assert body == {
        "rows": [{"data": {"input": "https://acme.com"}}, {"data": {"input": "https://bare.io"}}],
        "run": False,
    }
    assert table_rows([], run=True) == {"rows": [], "run": True}
    by_name = table_rows(ROWS[:1], key=lambda r: r.company_name)
    assert by_name["rows"] == [{"data": {"input": 'Acme, "Dental" Inc.'}}]


def test_table_row_batches() -> None:
    results = [
        Result(
            id=f"r{i}",
            task_id="t",
            company_name=f"C{i}",
            company_description="",
            company_website=f"https://c{i}.com",
            relevance=1,
        )
        for i in range(5)
    ]
    batches = table_row_batches(results, batch_size=2, run=True)
    assert [len(b["rows"]) for b in batches] == [2, 2, 1]
    assert all(b["run"] is True for b in batches)
    flat = [row for b in batches for row in b["rows"]]
    assert flat == table_rows(results)["rows"]
    assert table_row_batches([], batch_size=2) == []
    with pytest.raises(InvalidArgumentError, match="batch_size"):
        table_row_batches(results, batch_size=0)


def test_to_dataframe_is_typed() -> None:
    frame = to_dataframe(ROWS, ["dental", "b2b"])
    assert isinstance(frame, pandas.DataFrame)
    assert list(frame.columns) == csv_columns(["dental", "b2b"])
    assert len(frame) == 3
    # Nullable integers: a missing grade is <NA>, never a float 5.0.
    assert str(frame["grade_dental"].dtype) == "Int64"
    assert str(frame["relevance"].dtype) == "Int64"
    assert frame["grade_dental"].tolist()[0] == 5
    assert frame["grade_dental"].isna().tolist() == [False, True, True]
    assert frame["sources_dental"].tolist()[0] == ["https://a", "https://b"]
    assert list(to_dataframe([], ["dental"]).columns) == csv_columns(["dental"])


def test_to_polars_is_typed() -> None:
    frame = to_polars(ROWS, ["dental", "b2b"])
    assert isinstance(frame, polars.DataFrame)
    assert frame.columns == csv_columns(["dental", "b2b"])
    assert frame.schema["grade_dental"] == polars.Int64
    assert frame.schema["sources_dental"] == polars.List(polars.String)
    assert frame["grade_dental"].to_list() == [5, None, None]
    kept = frame.filter(polars.col("grade_dental") >= 4)
    assert kept["company_name"].to_list() == ['Acme, "Dental" Inc.']
    empty = to_polars([], ["dental"])
    assert empty.columns == csv_columns(["dental"]) and empty.height == 0
    assert empty.schema["grade_dental"] == polars.Int64


def test_parquet_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "results.parquet"
    assert write_parquet(ROWS, path, ["dental", "b2b"]) == 3
    table = pyarrow.parquet.read_table(path)
    assert table.column_names == csv_columns(["dental", "b2b"])
    assert table.schema.field("grade_dental").type == pyarrow.int64()
    assert table.schema.field("sources_dental").type == pyarrow.list_(pyarrow.string())
    assert table.column("sources_dental").to_pylist()[0] == ["https://a", "https://b"]
    assert table.equals(to_arrow(ROWS, ["dental", "b2b"]))
    # Text is stored as sent: Parquet is not read by spreadsheets as formulas.
    assert to_arrow([HOSTILE]).column("company_name").to_pylist() == [HOSTILE.company_name]
    assert polars.read_parquet(path).equals(to_polars(ROWS, ["dental", "b2b"]))


@pytest.mark.parametrize(
    ("module", "call", "extra"),
    [
        ("pandas", "to_dataframe(ROWS)", "pandas"),
        ("polars", "to_polars(ROWS)", "polars"),
        ("pyarrow", "to_arrow(ROWS)", "parquet"),
        ("pyarrow", "write_parquet(ROWS, 'x.parquet')", "parquet"),
    ],
)
def test_missing_library_names_the_extra(module: str, call: str, extra: str) -> None:
    # In a subprocess where the library cannot be imported, as without the extra.
    code = (
        f"import sys; sys.modules[{module!r}] = None\n"
        "from extruct_deep_search.exports import *\n"
        "from extruct_deep_search import Result\n"
        "ROWS = [Result(id='r', task_id='t', company_name='c', company_description='',"
        " company_website='https://c.com', relevance=1)]\n"
        f"try:\n    {call}\nexcept ImportError as exc:\n    print(exc)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert f"pip install 'extruct-deep-search[{extra}]'" in proc.stdout
