"""1. Round trips for a full task: run() vs the minimum, and vs a naive curl-style loop."""

from __future__ import annotations

import itertools
import time

import httpx
from common import (
    TOKEN,
    RequestLog,
    Section,
    Table,
    Target,
    done_at,
    fmt,
    kind,
    median,
    schedule_minimum,
)
from extruct_deep_search import DeepSearch
from extruct_deep_search.sandbox import Sandbox

QUERY = "broad fintech infrastructure vendors for mid-market banks"
PAGE = 50


def naive_loop(http: httpx.Client, base_url: str, n: int, interval: float) -> tuple[str, int]:
    """The seed docs' way: create, poll every `interval` until status=done or
    is_exhausted, then page with limit 50 until a short page. Returns (task id, results)."""
    auth = {"Authorization": f"Bearer {TOKEN}"}
    task = http.post(
        f"{base_url}/v1/discovery_tasks",
        json={"query": QUERY, "desired_num_results": n},
        headers=auth,
    ).json()
    while True:
        time.sleep(interval)
        task = http.get(f"{base_url}/v1/discovery_tasks/{task['id']}", headers=auth).json()
        if task["status"] == "done" or task["is_exhausted"]:
            break
    results: list[dict] = []
    offset = 0
    while True:
        page = http.get(
            f"{base_url}/v1/discovery_tasks/{task['id']}/results",
            params={"offset": offset, "limit": PAGE},
            headers=auth,
        ).json()["results"]
        results += page
        offset += PAGE
        if len(page) < PAGE:
            break
    return task["id"], len(results)


def measure(quick: bool) -> Section:
    speed = 40.0 if quick else 10.0
    repeats = 1 if quick else 3
    fast_poll = 1.0  # simulated seconds
    configs = [
        ("wrapper run(), poll 1 s", fast_poll),
        ("wrapper run(), default poll 10 s", 10.0),
        ("naive curl-style loop, poll 15 s", 15.0),
    ]
    rows: list[list[str]] = []
    extra_total = 0
    wrapper_runs = 0
    min_gap = float("inf")
    log = RequestLog()
    with Sandbox(seed=0, speed=speed) as sb, httpx.Client(event_hooks=log.hooks()) as http:
        ds = DeepSearch(sb.token, base_url=sb.base_url, http_client=http)
        ds.run(QUERY, desired_num_results=5, poll_interval=0.05)  # warm-up, discarded
        for n in (50, 137, 250):
            for label, interval_sim in configs:
                counts: list[dict[str, int]] = []
                minima: list[int] = []
                latencies: list[float] = []
                durations: list[float] = []
                for _ in range(repeats):
                    log.clear()
                    started = time.time()
                    if label.startswith("naive"):
                        task_id, got = naive_loop(http, sb.base_url, n, interval_sim / speed)
                    else:
                        result = ds.run(
                            QUERY,
                            desired_num_results=n,
                            poll_interval=interval_sim / speed,
                            page_size=PAGE,
                        )
                        task_id, got = result.task.id, len(result.results)
                    finished = time.time()
                    assert got == n, (got, n)
                    finish = done_at(sb.state, task_id)
                    created = next(t for t, m, _, _ in log.responses if m == "POST")
                    poll_times = [t for t, m, p in log.requests if kind(m, p) == "poll"]
                    looks = [created, *poll_times]
                    gaps = [b - a for a, b in itertools.pairwise(looks)]
                    if gaps:
                        min_gap = min(min_gap, min(gaps) * speed / interval_sim)
                    minimum = schedule_minimum(log, finish, n, PAGE)
                    counts.append(log.kinds())
                    minima.append(minimum)
                    latencies.append(finished - started)
                    durations.append((finish - started) * speed)
                    if not label.startswith("naive"):
                        wrapper_runs += 1
                        extra_total += max(0, sum(log.kinds().values()) - minimum)
                k = counts[len(counts) // 2]
                total = sum(k.values())
                rows.append(
                    [
                        str(n),
                        label,
                        f"{total} ({k['create']} + {k['poll']} + {k['page']})",
                        str(minima[len(minima) // 2]),
                        fmt(median(durations), 1),
                        fmt(median(latencies) * speed, 1),
                        fmt(median(latencies), 2),
                    ]
                )
    section = Section(
        title="1. Round trips for a full task",
        method=(
            f"In-process sandbox at speed {speed:g} (1 simulated second = {1 / speed:g} s real); "
            f'query "{QUERY}" (a pool that always reaches 250 results), page size {PAGE}. '
            "Requests are counted with an httpx event hook on the client passed as "
            "`http_client=`. Minimum = 1 create + the polls a fixed-interval schedule needs "
            "(every poll sent before the sandbox finished the task, provided polls are at "
            "least one interval apart, plus the one poll that sees it done; the create "
            "response counts as the first look) + ceil(n/50) pages, plus one page when n is a multiple of 50. The naive "
            "loop is the seed docs' recipe: poll GET task every 15 s until status=done or "
            "is_exhausted, then page with limit=50 until a short page. Poll intervals and "
            f"latencies are in simulated seconds (real seconds x {speed:g}); medians of "
            f"{repeats} run(s) after a discarded warm-up."
        ),
        tables=[
            Table(
                [
                    "n",
                    "client",
                    "requests (create + polls + pages)",
                    "minimum",
                    "task duration (sim s)",
                    "create to all results (sim s)",
                    "real s",
                ],
                rows,
            )
        ],
    )
    section.targets.append(
        Target(
            "run() round trips equal the minimum",
            f"{extra_total} extra request(s) over {wrapper_runs} wrapper runs",
            extra_total == 0,
            ""
            if extra_total == 0
            else "run() sent more requests than the schedule needs; see the table.",
        )
    )
    section.targets.append(
        Target(
            "no poll sooner than one interval after the previous look (so the poll count "
            "above is the schedule's minimum)",
            f"smallest gap = {min_gap:.2f} x the interval",
            min_gap >= 0.99,
            "" if min_gap >= 0.99 else "a poll was sent early.",
        )
    )
    section.notes.append(
        "Poll gaps exceed the interval by the request time (the wrapper sleeps a full "
        "interval after each response), so a 250-result task at a 1 s interval can "
        "need fewer polls than duration/interval."
    )
    section.notes.append(
        "With the same page size the naive loop sends as many page requests as run(); it "
        "differs in how long it takes to notice completion (a 15 s interval vs the "
        "wrapper's configurable one) and in its completion rule (is_exhausted can end it "
        "before evaluation finishes on small pools)."
    )
    return section
