"""A byte-level hostile HTTP server on 127.0.0.1, for tests/reliability.

Each test hands it a ``respond(conn, head)`` function that writes whatever
bytes it likes to the raw socket: headers a byte at a time, interim 1xx
responses forever, stacked content encodings, chunked bodies that never end,
or nothing at all. One thread per connection; every connection is closed when
the test ends.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest

Respond = Callable[[socket.socket, bytes], None]


class ByteServer:
    """Accepts connections and hands each request's head to ``respond``.

    ``tls_stall``: accept connections and never answer a byte (a TLS
    handshake that never completes, for an https base URL).
    """

    def __init__(self, respond: Respond) -> None:
        self.respond = respond
        self.heads: list[bytes] = []
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.stopped = threading.Event()
        self._conns: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.stopped.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self._conns.append(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            data = b""
            try:
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    data += chunk
                head, _, body = data.partition(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value.strip())
                while len(body) < length:
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    body += chunk
                self.heads.append(head)
                self.respond(conn, head)
            except OSError:
                pass

    def sleep(self, seconds: float) -> bool:
        """Sleep unless the server is stopping; False once it is."""
        return not self.stopped.wait(seconds)

    def close(self) -> None:
        self.stopped.set()
        self.sock.close()
        for conn in self._conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)


@pytest.fixture
def serve() -> Iterator[Callable[[Respond], ByteServer]]:
    servers: list[ByteServer] = []

    def start(respond: Respond) -> ByteServer:
        server = ByteServer(respond)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


def within(seconds: float, fn: Callable[[], Any]) -> Any:
    """Run ``fn`` in a thread; fail if it has not returned in ``seconds`` (it hangs)."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:
            box["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    started = time.monotonic()
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        pytest.fail(f"the client call did not return within {seconds} s (it hangs)")
    box["elapsed"] = time.monotonic() - started
    if "error" in box:
        raise box["error"]
    return box.get("value")


def response_head(status: int = 200, headers: dict[str, str] | None = None) -> bytes:
    lines = [f"HTTP/1.1 {status} X"] + [f"{k}: {v}" for k, v in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def reply(body: bytes, status: int = 200, **headers: str) -> Respond:
    """A complete response: ``headers`` (underscores become dashes) and ``body``."""
    fields = {k.replace("_", "-"): v for k, v in headers.items()}
    fields.setdefault("Content-Type", "application/json")
    fields["Content-Length"] = str(len(body))
    fields["Connection"] = "close"

    def respond(conn: socket.socket, head: bytes) -> None:
        conn.sendall(response_head(status, fields) + body)

    return respond


def gzip_bytes(data: bytes) -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    return c.compress(data) + c.flush()


def deflate_bytes(data: bytes, raw: bool = False) -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS if raw else zlib.MAX_WBITS)
    return c.compress(data) + c.flush()


def gzip_of_zeros(size: int) -> bytes:
    """gzip of ``size`` zero bytes, compressed a MiB at a time (never all in memory)."""
    c = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    block = bytes(1 << 20)
    parts = [c.compress(block) for _ in range(size >> 20)]
    return b"".join(parts) + c.flush()
