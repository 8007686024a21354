"""Hostile input: every public method and the constructor refuse bad arguments
with an InvalidArgumentError (a ValueError) that names the argument, and send
no HTTP request. Run against DeepSearch and AsyncDeepSearch alike.

A huge query is *not* in the table: the spec sets no maximum length for
``query``, so refusing one would be inventing a rule; control characters are
refused because they are clearly hostile (log/terminal injection).
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from extruct_deep_search import (
    AsyncDeepSearch,
    Criterion,
    DeepSearch,
    InvalidArgumentError,
    RetryPolicy,
)

TOKEN = "sk_hostile_token_abcdef123456"
BASE = "https://api.test.example"
C_OK = Criterion("b2b", "B2B", "Sells mainly to other businesses")


def crit(key: str = "b2b", name: str = "B2B", text: str = "Sells mainly to businesses") -> Any:
    return Criterion(key, name, text)


# (id, method, args, kwargs, argument named in the error)
CASES: list[tuple[str, str, tuple[Any, ...], dict[str, Any], str]] = [
    # create: query
    ("create-query-empty", "create", ("",), {}, "query"),
    ("create-query-blank", "create", ("   \t ",), {}, "query"),
    ("create-query-nul", "create", ("dental\x00saas",), {}, "query"),
    ("create-query-ansi-escape", "create", ("dental \x1b[31mSaaS",), {}, "query"),
    ("create-query-none", "create", (None,), {}, "query"),
    ("create-query-int", "create", (42,), {}, "query"),
    ("create-query-bytes", "create", (b"dental saas",), {}, "query"),
    # create: desired_num_results
    ("create-num-zero", "create", ("q",), {"desired_num_results": 0}, "desired_num_results"),
    ("create-num-251", "create", ("q",), {"desired_num_results": 251}, "desired_num_results"),
    ("create-num-negative", "create", ("q",), {"desired_num_results": -5}, "desired_num_results"),
    ("create-num-bool", "create", ("q",), {"desired_num_results": True}, "desired_num_results"),
    ("create-num-str", "create", ("q",), {"desired_num_results": "10"}, "desired_num_results"),
    ("create-num-float", "create", ("q",), {"desired_num_results": 10.5}, "desired_num_results"),
    ("create-num-huge", "create", ("q",), {"desired_num_results": 10**100}, "desired_num_results"),
    # create: criteria
    ("crit-key-digit", "create", ("q",), {"criteria": [crit(key="1abc")]}, "criteria[0].key"),
    ("crit-key-dash", "create", ("q",), {"criteria": [crit(key="a-b")]}, "criteria[0].key"),
    ("crit-key-empty", "create", ("q",), {"criteria": [crit(key="")]}, "criteria[0].key"),
    ("crit-key-newline", "create", ("q",), {"criteria": [crit(key="ab\n")]}, "criteria[0].key"),
    ("crit-name-empty", "create", ("q",), {"criteria": [crit(name="")]}, "criteria[0].name"),
    ("crit-name-101", "create", ("q",), {"criteria": [crit(name="n" * 101)]}, "criteria[0].name"),
    ("crit-text-9", "create", ("q",), {"criteria": [crit(text="x" * 9)]}, "criteria[0].criterion"),
    (
        "crit-text-501",
        "create",
        ("q",),
        {"criteria": [crit(text="x" * 501)]},
        "criteria[0].criterion",
    ),
    ("crit-dup-keys", "create", ("q",), {"criteria": [C_OK, C_OK]}, "criteria[1].key"),
    ("crit-a-string", "create", ("q",), {"criteria": "b2b"}, "criteria"),
    ("crit-empty-list", "create", ("q",), {"criteria": []}, "criteria"),
    ("crit-missing-fields", "create", ("q",), {"criteria": [{"key": "a"}]}, "criteria[0]"),
    ("crit-wrong-type", "create", ("q",), {"criteria": [42]}, "criteria[0]"),
    # create: exclude_domains / exclude_task_ids / data_sources
    ("domains-junk", "create", ("q",), {"exclude_domains": ["not a domain"]}, "exclude_domains"),
    ("domains-ip", "create", ("q",), {"exclude_domains": ["127.0.0.1"]}, "exclude_domains"),
    ("domains-scheme-only", "create", ("q",), {"exclude_domains": ["https://"]}, "exclude_domains"),
    ("domains-a-string", "create", ("q",), {"exclude_domains": "acme.com"}, "exclude_domains"),
    ("domains-int-item", "create", ("q",), {"exclude_domains": [123]}, "exclude_domains[0]"),
    (
        "domains-1001-unique",
        "create",
        ("q",),
        {"exclude_domains": [f"company{i}.com" for i in range(1001)]},
        "exclude_domains",
    ),
    (
        "task-ids-101",
        "create",
        ("q",),
        {"exclude_task_ids": [f"t{i}" for i in range(101)]},
        "exclude_task_ids",
    ),
    ("task-ids-dotdot", "create", ("q",), {"exclude_task_ids": [".."]}, "exclude_task_ids[0]"),
    ("task-ids-empty", "create", ("q",), {"exclude_task_ids": [""]}, "exclude_task_ids[0]"),
    ("sources-unknown", "create", ("q",), {"data_sources": ["twitter"]}, "data_sources[0]"),
    ("sources-empty", "create", ("q",), {"data_sources": []}, "data_sources"),
    # get: path-escaping ids
    ("get-empty", "get", ("",), {}, "task_id"),
    ("get-dot", "get", (".",), {}, "task_id"),
    ("get-dotdot", "get", ("..",), {}, "task_id"),
    ("get-slash", "get", ("a/b",), {}, "task_id"),
    ("get-traversal", "get", ("../../v1/user",), {}, "task_id"),
    ("get-backslash", "get", ("..\\x",), {}, "task_id"),
    ("get-space", "get", ("a b",), {}, "task_id"),
    ("get-nul", "get", ("abc\x00",), {}, "task_id"),
    ("get-crlf-injection", "get", ("abc\r\nX-Evil: 1",), {}, "task_id"),
    ("get-none", "get", (None,), {}, "task_id"),
    ("get-int", "get", (123,), {}, "task_id"),
    # list_tasks
    ("list-limit-zero", "list_tasks", (), {"limit": 0}, "limit"),
    ("list-limit-str", "list_tasks", (), {"limit": "5"}, "limit"),
    ("list-offset-negative", "list_tasks", (), {"offset": -1}, "offset"),
    # wait
    ("wait-dotdot", "wait", ("..",), {}, "task_id"),
    ("wait-poll-zero", "wait", ("t1",), {"poll_interval": 0}, "poll_interval"),
    ("wait-poll-negative", "wait", ("t1",), {"poll_interval": -1}, "poll_interval"),
    ("wait-poll-nan", "wait", ("t1",), {"poll_interval": math.nan}, "poll_interval"),
    ("wait-timeout-negative", "wait", ("t1",), {"timeout": -5}, "timeout"),
    ("wait-timeout-inf", "wait", ("t1",), {"timeout": math.inf}, "timeout"),
    # iter_results / results
    ("iter-page-zero", "iter_results", ("t1",), {"page_size": 0}, "page_size"),
    ("iter-page-float", "iter_results", ("t1",), {"page_size": 1.5}, "page_size"),
    ("iter-slash", "iter_results", ("/",), {}, "task_id"),
    ("results-page-negative", "results", ("t1",), {"page_size": -3}, "page_size"),
    ("results-dot", "results", (".",), {}, "task_id"),
    # resume
    ("resume-negative", "resume", ("t1", -1), {}, "desired_new_results"),
    ("resume-251", "resume", ("t1", 251), {}, "desired_new_results"),
    ("resume-str", "resume", ("t1", "5"), {}, "desired_new_results"),
    ("resume-dotdot", "resume", ("..", 5), {}, "task_id"),
    # stream_results
    ("stream-page-zero", "stream_results", ("t1",), {"page_size": 0}, "page_size"),
    ("stream-poll-negative", "stream_results", ("t1",), {"poll_interval": -1}, "poll_interval"),
    ("stream-traversal", "stream_results", ("../x",), {}, "task_id"),
    # run
    ("run-query-empty", "run", ("",), {}, "query"),
    ("run-num-zero", "run", ("q",), {"desired_num_results": 0}, "desired_num_results"),
    ("run-page-zero", "run", ("q",), {"page_size": 0}, "page_size"),
    ("run-timeout-negative", "run", ("q",), {"timeout": -1}, "timeout"),
    # add_table_rows
    ("rows-table-dotdot", "add_table_rows", ("..", ["stripe.com"]), {}, "table_id"),
    ("rows-inputs-str", "add_table_rows", ("tb1", "stripe.com"), {}, "inputs"),
    ("rows-inputs-empty-item", "add_table_rows", ("tb1", [""]), {}, "inputs"),
    ("rows-inputs-int", "add_table_rows", ("tb1", [1]), {}, "inputs"),
    ("rows-batch-zero", "add_table_rows", ("tb1", ["a.com"]), {"batch_size": 0}, "batch_size"),
]

# (id, constructor kwargs, argument named in the error)
CTOR_CASES: list[tuple[str, dict[str, Any], str]] = [
    ("token-empty", {"token": ""}, "token"),
    ("token-blank", {"token": "   "}, "token"),
    ("token-space", {"token": "abc def"}, "token"),
    ("token-newline", {"token": "abc\ndef"}, "token"),
    ("token-non-ascii", {"token": "tökén"}, "token"),
    ("base-url-ftp", {"base_url": "ftp://api.extruct.ai"}, "base_url"),
    ("base-url-no-scheme", {"base_url": "api.extruct.ai"}, "base_url"),
    ("base-url-plain-http", {"base_url": "http://api.extruct.ai"}, "base_url"),
    ("base-url-query", {"base_url": "https://api.extruct.ai/?x=1"}, "base_url"),
    ("timeout-zero", {"timeout": 0}, "timeout"),
    ("timeout-negative", {"timeout": -1}, "timeout"),
    ("timeout-inf", {"timeout": math.inf}, "timeout"),
    ("timeout-none-phase", {"timeout": httpx.Timeout(None)}, "timeout"),
    ("max-retries-negative", {"max_retries": -1}, "max_retries"),
    ("max-retries-str", {"max_retries": "2"}, "max_retries"),
    ("poll-interval-zero", {"poll_interval": 0}, "poll_interval"),
    ("wait-timeout-negative", {"wait_timeout": -1}, "wait_timeout"),
]


class Counter:
    def __init__(self) -> None:
        self.calls = 0
        self.posts = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        self.posts += request.method == "POST"
        return httpx.Response(500, json={"detail": "must not be reached"})


def check(exc: InvalidArgumentError, argument: str) -> None:
    assert isinstance(exc, ValueError)
    assert exc.argument == argument, (exc.argument, str(exc))
    assert str(exc).startswith(argument + ":")
    assert "\n" not in str(exc).strip()
    assert TOKEN not in str(exc)


@pytest.mark.parametrize(
    ("method", "args", "kwargs", "argument"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_sync_method_refuses_bad_input_without_a_request(
    method: str, args: tuple[Any, ...], kwargs: dict[str, Any], argument: str
) -> None:
    counter = Counter()
    http = httpx.Client(transport=httpx.MockTransport(counter))
    ds = DeepSearch(TOKEN, base_url=BASE, http_client=http)
    with ds, pytest.raises(InvalidArgumentError) as info:
        out = getattr(ds, method)(*args, **kwargs)
        if inspect.isgenerator(out) or hasattr(out, "__next__"):
            list(out)
    check(info.value, argument)
    assert counter.calls == 0


@pytest.mark.parametrize(
    ("method", "args", "kwargs", "argument"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
async def test_async_method_refuses_bad_input_without_a_request(
    method: str, args: tuple[Any, ...], kwargs: dict[str, Any], argument: str
) -> None:
    counter = Counter()
    http = httpx.AsyncClient(transport=httpx.MockTransport(counter))
    async with AsyncDeepSearch(TOKEN, base_url=BASE, http_client=http) as ds:
        with pytest.raises(InvalidArgumentError) as info:
            out = getattr(ds, method)(*args, **kwargs)
            if inspect.isawaitable(out):
                await out
            else:
                async for _ in out:
                    pass
    await http.aclose()
    check(info.value, argument)
    assert counter.calls == 0


ITERATORS = [c for c in CASES if c[1] in ("iter_results", "stream_results")]


@pytest.mark.parametrize(
    ("method", "args", "kwargs", "argument"),
    [c[1:] for c in ITERATORS],
    ids=[c[0] for c in ITERATORS],
)
def test_iterators_check_arguments_when_called_not_when_first_read(
    method: str, args: tuple[Any, ...], kwargs: dict[str, Any], argument: str
) -> None:
    with (
        DeepSearch(
            TOKEN, base_url=BASE, http_client=httpx.Client(transport=httpx.MockTransport(Counter()))
        ) as ds,
        pytest.raises(InvalidArgumentError),
    ):
        getattr(ds, method)(*args, **kwargs)  # not consumed


@pytest.mark.parametrize(
    ("kwargs", "argument"), [c[1:] for c in CTOR_CASES], ids=[c[0] for c in CTOR_CASES]
)
@pytest.mark.parametrize("cls", [DeepSearch, AsyncDeepSearch])
def test_constructor_refuses_bad_settings(
    cls: Callable[..., Any], kwargs: dict[str, Any], argument: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("EXTRUCT_API_TOKEN", raising=False)
    monkeypatch.delenv("EXTRUCT_BASE_URL", raising=False)
    kwargs = {"token": TOKEN, "base_url": BASE, **kwargs}
    token = kwargs.pop("token")
    with pytest.raises(InvalidArgumentError) as info:
        cls(token, **kwargs)
    assert info.value.argument == argument
    assert str(info.value).startswith(argument + ":")
    if argument == "token":
        # Never echo a token, even a malformed one.
        assert not token.strip() or token.strip() not in str(info.value)


def test_missing_token_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EXTRUCT_API_TOKEN", raising=False)
    with pytest.raises(InvalidArgumentError, match="EXTRUCT_API_TOKEN") as info:
        DeepSearch(base_url=BASE)
    assert info.value.argument == "token"


def test_huge_query_is_allowed_by_the_spec() -> None:
    """The spec sets no maximum: a 1 MB query is sent (once), not refused.

    The server's 500 may follow an acted create, so the client then looks for the
    task in the task list (GETs), but never POSTs it again.
    """
    counter = Counter()
    with (
        DeepSearch(
            TOKEN,
            base_url=BASE,
            http_client=httpx.Client(transport=httpx.MockTransport(counter)),
            retry_policy=RetryPolicy(max_retries=0, recovery_window=0.2),
        ) as ds,
        pytest.raises(Exception) as info,
    ):
        ds.create("x" * 1_000_000)
    assert not isinstance(info.value, InvalidArgumentError)
    assert counter.posts == 1


# The CLI: bad flags exit 2 with an error line naming the flag, before any request.


class _CountingServer:
    """Counts every HTTP request on 127.0.0.1 (any method) and answers 500."""

    def __init__(self) -> None:
        import http.server
        import threading

        outer = self
        self.calls = 0

        class Handler(http.server.BaseHTTPRequestHandler):
            def _any(self) -> None:
                outer.calls += 1
                self.send_response(500)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_POST = do_PUT = do_DELETE = _any

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


NON_UTF8 = b"\xff\xfe\x00bad \xc3\x28 bytes\n"

# (id, argv, words of which one must appear in the error line, needs a non-UTF-8 file)
CLI_CASES: list[tuple[str, list[str], tuple[str, ...]]] = [
    ("search-empty-query", ["search", ""], ("query",)),
    ("search-control-query", ["search", "dental \x1b[31mSaaS"], ("query",)),
    ("search-num-zero", ["search", "-n", "0", "q"], ("-n", "--num", "desired_num_results")),
    ("search-num-251", ["search", "-n", "251", "q"], ("-n", "--num", "desired_num_results")),
    ("search-num-text", ["search", "-n", "many", "q"], ("-n", "--num", "desired_num_results")),
    (
        "search-criterion-key",
        ["search", "--criterion", "1bad:Name:Long enough text", "q"],
        ("criteri",),
    ),
    ("search-criterion-shape", ["search", "--criterion", "nocolons", "q"], ("criterion",)),
    ("search-criterion-short", ["search", "--criterion", "ok:Name:short", "q"], ("criteri",)),
    ("search-exclude-domain", ["search", "--exclude-domain", "not a domain", "q"], ("exclude",)),
    (
        "search-data-source",
        ["search", "--data-source", "twitter", "q"],
        ("data-source", "data_source"),
    ),
    ("search-page-size-zero", ["search", "--page-size", "0", "q"], ("page-size", "page_size")),
    ("search-poll-negative", ["search", "--poll-interval", "-1", "q"], ("poll",)),
    ("status-dotdot", ["status", ".."], ("task_id", "TASK_ID", "task id")),
    ("status-slash", ["status", "a/b"], ("task_id", "TASK_ID", "task id")),
    ("results-page-size-zero", ["results", "t1", "--page-size", "0"], ("page-size", "page_size")),
    ("resume-more-251", ["resume", "t1", "--more", "251"], ("--more", "desired_new_results")),
    ("resume-more-negative", ["resume", "t1", "--more", "-1"], ("--more", "desired_new_results")),
    ("list-limit-zero", ["list", "--limit", "0"], ("limit",)),
    (
        "batch-max-active-1001",
        ["batch", "searches.yaml", "--out", "out", "--max-active", "1001"],
        ("--max-active", "1-1000"),
    ),
    (
        "batch-max-active-zero",
        ["batch", "searches.yaml", "--out", "out", "--max-active", "0"],
        ("--max-active", "1-1000"),
    ),
    ("list-offset-negative", ["list", "--offset", "-1"], ("offset",)),
    ("wait-timeout-negative", ["wait", "t1", "--timeout", "-5"], ("timeout",)),
    (
        "base-url-ftp",
        ["--base-url", "ftp://api.extruct.ai", "status", "t1"],
        ("base-url", "base_url"),
    ),
    ("token-file-missing", ["--token-file", "/nonexistent/token", "status", "t1"], ("token",)),
]
NON_UTF8_CASES: list[tuple[str, list[str], tuple[str, ...]]] = [
    ("criteria-file-non-utf8", ["search", "--criteria", "{bad}", "q"], ("criteria",)),
    ("exclude-file-non-utf8", ["search", "--exclude-domains-file", "{bad}", "q"], ("exclude",)),
    ("token-file-non-utf8", ["--token-file", "{bad}", "status", "t1"], ("token",)),
]


def _run_cli(argv: list[str], base_url: str, tmp_path: Any) -> Any:
    import os
    import subprocess
    import sys

    bad = tmp_path / "bad.txt"
    bad.write_bytes(NON_UTF8)
    argv = [a.replace("{bad}", str(bad)) for a in argv]
    env = {**os.environ, "EXTRUCT_API_TOKEN": TOKEN, "EXTRUCT_BASE_URL": base_url}
    env.pop("EXTRUCT_SANDBOX_PROXY_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "extruct_deep_search", *argv],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def _check_cli(proc: Any, words: tuple[str, ...]) -> None:
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-2000:])
    assert lines, "no error message"
    assert "Traceback" not in proc.stderr
    last = lines[-1]
    assert "error" in last.lower(), last
    assert any(w.lower() in last.lower() for w in words), last
    assert TOKEN not in proc.stderr + proc.stdout


@pytest.fixture(scope="module")
def cli_runs(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Run every CLI case at once (subprocesses in parallel), each against its own
    counting server; returns {case id: (process, requests the server received)}."""
    from concurrent.futures import ThreadPoolExecutor

    tmp = tmp_path_factory.mktemp("cli")
    cases = CLI_CASES + NON_UTF8_CASES
    servers = {c[0]: _CountingServer() for c in cases}
    try:
        with ThreadPoolExecutor(max_workers=6) as pool:
            procs = dict(
                zip(
                    [c[0] for c in cases],
                    pool.map(lambda c: _run_cli(c[1], servers[c[0]].url, tmp), cases),
                    strict=True,
                )
            )
        return {name: (procs[name], servers[name].calls) for name in procs}
    finally:
        for server in servers.values():
            server.close()


@pytest.mark.parametrize(
    ("case", "words"), [(c[0], c[2]) for c in CLI_CASES], ids=[c[0] for c in CLI_CASES]
)
def test_cli_refuses_bad_flags_with_exit_2_before_any_request(
    cli_runs: Any, case: str, words: tuple[str, ...]
) -> None:
    proc, calls = cli_runs[case]
    _check_cli(proc, words)
    assert calls == 0, "the CLI sent a request"


@pytest.mark.parametrize(
    ("case", "words"),
    [pytest.param(c[0], c[2]) for c in NON_UTF8_CASES],
    ids=[c[0] for c in NON_UTF8_CASES],
)
def test_cli_refuses_non_utf8_files(cli_runs: Any, case: str, words: tuple[str, ...]) -> None:
    proc, calls = cli_runs[case]
    _check_cli(proc, words)
    assert calls == 0, "the CLI sent a request"
