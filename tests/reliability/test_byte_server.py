"""A byte-level hostile server (issue 10, items 1 and 2), against both clients.

1. Every attempt ends by its deadline (connect + write + read timeout: 1.5 s
   here), whatever the server does before the body: headers dripped a byte at
   a time, interim ``100 Continue`` responses forever (slow or as a flood), a
   TLS handshake that never completes, a chunked body that never ends.
2. The decoded size is capped: stacked or nested content encodings that
   expand a few kilobytes to hundreds of megabytes cost no more than the
   64 MiB cap plus a small constant; a body that does not decode as its
   Content-Encoding says is an UnexpectedResponseError, which a wait rides
   out like a 5xx.
"""

from __future__ import annotations

import asyncio
import json
import socket
import tracemalloc
from collections.abc import Callable
from typing import Any

import pytest
from extruct_deep_search import (
    APIConnectionError,
    APITimeoutError,
    AsyncDeepSearch,
    DeepSearch,
    ExtructError,
    UnexpectedResponseError,
)

from .byteserver import (
    ByteServer,
    deflate_bytes,
    gzip_bytes,
    gzip_of_zeros,
    reply,
    response_head,
    serve,
    within,
)

__all__ = ["serve"]  # the fixture

TOKEN = "sk_byte_server_T0KEN_31337"
TIMEOUT = 0.5  # each phase; the attempt's deadline is 3 x 0.5 = 1.5 s
BOUND = 4.5  # what a call may take: the deadline plus generous slack for a loaded machine
TASK = {
    "id": "t1",
    "created_at": "2026-01-02T03:04:05+00:00",
    "status": "done",
    "query": "q",
    "desired_num_results": 5,
}
TASK_BYTES = json.dumps(TASK).encode()
CLIENTS = ["sync", "async"]


def call(kind: str, url: str, op: str = "get", **kwargs: Any) -> Any:
    """Run one client operation against ``url`` with the test's timeouts."""
    kwargs.setdefault("max_retries", 0)
    kwargs.setdefault("timeout", TIMEOUT)
    if kind == "sync":
        with DeepSearch(TOKEN, base_url=url, **kwargs) as ds:
            return ds.wait("t1", timeout=30) if op == "wait" else ds.get("t1")

    async def main() -> Any:
        async with AsyncDeepSearch(TOKEN, base_url=url, **kwargs) as ds:
            return await (ds.wait("t1", timeout=30) if op == "wait" else ds.get("t1"))

    return asyncio.run(main())


# 1. The deadline holds before the body.


def drip_headers(server: ByteServer) -> Callable[[socket.socket, bytes], None]:
    def respond(conn: socket.socket, head: bytes) -> None:
        data = response_head(200, {"Content-Length": str(len(TASK_BYTES)), "X-Pad": "p" * 200})
        for byte in data:
            if not server.sleep(0.05):
                return
            conn.sendall(bytes([byte]))
        conn.sendall(TASK_BYTES)

    return respond


def interim_forever(server: ByteServer, pause: float) -> Callable[[socket.socket, bytes], None]:
    def respond(conn: socket.socket, head: bytes) -> None:
        while server.sleep(pause):
            conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\n" * (1 if pause else 64))

    return respond


def chunks_forever(server: ByteServer) -> Callable[[socket.socket, bytes], None]:
    def respond(conn: socket.socket, head: bytes) -> None:
        conn.sendall(response_head(200, {"Transfer-Encoding": "chunked"}))
        conn.sendall(b"1\r\n{\r\n")
        while server.sleep(0.05):
            conn.sendall(b"1\r\n \r\n")

    return respond


def silent(server: ByteServer) -> Callable[[socket.socket, bytes], None]:
    def respond(conn: socket.socket, head: bytes) -> None:
        server.sleep(30)

    return respond


BEFORE_THE_BODY = {
    "headers-dripped": drip_headers,
    "100-continue-every-0.1s": lambda s: interim_forever(s, 0.1),
    "100-continue-flood": lambda s: interim_forever(s, 0.0),
    "chunked-body-never-ends": chunks_forever,
}


@pytest.mark.slow
@pytest.mark.parametrize("kind", CLIENTS)
@pytest.mark.parametrize("case", sorted(BEFORE_THE_BODY))
def test_an_attempt_ends_by_its_deadline_whatever_the_server_sends(
    serve: Callable[..., ByteServer], kind: str, case: str
) -> None:
    holder: dict[str, ByteServer] = {}
    server = serve(lambda conn, head: BEFORE_THE_BODY[case](holder["s"])(conn, head))
    holder["s"] = server
    with pytest.raises(APITimeoutError):
        within(BOUND, lambda: call(kind, server.url))
    assert len(server.heads) == 1


@pytest.mark.slow
@pytest.mark.parametrize("kind", CLIENTS)
def test_a_stalled_tls_handshake_times_out(serve: Callable[..., ByteServer], kind: str) -> None:
    holder: dict[str, ByteServer] = {}
    server = serve(lambda conn, head: silent(holder["s"])(conn, head))
    holder["s"] = server
    # The server never answers the ClientHello (it waits for a request head
    # that never comes); the handshake is bounded by the connect timeout.
    url = f"https://127.0.0.1:{server.port}"
    with pytest.raises(APITimeoutError):
        within(BOUND, lambda: call(kind, url))


@pytest.mark.slow
@pytest.mark.parametrize("kind", CLIENTS)
def test_a_wait_rides_out_attempts_cut_by_the_deadline(
    serve: Callable[..., ByteServer], kind: str
) -> None:
    """The deadline is a timeout like any other: polls ride it out."""
    holder: dict[str, ByteServer] = {}
    seen = {"n": 0}

    def respond(conn: socket.socket, head: bytes) -> None:
        seen["n"] += 1
        if seen["n"] == 1:
            drip_headers(holder["s"])(conn, head)
        else:
            reply(TASK_BYTES)(conn, head)

    server = serve(respond)
    holder["s"] = server
    task = within(BOUND + 3, lambda: call(kind, server.url, "wait", poll_interval=0.05))
    assert task.status == "done"


# 2. Content encodings.

MiB = 1 << 20
CAP = 64 * MiB


@pytest.fixture(scope="module")
def nested_bomb() -> bytes:
    """``gzip, gzip``: a few KiB that decode to 256 MiB of zeros."""
    return gzip_bytes(gzip_of_zeros(256 * MiB))


@pytest.mark.slow
@pytest.mark.parametrize("kind", CLIENTS)
@pytest.mark.parametrize("layers", ["gzip", "gzip, gzip"])
def test_a_compression_bomb_costs_no_more_than_the_cap(
    serve: Callable[..., ByteServer], nested_bomb: bytes, kind: str, layers: str
) -> None:
    body = nested_bomb if layers == "gzip, gzip" else gzip_of_zeros(256 * MiB)
    assert len(body) < 300_000
    server = serve(reply(body, Content_Encoding=layers))
    tracemalloc.start()
    try:
        with pytest.raises(APIConnectionError, match="exceeds"):
            within(60, lambda: call(kind, server.url, timeout=30.0))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < CAP + 8 * MiB, f"peak {peak / MiB:.0f} MiB"


VALID = {
    "gzip": gzip_bytes(TASK_BYTES),
    "x-gzip": gzip_bytes(TASK_BYTES),
    "deflate": deflate_bytes(TASK_BYTES),
    "deflate (raw, as some servers send it)": deflate_bytes(TASK_BYTES, raw=True),
    "gzip, gzip": gzip_bytes(gzip_bytes(TASK_BYTES)),
    "deflate, gzip": gzip_bytes(deflate_bytes(TASK_BYTES)),
    "identity": TASK_BYTES,
    "gzip, identity": gzip_bytes(TASK_BYTES),
    "GZIP": gzip_bytes(TASK_BYTES),
}


@pytest.mark.parametrize("kind", CLIENTS)
@pytest.mark.parametrize("name", sorted(VALID))
def test_valid_encodings_decode(serve: Callable[..., ByteServer], kind: str, name: str) -> None:
    encoding = name.split(" (")[0]
    server = serve(reply(VALID[name], Content_Encoding=encoding))
    assert within(10, lambda: call(kind, server.url)).id == "t1"


def _multi_header(body: bytes) -> Callable[[socket.socket, bytes], None]:
    """Two Content-Encoding headers: ``gzip`` then ``gzip`` (the same as ``gzip, gzip``)."""

    def respond(conn: socket.socket, head: bytes) -> None:
        head_bytes = (
            b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Encoding: gzip\r\n"
            + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
        )
        conn.sendall(head_bytes + body)

    return respond


@pytest.mark.parametrize("kind", CLIENTS)
def test_repeated_content_encoding_headers_stack(
    serve: Callable[..., ByteServer], kind: str
) -> None:
    server = serve(_multi_header(gzip_bytes(gzip_bytes(TASK_BYTES))))
    assert within(10, lambda: call(kind, server.url)).id == "t1"


GZ = gzip_bytes(TASK_BYTES)
INVALID = {
    "claims-gzip-sends-json": ("gzip", TASK_BYTES),
    "claims-deflate-sends-json": ("deflate", TASK_BYTES),
    "claims-gzip-gzip-sends-one-layer": ("gzip, gzip", GZ),
    "truncated-gzip": ("gzip", GZ[: len(GZ) // 2]),
    "gzip-with-trailing-garbage": ("gzip", GZ + b"garbage"),
    "br-never-asked-for": ("br", b"\x0b\x02\x80hello\x03"),
    "zstd-never-asked-for": ("zstd", b"(\xb5/\xfd\x00Xhello"),
    "compress": ("compress", TASK_BYTES),
    "unknown-token": ("x-made-up", TASK_BYTES),
    "four-layers": ("gzip, gzip, gzip, gzip", gzip_bytes(gzip_bytes(gzip_bytes(GZ)))),
}


@pytest.mark.parametrize("kind", CLIENTS)
@pytest.mark.parametrize("name", sorted(INVALID))
def test_a_body_that_does_not_decode_as_it_claims_is_a_typed_error(
    serve: Callable[..., ByteServer], kind: str, name: str
) -> None:
    encoding, body = INVALID[name]
    server = serve(reply(body, Content_Encoding=encoding))
    with pytest.raises(UnexpectedResponseError) as info:
        within(10, lambda: call(kind, server.url))
    assert info.value.status_code == 200
    assert "unreadable" in str(info.value)


@pytest.mark.parametrize("kind", CLIENTS)
def test_a_wait_rides_out_a_body_that_does_not_decode(
    serve: Callable[..., ByteServer], kind: str
) -> None:
    seen = {"n": 0}

    def respond(conn: socket.socket, head: bytes) -> None:
        seen["n"] += 1
        if seen["n"] <= 2:
            reply(TASK_BYTES, Content_Encoding="gzip")(conn, head)
        else:
            reply(TASK_BYTES)(conn, head)

    server = serve(respond)
    task = within(10, lambda: call(kind, server.url, "wait", poll_interval=0.05))
    assert task.status == "done"
    assert seen["n"] == 3


@pytest.mark.parametrize("kind", CLIENTS)
def test_the_client_asks_only_for_encodings_it_decodes(
    serve: Callable[..., ByteServer], kind: str
) -> None:
    server = serve(reply(TASK_BYTES))
    within(10, lambda: call(kind, server.url))
    head = server.heads[0].decode().lower()
    assert "accept-encoding: gzip, deflate\r\n" in head + "\r\n"


def test_only_extruct_errors_escape_a_hostile_server(serve: Callable[..., ByteServer]) -> None:
    """A grab bag of broken heads: each one ends as an ExtructError subclass."""
    heads = [
        b"HTTP/1.1 200 OK\r\nContent-Length: nope\r\n\r\n",
        b"HTTP/1.1 2000 OK\r\n\r\n",
        b"NOT HTTP AT ALL\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello",
        b"HTTP/1.1 200 OK\r\n" + b"X: " + b"a" * 70_000 + b"\r\n\r\n",
        b"\x16\x03\x01\x00\x05hello",  # a TLS record to a plain-http client
    ]
    for raw in heads:
        server = serve(lambda conn, head, raw=raw: conn.sendall(raw))
        for kind in CLIENTS:
            with pytest.raises(ExtructError):
                within(10, lambda kind=kind, url=server.url: call(kind, url))
