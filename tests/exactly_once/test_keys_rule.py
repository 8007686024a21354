"""The key table (_core/keys.py): what a keyed create does for each journal state."""

from __future__ import annotations

import pytest
from extruct_deep_search._core.keys import (
    STALE_AFTER,
    Claim,
    Conflict,
    Reattach,
    TakeOver,
    WaitForOwner,
    claimed,
    decide,
)
from extruct_deep_search.journal import JournalEntry

NOW = 1_800_000_000.0
ME = "host:1:100"
OTHER = "host:2:200"


def entry(*, fp="fp", task_id=None, owner=OTHER, updated=NOW - 5) -> JournalEntry:
    return JournalEntry("k", fp, "q", task_id, None, NOW - 10, owner, NOW - 10, updated)


def d(e, *, alive=None, in_flight=False):
    return decide(e, "fp", me=ME, in_flight_here=in_flight, owner_alive=alive, now=NOW)


@pytest.mark.parametrize(
    ("state", "alive", "in_flight", "expected"),
    [
        (None, None, False, Claim()),
        (entry(fp="other"), True, False, Conflict),
        (entry(task_id="t1"), False, False, Reattach("t1")),
        (entry(task_id="t1", fp="other"), False, False, Conflict),
        (entry(), True, False, WaitForOwner(OTHER)),
        (entry(), False, False, TakeOver(OTHER, NOW - 10)),
        (entry(), None, False, WaitForOwner(OTHER)),  # another host, recent
        (entry(updated=NOW - STALE_AFTER - 1), None, False, TakeOver(OTHER, NOW - 10)),
        (entry(owner=ME), True, True, WaitForOwner(ME)),
        (entry(owner=ME), True, False, TakeOver(ME, NOW - 10)),
        (entry(owner=None), False, False, TakeOver(None, NOW - 10)),
    ],
)
def test_key_table(state, alive, in_flight, expected):
    got = d(state, alive=alive, in_flight=in_flight)
    if isinstance(expected, type):
        assert isinstance(got, expected)
    else:
        assert got == expected


def claim(e, *, replace_owner=None, sent_at=NOW):
    return claimed(
        e, "k", "fp", "q", sent_at=sent_at, owner=ME, replace_owner=replace_owner, now=NOW
    )


def test_a_new_key_is_claimed_by_the_caller() -> None:
    assert claim(None) == JournalEntry("k", "fp", "q", None, None, NOW, ME, NOW, NOW)


def test_a_gone_owners_claim_passes_on_with_the_earliest_send_time() -> None:
    stored = claim(entry(), replace_owner=OTHER)
    assert stored is not None and stored.owner == ME
    assert stored.sent_at == NOW - 10 and stored.updated == NOW and stored.created == NOW - 10


@pytest.mark.parametrize(
    ("state", "replace_owner"),
    [
        (entry(), None),  # a live claim is not replaced without naming its owner
        (entry(), "host:3:300"),  # the claim changed hands meanwhile
        (entry(task_id="t1"), OTHER),  # the key has its task
    ],
)
def test_any_other_entry_stays_as_it_is(state, replace_owner) -> None:
    assert claim(state, replace_owner=replace_owner) is None
