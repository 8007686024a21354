"""The Airflow suite: runs in the virtualenv of ``nox -s airflow`` only.

The main test run (``nox -s tests``, no Airflow installed) does not collect
this folder. The ``airflow`` session sets EXTRUCT_AIRFLOW_TESTS=1, so there a
missing Airflow is an import error, never a silently empty run.

Airflow reads its configuration when first imported, so AIRFLOW_HOME points
at a fresh temporary folder before any test module imports it.
"""

from __future__ import annotations

import importlib.metadata
import os
import tempfile
from collections.abc import Callable
from typing import Any

import pytest

RUN_ENV = "EXTRUCT_AIRFLOW_TESTS"


def _airflow_installed() -> bool:
    # Not importlib.util.find_spec("airflow"): this very folder is a namespace
    # package named airflow when tests/ is on sys.path.
    try:
        importlib.metadata.distribution("apache-airflow-task-sdk")
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


if not _airflow_installed() and not os.environ.get(RUN_ENV):
    collect_ignore_glob = ["*"]
else:
    os.environ["AIRFLOW_HOME"] = tempfile.mkdtemp(prefix="extruct-airflow-home-")
    os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
    os.environ["AIRFLOW__CORE__UNIT_TEST_MODE"] = "True"

    from airflow_support import CONN_ENV, FakeStateStore, FakeTI, conn_json

    @pytest.fixture
    def extruct_conn(monkeypatch: pytest.MonkeyPatch, base_url: str, api_token: str) -> str:
        """AIRFLOW_CONN_EXTRUCT_DEFAULT pointing at the session's sandbox."""
        monkeypatch.setenv(CONN_ENV, conn_json(base_url, api_token))
        return "extruct_default"

    @pytest.fixture
    def store() -> FakeStateStore:
        """One task instance's state store, shared by its tries."""
        return FakeStateStore()

    @pytest.fixture
    def make_context(store: FakeStateStore) -> Callable[..., dict[str, Any]]:
        """Build the task context of try N of one task instance."""

        def make(try_number: int = 1, map_index: int = -1) -> dict[str, Any]:
            return {"ti": FakeTI(try_number, map_index), "task_state_store": store}

        return make
