"""Every operation, written once, as a sans-IO flow.

A flow is a generator: it yields effects (``Send``, ``Sleep``, ``Now``,
``Jitter``, ``Emit``) and receives their answers; its return value is the
operation's result. It never touches the network, the clock or randomness
itself, so the sync client (``_sync.py``) and the async client
(``_async.py``) drive the very same code, and tests can drive it with a
scripted fake. The rules it composes live in ``_core/``: the retry policy,
the page loop, the completion rule and the dedupe.
"""

from __future__ import annotations

import inspect
import json
import logging
from collections.abc import Callable, Generator, Iterable
from dataclasses import replace
from typing import Any, NoReturn, TypeVar

from . import _gen
from ._core import validation
from ._core.dedupe import Deduper
from ._core.effects import (
    Await,
    Effect,
    Emit,
    Failure,
    Jitter,
    Now,
    Outcome,
    RequestSpec,
    Send,
    Sleep,
    WallNow,
)
from ._core.paging import PageCursor, PagingError
from ._core.params import CreateParams
from ._core.polling import Failed, Finished, PollAgain, PollPlan, TimedOut
from ._core.retry import RetryPolicy, is_transient, parse_retry_after
from ._core.secrets import Secret
from ._errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    ExtructError,
    TaskFailedError,
    UnexpectedResponseError,
    WaitTimeoutError,
    annotate,
    bounded,
    error_for_status,
    name_task,
)
from ._progress import ProgressCallback
from ._types import Result, SearchRun, Task

T = TypeVar("T")
Flow = Generator[Effect, Any, T]

logger = logging.getLogger("extruct_deep_search")


def _raise_for(
    outcome: Outcome, request: RequestSpec, retry_after: float | None, secret: Secret
) -> NoReturn:
    """Raise the typed error for a failed outcome.

    The error is built in :func:`_error_for`, whose frame is gone by the time
    a traceback is formatted: no local here holds server text that could
    echo the token (Outcome's repr leaves out the body and headers).
    """
    raise _error_for(outcome, request, retry_after, secret)


def _error_for(
    outcome: Outcome, request: RequestSpec, retry_after: float | None, secret: Secret
) -> ExtructError:
    failure = outcome.failure
    request_id = outcome.headers.get("x-request-id")
    if failure is Failure.UNREADABLE:
        return UnexpectedResponseError(
            bounded(
                secret.redact(f"HTTP {outcome.status} with an unreadable body: {outcome.message}")
            ),
            status_code=outcome.status or 0,
            body=secret.scrub(outcome.content)[:2000].decode("utf-8", errors="replace"),
            request_id=None if request_id is None else bounded(secret.redact(request_id)),
        )
    if failure is not None:
        text = f"{request.method} {request.path}: {bounded(secret.redact(outcome.message))}"
        if failure is Failure.LOCAL:
            return ExtructError(text)
        if failure.timed_out:
            return APITimeoutError(text)
        return APIConnectionError(text)
    return error_for_status(
        outcome.status or 0,
        outcome.content,
        request_id=request_id,
        retry_after=retry_after,
        exhausted_on_400=request.exhausted_on_400,
        secret=secret,
        subject=request.subject,
    )


_UNREADABLE = (ValueError, RecursionError, _gen.ParseError)


def _why_unreadable(content: bytes, parse: Callable[[Any], object], secret: Secret) -> str:
    """Why ``parse`` refused ``content``, worded from the redacted body.

    Parse errors quote a few dozen characters of the offending value; quoting
    them from the redacted body means no cut can leave part of an echoed token.
    """
    try:
        parse(json.loads(secret.scrub(content)))
    except _UNREADABLE as exc:
        return str(exc)
    return "the body does not have the documented shape"


def call(
    request: RequestSpec,
    parse: Callable[[Any], T],
    policy: RetryPolicy,
    secret: Secret,
    deadline: float | None = None,
) -> Flow[T]:
    """Send ``request`` with the retry policy and parse a 2xx body with ``parse``.

    A 2xx body that is not JSON or not the documented shape counts as an
    UNREADABLE attempt: re-sent when the request is idempotent, raised as
    UnexpectedResponseError otherwise (the server acted; re-sending could act twice).

    ``deadline`` (monotonic seconds, from a wait's timeout): retry sleeps are
    cut to end by then, and no attempt starts after it.
    """
    attempt = 0
    while True:
        outcome: Outcome = yield Send(request)
        if outcome.failure is None and 200 <= (outcome.status or 0) < 300:
            try:
                # Scrubbed: a server that echoes the token into result data must
                # not put it in the caller's rows, files or terminal.
                return parse(json.loads(secret.scrub(outcome.content)))
            except _UNREADABLE:
                why = _why_unreadable(outcome.content, parse, secret)
                outcome = replace(outcome, failure=Failure.UNREADABLE, message=why)
        retry_after = (
            parse_retry_after(outcome.headers["retry-after"], (yield WallNow()))
            if "retry-after" in outcome.headers
            else None
        )
        decision = policy.decide(
            attempt,
            outcome,
            idempotent=request.idempotent,
            retry_after=retry_after,
            jitter=(yield Jitter()),
        )
        if decision is None:
            _raise_for(outcome, request, retry_after, secret)
        delay = decision.delay
        if deadline is not None:
            left = deadline - (yield Now())
            if left <= 0:
                _raise_for(outcome, request, retry_after, secret)
            delay = min(delay, left)
        logger.info(
            "retrying %s %s in %.2fs (attempt %d, %s)",
            request.method,
            request.path,
            delay,
            attempt + 1,
            outcome.failure.value if outcome.failure else f"HTTP {outcome.status}",
        )
        yield Sleep(delay)
        attempt += 1


def _refused(what: str) -> _gen.ParseError:
    return _gen.ParseError(what)


def _task_of(task_id: str) -> Callable[[Any], Task]:
    """parse_task, refusing a task whose id is not the one asked for."""

    def parse(data: Any) -> Task:
        task = _gen.parse_task(data)
        if task.id != task_id:
            raise _refused(f"asked for task {task_id!r}, the server sent task {task.id!r}")
        return task

    return parse


def _page_of(task_id: str) -> Callable[[Any], tuple[Task, list[Result]]]:
    """parse_results_page, refusing a page (or a row) of another task."""

    def parse(data: Any) -> tuple[Task, list[Result]]:
        task, rows = _gen.parse_results_page(data)
        if task.id != task_id:
            raise _refused(f"asked for task {task_id!r}'s results, got task {task.id!r}'s")
        for row in rows:
            if row.task_id != task_id:
                raise _refused(
                    f"result {row.id!r} belongs to task {row.task_id!r}, not {task_id!r}"
                )
        return task, rows

    return parse


# Single calls.


def create(params: CreateParams, policy: RetryPolicy, secret: Secret) -> Flow[Task]:
    """POST /v1/discovery_tasks once (never re-sent after it may have arrived)."""
    return (yield from call(_gen.create_request(params), _gen.parse_task, policy, secret))


def get(
    task_id: str, policy: RetryPolicy, secret: Secret, deadline: float | None = None
) -> Flow[Task]:
    """GET one task (refused if the server answers with another task)."""
    task_id = validation.path_id("task_id", task_id)
    request = _gen.get_request(task_id)
    return (yield from call(request, _task_of(task_id), policy, secret, deadline))


def list_tasks(
    limit: int,
    offset: int,
    policy: RetryPolicy,
    secret: Secret,
    deadline: float | None = None,
) -> Flow[list[Task]]:
    """GET one page of the task list (retries end by ``deadline``, monotonic, when given)."""
    request = _gen.list_request(
        offset=validation.offset(offset), limit=validation.page_size(limit, "limit")
    )
    return (yield from call(request, _gen.parse_task_list, policy, secret, deadline))


def resume(
    task_id: str, desired_new_results: int, policy: RetryPolicy, secret: Secret
) -> Flow[Task]:
    """POST resume once; a 400 raises TaskExhaustedError."""
    task_id = validation.path_id("task_id", task_id)
    request = _gen.resume_request(task_id, validation.desired_new_results(desired_new_results))
    return (yield from call(request, _task_of(task_id), policy, secret))


def add_table_rows(
    table_id: str,
    inputs: Iterable[str],
    run: bool,
    batch_size: int,
    policy: RetryPolicy,
    secret: Secret,
) -> Flow[list[dict[str, Any]]]:
    """POST rows in batches of ``batch_size``; returns every created row.

    ``inputs`` is read once. When a batch fails after earlier ones created
    rows, the error carries them as ``.created_rows`` and its message names
    their ids and the index to resume from.
    """
    table_id = validation.path_id("table_id", table_id)
    batch_size = validation.page_size(batch_size, "batch_size")
    items = validation.table_inputs(inputs)
    created: list[dict[str, Any]] = []
    for start in range(0, len(items), batch_size):
        request = _gen.add_rows_request(table_id, items[start : start + batch_size], run=run)
        try:
            created += yield from call(request, _gen.parse_rows, policy, secret)
        except ExtructError as exc:
            if created:
                exc.created_rows = list(created)
                ids = [str(row.get("id")) for row in created[:10]]
                more = f" and {len(created) - 10} more" if len(created) > 10 else ""
                annotate(
                    exc,
                    f"; earlier batches created {len(created)} rows for inputs[0:{start}] "
                    f"(ids {', '.join(ids)}{more}): resume from inputs[{start}:]",
                )
            raise
    return created


# Loops.


def sweep(
    task_id: str,
    page_size: int,
    seen: Deduper[Result],
    policy: RetryPolicy,
    secret: Secret,
    deadline: float | None = None,
) -> Flow[Task]:
    """Read every page once, emitting rows not seen before; returns the first page's task.

    The page loop's rules are in ``_core/paging.py``: it stops at the first
    page shorter than ``page_size``, and refuses a page longer than asked, a
    full page of a finished task that adds no new row, and a read past twice
    the 250-result cap. Because the first page is read before the others, a
    terminal status on it means the whole sweep saw the final result list.
    """
    cursor = PageCursor(limit=page_size)
    parse = _page_of(task_id)
    first: Task | None = None
    this_sweep: set[str] = set()
    while (page := cursor.next_page()) is not None:
        offset, limit = page
        request = _gen.results_request(task_id, offset=offset, limit=limit)
        task, rows = yield from call(request, parse, policy, secret, deadline)
        first = first or task
        before = len(this_sweep)
        this_sweep.update(row.id for row in rows)
        try:
            cursor.on_page(len(rows), len(this_sweep) - before, stable=first.is_terminal)
        except PagingError as exc:
            raise UnexpectedResponseError(
                f"GET {request.path}: {exc}", status_code=200, request_id=None
            ) from None
        fresh = seen.feed(rows)
        del rows  # hold at most one page while the next one is read
        if fresh:
            yield Emit(fresh)
        del fresh
    assert first is not None
    return first


def iter_results(task_id: str, page_size: int, policy: RetryPolicy, secret: Secret) -> Flow[Task]:
    """Emit every result once, page by page (a snapshot: use stream() while a task runs).

    Arguments are checked now, not when the flow is first driven.
    """
    task_id = validation.path_id("task_id", task_id)
    page_size = validation.page_size(page_size)
    return sweep(task_id, page_size, Deduper(_result_id), policy, secret)


def _result_id(result: Result) -> str:
    return result.id


def _finish(decision: Finished | Failed | TimedOut, last: Task | None) -> Task:
    match decision:
        case Finished():
            assert last is not None
            return last
        case Failed():
            assert last is not None
            raise TaskFailedError(last)
        case TimedOut(elapsed):
            raise WaitTimeoutError(last, elapsed)


def poll_until_finished(
    poll: Callable[[float | None], Flow[Task]],
    plan: PollPlan,
    on_progress: ProgressCallback | None = None,
    initial: Task | None = None,
) -> Flow[Task]:
    """The polling loop: poll, apply the completion rule, sleep, again.

    Transient poll failures (connection, timeout, 5xx, unreadable body, 429
    with Retry-After) are ridden out until ``plan.max_failures`` in a row or
    the timeout; anything else is raised at once. ``initial`` is a task
    already in hand (from create), used instead of the first poll. Each poll
    gets the wait's deadline, so its retries end by it too.
    """
    plan.start((yield Now()))
    last: Task | None = None
    while True:
        try:
            task = initial if initial is not None else (yield from poll(plan.deadline))
        except (APIError, APIConnectionError) as exc:
            if not is_transient(exc) or (decision := plan.on_failure((yield Now()))) is None:
                raise
        else:
            last, initial = task, None
            yield from progressed(on_progress, task)
            decision = plan.on_status(task.status, (yield Now()))
        if isinstance(decision, PollAgain):
            yield Sleep(decision.delay)
            continue
        return _finish(decision, last)


def progressed(on_progress: Callable[[Task], object] | None, task: Task) -> Flow[None]:
    """Tell ``on_progress`` about ``task``; an awaitable it returns is awaited (async client)."""
    if on_progress is not None and inspect.isawaitable(result := on_progress(task)):
        yield Await(result)


def wait(
    task_id: str,
    plan: PollPlan,
    policy: RetryPolicy,
    secret: Secret,
    on_progress: ProgressCallback | None = None,
    initial: Task | None = None,
) -> Flow[Task]:
    """Poll GET task until the completion rule holds (done or failed; _core/polling.py)."""
    task_id = validation.path_id("task_id", task_id)
    return poll_until_finished(
        lambda deadline: get(task_id, policy, secret, deadline), plan, on_progress, initial
    )


def stream(
    task_id: str,
    page_size: int,
    plan: PollPlan,
    policy: RetryPolicy,
    secret: Secret,
    on_progress: ProgressCallback | None = None,
) -> Flow[Task]:
    """Emit each result once as soon as a sweep sees it; end after a sweep of the final list.

    Each poll is one full sweep. The task status comes with the first page, so
    a sweep that starts on a finished task reads the final, stable list and is
    the last. Rows that shifted between page reads are caught by the next
    sweep and deduplicated by result id, so nothing is lost or repeated.
    """
    task_id = validation.path_id("task_id", task_id)
    page_size = validation.page_size(page_size)
    seen: Deduper[Result] = Deduper(_result_id)
    return poll_until_finished(
        lambda deadline: sweep(task_id, page_size, seen, policy, secret, deadline),
        plan,
        on_progress,
    )


def collect(flow: Flow[Task]) -> Flow[tuple[Task, list[Result]]]:
    """Run an emitting flow, gathering its emitted rows instead of passing them on."""
    rows: list[Result] = []
    answer: Any = None
    while True:
        try:
            effect = flow.send(answer)
        except StopIteration as stop:
            return stop.value, rows
        if isinstance(effect, Emit):
            rows.extend(effect.items)
            answer = None
        else:
            answer = yield effect


def run(
    created: Flow[Task],
    plan: PollPlan,
    page_size: int,
    policy: RetryPolicy,
    secret: Secret,
    on_progress: ProgressCallback | None = None,
) -> Flow[SearchRun]:
    """``created`` (a create flow), wait (its task counts as the first poll), then read results.

    Every ExtructError after the task exists names it (``.task_id`` and the
    message), so a caller who retries waits on it instead of paying for another.
    """
    page_size = validation.page_size(page_size)
    task = yield from created
    try:
        task = yield from wait(task.id, plan, policy, secret, on_progress, initial=task)
        _, results = yield from collect(iter_results(task.id, page_size, policy, secret))
    except ExtructError as exc:
        name_task(exc, task.id)
        raise
    return SearchRun(task=task, results=results)
