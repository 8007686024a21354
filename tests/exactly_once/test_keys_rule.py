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
