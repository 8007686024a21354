"""Crash suite: keyed searches in a child process killed with SIGKILL at random moments.

A sandbox runs in a process of its own (it survives the kills). A child process
runs ``--keys`` keyed searches with one SQLite journal: create (with a key),
wait, then page the results into ``<key>.json`` (written atomically). The
parent kills the child with SIGKILL after a random delay and starts it again
with the same journal, until every key has its results file. The child reports
its phase per key on stdout (before the POST, after the POST but before the
answer, waiting, paging), so each kill is filed under the phase it interrupted.
A share of creates and of result pages is slowed down on the server (a fault
that acts, then answers late) so that kills land between the POST and its
answer, and while paging.

Pass condition (exit 0): exactly one task per key in the sandbox, every results
file holds exactly the task's results (none lost, none duplicated), and at
least ``--kills`` kills happened.

Usage::

    python scripts/crash.py --keys 12 --kills 200 --seed 1     # the full run
    python scripts/crash.py --keys 4 --kills 20 --seed 1       # CI's short run
"""

from __future__ import annotations

import argparse
import json
import os
import random
import select
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
from extruct_deep_search import DeepSearch
from extruct_deep_search.sandbox import SandboxProcess

QUERY = "crash suite {key}: B2B software vendors for restaurants"
PHASES = ("before_post", "posted", "waiting", "paging")  # "up": between two keys


def _phase(key: str, phase: str) -> None:
    print(f"PHASE {key} {phase}", flush=True)


def _write_atomically(path: Path, data: Any) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    with os.fdopen(fd, "w") as f:
        json.dump(data, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def child(args: argparse.Namespace) -> int:
    """Run every key that has no results file yet; each may be killed at any instant."""
    out = Path(args.out)
    current = {"key": ""}

    def on_request(request: httpx.Request) -> None:
        if request.method == "POST" and request.url.path.endswith("/discovery_tasks"):
            _phase(current["key"], "posted")

    http = httpx.Client(event_hooks={"request": [on_request]})
    print("PHASE - up", flush=True)
    with DeepSearch(
        args.token,
        base_url=args.base_url,
        http_client=http,
        journal=args.journal,
        poll_interval=0.2,
        timeout=5.0,
    ) as ds:
        for i in range(args.keys):
            key = f"crash-{args.round}-{i}"
            target = out / f"{key}.json"
            if target.exists():
                continue
            current["key"] = key
            _phase(key, "before_post")
            n = random.Random(f"{args.seed}:{key}").randint(5, 30)
            task = ds.create(QUERY.format(key=key), desired_num_results=n, key=key)
            _phase(key, "waiting")
            task = ds.wait(task.id)
            _phase(key, "paging")
            ids = [r.id for r in ds.iter_results(task.id, page_size=4)]
            _write_atomically(target, {"task_id": task.id, "result_ids": ids})
    return 0


class ChildFailed(Exception):
    """The child exited with an error of its own (not a kill)."""


def run_round(
    command: list[str],
    env: dict[str, str],
    rng: random.Random,
    kills: Counter[str],
    target: int,
    max_delay: float,
) -> int:
    """Run the child until its keys are all done, killing it while ``kills`` is below target.

    Returns the number of child runs.
    """
    runs = 0
    while True:
        runs += 1
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, env=env, text=True)
        assert proc.stdout is not None
        killing = sum(kills.values()) < target
        delay = rng.uniform(0.0, max_delay)
        kill_at = float("inf")  # the clock starts when the child is up (imports take a while)
        phase = "start"
        while True:
            timeout = min(1.0, max(0.0, kill_at - time.monotonic())) if killing else 1.0
            ready, _, _ = select.select([proc.stdout], [], [], timeout)
            if ready:
                line = proc.stdout.readline()
                if not line:
                    break  # the child finished
                if line.startswith("PHASE "):
                    phase = line.split()[2]
                    if kill_at == float("inf"):
                        kill_at = time.monotonic() + delay
            elif killing and time.monotonic() >= kill_at:
                os.kill(proc.pid, signal.SIGKILL)
                kills[phase] += 1
                break
        code = proc.wait()
        proc.stdout.close()
        if code == 0:
            return runs
        if code != -signal.SIGKILL:
            raise ChildFailed(f"child exited with {code}")


def parent(args: argparse.Namespace) -> int:
    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="crash-"))
    journal = work / "journal.sqlite"
    kills: Counter[str] = Counter()
    runs = rounds = 0
    started = time.monotonic()
    with SandboxProcess(seed=args.seed, speed=args.speed) as sb:
        control = httpx.Client(
            base_url=sb.base_url, headers={"Authorization": f"Bearer {sb.token}"}
        )
        # Half the creates act, then answer 0.6 s late: kills land after the POST. One
        # result page in five answers 0.25 s late, so paging lasts long enough to be hit too.
        control.post(
            "/_sandbox/faults",
            json=[
                {"endpoint": "create", "kind": "slow", "rate": 0.5, "param": 0.6},
                {"endpoint": "results", "kind": "slow", "rate": 0.2, "param": 0.25},
            ],
        ).raise_for_status()
        command = [
            sys.executable,
            __file__,
            "--child",
            "--base-url",
            sb.base_url,
            "--journal",
            str(journal),
            "--out",
            str(work),
            "--keys",
            str(args.keys),
            "--seed",
            str(args.seed),
        ]
        env = {**os.environ, "EXTRUCT_API_TOKEN": sb.token}
        # Rounds of fresh keys until enough kills landed; a round ends when its keys are done.
        while rounds == 0 or sum(kills.values()) < args.kills:
            rounds += 1
            try:
                runs += run_round(
                    [*command, "--round", str(rounds)], env, rng, kills, args.kills, args.max_delay
                )
            except ChildFailed as exc:
                print(exc, file=sys.stderr)
                return 1

        control.delete("/_sandbox/faults").raise_for_status()
        control.close()
        keys = [f"crash-{r}-{i}" for r in range(1, rounds + 1) for i in range(args.keys)]
        with DeepSearch(sb.token, base_url=sb.base_url) as ds:
            tasks = []
            while page := ds.list_tasks(limit=100, offset=len(tasks)):
                tasks += page
            per_query = Counter(t.query for t in tasks)
            lost = duplicated = 0
            for key in keys:
                saved = json.loads((work / f"{key}.json").read_text())
                want = [r.id for r in ds.results(saved["task_id"])]
                got = saved["result_ids"]
                lost += len(set(want) - set(got))
                duplicated += len(got) - len(set(got))

    tasks_per_key = Counter(per_query.get(QUERY.format(key=key), 0) for key in keys)
    report = {
        "keys": len(keys),
        "child_runs": runs,
        "kills": sum(kills.values()),
        "kills_by_phase": {p: kills.get(p, 0) for p in ("up", *PHASES)},
        "keys_by_tasks_created": {str(n): k for n, k in sorted(tasks_per_key.items())},
        "tasks_in_sandbox": len(tasks),
        "results_lost": lost,
        "results_duplicated": duplicated,
        "wall_seconds": round(time.monotonic() - started, 1),
    }
    report["passed"] = bool(
        set(tasks_per_key) == {1}
        and len(tasks) == len(keys)
        and lost == 0
        and duplicated == 0
        and report["kills"] >= args.kills
    )
    print(json.dumps(report, indent=2))
    return 0 if report["passed"] else 1


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--keys", type=int, default=8, help="keyed searches to complete")
    p.add_argument("--kills", type=int, default=40, help="SIGKILLs to deliver, at least")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--speed", type=float, default=4.0, help="sandbox speed")
    p.add_argument("--max-delay", type=float, default=2.0, help="longest run before a kill (s)")
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--base-url", help=argparse.SUPPRESS)
    p.add_argument("--round", type=int, default=1, help=argparse.SUPPRESS)
    p.add_argument("--journal", help=argparse.SUPPRESS)
    p.add_argument("--out", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        args.token = os.environ["EXTRUCT_API_TOKEN"]
        return child(args)
    return parent(args)


if __name__ == "__main__":
    sys.exit(main())
