"""The SQLite journal: atomic claims across processes, and records that survive SIGKILL."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import pytest
from extruct_deep_search.journal import (
    MemoryJournal,
    SQLiteJournal,
    owner_alive,
    process_owner,
)


@pytest.fixture(params=["memory", "sqlite"])
def journal(request, tmp_path):
    return MemoryJournal() if request.param == "memory" else SQLiteJournal(tmp_path / "j.sqlite")


def test_begin_claims_a_new_key_once(journal):
    first = journal.begin("k", "fp", "q", sent_at=10.0, owner="a")
    assert (first.owner, first.task_id, first.sent_at) == ("a", None, 10.0)
    second = journal.begin("k", "fp", "q", sent_at=11.0, owner="b")
    assert second.owner == "a"  # b does not own it


def test_a_claim_passes_on_only_from_the_named_owner_and_keeps_the_first_send(journal):
    journal.begin("k", "fp", "q", sent_at=10.0, owner="a")
    assert journal.begin("k", "fp", "q", sent_at=20.0, owner="b", replace_owner="x").owner == "a"
    taken = journal.begin("k", "fp", "q", sent_at=20.0, owner="b", replace_owner="a")
    assert (taken.owner, taken.sent_at) == ("b", 10.0)


def test_attach_records_the_task_and_ends_claims(journal):
    journal.begin("k", "fp", "q", sent_at=10.0, owner="a")
    journal.attach("k", "t1", "created")
    e = journal.get("k")
    assert (e.task_id, e.status) == ("t1", "created")
    assert journal.begin("k", "fp", "q", sent_at=30.0, owner="b", replace_owner="a").owner == "a"
    journal.set_status("k", "done")
    assert journal.get("k").status == "done"
    assert journal.task_ids() == {"t1"}
    assert [e.key for e in journal.entries()] == ["k"]


def test_a_task_recorded_under_one_key_is_refused_to_another(journal):
    journal.begin("a", "fp", "q", sent_at=1.0, owner="w1")
    journal.begin("b", "fp", "q", sent_at=1.0, owner="w2")
    assert journal.attach("a", "task-1", "created") is True
    assert journal.attach("b", "task-1", "created") is False
    assert journal.get("b").task_id is None
    assert journal.attach("a", "task-1", "done") is True  # the same key again: fine
    assert journal.task_ids() == {"task-1"}


def test_sqlite_schema_is_versioned_and_refuses_a_newer_one(tmp_path):
    path = tmp_path / "j.sqlite"
    SQLiteJournal(path)
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == 1
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.execute("PRAGMA user_version = 99")
    db.commit()
    db.close()
    with pytest.raises(ValueError, match="schema version 99"):
        SQLiteJournal(path)


def _claim(path: str, who: str, barrier, out) -> None:
    j = SQLiteJournal(path)
    barrier.wait()
    out.put((who, j.begin("k", "fp", "q", sent_at=time.time(), owner=who).owner))


def test_concurrent_claims_from_many_processes_have_one_winner(tmp_path):
    path = str(tmp_path / "j.sqlite")
    SQLiteJournal(path)
    ctx = multiprocessing.get_context("spawn")
    barrier, out = ctx.Barrier(6), ctx.Queue()
    procs = [ctx.Process(target=_claim, args=(path, f"p{i}", barrier, out)) for i in range(6)]
    for p in procs:
        p.start()
    results = [out.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(60)
    owners = {owner for _, owner in results}
    assert len(owners) == 1  # everyone sees the same single winner


def test_records_survive_sigkill_at_random_instants(tmp_path):
    """A writer killed mid-stream leaves a readable journal holding every committed record."""
    path = tmp_path / "j.sqlite"
    SQLiteJournal(path)
    code = textwrap.dedent(
        f"""
        import sys
        from extruct_deep_search.journal import SQLiteJournal
        j = SQLiteJournal({str(path)!r})
        i = 0
        while True:
            k = f"k{{i}}"
            j.begin(k, "fp", "q", sent_at=1.0, owner="w")
            j.attach(k, f"t{{i}}", "created")
            print(i, flush=True)
            i += 1
        """
    )
    for round_ in range(5):
        proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
        last = None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            last = int(line)
            if last >= 3 + round_ * 7:
                break
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        j = SQLiteJournal(path)
        entries = {e.key: e for e in j.entries()}
        # Every record acknowledged before the kill is there, whole.
        for i in range(last + 1):
            assert entries[f"k{i}"].task_id == f"t{i}"
        assert sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_the_journal_holds_no_token(tmp_path):
    from extruct_deep_search._core.params import CreateParams

    path = tmp_path / "j.sqlite"
    j = SQLiteJournal(path)
    j.begin("k", CreateParams("q").fingerprint(), "q", sent_at=1.0, owner=process_owner())
    assert b"Bearer" not in path.read_bytes()


def test_owner_alive_tells_live_from_dead_and_from_pid_reuse():
    me = process_owner()
    assert owner_alive(me) is True
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    host = me.split(":")[0]
    assert owner_alive(f"{host}:{proc.pid}:1") is False
    assert owner_alive(f"{host}:{os.getpid()}:0") is False  # same pid, other start time
    assert owner_alive(f"elsewhere:{os.getpid()}:1") is None
    assert owner_alive(None) is False
