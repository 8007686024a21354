"""Recovery of ambiguous creates, over real HTTP against the sandbox, on both clients.

A create whose answer was lost after the server may have acted is looked up in
the task list: the caller gets the one task the server holds after one POST,
or the original error saying that no matching task was found.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from client_driver import MODES, Driver, server_tasks
from extruct_deep_search import (
    APIConnectionError,
    APITimeoutError,
    RateLimitError,
    RetryPolicy,
    ServerError,
    UnexpectedResponseError,
)
from extruct_deep_search.sandbox import Sandbox

pytestmark = pytest.mark.integration

Make = Callable[..., Driver]
QUERY = "vertical SaaS for dental clinics in Germany"

# Create faults after which the server holds the task: fault, client options, error type.
ACTING: dict[str, tuple[str, dict[str, Any], type[Exception]]] = {
    "500": ("create:500*1", {}, ServerError),
    "502": ("create:502*1", {}, ServerError),
    "drop_after": ("create:drop_after*1", {}, APIConnectionError),
    "truncated": ("create:truncated*1", {}, UnexpectedResponseError),
    "non_json": ("create:non_json*1", {}, UnexpectedResponseError),
    # The server acts at once and answers after 3 s; the client gives up after 1 s.
    "slow": ("create:slow=3*1", {"timeout": 1.0}, APITimeoutError),
}


def recovered_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "extruct_deep_search"
        and r.levelno == logging.INFO
        and r.getMessage().startswith("recovered task ")
    ]


def lists(driver: Driver) -> int:
    return driver.count("list")


@pytest.mark.parametrize("kind", list(ACTING))
def test_an_acting_create_fault_returns_the_one_task_after_one_post(
    sb: Sandbox, make: Make, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="extruct_deep_search")
    fault, options, _ = ACTING[kind]
    sb.faults.add(fault)
    ds = make(**options)
    task = ds.create(QUERY, desired_num_results=7)
    held = server_tasks(sb)
    assert [t["id"] for t in held] == [task.id]
    assert (task.query, task.desired_num_results) == (QUERY, 7)
    assert ds.posts() == 1
    assert lists(ds) >= 1  # found through the task list
    assert sb.fault_counts() == {("create", kind): 1}
    lines = recovered_lines(caplog)
    assert len(lines) == 1
    assert lines[0].startswith(f"recovered task {task.id} after ")


@pytest.mark.parametrize(
    ("fault", "error"), [("create:503*1", ServerError), ("create:drop*1", APIConnectionError)]
)
def test_a_fault_that_did_not_act_raises_the_original_error_saying_nothing_matched(
    sb: Sandbox, make: Make, fault: str, error: type[Exception], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="extruct_deep_search")
    sb.faults.add(fault)
    ds = make()
    with pytest.raises(error) as caught:
        ds.create(QUERY, desired_num_results=7)
    assert type(caught.value) is error
    assert "no matching task was found" in str(caught.value)
    assert server_tasks(sb) == []
    assert ds.posts() == 1
    assert lists(ds) >= 1  # it did look
    assert recovered_lines(caplog) == []


def test_a_429_with_retry_after_is_resent_and_returns_normally(
    sb: Sandbox, make: Make, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="extruct_deep_search")
    sb.faults.add("create:429=0.05*1")
    ds = make()
    task = ds.create(QUERY, desired_num_results=7)
    assert [t["id"] for t in server_tasks(sb)] == [task.id]
    assert ds.posts() == 2  # the server refused the first: re-sending is safe
    assert lists(ds) == 0
    assert recovered_lines(caplog) == []


def test_a_429_without_retry_after_is_quota_and_is_not_looked_up(sb: Sandbox, make: Make) -> None:
    sb.faults.add("create:429_no_retry_after*1")
    ds = make()
    with pytest.raises(RateLimitError) as caught:
        ds.create(QUERY, desired_num_results=7)
    assert "no matching task" not in str(caught.value)
    assert server_tasks(sb) == []
    assert (ds.posts(), lists(ds)) == (1, 0)


@pytest.mark.parametrize(
    "sb", [{"clock_offset": -600}, {"clock_offset": 900}], indirect=True, ids=["-600", "+900"]
)
def test_a_server_clock_minutes_off_still_recovers(
    sb: Sandbox, make: Make, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="extruct_deep_search")
    sb.faults.add("create:500*1")
    ds = make()
    task = ds.create(QUERY, desired_num_results=7)
    assert [t["id"] for t in server_tasks(sb)] == [task.id]
    # The server's stamps really are minutes off ours.
    skew = task.created_at.timestamp() - time.time()
    assert abs(skew - sb.state.clock_offset) < 30
    assert ds.posts() == 1
    assert len(recovered_lines(caplog)) == 1


@pytest.mark.slow
def test_an_identical_task_made_more_than_10s_before_the_attempt_is_not_adopted(
    sb: Sandbox,
) -> None:
    # Made by another caller, so no claim hides it: only the time window does.
    # One query per client, so neither client's new task is a candidate for the other.
    queries = {mode: f"{QUERY} ({mode})" for mode in MODES}
    earlier = {}
    with httpx.Client(base_url=sb.base_url, headers={"Authorization": f"Bearer {sb.token}"}) as c:
        for mode, query in queries.items():
            body = {"query": query, "desired_num_results": 7}
            earlier[mode] = c.post("/v1/discovery_tasks", json=body).raise_for_status().json()["id"]
    time.sleep(11)
    for mode, query in queries.items():
        ds = Driver(mode, sb)
        try:
            sb.faults.add("create:503*1")  # nothing made: only the old task could match
            with pytest.raises(ServerError, match="no matching task was found"):
                ds.create(query, desired_num_results=7)
            sb.faults.add("create:500*1")  # a new task made: that one, not the old one
            task = ds.create(query, desired_num_results=7)
            assert task.id != earlier[mode]
            assert task.query == query
            assert ds.posts() == 2
        finally:
            ds.close()
    assert len(server_tasks(sb)) == 4  # the earlier ones plus one per client


def test_two_identical_ambiguous_creates_at_once_get_two_distinct_tasks(
    sb: Sandbox, make: Make
) -> None:
    sb.faults.add("create:500*2")
    ds = make()

    def create(d: Any) -> Any:
        return d.create(QUERY, desired_num_results=7)

    first, second = ds.at_once([create, create])
    assert not isinstance(first, Exception), first
    assert not isinstance(second, Exception), second
    assert first.id != second.id
    assert {t["id"] for t in server_tasks(sb)} == {first.id, second.id}
    assert ds.posts() == 2


def test_a_concurrent_recovery_that_claims_first_does_not_strand_the_other(
    sb: Sandbox, make: Make
) -> None:
    """A's list page is slow and shows only A's task; meanwhile B's recovery sees both
    tasks and claims the earliest (A's). A must read the list again and take B's task,
    not give up: otherwise A raises and B's paid task is never returned to anyone."""
    sb.faults.add("create:500*2")
    sb.faults.add("list:slow=1*1")  # A's first page: read at once, answered 1 s later
    ds = make()

    if ds.mode == "sync":

        def a(d: Any) -> Any:
            return d.create(QUERY, desired_num_results=7)

        def b(d: Any) -> Any:
            while ds.count("list") == 0:  # B's create lands after A's page was read
                time.sleep(0.01)
            time.sleep(0.1)
            return d.create(QUERY, desired_num_results=7)

    else:

        async def a(d: Any) -> Any:
            return await d.create(QUERY, desired_num_results=7)

        async def b(d: Any) -> Any:
            while ds.count("list") == 0:
                await asyncio.sleep(0.01)
            await asyncio.sleep(0.1)
            return await d.create(QUERY, desired_num_results=7)

    first, second = ds.at_once([a, b])
    held = {t["id"] for t in server_tasks(sb)}
    assert len(held) == 2
    assert ds.posts() == 2
    assert not isinstance(first, Exception), (
        f"A stranded ({first}); B took {getattr(second, 'id', second)}"
    )
    assert not isinstance(second, Exception), second
    assert {first.id, second.id} == held


@pytest.mark.parametrize("flaky", ["list:503*3", "list:503@0.5"])
def test_a_flaky_list_endpoint_during_recovery_still_recovers(
    sb: Sandbox, make: Make, flaky: str
) -> None:
    sb.faults.add("create:500*1")
    sb.faults.add(flaky)
    # "list:503*3" outlasts one list call's own retries (3 attempts): the recovery
    # itself must pause and read again.
    ds = make(retry_policy=RetryPolicy(max_retries=2, base_delay=0.01, recovery_window=5.0))
    task = ds.create(QUERY, desired_num_results=7)
    assert [t["id"] for t in server_tasks(sb)] == [task.id]
    assert ds.posts() == 1
    assert sb.fault_counts()[("list", "503")] >= 1


def test_a_list_endpoint_that_always_fails_raises_the_original_error(
    sb: Sandbox, make: Make
) -> None:
    sb.faults.add("create:500*1")
    sb.faults.add("list:503@1.0")
    ds = make()
    with pytest.raises(ServerError) as caught:
        ds.create(QUERY, desired_num_results=7)
    assert "the task list could not be read" in str(caught.value)
    assert ds.posts() == 1
    # Bounded: a few passes of (1 + max_retries) attempts, within the recovery window.
    assert 3 <= lists(ds) <= 6 * 3
    assert len(server_tasks(sb)) == 1  # the server did act; the list could not show it


def test_a_task_already_returned_to_this_client_is_never_adopted(sb: Sandbox, make: Make) -> None:
    ds = make()
    mine = ds.create(QUERY, desired_num_results=7)
    # Nothing made by this create; the only match in the window was returned already.
    sb.faults.add("create:503*1")
    with pytest.raises(ServerError, match="no matching task was found"):
        ds.create(QUERY, desired_num_results=7)
    # A task made: recovery takes it, though the earlier one is older (earliest-first).
    sb.faults.add("create:500*1")
    again = ds.create(QUERY, desired_num_results=7)
    assert again.id != mine.id
    assert {t["id"] for t in server_tasks(sb)} == {mine.id, again.id}
    assert ds.posts() == 3


def test_a_task_a_shared_journal_records_under_a_key_is_never_adopted(
    sb: Sandbox, make: Make, tmp_path: Any
) -> None:
    path = tmp_path / "journal.sqlite"
    keyed = make(journal=path).create(QUERY, desired_num_results=7, key="dental-de")
    other = make(journal=path)  # a fresh client: only the journal knows the task
    sb.faults.add("create:503*1")
    with pytest.raises(ServerError, match="no matching task was found"):
        other.create(QUERY, desired_num_results=7)
    sb.faults.add("create:500*1")
    task = other.create(QUERY, desired_num_results=7)
    assert task.id != keyed.id
    assert len(server_tasks(sb)) == 2
    assert other.posts() == 2


def test_recovery_reads_one_list_page_when_the_task_is_among_the_newest(
    sb: Sandbox, make: Make, monkeypatch: pytest.MonkeyPatch
) -> None:
    ds = make()
    real_now = sb.state.now
    monkeypatch.setattr(sb.state, "now", lambda: real_now() - 60)
    for i in range(60):  # more than one page of tasks, made a minute "ago"
        ds.create(f"older task {i}", desired_num_results=1)
    monkeypatch.setattr(sb.state, "now", real_now)
    sb.faults.add("create:500*1")
    task = ds.create(QUERY, desired_num_results=7)
    assert task.query == QUERY
    # The first page (newest first) holds it and ends past the window: no second page.
    assert lists(ds) == 1
    assert ds.posts() == 61
