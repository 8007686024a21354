"""The Airflow suite: runs in the virtualenv of ``nox -s airflow`` only.

The main test run (``nox -s tests``, no Airflow installed) does not collect
this folder. The ``airflow`` session sets EXTRUCT_AIRFLOW_TESTS=1, so there a
missing Airflow is an import error, never a silently empty run.

Airflow reads its configuration when first imported, so AIRFLOW_HOME points
at a fresh temporary folder before any test module imports it.
"""

from __future__ import annotations

import importlib.util
import json
import os
import tempfile
from collections.abc import Iterator
from typing import Any

import pytest

RUN_ENV = "EXTRUCT_AIRFLOW_TESTS"

if importlib.util.find_spec("airflow") is None and not os.environ.get(RUN_ENV):
    collect_ignore_glob = ["*"]
else:
    os.environ["AIRFLOW_HOME"] = tempfile.mkdtemp(prefix="extruct-airflow-home-")
    os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
    os.environ["AIRFLOW__CORE__UNIT_TEST_MODE"] = "True"

CONN_ENV = "AIRFLOW_CONN_EXTRUCT_DEFAULT"


def conn_json(base_url: str, token: str) -> str:
    """An ``extruct`` connection as Airflow's JSON connection format."""
    return json.dumps({"conn_type": "extruct", "host": base_url, "password": token})


@pytest.fixture
def extruct_conn(monkeypatch: pytest.MonkeyPatch, base_url: str, api_token: str) -> str:
    """AIRFLOW_CONN_EXTRUCT_DEFAULT pointing at the session's sandbox."""
    monkeypatch.setenv(CONN_ENV, conn_json(base_url, api_token))
    return "extruct_default"


class FakeStateStore:
    """``context["task_state_store"]``: a dict that keeps only JSON, as Airflow's does."""

    def __init__(self) -> None:
        self.data: dict[str, str] = {}
        self.writes = 0

    def get(self, key: str, default: Any = None) -> Any:
        return json.loads(self.data[key]) if key in self.data else default

    def set(self, key: str, value: Any, *, retention: Any = None) -> None:
        if value is None:
            raise ValueError("Cannot set value as None")
        self.data[key] = json.dumps(value)
        self.writes += 1

    def delete(self, key: str) -> None:
        self.data.pop(key, None)


class FakeTI:
    """The task instance fields the operator reads."""

    def __init__(self, try_number: int = 1, map_index: int = -1) -> None:
        self.dag_id = "extruct_test"
        self.task_id = "search"
        self.run_id = "manual__2026-12-01T00:00:00+00:00"
        self.map_index = map_index
        self.try_number = try_number
        self.stats_tags: dict[str, str] = {}
        self.xcom: dict[str, Any] = {}

    def xcom_push(self, key: str, value: Any) -> None:
        self.xcom[key] = value


@pytest.fixture
def store() -> FakeStateStore:
    """One task instance's state store, shared by its tries."""
    return FakeStateStore()


@pytest.fixture
def make_context(store: FakeStateStore) -> Iterator[Any]:
    """Build the task context of try N of one task instance."""

    def make(try_number: int = 1, map_index: int = -1) -> dict[str, Any]:
        return {"ti": FakeTI(try_number, map_index), "task_state_store": store}

    yield make
