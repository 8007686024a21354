"""Polling through the task list (_core/listpoll.py): pages needed, fallbacks, bounds."""

from __future__ import annotations

import datetime
import math

from extruct_deep_search import Task
from extruct_deep_search._core.listpoll import MAX_PAGES, ListPoll

T0 = datetime.datetime(2026, 12, 4, tzinfo=datetime.UTC)


def task(i: int, status: str = "in_progress") -> Task:
    return Task(
        id=f"t{i}",
        created_at=T0 + datetime.timedelta(seconds=i),
        status=status,
        query="q",
        desired_num_results=10,
    )


def org(n: int) -> list[Task]:
    """n tasks, newest first, as the list endpoint returns them."""
    return [task(i) for i in reversed(range(n))]


def drive(poll: ListPoll, tasks: list[Task]) -> int:
    pages = 0
    while (offset := poll.next_page()) is not None:
        poll.on_page(tasks[offset : offset + poll.limit])
        pages += 1
    return pages


def test_100_active_newest_tasks_take_ceil_100_over_limit_pages():
    tasks = org(400)
    active = {t.id: t.created_at for t in tasks[:100]}
    for limit in (25, 50, 100):
        poll = ListPoll(active, limit=limit)
        pages = drive(poll, tasks)
        assert pages == math.ceil(100 / limit)
        assert poll.missing() == []
        assert set(poll.seen) == set(active)


def test_stops_at_a_page_older_than_every_unseen_task_and_falls_back_to_get():
    tasks = org(300)
    active = {t.id: t.created_at for t in tasks[:20]}
    # One active task the list does not show (another page order, a replica lag):
    active["ghost"] = tasks[15].created_at
    poll = ListPoll(active, limit=10)
    pages = drive(poll, tasks)
    assert pages == 2  # the second page is older than the ghost: stop there
    assert poll.missing() == ["ghost"]


def test_a_server_that_ignores_offset_costs_one_page_more():
    same = org(50)
    poll = ListPoll({"ghost": T0 - datetime.timedelta(days=1)}, limit=50)
    pages = 0
    while poll.next_page() is not None:
        poll.on_page(same)  # the same full page forever
        pages += 1
    assert pages == 2  # the second page shows nothing new: stop
    assert poll.missing() == ["ghost"]


def test_paging_is_bounded_when_every_page_is_new_but_unordered():
    pages = 0
    poll = ListPoll({"ghost": T0 - datetime.timedelta(days=1)}, limit=10)
    while (offset := poll.next_page()) is not None:
        # Fresh tasks, each page newer than the last: the order gives no stop.
        poll.on_page([task(100_000 + offset + i) for i in range(10)])
        pages += 1
    assert pages == MAX_PAGES
    assert poll.missing() == ["ghost"]


def test_nothing_active_reads_nothing():
    assert ListPoll({}, limit=10).next_page() is None
