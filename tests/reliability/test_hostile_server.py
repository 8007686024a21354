"""Hostile servers: the client raises typed errors and never hangs.

A tiny raw TCP server on 127.0.0.1 (a thread per connection) answers with
exactly the bytes each test scripts: non-JSON, truncated JSON, wrong field
types, a proxy's HTML error page, redirects to another host, a huge body,
undocumented statuses, silence and a slow drip (tests/reliability/test_byte_server.py
goes below JSON, to the bytes). Every client call runs under
a watchdog (pytest-timeout is not installed): a call that does not return in
time fails the test instead of hanging the suite.
"""

from __future__ import annotations

import asyncio
import json
import socket
import time
from typing import Any

import pytest
from extruct_deep_search import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AsyncDeepSearch,
    DeepSearch,
    ExtructError,
    RetryPolicy,
    ServerError,
    UnexpectedResponseError,
)

from .byteserver import ByteServer as RawServer
from .byteserver import Respond, within

TOKEN = "sk_hostile_server_T0KEN_9f8e7d"


def reply(
    status: int, body: bytes, content_type: str = "application/json", extra: str = ""
) -> Respond:
    def respond(conn: socket.socket, head: bytes) -> None:
        conn.sendall(
            f"HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n{extra}\r\n".encode()
            + body
        )

    return respond


def client(url: str, **kwargs: Any) -> DeepSearch:
    kwargs.setdefault("max_retries", 0)
    kwargs.setdefault("timeout", 2.0)
    return DeepSearch(TOKEN, base_url=url, **kwargs)


def task_json(**over: Any) -> dict[str, Any]:
    data = {
        "id": "t1",
        "created_at": "2026-01-02T03:04:05+00:00",
        "status": "done",
        "query": "q",
        "desired_num_results": 5,
        "is_exhausted": False,
        "num_results_discovered": 1,
        "num_results_enriched": 1,
        "num_results_evaluated": 1,
        "num_results": 1,
        "auto_data_sources": True,
        "criteria": [],
        "exclude_domains": [],
    }
    data.update(over)
    return data


ROW = {
    "id": "r1",
    "task_id": "t1",
    "company_name": "Acme",
    "company_description": "Makes things",
    "company_website": "https://acme.com",
    "relevance": 90,
    "created_at": "2026-01-02T03:04:05+00:00",
    "source": "web_search",
    "scores": {},
}


@pytest.fixture
def serve():
    servers: list[RawServer] = []

    def start(respond: Respond) -> RawServer:
        server = RawServer(respond)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


# Bodies a 200 must not be trusted with.

BAD_200_BODIES = {
    "plain-text": (b"hello, world", "text/plain", "get"),
    "empty": (b"", "application/json", "get"),
    "truncated-json": (json.dumps(task_json()).encode()[:40], "application/json", "get"),
    "json-array-for-task": (b"[1, 2, 3]", "application/json", "get"),
    "json-null": (b"null", "application/json", "get"),
    "num-results-many": (
        json.dumps(task_json(num_results="many")).encode(),
        "application/json",
        "get",
    ),
    "status-int": (json.dumps(task_json(status=7)).encode(), "application/json", "get"),
    "id-missing": (
        json.dumps({k: v for k, v in task_json().items() if k != "id"}).encode(),
        "application/json",
        "get",
    ),
    "results-not-a-list": (
        json.dumps({**task_json(), "results": "lots"}).encode(),
        "application/json",
        "results",
    ),
    "relevance-high": (
        json.dumps({**task_json(), "results": [{**ROW, "relevance": "high"}]}).encode(),
        "application/json",
        "results",
    ),
    "row-not-an-object": (
        json.dumps({**task_json(), "results": ["r1"]}).encode(),
        "application/json",
        "results",
    ),
    "utf8-garbage": (b"\xff\xfe\x00{not json", "application/json", "get"),
    "nan-literal": (b'{"id": NaN}', "application/json", "get"),
    "task-list-not-a-list": (json.dumps(task_json()).encode(), "application/json", "list"),
}


@pytest.mark.parametrize("name", sorted(BAD_200_BODIES))
def test_unreadable_200_raises_unexpected_response_error(serve, name: str) -> None:
    body, ctype, op = BAD_200_BODIES[name]
    server = serve(reply(200, body, ctype))
    with client(server.url) as ds:
        call = {
            "get": lambda: ds.get("t1"),
            "results": lambda: ds.results("t1"),
            "list": lambda: ds.list_tasks(),
        }[op]
        with pytest.raises(UnexpectedResponseError) as info:
            within(10, call)
    assert info.value.status_code == 200
    assert len(str(info.value)) < 1000
    assert TOKEN not in str(info.value) and TOKEN not in repr(info.value)


def test_unreadable_200_to_create_is_not_resent(serve) -> None:
    """create acted (it answered 200): re-sending could create a second task."""
    server = serve(reply(200, b"<html>oops</html>", "text/html"))
    # Recovery then reads the task list (GETs that get the same HTML), bounded by its window.
    policy = RetryPolicy(max_retries=5, base_delay=0.05, recovery_window=2.0)
    with client(server.url, retry_policy=policy) as ds, pytest.raises(UnexpectedResponseError):
        within(10, lambda: ds.create("dental SaaS"))
    assert [h for h in server.heads if h.startswith(b"POST")] == server.heads[:1]


def test_unreadable_200_to_get_is_retried_then_raised(serve) -> None:
    server = serve(reply(200, b"{trunc", "application/json"))
    policy_client = DeepSearch(
        TOKEN, base_url=server.url, max_retries=2, timeout=2.0, _sleep=lambda s: None
    )
    with policy_client as ds, pytest.raises(UnexpectedResponseError):
        within(10, lambda: ds.get("t1"))
    assert len(server.heads) == 3


def test_proxy_html_502_is_a_server_error_with_readable_text(serve) -> None:
    html = b"<html><head><title>502 Bad Gateway</title></head><body><center>nginx</center></body></html>"
    server = serve(reply(502, html, "text/html"))
    with client(server.url) as ds, pytest.raises(ServerError) as info:
        within(10, lambda: ds.get("t1"))
    assert info.value.status_code == 502
    assert "Bad Gateway" in str(info.value)


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (418, UnexpectedResponseError),
        (451, UnexpectedResponseError),
        (599, ServerError),
        (302, UnexpectedResponseError),
        (204, UnexpectedResponseError),
    ],
)
def test_undocumented_status_raises_a_typed_api_error(
    serve, status: int, cls: type[APIError]
) -> None:
    server = serve(reply(status, b'{"detail": "teapot"}'))
    with client(server.url) as ds, pytest.raises(cls) as info:
        within(10, lambda: ds.get("t1"))
    assert info.value.status_code == status


# Redirects: never followed, the token never reaches another host.


DEEP = b"[" * 100_000 + b"]" * 100_000


@pytest.mark.parametrize("status", [200, 500])
def test_deeply_nested_json_raises_a_typed_error(serve, status: int) -> None:
    server = serve(reply(status, DEEP))
    with client(server.url) as ds, pytest.raises(APIError):
        within(10, lambda: ds.get("t1"))


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_redirect_to_another_host_is_not_followed(serve, status: int) -> None:
    other = serve(reply(200, json.dumps(task_json()).encode()))
    location = f"http://localhost:{other.port}/v1/discovery_tasks/t1"
    server = serve(reply(status, b"", extra=f"Location: {location}\r\n"))
    with client(server.url, max_retries=3) as ds, pytest.raises(APIError) as info:
        within(10, lambda: ds.get("t1"))
    assert info.value.status_code == status
    time.sleep(0.05)
    assert other.heads == [], "the client followed a redirect to another host"
    assert all(TOKEN.encode() not in head for head in other.heads)


async def test_async_redirect_of_create_is_not_followed(serve) -> None:
    other = serve(reply(200, json.dumps(task_json()).encode()))
    server = serve(
        reply(307, b"", extra=f"Location: http://localhost:{other.port}/v1/discovery_tasks\r\n")
    )
    policy = RetryPolicy(recovery_window=2.0)
    async with AsyncDeepSearch(TOKEN, base_url=server.url, timeout=2.0, retry_policy=policy) as ds:
        with pytest.raises(APIError):
            await asyncio.wait_for(ds.create("dental SaaS"), 10)
    assert other.heads == []


# Size and time.


@pytest.mark.slow
def test_huge_200_body_does_not_hang(serve) -> None:
    """50 MB of non-JSON, under the 64 MiB cap: the client reads it, then raises a typed error."""
    body = b"x" * (50 * 1024 * 1024)
    server = serve(reply(200, body, "text/plain"))
    with client(server.url, timeout=10.0) as ds, pytest.raises(UnexpectedResponseError) as info:
        within(60, lambda: ds.get("t1"))
    assert len(str(info.value)) < 1000


def test_huge_error_detail_gives_a_bounded_message(serve) -> None:
    body = json.dumps({"detail": "y" * 5_000_000}).encode()
    server = serve(reply(500, body))
    with client(server.url) as ds, pytest.raises(ServerError) as info:
        within(60, lambda: ds.get("t1"))
    assert len(str(info.value)) < 1000


def test_huge_validation_error_list_gives_a_bounded_message(serve) -> None:
    body = json.dumps({"detail": [{"loc": ["body", "q"], "msg": "z" * 1_000_000}] * 3}).encode()
    server = serve(reply(422, body))
    with client(server.url) as ds, pytest.raises(APIError) as info:
        within(60, lambda: ds.get("t1"))
    assert len(str(info.value)) < 10_000


def silent(conn: socket.socket, head: bytes) -> None:
    time.sleep(8)  # accept, read the request, never answer


@pytest.mark.slow
def test_server_that_never_answers_times_out(serve) -> None:
    server = serve(silent)
    with client(server.url, timeout=0.5) as ds, pytest.raises(APITimeoutError):
        within(6, lambda: ds.get("t1"))


@pytest.mark.slow
def test_server_that_never_answers_create_times_out_once(serve) -> None:
    server = serve(silent)
    policy = RetryPolicy(max_retries=4, base_delay=0.05, recovery_window=1.0)
    with (
        client(server.url, timeout=0.5, retry_policy=policy) as ds,
        pytest.raises(APITimeoutError, match="task list could not be read"),
    ):
        within(8, lambda: ds.create("dental SaaS"))
    posts = [h for h in server.heads if h.startswith(b"POST")]
    assert len(posts) == 1, "create re-sent after a read timeout"


@pytest.mark.slow
async def test_async_server_that_never_answers_times_out(serve) -> None:
    server = serve(silent)
    async with AsyncDeepSearch(TOKEN, base_url=server.url, timeout=0.5, max_retries=0) as ds:
        with pytest.raises(APITimeoutError):
            await asyncio.wait_for(ds.get("t1"), 6)


def test_connection_refused_is_a_connection_error() -> None:
    sock = socket.create_server(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    with client(f"http://127.0.0.1:{port}", timeout=0.5) as ds, pytest.raises(APIConnectionError):
        within(6, lambda: ds.get("t1"))


def test_server_closing_mid_body_is_a_connection_error(serve) -> None:
    def cut(conn: socket.socket, head: bytes) -> None:
        conn.sendall(b'HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n{"id": "t1"')

    server = serve(cut)
    with client(server.url) as ds, pytest.raises(APIConnectionError):
        within(6, lambda: ds.get("t1"))


def dripper(stop_after: float) -> Respond:
    def respond(conn: socket.socket, head: bytes) -> None:
        conn.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
        )
        end = time.monotonic() + stop_after
        while time.monotonic() < end:
            conn.sendall(b" ")
            time.sleep(0.2)

    return respond


@pytest.mark.slow
def test_drip_slower_than_the_timeout_times_out(serve) -> None:
    """A byte every 2 s with a 0.5 s read timeout: each read times out."""

    def slow(conn: socket.socket, head: bytes) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n")
        for _ in range(4):
            time.sleep(2)
            conn.sendall(b" ")

    server = serve(slow)
    with client(server.url, timeout=0.5) as ds, pytest.raises(APITimeoutError):
        within(6, lambda: ds.get("t1"))


@pytest.mark.slow
def test_drip_faster_than_the_timeout_still_hits_a_deadline(serve) -> None:
    server = serve(dripper(stop_after=12))
    with client(server.url, timeout=0.5) as ds, pytest.raises(ExtructError):
        within(5, lambda: ds.get("t1"))
