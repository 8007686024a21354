"""Every retry decision: whether to re-send a request, how long to sleep first,
whether a failed attempt may have acted on the server, and which errors a long
wait rides out.

Rules (docs/API_FACTS.md, "Errors": no rate limit, no Retry-After and no
idempotency key is documented; Extruct's guidance is that a 429 is quota and a
5xx may be retried after a few seconds):

- Idempotent requests (GETs) are re-sent after a transport failure, an
  unreadable body, 408, 429 *with* Retry-After, and any 5xx.
- create, resume and add-rows are re-sent only when the server provably did
  not act: a connect failure (nothing was delivered) or a 429 with
  Retry-After (it refused). Never after a timeout, a dropped connection, an
  unreadable 2xx or a 5xx, so a retry can never create a task twice.
- A 429 without Retry-After is quota: never retried.
- A request refused locally (a closed client, a URL or header httpx refuses)
  is never retried: re-sending cannot help.
- Delay: Retry-After when given (a Retry-After above ``max_retry_after`` is not
  waited for: the error is raised instead), otherwise exponential backoff
  ``base_delay * 2**attempt`` capped at ``max_delay``, with jitter.
"""

from __future__ import annotations

import email.utils
import math
from dataclasses import dataclass

from .._errors import (
    APIConnectionError,
    InvalidArgumentError,
    PaymentRequiredError,
    RateLimitError,
    ServerError,
    UnexpectedResponseError,
    shown,
)
from .effects import Failure, Outcome

__all__ = [
    "Retry",
    "RetryPolicy",
    "is_quota",
    "is_transient",
    "may_have_acted",
    "parse_retry_after",
    "retryable",
]


@dataclass(frozen=True, slots=True)
class Retry:
    """Re-send after ``delay`` seconds."""

    delay: float


def _seconds(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidArgumentError(name, f"must be a number of seconds >= 0, got {shown(value)}")
    try:
        ok = math.isfinite(value) and 0 <= value <= MAX_DELAY
    except OverflowError:  # an int too large for a float
        ok = False
    if not ok:
        raise InvalidArgumentError(
            name, f"must be a finite number of seconds from 0 to {MAX_DELAY:g}"
        )


MAX_DELAY = 86_400.0  # one day: sleeping longer than this is never a retry


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how patiently to re-send (see the module docstring for which requests).

    Args:
        max_retries: re-sends after the first attempt (0 disables retries).
        base_delay: first backoff delay in seconds; doubles each attempt.
        max_delay: cap on one backoff delay.
        max_retry_after: the longest Retry-After we wait for; longer ones raise.
        recovery_window: after a create timed out or lost its connection, how long
            (seconds) to keep looking for its task in the task list, in case the
            server is still creating it (``_core/recovery.py``).

    Raises:
        InvalidArgumentError: a count that is not an integer >= 0, or a delay
            that is not a finite number of seconds >= 0.
    """

    max_retries: int = 2
    base_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 60.0
    recovery_window: float = 15.0

    def __post_init__(self) -> None:
        count = self.max_retries
        if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= 1000:
            raise InvalidArgumentError(
                "max_retries", f"must be an integer from 0 to 1000, got {shown(count)}"
            )
        _seconds("base_delay", self.base_delay)
        _seconds("max_delay", self.max_delay)
        _seconds("max_retry_after", self.max_retry_after)
        _seconds("recovery_window", self.recovery_window)

    def decide(
        self,
        attempt: int,
        outcome: Outcome,
        *,
        idempotent: bool,
        retry_after: float | None,
        jitter: float,
    ) -> Retry | None:
        """Retry or not after ``outcome`` of attempt number ``attempt`` (0-based).

        ``jitter`` is a random float in [0, 1); the backoff is scaled by 0.5..1.
        """
        if attempt >= self.max_retries or not retryable(outcome, idempotent, retry_after):
            return None
        if retry_after is not None:
            if retry_after > self.max_retry_after:
                return None
            return Retry(max(0.0, retry_after))
        backoff = min(self.base_delay * 2**attempt, self.max_delay)
        return Retry(backoff * (0.5 + jitter / 2))


_UNSENT = (Failure.CONNECT, Failure.CONNECT_TIMEOUT)


def retryable(outcome: Outcome, idempotent: bool, retry_after: float | None) -> bool:
    """Whether re-sending is safe and may help, ignoring the attempt budget."""
    failure = outcome.failure
    status = outcome.status or 0
    if failure is Failure.LOCAL:
        return False
    if not idempotent:
        if failure is not None:
            return failure in _UNSENT
        return status == 429 and retry_after is not None
    if failure is not None:
        return True
    if status == 429:
        return retry_after is not None  # without Retry-After it is quota
    return status == 408 or status >= 500


def may_have_acted(outcome: Outcome) -> bool:
    """Whether the server may have acted on a request whose attempt failed with ``outcome``.

    Yes after a timeout or a broken connection once the request may have been
    sent, after a 5xx (or any status that is not 4xx) and after an unreadable
    2xx. No after a connect failure or a local refusal (nothing was sent) and
    after a 4xx, 429 included (the server refused). A request that
    :func:`retryable` re-sends while not idempotent never may have acted.
    """
    failure = outcome.failure
    if failure is not None and failure is not Failure.UNREADABLE:
        return not failure.unsent
    return not 400 <= (outcome.status or 0) < 500


def is_transient(exc: BaseException) -> bool:
    """Errors a long wait rides out: the next poll may well succeed."""
    if isinstance(exc, APIConnectionError | ServerError | UnexpectedResponseError):
        return True
    return isinstance(exc, RateLimitError) and exc.retry_after is not None


def is_quota(exc: BaseException) -> bool:
    """Quota or billing, per Extruct's guidance: a 402, or a 429 without Retry-After.

    Waiting a few seconds will not help; a batch stops starting new searches.
    """
    if isinstance(exc, PaymentRequiredError):
        return True
    return isinstance(exc, RateLimitError) and exc.retry_after is None


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date).

    ``now`` is the current Unix time (for the date form). Returns None when the
    header is absent or unreadable; a date in the past gives 0.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        if when.tzinfo is None:
            return None
        return max(0.0, when.timestamp() - now)
    if math.isnan(seconds) or math.isinf(seconds) or seconds < 0:
        return None
    return seconds
