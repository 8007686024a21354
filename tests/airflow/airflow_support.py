"""Helpers of the Airflow suite: the connection variable, and fakes of the task context."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

CONN_ENV = "AIRFLOW_CONN_EXTRUCT_DEFAULT"


def conn_json(base_url: str, token: str) -> str:
    """An ``extruct`` connection as Airflow's JSON connection format."""
    return json.dumps({"conn_type": "extruct", "host": base_url, "password": token})


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


class FileStateStore(FakeStateStore):
    """A state store kept in a JSON file, so it outlives a killed process (as Airflow's does).

    Every ``set`` is written to a temporary file and renamed over the old one.
    """

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        if path.exists():
            self.data = json.loads(path.read_text(encoding="utf-8"))

    def set(self, key: str, value: Any, *, retention: Any = None) -> None:
        super().set(key, value, retention=retention)
        self._save()

    def delete(self, key: str) -> None:
        super().delete(key)
        self._save()

    def _save(self) -> None:
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.data), encoding="utf-8")
        os.replace(tmp, self.path)


class FakeTI:
    """The task instance fields the operator reads."""

    def __init__(self, try_number: int = 1, map_index: int = -1) -> None:
        self.dag_id = "extruct_test"
        self.task_id = "search"
        self.run_id = "manual__2026-12-01T00:00:00+00:00"
        self.map_index = map_index
        self.try_number = try_number
        self.stats_tags: dict[str, str] = {}
