"""Load, small: one AsyncDeepSearch waits on 100 concurrent tasks through a pool of 8.

The full run (500 tasks, pool of 20) is ``python scripts/load.py``; figures in RELIABILITY.md.
"""

from __future__ import annotations

import asyncio

import load
import pytest
from extruct_deep_search.sandbox import SandboxProcess

pytestmark = pytest.mark.integration


def test_one_async_client_waits_on_100_tasks_with_a_bounded_pool() -> None:
    with SandboxProcess(seed=4, speed=20) as sandbox:
        report = asyncio.run(
            load.run_load(sandbox, tasks=100, max_connections=8, poll_interval=0.3, num=3)
        )
    assert report["errors"] == []
    assert report["completed"] == 100, report["statuses"]
    assert report["tasks_created_at_sandbox"] == 100  # one task per create, none twice
    assert 0 < report["peak_connections_pool"] <= 8
    # peak_connections_tcp (OS view) is reported, not asserted: a connection the
    # pool evicted can still be ESTABLISHED for a moment while it closes.
    assert report["requests_sent"] >= 200  # a create and at least one poll per task
