"""2. Latency to completion (wait) and time to first result (stream_results)."""

from __future__ import annotations

import random
import time

import httpx
from common import (
    RequestLog,
    Section,
    Table,
    Target,
    done_at,
    first_result_sim,
    fmt,
    kind,
    median,
    percentile,
)
from extruct_deep_search import DeepSearch
from extruct_deep_search.sandbox import Sandbox

QUERY = "broad payroll software vendors for restaurant groups"


def measure(quick: bool) -> Section:
    speed = 10.0
    interval = 0.2  # real seconds between polls
    tasks = 8 if quick else 30
    warmup = 2
    stream_repeats = 1 if quick else 3
    rng = random.Random(0)
    lat: list[float] = []
    extra_polls = 0
    log = RequestLog()
    with Sandbox(seed=0, speed=speed) as sb, httpx.Client(event_hooks=log.hooks()) as http:
        ds = DeepSearch(sb.token, base_url=sb.base_url, http_client=http, poll_interval=interval)
        for i in range(warmup + tasks):
            task = ds.create(QUERY, desired_num_results=rng.randint(20, 80))
            # A random phase between the task's progress and the poll schedule.
            time.sleep(rng.uniform(0, interval))
            log.clear()
            ds.wait(task.id)
            returned = time.time()
            finish = done_at(sb.state, task.id)
            if i >= warmup:
                lat.append(returned - finish)
                polls_after = sum(t >= finish for t, m, p in log.requests if kind(m, p) == "poll")
                extra_polls += max(0, polls_after - 1)

        # Time to first result: stream_results vs wait + results, 250 results.
        first: list[float] = []
        stream_all: list[float] = []
        wait_all: list[float] = []
        ideal_first: list[float] = []
        ideal_all: list[float] = []
        requests_stream: list[int] = []
        requests_wait: list[int] = []
        for r in range(1 + stream_repeats):
            log.clear()
            started = time.time()
            task = ds.create(QUERY, desired_num_results=250)
            t_first = None
            count = 0
            for _ in ds.stream_results(task.id, page_size=50):
                count += 1
                if t_first is None:
                    t_first = time.time() - started
            t_end = time.time() - started
            assert count == 250 and t_first is not None
            stream_requests = len(log.requests)
            log.clear()
            started2 = time.time()
            task2 = ds.create(QUERY, desired_num_results=250)
            ds.wait(task2.id)
            got = ds.results(task2.id)
            t_wait = time.time() - started2
            assert len(got) == 250
            wait_requests = len(log.requests)
            if r == 0:
                continue  # warm-up
            first.append(t_first)
            requests_stream.append(stream_requests)
            requests_wait.append(wait_requests)
            stream_all.append(t_end)
            wait_all.append(t_wait)
            internal = sb.state._tasks[task.id]
            ideal_first.append(first_result_sim(internal) / speed)
            ideal_all.append(done_at(sb.state, task.id) - internal.created_at)

    ms = [v * 1000 for v in lat]
    p50, p95, worst = percentile(ms, 50), percentile(ms, 95), max(ms)
    bound = interval * 1000 + 50
    section = Section(
        title="2. Latency to completion",
        method=(
            f"In-process sandbox at speed {speed:g}; `wait()` with poll_interval={interval} s "
            f"on {tasks} tasks (20-80 results each, after {warmup} warm-ups), each started "
            f"after a random 0-{interval} s delay so completion falls at a random phase of "
            "the poll schedule. Latency = time `wait()` returned minus the moment the "
            "sandbox's simulation finished the task (computed from its state: the "
            "evaluation that produced the desired-th result). Then, for 250-result tasks, "
            "time from create to the first result yielded by `stream_results()` vs to all "
            f"results via `wait()` + `results()` (median of {stream_repeats} after a warm-up)."
        ),
        tables=[
            Table(
                ["tasks", "poll interval (ms)", "p50 (ms)", "p95 (ms)", "max (ms)", "p95 bound"],
                [
                    [
                        str(len(ms)),
                        fmt(interval * 1000, 0),
                        fmt(p50, 1),
                        fmt(p95, 1),
                        fmt(worst, 1),
                        f"{bound:.0f}",
                    ]
                ],
            ),
            Table(
                ["250 results", "client (s)", "sandbox's own (s)", "requests (median)"],
                [
                    [
                        "create to first result, stream_results()",
                        fmt(median(first), 3),
                        fmt(median(ideal_first), 3),
                        "",
                    ],
                    [
                        "create to last result, stream_results()",
                        fmt(median(stream_all), 3),
                        fmt(median(ideal_all), 3),
                        f"{median(requests_stream):.0f}",
                    ],
                    [
                        "create to all results, wait() + results()",
                        fmt(median(wait_all), 3),
                        fmt(median(ideal_all), 3),
                        f"{median(requests_wait):.0f}",
                    ],
                    [
                        "first-result speed-up of stream_results()",
                        f"{median(wait_all) / median(first):.1f}x",
                        "",
                        "",
                    ],
                ],
            ),
        ],
    )
    section.targets.append(
        Target(
            "wait() returns within one poll interval + 50 ms of completion at p95",
            f"p95 {p95:.1f} ms vs {bound:.0f} ms",
            p95 <= bound,
            "" if p95 <= bound else "polling drifted or requests were slow; see the table.",
        )
    )
    section.targets.append(
        Target(
            "exactly one poll after completion",
            f"{extra_polls} extra poll(s) over {len(ms)} tasks",
            extra_polls == 0,
            "" if extra_polls == 0 else "wait() polled again after seeing the task done.",
        )
    )
    section.notes.append(
        "The sandbox's first result appears within a fraction of a second; "
        "stream_results() hands it over at its first sweep after that (the first sweep "
        "runs right after create: if the sandbox has no result yet, the first one comes one "
        "poll interval later, so this time is either ~the request time or ~one interval), while wait() + "
        "results() delivers nothing until the whole task is done and read. The price: "
        "stream_results() re-reads the result pages on every poll (one sweep per poll), so it "
        "sends more requests and its last result comes a little later."
    )
    return section
