"""``python -m extruct_deep_search.sandbox`` prints its URL and a token and serves until Ctrl-C."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys

import httpx
import pytest
from extruct_deep_search.sandbox import SandboxProcess
from extruct_deep_search.sandbox.cli import build_parser

pytestmark = pytest.mark.integration


def test_module_entry_point_serves_until_interrupted() -> None:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "extruct_deep_search.sandbox",
            "--port",
            "0",
            "--seed",
            "2",
            "--speed",
            "5",
        ],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline() for _ in range(3)]
        url = re.search(r"http://127\.0\.0\.1:\d+", lines[0])
        token = re.search(r"EXTRUCT_API_TOKEN=(\S+)", "".join(lines))
        assert url and token, lines
        headers = {"Authorization": f"Bearer {token.group(1)}"}
        response = httpx.post(
            url.group(0) + "/v1/discovery_tasks", json={"query": "q"}, headers=headers
        )
        assert response.status_code == 200
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_parser_defaults_and_faults() -> None:
    args = build_parser().parse_args(["--fault", "create:500*1"])
    assert (args.port, args.seed, args.speed, args.fault) == (8787, 0, 1.0, ["create:500*1"])


def test_sandbox_process_serves_from_its_own_process() -> None:
    with SandboxProcess(seed=1, speed=5) as sp:
        assert sp.pid != os.getpid()
        reply = httpx.get(
            f"{sp.base_url}/v1/discovery_tasks", headers={"Authorization": f"Bearer {sp.token}"}
        )
        assert reply.status_code == 200 and reply.json() == []
        pid = sp.pid
    with pytest.raises(RuntimeError):
        sp.pid  # noqa: B018 - stopped: no process any more
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
