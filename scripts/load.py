"""Load: one AsyncDeepSearch waiting on many concurrent tasks through a bounded pool.

Starts a sandbox in a subprocess (so its CPU and memory are not counted as the
client's), creates ``--tasks`` tasks at once and waits on all of them with a
single AsyncDeepSearch whose httpx.AsyncClient has
``httpx.Limits(max_connections=--max-connections)``. Records: tasks created and
completed, requests sent, requests per second, peak open connections to the
sandbox (sampled from /proc/net/tcp, cross-checked with the httpx pool size),
peak client memory (ru_maxrss) and wall time. Exits non-zero unless every task
completed, the sandbox holds exactly one task per create, and the httpx pool
never held more connections than the limit.

Usage::

    python scripts/load.py --tasks 500 --max-connections 20 --json .load-report.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from extruct_deep_search import AsyncDeepSearch, ExtructError, RetryPolicy
from extruct_deep_search.sandbox import SandboxProcess


def established_to(port: int) -> int | None:
    """Open TCP connections whose remote port is ``port`` (Linux /proc), else None."""
    total = 0
    found = False
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(name).read_text().splitlines()[1:]
        except OSError:
            continue
        found = True
        for line in lines:
            fields = line.split()
            remote, state = fields[2], fields[3]
            if state == "01" and int(remote.rsplit(":", 1)[1], 16) == port:
                total += 1
    return total if found else None


def pool_size(http: httpx.AsyncClient) -> int | None:
    pool = getattr(getattr(http, "_transport", None), "_pool", None)
    conns = getattr(pool, "connections", None)
    return len(conns) if conns is not None else None


async def run_load(
    sandbox: SandboxProcess, tasks: int, max_connections: int, poll_interval: float, num: int
) -> dict[str, Any]:
    url, token = sandbox.base_url, sandbox.token
    port = urlsplit(url).port or 80
    requests = 0
    peak_tcp = 0
    peak_pool = 0
    tcp_available = established_to(port) is not None

    async def count(request: httpx.Request) -> None:
        nonlocal requests
        requests += 1

    limits = httpx.Limits(
        max_connections=max_connections, max_keepalive_connections=max_connections
    )
    errors: list[str] = []
    async with httpx.AsyncClient(limits=limits, event_hooks={"request": [count]}) as http:
        ds = AsyncDeepSearch(
            token,
            base_url=url,
            http_client=http,
            timeout=httpx.Timeout(30.0, pool=120.0),
            retry_policy=RetryPolicy(max_retries=5, base_delay=0.1, max_delay=1.0),
            poll_interval=poll_interval,
            wait_timeout=600,
        )
        stop = asyncio.Event()

        async def sample() -> None:
            nonlocal peak_tcp, peak_pool
            while not stop.is_set():
                if tcp_available:
                    peak_tcp = max(peak_tcp, established_to(port) or 0)
                peak_pool = max(peak_pool, pool_size(http) or 0)
                await asyncio.sleep(0.02)

        async def one(i: int) -> str:
            task = await ds.create(
                f"load #{i}: B2B payroll software for restaurants", desired_num_results=num
            )
            done = await ds.wait(task.id)
            return str(done.status)

        sampler = asyncio.create_task(sample())
        started = time.monotonic()
        outcomes = await asyncio.gather(*(one(i) for i in range(tasks)), return_exceptions=True)
        wall = time.monotonic() - started
        stop.set()
        await sampler
        statuses: dict[str, int] = {}
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                kind = "typed" if isinstance(outcome, ExtructError) else "UNHANDLED"
                errors.append(f"{kind} {type(outcome).__name__}: {outcome}"[:300])
            else:
                statuses[outcome] = statuses.get(outcome, 0) + 1
        control = await http.get(
            f"{url}/_sandbox/faults", headers={"Authorization": f"Bearer {token}"}
        )
        created = int(control.json()["tasks_created"])
    return {
        "tasks": tasks,
        "max_connections": max_connections,
        "desired_num_results": num,
        "poll_interval": poll_interval,
        "completed": statuses.get("done", 0),
        "statuses": statuses,
        "errors": errors[:20],
        "error_count": len(errors),
        "tasks_created_at_sandbox": created,
        "requests_sent": requests,
        "wall_seconds": round(wall, 2),
        "requests_per_second": round(requests / wall, 1) if wall else None,
        "peak_connections_tcp": peak_tcp if tcp_available else None,
        "peak_connections_pool": peak_pool,
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--tasks", type=int, default=500)
    p.add_argument("--max-connections", type=int, default=20)
    p.add_argument("--poll-interval", type=float, default=0.5)
    p.add_argument("--num", type=int, default=5, help="desired_num_results per task")
    p.add_argument("--speed", type=float, default=10.0, help="sandbox speed")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", dest="json_path", default=".load-report.json", help="'' for none")
    a = p.parse_args(argv)
    with SandboxProcess(seed=a.seed, speed=a.speed) as sandbox:
        report = asyncio.run(run_load(sandbox, a.tasks, a.max_connections, a.poll_interval, a.num))
    # The pool size is the limit httpx enforces. The TCP count is what the OS
    # sees: it can briefly exceed the limit while an evicted connection is
    # still being closed, so it is reported, not judged.
    report["passed"] = (
        report["completed"] == a.tasks
        and report["error_count"] == 0
        and report["tasks_created_at_sandbox"] == a.tasks
        and report["peak_connections_pool"] <= a.max_connections
    )
    report["command"] = " ".join(["python", "scripts/load.py", *(argv or sys.argv[1:])])
    width = max(map(len, report))
    for key, value in report.items():
        print(f"{key:<{width}}  {value}")
    if a.json_path:
        Path(a.json_path).write_text(json.dumps(report, indent=2, sort_keys=True) + "\n")
        print(f"report written to {a.json_path}")
    return 0 if report["passed"] else 1


if __name__ == "__main__":
    os.environ.pop("EXTRUCT_SANDBOX_PROXY_URL", None)
    sys.exit(main())
