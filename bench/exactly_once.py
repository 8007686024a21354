"""9. Exactly once: what keys, the journal and create recovery cost in requests and time."""

from __future__ import annotations

import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from common import (
    RequestLog,
    Section,
    Table,
    Target,
    done_at,
    fmt,
    median,
    request_kind,
    schedule_minimum,
)
from extruct_deep_search import DeepSearch, ExtructError, RetryPolicy
from extruct_deep_search.sandbox import Sandbox
from extruct_deep_search.sandbox.state import CreateInput

QUERY = "broad fintech infrastructure vendors for mid-market banks"
KINDS = ("create", "get", "list", "results", "other")
RUN_N = 50  # results of the run() comparison
RUN_SPEED = 10.0
RUN_POLL = 1.0  # simulated seconds
WINDOW = 4.0  # RetryPolicy.recovery_window, set explicitly (default 15 s)
TIMEOUT = 1.0  # client request timeout; the "slow" fault holds its answer SLOW seconds
SLOW = 2.0
PAD = 0.05  # seconds between recoveries: fewer than 50 tasks a second, one list page deep
ACTING = ("500", "502", "drop_after", "slow", "truncated", "non_json")
NOT_ACTING = ("503", "drop", "429_no_retry_after")
OLDER = (0, 100, 1000)


def counts(log: RequestLog) -> Counter[str]:
    return Counter(request_kind(m, p) for _, m, p in log.requests)


def shown(c: Counter[str]) -> str:
    """E.g. "1 create + 1 list": the kinds sent, in a fixed order."""
    return " + ".join(f"{c[k]} {k}" for k in KINDS if c.get(k)) or "none"


def timed(log: RequestLog, fn: Callable[[], Any]) -> tuple[float, Counter[str], Any]:
    """Seconds fn took, the requests it sent by kind, and its value (or the error)."""
    log.clear()
    started = time.perf_counter()
    try:
        value = fn()
    except ExtructError as exc:
        value = exc
    return time.perf_counter() - started, counts(log), value


def happy_path(quick: bool, tmp: Path) -> tuple[Section, dict[str, Any]]:
    """create() without a key, with a key (memory and SQLite journals), and re-attach."""
    repeats = 3 if quick else 30
    log = RequestLog()
    variants = [
        "create(q), no key",
        "create(q, key=K), memory journal",
        "create(q, key=K), SQLite journal",
        "create(q, key=K) again, memory journal (re-attach)",
        "create(q, key=K) again, SQLite journal (re-attach)",
    ]
    times: dict[str, list[float]] = {v: [] for v in variants}
    seen: dict[str, set[str]] = {v: set() for v in variants}
    run_rows = []
    runs_each = 1 if quick else 3
    extra = under = 0
    sent: dict[str, float] = {}
    with (
        Sandbox(seed=0, speed=RUN_SPEED) as sb,
        httpx.Client(event_hooks=log.hooks()) as http,
        DeepSearch(sb.token, base_url=sb.base_url, http_client=http) as mem,
        DeepSearch(
            sb.token, base_url=sb.base_url, http_client=http, journal=tmp / "journal.sqlite"
        ) as sql,
    ):
        for i in range(-2, repeats):  # two warm-ups
            key = f"bench-key-{i}"
            calls = [
                lambda: mem.create(QUERY, desired_num_results=10),
                lambda k=key: mem.create(QUERY, desired_num_results=10, key=k),
                lambda k=key: sql.create(QUERY, desired_num_results=10, key=k),
                lambda k=key: mem.create(QUERY, desired_num_results=10, key=k),
                lambda k=key: sql.create(QUERY, desired_num_results=10, key=k),
            ]
            for variant, call in zip(variants, calls, strict=True):
                seconds, c, value = timed(log, call)
                assert not isinstance(value, Exception), value
                if i >= 0:
                    times[variant].append(seconds)
                    seen[variant].add(shown(c))
        base = median(times[variants[0]])
        rows = [
            [
                v,
                " / ".join(sorted(seen[v])),
                fmt(median(times[v]) * 1000, 2),
                f"{median(times[v]) / base:.2f}x",
            ]
            for v in variants
        ]
        # run() vs run(key=...): the same requests, and the minimum.
        speed = sb.state.speed
        for label, client, key in [
            ("run(q)", mem, None),
            ("run(q, key=K), memory journal", mem, "run-mem"),
            ("run(q, key=K), SQLite journal", sql, "run-sql"),
        ]:
            got, minima = [], []
            for r in range(runs_each):
                log.clear()
                result = client.run(
                    QUERY,
                    desired_num_results=RUN_N,
                    poll_interval=RUN_POLL / speed,
                    page_size=50,
                    key=None if key is None else f"{key}-{r}",
                )
                finish = done_at(sb.state, result.task.id)
                got.append(len(log.requests))
                minima.append(schedule_minimum(log, finish, RUN_N, 50))
                extra += max(0, got[-1] - minima[-1])
                under += max(0, minima[-1] - got[-1])
            sent[label] = median(got)
            run_rows.append([label, " / ".join(map(str, got)), " / ".join(map(str, minima))])
    run_ok = extra == 0
    single = {v: seen[v] == {shown(Counter(create=1))} for v in variants[:3]}
    reattach = {v: seen[v] == {shown(Counter(get=1))} for v in variants[3:]}
    section = Section(
        title="9. Exactly once: keys, the journal and recovery",
        method=(
            f"In-process sandbox. Happy path: one `DeepSearch` with the default in-memory "
            f"journal and one with `journal=<file>.sqlite`, sharing an `httpx.Client` whose "
            f"event hooks count requests by kind. Each of {repeats} rounds (after 2 warm-ups) "
            "calls, in this order: `create(q)`; `create(q, key=K)` on each client (a new K per "
            "round); the same two again (re-attach). Wall time per call, median. Then `run(q)` "
            f"and `run(q, key=K)` on each journal ({RUN_N} results, poll every {RUN_POLL:g} "
            f"simulated s at speed {RUN_SPEED:g}, page size 50), against the minimum of "
            "section 1 (1 create + the polls a fixed-interval schedule needs + the pages). "
            "The poll count depends on where completion falls in the poll schedule, so each "
            "run is held to its own minimum; a run can come in one under it when a poll sent "
            "just before the task finished reaches the server just after and sees it done."
        ),
        tables=[
            Table(
                [
                    "call",
                    "requests by kind",
                    "median wall (ms)",
                    "vs no key",
                ],
                rows,
            ),
            Table(["call", "requests, each run", "minimum, each run"], run_rows),
        ],
    )
    section.targets += [
        Target(
            "happy path with key (memory or SQLite journal): 1 POST, 0 other requests",
            ", ".join(
                f"{'memory' if 'memory' in v else 'SQLite'}: {' / '.join(sorted(seen[v]))}"
                for v in variants[1:3]
            ),
            all(single.values()),
            "" if all(single.values()) else "see the table.",
        ),
        Target(
            "re-attach: 1 GET, 0 POST",
            ", ".join(
                f"{'memory' if 'memory' in v else 'SQLite'}: {' / '.join(sorted(seen[v]))}"
                for v in variants[3:]
            ),
            all(reattach.values()),
            "" if all(reattach.values()) else "see the table.",
        ),
        Target(
            "run(key) requests == run() requests == minimum",
            f"{extra} request(s) over the minimum ({under} under) in {len(run_rows) * runs_each} "
            "runs; median requests " + ", ".join(f"{k}: {v:g}" for k, v in sent.items()),
            run_ok,
            "" if run_ok else "a run sent more than the minimum; see the table.",
        ),
    ]
    ratios = {
        "memory": median(times[variants[1]]) / base,
        "sqlite": median(times[variants[2]]) / base,
    }
    return section, ratios


def recovery(quick: bool) -> tuple[list[list[str]], list[list[str]], dict[str, Any]]:
    """Each fault kind on the create, with K older tasks in the list."""
    older = (0, 100) if quick else OLDER
    policy = RetryPolicy(recovery_window=WINDOW)
    log = RequestLog()
    rows: list[list[str]] = []
    page_rows: list[list[str]] = []
    pages_by: dict[tuple[str, int], set[int]] = {}
    facts: dict[str, Any] = {"wrong": [], "acting_requests": set(), "ms": {}}
    for k in older:
        with (
            Sandbox(seed=0, speed=RUN_SPEED) as sb,
            httpx.Client(event_hooks=log.hooks()) as http,
            DeepSearch(
                sb.token, base_url=sb.base_url, http_client=http, timeout=TIMEOUT,
                retry_policy=policy,
            ) as ds,
        ):  # fmt: skip
            for i in range(k):
                sb.state.create_task(
                    "org_a", CreateInput(query=f"older {i}", desired_num_results=5)
                )
            time.sleep(1.5)  # the older tasks predate any recovery window
            for kind in ACTING + NOT_ACTING:
                n = 1 if quick else (3 if kind in ("drop", "slow") else 10)
                seconds: list[float] = []
                seen: set[str] = set()
                outcomes: set[str] = set()
                for _ in range(n):
                    time.sleep(PAD)
                    spec = f"create:slow={SLOW:g}*1" if kind == "slow" else f"create:{kind}*1"
                    sb.faults.add(spec)
                    before = sb.tasks_created()
                    query = f"{QUERY} {kind}"  # earlier runs' tasks are claimed: never adopted
                    took, c, value = timed(
                        log, lambda q=query: ds.create(q, desired_num_results=10)
                    )
                    made = sb.tasks_created() - before
                    if isinstance(value, Exception):
                        outcomes.add(type(value).__name__)
                        ok = made == 0 and kind in NOT_ACTING
                    else:
                        outcomes.add("recovered task")
                        ok = made == 1 and kind in ACTING and value.query == query
                    if not ok:
                        facts["wrong"].append((kind, k, repr(value)[:200], made))
                    seconds.append(took)
                    seen.add(shown(c))
                    pages_by.setdefault((kind, k), set()).add(c.get("list", 0))
                if k == 0:
                    if kind in ACTING:
                        facts["acting_requests"] |= seen
                        facts["ms"][kind] = median(seconds) * 1000
                    rows.append(
                        [
                            kind,
                            "yes" if kind in ACTING else "no",
                            " / ".join(sorted(outcomes)),
                            " / ".join(sorted(seen)),
                            fmt(median(seconds) * 1000, 0),
                            str(n),
                        ]
                    )
    for kind in ACTING + NOT_ACTING:
        page_rows.append([kind] + ["/".join(map(str, sorted(pages_by[(kind, k)]))) for k in older])
    facts["pages"] = pages_by
    fast = [v for kind, v in facts["ms"].items() if kind != "slow"]
    facts["fast_ms"] = (min(fast), max(fast))
    facts["slow_ms"] = facts["ms"]["slow"]
    facts["older"] = older
    return rows, page_rows, facts


def measure(quick: bool) -> Section:
    with tempfile.TemporaryDirectory() as tmp:
        section, ratios = happy_path(quick, Path(tmp))
    rows, page_rows, facts = recovery(quick)
    older = facts["older"]
    section.method += (
        f" Recovery: a fresh in-process sandbox per K, with K older tasks of other queries "
        f"created 1.5 s before (so outside any recovery window); one fault rule on the next "
        f"create, then `create(q)` on a client with `timeout={TIMEOUT:g}` s and "
        f"`RetryPolicy(recovery_window={WINDOW:g})` (set explicitly; the default is 15 s). "
        f"The `slow` fault holds its answer {SLOW:g} s, past the timeout. Each fault is "
        f"measured {PAD * 1000:.0f} ms apart, and the sandbox's task count before and after "
        "tells whether it created a task; a recovered task must carry the create's query "
        "(one query per fault kind: the tasks of earlier runs, claimed by this client, are "
        "never adopted). "
        "Recovery reads list pages of 50."
    )
    section.tables += [
        Table(
            [
                "fault on the create (K=0)",
                "server created the task",
                "create() returned",
                "requests by kind",
                "median wall (ms)",
                "runs",
            ],
            rows,
        ),
        Table(
            ["fault", *(f"list pages read, K={k:,} older tasks" for k in older)],
            page_rows,
        ),
    ]
    flat = {kind: max(max(facts["pages"][(kind, k)]) for k in older) for kind in ACTING}
    grows = any(
        facts["pages"][(kind, older[-1])] != facts["pages"][(kind, older[0])] for kind in ACTING
    )
    wrong = facts["wrong"]
    section.targets += [
        Target(
            "every acting fault: create() returns the task the server made (1 POST, no second "
            "task); every non-acting one raises and nothing was made",
            f"{len(wrong)} exception(s) to that; recovered with "
            + " / ".join(sorted(facts["acting_requests"]))
            + f" in {facts['fast_ms'][0]:.0f}-{facts['fast_ms'][1]:.0f} ms median "
            f"(slow: {facts['slow_ms']:.0f} ms, the {TIMEOUT:g} s timeout included)",
            not wrong,
            "" if not wrong else f"first: {wrong[:3]}",
        ),
        Target(
            f"recovery reads as many list pages with {older[-1]:,} older tasks as with none "
            "(it pages only as far as the time window)",
            ", ".join(f"{k}: {v}" for k, v in flat.items()) + " page(s) at most",
            not grows,
            "" if not grows else "see the pages table.",
        ),
    ]
    section.notes += [
        f"The happy path's cost of a key is local: a journal write before the POST and one "
        f"after (median {ratios['memory']:.2f}x a keyless create with the memory journal, "
        f"{ratios['sqlite']:.2f}x with SQLite, whose writes are fsync'd transactions), and "
        "no request.",
        "Acting faults: the server made the task, then answered 500/502, an unreadable 200 "
        "(truncated, non_json), nothing (drop_after), or too late (slow). The create is not "
        "re-sent (it may have acted); recovery reads the newest list page, finds the task "
        "by query, target and time, and create() returns it: 1 POST + 1 list page. slow's "
        f"wall time is the {TIMEOUT:g} s timeout plus that page.",
        "Not acting: 503 is an answer (the server is done with the request), so one pass "
        "over the list decides and the ServerError is raised at once, its message saying no "
        "task was found. drop (connection closed before acting) may still be landing, so "
        f"recovery looks again with growing pauses (0.5, 1, 2 s, ...) until the recovery "
        f"window ({WINDOW:g} s) after the failure, then raises the APIConnectionError: its "
        "time is the window. 429 without Retry-After is a refusal (quota): raised at once, "
        "no recovery.",
    ]
    return section
