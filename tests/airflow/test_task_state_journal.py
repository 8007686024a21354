"""TaskStateJournal keeps the Journal protocol's semantics in a task state store."""

from __future__ import annotations

import json

import pytest
from airflow_support import FakeStateStore
from extruct_deep_search.airflow.journal import STORE_KEY, TaskStateJournal
from extruct_deep_search.journal import MemoryJournal, process_owner


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


def journal(store: FakeStateStore, try_number: int = 1, owner: str = "w1:1:1") -> TaskStateJournal:
    return TaskStateJournal(store, try_number=try_number, owner=owner, clock=Clock())


def test_begin_records_a_pending_claim_before_any_task_id(store: FakeStateStore) -> None:
    j = journal(store)
    entry = j.begin("k", "fp", "dental saas", sent_at=50.0, owner=j.owner)
    assert (entry.task_id, entry.sent_at, entry.owner, entry.fingerprint) == (
        None,
        50.0,
        "w1:1:1",
        "fp",
    )
    assert store.writes == 1
    # What a later try reads is that very claim, as plain JSON.
    raw = json.loads(store.data[STORE_KEY])
    assert raw["entries"]["k"]["sent_at"] == 50.0 and raw["entries"]["k"]["try"] == 1
    assert journal(store, try_number=2).get("k") == entry


def test_begin_is_a_claim_only_a_gone_owner_passes_on(store: FakeStateStore) -> None:
    first = journal(store, 1, "w1:1:1")
    first.begin("k", "fp", "q", sent_at=50.0, owner="w1:1:1")
    second = journal(store, 2, "w2:2:2")
    # Another owner without replace_owner gets the existing claim, unchanged.
    held = second.begin("k", "fp", "q", sent_at=60.0, owner="w2:2:2")
    assert held.owner == "w1:1:1" and held.sent_at == 50.0
    # Naming the gone owner takes the claim over, keeping the earliest send time.
    taken = second.begin("k", "fp", "q", sent_at=60.0, owner="w2:2:2", replace_owner="w1:1:1")
    assert taken.owner == "w2:2:2" and taken.sent_at == 50.0
    # A wrong replace_owner changes nothing.
    again = journal(store, 3, "w3:3:3").begin(
        "k", "fp", "q", sent_at=70.0, owner="w3:3:3", replace_owner="w1:1:1"
    )
    assert again.owner == "w2:2:2"


def test_attach_ends_the_claim_and_no_takeover_replaces_a_task(store: FakeStateStore) -> None:
    j = journal(store)
    j.begin("k", "fp", "q", sent_at=50.0, owner=j.owner)
    j.attach("k", "task-1", "created")
    j.set_status("k", "in_progress")
    later = journal(store, 2, "w2:2:2")
    entry = later.get("k")
    assert entry is not None and (entry.task_id, entry.status) == ("task-1", "in_progress")
    kept = later.begin("k", "fp", "q", sent_at=60.0, owner="w2:2:2", replace_owner=j.owner)
    assert kept.task_id == "task-1" and kept.owner == j.owner
    assert later.task_ids() == {"task-1"}


def test_set_status_of_an_unknown_key_writes_nothing(store: FakeStateStore) -> None:
    j = journal(store)
    j.set_status("missing", "done")
    assert store.writes == 0 and j.get("missing") is None and j.entries() == []


def test_forget_lets_the_key_create_afresh(store: FakeStateStore) -> None:
    j = journal(store)
    j.begin("k", "fp", "q", sent_at=50.0, owner=j.owner)
    j.attach("k", "task-1")
    j.forget("k")
    assert j.get("k") is None and j.task_ids() == set()
    assert j.begin("k", "fp", "q", sent_at=80.0, owner=j.owner).task_id is None


def test_same_answers_as_the_memory_journal(store: FakeStateStore) -> None:
    """The same steps give the same entries as the reference implementation."""
    ours, reference = journal(store), MemoryJournal(clock=Clock())
    for j in (ours, reference):
        j.begin("a", "fa", "qa", sent_at=10.0, owner="o1")
        j.begin("b", "fb", "qb", sent_at=11.0, owner="o1")
        j.begin("b", "fb", "qb", sent_at=5.0, owner="o2", replace_owner="o1")
        j.begin("a", "fa", "qa", sent_at=12.0, owner="o3")
        j.attach("a", "t-a", "created")
        j.set_status("a", "done")
    assert ours.entries() == reference.entries()
    assert ours.task_ids() == reference.task_ids() == {"t-a"}


def test_an_owner_of_an_earlier_try_is_gone(store: FakeStateStore) -> None:
    me = process_owner()  # alive, on this host
    journal(store, 1, me).begin("k", "fp", "q", sent_at=1.0, owner=me)
    assert journal(store, 1, me).owner_alive(me) is True
    assert journal(store, 2, "w2:2:2").owner_alive(me) is False


def test_a_foreign_document_reads_as_empty(store: FakeStateStore) -> None:
    store.set(STORE_KEY, {"v": 99, "entries": {"k": {}}})
    assert journal(store).get("k") is None


def test_from_context_needs_a_task_state_store() -> None:
    with pytest.raises(RuntimeError, match="task_state_store"):
        TaskStateJournal.from_context({"ti": object()})


def test_a_task_recorded_under_one_key_is_refused_to_another(store: FakeStateStore) -> None:
    j = journal(store)
    j.begin("a", "fp", "q", sent_at=1.0, owner="w1:1:1")
    j.begin("b", "fp", "q", sent_at=1.0, owner="w1:1:1")
    assert j.attach("a", "task-1", "created") is True
    assert j.attach("b", "task-1", "created") is False
    assert j.get("b").task_id is None
    assert j.task_ids() == {"task-1"}
