"""Every command, driven by subprocess against a sandbox over HTTP, as a user would."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from extruct_deep_search.cli import main
from extruct_deep_search.exports import csv_columns
from extruct_deep_search.sandbox import Sandbox

from .conftest import CLI, Runner, cli_env

pytestmark = pytest.mark.integration

CRITERIA = [
    "--criterion",
    "dental:Dental:Its main customers are dental clinics",
    "--criterion",
    "b2b:B2B:Sells primarily to other businesses",
]
KEYS = ["dental", "b2b"]
FAST = ["--poll-interval", "0.05"]


def one_error_line(stderr: str) -> str:
    """The stderr of a failed run: exactly one ``error:`` line and no traceback."""
    assert "Traceback" not in stderr
    errors = [line for line in stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, stderr
    return errors[0]


def parse_csv(text: str) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    rows = list(reader)
    return list(reader.fieldnames or []), rows


@pytest.fixture(scope="module")
def done_task(cli: Runner) -> str:
    """A finished 12-result task with two criteria, created by `search --no-wait` + `wait`."""
    created = cli(
        "search", "Dental practice software vendors", "--num", "12", *CRITERIA, "--no-wait"
    )
    assert created.returncode == 0, created.stderr
    task_id = created.stdout.strip()
    assert len(task_id.splitlines()) == 1
    waited = cli("wait", task_id, *FAST)
    assert waited.returncode == 0, waited.stderr
    return task_id


def results_json(cli: Runner, task_id: str) -> list[dict[str, Any]]:
    proc = cli("results", task_id, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    data: list[dict[str, Any]] = json.loads(proc.stdout)
    return data


# Help and usage.

COMMANDS = [
    ["search"],
    ["status"],
    ["wait"],
    ["results"],
    ["resume"],
    ["list"],
    ["shortlist"],
    ["demo"],
    ["tables"],
    ["tables", "add-rows"],
]


def test_help_on_every_command(cli: Runner) -> None:
    top = cli("--help")
    assert top.returncode == 0
    for name in ("search", "status", "wait", "results", "resume", "list", "shortlist"):
        assert name in top.stdout
    assert "examples:" in top.stdout and "exit codes" in top.stdout
    search_help, sandbox_help = cli.many(["search", "--help"], ["sandbox", "--help"])
    assert search_help.returncode == 0 and "examples:" in search_help.stdout
    assert "--criterion KEY:NAME:TEXT" in search_help.stdout
    assert sandbox_help.returncode == 0
    assert "--port" in sandbox_help.stdout and "--speed" in sandbox_help.stdout


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_help_in_process(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    # In-process (parsing only) to keep the suite fast; the subprocess path is tested above.
    assert main([*command, "--help"]) == 0
    out = capsys.readouterr().out
    assert "examples:" in out and "extruct-deep-search" in out
    if command != ["demo"]:
        assert "--token-file" in out  # global options are accepted after the command too


def test_bad_criterion_and_invalid_argument_exit_2(cli: Runner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"not": "a list"}')
    colons, short, file_ = cli.many(
        ["search", "q", "--criterion", "no-colons"],
        # Well-formed for argparse, refused by the wrapper before any request (text too short).
        ["search", "q", "--criterion", "k:Name:short"],
        ["search", "q", "--criteria", str(bad)],
    )
    assert colons.returncode == 2
    assert "KEY:NAME:TEXT" in one_error_line(colons.stderr)
    assert short.returncode == 2
    assert "criteria" in one_error_line(short.stderr)
    assert file_.returncode == 2
    assert "--criteria" in one_error_line(file_.stderr)


# search, in every format.


def test_search_table_with_plain_progress(cli: Runner) -> None:
    proc = cli("search", "Robotics startups in Germany", "--num", "8", *CRITERIA, *FAST)
    assert proc.returncode == 0, proc.stderr
    # stdout is not a terminal: one plain progress line per poll on stderr.
    lines = [line for line in proc.stderr.splitlines() if "evaluated=" in line]
    assert lines and "high-fit=8/8" in lines[-1] and " done " in lines[-1]
    assert "discovered=" in lines[-1] and "enriched=" in lines[-1]
    assert "Relevance" in proc.stdout and "dental" in proc.stdout and "Website" in proc.stdout
    assert proc.stdout.count("https://") == 8


def test_search_csv_round_trip(cli: Runner) -> None:
    proc = cli("search", "Fintech in Brazil", "--num", "10", *CRITERIA, *FAST, "--format", "csv")
    assert proc.returncode == 0, proc.stderr
    columns, rows = parse_csv(proc.stdout)
    assert columns == csv_columns(KEYS)
    assert len(rows) == 10
    for row in rows:
        assert row["company_website"].startswith("http")
        assert row["grade_dental"] in {"", "1", "2", "3", "4", "5"}
        assert all(s.startswith("http") for s in row["sources_dental"].split())
    relevances = [int(r["relevance"]) for r in rows if r["relevance"]]
    assert relevances == sorted(relevances, reverse=True)


def test_search_out_file_formats(cli: Runner, tmp_path: Path) -> None:
    jsonl = tmp_path / "r.jsonl"
    proc = cli("search", "Logistics SaaS", "--num", "6", *FAST, "--out", str(jsonl), "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "" and proc.stderr == ""
    records = [json.loads(line) for line in jsonl.read_text().splitlines()]
    assert len(records) == 6 and all("scores" in r and "company_website" in r for r in records)

    out = tmp_path / "r.json"
    proc = cli(
        "search", "Logistics SaaS", "--num", "6", *FAST, "--format", "json", "--out", str(out)
    )
    assert proc.returncode == 0, proc.stderr
    assert "Wrote 6 results" in proc.stderr
    assert {r["company_website"] for r in json.loads(out.read_text())} == {
        r["company_website"] for r in records
    }

    table = tmp_path / "r.txt"
    proc = cli("search", "Logistics SaaS", "--num", "6", *FAST, "-f", "table", "-o", str(table))
    assert proc.returncode == 0 and "Relevance" in table.read_text()


def test_search_criteria_files_and_exclusions(cli: Runner, tmp_path: Path) -> None:
    criteria_yaml = tmp_path / "criteria.yaml"
    criteria_yaml.write_text(
        "- key: climate\n  name: Climate\n  criterion: Builds software for climate teams\n"
    )
    first = cli(
        "search",
        "Climate software",
        "--num",
        "5",
        *FAST,
        "--criteria",
        str(criteria_yaml),
        "-f",
        "json",
    )
    assert first.returncode == 0, first.stderr
    seen = [r["company_website"] for r in json.loads(first.stdout)]
    assert all("climate" in r["scores"] for r in json.loads(first.stdout))

    criteria_json = tmp_path / "criteria.json"
    criteria_json.write_text(
        json.dumps(
            [
                {
                    "key": "climate",
                    "name": "Climate",
                    "criterion": "Builds software for climate teams",
                }
            ]
        )
    )
    excluded = tmp_path / "seen.txt"
    excluded.write_text("# seen before\n" + "\n".join(seen[:3]) + "\n\n")
    second = cli(
        "search", "Climate software", "--num", "5", *FAST,
        "--criteria", str(criteria_json),
        "--exclude-domains-file", str(excluded),
        "--exclude-domain", seen[3],
        "--data-source", "web_search",
        "-f", "json",
    )  # fmt: skip
    assert second.returncode == 0, second.stderr
    again = {r["company_website"] for r in json.loads(second.stdout)}
    assert not again & set(seen[:4])


# status, wait, results, resume, list.


def test_status_and_list(cli: Runner, done_task: str) -> None:
    proc = cli("status", done_task)
    assert proc.returncode == 0 and done_task in proc.stdout and "done" in proc.stdout
    proc = cli("status", done_task, "--format", "json")
    task = json.loads(proc.stdout)
    assert task["id"] == done_task and task["status"] == "done"
    assert [c["key"] for c in task["criteria"]] == KEYS
    proc = cli("list", "--limit", "100", "--format", "jsonl")
    assert proc.returncode == 0
    ids = [json.loads(line)["id"] for line in proc.stdout.splitlines()]
    assert done_task in ids
    proc = cli("list", "--limit", "3")
    assert proc.returncode == 0 and "Status" in proc.stdout
    proc = cli("list", "--limit", "2", "--offset", "1", "-f", "json")
    assert len(json.loads(proc.stdout)) == 2


def test_results_formats(cli: Runner, done_task: str, tmp_path: Path) -> None:
    records = results_json(cli, done_task)
    assert len(records) == 12
    proc = cli("results", done_task, "--format", "jsonl", "--page-size", "5")
    assert [json.loads(line)["id"] for line in proc.stdout.splitlines()] == [
        r["id"] for r in records
    ]
    out = tmp_path / "res.csv"
    proc = cli("results", done_task, "--out", str(out))
    assert proc.returncode == 0
    with out.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
        assert reader.fieldnames == csv_columns(KEYS)
    assert [r["company_website"] for r in rows] == [r["company_website"] for r in records]
    assert [r["sources_dental"] for r in rows] == [
        " ".join(r["scores"]["dental"]["sources"]) for r in records
    ]
    proc = cli("results", done_task)
    assert proc.returncode == 0 and "Relevance" in proc.stdout


def test_resume_then_wait(cli: Runner) -> None:
    created = cli("search", "Insurance software", "--num", "4", "--no-wait")
    task_id = created.stdout.strip()
    assert cli("wait", task_id, *FAST).returncode == 0
    proc = cli("resume", task_id, "--more", "3", "--wait", *FAST)
    assert proc.returncode == 0, proc.stderr
    assert "7 results" in proc.stderr
    assert len(results_json(cli, task_id)) == 7


def test_resume_says_when_the_250_cap_cuts_the_request(cli: Runner) -> None:
    created = cli("search", "broad payroll software", "--num", "240", "--no-wait")
    task_id = created.stdout.strip()
    proc = cli("resume", task_id, "--more", "25")
    assert proc.returncode == 0, proc.stderr
    assert "asked for 25 more" in proc.stderr and "capped at 250" in proc.stderr
    assert "(10 more;" in proc.stderr
    proc = cli("resume", task_id, "--more", "5")
    assert proc.returncode == 0, proc.stderr
    assert "already aims for 250 results" in proc.stderr
    assert f"--exclude-task {task_id}" in proc.stderr
    status = json.loads(cli("status", task_id, "-f", "json").stdout)
    assert status["desired_num_results"] == 250


def test_resume_more_0_is_refused(cli: Runner) -> None:
    proc = cli("resume", "00000000-0000-4000-8000-000000000000", "--more", "0")
    assert proc.returncode == 2
    line = one_error_line(proc.stderr)
    assert "--more" in line and "0 would ask for nothing new" in line


def test_resume_exhausted_is_api_error(cli: Runner) -> None:
    created = cli("search", "niche dental lab software", "--num", "250", "--no-wait")
    task_id = created.stdout.strip()
    assert cli("wait", task_id, *FAST).returncode == 0
    proc = cli("resume", task_id, "--more", "5")
    assert proc.returncode == 1
    assert "400" in one_error_line(proc.stderr)


# shortlist.


def test_shortlist_applies_the_rule(cli: Runner, done_task: str) -> None:
    records = results_json(cli, done_task)

    def grade(r: dict[str, Any], key: str) -> int | None:
        score = r["scores"].get(key)
        return score["grade"] if score else None

    expected = [
        r["company_website"]
        for r in records
        if (grade(r, "dental") or 0) >= 4 and (grade(r, "b2b") is None or grade(r, "b2b") >= 3)  # type: ignore[operator]
    ]
    proc = cli("shortlist", done_task, "--must-have", "dental", "--blocker", "b2b", "-f", "csv")
    assert proc.returncode == 0, proc.stderr
    columns, rows = parse_csv(proc.stdout)
    assert columns == csv_columns(KEYS)
    assert [r["company_website"] for r in rows] == expected
    assert f"{len(expected)} of 12 results pass" in proc.stderr
    proc = cli("shortlist", done_task, "--must-have", "dental,b2b", "-f", "jsonl")
    for line in proc.stdout.splitlines():
        record = json.loads(line)
        assert grade(record, "dental") in (4, 5) and grade(record, "b2b") in (4, 5)
    proc = cli("shortlist", done_task, "--must-have", "dental")
    assert proc.returncode == 0 and "Shortlist" in proc.stdout


def test_shortlist_unknown_key_and_no_keys(cli: Runner, done_task: str) -> None:
    proc = cli("shortlist", done_task, "--must-have", "dentle")
    assert proc.returncode == 2
    line = one_error_line(proc.stderr)
    assert "dentle" in line and "dental" in line
    proc = cli("shortlist", done_task)
    assert proc.returncode == 2
    assert "--must-have" in one_error_line(proc.stderr)


# tables add-rows.


def test_tables_add_rows(cli: Runner, done_task: str) -> None:
    records = results_json(cli, done_task)
    proc = cli(
        "tables", "add-rows", "tbl_cli_test", "--from-task", done_task, "--dry-run",
        "--batch-size", "5",
    )  # fmt: skip
    assert proc.returncode == 0
    websites = [{"data": {"input": r["company_website"]}} for r in records]
    # One request per batch, as add_table_rows would send them.
    assert json.loads(proc.stdout) == [
        {
            "method": "POST",
            "path": "/v1/tables/tbl_cli_test/rows",
            "body": {"rows": rows, "run": False},
        }
        for rows in (websites[:5], websites[5:10], websites[10:])
    ]
    assert "12 rows of 12 results in 3 batch(es) of at most 5" in proc.stderr
    assert "nothing was sent" in proc.stderr
    proc = cli("tables", "add-rows", "tbl_cli_test", "--from-task", done_task, "--batch-size", "5")
    assert proc.returncode == 0, proc.stderr
    assert "Added 12 rows to table tbl_cli_test" in proc.stdout
    proc = cli(
        "tables", "add-rows", "tbl_cli_test", "--from-task", done_task,
        "--must-have", "dental", "--blocker", "b2b", "--run", "--dry-run",
    )  # fmt: skip
    (request,) = json.loads(proc.stdout)
    assert request["body"]["run"] is True and len(request["body"]["rows"]) <= 12


def test_tables_add_rows_unknown_table(cli: Runner, done_task: str) -> None:
    proc = cli("tables", "add-rows", "no-such-table", "--from-task", done_task)
    assert proc.returncode == 1
    line = one_error_line(proc.stderr)
    assert "404" in line and "table no-such-table not found" in line


# Failures, exit codes, the token.


def test_failed_task_exits_1(cli: Runner) -> None:
    proc = cli("search", "FAIL_TASK widgets", "--num", "20", *FAST)
    assert proc.returncode == 1
    line = one_error_line(proc.stderr)
    assert "failed" in line and "extruct-deep-search results" in line


MISSING = "00000000-0000-4000-8000-00000000abcd"


@pytest.mark.parametrize(
    "argv",
    [
        ["status", MISSING],
        ["results", MISSING],
        ["wait", MISSING],
        ["resume", MISSING],
        ["shortlist", MISSING, "--must-have", "x"],
        ["tables", "add-rows", "tbl_x", "--from-task", MISSING],
    ],
    ids=lambda argv: argv[0],
)
def test_unknown_task_names_the_id(cli: Runner, argv: list[str]) -> None:
    proc = cli(*argv)
    assert proc.returncode == 1
    line = one_error_line(proc.stderr)
    assert f"task {MISSING} not found" in line and "404" in line


def test_authentication(cli: Runner, tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(cli.token + "\n")
    no_env = cli_env(cli.base_url, None)
    missing, from_file, no_file = cli.many(
        ["list"],
        ["--token-file", str(token_file), "list", "--limit", "1"],
        ["list", "--token-file", str(tmp_path / "missing")],
        env=no_env,
    )
    assert missing.returncode == 2
    assert "EXTRUCT_API_TOKEN" in one_error_line(missing.stderr)
    assert from_file.returncode == 0, from_file.stderr
    assert no_file.returncode == 2 and "--token-file" in one_error_line(no_file.stderr)
    secret = "sbx_wrong_secret_token_123"
    proc = cli("list", env=cli_env(cli.base_url, secret))
    assert proc.returncode == 2
    assert "authentication" in one_error_line(proc.stderr)
    assert secret not in proc.stdout + proc.stderr


def test_connection_error_exits_1(cli: Runner) -> None:
    proc = cli("--base-url", "http://127.0.0.1:9", "list")
    assert proc.returncode == 1
    assert "cannot reach" in one_error_line(proc.stderr)


def test_token_never_printed_even_with_debug(cli: Runner, done_task: str) -> None:
    runs = cli.many(
        ["--debug", "search", "Debug me", "--num", "3", *FAST],
        ["--debug", "status", done_task],
        ["--debug", "status", "00000000-0000-4000-8000-000000000000"],
        ["search", "FAIL_TASK debug", "--num", "5", *FAST, "--debug"],
        ["--debug", "--base-url", "http://127.0.0.1:9", "list"],
        ["--debug", "list", "--bogus"],
    )
    assert "Traceback" in runs[2].stderr  # --debug shows tracebacks ...
    assert "DEBUG" in runs[0].stderr  # ... and debug logging
    for proc in runs:
        assert cli.token not in proc.stdout + proc.stderr


# --sandbox, sandbox, demo, the install hint.


def test_global_sandbox_option(tmp_path: Path) -> None:
    proc = subprocess.run(
        [*CLI, "--sandbox", "search", "Drone makers", "--num", "5", "-f", "json"],
        env=cli_env(None, None),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert len(json.loads(proc.stdout)) == 5
    assert Sandbox.token not in proc.stdout + proc.stderr


def test_demo_writes_results_csv(tmp_path: Path) -> None:
    proc = subprocess.run(
        [*CLI, "demo", "--speed", "5", "--num", "10"],
        env=cli_env(None, None),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Relevance" in proc.stdout and "dental_focus" in proc.stdout
    assert "evaluated=" in proc.stderr  # progress shown
    with (tmp_path / "results.csv").open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
    assert reader.fieldnames == csv_columns(["dental_focus", "b2b_saas", "smb_market"])
    assert {r["grade_dental_focus"] for r in rows} <= {"", "1", "2", "3", "4", "5"}
    assert len(rows) == 10
    other = tmp_path / "sub" / "demo.csv"
    other.parent.mkdir()
    proc = subprocess.run(
        [*CLI, "demo", "--speed", "5", "--num", "3", "--out", str(other), "-q"],
        env=cli_env(None, None),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0 and len(other.read_text().splitlines()) == 4


def test_sandbox_command_serves_until_sigint() -> None:
    import signal

    proc = subprocess.Popen(
        [*CLI, "sandbox", "--port", "0", "--seed", "1"],
        env=cli_env(None, None),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert "sandbox at http://127.0.0.1:" in first
        url = first.rsplit(" ", 1)[-1].strip()
        listed = subprocess.run(
            [*CLI, "list"],
            env=cli_env(url, Sandbox.token),
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert listed.returncode == 0, listed.stderr
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_missing_rich_prints_install_hint() -> None:
    code = (
        "import sys; sys.modules['rich'] = None\n"
        "from extruct_deep_search.cli import main\n"
        "raise SystemExit(main(['list']))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 2
    assert "pip install 'extruct-deep-search[cli]'" in proc.stderr


@pytest.mark.parametrize("argv", [["--help"], ["search", "--help"], ["--version"]])
def test_help_works_without_rich(argv: list[str]) -> None:
    code = (
        "import sys; sys.modules['rich'] = None\n"
        "from extruct_deep_search.cli import main\n"
        f"raise SystemExit(main({argv!r}))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    assert "extruct-deep-search" in proc.stdout and "Traceback" not in proc.stderr
