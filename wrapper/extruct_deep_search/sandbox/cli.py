"""``extruct-deep-search sandbox`` / ``python -m extruct_deep_search.sandbox``."""

from __future__ import annotations

import argparse
import json
import threading

from .faults import ACTED, ENDPOINTS, KINDS, RESPONSES, FaultRule
from .server import Sandbox
from .simulation import RESULTS

__all__ = ["build_parser", "main"]


_CONTROL_EXAMPLE = {"rules": [{"endpoint": "create", "kind": "500", "count": 1}, "get:503@0.2"]}


def _epilog() -> str:
    kinds = "\n".join(
        f"    {kind:<19} {'acted' if kind in ACTED else 'not acted':<10} {RESPONSES[kind]}"
        for kind in KINDS
    )
    body = json.dumps(_CONTROL_EXAMPLE)
    return f"""\
query words:
  niche         a small pool: few results, exhausted early
  broad         a large pool: 250 results always reachable
  pool:N        exactly N candidates
  FAIL_TASK     the task fails after a few evaluations

fault rules (off by default): ENDPOINT:KIND[=PARAM][*COUNT | @RATE], COUNT 1 by default
  endpoints: {", ".join(ENDPOINTS)}, or * for all
  kinds ("acted": the server performed the request, e.g. created the task, then failed):
{kinds}
  e.g. --fault create:500*1 --fault get:503@0.2 --fault results:slow=2.5*3

at run time, with any valid token (not part of the API):
  GET    /_sandbox/faults   active rules, injected-fault counts, tasks created in your org
  POST   /_sandbox/faults   add rules; the body is one rule, a list of rules, or
                            {{"rules": [...]}}; a rule is an object {{"endpoint", "kind",
                            "count" | "rate", "param"}} or its text form
  DELETE /_sandbox/faults   remove every rule and reset the counts
  e.g. curl -X POST "$EXTRUCT_BASE_URL/_sandbox/faults" \\
         -H "Authorization: Bearer $EXTRUCT_API_TOKEN" -H 'Content-Type: application/json' \\
         -d '{body}'
"""


def build_parser(prog: str = "extruct-deep-search sandbox") -> argparse.ArgumentParser:
    """Return the argument parser of the sandbox command."""
    parser = argparse.ArgumentParser(
        prog=prog,
        description=(
            "Serve a local Extruct Deep Search sandbox on 127.0.0.1 until Ctrl-C.\n"
            "It prints its URL and a token as export lines."
        ),
        epilog=_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--port", type=int, default=8787, help="TCP port, 0 for any free one (default: 8787)"
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="interface to bind (default: 127.0.0.1)"
    )
    parser.add_argument(
        "--seed", type=int, default=0, help="makes every task reproducible (default: 0)"
    )
    parser.add_argument(
        "--speed",
        type=float,
        default=1.0,
        help="progress rate: 1.0 finishes 50 results in seconds, 0.02 in minutes (default: 1.0)",
    )
    parser.add_argument(
        "--clock-offset",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="skew the server clock: created_at and the Date header, e.g. -300 (default: 0)",
    )
    parser.add_argument(
        "--results",
        choices=RESULTS,
        default="high_fit",
        help="the results list: the high-fit candidates (as num_results counts them), or every "
        "evaluated candidate by relevance (default: high_fit)",
    )
    parser.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="SPEC",
        help="a fault rule ENDPOINT:KIND[=PARAM][*N|@P], repeatable (default: none)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the sandbox until interrupted; return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.speed <= 0:
        parser.error("--speed must be positive")
    try:
        rules = [FaultRule.parse(s) for s in args.fault]
    except ValueError as exc:
        parser.error(str(exc))
    sandbox = Sandbox(
        seed=args.seed,
        speed=args.speed,
        port=args.port,
        host=args.host,
        faults=rules,
        clock_offset=args.clock_offset,
        results=args.results,
    )
    try:
        sandbox.start()
    except OSError as exc:
        parser.exit(1, f"cannot listen on {args.host}:{args.port}: {exc}\n")
    print(f"Extruct Deep Search sandbox at {sandbox.base_url}", flush=True)
    print(f"export EXTRUCT_BASE_URL={sandbox.base_url}")
    print(f"export EXTRUCT_API_TOKEN={sandbox.token}")
    print(f"(second org-A token: {sandbox.other_token}; org-B token: {sandbox.foreign_token})")
    print("Press Ctrl-C to stop.", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.stop()
    return 0
