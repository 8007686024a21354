"""Exporters on synthetic results: CSV columns and round trip, JSON, JSONL, AI Tables body."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
from pathlib import Path

import pytest
from extruct_deep_search import CompanySize, CriterionScore, DataSource, Result
from extruct_deep_search.exports import (
    BASE_COLUMNS,
    csv_columns,
    table_rows,
    to_dataframe,
    to_rows,
    write_csv,
    write_json,
    write_jsonl,
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


def test_columns() -> None:
    assert csv_columns(["dental"]) == [
        *BASE_COLUMNS,
        "dental_grade",
        "dental_explanation",
        "dental_sources",
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
    assert first["dental_grade"] == "5"
    assert first["dental_sources"] == "https://a https://b"
    assert first["b2b_grade"] == ""
    assert rows[1]["dental_grade"] == "" and rows[1]["relevance"] == ""


def test_csv_keys_default_to_those_in_results() -> None:
    buffer = io.StringIO(newline="")
    write_csv(ROWS, buffer)
    header = next(csv.reader(io.StringIO(buffer.getvalue())))
    assert header == csv_columns(["dental", "b2b"])


def test_to_rows_values() -> None:
    rows = to_rows(ROWS, ["dental"])
    assert rows[0]["dental_explanation"] == "Clinics"
    assert rows[1]["dental_sources"] is None
    assert "b2b_grade" not in rows[0]


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


@pytest.mark.skipif(importlib.util.find_spec("pandas") is not None, reason="pandas installed")
def test_to_dataframe_without_pandas_hints_the_extra() -> None:
    with pytest.raises(ImportError, match=r"extruct-deep-search\[pandas\]"):
        to_dataframe(ROWS)


@pytest.mark.skipif(importlib.util.find_spec("pandas") is None, reason="pandas not installed")
def test_to_dataframe() -> None:
    frame = to_dataframe(ROWS, ["dental"])
    assert list(frame.columns) == csv_columns(["dental"])
    assert len(frame) == 3
