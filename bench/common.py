"""Shared helpers for the benchmarks: statistics, the report model, sandboxes,
the sandbox's own completion time, and request counting.

Every benchmark module exposes ``measure(quick: bool) -> Section``; ``run.py``
calls them in order and renders the sections into BENCHMARKS.md.
"""

from __future__ import annotations

import math
import os
import platform
import statistics
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from extruct_deep_search.sandbox import SandboxProcess

TOKEN = "sbx_org_a_token_1"  # the sandbox's organization-A token (sandbox/server.py)


# Statistics.


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100), linear interpolation between closest ranks."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    pos = (len(ordered) - 1) * q / 100
    low = math.floor(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def fmt(value: float, digits: int = 2) -> str:
    return f"{value:.{digits}f}"


# The report model.


@dataclass
class Target:
    """One target: what it asks, what we measured, whether it is met, and why not."""

    text: str
    measured: str
    met: bool
    why: str = ""


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]


@dataclass
class Section:
    title: str
    method: str
    tables: list[Table] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0


# The machine.


def machine() -> dict[str, str]:
    cpu = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    ram = "unknown"
    try:
        with open("/proc/meminfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                    break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "ram": ram,
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "os": platform.platform(),
        "httpx": httpx.__version__,
    }


def loadavg() -> str:
    try:
        return " / ".join(f"{v:.2f}" for v in os.getloadavg())
    except OSError:  # pragma: no cover
        return "unknown"


# Sandboxes.


SANDBOX_PIDS: dict[str, int] = {}


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by process ``pid`` (Linux)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def proc_status_kib(field: str) -> int:
    """A KiB field of /proc/self/status: VmRSS (resident now) or VmHWM (peak resident).

    A child process's peak is VmHWM, not ru_maxrss: Linux carries ru_maxrss over
    exec from the parent's memory at fork, so a child whose own peak is below the
    parent's resident size reports the parent's.
    """
    with open("/proc/self/status", encoding="ascii") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(field + ":"))


@contextmanager
def sandbox_process(speed: float, seed: int = 0) -> Iterator[str]:
    """A sandbox in its own process (its CPU is not the client's); yields the base URL."""
    with SandboxProcess(seed=seed, speed=speed) as sp:
        SANDBOX_PIDS[sp.base_url] = sp.pid
        yield sp.base_url


def done_at(state: Any, task_id: str) -> float:
    """Epoch time at which the sandbox's simulation finished the task.

    The sandbox advances a task lazily (on each request), so the moment a
    request *observes* ``done`` depends on the client. This computes the
    moment the simulation itself reached it: evaluation k happens at
    ``created_at + (START_DELAY + k / EVAL_RATE) / speed``, and the task is done
    at the evaluation that yields its desired-th result (or the last passing
    candidate). Reads the sandbox state's private task table (a benchmark may).
    """
    from extruct_deep_search.sandbox import state as st

    with state._lock:
        task = state._tasks[task_id]
        return task.created_at + sim_duration(task, task.desired, st) / state.speed


def sim_duration(task: Any, desired: int, st: Any = None) -> float:
    """Simulated seconds from create to done for a sandbox ``_Task`` with ``desired`` results."""
    if st is None:
        from extruct_deep_search.sandbox import state as st
    evaluations = len(task.passing)
    found = 0
    for i, index in enumerate(task.passing):
        found += task.pool[index].high_fit
        if found >= desired:
            evaluations = i + 1
            break
    return st.START_DELAY + evaluations / st.EVAL_RATE


def own_durations(queries: list[str], desired: int, speed: float) -> list[float]:
    """The sandbox's own task duration (real seconds at ``speed``) for each query."""
    from extruct_deep_search.sandbox.state import CreateInput, SandboxState

    state = SandboxState(seed=0, speed=speed, now=lambda: 0.0)
    out = []
    for text in queries:
        task = state.create_task("org_a", CreateInput(query=text, desired_num_results=desired))
        out.append(sim_duration(state._tasks[task["id"]], desired) / speed)
    return out


def first_result_sim(task: Any, st: Any = None) -> float:
    """Simulated seconds from create until the first result exists."""
    return sim_duration(task, 1, st)


# Counting requests.


class RequestLog:
    """An httpx event hook pair recording every request and the connections used."""

    def __init__(self) -> None:
        self.requests: list[tuple[float, str, str]] = []  # (epoch, method, path)
        self.responses: list[tuple[float, str, str, int]] = []
        self.connections: set[Any] = set()

    def clear(self) -> None:
        self.requests.clear()
        self.responses.clear()
        self.connections.clear()

    def on_request(self, request: httpx.Request) -> None:
        self.requests.append((time.time(), request.method, request.url.path))

    def on_response(self, response: httpx.Response) -> None:
        stream = response.extensions.get("network_stream")
        if stream is not None:
            self.connections.add(stream.get_extra_info("client_addr"))
        req = response.request
        self.responses.append((time.time(), req.method, req.url.path, response.status_code))

    async def aon_request(self, request: httpx.Request) -> None:
        self.on_request(request)

    async def aon_response(self, response: httpx.Response) -> None:
        self.on_response(response)

    def hooks(self) -> dict[str, list[Any]]:
        return {"request": [self.on_request], "response": [self.on_response]}

    def ahooks(self) -> dict[str, list[Any]]:
        return {"request": [self.aon_request], "response": [self.aon_response]}

    def kinds(self) -> dict[str, int]:
        """Requests by kind: create, poll (GET task), page (GET results), other."""
        out = {"create": 0, "poll": 0, "page": 0, "other": 0}
        for _, method, path in self.requests:
            out[kind(method, path)] += 1
        return out


def kind(method: str, path: str) -> str:
    if method == "POST" and path == "/v1/discovery_tasks":
        return "create"
    if method == "GET" and path.endswith("/results"):
        return "page"
    if method == "GET" and path.startswith("/v1/discovery_tasks/"):
        return "poll"
    return "other"


def request_kind(method: str, path: str) -> str:
    """Finer than ``kind``: create, list (GET the task list), get (GET one task),
    results, or other."""
    if path.rstrip("/") == "/v1/discovery_tasks":
        return {"POST": "create", "GET": "list"}.get(method, "other")
    if method == "GET" and path.endswith("/results"):
        return "results"
    if method == "GET" and path.startswith("/v1/discovery_tasks/"):
        return "get"
    return "other"


def schedule_minimum(log: RequestLog, finish: float, n: int, page_size: int) -> int:
    """The fewest requests a create + fixed-interval wait + page read of n results needs.

    1 create + every poll sent before the sandbox finished the task (``finish``,
    epoch; see ``done_at``) + the one poll that sees it done (the create's
    response counts as the first look) + the pages. Section 1 explains the rule.
    """
    created = next(t for t, m, _, _ in log.responses if m == "POST")
    poll_times = [t for t, m, p in log.requests if kind(m, p) == "poll"]
    polls = sum(t < finish for t in poll_times) + (created < finish)
    return 1 + polls + min_pages(n, page_size)


def min_pages(n: int, page_size: int) -> int:
    """Pages needed to read n results with the short-page rule."""
    return math.ceil(n / page_size) + (1 if n % page_size == 0 else 0)
