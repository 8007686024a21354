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
from ._core.body import ACCEPT_ENCODING, BodyTooLarge
from ._core.effects import Failure, Outcome, RequestSpec
from ._core.polling import PollPlan
from ._core.retry import RetryPolicy
from ._core.secrets import resolve_token
from ._core.validation import positive_seconds
from ._errors import InvalidArgumentError, bounded
from ._keyring import JournalArg, KeyRing, open_journal
from ._transport import failure_of
from ._version import __version__
from .journal import Journal

logger = logging.getLogger("extruct_deep_search")

USER_AGENT = f"extruct-deep-search-python/{__version__}"
# A 250-result page is about 1 MiB; anything near this is not a Deep Search answer.
# The cap is on decoded bytes (see _core/body.py).
MAX_RESPONSE_BYTES = 64 * 1024 * 1024

_LOOP_HINT = (
    " (an httpx.AsyncClient belongs to the event loop it was first used in: pass no "
    "http_client, and AsyncDeepSearch makes one per loop)"
)


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
        poll_interval: float | None,
        wait_timeout: float | None,
        allow_insecure_http: bool,
        clock: Callable[[], float] | None,
        wall_clock: Callable[[], float] | None,
        random_: Callable[[], float] | None,
        journal: JournalArg = None,
    ) -> None:
        self._token = resolve_token(token)
        self.base_url = _config.resolve_base_url(base_url, allow_insecure_http=allow_insecure_http)
        self.timeout = _config.resolve_timeout(timeout)
        if retry_policy is None:
            retry_policy = RetryPolicy(max_retries=max_retries)
        elif not isinstance(retry_policy, RetryPolicy):
            raise InvalidArgumentError("retry_policy", "must be a RetryPolicy")
        self.retry_policy = retry_policy
        if poll_interval is None:
            poll_interval = _config.default_poll_interval(self.base_url)
        self.poll_interval = positive_seconds("poll_interval", poll_interval) or 0.0
        self.wait_timeout = positive_seconds("wait_timeout", wait_timeout, allow_none=True)
        self._clock = clock or time.monotonic
        self._wall_clock = wall_clock or time.time
        self._random = random_ or random.random
        self._keys = KeyRing(open_journal(journal))
        t = self.timeout
        # httpx's read timeout bounds each read, not the whole exchange: a
        # server dripping a byte at a time would never time out. An attempt
        # must end within the sum of the connect, write and read timeouts.
        self._attempt_seconds: float = (t.connect or 0.0) + (t.write or 0.0) + (t.read or 0.0)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r})"

    @property
    def journal(self) -> Journal:
        """Where this client keeps keys: the ``journal=`` given, or one in memory."""
        return self._keys.journal

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
                "Accept-Encoding": ACCEPT_ENCODING,
            },
            timeout=self.timeout,
        )

    @staticmethod
    def _encodings(response: httpx.Response) -> list[str]:
        return response.headers.get_list("content-encoding", split_commas=True)

    @staticmethod
    def _read_already(response: httpx.Response) -> bytes | None:
        """The body of a response its transport handed over already read, else None.

        In-memory transports (httpx.MockTransport) build responses from bytes,
        which httpx reads and decodes at once; a response from the network is
        streamed and read here, raw, by the bounded decoder.
        """
        if not response.is_stream_consumed:
            return None
        content = response.content
        if len(content) > MAX_RESPONSE_BYTES:
            raise BodyTooLarge(f"response body exceeds {MAX_RESPONSE_BYTES} bytes")
        return content

    def _check_deadline(self, end: float) -> None:
        """Raise TimeoutError once the attempt's deadline has passed (between body chunks)."""
        if self._clock() > end:
            raise TimeoutError("response not complete within the request deadline")

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

    def _failed(
        self, spec: RequestSpec, exc: Exception, response: httpx.Response | None = None
    ) -> Outcome:
        """The Outcome for an exception, by the one table in ``_transport.py``.

        An exception the table does not know is a bug here, not a network
        condition: it is raised as it is.
        """
        failure = failure_of(exc)
        if failure is None:
            raise exc
        text = f"{type(exc).__name__}: {exc}"
        if isinstance(exc, RuntimeError) and "loop" in str(exc):
            text += _LOOP_HINT
        message = bounded(self._token.redact(text))
        logger.debug("%s %s -> %s (%s)", spec.method, spec.path, failure.value, message)
        if failure is Failure.UNREADABLE and response is not None:
            return Outcome(
                status=response.status_code,
                headers=response.headers,
                failure=failure,
                message=message,
            )
        return Outcome(failure=failure, message=message)


class _Default:
    def __repr__(self) -> str:
        return "DEFAULT"


_DEFAULT: Any = _Default()
"""Marks "use the client's setting" where None has a meaning of its own."""
