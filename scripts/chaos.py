"""Chaos suite: many complete task lifecycles through a faulty sandbox.

Starts a :class:`~extruct_deep_search.sandbox.Sandbox` whose fault plan injects
every fault kind on every endpoint at ``--rate`` (seeded), then runs ``--tasks``
lifecycles (create, wait, page with iter_results, resume, stream_results, page
again) with DeepSearch and, for every ``--async-every``-th one, AsyncDeepSearch.
Every result list the client returns is compared with the sandbox's own state
read directly (no HTTP, no faults) right after the read, while the task is done
and therefore stable.

Each lifecycle creates with a key and, like a user, calls create again with
that key after a typed error (up to ``step_attempts`` calls): a key never
creates a second task. Recovery of ambiguous creates (``_core/recovery.py``)
is counted from the client's INFO log line "recovered task ...".

Pass condition (exit 0): zero lost results, zero duplicates, zero extra tasks
(every lifecycle has a unique query and the sandbox must hold at most one task
per query), zero tasks created but never returned to a caller, zero unhandled
exceptions (anything not an ExtructError), and every lifecycle step that gave
up did so with a typed ExtructError.

Usage::

    python scripts/chaos.py --tasks 60 --duration 60 --rate 0.12 --seed 1
    python scripts/chaos.py --tasks 8 --duration 20 --json .chaos-report.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import random
import sys
import threading
import time
import traceback
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx
from extruct_deep_search import (
    AsyncDeepSearch,
    DeepSearch,
    ExtructError,
    RetryPolicy,
    TaskExhaustedError,
)
from extruct_deep_search.sandbox import FaultRule, Sandbox
from extruct_deep_search.sandbox.faults import ACTED, ENDPOINTS, KINDS

QUERY_TAIL = "B2B software vendors for restaurants"

# The typed errors an injected fault may legitimately surface as, per operation.
# Anything else (NotFoundError, TaskFailedError, WaitTimeoutError, ...) means the
# client misread a fault and fails the run.
READ_FAULT_ERRORS = frozenset(
    {
        "RateLimitError",  # 429 without Retry-After: quota, never retried
        "ServerError",  # 5xx after max_retries
        "APIConnectionError",  # drops after max_retries
        "APITimeoutError",  # slow after max_retries
        "UnexpectedResponseError",  # truncated / non-JSON after max_retries
    }
)
FAULT_ERRORS = {
    "create": READ_FAULT_ERRORS,
    "resume": READ_FAULT_ERRORS | {"TaskExhaustedError"},
}


@dataclass
class Config:
    tasks: int = 40
    duration: float = 60.0
    max_requests: int = 50_000
    rate: float = 0.12
    seed: int = 1
    speed: float = 20.0
    workers: int = 4
    async_every: int = 3
    max_retries: int = 8
    request_timeout: float = 1.0
    slow_seconds: float = 1.5
    poll_interval: float = 0.05
    wait_timeout: float = 60.0
    step_attempts: int = 4
    create_attempts: int = 8  # keyed: a repeated create re-attaches, never creates twice
    json_path: str | None = ".chaos-report.json"


@dataclass
class Stats:
    """Everything the lifecycles observed; guarded by ``lock``."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    requests: int = 0
    lifecycles_started: int = 0
    lifecycles_completed: int = 0
    create_calls: int = 0
    create_returned: int = 0
    create_raised: int = 0
    recovered: int = 0
    queries: dict[str, str] = field(default_factory=dict)  # query -> "ok" | error name
    reads: int = 0
    results_expected: int = 0
    results_received: int = 0
    lost: int = 0
    duplicates: int = 0
    order_mismatches: int = 0
    unexpected_extra: int = 0
    typed_errors: Counter[str] = field(default_factory=Counter)
    unhandled: list[str] = field(default_factory=list)
    mismatches: list[dict[str, Any]] = field(default_factory=list)

    def add(self, **deltas: int) -> None:
        with self.lock:
            for name, delta in deltas.items():
                setattr(self, name, getattr(self, name) + delta)


class Lifecycle:
    """Shared bookkeeping of one lifecycle (sync or async)."""

    def __init__(self, index: int, cfg: Config, sb: Sandbox, stats: Stats, org: str) -> None:
        self.index = index
        self.cfg = cfg
        self.sb = sb
        self.stats = stats
        self.org = org
        self.rng = random.Random(f"{cfg.seed}:{index}")
        self.query = f"chaos {uuid.uuid4().hex[:12]} #{index}: {QUERY_TAIL}"
        self.key = f"chaos-{index}-{self.query[6:18]}"

    def expected(self, task_id: str) -> list[str]:
        """The task's final result ids, straight from the sandbox state."""
        page = self.sb.state.get_results(self.org, task_id, None, None)
        return [row["id"] for row in page["results"]]

    def check(self, op: str, task_id: str, got: list[str], *, ordered: bool) -> None:
        """Compare what the client returned with the sandbox's list."""
        want = self.expected(task_id)
        lost = len(set(want) - set(got))
        dups = len(got) - len(set(got))
        extra = len(set(got) - set(want))
        order = int(ordered and not lost and not dups and got != want)
        self.stats.add(
            reads=1,
            results_expected=len(want),
            results_received=len(got),
            lost=lost,
            duplicates=dups,
            unexpected_extra=extra,
            order_mismatches=order,
        )
        if lost or dups or extra or order:
            with self.stats.lock:
                self.stats.mismatches.append(
                    {
                        "lifecycle": self.index,
                        "op": op,
                        "task_id": task_id,
                        "expected": len(want),
                        "received": len(got),
                        "lost": lost,
                        "duplicates": dups,
                        "extra": extra,
                        "order_mismatch": bool(order),
                    }
                )

    def created(self, task: Any) -> Any:
        """Book the outcome of the (repeated) keyed create: a task, or None after giving up."""
        self.stats.add(create_calls=1)
        if task is None:
            self.stats.add(create_raised=1)
            self.stats.queries[self.query] = "raised"
        else:
            self.stats.add(create_returned=1)
            self.stats.queries[self.query] = "ok"
        return task

    def typed(self, op: str, exc: ExtructError) -> None:
        with self.stats.lock:
            self.stats.typed_errors[f"{op}: {type(exc).__name__}"] += 1

    def unhandled(self, op: str, exc: BaseException) -> None:
        with self.stats.lock:
            self.stats.unhandled.append(
                f"lifecycle {self.index} {op}: "
                + "".join(traceback.format_exception_only(type(exc), exc)).strip()
            )


def retry_policy(cfg: Config) -> RetryPolicy:
    return RetryPolicy(
        max_retries=cfg.max_retries, base_delay=0.02, max_delay=0.25, max_retry_after=5.0
    )


# Sync lifecycle.


def sync_lifecycle(life: Lifecycle, http: httpx.Client) -> None:
    cfg = life.cfg
    ds = DeepSearch(
        life.sb.token,
        base_url=life.sb.base_url,
        http_client=http,
        retry_policy=retry_policy(cfg),
        poll_interval=cfg.poll_interval,
        wait_timeout=cfg.wait_timeout,
        timeout=cfg.request_timeout,
    )

    def step(op: str, fn: Callable[[], Any]) -> Any:
        """Run a step, re-calling it (as a user would) after a typed error."""
        for _ in range(cfg.create_attempts if op == "create" else cfg.step_attempts):
            try:
                return fn()
            except TaskExhaustedError:
                raise
            except ExtructError as exc:
                life.typed(op, exc)
        return None

    n = life.rng.randint(3, 30)
    task = life.created(
        step("create", lambda: ds.create(life.query, desired_num_results=n, key=life.key))
    )
    if task is None:
        return
    tid = task.id

    if step("wait", lambda: ds.wait(tid)) is None:
        return
    step("list_tasks", lambda: ds.list_tasks(limit=5))
    page_size = life.rng.randint(1, 12)
    got = step("iter_results", lambda: [r.id for r in ds.iter_results(tid, page_size=page_size)])
    if got is not None:
        life.check("iter_results", tid, got, ordered=True)

    try:
        ds.resume(tid, life.rng.randint(1, 8))
    except TaskExhaustedError as exc:
        life.typed("resume", exc)
    except ExtructError as exc:
        life.typed("resume", exc)  # may have acted: the stream below follows it either way
    page_size = life.rng.randint(1, 12)
    streamed = step(
        "stream_results",
        lambda: [r.id for r in ds.stream_results(tid, page_size=page_size)],
    )
    if streamed is not None:
        life.check("stream_results", tid, streamed, ordered=False)
    got = step("results", lambda: [r.id for r in ds.results(tid, page_size=50)])
    if got is not None:
        life.check("results", tid, got, ordered=True)
    life.stats.add(lifecycles_completed=1)


# Async lifecycle.


async def async_lifecycle(life: Lifecycle, requests: Callable[[], None]) -> None:
    cfg = life.cfg

    async def hook(request: httpx.Request) -> None:
        requests()

    async with httpx.AsyncClient(event_hooks={"request": [hook]}) as http:
        ds = AsyncDeepSearch(
            life.sb.token,
            base_url=life.sb.base_url,
            http_client=http,
            retry_policy=retry_policy(cfg),
            poll_interval=cfg.poll_interval,
            wait_timeout=cfg.wait_timeout,
            timeout=cfg.request_timeout,
        )

        async def step(op: str, fn: Callable[[], Any]) -> Any:
            for _ in range(cfg.create_attempts if op == "create" else cfg.step_attempts):
                try:
                    return await fn()
                except ExtructError as exc:
                    life.typed(op, exc)
            return None

        async def collect(page_size: int) -> list[str]:
            return [r.id async for r in ds.iter_results(tid, page_size=page_size)]

        async def stream(page_size: int) -> list[str]:
            return [r.id async for r in ds.stream_results(tid, page_size=page_size)]

        n = life.rng.randint(3, 30)
        task = life.created(
            await step("create", lambda: ds.create(life.query, desired_num_results=n, key=life.key))
        )
        if task is None:
            return
        tid = task.id
        if await step("wait", lambda: ds.wait(tid)) is None:
            return
        size = life.rng.randint(1, 12)
        got = await step("iter_results", lambda: collect(size))
        if got is not None:
            life.check("iter_results", tid, got, ordered=True)
        try:
            await ds.resume(tid, life.rng.randint(1, 8))
        except ExtructError as exc:
            life.typed("resume", exc)
        size2 = life.rng.randint(1, 12)
        streamed = await step("stream_results", lambda: stream(size2))
        if streamed is not None:
            life.check("stream_results", tid, streamed, ordered=False)
        life.stats.add(lifecycles_completed=1)


# The run.


def fault_rules(cfg: Config) -> list[FaultRule]:
    """Every kind on every endpoint, together firing on about ``rate`` of requests."""
    per_kind = cfg.rate / len(KINDS)
    rules = []
    for kind in KINDS:
        param = None
        if kind == "slow":
            param = cfg.slow_seconds  # above the request timeout: a read timeout
        elif kind == "429":
            param = 0.05  # Retry-After in seconds
        rules.append(FaultRule(endpoint="*", kind=kind, rate=per_kind, param=param))
    return rules


class RecoveryCounter(logging.Handler):
    """Counts the client's "recovered task ..." INFO lines."""

    def __init__(self, stats: Stats) -> None:
        super().__init__(logging.INFO)
        self.stats = stats

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith("recovered task"):
            self.stats.add(recovered=1)


def run(cfg: Config) -> dict[str, Any]:
    stats = Stats()
    counter = RecoveryCounter(stats)
    client_log = logging.getLogger("extruct_deep_search")
    client_log.addHandler(counter)
    level = client_log.level
    if not client_log.isEnabledFor(logging.INFO):
        client_log.setLevel(logging.INFO)
    started = time.monotonic()
    deadline = started + cfg.duration

    def count_request(request: httpx.Request | None = None) -> None:
        stats.add(requests=1)

    with Sandbox(seed=cfg.seed, speed=cfg.speed, faults=fault_rules(cfg)) as sb:
        found = sb.state.authenticate(sb.token)
        assert found is not None
        org = found[0]
        limits = httpx.Limits(max_connections=cfg.workers * 2)
        with httpx.Client(limits=limits, event_hooks={"request": [count_request]}) as http:

            def one(index: int) -> None:
                if time.monotonic() > deadline or stats.requests > cfg.max_requests:
                    return
                stats.add(lifecycles_started=1)
                life = Lifecycle(index, cfg, sb, stats, org)
                try:
                    if cfg.async_every and index % cfg.async_every == cfg.async_every - 1:
                        asyncio.run(async_lifecycle(life, count_request))
                    else:
                        sync_lifecycle(life, http)
                except BaseException as exc:
                    life.unhandled("lifecycle", exc)

            with ThreadPoolExecutor(max_workers=cfg.workers) as pool:
                list(pool.map(one, range(cfg.tasks)))

        counts = sb.fault_counts()
        sb.faults.clear()
        tasks = sb.state.list_tasks(org, None, None)
        created = sb.tasks_created(sb.token)

    client_log.removeHandler(counter)
    client_log.setLevel(level)
    per_query = Counter(t["query"] for t in tasks)
    extra_tasks = sum(n - 1 for q, n in per_query.items() if n > 1)
    unknown_tasks = sum(n for q, n in per_query.items() if q not in stats.queries)
    # Created, but no create() call ever returned it: paid for and lost to the caller.
    orphans = sum(
        1 for q, outcome in stats.queries.items() if outcome != "ok" and per_query.get(q, 0)
    )
    by_kind: Counter[str] = Counter()
    by_endpoint: dict[str, dict[str, int]] = {}
    for (endpoint, kind), n in counts.items():
        by_kind[kind] += n
        by_endpoint.setdefault(endpoint, {})[kind] = n
    create_faults = {k: n for (e, k), n in counts.items() if e == "create"}
    acted_create_faults = sum(n for k, n in create_faults.items() if k in ACTED)
    injected = sum(by_kind.values())
    surfaced = sum(stats.typed_errors.values())
    report: dict[str, Any] = {
        "config": {k: v for k, v in vars(cfg).items()},
        "wall_seconds": round(time.monotonic() - started, 2),
        "requests_sent": stats.requests,
        "lifecycles_intended": cfg.tasks,
        "lifecycles_started": stats.lifecycles_started,
        "lifecycles_completed": stats.lifecycles_completed,
        "faults_injected": injected,
        "faults_by_kind": dict(sorted(by_kind.items())),
        "faults_by_endpoint": {e: by_endpoint.get(e, {}) for e in ENDPOINTS if e in by_endpoint},
        "faults_survived": injected - surfaced,
        "typed_errors_surfaced": dict(sorted(stats.typed_errors.items())),
        "results_reads_checked": stats.reads,
        "results_expected": stats.results_expected,
        "results_received": stats.results_received,
        "results_lost": stats.lost,
        "results_duplicated": stats.duplicates,
        "results_unexpected": stats.unexpected_extra,
        "order_mismatches": stats.order_mismatches,
        "create_calls": stats.create_calls,
        "create_returned": stats.create_returned,
        "create_raised": stats.create_raised,
        "tasks_created": created,
        "tasks_recovered": stats.recovered,
        "orphan_tasks": orphans,
        "create_faults_after_acting": acted_create_faults,
        "extra_tasks": extra_tasks + unknown_tasks + max(0, created - stats.create_calls),
        "unhandled_exceptions": stats.unhandled,
        "mismatches": stats.mismatches[:50],
    }
    report["wrong_typed_errors"] = {
        name: n
        for name, n in stats.typed_errors.items()
        if name.split(": ")[1] not in FAULT_ERRORS.get(name.split(": ")[0], READ_FAULT_ERRORS)
    }
    report["passed"] = bool(
        report["results_lost"] == 0
        and report["results_duplicated"] == 0
        and report["results_unexpected"] == 0
        and report["order_mismatches"] == 0
        and report["extra_tasks"] == 0
        and created <= stats.create_calls
        and orphans == 0
        and not stats.unhandled
        and not report["wrong_typed_errors"]
        and stats.reads > 0
    )
    return report


def print_table(report: dict[str, Any]) -> None:
    rows = [
        ("wall time (s)", report["wall_seconds"]),
        ("requests sent", report["requests_sent"]),
        (
            "lifecycles (intended/started/completed)",
            f"{report['lifecycles_intended']}/{report['lifecycles_started']}"
            f"/{report['lifecycles_completed']}",
        ),
        ("faults injected", report["faults_injected"]),
        *((f"  {kind}", n) for kind, n in report["faults_by_kind"].items()),
        ("faults survived (not surfaced)", report["faults_survived"]),
        ("typed errors surfaced", sum(report["typed_errors_surfaced"].values())),
        *((f"  {name}", n) for name, n in report["typed_errors_surfaced"].items()),
        ("result reads checked", report["results_reads_checked"]),
        ("results expected", report["results_expected"]),
        ("results received", report["results_received"]),
        ("results lost", report["results_lost"]),
        ("results duplicated", report["results_duplicated"]),
        ("results unexpected", report["results_unexpected"]),
        ("order mismatches", report["order_mismatches"]),
        ("create() calls", report["create_calls"]),
        ("  returned a task", report["create_returned"]),
        ("  raised", report["create_raised"]),
        ("tasks created (sandbox)", report["tasks_created"]),
        ("  created, recovered", report["tasks_recovered"]),
        ("  created, never returned to a caller", report["orphan_tasks"]),
        ("extra tasks", report["extra_tasks"]),
        ("unhandled exceptions", len(report["unhandled_exceptions"])),
        ("wrong typed errors", report["wrong_typed_errors"] or 0),
        ("PASSED", report["passed"]),
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    for line in report["unhandled_exceptions"][:10]:
        print("UNHANDLED:", line)
    for item in report["mismatches"][:10]:
        print("MISMATCH:", item)


def parse_args(argv: list[str] | None = None) -> Config:
    d = Config()
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--tasks", type=int, default=d.tasks, help="lifecycles to run")
    p.add_argument("--duration", type=float, default=d.duration, help="stop starting after (s)")
    p.add_argument("--max-requests", type=int, default=d.max_requests)
    p.add_argument("--rate", type=float, default=d.rate, help="fault probability per request")
    p.add_argument("--seed", type=int, default=d.seed)
    p.add_argument("--speed", type=float, default=d.speed, help="sandbox speed")
    p.add_argument("--workers", type=int, default=d.workers, help="concurrent lifecycles")
    p.add_argument("--async-every", type=int, default=d.async_every, help="0: no async")
    p.add_argument("--max-retries", type=int, default=d.max_retries)
    p.add_argument("--request-timeout", type=float, default=d.request_timeout)
    p.add_argument("--json", dest="json_path", default=d.json_path, help="report file ('' none)")
    a = p.parse_args(argv)
    return Config(
        tasks=a.tasks,
        duration=a.duration,
        max_requests=a.max_requests,
        rate=a.rate,
        seed=a.seed,
        speed=a.speed,
        workers=a.workers,
        async_every=a.async_every,
        max_retries=a.max_retries,
        request_timeout=a.request_timeout,
        json_path=a.json_path or None,
    )


def main(argv: list[str] | None = None) -> int:
    cfg = parse_args(argv)
    report = run(cfg)
    print_table(report)
    if cfg.json_path:
        with open(cfg.json_path, "w", encoding="utf-8") as fh:
            json.dump(report, fh, indent=2, sort_keys=True)
        print(f"report written to {cfg.json_path}")
    return 0 if report["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
