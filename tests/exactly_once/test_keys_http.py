"""Keys and the journal, over real HTTP against the sandbox, on both clients.

A key names one logical search and never creates a second task: later calls
with it re-attach, in this client or another one sharing the journal, and a
claim left by a process that died between its POST and recording the task id
is resolved without paying twice.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from client_driver import Driver, server_tasks
from extruct_deep_search import (
    Criterion,
    InvalidArgumentError,
    Search,
    SQLiteJournal,
    TaskFailedError,
)
from extruct_deep_search.sandbox import Sandbox

pytestmark = pytest.mark.integration

Make = Callable[..., Driver]
QUERY = "payroll software for restaurants in Spain"


def fingerprint(query: str = QUERY, desired_num_results: int = 7) -> str:
    return Search(query, desired_num_results=desired_num_results).params.fingerprint()


def create_plainly(sb: Sandbox, query: str = QUERY, desired_num_results: int = 7) -> str:
    """Create a task as another caller would (raw HTTP); return its id."""
    headers = {"Authorization": f"Bearer {sb.token}"}
    with httpx.Client(base_url=sb.base_url, headers=headers) as c:
        body = {"query": query, "desired_num_results": desired_num_results}
        return str(c.post("/v1/discovery_tasks", json=body).raise_for_status().json()["id"])


def dead_owner() -> str:
    """The owner string of a process of this host that has exited."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return f"{socket.gethostname()}:{child.pid}:0"


def test_create_with_a_key_twice_returns_the_same_task_after_one_post(
    sb: Sandbox, make: Make
) -> None:
    ds = make()
    first = ds.create(QUERY, desired_num_results=7, key="payroll-es")
    second = ds.create(QUERY, desired_num_results=7, key="payroll-es")
    assert second.id == first.id
    assert ds.posts() == 1
    assert ds.sent_to("GET", f"/v1/discovery_tasks/{first.id}") == 1  # re-attached: a GET
    assert [t["id"] for t in server_tasks(sb)] == [first.id]


def test_run_with_a_key_twice_reattaches_and_returns_the_same_results(
    sb: Sandbox, make: Make
) -> None:
    ds = make()
    first = ds.run(QUERY, desired_num_results=7, key="payroll-es")
    sent = len(ds.sent)
    second = ds.run(QUERY, desired_num_results=7, key="payroll-es")
    assert second.task.id == first.task.id
    assert [r.id for r in second.results] == [r.id for r in first.results]
    assert 0 < len(first.results) == first.task.num_results
    assert ds.posts() == 1
    assert all(method == "GET" for method, _, _ in ds.sent[sent:])
    assert len(server_tasks(sb)) == 1
    assert ds.ds.journal.get("payroll-es").status == "done"


def test_one_key_asked_twice_at_once_creates_one_task(sb: Sandbox, make: Make) -> None:
    ds = make()

    def create(d: Any) -> Any:
        return d.create(QUERY, desired_num_results=7, key="payroll-es")

    first, second = ds.at_once([create, create])
    assert not isinstance(first, Exception), first
    assert not isinstance(second, Exception), second
    assert first.id == second.id
    assert ds.posts() == 1
    assert len(server_tasks(sb)) == 1


CHANGES: dict[str, Any] = {
    "query": "payroll software for restaurants in Portugal",
    "desired_num_results": 8,
    "criteria": [Criterion("spain", "Spain", "The company is headquartered in Spain.")],
    "exclude_domains": ["example.com"],
    "exclude_task_ids": ["6e6ed95a-e54a-4fd5-9c86-7e3084336c91"],
    "data_sources": ["linkedin"],
}


@pytest.mark.parametrize("changed", list(CHANGES))
@pytest.mark.parametrize("call", ["create", "run"])
def test_a_key_reused_with_other_parameters_is_refused_before_any_request(
    sb: Sandbox, make: Make, changed: str, call: str
) -> None:
    ds = make()
    ds.create(QUERY, desired_num_results=7, key="payroll-es")
    sent = list(ds.sent)
    arguments: dict[str, Any] = {
        "query": QUERY,
        "desired_num_results": 7,
        changed: CHANGES[changed],
    }
    query = arguments.pop("query")
    with pytest.raises(InvalidArgumentError) as caught:
        ds.call(call, query, key="payroll-es", **arguments)
    assert caught.value.argument == "key"
    assert "payroll-es" in str(caught.value)
    assert ds.sent == sent
    assert len(server_tasks(sb)) == 1


@pytest.mark.parametrize(
    "key",
    ["", "   ", "k" * 201, "line\nbreak", "nul\x00", "tab\there", 42, b"bytes"],
    ids=["empty", "blank", "201-chars", "newline", "nul", "tab", "int", "bytes"],
)
@pytest.mark.parametrize("call", ["create", "run"])
def test_an_invalid_key_is_refused_naming_key_before_any_request(
    sb: Sandbox, make: Make, key: object, call: str
) -> None:
    ds = make()
    with pytest.raises(InvalidArgumentError) as caught:
        ds.call(call, QUERY, desired_num_results=7, key=key)
    assert caught.value.argument == "key"
    assert ds.sent == []
    assert server_tasks(sb) == []


def test_a_key_of_200_printable_characters_is_accepted(sb: Sandbox, make: Make) -> None:
    ds = make()
    key = "ключ-" + "k" * 195  # 200 characters, not all ASCII
    task = ds.create(QUERY, desired_num_results=7, key=key)
    assert ds.create(QUERY, desired_num_results=7, key=key).id == task.id
    assert ds.posts() == 1


def test_a_failed_task_under_a_key_fails_again_on_rerun_without_a_new_task(
    sb: Sandbox, make: Make
) -> None:
    ds = make()
    query = "logistics startups FAIL_TASK"
    with pytest.raises(TaskFailedError) as first:
        ds.run(query, desired_num_results=20, key="doomed")
    with pytest.raises(TaskFailedError) as again:
        ds.run(query, desired_num_results=20, key="doomed")
    assert again.value.task.id == first.value.task.id
    assert again.value.task.status == "failed"
    assert ds.posts() == 1
    assert len(server_tasks(sb)) == 1
    assert ds.ds.journal.get("doomed").status == "failed"


def test_two_clients_sharing_a_journal_file_reattach(
    sb: Sandbox, make: Make, tmp_path: Path
) -> None:
    path = tmp_path / "journal.sqlite"
    first = make(journal=path).run(QUERY, desired_num_results=7, key="payroll-es")
    other = make(journal=str(path))
    second = other.run(QUERY, desired_num_results=7, key="payroll-es")
    assert second.task.id == first.task.id
    assert [r.id for r in second.results] == [r.id for r in first.results]
    assert other.posts() == 0
    assert other.count("list") == 0  # a recorded id needs no recovery
    assert len(server_tasks(sb)) == 1


def test_a_dead_owners_claim_adopts_the_task_the_server_holds_with_no_post(
    sb: Sandbox, make: Make, tmp_path: Path
) -> None:
    path = tmp_path / "journal.sqlite"
    journal = SQLiteJournal(path)
    # A process claimed the key, sent its POST, and died before recording the answer.
    journal.begin("payroll-es", fingerprint(), QUERY, sent_at=time.time(), owner=dead_owner())
    made = create_plainly(sb)
    ds = make(journal=path)
    task = ds.create(QUERY, desired_num_results=7, key="payroll-es")
    assert task.id == made
    assert ds.posts() == 0
    assert ds.count("list") > 0
    assert journal.get("payroll-es").task_id == made
    assert len(server_tasks(sb)) == 1


def test_a_dead_owners_claim_with_nothing_on_the_server_creates_once(
    sb: Sandbox, make: Make, tmp_path: Path
) -> None:
    path = tmp_path / "journal.sqlite"
    journal = SQLiteJournal(path)
    journal.begin("payroll-es", fingerprint(), QUERY, sent_at=time.time(), owner=dead_owner())
    ds = make(journal=path)
    task = ds.create(QUERY, desired_num_results=7, key="payroll-es")
    assert ds.posts() == 1
    assert [t["id"] for t in server_tasks(sb)] == [task.id]
    assert journal.get("payroll-es").task_id == task.id
    assert ds.create(QUERY, desired_num_results=7, key="payroll-es").id == task.id
    assert ds.posts() == 1


class LateClaims(SQLiteJournal):
    """A journal shared with another process that records a task just after we list claims."""

    def __init__(self, path: Path, late: Callable[[SQLiteJournal], None]) -> None:
        super().__init__(path)
        self.late: Callable[[SQLiteJournal], None] | None = late

    def task_ids(self) -> set[str]:
        ids = super().task_ids()
        if self.late is not None:
            self.late(SQLiteJournal(self.path))  # too late for the set we return
            self.late = None
        return ids


def test_a_task_another_process_adopts_first_is_never_shared_by_two_keys(
    sb: Sandbox, make: Make, tmp_path: Path
) -> None:
    path = tmp_path / "journal.sqlite"
    theirs = create_plainly(sb)  # the one task on the server that matches

    def other_process_adopts(journal: SQLiteJournal) -> None:
        journal.begin("theirs", fingerprint(), QUERY, sent_at=time.time(), owner=dead_owner())
        journal.attach("theirs", theirs, "created")

    journal = LateClaims(path, other_process_adopts)
    journal.begin("mine", fingerprint(), QUERY, sent_at=time.time() - 1, owner=dead_owner())
    ds = make(journal=journal)

    task = ds.create(QUERY, desired_num_results=7, key="mine")

    assert task.id != theirs
    assert journal.get("mine").task_id == task.id
    assert journal.get("theirs").task_id == theirs
    assert sorted(t["id"] for t in server_tasks(sb)) == sorted([theirs, task.id])
    assert ds.posts() == 1


OWNER = textwrap.dedent(
    """
    import sys, time
    from extruct_deep_search.journal import SQLiteJournal, process_owner
    path, key, fingerprint, query, task_id = sys.argv[1:]
    journal = SQLiteJournal(path)
    journal.begin(key, fingerprint, query, sent_at=time.time(), owner=process_owner())
    print(process_owner(), flush=True)
    time.sleep(1.0)
    journal.attach(key, task_id, "created")
    print("attached", flush=True)
    """
)


def test_a_live_owners_claim_is_waited_for_and_reattached(
    sb: Sandbox, make: Make, tmp_path: Path
) -> None:
    path = tmp_path / "journal.sqlite"
    made = create_plainly(sb)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    args = [str(path), "payroll-es", fingerprint(), QUERY, made]
    with subprocess.Popen(
        [sys.executable, "-c", OWNER, *args], stdout=subprocess.PIPE, text=True, env=env
    ) as owner:
        assert owner.stdout is not None
        owner_id = owner.stdout.readline().strip()  # the claim is in the journal now
        assert owner_id.split(":")[1] == str(owner.pid)
        ds = make(journal=path)
        task = ds.create(QUERY, desired_num_results=7, key="payroll-es")
        assert owner.stdout.readline().strip() == "attached"
        assert owner.wait(timeout=10) == 0
    assert task.id == made
    assert ds.posts() == 0
    assert ds.count("list") == 0  # it waited for the owner; it did not take over
    entry = SQLiteJournal(path).get("payroll-es")
    assert (entry.task_id, entry.owner) == (made, owner_id)
    assert len(server_tasks(sb)) == 1


def test_the_journal_file_never_holds_the_token(sb: Sandbox, make: Make, tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite"
    ds = make(journal=path)
    ds.run(QUERY, desired_num_results=7, key="payroll-es")
    ds.run(QUERY, desired_num_results=7, key="payroll-es")
    ds.create("dental SaaS in Italy", desired_num_results=5, key="dental-it")
    with pytest.raises(TaskFailedError):
        ds.run("logistics startups FAIL_TASK", desired_num_results=20, key="doomed")
    sb.faults.add("create:500*1")
    ds.create("fintech startups in Poland", desired_num_results=5, key="fintech-pl")
    files = [p for p in tmp_path.iterdir() if p.name.startswith("journal.sqlite")]
    assert path in files
    assert len(SQLiteJournal(path).entries()) == 4
    for file in files:
        data = file.read_bytes()
        assert sb.token.encode() not in data, file
        assert b"Bearer" not in data, file


def test_an_ambiguous_keyed_create_records_the_recovered_task(
    sb: Sandbox, make: Make, tmp_path: Path
) -> None:
    path = tmp_path / "journal.sqlite"
    sb.faults.add("create:500*1")
    ds = make(journal=path)
    task = ds.create(QUERY, desired_num_results=7, key="payroll-es")
    assert ds.posts() == 1
    assert [t["id"] for t in server_tasks(sb)] == [task.id]
    entry = SQLiteJournal(path).get("payroll-es")
    assert entry.task_id == task.id
    # Another client sharing the file re-attaches to it.
    other = make(journal=path)
    assert other.create(QUERY, desired_num_results=7, key="payroll-es").id == task.id
    assert other.posts() == 0


def test_an_interrupted_keyed_create_leaves_the_key_to_the_same_client(
    sb: Sandbox, make: Make
) -> None:
    """Ctrl-C (or a cancellation) while the POST waits: the next call adopts the one task."""
    sb.faults.add("create:slow=3*1")  # the server creates at once, answers after 3 s
    ds = make()
    ds.interrupted("create", 0.5, QUERY, desired_num_results=7, key="k1")
    started = time.monotonic()

    task = ds.create(QUERY, desired_num_results=7, key="k1")

    assert time.monotonic() - started < 30  # not the 120 s wait for another owner
    assert [t["id"] for t in server_tasks(sb)] == [task.id]
    assert ds.posts() == 1


class LockedOnce(SQLiteJournal):
    """A shared journal that another process holds locked the first time an id is recorded."""

    failed = False

    def attach(self, key: str, task_id: str, status: str | None = None) -> bool:
        if not self.failed:
            self.failed = True
            raise sqlite3.OperationalError("database is locked")
        return super().attach(key, task_id, status)


def test_a_task_id_the_journal_could_not_record_is_adopted_by_the_next_call(
    sb: Sandbox, make: Make, tmp_path: Path
) -> None:
    journal = LockedOnce(tmp_path / "journal.sqlite")
    ds = make(journal=journal)
    with pytest.raises(sqlite3.OperationalError):
        ds.create(QUERY, desired_num_results=7, key="k1")
    started = time.monotonic()

    task = ds.create(QUERY, desired_num_results=7, key="k1")

    assert time.monotonic() - started < 30  # not the 120 s wait for another owner
    assert [t["id"] for t in server_tasks(sb)] == [task.id]
    assert journal.get("k1").task_id == task.id
    assert ds.posts() == 1
