"""What batch writes: file names, atomic writes, companies.csv, summary.json, the progress view."""

from __future__ import annotations

import csv
import datetime
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
from extruct_deep_search import CriterionScore, Result, Search, Task, TaskStatus
from extruct_deep_search.cli._atomic import remove_stale_temporaries, write_atomic
from extruct_deep_search.cli._batchout import (
    Companies,
    SearchRecord,
    file_names,
    results_bytes,
    summary_bytes,
)
from extruct_deep_search.cli._batchview import BatchProgress
from rich.console import Console

NOW = datetime.datetime(2026, 12, 4, tzinfo=datetime.UTC)


def result(website: str, relevance: int | None, *, task: str = "t1", **grades: int) -> Result:
    return Result(
        id=f"r-{website}-{task}",
        task_id=task,
        company_name=f"Name of {website}",
        company_description="A company",
        company_website=website,
        relevance=relevance,
        scores={k: CriterionScore(grade=g) for k, g in grades.items()},
    )


def task(
    task_id: str, num_results: int = 0, desired: int = 10, status: str = "in_progress"
) -> Task:
    return Task(
        id=task_id,
        created_at=NOW,
        status=TaskStatus(status),
        query="q",
        desired_num_results=desired,
        num_results=num_results,
        num_results_evaluated=num_results * 2,
    )


# File names ---------------------------------------------------------------------------------


def test_file_names_keep_safe_keys_and_hash_the_rest() -> None:
    names = file_names(["dental-de", "a/b c", "companies", "Mixed", "mixed", "x.y_z"], "csv")
    assert names["dental-de"] == "dental-de.csv"
    assert names["x.y_z"] == "x.y_z.csv"
    assert names["a/b c"].startswith("a-b-c-") and names["a/b c"].endswith(".csv")
    assert names["companies"] != "companies.csv"  # never overwrites the batch's own file
    assert names["Mixed"].lower() != names["mixed"].lower()  # case-insensitive file systems
    assert len({n.lower() for n in names.values()}) == len(names)
    assert file_names(["a/b c"], "parquet") == {"a/b c": names["a/b c"][:-4] + ".parquet"}


# Atomic writes ------------------------------------------------------------------------------


def test_write_atomic_replaces_and_skips_identical_content(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    assert write_atomic(path, b"one") is True
    stamp = path.stat().st_mtime_ns
    assert write_atomic(path, b"one") is False  # nothing to do: not rewritten
    assert path.stat().st_mtime_ns == stamp
    assert write_atomic(path, b"two") is True and path.read_bytes() == b"two"
    assert [p.name for p in tmp_path.iterdir()] == ["f.csv"]  # no temporary left


def test_stale_temporaries_of_dead_writers_are_removed(tmp_path: Path) -> None:
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    stale = tmp_path / f".a.csv.{dead.stdout.strip()}.tmp"
    live = tmp_path / f".b.csv.{os.getppid()}.tmp"  # a live process's file stays
    for p in (stale, live):
        p.write_bytes(b"half")
    assert remove_stale_temporaries(tmp_path) == [stale]
    assert live.exists() and not stale.exists()


# Results files ------------------------------------------------------------------------------


def test_results_bytes_in_each_format(tmp_path: Path) -> None:
    results = [result("https://a.com", 90, dental=5), result("https://b.com", 80, dental=2)]
    rows = list(csv.DictReader(io.StringIO(results_bytes(results, ["dental"], "csv").decode())))
    assert [r["company_website"] for r in rows] == ["https://a.com", "https://b.com"]
    assert [r["grade_dental"] for r in rows] == ["5", "2"]
    lines = results_bytes(results, ["dental"], "jsonl").decode().splitlines()
    assert [json.loads(line)["relevance"] for line in lines] == [90, 80]
    parquet = tmp_path / "r.parquet"
    parquet.write_bytes(results_bytes(results, ["dental"], "parquet"))
    assert pq.read_table(parquet).column("grade_dental").to_pylist() == [5, 2]


# companies.csv ------------------------------------------------------------------------------


def companies_rows(companies: Companies) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(companies.to_csv().decode())))


def test_companies_one_row_per_registered_domain_best_relevance_wins() -> None:
    companies = Companies({"de": 0, "fr": 1, "es": 2})
    companies.add(
        "fr",
        [result("https://www.acme.co.uk/about", 70, task="t2", dental=3, b2b=4)],
        ["dental", "b2b"],
    )
    companies.add(
        "de",
        [result("http://shop.acme.co.uk", 90, dental=5), result("https://b.io", 50)],
        ["dental"],
    )
    companies.add("es", [result("acme.co.uk", 90, task="t3", dental=1)], ["dental"])
    rows = companies_rows(companies)
    assert [r["domain"] for r in rows] == ["acme.co.uk", "b.io"]
    acme = rows[0]
    assert acme["found_by"] == "3" and acme["keys"] == "de;fr;es"  # batch order, not finish order
    # Best relevance 90 (de and es tie): the earlier search in the batch wins, with its grades.
    assert (acme["best_key"], acme["best_task_id"], acme["relevance"]) == ("de", "t1", "90")
    assert (acme["grade_dental"], acme["grade_b2b"]) == ("5", "")
    assert list(rows[0])[-2:] == ["grade_dental", "grade_b2b"]
    assert companies.found_more_than_once() == 1 and len(companies) == 2


def test_companies_csv_does_not_depend_on_finish_order() -> None:
    batches = {
        "a": [result("https://x.com", 80, dental=4), result("https://y.com", None)],
        "b": [result("https://x.com", 80, task="t2", dental=2), result("https://z.com", 60)],
    }
    first, second = Companies({"a": 0, "b": 1}), Companies({"a": 0, "b": 1})
    for key in ("a", "b"):
        first.add(key, batches[key], ["dental"])
    for key in ("b", "a"):
        second.add(key, batches[key], ["dental"])
    assert first.to_csv() == second.to_csv()


def test_companies_csv_neutralises_formulas_unless_raw() -> None:
    companies = Companies({"a": 0})
    bad = Result(
        id="r",
        task_id="t",
        company_name='=HYPERLINK("x")',
        company_description="",
        company_website="https://evil.com",
        relevance=1,
    )
    companies.add("a", [bad], [])
    assert companies_rows(companies)[0]["company_name"] == '\'=HYPERLINK("x")'
    raw = list(csv.DictReader(io.StringIO(companies.to_csv(raw=True).decode())))
    assert raw[0]["company_name"] == '=HYPERLINK("x")'


# summary.json -------------------------------------------------------------------------------


def test_summary_counts_and_keeps_what_the_last_run_knew() -> None:
    done = SearchRecord(
        Search("Dental in Germany", key="de"),
        "de.csv",
        task("t1", 10, 10, "done"),
        status="done",
        results=10,
        written=True,
    )
    pending = SearchRecord(Search("Dental in France", key="fr"), "fr.csv")
    quota = SearchRecord(
        Search("Dental in Spain", key="es"),
        "es.csv",
        status="not_started",
        error={"type": "QuotaStoppedError", "message": "quota"},
    )
    old_fr = {"key": "fr", "status": "done", "task_id": "t9", "results": 3}
    data = json.loads(summary_bytes([done, pending, quota], {"file": "b.yaml"}, {"fr": old_fr}))
    assert data["file"] == "b.yaml" and data["searches"] == 3
    assert data["by_status"] == {"done": 2, "not_started": 1}
    de, fr, es = data["results"]
    assert (de["task_id"], de["file"], de["results"], de["num_results"]) == ("t1", "de.csv", 10, 10)
    assert fr == old_fr  # not reached in this run: the last run's record stays
    assert es["file"] is None and es["error"]["type"] == "QuotaStoppedError"


# The progress view --------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_plain_progress_lines_and_eta() -> None:
    clock, stream = Clock(), io.StringIO()
    view = BatchProgress(
        "plain",
        Console(file=io.StringIO()),
        {"a": 10, "b": 10, "c": 20},
        clock=clock,
        stream=stream,
        every=5,
    )
    assert view.eta() is None  # no pace yet
    view.seen("a", task("t1", 0))
    clock.now += 2
    view.seen("a", task("t1", 5))
    assert view.work() == (5, 40)
    clock.now += 2  # 4 s for 5 of 40: 28 s to go at that pace
    view.ended("a", task("t1", 10, status="done"), "10 results -> a.csv", ok=True)
    assert view.work() == (10, 40) and view.eta() == 12.0
    view.seen("b", task("t2", 2))
    clock.now += 6
    view.seen("b", task("t2", 4))  # more than `every` seconds: a totals line
    view.ended("c", None, "QuotaStoppedError", ok=False, word="not started")
    lines = stream.getvalue().splitlines()
    assert lines == [
        "[    0.0s] watching a: task t1 in_progress",
        "[    4.0s] finished 1/3 a: task t1 10 results -> a.csv",
        "[    4.0s] watching b: task t2 in_progress",
        "[   10.0s] 1/3 finished (0 failed), 1 active, 1 waiting; high-fit 14/40; "
        "elapsed 0:10, ETA ~0:18",
        "[   10.0s] not started 2/3 c: QuotaStoppedError",
    ]


def test_live_table_has_one_row_per_active_search() -> None:
    clock = Clock()
    view = BatchProgress(
        "live", Console(file=io.StringIO()), {"a": 10, "b": 10, "c": 10}, clock=clock
    )
    view.seen("b", task("t2", 3))
    view.seen("a", task("t1", 7))
    clock.now += 65
    out = io.StringIO()
    Console(file=out, width=120).print(view)
    text = out.getvalue()
    assert text.index(" a ") < text.index(" b ")  # batch order
    assert "7/10" in text and "3/10" in text and "1:05" in text and "in_progress" in text
    assert "0/3 finished (0 failed), 2 active, 1 waiting; high-fit 10/30" in text
