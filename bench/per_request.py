"""4. Overhead per request: DeepSearch.get() vs a raw httpx GET on the same connection."""

from __future__ import annotations

import json
import time
import timeit
from collections.abc import Callable
from typing import Any

import httpx
from common import TOKEN, RequestLog, Section, Table, Target, fmt, median, sandbox_process
from extruct_deep_search import DeepSearch, _flows, _gen


def block(fn: Callable[[], Any], n: int) -> tuple[float, float]:
    """Wall and CPU microseconds per call over n calls."""
    wall0, cpu0 = time.perf_counter(), time.process_time()
    for _ in range(n):
        fn()
    return (
        (time.perf_counter() - wall0) / n * 1e6,
        (time.process_time() - cpu0) / n * 1e6,
    )


def pure_python_costs(
    ds: DeepSearch, http: httpx.Client, task_id: str, url: str, headers: dict[str, str]
) -> list[list[str]]:
    """Tight-loop microseconds of the wrapper's own steps, without the network."""
    spec = _gen.get_request(task_id)
    outcome = ds._send(spec)

    def flow_with_canned_response() -> Any:
        flow = _flows.get(task_id, ds.retry_policy, ds._token)
        flow.send(None)
        try:
            flow.send(outcome)
        except StopIteration as stop:
            return stop.value

    body = outcome.content
    steps = [
        (
            "raw: httpx build_request(url, headers=...)",
            lambda: http.build_request("GET", url, headers=headers),
        ),
        (
            "wrapper: RequestSpec via the generated builder (_gen.get_request)",
            lambda: _gen.get_request(task_id),
        ),
        ("wrapper: httpx.Request from the spec (_build)", lambda: ds._build(http, spec)),
        (
            "wrapper: flow driven with a canned response (json.loads + parse_task + bookkeeping)",
            flow_with_canned_response,
        ),
        ("  of which json.loads", lambda: json.loads(body)),
        (
            "  of which _gen.parse_task (JSON dict to Task)",
            lambda: _gen.parse_task(json.loads(body)),
        ),
    ]
    rows = []
    for name, fn in steps:
        best = min(timeit.repeat(fn, number=2000, repeat=5)) / 2000 * 1e6
        rows.append([name, fmt(best, 1)])
    return rows


def measure(quick: bool) -> Section:
    per_block = 50 if quick else 200
    blocks = 3 if quick else 7
    log = RequestLog()
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    with (
        sandbox_process(speed=100.0) as base_url,
        httpx.Client(limits=limits, event_hooks=log.hooks()) as http,
    ):
        ds = DeepSearch(TOKEN, base_url=base_url, http_client=http)
        task = ds.run("niche dental clinic software", desired_num_results=10, poll_interval=0.05)
        url = f"{base_url}/v1/discovery_tasks/{task.task.id}"
        headers = {"Authorization": f"Bearer {TOKEN}", "Accept": "application/json"}
        cases: dict[str, Callable[[], Any]] = {
            "raw httpx GET": lambda: http.get(url, headers=headers),
            "raw httpx GET + .json()": lambda: http.get(url, headers=headers).json(),
            "wrapper DeepSearch.get()": lambda: ds.get(task.task.id),
        }
        wall: dict[str, list[float]] = {k: [] for k in cases}
        cpu: dict[str, list[float]] = {k: [] for k in cases}
        log.clear()
        for b in range(blocks + 1):  # block 0 is the warm-up
            for name, fn in cases.items():
                w, c = block(fn, per_block)
                if b:
                    wall[name].append(w)
                    cpu[name].append(c)
        connections = len(log.connections)
        breakdown = pure_python_costs(ds, http, task.task.id, url, headers)
    raw_w, raw_c = median(wall["raw httpx GET"]), median(cpu["raw httpx GET"])
    rows = []
    for name in cases:
        w, c = median(wall[name]), median(cpu[name])
        rows.append([name, fmt(w, 0), fmt(c, 0), f"{w / raw_w:.2f}x", f"{c / raw_c:.2f}x"])
    ww, wc = median(wall["wrapper DeepSearch.get()"]), median(cpu["wrapper DeepSearch.get()"])
    jw, jc = median(wall["raw httpx GET + .json()"]), median(cpu["raw httpx GET + .json()"])
    section = Section(
        title="4. Overhead per request",
        method=(
            "Sandbox in a subprocess (so the client's CPU time is its own); one "
            "`httpx.Client` limited to one keep-alive connection, shared by the raw GETs and "
            "by `DeepSearch(http_client=...)`, so both use the very same connection "
            f"({connections} connection(s) counted). GET /v1/discovery_tasks/{{id}} of a "
            f"finished task (~1 KiB). Blocks of {per_block} calls per variant, interleaved; "
            f"medians over {blocks} blocks after a warm-up block. CPU = `time.process_time()` "
            "of the client process."
        ),
        tables=[
            Table(
                [
                    "variant",
                    "wall us/request",
                    "client CPU us/request",
                    "wall vs raw GET",
                    "CPU vs raw GET",
                ],
                rows,
            ),
            Table(["wrapper step, tight loop (no network)", "us/call (best of 5)"], breakdown),
        ],
    )
    section.targets.append(
        Target(
            "wrapper get() <= 1.2x raw httpx GET, wall time",
            f"{ww / raw_w:.2f}x ({ww:.0f} vs {raw_w:.0f} us)",
            ww / raw_w <= 1.2,
            ""
            if ww / raw_w <= 1.2
            else "wall time also holds the loopback round trip and the sandbox's work, "
            "identical for both; the gap is the client's extra CPU (next target) plus noise "
            "from the shared machine's load.",
        )
    )
    ok = wc / raw_c <= 1.2
    section.targets.append(
        Target(
            "wrapper get() <= 1.2x raw httpx GET, client CPU time",
            f"{wc / raw_c:.2f}x ({wc:.0f} vs {raw_c:.0f} us); vs raw GET + .json(): {wc / jc:.2f}x",
            ok,
            ""
            if ok
            else "on top of the GET the wrapper builds the request through the generated "
            "request builder, runs the flow generator, copies the headers into a dict, "
            "json-decodes and builds its Task (second table).",
        )
    )
    section.notes.append(
        "In tight loops the wrapper's own steps add up to a few tens of microseconds (second "
        "table), less than the in-situ CPU difference: interleaved with socket I/O the same "
        "Python code runs slower (cold caches), and the machine's load adds noise. Building the "
        "httpx request costs the same for both; the wrapper's extra is the flow, json.loads "
        "and building its Task."
    )
    section.notes.append(
        f"Raw GET + .json() is the fairer floor for a user who needs the data: wrapper wall "
        f"{ww / jw:.2f}x, CPU {wc / jc:.2f}x of it."
    )
    return section
