"""Every client-side validation rule raises InvalidArgumentError before any request."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from extruct_deep_search import Criterion, DeepSearch, ExtructError, InvalidArgumentError

from .fakes import BASE_URL, TOKEN, Recorder, client, respond, task_json

GOOD = Criterion("b2b", "B2B", "Sells primarily to other businesses")


@pytest.fixture
def rec() -> Recorder:
    return Recorder(respond(200, task_json()))


@pytest.fixture
def ds(rec: Recorder) -> Iterator[DeepSearch]:
    with client(rec) as c:
        yield c


def _invalid(rec: Recorder, call: Callable[[], Any], argument: str) -> InvalidArgumentError:
    with pytest.raises(InvalidArgumentError) as info:
        result = call()
        if hasattr(result, "__next__"):  # iterators must validate at call time already
            pytest.fail("validation was deferred to iteration")
    exc = info.value
    assert isinstance(exc, ValueError)
    assert isinstance(exc, ExtructError)
    assert exc.argument == argument
    assert str(exc).startswith(argument)
    assert rec.calls == 0, "a request was sent despite invalid arguments"
    return exc


@pytest.mark.parametrize("value", [0, 251, -1, True, False, "5", 5.0, None])
def test_desired_num_results(ds: DeepSearch, rec: Recorder, value: object) -> None:
    exc = _invalid(rec, lambda: ds.create("q", desired_num_results=value), "desired_num_results")  # type: ignore[arg-type]
    assert "1 to 250" in str(exc)


@pytest.mark.parametrize("value", [1, 250])
def test_desired_num_results_bounds_allowed(ds: DeepSearch, rec: Recorder, value: int) -> None:
    ds.create("q", desired_num_results=value)
    assert rec.calls == 1


@pytest.mark.parametrize("value", [-1, 251, True, "3"])
def test_desired_new_results(ds: DeepSearch, rec: Recorder, value: object) -> None:
    exc = _invalid(rec, lambda: ds.resume("t1", value), "desired_new_results")  # type: ignore[arg-type]
    assert "0 to 250" in str(exc)


@pytest.mark.parametrize("value", [0, 250])
def test_desired_new_results_bounds_allowed(ds: DeepSearch, rec: Recorder, value: int) -> None:
    ds.resume("t1", value)
    assert rec.calls == 1


@pytest.mark.parametrize("key", ["1abc", "_a", "a-b", "", "a b", "ключ", "a.b"])
def test_criterion_key_pattern(ds: DeepSearch, rec: Recorder, key: str) -> None:
    crit = Criterion(key, "Name", "A long enough criterion")
    exc = _invalid(rec, lambda: ds.create("q", criteria=[GOOD, crit]), "criteria[1].key")
    assert "^[a-zA-Z][a-zA-Z0-9_]*$" in str(exc)


def test_criterion_duplicate_keys(ds: DeepSearch, rec: Recorder) -> None:
    other = Criterion("b2b", "Other", "Another long criterion text")
    exc = _invalid(rec, lambda: ds.create("q", criteria=[GOOD, other]), "criteria[1].key")
    assert "unique" in str(exc)


@pytest.mark.parametrize("name", ["", "n" * 101])
def test_criterion_name_length(ds: DeepSearch, rec: Recorder, name: str) -> None:
    crit = Criterion("k", name, "A long enough criterion")
    exc = _invalid(rec, lambda: ds.create("q", criteria=[crit]), "criteria[0].name")
    assert "1-100" in str(exc)


@pytest.mark.parametrize("text", ["c" * 9, "c" * 501])
def test_criterion_text_length(ds: DeepSearch, rec: Recorder, text: str) -> None:
    crit = Criterion("k", "Name", text)
    exc = _invalid(rec, lambda: ds.create("q", criteria=[crit]), "criteria[0].criterion")
    assert "10-500" in str(exc)


def test_a_criterion_mapping_with_an_unknown_field_is_refused(
    ds: DeepSearch, rec: Recorder
) -> None:
    crit = {"key": "k", "name": "Name", "criterion": "A long enough criterion", "weight": 2}
    exc = _invalid(rec, lambda: ds.create("q", criteria=[GOOD, crit]), "criteria[1]")  # type: ignore[list-item]
    assert "'weight'" in str(exc) and "allowed: key, name, criterion" in str(exc)


def test_criterion_limits_allowed(ds: DeepSearch, rec: Recorder) -> None:
    crits = [
        Criterion("a", "n", "c" * 10),
        Criterion("B_2", "n" * 100, "c" * 500),
        {"key": "z9", "name": "Zed", "criterion": "as a mapping works too"},
    ]
    ds.create("q", criteria=crits)  # type: ignore[arg-type]
    assert rec.calls == 1
    sent = rec.requests[0].read()
    assert b'"key":"B_2"' in sent.replace(b" ", b"")


def test_exclude_task_ids_max(ds: DeepSearch, rec: Recorder) -> None:
    ids = [f"task{i}" for i in range(101)]
    exc = _invalid(rec, lambda: ds.create("q", exclude_task_ids=ids), "exclude_task_ids")
    assert "100" in str(exc)


def test_exclude_task_ids_100_allowed(ds: DeepSearch, rec: Recorder) -> None:
    ds.create("q", exclude_task_ids=[f"task{i}" for i in range(100)])
    assert rec.calls == 1


@pytest.mark.parametrize("bad", ["not a domain", "", "localhost", "1.2.3.4", "http://", "com"])
def test_exclude_domain_unparseable(ds: DeepSearch, rec: Recorder, bad: str) -> None:
    _invalid(rec, lambda: ds.create("q", exclude_domains=["acme.com", bad]), "exclude_domains")


def test_exclude_domains_over_1000(ds: DeepSearch, rec: Recorder) -> None:
    domains = [f"d{i}.com" for i in range(1001)]
    exc = _invalid(rec, lambda: ds.create("q", exclude_domains=domains), "exclude_domains")
    assert "1001" in str(exc)


def test_exclude_domains_exactly_1000_allowed(ds: DeepSearch, rec: Recorder) -> None:
    ds.create("q", exclude_domains=[f"d{i}.com" for i in range(1000)])
    assert rec.calls == 1


def test_exclude_domains_1001_hosts_fewer_registered_allowed(ds: DeepSearch, rec: Recorder) -> None:
    # 1000 registered domains, plus URL and subdomain spellings of them.
    hosts = [f"d{i}.com" for i in range(1000)]
    hosts += ["https://www.D0.com/about", "shop.d1.com", "d2.com."]
    ds.create("q", exclude_domains=hosts)
    assert rec.calls == 1


@pytest.mark.parametrize("query", ["", "   ", "\n\t"])
def test_empty_query(ds: DeepSearch, rec: Recorder, query: str) -> None:
    _invalid(rec, lambda: ds.create(query), "query")


@pytest.mark.parametrize("query", ["", "  "])
def test_empty_query_in_run(ds: DeepSearch, rec: Recorder, query: str) -> None:
    _invalid(rec, lambda: ds.run(query), "query")


@pytest.mark.parametrize("size", [0, -1, True, 2.5])
def test_page_size(ds: DeepSearch, rec: Recorder, size: object) -> None:
    _invalid(rec, lambda: ds.iter_results("t1", page_size=size), "page_size")  # type: ignore[arg-type]
    _invalid(rec, lambda: ds.results("t1", page_size=size), "page_size")  # type: ignore[arg-type]
    _invalid(rec, lambda: ds.stream_results("t1", page_size=size), "page_size")  # type: ignore[arg-type]
    _invalid(rec, lambda: ds.run("q", page_size=size), "page_size")  # type: ignore[arg-type]


def test_list_tasks_limit_and_offset(ds: DeepSearch, rec: Recorder) -> None:
    _invalid(rec, lambda: ds.list_tasks(limit=0), "limit")
    _invalid(rec, lambda: ds.list_tasks(offset=-1), "offset")


BAD_IDS = ["", ".", "..", "a/b", "a\\b", "   ", "a b", "x\x00y", "../other"]


@pytest.mark.parametrize("task_id", BAD_IDS)
def test_task_ids(ds: DeepSearch, rec: Recorder, task_id: str) -> None:
    _invalid(rec, lambda: ds.get(task_id), "task_id")
    _invalid(rec, lambda: ds.wait(task_id), "task_id")
    _invalid(rec, lambda: ds.resume(task_id), "task_id")
    _invalid(rec, lambda: ds.iter_results(task_id), "task_id")
    _invalid(rec, lambda: ds.stream_results(task_id), "task_id")


@pytest.mark.parametrize("task_id", ["..", "a/b"])
def test_exclude_task_id_path_rules(ds: DeepSearch, rec: Recorder, task_id: str) -> None:
    _invalid(rec, lambda: ds.create("q", exclude_task_ids=["ok", task_id]), "exclude_task_ids[1]")


@pytest.mark.parametrize("sources", [["web_search", "carrier_pigeon"], ["WEB_SEARCH"]])
def test_data_sources_unknown(ds: DeepSearch, rec: Recorder, sources: list[str]) -> None:
    exc = _invalid(
        rec, lambda: ds.create("q", data_sources=sources), f"data_sources[{len(sources) - 1}]"
    )
    assert "web_search" in str(exc)


def test_data_sources_known_turn_auto_off(ds: DeepSearch, rec: Recorder) -> None:
    ds.create("q", data_sources=["linkedin", "maps"])
    body = rec.requests[0].read()
    assert b'"auto_data_sources":false' in body.replace(b" ", b"")


def test_token_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EXTRUCT_API_TOKEN", raising=False)
    with pytest.raises(InvalidArgumentError) as info:
        DeepSearch(base_url=BASE_URL)
    assert info.value.argument == "token"
    assert "EXTRUCT_API_TOKEN" in str(info.value)


def test_token_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EXTRUCT_API_TOKEN", TOKEN)
    rec = Recorder(respond(200, task_json()))
    import httpx

    with DeepSearch(
        base_url=BASE_URL, http_client=httpx.Client(transport=httpx.MockTransport(rec))
    ) as ds:
        ds.get("t1")
    assert rec.requests[0].headers["authorization"] == f"Bearer {TOKEN}"


@pytest.mark.parametrize(
    "url", ["http://api.extruct.ai", "http://10.0.0.5:8000", "http://example.com/v"]
)
def test_plain_http_refused(url: str) -> None:
    with pytest.raises(InvalidArgumentError) as info:
        DeepSearch(TOKEN, base_url=url)
    assert info.value.argument == "base_url"
    assert "allow_insecure_http" in str(info.value)
    DeepSearch(TOKEN, base_url=url, allow_insecure_http=True).close()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8787",
        "http://localhost:9000",
        "http://[::1]:8000",
        "https://api.extruct.ai",
    ],
)
def test_loopback_http_and_https_allowed(url: str) -> None:
    ds = DeepSearch(TOKEN, base_url=url)
    assert ds.base_url == url
    ds.close()
