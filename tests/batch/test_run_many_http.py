"""run_many over real HTTP against the sandbox, on both clients.

At most max_active tasks run at once; outcomes come in completion order; a
rerun with the same journal re-attaches; running tasks are polled through the
task list; a quota stop starts nothing more and a rerun continues; failures
are outcomes; exclude_found pays once per company.
"""

from __future__ import annotations

import asyncio
import collections
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from client_driver import Driver, Sent, kind_of, server_tasks
from extruct_deep_search import (
    AsyncDeepSearch,
    InvalidArgumentError,
    QuotaStoppedError,
    RateLimitError,
    Search,
    SearchOutcome,
    Task,
    TaskFailedError,
)
from extruct_deep_search._core.domains import registered_domain
from extruct_deep_search.sandbox import Sandbox

pytestmark = pytest.mark.integration

Make = Callable[..., Driver]
RUNNING = ("created", "in_progress")
REGIONS = [
    "Germany", "France", "Spain", "Italy", "Poland", "Sweden",
    "Norway", "Austria", "Portugal", "Ireland", "Belgium", "Finland",
]  # fmt: skip


def running_on_server(sb: Sandbox) -> int:
    return sum(1 for t in server_tasks(sb) if t["status"] in RUNNING)


def twelve() -> list[Search]:
    # Alternating sizes, so a later search often finishes before an earlier one.
    return [
        Search(f"dental clinic software in {region}", desired_num_results=40 if i % 2 else 15)
        for i, region in enumerate(REGIONS)
    ]


def result_ids(outcome: SearchOutcome) -> list[str]:
    return [r.id for r in outcome.results]


# Slower, so that four tasks are still running when they are polled.
@pytest.mark.parametrize("sb", [{"speed": 5}], indirect=True, ids=["speed5"])
def test_twelve_searches_run_at_most_four_at_a_time_in_completion_order(
    sb: Sandbox, make: Make
) -> None:
    ds = make()
    at_create: list[int] = []  # tasks running on the server as each create leaves
    at_poll: list[int] = []  # ... and as each polled task is reported
    finished: list[str] = []  # task ids in the order the client first saw them finished

    def before_send(sent: Sent) -> None:
        if kind_of(sent) == "create":
            at_create.append(running_on_server(sb))

    def on_progress(task: Task) -> None:
        at_poll.append(running_on_server(sb))
        if task.is_terminal and task.id not in finished:
            finished.append(task.id)

    ds.before_send = before_send
    searches = twelve()
    outcomes = ds.run_many(searches, max_active=4, on_progress=on_progress)

    assert len(at_create) == 12
    assert max(at_create) <= 3  # a 5th is never started while 4 run
    assert max(at_poll) <= 4
    assert max(at_poll) >= 2  # and several did run at once (4 on an idle machine)
    assert sorted(o.search.key for o in outcomes) == sorted(s.key for s in searches)
    for outcome in outcomes:
        assert outcome.ok, outcome.error
        assert outcome.task is not None
        assert outcome.task.status == "done"
        assert result_ids(outcome) == [r.id for r in ds.call("results", outcome.task.id)]
        assert len(outcome.results) == outcome.task.num_results > 0
    ids = [o.task.id for o in outcomes if o.task is not None]
    assert len(set(ids)) == 12 == len(server_tasks(sb)) == ds.count("create")
    assert ids == finished  # completion order
    assert [o.search.key for o in outcomes] != [s.key for s in searches]  # not input order
    journal = ds.ds.journal
    assert {journal.get(s.key).task_id for s in searches} == set(ids)
    assert {journal.get(s.key).status for s in searches} == {"done"}


def test_a_rerun_with_the_same_journal_reattaches_with_no_post(
    sb: Sandbox, make: Make, tmp_path: Path
) -> None:
    path = tmp_path / "journal.sqlite"
    searches = twelve()
    first = {o.search.key: o for o in make(journal=path).run_many(searches, max_active=4)}
    again = make(journal=path)
    second = {o.search.key: o for o in again.run_many(searches, max_active=4)}
    assert again.count("create") == 0
    assert len(server_tasks(sb)) == 12
    for key, outcome in first.items():
        assert second[key].ok, second[key].error
        assert second[key].task.id == outcome.task.id
        assert result_ids(second[key]) == result_ids(outcome)


def test_sync_and_async_yield_the_same_outcomes_over_one_journal(
    sb: Sandbox, tmp_path: Path
) -> None:
    path = tmp_path / "journal.sqlite"
    searches = twelve()[:6]
    drivers = [Driver("sync", sb, journal=path), Driver("async", sb, journal=path)]
    try:
        sync, async_ = (
            {o.search.key: (o.task.id, result_ids(o), o.ok) for o in d.run_many(searches)}
            for d in drivers
        )
    finally:
        for d in drivers:
            d.close()
    assert sync == async_
    assert all(ok for _, _, ok in sync.values())
    assert drivers[1].count("create") == 0


def per_cycle(ds: Driver) -> tuple[int, list[int]]:
    """Poll cycles (list reads at offset 0) and the list pages each cycle read."""
    pages: list[int] = []
    for sent in ds.sent:
        if kind_of(sent) == "list":
            if sent[2].get("offset", "0") == "0":
                pages.append(0)
            pages[-1] += 1
    return len(pages), pages


# At speed 1 a task runs for several poll cycles, so each cycle sees most tasks active.
@pytest.mark.parametrize("sb", [{"speed": 1}], indirect=True, ids=["speed1"])
@pytest.mark.parametrize("active", [30, 100])
def test_polling_goes_through_the_task_list_not_one_get_per_task(
    sb: Sandbox, make: Make, active: int
) -> None:
    ds = make()
    searches = [
        Search(f"vertical SaaS vendors number {i}", desired_num_results=20) for i in range(active)
    ]
    outcomes = ds.run_many(searches, max_active=active)
    assert all(o.ok for o in outcomes)
    cycles, pages = per_cycle(ds)
    # Measured (sync and async alike): 30 active -> 11-12 cycles, 1 list page each,
    # 0 task GETs; 100 active -> 5 cycles, 1 page each (limit 100), 0 task GETs.
    # One GET per task per cycle would have been ~30 and ~100 requests a cycle.
    # (How many cycles run depends on the machine's speed; at least one full cycle
    # beyond the first must have polled the batch.)
    assert cycles >= 2
    assert set(pages) == {math.ceil(active / 100)}
    assert ds.count("get") == 0
    assert ds.count("results") == active  # one results page per finished task
    assert ds.count("create") == active


def test_tasks_pushed_down_the_list_are_paged_to_not_fetched_one_by_one(
    sb: Sandbox, make: Make
) -> None:
    ds = make()
    other = httpx.Client(base_url=sb.base_url, headers={"Authorization": f"Bearer {sb.token}"})
    pushed: list[bool] = []

    def on_progress(task: Task) -> None:
        if not pushed:  # another caller creates 120 tasks once the batch runs
            pushed.append(True)
            for i in range(120):
                body = {"query": f"unrelated search {i}", "desired_num_results": 1}
                other.post("/v1/discovery_tasks", json=body).raise_for_status()

    searches = [
        Search(f"vertical SaaS vendors number {i}", desired_num_results=30) for i in range(30)
    ]
    try:
        outcomes = ds.run_many(searches, max_active=30, on_progress=on_progress)
    finally:
        other.close()
    assert all(o.ok for o in outcomes)
    _, pages = per_cycle(ds)
    # The 30 active tasks now sit below 120 newer ones: 2 pages a cycle, still no GETs.
    assert pages[0] == 1 and set(pages[1:]) == {2}, pages
    assert ds.count("get") == 0


def test_a_quota_stop_starts_nothing_more_and_a_rerun_continues(
    sb: Sandbox, make: Make, tmp_path: Path
) -> None:
    path = tmp_path / "journal.sqlite"
    ds = make(journal=path)
    creates: list[Sent] = []

    def before_send(sent: Sent) -> None:
        if kind_of(sent) == "create":
            creates.append(sent)
            if len(creates) == 3:  # from the 3rd create on, the organization is out of quota
                sb.faults.add("create:429_no_retry_after@1.0")

    ds.before_send = before_send
    searches = [
        Search(f"cybersecurity startups in {region}", desired_num_results=20)
        for region in REGIONS[:8]
    ]
    outcomes = {o.search.key: o for o in ds.run_many(searches, max_active=4)}
    assert len(outcomes) == 8
    assert ds.count("create") == 3  # none after the quota answer
    first, second, third, *rest = (outcomes[s.key] for s in searches)
    for running in (first, second):  # started before the stop: they finish
        assert running.ok, running.error
        assert running.task.status == "done"
        assert running.results
    assert isinstance(third.error, RateLimitError)
    assert third.task is None
    for stopped in rest:
        assert isinstance(stopped.error, QuotaStoppedError)
        assert stopped.task is None and stopped.results == []
        assert "rerun" in str(stopped.error)
    assert len(server_tasks(sb)) == 2

    sb.faults.clear()
    again = make(journal=path)
    rerun = {o.search.key: o for o in again.run_many(searches, max_active=4)}
    assert all(o.ok for o in rerun.values()), [o.error for o in rerun.values()]
    assert again.count("create") == 6  # only the missing ones
    assert len(server_tasks(sb)) == 8
    for before in (first, second):
        assert rerun[before.search.key].task.id == before.task.id


FINTECH = [
    "fintech startups in Europe",
    "European fintech startups",
    "fintech startups in Europe for payments",
    "early-stage fintech startups in Europe",
    "fintech startups in Europe for lending",
    "B2B fintech startups in Europe",
]


def paid_twice(outcomes: list[SearchOutcome]) -> int:
    """Companies (registered domains) found by more than one search."""
    found: collections.Counter[str] = collections.Counter()
    for outcome in outcomes:
        assert outcome.ok, outcome.error
        websites = (r.company_website for r in outcome.results if r.company_website)
        found.update({d for d in map(registered_domain, websites) if d})
    return sum(1 for n in found.values() if n > 1)


def fintech_batch(make: Make, **kwargs: Any) -> int:
    searches = [Search(q, desired_num_results=30) for q in FINTECH]
    return paid_twice(make().run_many(searches, **kwargs))


def test_exclude_found_one_at_a_time_pays_once_per_company(make: Make) -> None:
    # Measured (seed 0): 53 companies found twice or more without, 0 with.
    without = fintech_batch(make, max_active=1)
    with_it = fintech_batch(make, max_active=1, exclude_found=True)
    assert without > 0
    assert with_it == 0


def test_exclude_found_excludes_across_waves_not_within_one(make: Make) -> None:
    # Measured (seed 0), companies found twice: 53 without; 40 with waves of 2;
    # 53 with one wave of 6 (searches of one wave run at once and cannot exclude
    # each other: the documented trade-off, warned about in the log).
    without = fintech_batch(make, max_active=2)
    waves_of_two = fintech_batch(make, max_active=2, exclude_found=True)
    one_wave = fintech_batch(make, max_active=6, exclude_found=True)
    assert without > 0
    assert waves_of_two < without
    assert one_wave == without


BROAD = [
    "software companies",
    "SaaS startups",
    "B2B software vendors",
    "technology companies in Europe",
    "fintech companies",
    "software for businesses",
    "IT services companies",
    "cloud software providers",
    "enterprise software companies",
    "developer tools startups",
]


@pytest.mark.slow
@pytest.mark.parametrize("sb", [{"speed": 50}], indirect=True, ids=["speed50"])
def test_exclude_found_stays_within_the_1000_domain_cap(sb: Sandbox, make: Make) -> None:
    """Earlier searches found over 1000 companies: later ones still start (no 422)."""
    searches = [Search(q, desired_num_results=250) for q in BROAD]
    outcomes = list(make().run_many(searches, max_active=1, exclude_found=True))
    assert all(o.ok for o in outcomes), [str(o.error) for o in outcomes if not o.ok]
    found = {
        d
        for o in outcomes[:-1]
        for d in map(registered_domain, (r.company_website or "" for r in o.results))
        if d
    }
    assert len(found) > 1000  # the last search's exclusions would cross the cap
    excluded = [len(t["exclude_domains"] or []) for t in server_tasks(sb)]
    assert max(excluded) <= 1000
    assert max(excluded) > 750  # later searches still exclude close to the cap


def test_a_failed_search_is_an_outcome_not_an_exception(sb: Sandbox, make: Make) -> None:
    ds = make()
    searches = [
        Search("logistics startups in Germany", desired_num_results=10),
        Search("logistics startups FAIL_TASK", desired_num_results=20),
        Search("logistics startups in France", desired_num_results=10),
    ]
    outcomes = {o.search.key: o for o in ds.run_many(searches, max_active=3)}
    failed = outcomes[searches[1].key]
    assert isinstance(failed.error, TaskFailedError)
    assert failed.task is not None and failed.task.status == "failed"
    assert failed.error.task.id == failed.task.id
    assert not failed.ok and failed.results == []
    assert outcomes[searches[0].key].ok and outcomes[searches[2].key].ok
    assert len(server_tasks(sb)) == 3
    assert ds.ds.journal.get(searches[1].key).status == "failed"


@pytest.mark.parametrize(
    ("searches", "options", "argument"),
    [
        (["fintech startups"], {}, "searches[0]"),
        ([Search("fintech startups"), {"query": "x"}], {}, "searches[1]"),
        ("fintech startups", {}, "searches"),
        (Search("fintech startups"), {}, "searches"),
        ([Search("fintech startups"), Search("fintech startups")], {}, "searches[1].key"),
        ([Search("a fintech", key="k"), Search("b fintech", key="k")], {}, "searches[1].key"),
        ([Search("fintech startups")], {"max_active": 0}, "max_active"),
        ([Search("fintech startups")], {"max_active": 1001}, "max_active"),
        ([Search("fintech startups")], {"page_size": 0}, "page_size"),
    ],
    ids=[
        "str-item",
        "dict-item",
        "a-str",
        "one-search",
        "identical",
        "same-key",
        "max_active-0",
        "max_active-1001",
        "page_size-0",
    ],
)
def test_invalid_input_is_refused_before_any_request(
    sb: Sandbox, make: Make, searches: Any, options: dict[str, Any], argument: str
) -> None:
    ds = make()
    with pytest.raises(InvalidArgumentError) as caught:
        ds.run_many(searches, **options)
    assert caught.value.argument == argument
    assert ds.sent == []
    assert server_tasks(sb) == []


def test_the_async_client_awaits_an_async_on_progress(sb: Sandbox) -> None:
    seen: list[str] = []

    async def on_progress(task: Task) -> None:
        await asyncio.sleep(0)
        seen.append(task.id)

    async def main() -> list[SearchOutcome]:
        async with AsyncDeepSearch(sb.token, base_url=sb.base_url, poll_interval=0.05) as ds:
            searches = [
                Search(f"dental software in {r}", desired_num_results=5) for r in REGIONS[:3]
            ]
            return [o async for o in ds.run_many(searches, on_progress=on_progress)]

    outcomes = asyncio.run(main())
    assert all(o.ok for o in outcomes)
    assert {o.task.id for o in outcomes if o.task} <= set(seen)
