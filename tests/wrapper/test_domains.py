"""Unit tests of _core/domains.py: registered domains with the bundled PSL snapshot."""

from __future__ import annotations

import pytest
from extruct_deep_search._core import domains
from extruct_deep_search._core.domains import normalize_domains, registered_domain


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://www.Acme.com/about", "acme.com"),
        ("acme.com", "acme.com"),
        ("WWW.ACME.COM.", "acme.com"),
        ("shop.acme.co.uk", "acme.co.uk"),
        ("http://a.b.example.com.au:8080/x?y=1", "example.com.au"),
        ("https://user:pw@sub.example.ai/path", "example.ai"),
        ("example.de", "example.de"),
        ("Bücher.de", "xn--bcher-kva.de"),
        ("xn--bcher-kva.de", "xn--bcher-kva.de"),
        ("foo.github.io", "github.io"),
    ],
)
def test_registered_domain(value: str, expected: str) -> None:
    assert registered_domain(value) == expected


@pytest.mark.parametrize(
    "junk",
    ["", "   ", "junk", "com", "co.uk", "1.2.3.4", "http://[::1]/", "a b.com", "-x.com",
     "x..com", "*.com", "http://", "under_score.com", "x.notarealtld"],
)  # fmt: skip
def test_junk_is_none(junk: str) -> None:
    assert registered_domain(junk) is None


def test_normalize_domains_sorts_dedupes_and_reports_invalid_in_order() -> None:
    found, invalid = normalize_domains(
        ["https://www.B.com/x", "zz", "a.co.uk", "b.com", "www.a.co.uk", "1.1.1.1"]
    )
    assert found == ["a.co.uk", "b.com"]
    assert invalid == ["zz", "1.1.1.1"]


def test_extractor_never_fetches_or_caches() -> None:
    extractor = domains._extractor()
    assert extractor.suffix_list_urls == ()
    assert extractor._cache.enabled is False
