"""The chaos suite (scripts/chaos.py) in a small, fast configuration.

The full run is ``nox -s chaos``; this one keeps the same pass condition
(nothing lost, duplicated or created twice, no unhandled exception, only the
typed errors a fault can explain) so it is part of every test run.
"""

from __future__ import annotations

from typing import Any

import chaos
import pytest

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    cfg = chaos.Config(tasks=16, duration=20, rate=0.2, seed=7, workers=4, json_path=None)
    return chaos.run(cfg)


def test_chaos_injects_every_fault_kind(report: dict[str, Any]) -> None:
    assert report["faults_injected"] > 0
    # With 16 lifecycles at rate 0.2 most kinds fire; at least the bulk of them must.
    assert len(report["faults_by_kind"]) >= 6, report["faults_by_kind"]


def test_chaos_loses_and_duplicates_nothing(report: dict[str, Any]) -> None:
    assert report["results_reads_checked"] > 0
    assert report["results_lost"] == 0, report["mismatches"]
    assert report["results_duplicated"] == 0, report["mismatches"]
    assert report["results_unexpected"] == 0, report["mismatches"]
    assert report["order_mismatches"] == 0, report["mismatches"]
    assert report["results_received"] == report["results_expected"]


def test_chaos_creates_no_extra_task(report: dict[str, Any]) -> None:
    assert report["extra_tasks"] == 0
    assert report["tasks_created"] <= report["create_calls"]
    assert report["tasks_created"] == report["create_returned"] + report["orphan_tasks"]
    assert report["orphan_tasks"] <= report["create_raised"]


def test_chaos_surfaces_only_typed_errors(report: dict[str, Any]) -> None:
    assert report["unhandled_exceptions"] == []
    assert report["wrong_typed_errors"] == {}
    assert report["passed"] is True


def test_chaos_fault_free_baseline_is_exact() -> None:
    """With no faults every create returns its task and nothing surfaces."""
    cfg = chaos.Config(tasks=4, duration=10, rate=0.0, seed=3, workers=2, json_path=None)
    report = chaos.run(cfg)
    assert report["faults_injected"] == 0
    assert report["create_returned"] == report["tasks_created"] == 4
    assert report["typed_errors_surfaced"] == {}
    assert report["lifecycles_completed"] == 4
    assert report["passed"] is True
