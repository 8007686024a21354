"""Create recovery: finding the task an ambiguous create made, in the task list.

Extruct has no idempotency key and no client reference field (docs/API_FACTS.md,
"Learned since"). When a create may have reached the server but its answer was
lost (a timeout, a dropped connection, a 5xx, an unreadable 2xx), the task may
exist and run, paid for, while the caller never learned its id. The list
endpoint (``GET /v1/discovery_tasks``) shows every task of the organization;
this module decides, from its pages, which task (if any) that create made.

The rule:

1. **Same request.** A candidate has the create's query and
   desired_num_results, and its criteria when the create gave them (the server
   infers criteria otherwise, so they are not compared then).
2. **Inside the attempt's window, on the server's clock.** ``created_at`` is
   the server's clock; the attempt's send and answer times are ours. Each list
   response's ``Date`` header bounds the offset between the two clocks (it is
   truncated to the second, so ``Date - arrival`` never exceeds the offset),
   so the window starts at the send and is seconds wide even when the
   server's clock is minutes off. A task created more than ``MAX_EARLY``
   seconds before the attempt was sent is never adopted; with a Date header,
   none created before ``sent_at + offset`` is.
3. **Unclaimed.** Tasks this client already returned, and tasks a journal
   records under any key, are skipped: a task is never adopted twice. Among
   several unclaimed matches (identical creates at once) the earliest is
   taken; the caller claims it atomically before returning it, so the next
   recovery takes the next one.
4. **Page only as far as the window needs.** The list is assumed newest first
   (upstream.yaml marks the order as an assumption), so paging stops at the
   first task older than the window, or at a short page, or after
   ``MAX_PAGES``. Order decides only how far to read: matching is by fields
   and time, never by position.
5. **Settled or not.** When the server answered (a 5xx or an unreadable 2xx),
   it had finished with the request, so one pass decides. After a timeout or a
   dropped connection it may still be creating the task, so the list is read
   again, with growing pauses, until ``reconcile`` seconds after the failure.

Nothing here does I/O: the flow (``_flows.recover_create``) reads pages and the
clock and hands them to :class:`Recovery`.
"""

from __future__ import annotations

import datetime
import email.utils
from collections.abc import Iterable, Set
from dataclasses import dataclass, field

from .._types import Task
from .params import CreateParams

__all__ = ["MAX_EARLY", "MAX_PAGES", "Recovery", "matches_request", "server_offset"]

# A task created this long before the attempt was sent is never that attempt's.
MAX_EARLY = 10.0
# How far before the send time and after the last answer a match may lie:
# the Date header has a one-second resolution, and a request takes time to travel.
CLOCK_SLACK = 2.0
# Pages of the task list read per pass, at most.
MAX_PAGES = 20
# Pauses between passes while an unsettled create may still be landing.
PASS_DELAYS = (0.5, 1.0, 2.0, 4.0, 8.0)


def server_offset(date_header: str | None, received_at: float) -> float | None:
    """Server clock minus our clock, in seconds, from a response's Date header.

    ``received_at`` is our Unix time when the response arrived. None when the
    header is missing or unreadable.
    """
    if not date_header:
        return None
    try:
        when = email.utils.parsedate_to_datetime(date_header)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        return None
    return when.timestamp() - received_at


def matches_request(task: Task, params: CreateParams) -> bool:
    """Rule 1: the task carries the create's query, target and (given) criteria."""
    if task.query != params.query or task.desired_num_results != params.desired_num_results:
        return False
    if params.criteria is not None:
        theirs = [(c.key, c.name, c.criterion) for c in task.criteria]
        ours = [(c.key, c.name, c.criterion) for c in params.criteria]
        if theirs != ours:
            return False
    return True


def _timestamp(value: datetime.datetime) -> float:
    if value.tzinfo is None:  # a naive time from the server: read it as UTC
        value = value.replace(tzinfo=datetime.UTC)
    return value.timestamp()


@dataclass(frozen=True, slots=True)
class ReadPage:
    """Read the task list page at ``offset`` (``limit`` tasks)."""

    offset: int
    limit: int


@dataclass(frozen=True, slots=True)
class PauseThenRead:
    """Nothing found yet and the create may still land: wait ``delay`` s, then read again."""

    delay: float


@dataclass(frozen=True, slots=True)
class Adopt:
    """``candidates`` match, earliest first: claim the first one that is still free."""

    candidates: tuple[Task, ...]


@dataclass(frozen=True, slots=True)
class NotFound:
    """No unclaimed task matches: the create most likely did not take effect.

    ``looked`` is False when the task list could not be read at all.
    """

    pages_read: int
    looked: bool = True


Step = ReadPage | PauseThenRead | Adopt | NotFound


@dataclass(slots=True)
class Recovery:
    """The search for one ambiguous create's task, one decision at a time.

    Args:
        params: what the create asked for.
        sent_at: our Unix time just before the (first) POST was sent.
        failed_at: our Unix time when the attempt ended without a usable answer.
        settled: the server answered (5xx, unreadable 2xx), so it is done with the request.
        claimed: task ids that must not be adopted (returned already, or journaled).
        reconcile: seconds after ``failed_at`` during which an unsettled create may land.
        limit: tasks per list page.

    Drive it: ``step = r.start()``; on :class:`ReadPage` read that page and call
    ``r.on_page(tasks, date_header, received_at)``; on :class:`PauseThenRead`
    sleep, then ``r.on_wake(now)``; until :class:`Adopt` or :class:`NotFound`.
    """

    params: CreateParams
    sent_at: float
    failed_at: float
    settled: bool
    claimed: Set[str] = frozenset()
    reconcile: float = 15.0
    limit: int = 50
    offset: float = 0.0
    dated: bool = False
    passes: int = 0
    paused: float = 0.0
    pages_read: int = 0
    _page: int = 0
    _found: dict[str, Task] = field(default_factory=dict)

    def start(self) -> Step:
        """The first step: read the newest page."""
        self._page = 0
        return ReadPage(0, self.limit)

    def window(self, now: float) -> tuple[float, float]:
        """The server-clock interval in which the create's task must have been made.

        A Date header is the server's time truncated to the second, taken before
        the response reached us, so ``Date - arrival`` never exceeds the true
        clock offset: with the largest such estimate, ``sent_at + offset`` is a
        safe lower bound (the task cannot predate its POST), and the upper bound
        allows the second lost to truncation plus the trip. Without any Date
        header the clocks are taken as equal, with ``CLOCK_SLACK`` either side.
        The upper end is the failure when the server answered; while an
        unsettled create may still be landing, ``now`` (this page's arrival).
        """
        slack = 0.0 if self.dated else CLOCK_SLACK
        low = self.sent_at + self.offset - min(slack, MAX_EARLY)
        high = (self.failed_at if self.settled else max(now, self.failed_at)) + self.offset
        return low, high + 1.0 + CLOCK_SLACK

    def on_page(self, tasks: Iterable[Task], date_header: str | None, received_at: float) -> Step:
        """Record one page of the task list and decide what to do next."""
        offset = server_offset(date_header, received_at)
        if offset is not None:
            self.offset = offset if not self.dated else max(self.offset, offset)
            self.dated = True
        self.pages_read += 1
        low, high = self.window(received_at)
        page = list(tasks)
        oldest_seen = float("inf")
        for task in page:
            created = _timestamp(task.created_at)
            oldest_seen = min(oldest_seen, created)
            if (
                low <= created <= high
                and task.id not in self.claimed
                and matches_request(task, self.params)
            ):
                self._found[task.id] = task
        self._page += 1
        more = len(page) >= self.limit and oldest_seen >= low and self._page < MAX_PAGES
        if more:
            return ReadPage(self._page * self.limit, self.limit)
        return self._after_pass(received_at, read=True)

    def _after_pass(self, now: float, *, read: bool) -> Step:
        self.passes += 1
        if self._found:
            ordered = sorted(self._found.values(), key=lambda t: (_timestamp(t.created_at), t.id))
            return Adopt(tuple(ordered))
        # Bounded twice: by the clock, and by the pauses themselves.
        remaining = min(self.failed_at + self.reconcile - now, self.reconcile - self.paused)
        if (read and self.settled) or self.passes > len(PASS_DELAYS) or remaining <= 0:
            return NotFound(self.pages_read, looked=self.pages_read > 0)
        delay = min(PASS_DELAYS[self.passes - 1], remaining)
        self.paused += delay
        return PauseThenRead(delay)

    def on_wake(self) -> Step:
        """After a pause: read the newest page again."""
        return self.start()

    def on_claims_lost(self, lost: Iterable[str], now: float) -> Step:
        """Every candidate was claimed by a concurrent recovery first: look again.

        The one that claimed ours saw it too, so ours is still in the list (a
        page read earlier may simply not have shown it yet).
        """
        self.claimed = frozenset(self.claimed) | frozenset(lost)
        for task_id in lost:
            self._found.pop(task_id, None)
        return self._after_pass(now, read=False)

    def on_list_failed(self, now: float) -> Step:
        """A list page failed even after its own retries: pause and read again, within bounds."""
        return self._after_pass(now, read=False)
