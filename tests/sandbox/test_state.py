"""Unit tests of the pure state machine, driven by a fake clock (no HTTP, no sleeping)."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from extruct_deep_search.sandbox.domains import registered_domain
from extruct_deep_search.sandbox.state import (
    FAIL_AFTER,
    START_DELAY,
    ApiError,
    CreateInput,
    SandboxState,
    infer_criteria,
)

T0 = 1_700_000_000.0
A, B = "org_a", "org_b"


class Clock:
    def __init__(self) -> None:
        self.t = T0

    def __call__(self) -> float:
        return self.t


def make(seed: int = 0, speed: float = 1.0) -> tuple[SandboxState, Clock]:
    clock = Clock()
    return SandboxState(seed=seed, speed=speed, now=clock), clock


def run(
    state: SandboxState, clock: Clock, task_id: str, step: float = 0.05, limit: float = 120
) -> list[dict[str, Any]]:
    """Advance until finished, returning every snapshot (task plus all results)."""
    snaps = []
    while clock.t - T0 < limit:
        snap = state.get_results(A, task_id)
        snaps.append(snap)
        if snap["status"] in ("done", "failed"):
            return snaps
        clock.t += step
    raise AssertionError("task did not finish")


def counters(t: dict[str, Any]) -> tuple[int, int, int, int]:
    return (
        t["num_results_discovered"],
        t["num_results_enriched"],
        t["num_results_evaluated"],
        t["num_results"],
    )


def test_lifecycle_counters_and_invariants() -> None:
    state, clock = make()
    task = state.create_task(
        A, CreateInput(query="payroll software for restaurants", desired_num_results=50)
    )
    assert task["status"] == "created" and counters(task) == (0, 0, 0, 0)
    assert task["is_exhausted"] is False
    clock.t += START_DELAY * 0.9
    assert state.get_task(A, task["id"])["status"] == "created"
    snaps = run(state, clock, task["id"])
    assert {s["status"] for s in snaps} >= {"in_progress", "done"}
    previous = (0, 0, 0, 0)
    for snap in snaps:
        now = counters(snap)
        assert now[0] >= now[1] >= now[2] >= now[3]
        assert all(a >= b for a, b in zip(now, previous, strict=True)), (previous, now)
        assert len(snap["results"]) == snap["num_results"]
        keys = [(-r["relevance"], r["id"]) for r in snap["results"]]
        assert keys == sorted(keys)
        previous = now
    final = snaps[-1]
    assert final["status"] == "done" and final["num_results"] == 50
    # A 50-result task at speed 1 finishes in about 2-4 simulated (= real) seconds.
    assert 1.5 <= clock.t - T0 <= 4.5


def test_results_are_high_fit_with_relevance_from_grades() -> None:
    state, clock = make()
    task = state.create_task(
        A, CreateInput(query="broad industrial robotics", desired_num_results=250)
    )
    final = run(state, clock, task["id"], step=0.5)[-1]
    assert final["num_results"] == 250
    keys = [c["key"] for c in final["criteria"]]
    null_grades = 0
    for row in final["results"]:
        grades = [row["scores"][k]["grade"] for k in keys]
        assert sum(1 for g in grades if g is not None and g >= 4) >= 0.75 * len(grades)
        known = [g for g in grades if g is not None]
        assert row["relevance"] == round(100 * sum((g - 1) / 4 for g in known) / len(known))
        assert 0 <= row["relevance"] <= 100
        null_grades += len(grades) - len(known)
        for key in keys:
            score = row["scores"][key]
            if score["grade"] is not None:
                assert score["sources"] and all(s.startswith("https://") for s in score["sources"])
                assert 0 < len(score["explanation"]) <= 1000
    assert null_grades > 0, "evaluation failures (null grades) should occur sometimes"


def test_new_results_land_above_earlier_ones() -> None:
    state, clock = make()
    task = state.create_task(A, CreateInput(query="broad fintech", desired_num_results=120))
    snaps = run(state, clock, task["id"], step=0.02)
    jumped = False
    for before, after in itertools.pairwise(snaps):
        old = {r["id"] for r in before["results"]}
        order = [r["id"] for r in after["results"]]
        for pos, rid in enumerate(order):
            if rid not in old and any(o in old for o in order[pos + 1 :]):
                jumped = True
    assert jumped


def test_niche_query_exhausts_early_and_resume_is_400() -> None:
    state, clock = make()
    task = state.create_task(A, CreateInput(query="niche lunar mining", desired_num_results=100))
    snaps = run(state, clock, task["id"])
    assert any(s["status"] == "in_progress" and s["is_exhausted"] for s in snaps)
    final = snaps[-1]
    assert final["status"] == "done" and final["is_exhausted"] is True
    assert 0 < final["num_results"] < 100
    assert final["num_results_evaluated"] == final["num_results_enriched"]
    with pytest.raises(ApiError) as err:
        state.resume_task(A, task["id"], 10)
    assert err.value.status == 400


def test_pool_marker_sets_exact_pool_size() -> None:
    state, clock = make()
    task = state.create_task(A, CreateInput(query="pool:37 anything", desired_num_results=250))
    final = run(state, clock, task["id"])[-1]
    assert final["num_results_discovered"] == 37 and final["is_exhausted"]


def test_resume_up_to_the_cap() -> None:
    state, clock = make(speed=4)
    task = state.create_task(A, CreateInput(query="broad devtools", desired_num_results=200))
    assert run(state, clock, task["id"])[-1]["num_results"] == 200
    resumed = state.resume_task(A, task["id"], 200)
    assert resumed["desired_num_results"] == 250 and resumed["status"] == "in_progress"
    final = run(state, clock, task["id"])[-1]
    assert final["status"] == "done" and final["num_results"] == 250
    again = state.resume_task(A, task["id"], 25)
    assert again["desired_num_results"] == 250 and again["status"] == "done"


def test_resume_zero_keeps_done_task_done() -> None:
    state, clock = make(speed=4)
    task = state.create_task(A, CreateInput(query="broad logistics", desired_num_results=10))
    run(state, clock, task["id"])
    assert state.resume_task(A, task["id"], 0)["status"] == "done"


def test_fail_trigger() -> None:
    state, clock = make()
    task = state.create_task(A, CreateInput(query="broad FAIL_TASK please", desired_num_results=50))
    final = run(state, clock, task["id"])[-1]
    assert final["status"] == "failed"
    assert final["num_results_evaluated"] == FAIL_AFTER
    assert len(final["results"]) == final["num_results"]
    with pytest.raises(ApiError) as err:
        state.resume_task(A, task["id"])
    assert err.value.status == 400
    # The trigger is the exact word, not a substring.
    other = state.create_task(A, CreateInput(query="broad NOFAIL_TASKS", desired_num_results=5))
    assert run(state, clock, other["id"])[-1]["status"] == "done"


def test_criteria_inferred_deterministically_or_taken_as_given() -> None:
    assert infer_criteria("AI tools for lawyers") == infer_criteria("AI tools for lawyers")
    state, clock = make()
    inferred = state.create_task(A, CreateInput(query="AI tools for lawyers"))
    assert [c["key"] for c in inferred["criteria"]] == [
        k for k, _, _ in infer_criteria("AI tools for lawyers")
    ]
    given = [("serves_smb", "Serves SMBs", "Sells mainly to small businesses.")]
    task = state.create_task(
        A, CreateInput(query="broad payroll", desired_num_results=5, criteria=given)
    )
    assert task["criteria"] == [
        {
            "key": "serves_smb",
            "name": "Serves SMBs",
            "criterion": "Sells mainly to small businesses.",
        }
    ]
    final = run(state, clock, task["id"])[-1]
    assert all(set(r["scores"]) == {"serves_smb"} for r in final["results"])


def test_determinism_from_seed() -> None:
    def outcome(seed: int) -> list[tuple[str, int]]:
        state, clock = make(seed=seed)
        task = state.create_task(A, CreateInput(query="climate software", desired_num_results=30))
        final = run(state, clock, task["id"])[-1]
        return [(r["company_website"], r["relevance"]) for r in final["results"]]

    assert outcome(7) == outcome(7)
    assert outcome(7) != outcome(8)


def test_speed_multiplies_progress() -> None:
    def duration(speed: float) -> float:
        state, clock = make(speed=speed)
        task = state.create_task(A, CreateInput(query="broad hr tech", desired_num_results=40))
        run(state, clock, task["id"], step=0.01)
        return clock.t - T0

    assert duration(4.0) == pytest.approx(duration(1.0) / 4, rel=0.1)


def test_exclusions_resolved_frozen_and_never_returned() -> None:
    state, clock = make(speed=4)
    first = state.create_task(A, CreateInput(query="broad data tools", desired_num_results=30))
    first_rows = run(state, clock, first["id"])[-1]["results"]
    first_domains = {registered_domain(r["company_website"]) for r in first_rows}
    second = state.create_task(
        A,
        CreateInput(
            query="broad data tools",
            desired_num_results=60,
            exclude_domains=["https://www.Example.co.uk/about", "example.co.uk", "b.io"],
            exclude_task_ids=[first["id"]],
        ),
    )
    expected = sorted(first_domains | {"example.co.uk", "b.io"})
    assert second["exclude_domains"] == expected
    final = run(state, clock, second["id"])[-1]
    assert final["exclude_domains"] == expected
    assert not {registered_domain(r["company_website"]) for r in final["results"]} & set(expected)
    # Frozen: a resume does not re-resolve.
    assert state.resume_task(A, second["id"], 10)["exclude_domains"] == expected


def test_exclusion_errors() -> None:
    state, _ = make(speed=4)
    running = state.create_task(A, CreateInput(query="broad x", desired_num_results=250))
    foreign = state.create_task(B, CreateInput(query="y", desired_num_results=1))
    cases = [([running["id"]], 400), ([foreign["id"]], 403), (["nope"], 404)]
    for ids, status in cases:
        with pytest.raises(ApiError) as err:
            state.create_task(A, CreateInput(query="z", exclude_task_ids=ids))
        assert err.value.status == status
    many = [f"company{i}.com" for i in range(1001)]
    with pytest.raises(ApiError) as err:
        state.create_task(A, CreateInput(query="z", exclude_domains=many))
    assert err.value.status == 422
    assert err.value.detail[0]["loc"] == ["body", "exclude_domains"]  # type: ignore[index]
    ok = state.create_task(
        A, CreateInput(query="z", exclude_domains=[*many[:1000], "www.company0.com"])
    )
    assert len(ok["exclude_domains"]) == 1000
    assert state.tasks_created(A) == 2 and state.tasks_created(B) == 1


def test_organizations_and_listing() -> None:
    state, clock = make()
    ids = []
    for i in range(5):
        ids.append(state.create_task(A, CreateInput(query=f"q{i}"))["id"])
        clock.t += 0.001
    state.create_task(B, CreateInput(query="other org"))
    listed = [t["id"] for t in state.list_tasks(A)]
    assert listed == ids[::-1]
    assert [t["id"] for t in state.list_tasks(A, offset=1, limit=2)] == ids[::-1][1:3]
    assert state.list_tasks(A, offset=10) == []
    for call in (state.get_task, state.get_results, state.resume_task):
        with pytest.raises(ApiError) as err:
            call(B, ids[0])  # type: ignore[operator]
        assert err.value.status == 404


def test_tables() -> None:
    state, _ = make()
    table = state.create_table(A)
    rows = state.add_table_rows(A, table, [{"input": "stripe.com"}])
    assert rows[0]["data"] == {"input": "stripe.com"} and rows[0]["id"]
    assert state.add_table_rows(A, "tbl_custom", [])[:1] == []
    for org, table_id in ((B, table), (A, "unknown table")):
        with pytest.raises(ApiError) as err:
            state.add_table_rows(org, table_id, [])
        assert err.value.status == 404
