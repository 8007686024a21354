"""What the sync and async clients share besides the flows: configuration,
turning a RequestSpec into an httpx.Request, and turning what httpx returns
(or raises) into an Outcome. No I/O happens here.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import Any

import httpx

from . import _config
from ._core.effects import Failure, Outcome, RequestSpec
from ._core.polling import PollPlan
from ._core.retry import RetryPolicy
from ._core.secrets import resolve_token
from ._core.validation import positive_seconds
from ._errors import InvalidArgumentError, bounded
from ._version import __version__

logger = logging.getLogger("extruct_deep_search")

USER_AGENT = f"extruct-deep-search-python/{__version__}"
# A 250-result page is about 1 MiB; anything near this is not a Deep Search answer.
MAX_RESPONSE_BYTES = 64 * 1024 * 1024


def failure_kind(exc: httpx.TransportError) -> Failure:
    """What a transport error proves about delivery (see _core/retry.py)."""
    if isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout):
        return Failure.CONNECT_TIMEOUT
    if isinstance(exc, httpx.ConnectError):
        return Failure.CONNECT
    if isinstance(exc, httpx.TimeoutException):
        return Failure.TIMEOUT
    return Failure.NETWORK


class BaseClient:
    """Configuration and I/O-free helpers shared by DeepSearch and AsyncDeepSearch."""

    def __init__(
        self,
        token: str | None,
        *,
        base_url: str | None,
        timeout: float | httpx.Timeout,
        max_retries: int,
        retry_policy: RetryPolicy | None,
        poll_interval: float,
        wait_timeout: float | None,
        allow_insecure_http: bool,
        clock: Callable[[], float] | None,
        wall_clock: Callable[[], float] | None,
        random_: Callable[[], float] | None,
    ) -> None:
        self._token = resolve_token(token)
        self.base_url = _config.resolve_base_url(base_url, allow_insecure_http=allow_insecure_http)
        self.timeout = _config.resolve_timeout(timeout)
        if retry_policy is None:
            retry_policy = RetryPolicy(max_retries=max_retries)
        elif not isinstance(retry_policy, RetryPolicy):
            raise InvalidArgumentError("retry_policy", "must be a RetryPolicy")
        self.retry_policy = retry_policy
        self.poll_interval = positive_seconds("poll_interval", poll_interval) or 0.0
        self.wait_timeout = positive_seconds("wait_timeout", wait_timeout, allow_none=True)
        self._clock = clock or time.monotonic
        self._wall_clock = wall_clock or time.time
        self._random = random_ or random.random

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r})"

    def _plan(self, poll_interval: float | None, timeout: float | object | None) -> PollPlan:
        interval = (
            self.poll_interval
            if poll_interval is None
            else positive_seconds("poll_interval", poll_interval)
        )
        limit = self.wait_timeout if timeout is _DEFAULT else timeout
        return PollPlan(
            interval=interval or self.poll_interval,
            timeout=positive_seconds("timeout", limit, allow_none=True),
        )

    def _build(self, http: httpx.Client | httpx.AsyncClient, spec: RequestSpec) -> httpx.Request:
        return http.build_request(
            spec.method,
            self.base_url + spec.path,
            params=dict(spec.params) or None,
            json=spec.json,
            headers={
                "Authorization": f"Bearer {self._token.reveal()}",
                "User-Agent": USER_AGENT,
                "Accept": "application/json",
            },
            timeout=self.timeout,
        )

    def _deadline(self, started: float) -> float:
        """When one attempt must be over, body included.

        httpx's read timeout bounds each read, not the whole exchange: a server
        dripping a byte at a time would never time out. The attempt's deadline
        is the sum of the connect, write and read timeouts.
        """
        t = self.timeout
        return started + (t.connect or 0.0) + (t.write or 0.0) + (t.read or 0.0)

    def _check_body(self, request: httpx.Request, size: int, deadline: float) -> None:
        """Raise a transport error when the body grows too big or too slow."""
        if size > MAX_RESPONSE_BYTES:
            raise httpx.ReadError(
                f"response body exceeds {MAX_RESPONSE_BYTES} bytes", request=request
            )
        if self._clock() > deadline:
            raise httpx.ReadTimeout(
                "response not complete within the request deadline", request=request
            )

    def _received(
        self, request: httpx.Request, response: httpx.Response, body: bytes, started: float
    ) -> Outcome:
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "%s %s -> %d (%d bytes, %.1f ms)",
                request.method,
                request.url,
                response.status_code,
                len(body),
                (self._clock() - started) * 1000,
            )
        return Outcome(
            status=response.status_code,
            headers=response.headers,  # case-insensitive lookups
            content=body,
        )

    def _failed(self, request: httpx.Request, exc: httpx.TransportError) -> Outcome:
        kind = failure_kind(exc)
        message = bounded(self._token.redact(f"{type(exc).__name__}: {exc}"))
        logger.debug("%s %s -> %s (%s)", request.method, request.url, kind.value, message)
        return Outcome(failure=kind, message=message)


class _Default:
    def __repr__(self) -> str:
        return "DEFAULT"


_DEFAULT: Any = _Default()
"""Marks "use the client's setting" where None has a meaning of its own."""
