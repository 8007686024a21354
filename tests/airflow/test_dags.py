"""DAGs end to end with ``dag.test()`` against the sandbox over real HTTP.

Each DAG runs in a subprocess with its own AIRFLOW_HOME (``airflow db
migrate``, the DAG in the dags folder, the ``extruct`` pool), the sandbox
reached through ``AIRFLOW_CONN_EXTRUCT_DEFAULT``. Airflow 3.3's dag.test runs
deferred triggers inline and retries failed tries, so the deferral, the
trigger and the task state store across tries are Airflow's own.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from airflow_support import CONN_ENV, conn_json
from extruct_deep_search.sandbox import Sandbox

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "airflow_dag.py"
TEST_DAGS = Path(__file__).resolve().parent / "dags"
AIRFLOW = Path(sys.executable).with_name("airflow")


@dataclass
class Home:
    """An AIRFLOW_HOME with a migrated database and the DAGs, and a sandbox behind it."""

    path: Path
    env: dict[str, str]
    sandbox: Sandbox

    @property
    def dags(self) -> Path:
        return self.path / "dags"

    def run(self, module: str, run_conf: dict[str, Any] | None = None) -> str:
        """``dag.test()`` the DAG of dags/<module>.py; returns its output."""
        code = (
            "import json, sys; sys.path.insert(0, sys.argv[1]); "
            f"from {module} import dag; dag.test(run_conf=json.loads(sys.argv[2]))"
        )
        done = subprocess.run(
            [sys.executable, "-c", code, str(self.dags), json.dumps(run_conf or {})],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        output = done.stdout + done.stderr
        assert done.returncode == 0, output[-3000:]
        return output

    def query(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.path / "airflow.db") as db:
            return db.execute(sql, args).fetchall()

    def xcom(self, dag_id: str, task_id: str) -> list[Any]:
        rows = self.query(
            "SELECT value FROM xcom WHERE dag_id = ? AND task_id = ? AND key = 'return_value'"
            " ORDER BY map_index",
            dag_id,
            task_id,
        )
        return [json.loads(value) for (value,) in rows]

    def assert_token_nowhere(self, output: str) -> None:
        """Not in the output, the metadata database (XCom, rendered fields, state), the logs."""
        token = self.sandbox.token
        assert token not in output
        assert token.encode() not in (self.path / "airflow.db").read_bytes()
        for log in (self.path / "logs").rglob("*"):
            assert not log.is_file() or token.encode() not in log.read_bytes(), log


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Home]:
    path = tmp_path_factory.mktemp("airflow-home")
    (path / "dags").mkdir()
    shutil.copy(EXAMPLE, path / "dags")
    shutil.copy(TEST_DAGS / "durable_retry_dag.py", path / "dags")
    with Sandbox(seed=3, speed=10) as sandbox:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "EXTRUCT"))}
        env.update(
            AIRFLOW_HOME=str(path),
            AIRFLOW__CORE__DAGS_FOLDER=str(path / "dags"),
            AIRFLOW__CORE__LOAD_EXAMPLES="False",
            EXTRUCT_POLL_INTERVAL="0.5",
            **{CONN_ENV: conn_json(sandbox.base_url, sandbox.token)},
        )
        for command in (
            ["db", "migrate"],
            ["pools", "set", "extruct", "2", "Extruct Deep Search", "--include-deferred"],
        ):
            subprocess.run([str(AIRFLOW), *command], env=env, check=True, capture_output=True)
        yield Home(path, env, sandbox)


def test_example_campaign(home: Home, tmp_path: Path) -> None:
    before = home.sandbox.tasks_created()
    output = home.run("airflow_dag", {"output_dir": str(tmp_path)})

    assert home.query("SELECT state FROM dag_run WHERE dag_id = 'extruct_campaign'") == [
        ("success",)
    ]
    # Three mapped searches in the pool, each deferred to an inline trigger.
    searches = home.query(
        "SELECT map_index, state, pool FROM task_instance"
        " WHERE dag_id = 'extruct_campaign' AND task_id = 'search' ORDER BY map_index"
    )
    assert searches == [(i, "success", "extruct") for i in range(3)]
    assert output.count("running trigger in line") == 3
    assert home.sandbox.tasks_created() == before + 3  # one Extruct task per search

    outputs = home.xcom("extruct_campaign", "search")
    assert [o["query"] for o in outputs] == [
        "Vertical SaaS for dental clinics in Europe",
        "Payroll and scheduling software for restaurants",
        "Robotics startups automating warehouse picking",
    ]
    assert all(o["status"] == "done" and o["num_records"] == len(o["results"]) for o in outputs)
    assert outputs[0]["criteria_keys"] == ["b2b", "dental"]

    [gathered] = home.xcom("extruct_campaign", "gather")
    assert gathered["tasks"] == [o["task_id"] for o in outputs]
    assert gathered["results"] == sum(o["num_records"] for o in outputs)
    rows = [json.loads(line) for line in Path(gathered["path"]).read_text().splitlines()]
    assert Path(gathered["path"]).parent == tmp_path
    assert len(rows) == gathered["companies"] > 0
    websites = [r["company_website"] for r in rows]
    assert len(set(websites)) == len(websites)
    assert {r["search_query"] for r in rows} <= {o["query"] for o in outputs}
    home.assert_token_nowhere(output)


def test_durable_retries(home: Home) -> None:
    before = home.sandbox.tasks_created()
    output = home.run("durable_retry_dag")

    tries = dict(
        home.query(
            "SELECT task_id, try_number FROM task_instance"
            " WHERE dag_id = 'extruct_durable_retry' AND state = 'success'"
        )
    )
    assert tries == {"pending_claim": 2, "crash_after_post": 2, "crash_while_waiting": 2}

    # The pending claim try 1 wrote before "its POST" is what try 2 reads, and
    # try 2 knows its owner is gone.
    [claim] = home.xcom("extruct_durable_retry", "pending_claim")
    assert claim == {"try": 2, "task_id": None, "sent_at": 1234.5, "owner_alive": False}

    # Each crashed try's Extruct task was re-attached: one POST per task instance.
    assert home.sandbox.tasks_created() == before + 2
    for task_id in ("crash_after_post", "crash_while_waiting"):
        [result] = home.xcom("extruct_durable_retry", task_id)
        assert result["status"] == "done" and result["num_records"] > 0
    assert "Re-attaching to Extruct task" in output
    # ResumableJobMixin found the stored id: still running, or already done.
    assert "Reconnecting to existing job" in output or "Job already completed" in output
    home.assert_token_nowhere(output)
