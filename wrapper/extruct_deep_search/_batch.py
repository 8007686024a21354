"""The run_many flow: many keyed searches, polled through the task list.

One sans-IO flow, driven by both clients (``_async.py`` and its generated
``_sync.py``): it starts searches while fewer than ``max_active`` run, polls
the running ones with ``_core/listpoll.py``, reads each finished task's
results and emits its :class:`~extruct_deep_search.batch.SearchOutcome`. The
rules it applies are documented in ``batch.py``.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

from . import _create, _flows
from ._core.domains import normalize_domains
from ._core.effects import Emit, Now, RecordStatus, Sleep
from ._core.listpoll import ListPoll
from ._core.params import CreateParams
from ._core.polling import PollPlan, is_finished
from ._core.retry import RetryPolicy, is_quota, is_transient
from ._core.secrets import Secret
from ._core.validation import MAX_EXCLUDE_DOMAINS, MAX_EXCLUDE_TASK_IDS, MAX_RESULTS
from ._errors import ExtructError, TaskFailedError, WaitTimeoutError
from ._flows import Flow
from ._types import Task, TaskStatus
from .batch import QuotaStoppedError, Search, SearchOutcome

LIST_LIMIT = 100

logger = logging.getLogger("extruct_deep_search")


@dataclass(slots=True)
class _Running:
    search: Search
    task: Task
    started: float
    failures: int = 0


def run_many(
    searches: Sequence[Search],
    *,
    max_active: int,
    exclude_found: bool,
    page_size: int,
    plan: PollPlan,
    policy: RetryPolicy,
    secret: Secret,
    on_progress: Callable[[Task], object] | None = None,
) -> Flow[None]:
    """Emit one SearchOutcome per search, in completion order."""
    if exclude_found and len(searches) <= max_active:
        logger.warning(
            "exclude_found has no effect: all %d searches fit in one wave of max_active=%d "
            "and run at once; lower max_active to exclude across waves",
            len(searches),
            max_active,
        )
    pending = deque(searches)
    running: dict[str, _Running] = {}
    found: list[tuple[str, frozenset[str]]] = []  # done tasks and their domains, for exclude_found
    quota: ExtructError | None = None

    while pending or running:
        # Start searches: up to max_active; with exclude_found, only between waves.
        can_start = not exclude_found or not running
        while pending and can_start and len(running) < max_active:
            search = pending.popleft()
            if quota is not None:
                yield Emit([SearchOutcome(search, None, [], _quota_stopped(quota))])
                continue
            params = search.params
            if exclude_found and found:
                params = _excluding(params, found)
            try:
                task = yield from _create.create(
                    params, policy, secret, key=search.key, fingerprint=search.params.fingerprint()
                )
            except ExtructError as exc:
                if is_quota(exc):
                    quota = exc
                yield Emit([SearchOutcome(search, None, [], exc)])
                continue
            entry = _Running(search, task, (yield Now()))
            running[task.id] = entry
        if not running:
            continue

        # Poll every running task through the task list, falling back to GETs.
        poll = ListPoll({i: r.task.created_at for i, r in running.items()}, limit=LIST_LIMIT)
        while (offset := poll.next_page()) is not None:
            try:
                tasks = yield from _flows.list_tasks(LIST_LIMIT, offset, policy, secret)
            except ExtructError:
                break  # the GETs below cover every task the pages missed
            poll.on_page(tasks)
        for task_id in poll.missing():
            try:
                poll.seen[task_id] = yield from _flows.get(task_id, policy, secret)
            except ExtructError as exc:
                item = running[task_id]
                item.failures += 1
                if not is_transient(exc) or item.failures > plan.max_failures:
                    del running[task_id]
                    yield Emit([SearchOutcome(item.search, item.task, [], exc)])

        now = yield Now()
        for task_id, task in poll.seen.items():
            item = running[task_id]
            item.task, item.failures = task, 0
            yield from _flows.progressed(on_progress, task)
            if not is_finished(task.status):
                if plan.timeout is not None and now - item.started >= plan.timeout:
                    del running[task_id]
                    error = WaitTimeoutError(task, now - item.started)
                    yield Emit([SearchOutcome(item.search, task, [], error)])
                continue
            del running[task_id]
            yield RecordStatus(item.search.key, str(task.status))
            if task.status == TaskStatus.FAILED:
                yield Emit([SearchOutcome(item.search, task, [], TaskFailedError(task))])
                continue
            try:
                _, results = yield from _flows.collect(
                    _flows.iter_results(task.id, page_size, policy, secret)
                )
            except ExtructError as exc:
                yield Emit([SearchOutcome(item.search, task, [], exc)])
                continue
            if exclude_found:
                found.append((task.id, _domains(r.company_website for r in results)))
            yield Emit([SearchOutcome(item.search, task, results)])
        if running:
            yield Sleep(plan.interval)


def _domains(websites: Iterable[str | None]) -> frozenset[str]:
    """The registered domains of result websites, as the server resolves them."""
    return frozenset(normalize_domains(w for w in websites if w)[0])


# What one excluded task the batch did not run may add to the resolved set: its
# results are unknown here, and a task holds at most 250.
_UNKNOWN_TASK_DOMAINS = MAX_RESULTS


def _excluding(params: CreateParams, found: list[tuple[str, frozenset[str]]]) -> CreateParams:
    """``params`` that also exclude what earlier waves found, within the API's limits.

    ``found`` holds (task id, result domains) of earlier done tasks, oldest
    first. The server resolves ``exclude_domains`` and the results of every
    ``exclude_task_ids`` task into one set, capped at 1000 domains (a 422
    beyond), so each found task counts by its domains, newest first, and is
    skipped when it would cross the cap. It goes in by id while there are
    fewer than 100 ids, else by its domains. An excluded task of the caller's
    own counts as 250 domains, the most it can hold.
    """
    ids = list(params.exclude_task_ids or ())
    domains = list(params.exclude_domains or ())
    resolved = set(_domains(domains))
    budget = MAX_EXCLUDE_DOMAINS - _UNKNOWN_TASK_DOMAINS * len(ids)
    for task_id, task_domains in reversed(found):
        widened = resolved | task_domains
        if len(widened) > budget:
            continue
        if len(ids) < MAX_EXCLUDE_TASK_IDS:
            ids.append(task_id)
        else:
            domains.extend(sorted(task_domains - resolved))
        resolved = widened
    return replace(
        params,
        exclude_task_ids=tuple(ids) or None,
        exclude_domains=tuple(domains) or None,
    )


def _quota_stopped(cause: ExtructError) -> QuotaStoppedError:
    return QuotaStoppedError(
        f"not started: an earlier search hit a quota or billing limit ({cause}); "
        "rerun the batch with the same journal to continue"
    )
