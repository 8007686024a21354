"""exclude_found's widening rule (_batch._excluding): within 100 task ids and 1000 domains.

The server resolves exclude_domains and the results of every excluded task
into one set and refuses a set over 1000 domains with a 422, so the rule
counts each found task by its domains, not by its id.
"""

from __future__ import annotations

from extruct_deep_search._batch import _excluding
from extruct_deep_search._core.params import CreateParams


def task(n: int, size: int, first: int = 0) -> tuple[str, frozenset[str]]:
    return f"task-{n}", frozenset(f"company{i}.com" for i in range(first, first + size))


def resolved(params: CreateParams, found: list[tuple[str, frozenset[str]]]) -> set[str]:
    """The exclusion set the server builds for ``params``."""
    by_id = dict(found)
    out = set(params.exclude_domains or ())
    for task_id in params.exclude_task_ids or ():
        out |= by_id[task_id]
    return out


def test_found_tasks_count_by_their_domains_newest_first() -> None:
    found = [task(n, 250, first=250 * n) for n in range(5)]  # 1,250 distinct domains
    params = _excluding(CreateParams("q"), found)
    assert params.exclude_task_ids == ("task-4", "task-3", "task-2", "task-1")
    assert len(resolved(params, found)) == 1000


def test_overlapping_tasks_count_once() -> None:
    found = [task(n, 250, first=10 * n) for n in range(6)]  # heavy overlap: 300 domains
    params = _excluding(CreateParams("q"), found)
    assert len(params.exclude_task_ids or ()) == 6


def test_a_task_that_would_cross_the_cap_is_skipped_and_a_smaller_older_one_fits() -> None:
    found = [task(0, 100, first=5000), task(1, 900), task(2, 250, first=2000)]
    params = _excluding(CreateParams("q"), found)
    assert params.exclude_task_ids == ("task-2", "task-0")
    assert len(resolved(params, found)) == 350


def test_own_exclusions_take_their_share_of_the_cap() -> None:
    own = tuple(f"own{i}.com" for i in range(600))
    found = [task(n, 250, first=250 * n) for n in range(3)]
    params = _excluding(CreateParams("q", exclude_domains=own), found)
    assert params.exclude_task_ids == ("task-2",)
    assert len(resolved(params, found)) == 850


def test_an_own_excluded_task_counts_as_the_most_a_task_holds() -> None:
    found = [task(n, 250, first=250 * n) for n in range(5)]
    params = _excluding(CreateParams("q", exclude_task_ids=("mine-1", "mine-2")), found)
    assert params.exclude_task_ids == ("mine-1", "mine-2", "task-4", "task-3")


def test_past_100_ids_tasks_go_in_by_their_domains() -> None:
    found = [task(n, 2, first=2 * n) for n in range(120)]  # 240 domains in all
    params = _excluding(CreateParams("q"), found)
    assert len(params.exclude_task_ids or ()) == 100
    assert len(params.exclude_domains or ()) == 40
    assert len(resolved(params, found)) == 240
