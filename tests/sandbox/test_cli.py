"""``python -m extruct_deep_search.sandbox`` prints its URL and a token and serves until Ctrl-C."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys

import httpx
import pytest
from extruct_deep_search.cli import main as cli_main
from extruct_deep_search.sandbox import FaultRule, SandboxProcess
from extruct_deep_search.sandbox.cli import build_parser
from extruct_deep_search.sandbox.faults import ACTED, ENDPOINTS, KINDS

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


def test_help_lists_defaults_faults_and_the_control_body(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli_main(["sandbox", "--help"]) == 0  # through the package's command line
    text = capsys.readouterr().out
    for default in ("(default: 8787)", "(default: 127.0.0.1)", "(default: 0)", "(default: 1.0)"):
        assert default in text
    assert f"endpoints: {', '.join(ENDPOINTS)}, or * for all" in text
    for kind in KINDS:
        line = re.search(rf"^\s+{kind}\s+(acted|not acted)\s+(.+)$", text, re.MULTILINE)
        assert line, kind
        assert line.group(1) == ("acted" if kind in ACTED else "not acted"), kind
    for verb in ("GET", "POST", "DELETE"):
        assert re.search(rf"^\s+{verb}\s+/_sandbox/faults", text, re.MULTILINE)
    # The example body in the help is one the control endpoint accepts.
    body = json.loads(re.findall(r"-d '(.+)'", text)[-1])
    rules = [
        FaultRule.parse(r) if isinstance(r, str) else FaultRule.from_json(r) for r in body["rules"]
    ]
    assert [(r.endpoint, r.kind) for r in rules] == [("create", "500"), ("get", "503")]


def test_clock_offset_flag() -> None:
    assert build_parser().parse_args(["--clock-offset", "-300"]).clock_offset == -300.0


@pytest.mark.parametrize("missing", ["uvicorn", "starlette"])
def test_without_the_extra_the_import_error_says_what_to_install(missing: str) -> None:
    probe = (
        f"import sys; sys.modules[{missing!r}] = None\n"
        "import extruct_deep_search  # the client alone imports fine\n"
        "try:\n"
        "    from extruct_deep_search.sandbox import Sandbox\n"
        "except ImportError as exc:\n"
        "    print(type(exc).__name__, exc.name, exc)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    ).stdout
    assert out.startswith(f"ImportError {missing} ")
    assert "pip install 'extruct-deep-search[sandbox]'" in out
