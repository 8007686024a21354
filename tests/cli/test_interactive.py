"""Ctrl-C, timeouts and the live progress display under a pseudo-terminal (slow sandbox)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pexpect
import pytest
from extruct_deep_search import DeepSearch
from extruct_deep_search.sandbox import Sandbox

from .conftest import CLI, Runner, cli_env

pytestmark = pytest.mark.integration

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def long_task(sandbox: Sandbox) -> str:
    """A task that runs for a minute or more at the slow sandbox's speed."""
    with DeepSearch(sandbox.token, base_url=sandbox.base_url) as ds:
        return ds.create("broad industrial IoT platforms", desired_num_results=250).id


def test_ctrl_c_stops_watching_and_prints_resume_command(
    slow_cli: Runner, slow_sandbox: Sandbox
) -> None:
    task_id = long_task(slow_sandbox)
    proc = subprocess.Popen(
        [*CLI, "wait", task_id, "--poll-interval", "0.2"],
        env=slow_cli.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stderr is not None
        first = proc.stderr.readline()  # the first plain progress line: watching has begun
        assert "evaluated=" in first, first
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130
    assert f"extruct-deep-search wait {task_id}" in err
    assert "Traceback" not in err and slow_sandbox.token not in out + err
    # The task is still running on the server.
    with DeepSearch(slow_sandbox.token, base_url=slow_sandbox.base_url) as ds:
        assert not ds.get(task_id).is_terminal


def test_wait_timeout_exits_1(slow_cli: Runner, slow_sandbox: Sandbox) -> None:
    task_id = long_task(slow_sandbox)
    proc = slow_cli("wait", task_id, "--poll-interval", "0.2", "--timeout", "0.5")
    assert proc.returncode == 1
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "Traceback" not in proc.stderr
    assert f"extruct-deep-search wait {task_id}" in errors[0]


def test_live_progress_under_a_pty(slow_cli: Runner) -> None:
    child = pexpect.spawn(
        CLI[0],
        [*CLI[1:], "search", "Agritech drones pool:600", "--num", "20", "--poll-interval", "0.2"],
        env=slow_cli.env(TERM="xterm-256color"),
        encoding="utf-8",
        timeout=60,
        dimensions=(40, 140),
    )
    seen: list[int] = []
    started = time.monotonic()
    try:
        while True:
            index = child.expect([r"evaluated\s*(?:\x1b\[[0-9;]*m)*\s*(\d+)", pexpect.EOF])
            if index == 1:
                break
            seen.append(int(child.match.group(1)))
        transcript = ANSI.sub("", child.before or "")
    finally:
        child.close()
    assert child.exitstatus == 0, transcript
    assert time.monotonic() - started < 60
    assert len(set(seen)) >= 2, seen  # the counters update
    assert seen == sorted(seen)
    assert "Relevance" in transcript  # then the results table


def test_live_progress_shows_all_counters(slow_cli: Runner) -> None:
    child = pexpect.spawn(
        CLI[0],
        [*CLI[1:], "search", "Agritech drones pool:600", "--num", "3", "--poll-interval", "0.2"],
        env=slow_cli.env(TERM="xterm-256color"),
        encoding="utf-8",
        timeout=60,
        dimensions=(40, 140),
    )
    try:
        out = child.read()
    finally:
        child.close()
    plain = ANSI.sub("", out)
    for label in ("discovered", "enriched", "evaluated", "high-fit", "status", "elapsed"):
        assert label in plain, label
    assert "3/3" in plain and "done" in plain


# A closed pipe and a second Ctrl-C end quietly.


@pytest.fixture(scope="module")
def big_task(cli: Runner) -> str:
    """A finished task with 250 results: its output is larger than a pipe's buffer."""
    with DeepSearch(cli.token, base_url=cli.base_url) as ds:
        task = ds.create("broad dental software", desired_num_results=250)
        ds.wait(task.id, poll_interval=0.05)
    return task.id


@pytest.mark.parametrize(
    "argv",
    [["results", "{id}", "-f", "jsonl"], ["results", "{id}", "-f", "csv"], ["results", "{id}"]],
    ids=["jsonl", "csv", "table"],
)
def test_closed_pipe_exits_0_quietly(cli: Runner, big_task: str, argv: list[str]) -> None:
    command = " ".join([*CLI, *(a.format(id=big_task) for a in argv)])
    proc = subprocess.run(
        ["bash", "-c", f"{command} | head -n 1; echo rc=${{PIPESTATUS[0]}} >&2"],
        env=cli.env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.stdout.count("\n") == 1
    assert proc.stderr.strip().splitlines()[-1] == "rc=0", proc.stderr
    assert "Traceback" not in proc.stderr and "Broken" not in proc.stderr
    assert "Exception ignored" not in proc.stderr


def test_ctrl_c_during_shutdown_exits_130_without_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Closing the client (or stopping a sandbox) is interrupted by a Ctrl-C.
    from extruct_deep_search.cli import _app
    from extruct_deep_search.cli._context import Context

    def interrupted_close(self: Context) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(Context, "close", interrupted_close)
    previous = signal.getsignal(signal.SIGINT)
    try:
        assert _app.run(["--sandbox", "list"]) == 130
    finally:
        signal.signal(signal.SIGINT, previous)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err


def test_second_ctrl_c_exits_at_once() -> None:
    # The demo stops an in-process sandbox on the way out; Ctrl-C twice must not
    # print a traceback wherever the second one lands.
    for delay in (0.0, 0.05, 0.2):
        proc = subprocess.Popen(
            [*CLI, "demo", "--speed", "0.05", "--num", "30", "--out", os.devnull],
            env=cli_env(None, None),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert proc.stderr is not None
            while "evaluated=" not in proc.stderr.readline():
                pass
            proc.send_signal(signal.SIGINT)
            time.sleep(delay)
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
            _, err = proc.communicate(timeout=15)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        # 130, or death by SIGINT when the second one lands after Python's own
        # finalization reset the handler: a shell shows $? = 130 for both.
        assert proc.returncode in (130, -signal.SIGINT), err
        assert "Traceback" not in err and "KeyboardInterrupt" not in err, err


def test_batch_live_table_under_a_pty(slow_cli: Runner, tmp_path: Path) -> None:
    file = tmp_path / "b.csv"
    file.write_text(
        "key,query,desired_num_results\n"
        "drones-a,Agritech drones pool:600,10\n"
        "drones-b,Agritech drones in Europe pool:600,10\n"
        "drones-c,Agritech drones in Asia pool:600,10\n"
    )
    child = pexpect.spawn(
        CLI[0],
        [*CLI[1:], "batch", str(file), "--out", str(tmp_path / "out"), "--max-active", "2"],
        env=slow_cli.env(TERM="xterm-256color"),
        encoding="utf-8",
        timeout=120,
        dimensions=(40, 140),
    )
    child.expect(pexpect.EOF)
    child.close()
    screen = ANSI.sub("", child.before or "")
    assert child.exitstatus == 0, screen
    # The live table: its header, active rows with high-fit/target, the totals with an ETA.
    assert re.search(r"Key\s+.\s*Status\s+.\s*Evaluated\s+.\s*High-fit\s+.\s*Elapsed", screen)
    assert re.search(r"drones-[ab]\s+.\s*\w+\s+.\s*\d+\s+.\s*\d+/10", screen)
    assert "ETA ~" in screen and "3/3 finished (0 failed)" in screen
    assert "Traceback" not in screen


# A child that sends itself SIGINT when MODULE starts importing, then runs
# `python -m extruct_deep_search ARGS...` as runpy does for -m.
CTRL_C_WHILE_IMPORTING = """
import os, runpy, signal, sys

# As from an interactive shell: a test runner may have started us ignoring SIGINT.
signal.signal(signal.SIGINT, signal.default_int_handler)

MODULE = sys.argv[1]

class CtrlC:
    def find_spec(self, name, path=None, target=None):
        if name == MODULE:
            os.kill(os.getpid(), signal.SIGINT)
        return None

sys.meta_path.insert(0, CtrlC())
sys.argv = ["extruct_deep_search", *sys.argv[2:]]
runpy.run_module("extruct_deep_search", run_name="__main__", alter_sys=True)
"""


@pytest.mark.parametrize(
    "module",
    [
        "extruct_deep_search.cli",
        "extruct_deep_search.cli._app",
        "extruct_deep_search.cli._batch",
        "extruct_deep_search.cli._parser",
    ],
)
def test_ctrl_c_while_the_command_line_imports_exits_130_quietly(
    slow_cli: Runner, module: str, tmp_path: Path
) -> None:
    file = tmp_path / "b.csv"
    file.write_text("query\nDental practice software in Germany\n", encoding="utf-8")
    argv = ["batch", str(file), "--out", str(tmp_path / "out")]
    proc = subprocess.run(
        [CLI[0], "-c", CTRL_C_WHILE_IMPORTING, module, *argv],
        env=slow_cli.env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 130, proc.stderr
    assert proc.stderr == ""
    assert not (tmp_path / "out").exists()  # interrupted before the command ran
