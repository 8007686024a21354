"""Shared helpers for the foundation-layer tests (spec, patch, generated client, drift)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
UPSTREAM_PATH = ROOT / "openapi" / "upstream.yaml"
CLIENT_PATH = ROOT / "openapi" / "client.yaml"
GENERATED_PKG = ROOT / "generated" / "extruct_deep_search_client"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: runs the pinned generator (about 1 s per generation)")


def load_yaml(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text())
    assert isinstance(data, dict)
    return data


@pytest.fixture
def upstream() -> dict[str, Any]:
    """A fresh parse of openapi/upstream.yaml (tests may mutate it)."""
    return load_yaml(UPSTREAM_PATH)


@pytest.fixture
def client_spec() -> dict[str, Any]:
    return load_yaml(CLIENT_PATH)
