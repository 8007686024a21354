"""Retries in real Airflow: what try 1 recorded in the task state store, try 2 sees.

Try 1 of each task dies at a chosen point; Airflow retries it at once. The
test (test_dags.py) checks the outcome in the metadata database and the
sandbox.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from typing import Any

from airflow.sdk import DAG, task
from extruct_deep_search.airflow import DeepSearchOperator, TaskStateJournal

RETRY = {"retries": 1, "retry_delay": timedelta(seconds=0)}
POLL = float(os.environ.get("EXTRUCT_POLL_INTERVAL", "0.5"))


class CrashAfterPost(DeepSearchOperator):
    """Try 1 dies after the create answered, before ResumableJobMixin stored the id."""

    def submit_job(self, context: Any) -> str:
        task_id = super().submit_job(context)
        if context["ti"].try_number == 1:
            raise RuntimeError(f"worker lost after creating {task_id}")
        return task_id


class CrashWhileWaiting(DeepSearchOperator):
    """Try 1 dies after the id was stored, before deferring."""

    def poll_until_complete(self, external_id: Any, context: Any) -> None:
        if context["ti"].try_number == 1:
            raise RuntimeError(f"worker lost while waiting for {external_id}")
        super().poll_until_complete(external_id, context)


with DAG(
    dag_id="extruct_durable_retry",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
) as dag:

    @task(**RETRY)
    def pending_claim(**context: Any) -> dict[str, Any]:
        """Try 1 records a claim (as before a POST) and dies; try 2 reads it back."""
        journal = TaskStateJournal.from_context(context)
        if context["ti"].try_number == 1:
            journal.begin("k", "fp", "q", sent_at=1234.5, owner=journal.owner)
            raise RuntimeError("worker lost after the claim")
        entry = journal.get("k")
        assert entry is not None
        return {
            "try": context["ti"].try_number,
            "task_id": entry.task_id,
            "sent_at": entry.sent_at,
            "owner_alive": journal.owner_alive(entry.owner),
        }

    pending_claim()
    CrashAfterPost(
        task_id="crash_after_post",
        query="fintech startups",
        desired_num_results=5,
        poll_interval=POLL,
        **RETRY,
    )
    CrashWhileWaiting(
        task_id="crash_while_waiting",
        query="insurtech startups",
        desired_num_results=5,
        poll_interval=POLL,
        **RETRY,
    )
