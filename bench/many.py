"""8. Many searches: run_many (polls through the task list) vs one wait() per task.

Each measurement runs in a fresh client process (``python bench/many.py --child``)
against one sandbox subprocess, so the client's CPU time and peak memory are its own.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
from common import (
    SANDBOX_PIDS,
    TOKEN,
    Section,
    Table,
    Target,
    fmt,
    median,
    own_durations,
    proc_status_kib,
    process_cpu,
    request_kind,
    sandbox_process,
)

QUERIES = 10  # distinct queries (the sandbox caches 32 scorings); task i uses query i % QUERIES
DESIRED = 5
# Sandbox speed per N: a 5-result task runs ~3 s at 0.1, several poll cycles. At N=1,000
# the sandbox needs ~12 s to create the tasks (~10 ms each), so there tasks must run
# longer (~14 s at 0.02) to be still running when the waits start polling.
SPEEDS = {10: 0.1, 100: 0.1, 1000: 0.02}
POLL = 0.5  # seconds, both approaches
PAGE = 50  # results page size: one results page per task (DESIRED < PAGE)
LIST_LIMIT = 100  # run_many's list page size (_batch.LIST_LIMIT)
MEMORY_GOAL_MB = 300


def query(i: int) -> str:
    return f"vertical saas vendors segment {i % QUERIES} pool:80"


class Log:
    """Every request in order: (kind, task id or list offset)."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, str]] = []

    async def hook(self, request: httpx.Request) -> None:
        what = request.method, request.url.path
        k = request_kind(*what)
        if k == "list":
            ref = request.url.params.get("offset", "0")
        elif k in ("get", "results"):
            ref = request.url.path.split("/")[3]
        else:
            ref = ""
        self.rows.append((k, ref))


def list_cycles(rows: list[tuple[str, str]]) -> list[dict[str, int]]:
    """run_many's poll cycles: each starts with a list read at offset 0.

    Per cycle: tasks active at its start (created, results not yet read), list
    pages, task GETs, results pages, and tasks whose results were first read in it.
    """
    cycles: list[dict[str, int]] = []
    created = 0
    finished: set[str] = set()
    for k, ref in rows:
        if k == "create":
            created += 1
        elif k == "list" and ref == "0":
            active = created - len(finished)
            cycles.append({"active": active, "list": 0, "get": 0, "results": 0, "finished": 0})
        if not cycles:
            continue
        if k in ("list", "get", "results"):
            cycles[-1][k] += 1
        if k == "results" and ref not in finished:
            finished.add(ref)
            cycles[-1]["finished"] += 1
    return cycles


def wait_cycles(rows: list[tuple[str, str]]) -> list[int]:
    """One wait() per task: each polls once per interval, so cycle k holds every
    task's k-th GET. Returns the status GETs of each cycle."""
    per_task = Counter(ref for k, ref in rows if k == "get")
    most = max(per_task.values(), default=0)
    return [sum(1 for n in per_task.values() if n >= k) for k in range(1, most + 1)]


async def _child(base_url: str, approach: str, n: int) -> dict[str, Any]:
    from extruct_deep_search import AsyncDeepSearch, Search

    log = Log()
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
    async with httpx.AsyncClient(limits=limits, event_hooks={"request": [log.hook]}) as http:
        ds = AsyncDeepSearch(TOKEN, base_url=base_url, http_client=http, poll_interval=POLL)
        rss0 = proc_status_kib("VmRSS")
        started = time.perf_counter()
        cpu0 = time.process_time()
        errors: list[str] = []
        results = 0
        if approach == "run_many":
            searches = [
                Search(query(i), key=f"many-{n}-{i}", desired_num_results=DESIRED) for i in range(n)
            ]
            async for outcome in ds.run_many(searches, max_active=n, page_size=PAGE):
                if outcome.error is not None:
                    errors.append(repr(outcome.error))
                results += len(outcome.results)
        else:
            tasks = await asyncio.gather(
                *(ds.create(query(i), desired_num_results=DESIRED) for i in range(n))
            )

            async def finish(task_id: str) -> int:
                await ds.wait(task_id)
                return len(await ds.results(task_id, page_size=PAGE))

            counts = await asyncio.gather(*(finish(t.id) for t in tasks), return_exceptions=True)
            errors += [repr(c) for c in counts if isinstance(c, BaseException)]
            results = sum(c for c in counts if isinstance(c, int))
        wall = time.perf_counter() - started
        cpu = time.process_time() - cpu0
    kinds = Counter(k for k, _ in log.rows)
    return {
        "approach": approach,
        "n": n,
        "wall": wall,
        "cpu": cpu,
        "kinds": dict(kinds),
        "requests": len(log.rows),
        "list_cycles": list_cycles(log.rows) if approach == "run_many" else [],
        "wait_cycles": wait_cycles(log.rows) if approach != "run_many" else [],
        "errors": len(errors),
        "first_errors": errors[:3],
        "results": results,
        "rss_start_kib": rss0,
        "hwm_kib": proc_status_kib("VmHWM"),
    }


def run_child(base_url: str, approach: str, n: int) -> dict[str, Any]:
    args = [sys.executable, str(Path(__file__)), "--child", base_url, approach, str(n)]
    proc = subprocess.run(args, capture_output=True, text=True, check=True, timeout=900)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def per_cycle(run: dict[str, Any]) -> tuple[float, int, int]:
    """Status requests (list pages + task GETs) per poll cycle: mean, max, and cycles."""
    if run["approach"] == "run_many":
        counts = [c["list"] + c["get"] for c in run["list_cycles"]]
    else:
        counts = run["wait_cycles"]
    if not counts:
        return 0.0, 0, 0
    return sum(counts) / len(counts), max(counts), len(counts)


def over_bound(run: dict[str, Any]) -> tuple[int, int]:
    """Cycles whose requests exceed ceil(active / limit) + finished that cycle, and cycles."""
    over = 0
    for c in run["list_cycles"]:
        bound = math.ceil(c["active"] / LIST_LIMIT) + c["finished"]
        over += c["list"] + c["get"] + c["results"] > bound
    return over, len(run["list_cycles"])


def pick(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median wall time."""
    return sorted(runs, key=lambda r: r["wall"])[len(runs) // 2]


LABELS = {"run_many": "run_many", "wait": "create all, then one wait() + results() per task"}


def measure(quick: bool) -> Section:
    sizes = (10, 100) if quick else (10, 100, 1000)
    repeats = {10: 1, 100: 1} if quick else {10: 3, 100: 3, 1000: 1}
    rows = []
    by: dict[tuple[str, int], dict[str, Any]] = {}
    durations: dict[float, list[float]] = {}
    for speed in sorted({SPEEDS[n] for n in sizes}, reverse=True):
        durations[speed] = own_durations([query(i) for i in range(QUERIES)], DESIRED, speed)
        with sandbox_process(speed=speed) as base_url:
            run_child(base_url, "run_many", 10)  # warm-ups, discarded
            run_child(base_url, "wait", 10)
            for n in (n for n in sizes if SPEEDS[n] == speed):
                runs: dict[str, list[dict[str, Any]]] = {"run_many": [], "wait": []}
                for _ in range(repeats[n]):
                    for approach, done in runs.items():  # side by side, alternating
                        cpu0 = process_cpu(SANDBOX_PIDS[base_url])
                        run = run_child(base_url, approach, n)
                        run["sandbox_cpu"] = process_cpu(SANDBOX_PIDS[base_url]) - cpu0
                        done.append(run)
                for approach, done in runs.items():
                    run = by[(approach, n)] = pick(done)
                    run["cpu_median"] = median([r["cpu"] for r in done])
                    k = run["kinds"]
                    mean, most, cycles = per_cycle(run)
                    own = durations[speed]
                    rows.append(
                        [
                            str(n),
                            LABELS[approach]
                            + (f", max_active={n}" if approach == "run_many" else ""),
                            f"{speed:g} ({min(own):.1f}-{max(own):.1f} s)",
                            str(sum(r["errors"] for r in done)),
                            f"{mean:.1f} (max {most}, {cycles} cycles)",
                            f"{run['requests']} = {k.get('create', 0)} + {k.get('get', 0)} + "
                            f"{k.get('list', 0)} + {k.get('results', 0)}",
                            fmt(median([r["wall"] for r in done]), 1),
                            fmt(median([r["cpu"] for r in done]), 2),
                            fmt(median([r["sandbox_cpu"] for r in done]), 1),
                            fmt(run["hwm_kib"] / 1024, 0),
                        ]
                    )
    big = sizes[-1]
    mem_rows = [
        [
            LABELS[a],
            fmt(by[(a, big)]["rss_start_kib"] / 1024, 0),
            fmt(by[(a, big)]["hwm_kib"] / 1024, 0),
            fmt((by[(a, big)]["hwm_kib"] - by[(a, big)]["rss_start_kib"]) / 1024, 1),
        ]
        for a in ("run_many", "wait")
    ]
    worst = max(by[(a, big)]["hwm_kib"] for a in ("run_many", "wait")) / 1024
    over, cycles = over_bound(by[("run_many", 100)])
    rm, wt = by[("run_many", 100)], by[("wait", 100)]
    section = Section(
        title="8. Many searches: run_many vs one wait() per task",
        method=(
            "Sandbox in a subprocess; each run is a fresh client process with one "
            "`AsyncDeepSearch` (poll_interval="
            f"{POLL} s, max_concurrent_requests 20, the default) on an `httpx.AsyncClient` "
            f"(Limits(100)); both approaches use the async client. Searches ask for {DESIRED} "
            f"results ({QUERIES} distinct queries, 80-candidate pools), read with page size "
            f"{PAGE}: one results page each. **run_many**: `run_many(searches, "
            f"max_active=N, page_size={PAGE})` with explicit keys "
            "(in-memory journal): all N run at once, as in the baseline. **one wait() "
            "per task**: `asyncio.gather` of N `create()`, then `asyncio.gather` of N "
            "`wait()` + `results()`, all N at once. Sandbox speed per N (the column gives the "
            "sandbox's own task duration, from its state machine): at N=1,000 the sandbox "
            "needs about 12 s to create the tasks (~10 ms each), so tasks run ~14 s there "
            "to be still running when the waits poll. Requests are counted by kind with an "
            "httpx request hook. A poll cycle: for run_many, one pass of its poll loop, "
            "which starts with the list read at offset 0 (status requests = list pages + "
            "task GETs until the next pass); for wait(), one poll interval, in which each "
            "waiting task sends one GET (cycle k = every task's k-th GET, so mean = task "
            "GETs / the most GETs one task sent). Client CPU: `time.process_time()` of the "
            "client process over the run; sandbox CPU from /proc. Memory: the client "
            "process's VmHWM (peak resident set, /proc/self/status) after the run, and its "
            "VmRSS just before it (interpreter, httpx, the client, the bench's imports). "
            f"N=10 and 100: the run with the median wall time of {repeats[10]} alternating "
            "run(s) after a warm-up of each (wall, CPU: medians); N=1,000: one run each."
        ),
        tables=[
            Table(
                [
                    "N",
                    "approach",
                    "sandbox speed (own task duration)",
                    "errors",
                    "status requests per poll cycle: mean (max, cycles)",
                    "requests = create + task GET + list GET + results GET",
                    "wall (s)",
                    "client CPU (s)",
                    "sandbox CPU (s)",
                    "client peak RSS (MiB)",
                ],
                rows,
            ),
            Table(
                [f"N={big:,}", "RSS before the run (MiB)", "peak RSS (MiB)", "peak - before (MiB)"],
                mem_rows,
            ),
        ],
    )
    section.targets.append(
        Target(
            f"peak memory at {big:,} searches < {MEMORY_GOAL_MB} MB (client peak RSS, both "
            "approaches)",
            f"run_many {by[('run_many', big)]['hwm_kib'] / 1024:.0f} MiB, wait() per task "
            f"{by[('wait', big)]['hwm_kib'] / 1024:.0f} MiB",
            worst < MEMORY_GOAL_MB,
            "" if worst < MEMORY_GOAL_MB else "see the memory table.",
        )
    )
    section.targets.append(
        Target(
            "requests per poll cycle at 100 active <= ceil(100/limit) + finished that cycle "
            f"(run_many, limit {LIST_LIMIT}; every cycle of the N=100 run)",
            f"{over} of {cycles} cycles over; mean {per_cycle(rm)[0]:.1f} status request(s) a "
            f"cycle vs {per_cycle(wt)[0]:.1f} for one wait() per task",
            over == 0 and cycles > 0,
            "" if over == 0 and cycles > 0 else "a cycle sent task GETs the list pages missed.",
        )
    )
    section.notes.append(
        f"At N=100, run_many sent {rm['requests']} requests against {wt['requests']} "
        f"({1 - rm['requests'] / wt['requests']:.0%} fewer) and used {rm['cpu_median']:.2f} s "
        f"of client CPU against {wt['cpu_median']:.2f} s (medians); the difference is all status polls: "
        f"{rm['kinds'].get('list', 0)} list pages + {rm['kinds'].get('get', 0)} task GETs "
        f"against {wt['kinds'].get('get', 0)} task GETs. Creates and results pages are the "
        "same, one each per search."
    )
    if big >= 1000:
        r1, w1 = by[("run_many", big)], by[("wait", big)]
        section.notes.append(
            f"At N={big:,}: run_many {r1['requests']} requests, {r1['cpu']:.1f} s client CPU, "
            f"{r1['wall']:.0f} s wall; wait() per task {w1['requests']} requests, "
            f"{w1['cpu']:.1f} s client CPU, {w1['wall']:.0f} s wall; both run all "
            f"{big:,} at once. A run_many cycle reads up to ceil({big:,}/{LIST_LIMIT}) list "
            "pages while every task runs, fewer as they finish: "
            f"{max((c['list'] for c in r1['list_cycles']), default=0)} at most."
        )
    section.notes.append(
        "The wait() cycles stretch beyond the poll interval when the client is CPU-bound "
        "(many waits, one event loop): fewer cycles than task duration / interval."
    )
    return section


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", nargs=3, metavar=("BASE_URL", "APPROACH", "N"), required=True)
    args = parser.parse_args()
    base_url, approach, n = args.child
    print(json.dumps(asyncio.run(_child(base_url, approach, int(n)))))


if __name__ == "__main__":
    main()
