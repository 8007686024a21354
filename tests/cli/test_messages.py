"""Usage errors and library errors in command-line words: one line, naming the flag."""

from __future__ import annotations

import argparse

import pytest
from extruct_deep_search import InvalidArgumentError
from extruct_deep_search.cli import main
from extruct_deep_search.cli._app import HANDLERS
from extruct_deep_search.cli._context import Context
from extruct_deep_search.cli._messages import FLAGS, invalid_argument
from extruct_deep_search.cli._parser import build_parser


def one_line(err: str) -> str:
    assert "Traceback" not in err and "usage:" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    return lines[0]


# (argv, what the one line must say)
BAD_FLAGS = [
    ([], "COMMAND"),
    (["nosuchcommand"], "invalid choice: 'nosuchcommand'"),
    (["search"], "QUERY"),
    (["search", "q", "--num", "0"], "--num: must be 1-250, got 0"),
    (["search", "q", "--num", "251"], "--num: must be 1-250, got 251"),
    (["search", "q", "-n", "ten"], "--num: not an integer: 'ten'"),
    (["search", "q", "--format", "xml"], "--format: invalid choice: 'xml'"),
    (["search", "q", "--data-source", "fax"], "--data-source: invalid choice: 'fax'"),
    (["search", "q", "--page-size", "0"], "--page-size: must be at least 1, got 0"),
    (["search", "q", "--poll-interval", "-1"], "--poll-interval: must be positive, got -1"),
    (["wait", "t", "--timeout", "-2"], "--timeout: must be 0 or more, got -2"),
    (["wait", "t", "--timeout", "soon"], "--timeout: not a number: 'soon'"),
    (["resume", "t", "--more", "0"], "--more: must be 1-250, got 0: 0 would ask for nothing new"),
    (["resume", "t", "--more", "300"], "--more: must be 1-250, got 300"),
    (["list", "--limit", "0"], "--limit: must be at least 1, got 0"),
    (["list", "--offset", "-1"], "--offset: must be at least 0, got -1"),
    (["list", "--bogus"], "unrecognized arguments: --bogus"),
    (["status", "x", "--debug", "--bogus"], "unrecognized arguments: --bogus"),
    (["demo", "--num", "0"], "--num: must be 1-250, got 0"),
    (["demo", "--speed", "0"], "--speed: must be positive, got 0"),
    (["demo", "--seed", "x"], "--seed: invalid int value: 'x'"),
    (["demo", "--token-file", "x"], "unrecognized arguments: --token-file"),
    (["tables", "add-rows", "tbl_x"], "--from-task"),
    (["tables", "add-rows", "tbl", "--from-task", "t", "--batch-size", "0"], "--batch-size"),
]


@pytest.mark.parametrize(
    ("argv", "expected"), BAD_FLAGS, ids=[" ".join(a) or "-" for a, _ in BAD_FLAGS]
)
def test_bad_flag_is_one_line_naming_it(
    argv: list[str], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    line = one_line(capsys.readouterr().err)
    assert expected in line
    assert "--help)" in line  # where to read more


def test_every_positional_argument_has_help() -> None:
    missing = []

    def walk(parser: argparse.ArgumentParser) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sub in action.choices.values():
                    walk(sub)
            elif not action.option_strings and not action.help:
                missing.append(f"{parser.prog} {action.metavar or action.dest}")

    walk(build_parser(HANDLERS))
    assert missing == []


def test_demo_help_shows_only_its_own_flags(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--help"]) == 0
    out = capsys.readouterr().out
    for flag in ("--out", "--num", "--speed", "--seed", "--quiet", "--raw-csv"):
        assert flag in out
    for other in ("--token-file", "--base-url", "--sandbox", "--debug", "--allow-insecure-http"):
        assert other not in out


# InvalidArgumentError.argument -> the flag, with no Python spelling left.

PYTHON_SPELLINGS = ("=True", "=...", "token=", "allow_insecure_http", "None", "Criterion(")


@pytest.mark.parametrize(
    ("argument", "message", "flag"),
    [
        (
            "base_url",
            "plain http to 10.0.0.5 would send the token unencrypted; use https, "
            "or pass allow_insecure_http=True",
            "--base-url: plain http to 10.0.0.5",
        ),
        (
            "token",
            "missing: pass token=... or set the EXTRUCT_API_TOKEN environment variable",
            "EXTRUCT_API_TOKEN or --token-file",
        ),
        ("poll_interval", "must be a number of seconds > 0, got 0", "--poll-interval: must"),
        (
            "wait_timeout",
            "must be finite (use None to wait forever)",
            "--timeout 0 to wait forever",
        ),
        ("desired_num_results", "must be 1-250, got 0", "--num: must be 1-250"),
        (
            "criteria[1].name",
            "must be 1-100 characters long, got 0",
            "--criterion/--criteria (item 2, name)",
        ),
        (
            "criteria",
            "must hold at least one criterion (or be None to infer them)",
            "leave them out",
        ),
        ("exclude_task_ids[0]", "must be a non-empty id", "--exclude-task (item 1)"),
        ("data_sources", "must name at least one source (or be None for auto)", "--data-source"),
        (
            "must_have",
            "unknown criterion key 'x'; the task's criteria are: a, b",
            "--must-have: unknown",
        ),
        ("blockers", "unknown criterion key 'x'", "--blocker: unknown"),
        ("page_size", "must be >= 1", "--page-size"),
    ],
)
def test_invalid_argument_names_the_flag(argument: str, message: str, flag: str) -> None:
    text = invalid_argument(InvalidArgumentError(argument, message))
    assert flag in text
    for spelling in PYTHON_SPELLINGS:
        assert spelling not in text


def test_every_mapped_flag_exists() -> None:
    help_text = ""
    parser = build_parser(HANDLERS)
    help_text += parser.format_help()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                help_text += sub.format_help()
                for inner in sub._actions:
                    if isinstance(inner, argparse._SubParsersAction):
                        help_text += "".join(s.format_help() for s in inner.choices.values())
    for flag in FLAGS.values():
        for word in flag.replace("/", " ").replace("(", " ").split():
            if word.startswith("--"):
                assert word in help_text, word


def test_plain_http_to_another_host_names_the_cli_flag(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Refused at client construction, before any request.
    monkeypatch.setenv("EXTRUCT_API_TOKEN", "tok_test_123")
    code = main(["--base-url", "http://extruct.example", "list"])
    assert code == 2
    line = one_line(capsys.readouterr().err)
    assert "--base-url" in line and "--allow-insecure-http" in line
    assert "allow_insecure_http" not in line


def test_allow_insecure_http_flag_reaches_the_client(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EXTRUCT_API_TOKEN", "tok_test_123")
    args = build_parser(HANDLERS).parse_args(
        ["list", "--base-url", "http://extruct.example", "--allow-insecure-http"]
    )
    ctx = Context(args)
    try:
        ds = ctx.client()  # constructed, nothing sent
        assert ds.base_url == "http://extruct.example"
    finally:
        ctx.close()


@pytest.mark.parametrize(
    ("base_url", "flags", "expected"),
    [
        ("http://127.0.0.1:8787", [], 0.5),
        ("http://localhost:8787", [], 0.5),
        ("http://[::1]:8787", [], 0.5),
        ("https://api.extruct.ai", [], 10.0),  # the client's documented default
        ("http://127.0.0.1:8787", ["--poll-interval", "3"], 3.0),
        ("https://api.extruct.ai", ["--poll-interval", "3"], 3.0),
    ],
)
def test_poll_interval_is_short_against_a_loopback_url(
    monkeypatch: pytest.MonkeyPatch, base_url: str, flags: list[str], expected: float
) -> None:
    monkeypatch.setenv("EXTRUCT_API_TOKEN", "tok_test_123")
    args = build_parser(HANDLERS).parse_args(["--base-url", base_url, "wait", "t", *flags])
    ctx = Context(args)
    try:
        ds = ctx.client()
        # The flag, or else the client's own default, which is short against loopback.
        assert (ctx.poll_interval(ds) or ds.poll_interval) == expected
    finally:
        ctx.close()
