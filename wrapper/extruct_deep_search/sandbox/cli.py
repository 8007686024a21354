"""``extruct-deep-search sandbox`` / ``python -m extruct_deep_search.sandbox``."""

from __future__ import annotations

import argparse
import threading

from .faults import FaultRule
from .server import Sandbox

__all__ = ["build_parser", "main"]


def build_parser(prog: str = "extruct-deep-search sandbox") -> argparse.ArgumentParser:
    """Return the argument parser of the sandbox command."""
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Serve a local Extruct Deep Search sandbox on 127.0.0.1 until Ctrl-C.",
    )
    parser.add_argument("--port", type=int, default=8787, help="TCP port (0: any free port)")
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default loopback)")
    parser.add_argument("--seed", type=int, default=0, help="makes every task reproducible")
    parser.add_argument(
        "--speed",
        type=float,
        default=1.0,
        help="progress rate multiplier: 1.0 finishes 50 results in seconds, 0.02 in minutes",
    )
    parser.add_argument(
        "--clock-offset",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="skew the server clock (created_at and the Date header), e.g. -300",
    )
    parser.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="SPEC",
        help="fault rule ENDPOINT:KIND[=PARAM][*N|@P], e.g. create:500*1 (repeatable)",
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
