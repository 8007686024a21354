"""Secret hygiene: the API token appears in no log line, error string or repr.

A full lifecycle runs against a private sandbox with every logger at DEBUG
(the package's, httpx's and httpcore's, captured by a root handler), plus
forced errors: 401 with a wrong token (itself a secret), 404, 400 exhausted,
422 and 200-unreadable bodies that echo the token back, a read timeout and a
wait timeout. Every exception's str, repr and formatted traceback, and the
repr of the clients and models, are collected and searched for the token.
"""

from __future__ import annotations

import io
import logging
import traceback
from collections.abc import Iterator

import httpx
import pytest
from extruct_deep_search import (
    APITimeoutError,
    AsyncDeepSearch,
    AuthenticationError,
    DeepSearch,
    ExtructError,
    NotFoundError,
    TaskExhaustedError,
    UnexpectedResponseError,
    UnprocessableEntityError,
    WaitTimeoutError,
)
from extruct_deep_search.sandbox import Sandbox

pytestmark = pytest.mark.integration

WRONG_TOKEN = "sbx_wrong_token_Zq81xV0"
ECHO_TOKEN = "sk_echoed_secret_Pw77Hq3"
LOGGERS = ("", "extruct_deep_search", "httpx", "httpcore", "httpcore.http11", "httpcore.connection")


@pytest.fixture
def everything() -> Iterator[io.StringIO]:
    """Every log record from every logger, formatted with its args, at DEBUG."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s %(args)r"))
    saved = {name: logging.getLogger(name).level for name in LOGGERS}
    root = logging.getLogger()
    root.addHandler(handler)
    for name in LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)


def describe(exc: BaseException) -> str:
    return "\n".join(
        [str(exc), repr(exc), "".join(traceback.format_exception(exc)), repr(vars(exc))]
    )


def assert_clean(text: str, *secrets: str) -> None:
    for secret in secrets:
        assert secret not in text, f"secret {secret[:6]}... leaked:\n{_around(text, secret)}"


def _around(text: str, secret: str) -> str:
    i = text.find(secret)
    return text[max(0, i - 300) : i + 100]


def test_full_lifecycle_and_forced_errors_leak_no_token(
    everything: io.StringIO, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    seen: list[str] = []
    with Sandbox(seed=11, speed=20) as sb:
        token = sb.token
        with DeepSearch(token, base_url=sb.base_url, poll_interval=0.05, max_retries=3) as ds:
            seen.append(repr(ds))
            run = ds.run("B2B payroll software for restaurants", desired_num_results=10)
            seen += [repr(run), repr(run.task), *map(repr, run.results[:5]), str(run.task)]
            tid = run.task.id
            seen += [repr(ds.get(tid)), repr(ds.list_tasks(limit=5))]
            seen += [repr(r) for r in ds.iter_results(tid, page_size=3)]
            try:
                seen.append(repr(ds.resume(tid, 5)))
            except TaskExhaustedError as exc:
                seen.append(describe(exc))
            seen += [repr(r) for r in ds.stream_results(tid, page_size=4)]

            with pytest.raises(NotFoundError) as nf:
                ds.get("no-such-task")
            seen.append(describe(nf.value))

            big = ds.create("broad Vertical SaaS for dental clinics", desired_num_results=250)
            with pytest.raises(WaitTimeoutError) as wt:
                ds.wait(big.id, timeout=0.05)
            seen.append(describe(wt.value))

        # A read timeout, via a slow fault on this private sandbox.
        sb.faults.add("get:slow=1.5*1")
        with DeepSearch(token, base_url=sb.base_url, timeout=0.5, max_retries=0) as ds:
            with pytest.raises(APITimeoutError) as to:
                ds.get(tid)
            seen.append(describe(to.value))

        # 401 with a wrong token: that token is a secret too.
        with DeepSearch(WRONG_TOKEN, base_url=sb.base_url) as bad:
            seen.append(repr(bad))
            with pytest.raises(AuthenticationError) as au:
                bad.get(tid)
            seen.append(describe(au.value))

    seen += [everything.getvalue(), caplog.text]
    seen += [repr(r.__dict__) for r in caplog.records]
    assert "HTTP" in caplog.text or caplog.records, "nothing was logged: the capture is broken"
    assert any(r.name.startswith("httpcore") for r in caplog.records), "httpcore not captured"
    assert_clean("\n".join(seen), token, WRONG_TOKEN)


def echo(status: int, template: str) -> httpx.MockTransport:
    """A hostile server that echoes the Authorization header back in its body."""

    def handler(request: httpx.Request) -> httpx.Response:
        auth = request.headers.get("authorization", "")
        body = template.replace("AUTH", auth).encode()
        return httpx.Response(status, content=body, headers={"content-type": "application/json"})

    return httpx.MockTransport(handler)


ECHOES = [
    (401, '{"detail": "bad credentials: AUTH"}', "get", AuthenticationError),
    (404, '{"detail": "no task for AUTH"}', "get", NotFoundError),
    (
        422,
        '{"detail": [{"loc": ["header"], "msg": "AUTH", "type": "x"}]}',
        "get",
        UnprocessableEntityError,
    ),
    (400, '{"detail": {"token": "AUTH"}}', "resume", TaskExhaustedError),
    (500, "<html>AUTH</html>", "get", ExtructError),
    (200, "<html>unreadable AUTH</html>", "get", UnexpectedResponseError),
]


@pytest.mark.parametrize(
    ("status", "template", "op", "cls"), ECHOES, ids=[f"{e[0]}-{e[2]}" for e in ECHOES]
)
def test_errors_redact_a_token_the_server_echoes(
    everything: io.StringIO, status: int, template: str, op: str, cls: type[Exception]
) -> None:
    ds = DeepSearch(
        ECHO_TOKEN,
        base_url="https://api.test.example",
        http_client=httpx.Client(transport=echo(status, template)),
        max_retries=0,
    )
    with ds, pytest.raises(cls) as info:
        if op == "get":
            ds.get("t1")
        else:
            ds.resume("t1", 5)
    assert_clean(str(info.value) + repr(info.value), ECHO_TOKEN)
    assert_clean("".join(traceback.format_exception(info.value)), ECHO_TOKEN)
    assert_clean(everything.getvalue(), ECHO_TOKEN)


@pytest.mark.parametrize(
    ("status", "template", "op", "cls"), ECHOES, ids=[f"{e[0]}-{e[2]}" for e in ECHOES]
)
def test_error_body_attribute_redacts_an_echoed_token(
    status: int, template: str, op: str, cls: type[Exception], request: pytest.FixtureRequest
) -> None:
    ds = DeepSearch(
        ECHO_TOKEN,
        base_url="https://api.test.example",
        http_client=httpx.Client(transport=echo(status, template)),
        max_retries=0,
    )
    with ds, pytest.raises(cls) as info:
        if op == "get":
            ds.get("t1")
        else:
            ds.resume("t1", 5)
    assert_clean(repr(getattr(info.value, "body", "")), ECHO_TOKEN)


async def test_async_client_repr_and_errors_leak_no_token(everything: io.StringIO) -> None:
    http = httpx.AsyncClient(transport=echo(401, '{"detail": "AUTH"}'))
    async with AsyncDeepSearch(
        ECHO_TOKEN, base_url="https://api.test.example", http_client=http
    ) as ds:
        text = repr(ds)
        with pytest.raises(AuthenticationError) as info:
            await ds.get("t1")
    await http.aclose()
    assert_clean(text + describe(info.value) + everything.getvalue(), ECHO_TOKEN)


def test_the_capture_would_see_a_leak(everything: io.StringIO) -> None:
    """Guard: the fixture really captures DEBUG records with their args."""
    logging.getLogger("httpcore").debug("header %s", ECHO_TOKEN)
    with pytest.raises(AssertionError):
        assert_clean(everything.getvalue(), ECHO_TOKEN)


def test_cli_debug_output_leaks_no_token(tmp_path: pytest.TempPathFactory) -> None:
    """The CLI with --debug, success and error paths, prints the token nowhere."""
    import os
    import subprocess
    import sys
    from concurrent.futures import ThreadPoolExecutor

    with Sandbox(seed=12, speed=20) as sb:
        token_file = tmp_path / "token"  # type: ignore[operator]
        token_file.write_text(sb.token + "\n")

        def cli(token: str, *argv: str) -> subprocess.CompletedProcess[str]:
            env = {**os.environ, "EXTRUCT_API_TOKEN": token}
            env.pop("EXTRUCT_BASE_URL", None)
            return subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "extruct_deep_search",
                    "--debug",
                    "--base-url",
                    sb.base_url,
                    *argv,
                ],
                capture_output=True,
                text=True,
                env=env,
                timeout=120,
                check=False,
            )

        runs = [
            (
                sb.token,
                (
                    "search",
                    "B2B payroll software for restaurants",
                    "-n",
                    "5",
                    "--poll-interval",
                    "0.1",
                    "-f",
                    "json",
                ),
            ),
            (sb.token, ("list", "--limit", "3")),
            (sb.token, ("status", "no-such-task")),
            (sb.token, ("resume", "no-such-task", "--more", "5")),
            (WRONG_TOKEN, ("status", "no-such-task")),
            ("", ("--token-file", str(token_file), "list")),
        ]
        with ThreadPoolExecutor(max_workers=3) as pool:
            procs = list(pool.map(lambda r: cli(r[0], *r[1]), runs))
    outputs = [p.stdout + p.stderr for p in procs]
    assert procs[0].returncode == 0, outputs[0][-2000:]
    assert procs[2].returncode != 0 and procs[4].returncode != 0
    assert any("DEBUG" in o or "debug" in o.lower() for o in outputs), "--debug printed nothing"
    assert_clean("\n".join(outputs), sb.token, WRONG_TOKEN)
