"""The results table: the decision columns fit every width; off a terminal nothing is cut."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pexpect
import pytest
from extruct_deep_search import Criterion, CriterionScore, Result
from extruct_deep_search.cli._table import abbreviations, clean, host, plan, print_results
from rich.console import Console

from .conftest import CLI, Runner, cli_env

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")
KEYS = ["dental_focus", "b2b_saas", "smb_market"]
CRITERIA_FLAGS = [
    "--criterion", "dental_focus:Dental focus:Its main customers are dental clinics",
    "--criterion", "b2b_saas:B2B SaaS:Sells subscription software to businesses",
    "--criterion", "smb_market:SMB market:Serves small and mid-sized practices",
]  # fmt: skip


def synthetic(n: int = 12, keys: list[str] = KEYS) -> list[Result]:
    return [
        Result(
            id=f"r{i}",
            task_id="t",
            company_name=f"Company Number {i} Software Holdings",
            company_description=f"Builds things for dentists, number {i}. " * 4,
            company_website=f"https://www.company-number-{i}.example.com",
            relevance=100 - i,
            hq_city="Amsterdam",
            hq_country="Netherlands",
            employee_count="11-50",
            scores={k: CriterionScore(grade=1 + (i + j) % 5) for j, k in enumerate(keys)},
        )
        for i in range(1, n + 1)
    ]


def criteria(keys: list[str]) -> list[Criterion]:
    return [Criterion(k, k.replace("_", " ").title(), "x" * 10) for k in keys]


def rendered(results: list[Result], keys: list[str], width: int) -> list[str]:
    console = Console(file=io.StringIO(), width=width, force_terminal=False)
    print_results(console, results, criteria(keys), "title", fit=True)
    return console.file.getvalue().splitlines()  # type: ignore[attr-defined]


# The layout, without a terminal.


@pytest.mark.parametrize("width", [40, 50, 60, 80, 100, 120, 160, 200, 300])
@pytest.mark.parametrize("n_keys", [0, 1, 3, 6])
def test_decision_columns_always_fit(width: int, n_keys: int) -> None:
    keys = [f"criterion_{c}_key" for c in "abcdef"[:n_keys]]
    results = synthetic(12, keys)
    layout = plan(results, criteria(keys), width)
    names = [c.name for c in layout.columns]
    assert names[:4] == ["rank", "company", "url" if "url" in names else "website", "relevance"]
    assert ("grades" in names) or all(f"grade:{k}" in names for k in keys)
    assert layout.width is not None and layout.width <= width
    assert all(c.width and c.width >= 1 for c in layout.columns)
    lines = rendered(results, keys, width)
    assert max(len(line) for line in lines) <= width


def test_shortening_order() -> None:
    results = synthetic(12)

    def names(width: int) -> list[str]:
        return [c.header for c in plan(results, criteria(KEYS), width).columns]

    wide = names(300)
    assert wide == ["#", "Company", "Website", "Relevance", *KEYS, "HQ", "Size", "Description"]
    assert names(120)[:7] == ["#", "Company", "Website", "Relevance", *KEYS]
    assert "Description" not in names(120)
    assert names(80)[:7] == ["#", "Company", "Website", "Rel", "df", "bs", "sm"]
    assert names(45) == ["#", "Company", "Website", "Rel", "Grades"]


def test_legend_explains_abbreviations() -> None:
    results = synthetic(3)
    assert plan(results, criteria(KEYS), 300).legend is None
    short = plan(results, criteria(KEYS), 80).legend
    assert short is not None
    assert "df = dental_focus (Dental Focus)" in short and "sm = smb_market" in short
    merged = plan(results, criteria(KEYS), 45).legend
    assert merged is not None and "in this order" in merged and "1 = dental_focus" in merged


def test_abbreviations_are_unique() -> None:
    assert abbreviations(["dental_focus", "b2b_saas", "europe"]) == ["df", "bs", "eur"]
    assert abbreviations(["dental_focus", "data_flow"]) == ["c1", "c2"]


def test_cells_are_one_clean_line() -> None:
    assert clean("a\nb\tc\x1b[31m  d") == "a b c [31m d"
    assert host("https://www.acme.co.uk/") == "acme.co.uk"
    assert host("http://acme.io") == "acme.io"


def test_off_a_terminal_every_column_is_printed_in_full() -> None:
    results = synthetic(5)
    buffer = io.StringIO()
    print_results(Console(file=buffer, width=80), results, criteria(KEYS), "t", fit=False)
    text = buffer.getvalue()
    assert "…" not in text and "\x1b" not in text
    for r in results:
        assert r.company_website in text and clean(r.company_description) in text
    assert all(line == line.rstrip() for line in text.splitlines())
    assert max(len(line) for line in text.splitlines()) > 160  # not cut at a terminal width


# A real pseudo-terminal at several widths.


@pytest.fixture(scope="module")
def graded_task(cli: Runner) -> tuple[str, list[dict[str, Any]]]:
    created = cli(
        "search", "Dental practice software vendors", "--num", "15", *CRITERIA_FLAGS, "--no-wait"
    )
    task_id = created.stdout.strip()
    assert cli("wait", task_id, "--poll-interval", "0.05").returncode == 0
    records = json.loads(cli("results", task_id, "-f", "json").stdout)
    return task_id, records


def screen(cli: Runner, columns: int, *argv: str) -> str:
    env = cli_env(cli.base_url, cli.token, TERM="xterm-256color")
    env.pop("COLUMNS", None)  # the pty's size decides
    child = pexpect.spawn(
        CLI[0], [*CLI[1:], *argv], env=env, encoding="utf-8", timeout=60, dimensions=(50, columns)
    )
    try:
        out = child.read()
    finally:
        child.close()
    assert child.exitstatus == 0, out
    return ANSI.sub("", out).replace("\r", "")


def shown(full: str, cell: str) -> bool:
    """Whether ``cell`` on screen is ``full``, or its start cut with an ellipsis."""
    return cell == full or (cell.endswith("…") and full.startswith(cell[:-1]) and len(cell) > 4)


@pytest.mark.integration
@pytest.mark.parametrize("columns", [60, 80, 120, 200])
def test_results_table_in_a_pty(
    cli: Runner, graded_task: tuple[str, list[dict[str, Any]]], columns: int
) -> None:
    task_id, records = graded_task
    text = screen(cli, columns, "results", task_id)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= columns, text
    header = next(line for line in lines if line.split()[:2] == ["#", "Company"])
    words = header.split()
    assert "Website" in words and ("Relevance" in words or "Rel" in words)
    if columns >= 120:
        assert words[4:7] == KEYS and "Relevance" in words
    else:
        assert words[4:7] == ["df", "bs", "sm"]
        assert "df = dental_focus (Dental focus)" in " ".join(text.split())
    start = lines.index(header) + 2  # after the rule under the header
    for rank, record in enumerate(records, 1):
        cells = re.split(r"\s{2,}", lines[start + rank - 1].strip())
        assert cells[0] == str(rank)
        assert shown(record["company_name"], cells[1]), (cells, record["company_name"])
        site = record["company_website"]
        assert shown(site, cells[2]) or shown(host(site), cells[2]), (cells, site)
        assert cells[3] == str(record["relevance"])
        grades = [record["scores"][k]["grade"] for k in KEYS]
        assert cells[4:7] == ["-" if g is None else str(g) for g in grades]


@pytest.mark.integration
def test_demo_in_an_80_column_pty(tmp_path: Any) -> None:
    env = cli_env(None, None, TERM="xterm-256color")
    env.pop("COLUMNS", None)
    child = pexpect.spawn(
        CLI[0],
        [*CLI[1:], "demo", "--speed", "5", "--num", "10", "--out", str(tmp_path / "r.csv")],
        env=env,
        encoding="utf-8",
        timeout=60,
        dimensions=(40, 80),
    )
    try:
        out = child.read()
    finally:
        child.close()
    assert child.exitstatus == 0, out
    text = ANSI.sub("", out).replace("\r", "")
    table = text[text.index("10 results for task") : text.index("Wrote 10 results")]
    assert max(len(line) for line in table.splitlines()) <= 80
    header = next(line for line in table.splitlines() if line.split()[:2] == ["#", "Company"])
    assert header.split()[2:7] == ["Website", "Rel", "df", "bs", "sm"]
    assert "df = dental_focus (Dental focus)" in " ".join(table.split())
    rows = [line for line in table.splitlines() if re.match(r"\s*\d+\s{2}", line)]
    assert len(rows) == 10
    assert all(re.search(r"\s\d{1,3}\s{2}[1-5-]\s+[1-5-]\s+[1-5-]", row) for row in rows)
