"""_core/polling.py, paging.py and dedupe.py as facts-in, decisions-out tables."""

from __future__ import annotations

import pytest
from extruct_deep_search import is_finished
from extruct_deep_search._core.dedupe import Deduper
from extruct_deep_search._core.paging import PageCursor
from extruct_deep_search._core.polling import Failed, Finished, PollAgain, PollPlan, TimedOut


@pytest.mark.parametrize(
    ("status", "finished"),
    [
        ("done", True),
        ("failed", True),
        ("in_progress", False),
        ("created", False),
        ("paused", False),
        ("", False),
        ("DONE", False),
    ],
)
def test_is_finished(status: str, finished: bool) -> None:
    assert is_finished(status) is finished


@pytest.mark.parametrize(
    ("status", "now", "timeout", "expected"),
    [
        ("done", 0.0, 100.0, Finished()),
        ("failed", 0.0, 100.0, Failed()),
        ("done", 500.0, 100.0, Finished()),  # a terminal status wins over the deadline
        ("in_progress", 0.0, 100.0, PollAgain(10.0)),
        ("created", 0.0, 100.0, PollAgain(10.0)),
        ("some_new_status", 0.0, 100.0, PollAgain(10.0)),
        ("in_progress", 95.0, 100.0, PollAgain(5.0)),  # never sleep past the deadline
        ("in_progress", 100.0, 100.0, TimedOut(100.0)),
        ("in_progress", 130.0, 100.0, TimedOut(130.0)),
        ("in_progress", 10_000.0, None, PollAgain(10.0)),  # no timeout: forever
    ],
)
def test_poll_plan_on_status(
    status: str, now: float, timeout: float | None, expected: object
) -> None:
    plan = PollPlan(interval=10.0, timeout=timeout)
    plan.start(0.0)
    assert plan.on_status(status, now) == expected


def test_poll_plan_starts_on_first_fact() -> None:
    plan = PollPlan(interval=2.0, timeout=5.0)
    assert plan.on_status("in_progress", 1000.0) == PollAgain(2.0)
    assert plan.on_status("in_progress", 1004.0) == PollAgain(1.0)
    assert plan.on_status("in_progress", 1005.0) == TimedOut(5.0)


def test_poll_plan_failures_in_a_row() -> None:
    plan = PollPlan(interval=1.0, timeout=None, max_failures=3)
    plan.start(0.0)
    assert [plan.on_failure(float(i)) for i in range(3)] == [PollAgain(1.0)] * 3
    assert plan.on_failure(3.0) is None


def test_poll_plan_success_resets_failures() -> None:
    plan = PollPlan(interval=1.0, timeout=None, max_failures=2)
    plan.start(0.0)
    for _ in range(3):
        assert plan.on_failure(0.0) == PollAgain(1.0)
        assert plan.on_failure(0.0) == PollAgain(1.0)
        assert plan.on_status("in_progress", 0.0) == PollAgain(1.0)
    plan.on_failure(0.0)
    plan.on_failure(0.0)
    assert plan.on_failure(0.0) is None


def test_poll_plan_failure_respects_deadline() -> None:
    plan = PollPlan(interval=1.0, timeout=10.0, max_failures=100)
    plan.start(0.0)
    assert plan.on_failure(9.5) == PollAgain(0.5)
    assert plan.on_failure(10.0) == TimedOut(10.0)


@pytest.mark.parametrize(
    ("limit", "pages", "expected_requests"),
    [
        (50, [0], [(0, 50)]),
        (50, [49], [(0, 50)]),
        (50, [50, 0], [(0, 50), (50, 50)]),
        (50, [50, 1], [(0, 50), (50, 50)]),
        (50, [50, 50, 0], [(0, 50), (50, 50), (100, 50)]),
        (7, [7, 7, 3], [(0, 7), (7, 7), (14, 7)]),
        (1, [1, 1, 0], [(0, 1), (1, 1), (2, 1)]),
    ],
)
def test_page_cursor(
    limit: int, pages: list[int], expected_requests: list[tuple[int, int]]
) -> None:
    cursor = PageCursor(limit=limit)
    seen = []
    for n_rows in pages:
        page = cursor.next_page()
        assert page is not None
        seen.append(page)
        cursor.on_page(n_rows)
    assert seen == expected_requests
    assert cursor.next_page() is None
    assert cursor.done


def test_page_cursor_longer_page_than_limit_continues() -> None:
    cursor = PageCursor(limit=5)
    cursor.on_page(8)  # a server ignoring the limit: keep reading after what we got
    assert cursor.next_page() == (8, 5)


@pytest.mark.parametrize(
    ("batches", "expected"),
    [
        ([["a", "b"], ["b", "c"]], [["a", "b"], ["c"]]),
        ([["a", "a", "b"]], [["a", "b"]]),
        ([[], ["x"], ["x"], []], [[], ["x"], [], []]),
        ([["c", "b", "a"], ["a", "d", "c"]], [["c", "b", "a"], ["d"]]),
    ],
)
def test_deduper(batches: list[list[str]], expected: list[list[str]]) -> None:
    d: Deduper[str] = Deduper(lambda s: s)
    assert [d.feed(batch) for batch in batches] == expected
    assert len(d) == len({x for batch in batches for x in batch})


def test_deduper_uses_key() -> None:
    d: Deduper[tuple[str, int]] = Deduper(lambda row: row[0])
    assert d.feed([("a", 1), ("a", 2), ("b", 3)]) == [("a", 1), ("b", 3)]
    assert d.feed([("b", 9)]) == []


@pytest.mark.parametrize(
    "status", ["done", "failed", "in_progress", "created", "paused", "", "DONE"]
)
def test_one_completion_rule_for_task_plan_and_is_finished(status: str) -> None:
    import datetime

    from extruct_deep_search import Task

    task = Task(
        id="t1",
        created_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
        status=status,
        query="q",
        desired_num_results=5,
    )
    plan = PollPlan(interval=1.0, timeout=None)
    plan.start(0.0)
    decided_finished = not isinstance(plan.on_status(status, 0.0), PollAgain)
    assert task.is_terminal is is_finished(status) is decided_finished
