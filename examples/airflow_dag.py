"""A discovery campaign on Airflow: several Deep Searches at once, gathered into one file.

Each search is one mapped instance of DeepSearchOperator (dynamic task
mapping), deferred to the triggerer while Extruct works, so no worker slot is
held for minutes. The ``extruct`` pool bounds how many Extruct tasks run at
once; create it with ``--include-deferred`` so deferred searches count::

    airflow pools set extruct 4 "Extruct Deep Search" --include-deferred

The connection ``extruct_default`` holds the API token (password) and,
optionally, a base URL (host), e.g. for the local sandbox::

    export AIRFLOW_CONN_EXTRUCT_DEFAULT='{"conn_type": "extruct", "password": "<token>"}'

A retried search re-attaches to its Extruct task instead of paying for a new
one. ``gather`` writes every company once (its best-graded sighting) to
``<output_dir>/<run id>.jsonl`` and returns the path and counts.

Run it once without a scheduler: ``python airflow_dag.py`` (``dag.test()``).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from airflow.sdk import DAG, task
from extruct_deep_search.airflow import DeepSearchOperator

# Seconds between polls; Extruct's guide suggests 15-30 s.
POLL_INTERVAL = float(os.environ.get("EXTRUCT_POLL_INTERVAL", "30"))

B2B = {"key": "b2b", "name": "B2B", "criterion": "Sells primarily to other businesses"}
SEARCHES: list[dict[str, Any]] = [
    {
        "query": "Vertical SaaS for dental clinics in Europe",
        "desired_num_results": 20,
        "criteria": [
            B2B,
            {"key": "dental", "name": "Dental", "criterion": "Builds software for dental clinics"},
        ],
    },
    {
        "query": "Payroll and scheduling software for restaurants",
        "desired_num_results": 20,
        "criteria": [B2B],
    },
    {
        "query": "Robotics startups automating warehouse picking",
        "desired_num_results": 15,
        "criteria": [B2B],
    },
]


def best_per_company(outputs: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every company once, from the search that ranked it most relevant."""
    best: dict[str, dict[str, Any]] = {}
    for output in outputs:
        for record in output["results"]:
            row = {**record, "search_query": output["query"]}
            company = (record.get("company_website") or record["company_name"]).lower()
            kept = best.get(company)
            if kept is None or (record["relevance"] or 0) > (kept["relevance"] or 0):
                best[company] = row
    return sorted(best.values(), key=lambda r: -(r["relevance"] or 0))


with DAG(
    dag_id="extruct_campaign",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    params={"output_dir": "/tmp/extruct-campaign"},
    tags=["extruct"],
    doc_md=__doc__,
) as dag:
    searches = DeepSearchOperator.partial(
        task_id="search",
        pool="extruct",
        poll_interval=POLL_INTERVAL,
        timeout=2 * 3600,
        retries=2,
        retry_delay=timedelta(minutes=1),
    ).expand_kwargs(SEARCHES)

    @task
    def gather(
        outputs: Iterable[dict[str, Any]], params: Any = None, run_id: Any = None
    ) -> dict[str, Any]:
        """Write the campaign's companies to one JSON Lines file."""
        outputs = list(outputs)
        rows = best_per_company(outputs)
        folder = Path(params["output_dir"])
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / (re.sub(r"[^\w.-]", "_", str(run_id)) + ".jsonl")
        with path.open("w", encoding="utf-8") as f:
            for row in rows:
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
        return {
            "path": str(path),
            "companies": len(rows),
            "tasks": [o["task_id"] for o in outputs],
            "results": sum(o["num_records"] for o in outputs),
        }

    gather(searches.output)


if __name__ == "__main__":
    dag.test()
