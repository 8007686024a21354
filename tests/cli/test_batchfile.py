"""Reading a batch FILE: searches from YAML and CSV, and every error at once with its place."""

from __future__ import annotations

from pathlib import Path

import pytest
from extruct_deep_search import Criterion, Search
from extruct_deep_search.cli._batchfile import MAX_SEARCHES, BatchFileError, load

DENTAL = {"key": "dental", "name": "Dental", "criterion": "Its main customers are dental clinics"}
CRITERIA = [Criterion(**DENTAL)]

YAML = """\
defaults:
  desired_num_results: 50
  criteria:
    - {key: dental, name: Dental, criterion: Its main customers are dental clinics}
searches:
  - key: dental-de
    query: Dental practice software in Germany
  - query: Dental practice software in France
    desired_num_results: 20
    exclude_domains: [example.com]
"""


def errors_of(name: str, text: str, criteria: list[Criterion] | None = None) -> list[str]:
    with pytest.raises(BatchFileError) as caught:
        load(Path(name), text, criteria)
    return caught.value.errors


def test_yaml_defaults_apply_and_items_override() -> None:
    first, second = load(Path("b.yaml"), YAML)
    assert first.search.key == "dental-de" and not first.derived
    assert first.search.params.desired_num_results == 50
    assert first.search.params.criteria == tuple(CRITERIA)
    assert second.search.params.desired_num_results == 20
    assert second.search.params.exclude_domains == ("example.com",)
    assert (
        second.derived
        and second.search.key
        == Search(
            "Dental practice software in France",
            desired_num_results=20,
            criteria=CRITERIA,
            exclude_domains=["example.com"],
        ).key
    )
    assert first.where == "searches[0] (line 6)"


def test_yaml_top_level_list_is_the_searches() -> None:
    (entry,) = load(Path("b.yml"), "- query: Robotics startups in Germany\n")
    assert entry.search.query == "Robotics startups in Germany"


def test_yaml_every_error_with_line_index_and_field() -> None:
    text = """\
defaults:
  desired_num_results: 999
  colour: blue
searches:
  - key: a
    query: Dental practice software in Germany
  - query: Dental practice software in France
    desired_num_results: 0
    qeury: typo
  - query: ''
    criteria:
      - {key: 1bad, name: B, criterion: Its main customers are dental clinics}
  - key: a
    query: Another query entirely
  - Just a string
  - query: Same search twice
  - query: Same search twice
"""
    assert errors_of("b.yaml", text) == [
        "b.yaml:2: defaults.desired_num_results: must be an integer from 1 to 250, got 999",
        "b.yaml:3: defaults.colour: unknown field; allowed: query, desired_num_results, "
        "criteria, exclude_domains, exclude_task_ids, data_sources",
        "b.yaml:8: searches[1].desired_num_results: must be an integer from 1 to 250, got 0",
        "b.yaml:9: searches[1].qeury: unknown field (did you mean query?); allowed: key, query, "
        "desired_num_results, criteria, exclude_domains, exclude_task_ids, data_sources",
        "b.yaml:10: searches[2].query: must be a non-empty description of companies",
        "b.yaml:12: searches[2].criteria[0].key: must match ^[a-zA-Z][a-zA-Z0-9_]*$ "
        "(a letter, then letters, digits, _), got '1bad'",
        "b.yaml:13: searches[3].key: 'a' is also the key of searches[0] (line 5); "
        "keys must be distinct",
        "b.yaml:15: searches[4]: must be a mapping with at least a query",
        "b.yaml:17: searches[6].key: the same search as searches[5] (line 16) (identical "
        "parameters derive the same key); remove one or give each its own key",
    ]


def test_yaml_syntax_error_names_its_line() -> None:
    (error,) = errors_of("b.yaml", "searches:\n  - query: [unclosed\n")
    assert error.startswith("b.yaml:3: not valid YAML")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "b.yaml: expected a mapping {defaults: {...}, searches: [...]}"),
        ("searches: []\n", "b.yaml: holds no searches"),
        ("searches: {query: x}\n", "b.yaml:1: searches: must be a list of searches"),
    ],
)
def test_yaml_shape_errors(text: str, expected: str) -> None:
    assert errors_of("b.yaml", text) == [expected]


def test_csv_rows_with_criteria_for_all() -> None:
    text = "key,query,desired_num_results\nde,Dental in Germany,20\n,Dental in France,\n"
    first, second = load(Path("b.csv"), "\ufeff" + text, CRITERIA)
    assert (first.search.key, first.search.params.desired_num_results) == ("de", 20)
    assert second.derived and second.search.params.desired_num_results == 100
    assert first.search.params.criteria == second.search.params.criteria == tuple(CRITERIA)
    assert (first.where, second.where) == ("line 2", "line 3")


def test_csv_every_error_with_its_line() -> None:
    text = (
        "key,query,desired_num_results\n"
        "a,Dental in Germany,20\n"
        ',"Dental in\nFrance",abc\n'  # a quoted cell over two lines: the record starts on line 3
        "b,Dental in Spain,300\n"
        "\n"
        "c,,5\n"
        "a,Dental in Italy,5\n"
        "d,too,many,cells\n"
    )
    assert errors_of("b.csv", text) == [
        "b.csv:3: desired_num_results: must be an integer from 1 to 250, got 'abc'",
        "b.csv:5: desired_num_results: must be an integer from 1 to 250, got 300",
        "b.csv:7: query: must be a non-empty description of companies",
        "b.csv:8: key: 'a' is also the key of line 2; keys must be distinct",
        "b.csv:9: has 4 cells; the header has 3",
    ]


def test_csv_header_errors() -> None:
    assert errors_of("b.csv", "name,criteria\nx,y\n") == [
        "b.csv:1: name: unknown field; allowed: key, query, desired_num_results "
        "(criteria go in --criteria FILE)",
        "b.csv:1: criteria: unknown field; allowed: key, query, desired_num_results "
        "(criteria go in --criteria FILE)",
        "b.csv:1: query: the header row needs a query column (and optionally key, "
        "desired_num_results)",
    ]


def test_bad_criteria_file_is_reported_once_not_per_row() -> None:
    bad = [Criterion("1x", "X", "Its main customers are dental clinics")]
    errors = errors_of("b.csv", "query\nDental in Germany\nDental in France\n", bad)
    assert errors == [
        "--criteria: criteria[0].key: must match ^[a-zA-Z][a-zA-Z0-9_]*$ "
        "(a letter, then letters, digits, _), got '1x'"
    ]


def test_yaml_criteria_both_in_defaults_and_by_flag() -> None:
    errors = errors_of("b.yaml", YAML, CRITERIA)
    assert errors == ["b.yaml:3: defaults.criteria: given both here and by --criteria; keep one"]


def test_unknown_extension() -> None:
    assert errors_of("b.txt", "query\nx\n") == [
        "b.txt: unknown format; name the file .yaml, .yml or .csv"
    ]


def test_too_many_searches() -> None:
    rows = "".join(f"k{i},q {i}\n" for i in range(MAX_SEARCHES + 1))
    assert errors_of("b.csv", "key,query\n" + rows) == [
        f"b.csv: holds {MAX_SEARCHES + 1} searches; at most {MAX_SEARCHES} allowed"
    ]
