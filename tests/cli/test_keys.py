"""`search --key --journal` re-attaches across runs; `journal list/show` print the journal."""

from __future__ import annotations

import json
import shlex
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from extruct_deep_search.sandbox import Sandbox

from .conftest import CLI, Runner

pytestmark = pytest.mark.integration

QUERY = "Dental practice software in Germany"


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(seed=9, speed=0.5) as sb:
        yield sb


@pytest.fixture
def run(sandbox: Sandbox) -> Runner:
    return Runner(sandbox.base_url, sandbox.token)


def task_count(sandbox: Sandbox) -> int:
    headers = {"Authorization": f"Bearer {sandbox.token}"}
    page = httpx.get(f"{sandbox.base_url}/v1/discovery_tasks?limit=100", headers=headers)
    return len(page.json())


def one_error(stderr: str) -> str:
    assert "Traceback" not in stderr
    (line,) = [line for line in stderr.splitlines() if line.startswith("error:")]
    return line


def test_keyed_search_rerun_reattaches(run: Runner, sandbox: Sandbox, tmp_path: Path) -> None:
    journal = tmp_path / "j.sqlite"
    argv = ["search", QUERY, "--num", "5", "--key", "dental-de", "--format", "csv"]
    first = run(*argv, "--journal", str(journal))
    assert first.returncode == 0, first.stderr
    assert "Created task" in first.stderr and "(key dental-de)" in first.stderr
    # The same command again, the journal from the environment this time: no new task.
    second = run(*argv, env=run.env(EXTRUCT_JOURNAL=str(journal)))
    assert second.returncode == 0, second.stderr
    assert "Re-attached to task" in second.stderr
    assert second.stdout == first.stdout  # the same results
    assert task_count(sandbox) == 1

    no_wait = run(*argv, "--journal", str(journal), "--no-wait")
    listed = run("journal", "list", "--journal", str(journal), "--format", "json")
    task_id = json.loads(listed.stdout)[0]["task_id"]
    assert no_wait.stdout.strip() == task_id and task_count(sandbox) == 1


def test_key_with_other_parameters_is_refused_before_any_request(
    run: Runner, sandbox: Sandbox, tmp_path: Path
) -> None:
    journal = str(tmp_path / "j.sqlite")
    made = run("search", QUERY, "--num", "5", "--key", "k", "--journal", journal, "--no-wait")
    assert made.returncode == 0, made.stderr
    other = run("search", QUERY, "--num", "6", "--key", "k", "--journal", journal)
    assert other.returncode == 2
    assert one_error(other.stderr).startswith("error: --key: ")
    assert task_count(sandbox) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--key", "k"], "error: --key: needs a journal to remember the key across runs"),
        (["--journal", "j.sqlite"], "error: --journal: keeps keyed searches only; add --key KEY"),
        (["--key", "", "--journal", "j.sqlite"], "error: --key: must be a non-empty string"),
        (["--key", "k", "--journal", "j.sqlite", "--sandbox"], "error: --key: the --sandbox's"),
    ],
)
def test_key_and_journal_usage_errors(
    run: Runner, args: list[str], message: str, tmp_path: Path
) -> None:
    proc = run("search", QUERY, *args, cwd=tmp_path)
    assert proc.returncode == 2
    assert one_error(proc.stderr).startswith(message)


def test_journal_list_and_show(run: Runner, tmp_path: Path) -> None:
    journal = str(tmp_path / "j.sqlite")
    for key, query in (("a", QUERY), ("b", "Dental practice software in France")):
        made = run("search", query, "--num", "5", "--key", key, "--journal", journal, "--no-wait")
        assert made.returncode == 0, made.stderr
    listed = run("journal", "list", "--journal", journal)  # not a terminal: plain
    header, *rows = listed.stdout.splitlines()
    assert header.split("\t") == ["key", "task_id", "status", "created", "query"]
    assert [r.split("\t")[0] for r in rows] == ["a", "b"]
    assert rows[1].split("\t")[4] == "Dental practice software in France"

    shown = run("journal", "show", "b", "--journal", journal, "--format", "json")
    record = json.loads(shown.stdout)
    assert record["key"] == "b" and record["task_id"] == rows[1].split("\t")[1]
    assert set(record) >= {"fingerprint", "sent_at", "owner", "created", "updated", "status"}
    assert "sbx_" not in shown.stdout + listed.stdout  # no token in the journal

    table = run("journal", "list", "--journal", journal, "--format", "table")
    assert "a" in table.stdout and "Dental practice software in France" in table.stdout

    missing = run("journal", "show", "nope", "--journal", journal)
    assert missing.returncode == 1
    assert one_error(missing.stderr) == f"error: key 'nope' is not in journal {journal}"
    absent = run("journal", "list", "--journal", str(tmp_path / "none.sqlite"))
    assert absent.returncode == 2 and "no such journal file" in one_error(absent.stderr)
    assert not (tmp_path / "none.sqlite").exists()  # reading never creates a journal


def test_ctrl_c_names_key_task_and_the_command_that_resumes(
    run: Runner, sandbox: Sandbox, tmp_path: Path
) -> None:
    journal = str(tmp_path / "j.sqlite")
    argv = ["search", QUERY, "--num", "60", "--key", "slow", "--journal", journal]
    proc = subprocess.Popen(
        [*CLI, *argv], env=run.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert proc.stderr is not None
    created = proc.stderr.readline()  # "Created task ID (key slow) (Ctrl-C stops watching...)"
    assert created.startswith("Created task") and task_count(sandbox) == 1
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    task_id = created.split()[2]
    assert (
        f"Task {task_id} (key slow) keeps running; rerun the same command to re-attach:" in stderr
    )
    assert shlex.join(["extruct-deep-search", *argv]) in stderr


def test_an_error_after_the_task_exists_names_key_task_and_resume(
    run: Runner, tmp_path: Path
) -> None:
    journal = str(tmp_path / "j.sqlite")
    argv = ["search", QUERY, "--num", "60", "--key", "late", "--journal", journal]
    proc = run(*argv, "--timeout", "0.5")
    assert proc.returncode == 1
    line = one_error(proc.stderr)
    assert "key late, task " in line
    command = shlex.join(["extruct-deep-search", *argv, "--timeout", "0.5"])
    assert line.endswith(f"resume with: {command}")

    unkeyed = run("search", QUERY, "--num", "60", "--timeout", "0.5")
    line = one_error(unkeyed.stderr)
    assert "; task " in line and "resume with: extruct-deep-search wait " in line
