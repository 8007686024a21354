"""Reading a response body: content decoding with a cap on the decoded size.

The driver reads the raw bytes from the wire (``iter_raw``) and feeds them
here, instead of letting httpx decode them: httpx decodes each chunk in one
step, so a few kilobytes of stacked gzip (``Content-Encoding: gzip, gzip``)
could expand to gigabytes before any size check ran. Here every step of
every layer produces at most :data:`STEP` bytes (zlib's ``max_length``), and
the decoded total is capped at ``limit``, so a response never costs more
than the cap plus a small constant.

Encodings: ``identity``, ``gzip`` (and ``x-gzip``) and ``deflate`` (zlib or
raw), stacked up to :data:`MAX_LAYERS` deep; the client asks for exactly
``gzip, deflate``. Anything else, a body that does not decode as it claims,
a truncated one, or bytes after the end of a compressed stream raise
:class:`UndecodableBody`.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from typing import Protocol

__all__ = [
    "ACCEPT_ENCODING",
    "MAX_LAYERS",
    "STEP",
    "BodyDecoder",
    "BodyTooLarge",
    "UndecodableBody",
]

ACCEPT_ENCODING = "gzip, deflate"
STEP = 64 * 1024  # the most one decompression step may produce
MAX_LAYERS = 3


class UndecodableBody(Exception):
    """The body does not decode as its Content-Encoding says."""


class BodyTooLarge(Exception):
    """The decoded body exceeds the size cap."""


class _Layer(Protocol):
    @property
    def eof(self) -> bool: ...

    @property
    def unused_data(self) -> bytes: ...

    @property
    def unconsumed_tail(self) -> bytes: ...

    def decompress(self, data: bytes, max_length: int = ..., /) -> bytes: ...


class _Deflate:
    """``deflate`` as servers send it: zlib-wrapped, or (wrongly, but commonly) raw."""

    def __init__(self) -> None:
        self._inner: _Layer = zlib.decompressobj()
        self._started = False

    @property
    def eof(self) -> bool:
        return self._inner.eof

    @property
    def unused_data(self) -> bytes:
        return self._inner.unused_data

    @property
    def unconsumed_tail(self) -> bytes:
        return self._inner.unconsumed_tail

    def decompress(self, data: bytes, max_length: int = 0, /) -> bytes:
        if self._started:
            return self._inner.decompress(data, max_length)
        self._started = True
        try:
            return self._inner.decompress(data, max_length)
        except zlib.error:
            self._inner = zlib.decompressobj(-zlib.MAX_WBITS)
            return self._inner.decompress(data, max_length)


def _layer(name: str) -> _Layer:
    if name in ("gzip", "x-gzip"):
        return zlib.decompressobj(zlib.MAX_WBITS | 16)
    if name == "deflate":
        return _Deflate()
    raise UndecodableBody(f"unsupported content encoding {name[:40]!r}")


class BodyDecoder:
    """Decodes one body fed chunk by chunk; :meth:`finish` returns it.

    Args:
        encodings: the Content-Encoding values in the order they were applied.
        limit: the most decoded bytes accepted.

    Raises:
        UndecodableBody: from any method, for the reasons in the module docstring.
        BodyTooLarge: from :meth:`feed`, once the decoded size passes ``limit``.
    """

    def __init__(self, encodings: Iterable[str], limit: int) -> None:
        names = [e.strip().lower() for e in encodings]
        names = [n for n in names if n and n != "identity"]
        if len(names) > MAX_LAYERS:
            raise UndecodableBody(f"{len(names)} stacked content encodings; at most {MAX_LAYERS}")
        self._layers = [_layer(n) for n in reversed(names)]
        self._limit = limit
        self._chunks: list[bytes] = []
        self._size = 0
        self._raw = 0

    @property
    def size(self) -> int:
        """Decoded bytes so far."""
        return self._size

    def feed(self, data: bytes) -> None:
        """Decode one raw chunk."""
        self._raw += len(data)
        try:
            self._push(0, data)
        except zlib.error as exc:
            raise UndecodableBody(f"the body is not valid {self._names()}: {exc}") from None

    def finish(self) -> bytes:
        """The whole decoded body, once every layer has reached its end."""
        if self._raw and not all(layer.eof for layer in self._layers):
            raise UndecodableBody(f"the {self._names()} body ends early")
        chunks, self._chunks = self._chunks, []
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)

    def _names(self) -> str:
        return "compressed" if self._layers else "identity"

    def _push(self, level: int, data: bytes) -> None:
        if level == len(self._layers):
            self._size += len(data)
            if self._size > self._limit:
                raise BodyTooLarge(f"response body exceeds {self._limit} bytes")
            if data:
                self._chunks.append(data)
            return
        layer = self._layers[level]
        while True:
            out = layer.decompress(data, STEP)
            if layer.eof and layer.unused_data:
                raise UndecodableBody("bytes after the end of a compressed stream")
            data = layer.unconsumed_tail
            if out:
                self._push(level + 1, out)
            if not data and len(out) < STEP:
                return
