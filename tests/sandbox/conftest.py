"""Helpers for the sandbox tests: HTTP clients and a wait-until-finished helper."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from extruct_deep_search.sandbox import Sandbox

Json = dict[str, Any]


def auth(token: str) -> dict[str, str]:
    """Authorization header for a token."""
    return {"Authorization": f"Bearer {token}"}


def wait_finished(client: httpx.Client, task_id: str, timeout: float = 20.0) -> Json:
    """Poll a task until done or failed; return it."""
    deadline = time.monotonic() + timeout
    while True:
        task: Json = client.get(f"/v1/discovery_tasks/{task_id}").raise_for_status().json()
        if task["status"] in ("done", "failed"):
            return task
        assert time.monotonic() < deadline, f"task still {task['status']} after {timeout}s"
        time.sleep(0.02)


def create(client: httpx.Client, **body: Any) -> Json:
    """Create a task (asserting 200) and return it."""
    response = client.post("/v1/discovery_tasks", json=body)
    assert response.status_code == 200, response.text
    out: Json = response.json()
    return out


@pytest.fixture
def client(base_url: str, sandbox: Sandbox) -> Iterator[httpx.Client]:
    """Org A client through base_url (the Prism proxy during contract runs)."""
    with httpx.Client(base_url=base_url, headers=auth(sandbox.token), timeout=30) as c:
        yield c


@pytest.fixture
def direct(direct_url: str, sandbox: Sandbox) -> Iterator[httpx.Client]:
    """Org A client straight to the sandbox (for invalid requests and control endpoints)."""
    with httpx.Client(base_url=direct_url, headers=auth(sandbox.token), timeout=30) as c:
        yield c


@pytest.fixture
def foreign(base_url: str, sandbox: Sandbox) -> Iterator[httpx.Client]:
    """Org B client."""
    with httpx.Client(base_url=base_url, headers=auth(sandbox.foreign_token), timeout=30) as c:
        yield c


@pytest.fixture
def colleague(base_url: str, sandbox: Sandbox) -> Iterator[httpx.Client]:
    """The second org A token's client."""
    with httpx.Client(base_url=base_url, headers=auth(sandbox.other_token), timeout=30) as c:
        yield c


@pytest.fixture
def finished() -> Callable[[httpx.Client, str], Json]:
    """The wait_finished helper as a fixture."""
    return wait_finished
