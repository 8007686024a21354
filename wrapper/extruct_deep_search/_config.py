"""Client configuration: where the token and base URL come from, and the defaults."""

from __future__ import annotations

import ipaddress
import os
from urllib.parse import urlsplit

import httpx

from ._errors import InvalidArgumentError

__all__ = ["BASE_URL_ENV", "DEFAULT_BASE_URL", "DEFAULT_TIMEOUT"]

DEFAULT_BASE_URL = "https://api.extruct.ai"
BASE_URL_ENV = "EXTRUCT_BASE_URL"

# Extruct's own CLI uses a 30 s request timeout; connecting should be quick.
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
# Extruct's guide polls every 15-30 s and its CLI every 10 s for up to 20 min.
DEFAULT_POLL_INTERVAL = 10.0
DEFAULT_WAIT_TIMEOUT = 1800.0
DEFAULT_PAGE_SIZE = 50  # the docs' example and Extruct's CLI


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def resolve_base_url(base_url: str | None, *, allow_insecure_http: bool = False) -> str:
    """The base URL from the argument, EXTRUCT_BASE_URL, or the public API.

    Plain http is refused for a non-loopback host (the token would travel in
    clear text) unless ``allow_insecure_http`` is set.
    """
    value = base_url or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL
    try:
        parts = urlsplit(value.strip())
        host = parts.hostname
    except ValueError:
        host = None
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not host:
        raise InvalidArgumentError(
            "base_url", f"must be an http(s) URL such as {DEFAULT_BASE_URL}, got {value!r}"
        )
    if parts.query or parts.fragment:
        raise InvalidArgumentError("base_url", "must not have a query or fragment")
    if parts.scheme == "http" and not _is_loopback(host) and not allow_insecure_http:
        raise InvalidArgumentError(
            "base_url",
            f"plain http to {host} would send the token unencrypted; use https, "
            "or pass allow_insecure_http=True",
        )
    return value.strip().rstrip("/")


def resolve_timeout(timeout: float | httpx.Timeout) -> httpx.Timeout:
    """A finite request timeout; a number sets every phase."""
    if isinstance(timeout, httpx.Timeout):
        if None in (timeout.connect, timeout.read, timeout.write, timeout.pool):
            raise InvalidArgumentError("timeout", "every phase of an httpx.Timeout must be finite")
        return timeout
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not 0 < timeout < 1e6:
        raise InvalidArgumentError(
            "timeout", f"must be seconds > 0 or an httpx.Timeout, got {timeout!r}"
        )
    return httpx.Timeout(float(timeout))
