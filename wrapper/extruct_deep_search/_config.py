"""Client configuration: where the token and base URL come from, and the defaults."""

from __future__ import annotations

import ipaddress
import os
import re
from urllib.parse import urlsplit

import httpx

from ._errors import InvalidArgumentError, shown

__all__ = ["BASE_URL_ENV", "DEFAULT_BASE_URL", "DEFAULT_TIMEOUT"]

DEFAULT_BASE_URL = "https://api.extruct.ai"
BASE_URL_ENV = "EXTRUCT_BASE_URL"

# Extruct's own CLI uses a 30 s request timeout; connecting should be quick.
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
# Extruct's guide polls every 15-30 s and its CLI every 10 s for up to 20 min.
DEFAULT_POLL_INTERVAL = 10.0
LOCAL_POLL_INTERVAL = 0.5  # a local sandbox answers at once; the CLI's --sandbox uses the same
DEFAULT_WAIT_TIMEOUT = 1800.0
DEFAULT_PAGE_SIZE = 50  # the docs' example and Extruct's CLI


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine (localhost, 127.0.0.0/8, ::1)."""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def default_poll_interval(base_url: str) -> float:
    """10 s against the API; 0.5 s against a loopback address (a local sandbox)."""
    host = urlsplit(base_url).hostname or ""
    return LOCAL_POLL_INTERVAL if is_loopback(host) else DEFAULT_POLL_INTERVAL


_URL_JUNK = re.compile(r"[\x00-\x20\x7f-\x9f\ud800-\udfff]")


def resolve_base_url(base_url: str | None, *, allow_insecure_http: bool = False) -> str:
    """The base URL from the argument, EXTRUCT_BASE_URL, or the public API.

    Plain http is refused for a non-loopback host (the token would travel in
    clear text) unless ``allow_insecure_http`` is set. A query, a fragment (or
    a bare ``?`` or ``#``) and ``user:password@`` are refused, and no message
    repeats the URL: credentials belong in the token, never in a URL or a repr.
    """
    value = base_url or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL
    if not isinstance(value, str):
        raise InvalidArgumentError("base_url", f"must be a string, got {type(value).__name__}")
    text = value.strip()
    if _URL_JUNK.search(text):
        raise InvalidArgumentError(
            "base_url", "must not contain spaces, control characters or invalid Unicode"
        )
    try:
        parts = urlsplit(text)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        host = None
    if host is None or parts.scheme not in ("http", "https"):
        raise InvalidArgumentError("base_url", f"must be an http(s) URL such as {DEFAULT_BASE_URL}")
    if "@" in parts.netloc:
        raise InvalidArgumentError(
            "base_url", "must not hold a user name or password (user:password@); pass token=..."
        )
    if "?" in text or "#" in text:
        raise InvalidArgumentError("base_url", "must not have a query or fragment ('?' or '#')")
    if parts.scheme == "http" and not is_loopback(host) and not allow_insecure_http:
        raise InvalidArgumentError(
            "base_url",
            f"plain http to {host} would send the token unencrypted; use https, "
            "or pass allow_insecure_http=True",
        )
    return text.rstrip("/")


MAX_TIMEOUT = 1e6


def _phase(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < MAX_TIMEOUT:
        raise InvalidArgumentError(
            "timeout", f"{name} must be seconds > 0 and below {MAX_TIMEOUT:g}, got {shown(value)}"
        )


def resolve_timeout(timeout: float | httpx.Timeout) -> httpx.Timeout:
    """A finite request timeout; a number sets every phase.

    Every phase of an ``httpx.Timeout`` must be a positive, finite number of
    seconds: the attempt deadline is their sum, and None would make it infinite.
    """
    if isinstance(timeout, httpx.Timeout):
        for name in ("connect", "read", "write", "pool"):
            value = getattr(timeout, name)
            if value is None:
                raise InvalidArgumentError(
                    "timeout", "every phase of an httpx.Timeout must be finite"
                )
            _phase(name, value)
        return timeout
    if (
        isinstance(timeout, bool)
        or not isinstance(timeout, int | float)
        or not 0 < timeout < MAX_TIMEOUT
    ):
        raise InvalidArgumentError(
            "timeout", f"must be seconds > 0 or an httpx.Timeout, got {shown(timeout)}"
        )
    return httpx.Timeout(float(timeout))
