"""The sans-IO matching rule of create recovery (_core/recovery.py): window, clock skew,
claims, ambiguity, paging bounds. Facts in, decisions out; no sockets."""

from __future__ import annotations

import datetime
import email.utils

import pytest
from extruct_deep_search import Criterion, Task
from extruct_deep_search._core.params import CreateParams
from extruct_deep_search._core.recovery import (
    MAX_EARLY,
    MAX_PAGES,
    Adopt,
    NotFound,
    PauseThenRead,
    ReadPage,
    Recovery,
    matches_request,
    server_offset,
)

SENT = 1_800_000_000.0  # our Unix time when the POST was sent
PARAMS = CreateParams("dental SaaS in Europe", 50)


def task(i: int, at: float, *, query: str = PARAMS.query, n: int = 50, criteria=()) -> Task:
    return Task(
        id=f"t{i}",
        created_at=datetime.datetime.fromtimestamp(at, datetime.UTC),
        status="created",
        query=query,
        desired_num_results=n,
        criteria=tuple(criteria),
    )


def date(at: float) -> str:
    return email.utils.formatdate(at, usegmt=True)


def recover(**kw) -> Recovery:
    base = dict(params=PARAMS, sent_at=SENT, failed_at=SENT + 3, settled=True, limit=3)
    base.update(kw)
    return Recovery(**base)


def test_server_offset_reads_the_date_header():
    assert server_offset(date(SENT + 300), SENT) == pytest.approx(300, abs=1)
    assert server_offset(None, SENT) is None
    assert server_offset("not a date", SENT) is None


@pytest.mark.parametrize(
    ("changed", "expected"),
    [
        ({}, True),
        ({"query": "dental SaaS"}, False),
        ({"n": 49}, False),
    ],
)
def test_match_needs_query_and_target(changed, expected):
    assert matches_request(task(1, SENT, **changed), PARAMS) is expected


def test_criteria_compared_only_when_given():
    c = Criterion("dental", "Dental", "Builds software for dental clinics")
    other = Criterion("dental", "Dental", "Builds hardware for dental clinics")
    with_criteria = CreateParams(PARAMS.query, 50, criteria=(c,))
    assert matches_request(task(1, SENT, criteria=[c]), with_criteria)
    assert not matches_request(task(1, SENT, criteria=[other]), with_criteria)
    assert not matches_request(task(1, SENT), with_criteria)
    # Without criteria the server infers its own: not compared.
    assert matches_request(task(1, SENT, criteria=[other]), PARAMS)


def test_adopts_the_one_match_in_the_window():
    r = recover()
    assert r.start() == ReadPage(0, 3)
    step = r.on_page([task(1, SENT + 1), task(2, SENT - 100)], date(SENT + 4), SENT + 4)
    assert isinstance(step, Adopt)
    assert [t.id for t in step.candidates] == ["t1"]


@pytest.mark.parametrize("skew", [-600.0, -90.0, 0.0, 45.0, 3600.0])
def test_window_follows_a_skewed_server_clock(skew):
    r = recover()
    r.start()
    tasks = [
        task(1, SENT + skew + 1),  # ours, on the server's clock
        task(2, SENT + skew - MAX_EARLY - 5),  # identical, made well before our send
    ]
    step = r.on_page(tasks, date(SENT + 4 + skew), SENT + 4)
    assert isinstance(step, Adopt)
    assert [t.id for t in step.candidates] == ["t1"]


def test_never_adopts_a_task_made_more_than_ten_seconds_before_the_send():
    r = recover()
    r.start()
    step = r.on_page([task(1, SENT - MAX_EARLY - 0.5)], date(SENT + 4), SENT + 4)
    assert isinstance(step, NotFound)


def test_settled_window_ends_at_the_failure():
    r = recover(failed_at=SENT + 3)
    r.start()
    step = r.on_page([task(1, SENT + 30)], date(SENT + 40), SENT + 40)
    assert isinstance(step, NotFound)


def test_claimed_tasks_are_skipped_and_several_matches_come_earliest_first():
    r = recover(claimed=frozenset({"t1"}), limit=5)
    r.start()
    tasks = [task(3, SENT + 2), task(1, SENT + 0.5), task(2, SENT + 1)]
    step = r.on_page(tasks, date(SENT + 4), SENT + 4)
    assert isinstance(step, Adopt)
    assert [t.id for t in step.candidates] == ["t2", "t3"]


def test_pages_only_as_far_as_the_window_needs():
    r = recover()
    r.start()
    # A full page, all inside the window: read on.
    full = [task(i, SENT + 2, query="other") for i in range(3)]
    assert r.on_page(full, date(SENT + 4), SENT + 4) == ReadPage(3, 3)
    # A full page reaching back past the window: stop.
    older = [task(10, SENT + 1, query="other"), task(11, SENT - 60), task(12, SENT - 70)]
    step = r.on_page(older, date(SENT + 4), SENT + 4)
    assert isinstance(step, NotFound)
    assert step.pages_read == 2


def test_paging_is_bounded_against_a_server_that_never_ends():
    r = recover()
    r.start()
    page = [task(i, SENT + 1, query="other") for i in range(3)]
    steps = 0
    step = ReadPage(0, 3)
    while isinstance(step, ReadPage):
        step = r.on_page(page, date(SENT + 4), SENT + 4)
        steps += 1
    assert steps == MAX_PAGES
    assert isinstance(step, NotFound)


def test_unsettled_create_is_looked_for_again_until_the_reconcile_window_ends():
    r = recover(settled=False, reconcile=10.0)
    r.start()
    now = SENT + 4
    step = r.on_page([], date(now), now)
    pauses = []
    while isinstance(step, PauseThenRead):
        pauses.append(step.delay)
        now += step.delay
        assert r.on_wake() == ReadPage(0, 3)
        step = r.on_page([], date(now), now)
    assert isinstance(step, NotFound)
    assert sum(pauses) <= 10.0
    assert len(pauses) >= 2


def test_unsettled_create_that_lands_late_is_found():
    r = recover(settled=False, failed_at=SENT + 30)
    r.start()
    step = r.on_page([], date(SENT + 31), SENT + 31)
    assert isinstance(step, PauseThenRead)
    r.on_wake()
    # The server finished the stalled create after our timeout.
    step = r.on_page([task(7, SENT + 32)], date(SENT + 33), SENT + 33)
    assert isinstance(step, Adopt)


def test_a_failing_list_is_ridden_out_within_bounds_then_reported_unverified():
    r = recover(reconcile=5.0)
    r.start()
    now = SENT + 4
    step = r.on_list_failed(now)
    while isinstance(step, PauseThenRead):
        now += step.delay
        r.on_wake()
        step = r.on_list_failed(now)
    assert isinstance(step, NotFound)
    assert step.looked is False


def test_fingerprint_is_stable_and_order_insensitive_for_sets():
    a = CreateParams("q", 10, exclude_domains=("a.com", "b.com"))
    b = CreateParams("q", 10, exclude_domains=("b.com", "a.com", "a.com"))
    assert a.fingerprint() == b.fingerprint()
    assert a.fingerprint() != CreateParams("q", 11).fingerprint()
    assert CreateParams("q", 10).fingerprint() != CreateParams("q", 10, criteria=()).fingerprint()


def test_with_a_date_header_a_task_made_before_the_send_is_not_adopted():
    # The server's clock runs 0.3 s ahead; Date truncates it to the second.
    true_offset = 0.3
    r = recover()
    r.start()
    received = SENT + 4.0
    date_header = date(received + true_offset)  # formatdate truncates to the second
    before = task(1, SENT + true_offset - 0.5)  # made half a second before our POST
    ours = task(2, SENT + true_offset + 0.2)
    step = r.on_page([ours, before], date_header, received)
    assert isinstance(step, Adopt)
    assert [t.id for t in step.candidates] == ["t2"]


def test_the_largest_offset_estimate_wins():
    r = recover(limit=1)
    r.start()
    # Two pages, two estimates of the same 0.9 s offset: -0.1 and 0.9 after truncation.
    r.on_page([task(9, SENT + 2, query="other")], date(SENT + 4.0 + 0.9), SENT + 4.0)
    r.on_page([task(8, SENT + 1.5, query="other")], date(SENT + 4.2 + 0.9), SENT + 4.2)
    assert r.offset == pytest.approx(0.9, abs=0.15)
