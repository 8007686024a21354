"""The clients against the sandbox over HTTP on 127.0.0.1.

Ordinary traffic goes through ``base_url`` (the Prism proxy during the
contract run). Deliberately invalid requests and fault injection use
``direct_url``, which always reaches the sandbox itself.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterator
from typing import Any

import pytest
from extruct_deep_search import (
    APIConnectionError,
    APIError,
    AsyncDeepSearch,
    AuthenticationError,
    BadRequestError,
    Criterion,
    DeepSearch,
    NotFoundError,
    PermissionDeniedError,
    RetryPolicy,
    ServerError,
    TaskExhaustedError,
    UnprocessableEntityError,
)
from extruct_deep_search.sandbox import Sandbox

pytestmark = pytest.mark.integration

FAST = RetryPolicy(
    max_retries=2, base_delay=0.01, max_delay=0.05, max_retry_after=5.0, recovery_window=2.0
)


def make(url: str, token: str, **kwargs: Any) -> DeepSearch:
    kwargs.setdefault("retry_policy", FAST)
    return DeepSearch(token, base_url=url, poll_interval=0.05, wait_timeout=30, **kwargs)


@pytest.fixture
def ds(base_url: str, api_token: str) -> Iterator[DeepSearch]:
    with make(base_url, api_token) as c:
        yield c


@pytest.fixture
def direct(direct_url: str, api_token: str) -> Iterator[DeepSearch]:
    with make(direct_url, api_token) as c:
        yield c


@pytest.fixture
def faults(sandbox: Sandbox) -> Iterator[Sandbox]:
    sandbox.faults.clear()
    yield sandbox
    sandbox.faults.clear()


def assert_relevance_order(results: list[Any]) -> None:
    relevances = [r.relevance for r in results]
    assert None not in relevances
    assert relevances == sorted(relevances, reverse=True)


def test_run_250_unique_in_relevance_order(ds: DeepSearch) -> None:
    run = ds.run("broad fintech software vendors", desired_num_results=250)
    assert run.task.status == "done"
    assert run.task.num_results == 250
    assert len(run.results) == 250
    assert len({r.id for r in run.results}) == 250
    assert {r.task_id for r in run.results} == {run.task.id}
    assert_relevance_order(run.results)
    assert all(r.scores for r in run.results)


def test_paging_50_with_page_sizes_50_and_7(ds: DeepSearch) -> None:
    task = ds.create(
        "broad logistics platforms",
        desired_num_results=50,
        criteria=[Criterion("b2b", "B2B", "Sells primarily to other businesses")],
    )
    task = ds.wait(task.id)
    assert task.num_results == 50
    by_50 = ds.results(task.id, page_size=50)
    by_7 = list(ds.iter_results(task.id, page_size=7))
    by_1000 = ds.results(task.id, page_size=1000)
    assert len(by_50) == 50
    assert [r.id for r in by_50] == [r.id for r in by_7] == [r.id for r in by_1000]
    assert by_50 == by_7
    assert_relevance_order(by_50)
    assert [c.key for c in task.criteria] == ["b2b"]


def test_resume_until_exhausted(ds: DeepSearch) -> None:
    task = ds.wait(ds.create("niche dental lab software", desired_num_results=3).id)
    assert task.status == "done"
    totals = [task.num_results]
    for _ in range(30):
        try:
            resumed = ds.resume(task.id, 10)
        except TaskExhaustedError as exc:
            assert exc.status_code == 400
            break
        assert resumed.desired_num_results == min(task.desired_num_results + 10, 250)
        task = ds.wait(task.id)
        totals.append(task.num_results)
    else:
        pytest.fail("the niche task never became exhausted")
    assert task.is_exhausted
    assert totals == sorted(totals)
    results = ds.results(task.id)
    assert len(results) == task.num_results == len({r.id for r in results})


def test_stream_under_running_task(ds: DeepSearch) -> None:
    task = ds.create("broad HR software for clinics", desired_num_results=120)
    statuses: list[str] = []
    streamed = list(
        ds.stream_results(
            task.id,
            page_size=7,
            poll_interval=0.02,
            on_progress=lambda t: statuses.append(t.status),
        )
    )
    assert "in_progress" in statuses, "the stream never overlapped a running task"
    final = ds.results(task.id)
    assert ds.get(task.id).status == "done"
    ids = [r.id for r in streamed]
    assert len(ids) == len(set(ids))
    assert set(ids) == {r.id for r in final}
    assert len(final) == 120


async def test_async_twenty_runs_at_once(base_url: str, api_token: str, sandbox: Sandbox) -> None:
    before = sandbox.tasks_created(api_token)
    async with AsyncDeepSearch(
        api_token, base_url=base_url, poll_interval=0.05, wait_timeout=30, retry_policy=FAST
    ) as ads:
        runs = await asyncio.gather(
            *(
                ads.run(f"vertical software for industry {i}", desired_num_results=10 + i)
                for i in range(20)
            )
        )
        streamed = [r async for r in ads.iter_results(runs[0].task.id, page_size=3)]
    assert len({run.task.id for run in runs}) == 20
    for i, run in enumerate(runs):
        assert run.task.status == "done"
        assert len(run.results) == run.task.num_results <= 10 + i
        assert len({r.id for r in run.results}) == len(run.results)
        assert {r.task_id for r in run.results} <= {run.task.id}
        assert_relevance_order(run.results)
    assert [r.id for r in streamed] == [r.id for r in runs[0].results]
    if base_url == sandbox.base_url:
        assert sandbox.tasks_created(api_token) - before == 20


# Faults (direct to the sandbox: fault injection stays off through the proxy).

GET_FAULTS = ["429=0.05", "500", "502", "503", "drop", "drop_after", "truncated", "non_json"]


@pytest.mark.parametrize("fault", GET_FAULTS)
def test_gets_survive_faults(direct: DeepSearch, faults: Sandbox, fault: str) -> None:
    task = direct.create("payroll startups in Ohio", desired_num_results=20)
    kind = fault.split("=")[0]
    for endpoint in ("get", "results", "list"):
        faults.faults.add(f"{endpoint}:{fault}*2")
    task = direct.wait(task.id)
    results = direct.results(task.id, page_size=7)
    listed = direct.list_tasks(limit=5)
    assert task.status == "done"
    assert len(results) == task.num_results
    assert task.id in {t.id for t in listed}
    counts = faults.fault_counts()
    for endpoint in ("get", "results", "list"):
        assert counts.get((endpoint, kind)) == 2, (endpoint, counts)


def test_stream_survives_random_faults(direct: DeepSearch, faults: Sandbox) -> None:
    task = direct.create("broad insurance software", desired_num_results=60)
    faults.faults.add("results:503@0.2")
    faults.faults.add("results:truncated@0.1")
    streamed = list(direct.stream_results(task.id, page_size=10, poll_interval=0.02))
    faults.faults.clear()
    final = direct.results(task.id)
    assert len(streamed) == len({r.id for r in streamed}) == len(final) == 60
    assert {r.id for r in streamed} == {r.id for r in final}


@pytest.mark.parametrize("fault", ["500", "502", "drop_after", "truncated", "non_json"])
def test_create_fault_after_acting_is_recovered_never_duplicated(
    direct: DeepSearch, faults: Sandbox, api_token: str, fault: str
) -> None:
    before = faults.tasks_created(api_token)
    faults.faults.add(f"create:{fault}*1")
    task = direct.create("payroll startups in Ohio", desired_num_results=5)
    assert faults.tasks_created(api_token) - before == 1
    assert faults.fault_counts() == {("create", fault): 1}
    assert direct.get(task.id).query == "payroll startups in Ohio"  # the task it made


@pytest.mark.parametrize(("fault", "created"), [("429=0.05", 1), ("503", 0), ("drop", 0)])
def test_create_fault_before_acting(
    direct: DeepSearch, faults: Sandbox, api_token: str, fault: str, created: int
) -> None:
    before = faults.tasks_created(api_token)
    faults.faults.add(f"create:{fault}*1")
    # A query of its own: recovery must not find an identical task made just before.
    query = f"payroll startups in Ohio {fault} {time.time_ns()}"
    if created:
        direct.create(query, desired_num_results=5)  # re-sent after 429
    else:
        with pytest.raises((ServerError, APIConnectionError), match="no matching task"):
            direct.create(query, desired_num_results=5)
    assert faults.tasks_created(api_token) - before == created


def test_run_with_create_fault_creates_once(
    direct: DeepSearch, faults: Sandbox, api_token: str
) -> None:
    before = faults.tasks_created(api_token)
    faults.faults.add("create:drop_after*1")
    run = direct.run("payroll startups in Ohio", desired_num_results=5)
    assert faults.tasks_created(api_token) - before == 1
    assert run.task.status == "done"


def test_resume_fault_after_acting_applies_once(direct: DeepSearch, faults: Sandbox) -> None:
    task = direct.wait(direct.create("broad payments software", desired_num_results=10).id)
    faults.faults.add("resume:500*1")
    with pytest.raises(ServerError):
        direct.resume(task.id, 10)
    assert direct.get(task.id).desired_num_results == 20  # acted exactly once


def test_429_without_retry_after_raised(direct: DeepSearch, faults: Sandbox) -> None:
    task = direct.create("payroll startups in Ohio", desired_num_results=5)
    faults.faults.add("get:429_no_retry_after*1")
    with pytest.raises(APIError) as info:
        direct.get(task.id)
    assert info.value.status_code == 429
    assert direct.get(task.id).id == task.id


# Organizations and exclusions.


def test_cross_org_reads_are_not_found(ds: DeepSearch, base_url: str, sandbox: Sandbox) -> None:
    task = ds.create("payroll startups in Ohio", desired_num_results=5)
    with make(base_url, sandbox.foreign_token) as foreign:
        with pytest.raises(NotFoundError):
            foreign.get(task.id)
        with pytest.raises(NotFoundError):
            foreign.results(task.id)
        with pytest.raises(NotFoundError):
            foreign.resume(task.id)
        assert task.id not in {t.id for t in foreign.list_tasks(limit=200)}
    with make(base_url, sandbox.other_token) as same_org:
        assert same_org.get(task.id).id == task.id


def test_invalid_token(direct_url: str) -> None:
    with (
        make(direct_url, "sbx_not_a_real_token") as bad,
        pytest.raises(AuthenticationError) as info,
    ):
        bad.get("whatever")
    assert "sbx_not_a_real_token" not in str(info.value)


def test_exclusion_errors(
    ds: DeepSearch, direct: DeepSearch, base_url: str, sandbox: Sandbox
) -> None:
    running = ds.create("broad retail analytics", desired_num_results=250)
    with pytest.raises(BadRequestError) as not_done:
        ds.create("anything", exclude_task_ids=[running.id])
    assert type(not_done.value) is BadRequestError
    with pytest.raises(NotFoundError):
        ds.create("anything", exclude_task_ids=["0123456789abcdef"])
    with make(base_url, sandbox.foreign_token) as foreign:
        theirs = foreign.wait(foreign.create("payroll startups in Ohio", desired_num_results=5).id)
    with pytest.raises(PermissionDeniedError):
        ds.create("anything", exclude_task_ids=[theirs.id])
    done = ds.wait(ds.create("broad ecommerce tools", desired_num_results=20).id)
    many = [f"excluded{i}.com" for i in range(995)]
    with pytest.raises(UnprocessableEntityError) as too_many:
        direct.create("anything", exclude_domains=many, exclude_task_ids=[done.id])
    assert too_many.value.errors and "exclude_domains" in too_many.value.errors[0]["loc"]


def test_exclusions_resolved_and_respected(ds: DeepSearch) -> None:
    first = ds.run("broad marketing automation", desired_num_results=15)
    second = ds.run(
        "broad marketing automation",
        desired_num_results=15,
        exclude_task_ids=[first.task.id],
        exclude_domains=["https://www.Example-Excluded.com/about"],
    )
    assert "example-excluded.com" in second.task.exclude_domains
    assert list(second.task.exclude_domains) == sorted(second.task.exclude_domains)
    assert not {r.company_website for r in first.results} & {
        r.company_website for r in second.results
    }


def test_logs_never_show_token(
    ds: DeepSearch, api_token: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    run = ds.run("payroll startups in Ohio", desired_num_results=10)
    list(ds.stream_results(run.task.id))
    assert any(r.name == "extruct_deep_search" for r in caplog.records)
    assert api_token not in caplog.text
    assert api_token not in repr(ds)
