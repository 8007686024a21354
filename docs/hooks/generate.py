"""mkdocs hooks: the pages generated from the code when the site is built.

- ``<!-- cli-reference -->``: the ``--help`` of every command, rendered from argparse.
- ``<!-- error-table -->``: the exception tree with HTTP statuses and CLI exit codes.
- ``<!-- include: FILE -->``: a file from the repository root (RELIABILITY.md, ...),
  its relative links made absolute so they work from the site.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
REPO_URL = "https://github.com/extruct-ai/extruct-deep-search-python/blob/main/"
HELP_COLUMNS = "100"
INCLUDE = re.compile(r"<!-- include: (?P<file>[\w./-]+) -->")
LINK = re.compile(r"\]\((?!https?://|#|mailto:)(?P<target>[^)\s]+)\)")


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    """Fill the markers of a page."""
    if "<!-- cli-reference -->" in markdown:
        markdown = markdown.replace("<!-- cli-reference -->", cli_reference())
    if "<!-- error-table -->" in markdown:
        markdown = markdown.replace("<!-- error-table -->", error_table())
    return INCLUDE.sub(lambda m: include(m["file"]), markdown)


def include(name: str) -> str:
    """A root file's text with relative links pointing at the repository."""
    text = (ROOT / name).read_text(encoding="utf-8")
    return LINK.sub(lambda m: f"]({REPO_URL}{m['target'].removeprefix('./')})", text)


def _help(argv: list[str]) -> str:
    from extruct_deep_search.cli import main

    out = io.StringIO()
    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = HELP_COLUMNS  # argparse wraps at the terminal width
    try:
        with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
            main([*argv, "--help"])
    finally:
        if old is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = old
    return out.getvalue().rstrip()


def commands() -> list[list[str]]:
    """Every command line with a --help: the program, each command, each nested command."""
    from extruct_deep_search.cli._parser import build_parser

    found: list[list[str]] = [[]]

    def walk(parser: argparse.ArgumentParser, prefix: list[str]) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    found.append([*prefix, name])
                    walk(sub, [*prefix, name])

    walk(build_parser(), [])
    return found


def cli_reference() -> str:
    """One section per command, with its --help as printed."""
    from extruct_deep_search.cli._parser import PROG

    parts = []
    for argv in commands():
        title = " ".join([PROG, *argv])
        parts.append(f"## `{title}`\n\n```text\n$ {title} --help\n{_help(argv)}\n```\n")
    return "\n".join(parts)


def error_table() -> str:
    """The exception tree as a table: class, HTTP status, CLI exit code, meaning."""
    import extruct_deep_search as eds
    from extruct_deep_search._errors import STATUS_ERRORS

    statuses = {cls: str(status) for status, cls in STATUS_ERRORS.items()}
    statuses[eds.TaskExhaustedError] = "400 from resume"
    statuses[eds.ServerError] = "5xx"
    statuses[eds.UnexpectedResponseError] = "any other"
    exit_codes = {eds.InvalidArgumentError: "2", eds.AuthenticationError: "2"}
    rows = ["| exception | HTTP status | CLI exit code | meaning |", "|---|---|---|---|"]

    def walk(cls: type[BaseException], depth: int) -> None:
        doc = (cls.__doc__ or "").strip().splitlines()[0]
        name = ("&nbsp;" * 4 * depth) + f"`{cls.__name__}`"
        rows.append(f"| {name} | {statuses.get(cls, '')} | {exit_codes.get(cls, '1')} | {doc} |")
        for sub in cls.__subclasses__():  # in the order they are defined
            if sub.__module__ == "extruct_deep_search":
                walk(sub, depth + 1)

    walk(eds.ExtructError, 0)
    return "\n".join(rows)
