"""Create, exactly once: the create flow with recovery and keys.

Two rules, composed here as sans-IO flows (the drivers perform the effects):

- **Recovery** (always on, ``_core/recovery.py``): when a create may have
  reached the server but its answer was lost, look for its task in the task
  list and return it, so one POST gives the caller its task. Never a second
  POST once the first may have arrived.
- **Keys** (``_core/keys.py``, stored by ``journal.py``): a key names one
  logical search. The journal records the key with its fingerprint and send
  time *before* the POST and the task id as soon as it is known, so a later
  call with the key, in any process, re-attaches instead of creating.
"""

from __future__ import annotations

import logging
from typing import Any, TypeVar

from . import _flows
from ._core import keys as key_rules
from ._core.effects import (
    ClaimedTasks,
    ClaimKey,
    ClaimTask,
    Failure,
    Now,
    Outcome,
    ReadKey,
    RecordStatus,
    RecordTask,
    ReleaseKey,
    Send,
    Sleep,
    WallNow,
)
from ._core.params import CreateParams
from ._core.polling import PollPlan
from ._core.recovery import Adopt, NotFound, PauseThenRead, ReadPage, Recovery
from ._core.retry import RetryPolicy, is_transient, may_have_acted
from ._core.secrets import Secret
from ._errors import ExtructError, InvalidArgumentError, TaskFailedError
from ._flows import Flow
from ._progress import ProgressCallback
from ._types import SearchRun, Task

T = TypeVar("T")

logger = logging.getLogger("extruct_deep_search")

# Seconds between reads of the journal while another process creates a key's task.
OWNER_POLL = 0.5


def create(
    params: CreateParams,
    policy: RetryPolicy,
    secret: Secret,
    key: str | None = None,
    *,
    fingerprint: str | None = None,
) -> Flow[Task]:
    """The create operation: keyed when ``key`` is given, recovering either way.

    ``fingerprint`` names the search for the key's conflict check when it is
    not ``params``' own (a batch adds exclusions to a search's parameters).
    """
    if key is None:
        return (yield from create_once(params, policy, secret))
    return (yield from create_keyed(params, key, policy, secret, fingerprint))


def watching(flow: Flow[T], outcomes: list[Outcome]) -> Flow[T]:
    """Run ``flow``, passing its effects on, and keep the Outcome of its last Send.

    Create recovery needs what ``_flows.call`` saw before it raised (did the
    request reach the server?) and the list pages' Date headers.
    """
    answer: Any = None
    error: BaseException | None = None
    while True:
        try:
            effect = flow.send(answer) if error is None else flow.throw(error)
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]
        answer, error = None, None
        try:
            answer = yield effect
        except BaseException as exc:  # a driver's error belongs to the flow that asked
            error = exc
            continue
        if isinstance(effect, Send):
            outcomes[:] = [answer]


def _settled(outcome: Outcome) -> bool | None:
    """None when the attempt provably did not act; else whether the server had answered."""
    if not may_have_acted(outcome):
        return None
    return outcome.failure is None or outcome.failure is Failure.UNREADABLE


def create_once(
    params: CreateParams,
    policy: RetryPolicy,
    secret: Secret,
    *,
    sent_at: float | None = None,
) -> Flow[Task]:
    """POST once; after an ambiguous failure, recover the task from the task list.

    ``sent_at`` is the earliest send time of an earlier attempt for the same
    search (a journal's), which widens the recovery window back to it.
    """
    started = yield WallNow()
    seen: list[Outcome] = []
    try:
        task = yield from watching(_flows.create(params, policy, secret), seen)
    except ExtructError as exc:
        settled = _settled(seen[-1]) if seen else None
        if settled is None:
            raise  # provably not acted on: nothing to recover
        failed_at = yield WallNow()
        since = started if sent_at is None else min(sent_at, started)
        found = yield from recover(params, since, failed_at, settled, policy, secret)
        if isinstance(found, NotFound):
            what = (
                "no matching task was found in the task list, so the create most likely did "
                "not take effect"
                if found.looked
                else "the task list could not be read to check whether it took effect"
            )
            exc.args = (f"{exc.args[0]} ({what})", *exc.args[1:])
            raise
        logger.info(
            "recovered task %s after %s (create answer lost; found in the task list)",
            found.id,
            type(exc).__name__,
        )
        return found
    yield ClaimTask(task.id)
    return task


def recover(
    params: CreateParams,
    sent_at: float,
    failed_at: float,
    settled: bool,
    policy: RetryPolicy,
    secret: Secret,
) -> Flow[Task | NotFound]:
    """Drive a :class:`Recovery` over the task list; claim and return the task, or NotFound."""
    claimed = yield ClaimedTasks()
    # The whole search ends by the recovery window: list retries included.
    deadline = (yield Now()) + policy.recovery_window
    search = Recovery(
        params,
        sent_at=sent_at,
        failed_at=failed_at,
        settled=settled,
        claimed=claimed,
        reconcile=policy.recovery_window,
    )
    step = search.start()
    while True:
        match step:
            case ReadPage(offset, limit):
                seen: list[Outcome] = []
                try:
                    tasks = yield from watching(
                        _flows.list_tasks(limit, offset, policy, secret, deadline), seen
                    )
                except ExtructError as exc:
                    if not is_transient(exc) or (yield Now()) >= deadline:
                        return NotFound(search.pages_read, looked=False)
                    step = search.on_list_failed((yield WallNow()))
                    continue
                date = seen[-1].headers.get("date") if seen else None
                step = search.on_page(tasks, date, (yield WallNow()))
            case PauseThenRead(delay):
                yield Sleep(delay)
                step = search.on_wake()
            case Adopt(candidates):
                for candidate in candidates:
                    if (yield ClaimTask(candidate.id)):
                        return candidate
                lost = [c.id for c in candidates]
                step = search.on_claims_lost(lost, (yield WallNow()))
            case NotFound():
                return step


def create_keyed(
    params: CreateParams,
    key: str,
    policy: RetryPolicy,
    secret: Secret,
    fingerprint: str | None = None,
) -> Flow[Task]:
    """The key table of ``_core/keys.py``, applied until the key has its task."""
    fingerprint = fingerprint or params.fingerprint()
    waited_from: float | None = None
    while True:
        state = yield ReadKey(key)
        now = yield WallNow()
        decision = key_rules.decide(
            state.entry,
            fingerprint,
            me=state.me,
            in_flight_here=state.in_flight_here,
            owner_alive=state.owner_alive,
            now=now,
        )
        match decision:
            case key_rules.Conflict(entry):
                raise InvalidArgumentError(
                    "key",
                    f"{key!r} already names a search with other parameters (query "
                    f"{entry.query[:100]!r}); a key names one search: use a new key",
                )
            case key_rules.Reattach(task_id):
                yield ClaimTask(task_id)
                task = yield from _flows.get(task_id, policy, secret)
                yield RecordTask(key, task.id, str(task.status))
                return task
            case key_rules.WaitForOwner(owner):
                waited_from = now if waited_from is None else waited_from
                if now - waited_from > key_rules.OWNER_WAIT:
                    raise ExtructError(
                        f"key {key!r}: another process ({owner}) is creating its task and has "
                        f"not recorded it after {key_rules.OWNER_WAIT:.0f}s; try again later"
                    )
                yield Sleep(OWNER_POLL)
            case key_rules.Claim() | key_rules.TakeOver():
                previous = (
                    decision.previous_owner if isinstance(decision, key_rules.TakeOver) else None
                )
                entry = yield ClaimKey(key, fingerprint, params.query, now, previous)
                if entry.owner != state.me or entry.task_id is not None:
                    continue  # another process won the claim: read the journal again
                try:
                    task = yield from _claimed_create(
                        params, decision, entry.sent_at, policy, secret
                    )
                except GeneratorExit:
                    raise  # closed by its driver: no effect can be performed any more
                except BaseException:  # an error, an interrupt, a cancellation
                    yield ReleaseKey(key)
                    raise
                if not (yield RecordTask(key, task.id, str(task.status))):
                    # Another process's recovery adopted this task a moment before
                    # ours did: look again, now with it claimed.
                    logger.info("task %s is recorded under another key; looking again", task.id)
                    continue
                return task


def _claimed_create(
    params: CreateParams,
    decision: key_rules.Claim | key_rules.TakeOver,
    sent_at: float | None,
    policy: RetryPolicy,
    secret: Secret,
) -> Flow[Task]:
    """Create for a key this process now owns; a taken-over key first looks for its task."""
    if isinstance(decision, key_rules.TakeOver) and decision.sent_at is not None:
        now = yield WallNow()
        found = yield from recover(params, decision.sent_at, now, True, policy, secret)
        if isinstance(found, Task):
            logger.info("recovered task %s for a key whose create was interrupted", found.id)
            return found
    return (yield from create_once(params, policy, secret, sent_at=sent_at))


def run(
    params: CreateParams,
    key: str | None,
    plan: PollPlan,
    page_size: int,
    policy: RetryPolicy,
    secret: Secret,
    on_progress: ProgressCallback | None = None,
) -> Flow[SearchRun]:
    """create (keyed or not), wait, read the results; a key's journal entry gets the status."""
    flow = _flows.run(
        create(params, policy, secret, key), plan, page_size, policy, secret, on_progress
    )
    try:
        search = yield from flow
    except TaskFailedError as exc:
        if key is not None:
            yield RecordStatus(key, str(exc.task.status))
        raise
    if key is not None:
        yield RecordStatus(key, str(search.task.status))
    return search
