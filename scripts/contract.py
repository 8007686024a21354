"""Contract checks with third-party tools, run by ``nox -s contract``.

1. schemathesis generates requests from openapi/upstream.yaml and sends them to
   a sandbox; any 5xx, undocumented status code, wrong content type or response
   that violates the response schema fails, and so does any schema-violating
   request the sandbox accepts (negative_data_rejection).
2. Prism (``node_modules/.bin/prism``, installed with ``npm install``) runs as a
   validating proxy with ``--errors`` in front of a sandbox, and the pytest
   integration tests whose traffic goes through ``base_url`` (marked
   ``proxied``) run through it (EXTRUCT_SANDBOX_PROXY_URL);
   a request or response that violates the spec becomes an error response
   and fails the tests. Prism's log is scanned for violations as well.

Usage: python scripts/contract.py [--max-examples N] [--skip-schemathesis] [--skip-prism]
Exits non-zero if either check fails. Fault injection stays off throughout.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "openapi" / "upstream.yaml"
PRISM = ROOT / "node_modules" / ".bin" / "prism"
BIN = Path(sys.executable).parent
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
)
# A table id the sandbox accepts (tbl_ prefix), so schemathesis reaches past 404.
SCHEMATHESIS_CONFIG = """
[parameters]
table_id = "tbl_contract"
"""


def free_port() -> int:
    """Return a TCP port that is free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_schemathesis(max_examples: int, seed: int) -> bool:
    """Run schemathesis against a fresh sandbox; return True when it passed."""
    sys.path.insert(0, str(ROOT / "wrapper"))
    from extruct_deep_search.sandbox import Sandbox

    with tempfile.TemporaryDirectory() as tmp, Sandbox(seed=0, speed=20) as sb:
        config = Path(tmp) / "schemathesis.toml"
        config.write_text(SCHEMATHESIS_CONFIG)
        report = Path(tmp) / "report.json"
        command = [
            str(BIN / "schemathesis"),
            "--config-file",
            str(config),
            "run",
            str(SPEC),
            "--url",
            sb.base_url,
            "--header",
            f"Authorization: Bearer {sb.token}",
            "--checks",
            ",".join(CHECKS),
            "--max-examples",
            str(max_examples),
            "--seed",
            str(seed),
            "--workers",
            "1",
            "--report",
            "json",
            "--report-json-path",
            str(report),
            "--no-color",
        ]
        print("+", " ".join(command).replace(sb.token, "<token>"), flush=True)
        code = subprocess.call(command, cwd=tmp)
        cases = _count_cases(report)
    print(f"schemathesis: {cases} test cases generated, exit status {code}", flush=True)
    return code == 0


def _count_cases(report: Path) -> str:
    try:
        data = json.loads(report.read_text())
    except (OSError, ValueError):
        return "unknown number of"
    found = _find_key(data, "generated")
    return str(found) if found is not None else "unknown number of"


def _find_key(data: object, key: str) -> object:
    if isinstance(data, dict):
        if key in data and isinstance(data[key], int):
            return data[key]
        for value in data.values():
            found = _find_key(value, key)
            if found is not None:
                return found
    elif isinstance(data, list):
        for value in data:
            found = _find_key(value, key)
            if found is not None:
                return found
    return None


def run_prism(pytest_args: list[str]) -> bool:
    """Run the integration tests through a Prism proxy; return True when they passed."""
    if not PRISM.exists():
        print(f"Prism not found at {PRISM}; run `npm install` in {ROOT}", file=sys.stderr)
        return False
    sandbox_port, prism_port = free_port(), free_port()
    log_path = Path(tempfile.mkstemp(prefix="prism-", suffix=".log")[1])
    command = [
        str(PRISM),
        "proxy",
        str(SPEC),
        f"http://127.0.0.1:{sandbox_port}",
        "--errors",
        "--host",
        "127.0.0.1",
        "--port",
        str(prism_port),
    ]
    print("+", " ".join(command), flush=True)
    with log_path.open("w") as log:
        prism = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", prism_port), timeout=1).close()
                break
            except OSError:
                if prism.poll() is not None or time.monotonic() > deadline:
                    print(log_path.read_text(), file=sys.stderr)
                    print("Prism did not start", file=sys.stderr)
                    return False
                time.sleep(0.2)
        env = {
            **os.environ,
            "EXTRUCT_SANDBOX_PROXY_URL": f"http://127.0.0.1:{prism_port}",
            "EXTRUCT_SANDBOX_PORT": str(sandbox_port),
        }
        # Only tests marked proxied send traffic through base_url (tests/conftest.py);
        # the others talk to sandboxes of their own and gain nothing here.
        marks = "integration and proxied"
        tests = [str(BIN / "pytest"), "-q", "-p", "no:cacheprovider", "-m", marks]
        print("+", " ".join(tests + pytest_args), flush=True)
        code = subprocess.call(tests + pytest_args, env=env, cwd=ROOT)
    finally:
        prism.terminate()
        try:
            prism.wait(timeout=10)
        except subprocess.TimeoutExpired:
            prism.kill()
            prism.wait()
    # "Violation:" warnings (e.g. an undocumented status code) pass through Prism
    # unchanged, so the log is the only place they show up; errors are also there.
    violations = [
        line
        for line in log_path.read_text().splitlines()
        if "violation" in line.lower() or "terminated with error" in line.lower()
    ]
    for line in violations[:50]:
        print("prism:", line, file=sys.stderr)
    print(f"prism: pytest exit status {code}, {len(violations)} violation log lines", flush=True)
    log_path.unlink(missing_ok=True)
    return code == 0 and not violations


def main(argv: list[str] | None = None) -> int:
    """Run both contract checks; return 0 when both pass."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=100, help="per operation and phase")
    parser.add_argument("--seed", type=int, default=1, help="schemathesis seed")
    parser.add_argument("--skip-schemathesis", action="store_true")
    parser.add_argument("--skip-prism", action="store_true")
    parser.add_argument("pytest_args", nargs="*", help="extra arguments for pytest under Prism")
    args = parser.parse_args(argv)
    ok = True
    if not args.skip_schemathesis:
        ok = run_schemathesis(args.max_examples, args.seed) and ok
    if not args.skip_prism:
        ok = run_prism(args.pytest_args) and ok
    print("contract:", "passed" if ok else "FAILED", flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
