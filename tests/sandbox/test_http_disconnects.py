"""Clients that go away mid-request leave no traceback in the sandbox's logs."""

from __future__ import annotations

import contextlib
import logging
import socket
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest
from extruct_deep_search.sandbox import Sandbox

from .conftest import auth

pytestmark = pytest.mark.integration


class Records(logging.Handler):
    """Keeps every record logged under ``uvicorn`` (which does not propagate to root)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def tracebacks(self) -> list[str]:
        return [
            f"{r.name}: {r.getMessage()} ({r.exc_info[0].__name__})"
            for r in self.records
            if r.exc_info and r.exc_info[0] is not None
        ]


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with Sandbox(seed=1, speed=50) as sandbox:
        yield sandbox


@contextlib.contextmanager
def capture() -> Iterator[Records]:
    """Collect log records; enter it after starting a sandbox, whose uvicorn config
    replaces the handlers of the ``uvicorn`` loggers."""
    handler = Records()
    loggers = [logging.getLogger(n) for n in ("uvicorn", "uvicorn.error", "starlette", "")]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield handler
    finally:
        for logger in loggers:
            logger.removeHandler(handler)


@pytest.fixture
def logs(sb: Sandbox) -> Iterator[Records]:
    with capture() as handler:
        yield handler


def raw_partial_post(sb: Sandbox, path: str) -> None:
    """Send headers and half of a declared body, then close the socket."""
    url = urlsplit(sb.base_url)
    body = b'{"query": "broad disconnect test", "desired_num_results": 3}'
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {url.netloc}\r\n"
        f"Authorization: Bearer {sb.token}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    with socket.create_connection((url.hostname, url.port), timeout=5) as sock:
        sock.sendall(head + body[: len(body) // 2])
        time.sleep(0.05)  # let the app start reading the body


def settle(sb: Sandbox) -> None:
    """One complete request afterwards: the server has handled the earlier ones."""
    time.sleep(0.1)
    with httpx.Client(base_url=sb.base_url, headers=auth(sb.token)) as c:
        assert c.get("/v1/discovery_tasks").status_code == 200


@pytest.mark.parametrize(
    "path", ["/v1/discovery_tasks", "/v1/tables/tbl_x/rows", "/_sandbox/faults"]
)
def test_partial_body_then_disconnect_is_quiet(sb: Sandbox, logs: Records, path: str) -> None:
    raw_partial_post(sb, path)
    settle(sb)
    assert logs.tracebacks() == []
    assert [r.getMessage() for r in logs.records if r.levelno >= logging.ERROR] == []
    assert sb.tasks_created() == 0  # half a body is not a request: nothing happened


def test_client_timeout_during_a_slow_fault_is_quiet(sb: Sandbox, logs: Records) -> None:
    sb.faults.add("create:slow=0.3*1")
    client = httpx.Client(base_url=sb.base_url, headers=auth(sb.token), timeout=0.1)
    with client as c, pytest.raises(httpx.ReadTimeout):
        c.post("/v1/discovery_tasks", json={"query": "broad slow", "desired_num_results": 3})
    time.sleep(0.4)
    settle(sb)
    assert logs.tracebacks() == []


def test_stopping_with_a_request_in_flight_is_quiet() -> None:
    other = Sandbox(seed=1, faults=["list:slow=30*1"]).start()
    with capture() as logs:
        url = urlsplit(other.base_url)
        with socket.create_connection((url.hostname, url.port), timeout=5) as sock:
            sock.sendall(
                f"GET /v1/discovery_tasks HTTP/1.1\r\nHost: {url.netloc}\r\n"
                f"Authorization: Bearer {other.token}\r\n\r\n".encode()
            )
            time.sleep(0.1)  # the request is asleep in the slow fault
            other.stop()  # uvicorn cancels it after its graceful-shutdown timeout
    assert any("graceful shutdown" in r.getMessage() for r in logs.records)
    assert logs.tracebacks() == []
