"""The retry policy: whether to re-send a request, and how long to sleep first.

Rules (API_FACTS.md, "Errors"; Extruct's guidance: 429 is quota, retry a 5xx
after a few seconds):

- Idempotent requests (GETs) are re-sent after a transport failure, 408, 429
  *with* Retry-After, and any 5xx.
- create and resume are re-sent only when the server provably did not act:
  a connect failure (nothing was delivered) or a 429 with Retry-After (it
  refused). Never after a timeout, a dropped connection or a 5xx, so a retry
  can never create a task twice.
- A 429 without Retry-After is quota: never retried.
- Delay: Retry-After when given (a Retry-After above ``max_retry_after`` is not
  waited for: the error is raised instead), otherwise exponential backoff
  ``base_delay * 2**attempt`` capped at ``max_delay``, with jitter.
"""

from __future__ import annotations

import email.utils
import math
from dataclasses import dataclass

from .effects import Outcome


@dataclass(frozen=True, slots=True)
class Retry:
    """Re-send after ``delay`` seconds."""

    delay: float


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how patiently to re-send (see the module docstring for which requests).

    Args:
        max_retries: re-sends after the first attempt (0 disables retries).
        base_delay: first backoff delay in seconds; doubles each attempt.
        max_delay: cap on one backoff delay.
        max_retry_after: the longest Retry-After we wait for; longer ones raise.
    """

    max_retries: int = 2
    base_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 60.0

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


RETRYABLE_STATUSES = frozenset({408, 429})


def retryable(outcome: Outcome, idempotent: bool, retry_after: float | None) -> bool:
    """Whether re-sending is safe and may help, ignoring the attempt budget."""
    if outcome.failure is not None:
        return idempotent or outcome.failure.unsent
    status = outcome.status or 0
    if status == 429:
        return retry_after is not None  # without Retry-After it is quota
    if idempotent:
        return status in RETRYABLE_STATUSES or status >= 500
    return False


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
