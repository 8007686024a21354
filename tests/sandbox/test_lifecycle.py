"""The lifecycle table, socket-free: every legal transition, every illegal one raises."""

from __future__ import annotations

import itertools

import pytest
from extruct_deep_search.sandbox.lifecycle import (
    TRANSITIONS,
    Event,
    IllegalTransition,
    Lifecycle,
    Status,
    next_status,
)

LEGAL = {
    (Status.CREATED, Event.START): Status.IN_PROGRESS,
    (Status.IN_PROGRESS, Event.FINISH): Status.DONE,
    (Status.IN_PROGRESS, Event.FAIL): Status.FAILED,
    (Status.DONE, Event.REOPEN): Status.IN_PROGRESS,
}
ILLEGAL = [pair for pair in itertools.product(Status, Event) if pair not in LEGAL]


def test_the_table_is_exactly_the_drawn_lifecycle() -> None:
    table = {
        (status, event): target
        for event, (allowed, target) in TRANSITIONS.items()
        for status in allowed
    }
    assert table == LEGAL
    assert set(TRANSITIONS) == set(Event)


def test_statuses_are_the_api_spelling() -> None:
    assert [s.value for s in Status] == ["created", "in_progress", "done", "failed"]


@pytest.mark.parametrize(("status", "event"), sorted(LEGAL))
def test_legal_transition(status: Status, event: Event) -> None:
    assert next_status(status, event) is LEGAL[status, event]
    lifecycle = Lifecycle(status)
    assert lifecycle.fire(event) is LEGAL[status, event]
    assert lifecycle.status is LEGAL[status, event]


@pytest.mark.parametrize(("status", "event"), ILLEGAL)
def test_illegal_transition_raises_and_leaves_the_status(status: Status, event: Event) -> None:
    with pytest.raises(IllegalTransition) as err:
        next_status(status, event)
    assert (err.value.status, err.value.event) == (status, event)
    assert status.value in str(err.value) and event.value in str(err.value)
    lifecycle = Lifecycle(status)
    with pytest.raises(IllegalTransition):
        lifecycle.fire(event)
    assert lifecycle.status is status


def test_failed_is_final_and_done_only_reopens() -> None:
    assert not [e for e in Event if Status.FAILED in TRANSITIONS[e][0]]
    assert [e for e in Event if Status.DONE in TRANSITIONS[e][0]] == [Event.REOPEN]


def test_a_whole_life() -> None:
    lifecycle = Lifecycle()
    assert lifecycle.status is Status.CREATED
    for event in (Event.START, Event.FINISH, Event.REOPEN, Event.FINISH):
        lifecycle.fire(event)
    assert lifecycle.status is Status.DONE and repr(lifecycle) == "Lifecycle('done')"
