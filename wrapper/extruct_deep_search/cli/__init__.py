"""The ``extruct-deep-search`` command line (the ``cli`` extra: rich and PyYAML).

Run ``extruct-deep-search --help`` (or ``python -m extruct_deep_search --help``);
``extruct-deep-search demo`` runs a whole Deep Search against a local sandbox.
Exit codes: 0 success, 1 API error or task failure, 2 usage or authentication
error, 130 interrupted (Ctrl-C). See docs/CLI.md.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

__all__ = ["main"]

INSTALL_HINT = "pip install 'extruct-deep-search[cli]'"
EXIT_INTERRUPTED = 130


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit code.

    ``--help`` and ``--version`` work without the ``cli`` extra; anything else
    returns 2 with an install hint when rich is missing. Ctrl-C returns 130
    without a traceback, also while the command line is still importing.
    """
    try:
        return _main(argv)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED


def _main(argv: Sequence[str] | None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        import rich  # noqa: F401
    except ImportError:
        if {"-h", "--help", "--version"} & set(args):
            from ._parser import build_parser

            try:
                build_parser().parse_args(args)
            except SystemExit as exc:
                return exc.code if isinstance(exc.code, int) else 2
        print(f"error: the command line needs the 'cli' extra: {INSTALL_HINT}", file=sys.stderr)
        return 2
    from ._app import run

    return run(args)
