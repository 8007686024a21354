"""Property-based tests (hypothesis) of the rules users rely on most.

- Pagination: any total and page size gives each row exactly once, in order,
  with the minimal number of requests (ceil((total + 1) / page_size): the
  documented stop signal is a short page, so a full last page costs one extra read).
- stream_results while rows are inserted at random relevance positions
  between page reads: every final result exactly once.
- Domain normalization on generated hosts, URLs, IDNs and junk.
- The Retry-After parser on arbitrary header values.
"""

from __future__ import annotations

import math
import re
from typing import Any

import httpx
from extruct_deep_search import DeepSearch
from extruct_deep_search._core.domains import normalize_domains, registered_domain
from extruct_deep_search._core.retry import parse_retry_after
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

TOKEN = "sk_prop_token_0123456789"
BASE = "https://api.test.example"

PROPS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def task_json(status: str, n: int) -> dict[str, Any]:
    return {
        "id": "t1",
        "created_at": "2026-01-02T03:04:05+00:00",
        "status": status,
        "query": "q",
        "desired_num_results": 250,
        "is_exhausted": False,
        "num_results_discovered": n,
        "num_results_enriched": n,
        "num_results_evaluated": n,
        "num_results": n,
        "auto_data_sources": True,
        "criteria": [],
        "exclude_domains": [],
    }


def row_json(rid: str, relevance: int) -> dict[str, Any]:
    return {
        "id": rid,
        "task_id": "t1",
        "company_name": f"Company {rid}",
        "company_description": "Makes things",
        "company_website": f"https://{rid}.example.com",
        "relevance": relevance,
        "source": "web_search",
        "created_at": "2026-01-02T03:04:05+00:00",
        "scores": {},
    }


def client(handler: Any) -> DeepSearch:
    return DeepSearch(
        TOKEN,
        base_url=BASE,
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
        poll_interval=0.001,
        _sleep=lambda s: None,
        _random=lambda: 0.0,
    )


# Pagination.


@PROPS
@given(total=st.integers(0, 400), page_size=st.integers(1, 120))
def test_pagination_yields_every_row_once_in_order_with_minimal_requests(
    total: int, page_size: int
) -> None:
    rows = [row_json(f"r{i:04d}", 100 - i * 100 // max(total, 1)) for i in range(total)]
    reads: list[tuple[int, int]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        offset = int(request.url.params["offset"])
        limit = int(request.url.params["limit"])
        reads.append((offset, limit))
        page = rows[offset : offset + limit]
        return httpx.Response(200, json={**task_json("done", total), "results": page})

    with client(handler) as ds:
        got = [r.id for r in ds.iter_results("t1", page_size=page_size)]
    assert got == [r["id"] for r in rows]
    assert len(reads) == total // page_size + 1
    assert reads == [(i * page_size, page_size) for i in range(len(reads))]


# Streaming while the list mutates.


@PROPS
@given(
    inserts=st.lists(
        st.lists(st.integers(0, 100), max_size=6), min_size=1, max_size=12
    ),  # per request: relevances of the rows that appear before it is served
    page_size=st.integers(1, 10),
    initial=st.lists(st.integers(0, 100), max_size=15),
)
def test_stream_results_yields_each_final_result_once_while_rows_shift(
    inserts: list[list[int]], page_size: int, initial: list[int]
) -> None:
    rows: list[dict[str, Any]] = []
    counter = 0

    def add(relevances: list[int]) -> None:
        nonlocal counter
        for rel in relevances:
            counter += 1
            rows.append(row_json(f"r{counter:04d}", rel))
        rows.sort(key=lambda r: (-r["relevance"], r["id"]))

    add(initial)
    script = list(inserts)
    served = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal served
        served += 1
        # Mutate before every request, then complete once the script is spent.
        status = "in_progress"
        if script:
            add(script.pop(0))
        else:
            status = "done"
        if request.url.path.endswith("/results"):
            offset = int(request.url.params["offset"])
            limit = int(request.url.params["limit"])
            page = rows[offset : offset + limit]
            return httpx.Response(200, json={**task_json(status, len(rows)), "results": page})
        return httpx.Response(200, json=task_json(status, len(rows)))

    with client(handler) as ds:
        got = [r.id for r in ds.stream_results("t1", page_size=page_size, timeout=None)]
    final = [r["id"] for r in rows]
    assert len(got) == len(set(got)), "a result was yielded twice"
    assert sorted(got) == sorted(final), "a result was lost (or invented)"


# Domain normalization.

LABEL = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,14}[a-z0-9])?", fullmatch=True)
SUFFIX = st.sampled_from(
    ["com", "co.uk", "de", "io", "org.au", "com.br", "app", "jp", "xn--p1ai", "ac.uk"]
)
UNICODE_LABEL = st.text(
    alphabet=st.sampled_from("abcdeäöüßéñçøяжшд中文日本"), min_size=1, max_size=10
)


@st.composite
def hosts(draw: st.DrawFn) -> str:
    subs = draw(st.lists(LABEL, max_size=3))
    name = draw(st.one_of(LABEL, UNICODE_LABEL))
    return ".".join([*subs, name, draw(SUFFIX)])


@st.composite
def urls(draw: st.DrawFn) -> tuple[str, str]:
    """(a URL decorating a host, the bare host)."""
    host = draw(hosts())
    scheme = draw(st.sampled_from(["", "http://", "https://", "HTTPS://"]))
    www = draw(st.sampled_from(["", "www.", "WWW."]))
    port = draw(st.sampled_from(["", ":443", ":8080"]))
    path = draw(st.sampled_from(["", "/", "/about", "/a/b?x=1#frag"]))
    case = draw(st.booleans())
    shown = host.upper() if case else host
    if not scheme and (port or path):
        scheme = "https://"
    return f"{scheme}{www}{shown}{port}{path}", host


ASCII_DOMAIN = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)+$")


def check_output(value: str | None) -> None:
    if value is not None:
        assert value.isascii() and value == value.lower(), value
        assert ASCII_DOMAIN.match(value), value


@PROPS
@given(st.one_of(st.text(max_size=80), st.binary(max_size=40).map(lambda b: b.decode("latin-1"))))
def test_registered_domain_never_raises_on_junk(value: str) -> None:
    check_output(registered_domain(value))


@PROPS
@given(urls())
def test_registered_domain_is_invariant_to_scheme_www_case_port_path(pair: tuple[str, str]) -> None:
    url, host = pair
    bare = registered_domain(host)
    check_output(bare)
    assert registered_domain(url) == bare
    if bare is not None:
        assert registered_domain(bare) == bare  # idempotent
        assert registered_domain("www." + bare) == bare


@PROPS
@given(st.lists(st.one_of(urls().map(lambda p: p[0]), st.text(max_size=30)), max_size=20))
def test_normalize_domains_partitions_input_and_is_idempotent(values: list[str]) -> None:
    domains, invalid = normalize_domains(values)
    assert domains == sorted(set(domains))
    for d in domains:
        check_output(d)
    assert all(v in values for v in invalid)
    assert len(invalid) == sum(1 for v in values if registered_domain(v) is None)
    again, bad = normalize_domains(domains)
    assert again == domains and bad == []


# Retry-After.


@PROPS
@given(
    st.one_of(
        st.none(),
        st.text(max_size=60),
        st.floats(allow_nan=True, allow_infinity=True).map(str),
        st.integers(-(10**30), 10**30).map(str),
        st.datetimes().map(lambda d: d.strftime("%a, %d %b %Y %H:%M:%S GMT")),
    ),
    st.floats(0, 4e9),
)
def test_parse_retry_after_never_raises_and_is_none_or_finite_non_negative(
    value: str | None, now: float
) -> None:
    seconds = parse_retry_after(value, now)
    assert seconds is None or (
        isinstance(seconds, float) and math.isfinite(seconds) and seconds >= 0
    )
