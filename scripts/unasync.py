"""Write the blocking client (_sync.py) from the asyncio client (_async.py).

    python scripts/unasync.py           # rewrite wrapper/extruct_deep_search/_sync.py
    python scripts/unasync.py --check   # exit 1 if _sync.py differs from a fresh rewrite

The rules live once, in the sans-IO flows (_flows.py, _core/); the two
clients are only drivers. So that even the drivers are written once, the
async one is the source and this script derives the sync one by token
substitution, as httpcore's scripts/unasync.py does, then sorts imports and
formats with the pinned ruff.
"""

from __future__ import annotations

import argparse
import difflib
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "wrapper" / "extruct_deep_search"
SOURCE = PACKAGE / "_async.py"
TARGET = PACKAGE / "_sync.py"
HEADER = (
    "# DO NOT EDIT. Generated from _async.py by scripts/unasync.py:"
    " edit that file, then run nox -s generate.\n"
)

# Applied in order, as regular expressions.
SUBSTITUTIONS: list[tuple[str, str]] = [
    (r"\basync def\b", "def"),
    (r"\basync with\b", "with"),
    (r"\basync for\b", "for"),
    (r"\bawait ", ""),
    (r"\bAsyncDeepSearch\b", "DeepSearch"),
    (r"\bAsyncIterator\b", "Iterator"),
    (r"\bAsyncConnections\b", "Connections"),
    (r"\bhttpx\.AsyncClient\b", "httpx.Client"),
    (r"\basync_(deadline|settle)\b", r"\1"),
    (r"_async_callbacks = True", "_async_callbacks = False"),
    (r"\bAwaitable\[None\]", "None"),
    (r", Awaitable\b", ""),
    (r"\bimport asyncio\b", "import time"),
    (r"\basyncio\.sleep\b", "time.sleep"),
    (r"\baclose\b", "close"),
    (r"\baiter_raw\b", "iter_raw"),
    (r"\b__aenter__\b", "__enter__"),
    (r"\b__aexit__\b", "__exit__"),
    (r"for (\w+) in ([\w.]+):\n\s+yield \1\n", r"yield from \2\n"),
    # Prose.
    (r"the asyncio client", "the blocking client"),
    (r"\(asyncio\)", "(blocking)"),
    (r"the blocking twin in ``_sync\.py``", "the asyncio twin in ``_async.py``"),
    (r"a coroutine function is awaited", "a coroutine function is refused: use AsyncDeepSearch"),
]


class StaleSubstitution(Exception):
    """A substitution matched nothing: _async.py changed and the rule is dead or wrong."""


def unasync(text: str) -> str:
    """The sync source for async ``text`` (before import sorting and formatting).

    Raises:
        StaleSubstitution: a rule in SUBSTITUTIONS matched nothing, as
            httpcore's unasync reports: a dead rule hides a rule that should
            have fired.
    """
    for pattern, replacement in SUBSTITUTIONS:
        text, count = re.subn(pattern, replacement, text)
        if not count:
            raise StaleSubstitution(f"substitution {pattern!r} matched nothing in _async.py")
    return HEADER + text


def render() -> str:
    """The formatted _sync.py that the current _async.py gives."""
    with tempfile.TemporaryDirectory(prefix="unasync-") as tmp:
        # Inside the package folder's config scope: ruff reads pyproject.toml from ROOT.
        path = Path(tmp) / "_sync.py"
        path.write_text(unasync(SOURCE.read_text()))
        ruff = str(Path(sys.executable).parent / "ruff")
        config = str(ROOT / "pyproject.toml")
        for args in (
            ["check", "--fix-only", "--select", "I,F401", "--no-cache"],
            ["format", "--no-cache"],
        ):
            subprocess.run(
                [ruff, *args, "--config", config, str(path)], check=True, capture_output=True
            )
        return path.read_text()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if _sync.py is stale")
    args = parser.parse_args(argv)
    try:
        fresh = render()
    except StaleSubstitution as exc:
        print(f"STALE: {exc}\nFix: update or remove the rule in scripts/unasync.py.")
        return 1
    if args.check:
        current = TARGET.read_text() if TARGET.exists() else ""
        if current != fresh:
            sys.stdout.writelines(
                difflib.unified_diff(
                    current.splitlines(keepends=True),
                    fresh.splitlines(keepends=True),
                    "committed/_sync.py",
                    "unasync/_sync.py",
                )
            )
            print(
                "\nDRIFT: wrapper/extruct_deep_search/_sync.py differs from "
                "scripts/unasync.py's rewrite of _async.py.\n"
                "Fix: nox -s generate (or python scripts/unasync.py), then commit."
            )
            return 1
        print("no drift: _sync.py matches its rewrite of _async.py")
        return 0
    TARGET.write_text(fresh)
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
