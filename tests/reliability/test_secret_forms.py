"""The token never leaks in any representation (issue 10, item 5).

A server may echo the token JSON-escaped (``\\/``, ``\\u00XX``),
percent-encoded, in any response header an error quotes, or so that a
truncation cuts through it. None of that may show up in an error's ``str``,
``repr``, ``.body``, ``.detail``, ``.request_id``, chained exceptions, or the
locals of the frames a traceback formatter prints (``capture_locals=True``, as
rich and ``pytest --showlocals`` do). Both clients.
"""

from __future__ import annotations

import io
import json
import traceback
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from extruct_deep_search import (
    APIError,
    AsyncDeepSearch,
    DeepSearch,
    ExtructError,
    RetryPolicy,
)

# Characters JSON may escape (/) and percent-encoding changes (+, /, =).
TOKEN = "sk/live+Q9xZ_t0k3n/value=="
BASE = "https://api.test.example"
# No retries, and a short look for an unreadable create's task (the list answers the same).
ONCE = RetryPolicy(max_retries=0, recovery_window=0.2)


def json_escaped(token: str) -> str:
    """The token as a JSON string body may carry it: every / as \\/ and a few \\u00XX."""
    out = []
    for i, char in enumerate(token):
        if char == "/":
            out.append("\\/")
        elif i % 3 == 0:
            out.append(f"\\u{ord(char):04X}" if i % 2 else f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return "".join(out)


def percent_encoded(token: str) -> str:
    return "".join(f"%{ord(c):02X}" if not c.isalnum() else c for c in token)


ESCAPED = json_escaped(TOKEN)
assert json.loads(f'"{ESCAPED}"') == TOKEN


def fragments(token: str, size: int = 8) -> list[str]:
    """Every run of ``size`` characters of the token: no part of it may survive a cut."""
    return [token[i : i + size] for i in range(len(token) - size + 1)]


def everything_about(exc: BaseException) -> str:
    """Every way a program or a traceback formatter could show this exception."""
    te = traceback.TracebackException.from_exception(exc, capture_locals=True)
    parts = [
        str(exc),
        repr(exc),
        "".join(te.format()),
        "".join(traceback.format_exception(exc)),
        repr(vars(exc)),
        repr(getattr(exc, "body", None)),
        repr(getattr(exc, "detail", None)),
        repr(getattr(exc, "request_id", None)),
    ]
    return "\n".join(parts)


def assert_no_token(text: str) -> None:
    for part in [TOKEN, ESCAPED, *fragments(TOKEN)]:
        assert part not in text, (
            f"token part {part!r} leaked: ...{text[text.find(part) - 200 :][:400]}"
        )


Answer = Callable[[httpx.Request], httpx.Response]

# (id, answer, operation)
ECHOES: list[tuple[str, Answer, str]] = [
    (
        "401-json-escaped",
        lambda r: httpx.Response(
            401, content=f'{{"detail": "bad token {ESCAPED}"}}'.encode(), headers={}
        ),
        "get",
    ),
    (
        "500-percent-encoded",
        lambda r: httpx.Response(500, text=f"upstream said token={percent_encoded(TOKEN)}"),
        "get",
    ),
    (
        "404-escaped-in-detail-list",
        lambda r: httpx.Response(
            422, content=f'{{"detail": [{{"loc": ["x"], "msg": "{ESCAPED}"}}]}}'.encode()
        ),
        "get",
    ),
    (
        "403-token-in-request-id",
        lambda r: httpx.Response(
            403, json={"detail": "no"}, headers={"x-request-id": "req-" + TOKEN}
        ),
        "get",
    ),
    (
        "403-escaped-token-in-request-id",
        lambda r: httpx.Response(
            403, json={"detail": "no"}, headers={"x-request-id": "req-" + percent_encoded(TOKEN)}
        ),
        "get",
    ),
    (
        "200-unreadable-token-across-the-2000-byte-cut",
        lambda r: httpx.Response(200, content=b"x" * 1990 + TOKEN.encode() + b" not json"),
        "create",
    ),
    (
        "200-parse-error-quotes-a-cut-value",
        # The parse error quotes 40 characters of a wrong-typed value; the cut
        # falls inside the token.
        lambda r: httpx.Response(
            200,
            json={
                "id": "t1",
                "created_at": "2026-01-02T03:04:05+00:00",
                "status": "done",
                "query": "q",
                "desired_num_results": ["abcdefghijklmnopqrstuvwx" + TOKEN],
            },
        ),
        "create",
    ),
    (
        "200-results-with-token-in-wrong-place",
        lambda r: httpx.Response(200, content=b'{"results": "' + ESCAPED.encode() + b'"}'),
        "results",
    ),
]


def _call(ds: Any, op: str) -> Any:
    if op == "get":
        return ds.get("t1")
    if op == "create":
        return ds.create("dental SaaS")
    return ds.results("t1")


@pytest.mark.parametrize(("answer", "op"), [e[1:] for e in ECHOES], ids=[e[0] for e in ECHOES])
def test_sync_errors_show_no_form_of_an_echoed_token(answer: Answer, op: str) -> None:
    http = httpx.Client(transport=httpx.MockTransport(answer))
    with DeepSearch(TOKEN, base_url=BASE, http_client=http, retry_policy=ONCE) as ds:
        with pytest.raises(ExtructError) as info:
            _call(ds, op)
        assert_no_token(everything_about(info.value))
    if isinstance(info.value, APIError) and info.value.request_id is not None:
        assert len(info.value.request_id) <= 503


@pytest.mark.parametrize(("answer", "op"), [e[1:] for e in ECHOES], ids=[e[0] for e in ECHOES])
async def test_async_errors_show_no_form_of_an_echoed_token(answer: Answer, op: str) -> None:
    http = httpx.AsyncClient(transport=httpx.MockTransport(answer))
    async with AsyncDeepSearch(TOKEN, base_url=BASE, http_client=http, retry_policy=ONCE) as ds:
        with pytest.raises(ExtructError) as info:
            if op == "results":
                await ds.results("t1")
            elif op == "get":
                await ds.get("t1")
            else:
                await ds.create("dental SaaS")
        assert_no_token(everything_about(info.value))
    await http.aclose()


def test_a_quoted_header_is_bounded_like_server_detail() -> None:
    http = httpx.Client(
        transport=httpx.MockTransport(
            lambda r: httpx.Response(
                500, json={"detail": "x"}, headers={"x-request-id": "r" * 5000}
            )
        )
    )
    with (
        DeepSearch(TOKEN, base_url=BASE, http_client=http, max_retries=0) as ds,
        pytest.raises(APIError) as info,
    ):
        ds.get("t1")
    assert info.value.request_id is not None and len(info.value.request_id) <= 503
    assert len(str(info.value)) < 1100


def test_a_transport_error_that_quotes_the_token_is_redacted_in_every_form() -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadError(f"peer said {ESCAPED} and {TOKEN}")

    http = httpx.Client(transport=httpx.MockTransport(fail))
    with DeepSearch(TOKEN, base_url=BASE, http_client=http, max_retries=0) as ds:
        with pytest.raises(ExtructError) as info:
            ds.get("t1")
        assert_no_token(everything_about(info.value))


def test_the_secret_object_never_shows_the_token() -> None:
    from extruct_deep_search._core.secrets import Secret, resolve_token

    secret = resolve_token(TOKEN)
    assert isinstance(secret, Secret)
    shown = [repr(secret), str(secret), f"{secret}", f"{secret!r}", f"{secret:>40}"]
    assert_no_token("\n".join(shown))
    assert secret.reveal() == TOKEN
    with pytest.raises(TypeError):
        __import__("pickle").dumps(secret)


def test_a_client_holds_the_token_only_inside_a_secret() -> None:
    with DeepSearch(TOKEN, base_url=BASE) as ds:
        assert_no_token(repr(vars(ds)))


@pytest.mark.parametrize(
    "form",
    [TOKEN, ESCAPED, percent_encoded(TOKEN), TOKEN.replace("/", "\\/")],
)
def test_redact_and_scrub_catch_every_echo_form(form: str) -> None:
    from extruct_deep_search._core.secrets import Secret, redact, scrub

    text = f"before {form} after"
    assert redact(text, TOKEN) == "before [REDACTED] after"
    assert scrub(text.encode(), Secret(TOKEN)) == b"before [REDACTED] after"


def test_redact_leaves_other_text_alone() -> None:
    from extruct_deep_search._core.secrets import redact

    assert redact("sk/live+ other text", TOKEN) == "sk/live+ other text"
    assert redact("anything", None, "") == "anything"


@pytest.mark.parametrize("value", ["", "   ", None])
def test_a_missing_token_names_the_environment_variable(
    value: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from extruct_deep_search._core.secrets import resolve_token

    monkeypatch.delenv("EXTRUCT_API_TOKEN", raising=False)
    with pytest.raises(ExtructError, match="EXTRUCT_API_TOKEN"):
        resolve_token(value)


def one_escaped(token: str) -> list[str]:
    """The token with exactly one character in each escaped form a server may use."""
    forms = []
    for i, char in enumerate(token):
        head, tail = token[:i], token[i + 1 :]
        forms += [
            head + f"\\u{ord(char):04x}" + tail,
            head + f"\\u{ord(char):04X}" + tail,
            head + f"%{ord(char):02x}" + tail,
            head + f"%{ord(char):02X}" + tail,
        ]
        if char == "/":
            forms.append(head + "\\/" + tail)
    return forms


@pytest.mark.parametrize("token", [TOKEN, "sk_test_4f9QzA0"])
def test_scrub_catches_any_single_escaped_character_anywhere(token: str) -> None:
    from extruct_deep_search._core.secrets import Secret

    secret = Secret(token)
    for form in one_escaped(token):
        assert secret.scrub(f'{{"a": "x {form} y"}}'.encode()) == b'{"a": "x [REDACTED] y"}', form


def test_scrub_returns_a_clean_body_as_it_is() -> None:
    from extruct_deep_search._core.secrets import Secret

    body = json.dumps({"name": "Acmé 50% growth", "url": "https://a.com/a%20b"}).encode()
    assert Secret(TOKEN).scrub(body) is body


class EchoingTransport(httpx.MockTransport):
    """A server that answers every results page with the token in each result's data."""

    def __init__(self, token: str) -> None:
        super().__init__(self.answer)
        self.token = token

    def answer(self, request: httpx.Request) -> httpx.Response:
        result = {
            "id": "r1",
            "task_id": "t1",
            "company_name": "Acme",
            "company_website": "https://acme.com",
            "company_description": f"leak {self.token} and {percent_encoded(self.token)}",
            "relevance": 4,
            "surprise": json_escaped(self.token),
        }
        page = {
            "id": "t1",
            "created_at": "2026-01-02T03:04:05+00:00",
            "status": "done",
            "query": "q",
            "desired_num_results": 1,
            "results": [result],
        }
        body = json.dumps(page).replace(json.dumps(json_escaped(self.token)), f'"{ESCAPED}"')
        return httpx.Response(200, content=body.encode())


def test_a_token_echoed_into_result_data_never_reaches_the_caller() -> None:
    from extruct_deep_search.exports import write_csv

    http = httpx.Client(transport=EchoingTransport(TOKEN))
    with DeepSearch(TOKEN, base_url=BASE, http_client=http, max_retries=0) as ds:
        results = ds.results("t1")
    assert len(results) == 1
    out = io.StringIO()
    write_csv(results, out)
    shown = "\n".join([repr(results), json.dumps([r.to_dict() for r in results]), out.getvalue()])
    assert "[REDACTED]" in shown
    assert_no_token(shown)
