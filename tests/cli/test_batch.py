"""`batch FILE --out DIR` end to end: subprocess CLI runs against a sandbox over HTTP."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from extruct_deep_search import SQLiteJournal
from extruct_deep_search._core.domains import registered_domain
from extruct_deep_search.sandbox import Sandbox

from .conftest import CLI, Runner

pytestmark = pytest.mark.integration

COUNTRIES = [
    "Germany", "France", "Spain", "Italy", "Poland", "Austria",
    "Sweden", "Norway", "Denmark", "Finland", "Ireland", "Portugal",
]  # fmt: skip
DENTAL = "{key: dental, name: Dental, criterion: Its main customers are dental clinics}"


def batch_yaml(path: Path, countries: list[str], *, num: int = 8, prefix: str = "dental") -> Path:
    """A batch of one dental-software search per country (they overlap: same kind of company)."""
    lines = ["defaults:", f"  desired_num_results: {num}", "  criteria:", f"    - {DENTAL}"]
    lines.append("searches:")
    for country in countries:
        lines.append(f"  - key: {prefix}-{country.lower()}")
        lines.append(f"    query: Dental practice software in {country}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    """A fresh sandbox per test, so its task list holds this test's tasks only."""
    with Sandbox(seed=5, speed=0.6) as sb:
        yield sb


@pytest.fixture
def run(sandbox: Sandbox) -> Runner:
    return Runner(sandbox.base_url, sandbox.token)


def tasks_created(sandbox: Sandbox) -> list[dict[str, Any]]:
    """Every task of the organization, through the API's list endpoint."""
    tasks: list[dict[str, Any]] = []
    headers = {"Authorization": f"Bearer {sandbox.token}"}
    while True:
        page = httpx.get(
            f"{sandbox.base_url}/v1/discovery_tasks",
            params={"limit": 100, "offset": len(tasks)},
            headers=headers,
        ).json()
        tasks += page
        if len(page) < 100:
            return tasks


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def summary(out: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    return data


def assert_complete(out: Path, sandbox: Sandbox, keys: list[str]) -> None:
    """Every search's file holds all its task's results; companies.csv is their dedup'd union."""
    data = summary(out)
    by_key = {r["key"]: r for r in data["results"]}
    assert list(by_key) == keys and data["by_status"] == {"done": len(keys)}
    domains: dict[str, set[str]] = {}
    for key in keys:
        record = by_key[key]
        rows = read_csv(out / record["file"])
        assert len(rows) == record["results"] == record["num_results"] > 0
        assert {r["company_name"] for r in rows}  # real rows, not a header alone
        for row in rows:
            domain = registered_domain(row["company_website"]) or row["company_website"]
            domains.setdefault(domain, set()).add(key)
    companies = read_csv(out / "companies.csv")
    assert len({c["domain"] for c in companies}) == len(companies)  # one row per domain
    assert {c["domain"]: set(c["keys"].split(";")) for c in companies} == domains
    assert [p.name for p in out.iterdir() if p.name.endswith(".tmp")] == []


def wait_for(condition: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def concurrency(stderr: str) -> int:
    """The most searches watched at once, from the plain progress lines."""
    active = peak = 0
    for line in stderr.splitlines():
        if "] watching " in line:
            active += 1
        elif "] finished " in line or "] FAILED " in line:
            active -= 1
        peak = max(peak, active)
    return peak


def test_twelve_searches_four_at_a_time(run: Runner, sandbox: Sandbox, tmp_path: Path) -> None:
    file = batch_yaml(tmp_path / "campaign.yaml", COUNTRIES)
    out = tmp_path / "out"
    proc = run("batch", str(file), "--out", str(out), "--max-active", "4", timeout=180)
    assert proc.returncode == 0, proc.stderr
    keys = [f"dental-{c.lower()}" for c in COUNTRIES]
    assert_complete(out, sandbox, keys)
    assert len(tasks_created(sandbox)) == 12
    assert 2 <= concurrency(proc.stderr) <= 4  # a bound: never more than --max-active
    assert "12 of 12 searches finished, 0 failed" in proc.stderr
    assert (out / "journal.sqlite").is_file()
    assert {e.key for e in SQLiteJournal(out / "journal.sqlite").entries()} == set(keys)

    # Rerunning the finished batch re-attaches and rewrites nothing.
    def stamps_of() -> dict[str, int]:
        return {p.name: p.stat().st_mtime_ns for p in out.iterdir() if "journal" not in p.name}

    stamps = stamps_of()
    assert len(stamps) == 14
    again = run("batch", str(file), "--out", str(out), "--max-active", "4", timeout=120)
    assert again.returncode == 0, again.stderr
    assert len(tasks_created(sandbox)) == 12
    assert stamps_of() == stamps


def test_sigkill_partway_then_rerun(run: Runner, sandbox: Sandbox, tmp_path: Path) -> None:
    file = batch_yaml(tmp_path / "campaign.yaml", COUNTRIES)
    out = tmp_path / "out"
    argv = ["batch", str(file), "--out", str(out), "--max-active", "4"]
    proc = subprocess.Popen(
        [*CLI, *argv], env=run.env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_for(lambda: len(list(out.glob("dental-*.csv"))) >= 2)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    written = len(list(out.glob("dental-*.csv")))
    created = len(tasks_created(sandbox))
    assert 2 <= written < 12 and created < 12  # killed partway
    for path in out.glob("dental-*.csv"):  # what was written is whole
        assert len(read_csv(path)) == 8

    dry = run(*argv, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert f"{created} already have a task" in dry.stderr

    rerun = run(*argv, timeout=180)
    assert rerun.returncode == 0, rerun.stderr
    assert len(tasks_created(sandbox)) == 12  # exactly one task per key over both runs
    assert_complete(out, sandbox, [f"dental-{c.lower()}" for c in COUNTRIES])


def found_twice(out: Path) -> tuple[int, int]:
    """(companies found by more than one search, results paid beyond the first per company)."""
    rows = read_csv(out / "companies.csv")
    extra = sum(int(r["found_by"]) - 1 for r in rows)
    return sum(1 for r in rows if int(r["found_by"]) > 1), extra


def test_exclude_found_pays_once_per_company(run: Runner, sandbox: Sandbox, tmp_path: Path) -> None:
    countries = COUNTRIES[:6]
    plain = run(
        "batch",
        str(batch_yaml(tmp_path / "a.yaml", countries, num=10, prefix="a")),
        "--out",
        str(tmp_path / "a"),
        "--max-active",
        "6",
        timeout=180,
    )
    assert plain.returncode == 0, plain.stderr
    excluding = run(
        "batch",
        str(batch_yaml(tmp_path / "b.yaml", countries, num=10, prefix="b")),
        "--out",
        str(tmp_path / "b"),
        "--max-active",
        "1",
        "--exclude-found",
        timeout=300,
    )
    assert excluding.returncode == 0, excluding.stderr
    twice, _ = found_twice(tmp_path / "a")
    assert twice > 0  # the searches overlap
    assert found_twice(tmp_path / "b") == (0, 0)
    assert len(tasks_created(sandbox)) == 12


def test_quota_stop_then_resume(run: Runner, sandbox: Sandbox, tmp_path: Path) -> None:
    file = batch_yaml(tmp_path / "campaign.yaml", COUNTRIES)
    out = tmp_path / "out"
    argv = ["batch", str(file), "--out", str(out), "--max-active", "4"]
    proc = subprocess.Popen(
        [*CLI, *argv], env=run.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    journal = out / "journal.sqlite"

    def started() -> int:
        if not journal.exists():
            return 0
        return sum(1 for e in SQLiteJournal(journal).entries() if e.task_id)

    wait_for(lambda: started() >= 4)
    sandbox.faults.add("create:429_no_retry_after*1")  # quota: no Retry-After
    _, stderr = proc.communicate(timeout=180)
    assert proc.returncode == 1, stderr
    data = summary(out)
    statuses = [r["status"] for r in data["results"]]
    assert statuses.count("done") >= 4  # the running ones finished
    assert statuses.count("not_started") == 12 - statuses.count("done")
    assert "quota or billing limit reached" in stderr
    assert " ".join(argv) in stderr  # the command that resumes
    created = len(tasks_created(sandbox))
    assert created == statuses.count("done")

    resumed = run(*argv, timeout=180)
    assert resumed.returncode == 0, resumed.stderr
    assert len(tasks_created(sandbox)) == 12
    assert_complete(out, sandbox, [f"dental-{c.lower()}" for c in COUNTRIES])


def test_ctrl_c_stops_watching_and_the_same_command_resumes(
    run: Runner, sandbox: Sandbox, tmp_path: Path
) -> None:
    file = batch_yaml(tmp_path / "campaign.yaml", COUNTRIES[:4], num=20)
    out = tmp_path / "out"
    argv = ["batch", str(file), "--out", str(out), "--max-active", "2"]
    proc = subprocess.Popen(
        [*CLI, *argv], env=run.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    wait_for(lambda: len(tasks_created(sandbox)) >= 2)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert "keep running; rerun the same command to resume" in stderr
    assert " ".join(argv) in stderr
    assert (out / "summary.json").is_file()
    resumed = run(*argv, timeout=180)
    assert resumed.returncode == 0, resumed.stderr
    assert len(tasks_created(sandbox)) == 4


def test_bad_file_reports_every_error_and_sends_nothing(tmp_path: Path) -> None:
    file = tmp_path / "bad.csv"
    file.write_text(
        "key,query,desired_num_results\n"
        "a,Dental in Germany,0\n"
        "b,,10\n"
        "a,Dental in Spain,10\n"
        "c,Dental in Italy,many\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    # Nothing listens on this port: any request would fail with a connection error.
    dead = Runner("http://127.0.0.1:9", "token")
    proc = dead("batch", str(file), "--out", str(out))
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        f"error: {file}:2: desired_num_results: must be an integer from 1 to 250, got 0",
        f"error: {file}:3: query: must be a non-empty description of companies",
        f"error: {file}:4: key: 'a' is also the key of line 2; keys must be distinct",
        f"error: {file}:5: desired_num_results: must be an integer from 1 to 250, got 'many'",
        "4 errors in FILE; nothing was sent.",
    ]
    assert not out.exists()


def test_dry_run_plan_needs_no_token(tmp_path: Path) -> None:
    file = tmp_path / "plan.csv"
    file.write_text("key,query,desired_num_results\na,Dental in Germany,30\n,Dental in Spain,\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("EXTRUCT_")}
    out = tmp_path / "out"
    proc = subprocess.run(
        [*CLI, "batch", str(file), "--out", str(out), "--dry-run"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    header, first, second = proc.stdout.splitlines()
    assert header.split("\t") == ["key", "desired_num_results", "task_id", "status", "query"]
    assert first.split("\t") == ["a", "30", "-", "-", "Dental in Germany"]
    assert second.split("\t")[0].startswith("search-") and second.split("\t")[1] == "100"
    assert "At most 130 credits" in proc.stderr and "nothing was sent" in proc.stderr
    assert not out.exists()


def test_parquet_and_jsonl_formats(run: Runner, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    file = batch_yaml(tmp_path / "campaign.yaml", COUNTRIES[:2], num=5)
    for fmt in ("parquet", "jsonl"):
        out = tmp_path / fmt
        proc = run("batch", str(file), "--out", str(out), "--format", fmt, timeout=120)
        assert proc.returncode == 0, proc.stderr
        path = out / f"dental-germany.{fmt}"
        rows = (
            pq.read_table(path).num_rows if fmt == "parquet" else len(path.read_text().splitlines())
        )
        assert rows == 5
        assert (out / "companies.csv").is_file()


def test_exclude_found_in_one_wave_warns_in_flag_words(run: Runner, tmp_path: Path) -> None:
    file = batch_yaml(tmp_path / "two.yaml", COUNTRIES[:2], num=3)
    proc = run("batch", str(file), "--out", str(tmp_path / "out"), "--exclude-found", "-q")
    assert proc.returncode == 0, proc.stderr
    (warning,) = [line for line in proc.stderr.splitlines() if line.startswith("warning:")]
    assert warning.startswith("warning: --exclude-found has no effect")
    assert "--max-active=10" in warning and "max_active" not in warning.replace("--max-active", "")


def companies_keys(out: Path) -> set[str]:
    """The searches companies.csv merges, from its keys column."""
    return {key for row in read_csv(out / "companies.csv") for key in row["keys"].split(";")}


def test_another_file_into_the_same_folder_replaces_companies_csv(
    run: Runner, sandbox: Sandbox, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    first = batch_yaml(tmp_path / "a.yaml", COUNTRIES[:3], num=3, prefix="a")
    assert run("batch", str(first), "--out", str(out), timeout=120).returncode == 0
    second = batch_yaml(tmp_path / "b.yaml", COUNTRIES[3:5], num=3, prefix="b")
    proc = run("batch", str(second), "--out", str(out), timeout=120)
    assert proc.returncode == 0, proc.stderr
    keys = [f"b-{c.lower()}" for c in COUNTRIES[3:5]]
    assert_complete(out, sandbox, keys)  # companies.csv: b's companies, none of a's
    assert list(summary(out)["companies_from"]) == keys


def test_a_rerun_never_drops_searches_companies_csv_merged(
    run: Runner, sandbox: Sandbox, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    two = batch_yaml(tmp_path / "two.yaml", COUNTRIES[:2], num=3)
    assert run("batch", str(two), "--out", str(out), timeout=120).returncode == 0
    before = (out / "companies.csv").read_bytes()
    assert companies_keys(out) == {"dental-germany", "dental-france"}

    # The file grows by one search; the rerun gets no results for the first one (every
    # attempt of its results request fails), so it merges two searches, but not the same two.
    three = batch_yaml(tmp_path / "three.yaml", COUNTRIES[:3], num=3)
    argv = ["batch", str(three), "--out", str(out), "--max-active", "1"]
    sandbox.faults.add("results:500*3")
    failed = run(*argv, timeout=120)
    assert failed.returncode == 1, failed.stderr
    assert "error: dental-germany" in failed.stderr  # the precondition: that search failed
    assert (out / "companies.csv").read_bytes() == before
    assert "companies.csv kept as an earlier run wrote it" in failed.stderr
    assert list(summary(out)["companies_from"]) == ["dental-germany", "dental-france"]

    again = run(*argv, timeout=120)
    assert again.returncode == 0, again.stderr
    assert_complete(out, sandbox, [f"dental-{c.lower()}" for c in COUNTRIES[:3]])


def test_a_key_whose_parameters_changed_is_a_file_error_before_any_request(
    run: Runner, sandbox: Sandbox, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    file = batch_yaml(tmp_path / "campaign.yaml", COUNTRIES[:2], num=3)
    assert run("batch", str(file), "--out", str(out), timeout=120).returncode == 0
    journal = out / "journal.sqlite"
    (germany,) = [e for e in SQLiteJournal(journal).entries() if e.key == "dental-germany"]
    # The first search's query changes under the same key; the second stays as it was.
    text = file.read_text(encoding="utf-8").replace("in Germany", "in Germany and Austria")
    file.write_text(text, encoding="utf-8")

    def stamps_of() -> dict[str, int]:
        return {p.name: p.stat().st_mtime_ns for p in out.iterdir() if "journal" not in p.name}

    stamps = stamps_of()
    expected = [
        f"error: {file}:6: searches[0].key: 'dental-germany' already names a search with other "
        f"parameters in the journal {journal} (task {germany.task_id}, query 'Dental practice "
        "software in Germany'); give this search a new key (or use another --out or --journal)",
        "1 error in FILE; nothing was sent.",
    ]
    for dry_run in (["--dry-run"], []):
        proc = run("batch", str(file), "--out", str(out), *dry_run, timeout=60)
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.splitlines() == expected
        assert proc.stdout == ""
    assert len(tasks_created(sandbox)) == 2
    assert stamps_of() == stamps  # no results file, summary or companies.csv rewritten


def test_every_error_in_a_criterion_is_reported(
    run: Runner, sandbox: Sandbox, tmp_path: Path
) -> None:
    file = tmp_path / "criteria.yaml"
    file.write_text(
        "defaults:\n"
        "  criteria:\n"
        "    - {key: 1bad, name: X, criterion: short}\n"
        "searches:\n"
        "  - query: Dental practice software in Germany\n"
        "    criteria:\n"
        "      - {key: ok, name: '', criterion: Its customers are dental clinics}\n"
        "      - {key: ok, name: Fine, criterion: short}\n"
        "      - {name: N}\n"
        "      - {key: w, name: W, criterion: Its customers are dental clinics, weight: 2}\n",
        encoding="utf-8",
    )
    proc = run("batch", str(file), "--out", str(tmp_path / "out"))
    assert proc.returncode == 2, proc.stderr
    key_rule = "must match ^[a-zA-Z][a-zA-Z0-9_]*$ (a letter, then letters, digits, _)"
    assert proc.stderr.splitlines() == [
        f"error: {file}:3: defaults.criteria[0].key: {key_rule}, got '1bad'",
        f"error: {file}:3: defaults.criteria[0].criterion: must be 10-500 characters long, got 5",
        f"error: {file}:7: searches[0].criteria[0].name: must be 1-100 characters long, got 0",
        f"error: {file}:8: searches[0].criteria[1].key: duplicates key 'ok'; keys must be unique",
        f"error: {file}:8: searches[0].criteria[1].criterion: must be 10-500 characters long, "
        "got 5",
        f"error: {file}:9: searches[0].criteria[2]: is missing key, criterion",
        f"error: {file}:10: searches[0].criteria[3]: has unknown field(s) 'weight'; "
        "allowed: key, name, criterion",
        "7 errors in FILE; nothing was sent.",
    ]
    assert tasks_created(sandbox) == []


def test_a_field_given_twice_is_an_error_not_the_last_one_wins(
    run: Runner, sandbox: Sandbox, tmp_path: Path
) -> None:
    file = tmp_path / "twice.yaml"
    file.write_text(
        "defaults:\n"
        "  desired_num_results: 5\n"
        "  desired_num_results: 6\n"
        "  criteria:\n"
        "    - {key: a, name: A, criterion: Its customers are dental clinics, name: B}\n"
        "searches:\n"
        "  - key: d1\n"
        "    query: Dental practice software in Germany\n"
        "    query: Dental practice software in France\n"
        "  - key: d2\n"
        "    query: Dental practice software in Spain\n",
        encoding="utf-8",
    )
    proc = run("batch", str(file), "--out", str(tmp_path / "out"))
    assert proc.returncode == 2, proc.stderr
    last = "YAML keeps only the last"
    assert proc.stderr.splitlines() == [
        f"error: {file}:3: defaults.desired_num_results: given twice (also on line 2); {last}",
        f"error: {file}:5: defaults.criteria[0].name: given twice (also on line 5); {last}",
        f"error: {file}:9: searches[0].query: given twice (also on line 8); {last}",
        "3 errors in FILE; nothing was sent.",
    ]
    assert tasks_created(sandbox) == []


def test_ctrl_c_during_a_create_says_it_may_have_started_a_task(
    run: Runner, sandbox: Sandbox, tmp_path: Path
) -> None:
    file = batch_yaml(tmp_path / "campaign.yaml", COUNTRIES[:2], num=3)
    out = tmp_path / "out"
    argv = ["batch", str(file), "--out", str(out)]
    sandbox.faults.add("create:slow=30*1")  # the first create makes its task, then answers late
    proc = subprocess.Popen(
        [*CLI, *argv], env=run.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    journal = out / "journal.sqlite"

    def unanswered() -> int:
        if not journal.exists():
            return 0
        return sum(1 for e in SQLiteJournal(journal).entries() if e.task_id is None)

    wait_for(lambda: unanswered() == 1 and len(tasks_created(sandbox)) == 1)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert (
        "0 started task(s), and any task the 1 create(s) in flight started, keep running; "
        "rerun the same command to resume (it re-attaches to them through the journal"
    ) in stderr
    resumed = run(*argv, timeout=120)
    assert resumed.returncode == 0, resumed.stderr
    assert len(tasks_created(sandbox)) == 2  # the rerun found the task that create started
