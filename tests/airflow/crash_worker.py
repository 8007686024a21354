"""Try 1 of a task instance, in a process of its own, for the SIGKILL test.

Usage: ``python crash_worker.py STORE_JSON``; the ``extruct`` connection comes
from AIRFLOW_CONN_EXTRUCT_DEFAULT. It runs the operator's ``execute`` with a
file-backed task state store; the test kills it while the create POST waits
for its answer.
"""

from __future__ import annotations

import sys
from pathlib import Path

from airflow_support import FakeTI, FileStateStore
from extruct_deep_search.airflow import DeepSearchOperator

QUERY = "fintech startups in Berlin"


def operator() -> DeepSearchOperator:
    """The operator both tries run (same parameters, so the same key and fingerprint)."""
    return DeepSearchOperator(
        task_id="search", query=QUERY, desired_num_results=10, poll_interval=0.2
    )


if __name__ == "__main__":
    store = FileStateStore(Path(sys.argv[1]))
    operator().execute({"ti": FakeTI(1), "task_state_store": store})
