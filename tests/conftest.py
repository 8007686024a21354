"""Shared fixtures: one sandbox per test session, optionally behind the Prism proxy.

``nox -s contract`` starts Prism in front of a sandbox and runs the integration
tests with ``EXTRUCT_SANDBOX_PROXY_URL`` set, so every request through
``base_url`` is validated against openapi/upstream.yaml. Tests that send
deliberately invalid requests (401, 422) or use the ``/_sandbox`` control
endpoints must use ``direct_url``, which always points at the sandbox itself.
Tests that use ``base_url`` (directly or through another fixture) are marked
``proxied``; only they send traffic through Prism, so only they run there.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from extruct_deep_search.sandbox import Sandbox

PROXY_ENV = "EXTRUCT_SANDBOX_PROXY_URL"
PORT_ENV = "EXTRUCT_SANDBOX_PORT"
SPEED_ENV = "EXTRUCT_SANDBOX_SPEED"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark ``proxied`` every test whose traffic goes through ``base_url``."""
    for item in items:
        if "base_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.proxied)


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    """A running sandbox (seed 0, speed 10 unless EXTRUCT_SANDBOX_SPEED is set), no faults.

    It listens on EXTRUCT_SANDBOX_PORT when set: scripts/contract.py starts
    Prism towards that port before pytest runs, so the proxy reaches this very
    sandbox.
    """
    speed = float(os.environ.get(SPEED_ENV, "10"))
    port = int(os.environ.get(PORT_ENV, "0"))
    with Sandbox(seed=0, speed=speed, port=port) as sb:
        yield sb


@pytest.fixture(scope="session")
def direct_url(sandbox: Sandbox) -> str:
    """The sandbox's own URL, bypassing any proxy."""
    return sandbox.base_url


@pytest.fixture(scope="session")
def base_url(sandbox: Sandbox) -> str:
    """Where client traffic goes: the Prism proxy when EXTRUCT_SANDBOX_PROXY_URL is set."""
    return os.environ.get(PROXY_ENV) or sandbox.base_url


@pytest.fixture(scope="session")
def api_token(sandbox: Sandbox) -> str:
    """A valid token of organization A."""
    return sandbox.token
