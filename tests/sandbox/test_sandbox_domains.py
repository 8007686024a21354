"""The sandbox's own registered-domain resolution (sandbox/domains.py), offline."""

from __future__ import annotations

import pytest
from extruct_deep_search.sandbox import domains
from extruct_deep_search.sandbox.domains import normalize_domains, registered_domain


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://www.Acme.com/about", "acme.com"),  # the docs' example
        ("acme.com", "acme.com"),
        ("  ACME.com.  ", "acme.com"),
        ("shop.example.co.uk", "example.co.uk"),
        ("http://a.b.example.com.au:8080/x?y=1#z", "example.com.au"),
        ("https://user:pw@sub.example.ai/path", "example.ai"),
        ("Bücher.de", "xn--bcher-kva.de"),
        ("xn--bcher-kva.de", "xn--bcher-kva.de"),
        ("a-b--c.io", "a-b--c.io"),
        ("pages.github.io", "github.io"),  # private suffixes are not public ones
    ],
)
def test_registered_domain(value: str, expected: str) -> None:
    assert registered_domain(value) == expected


@pytest.mark.parametrize(
    "junk",
    ["", "  ", "junk", "com", "co.uk", "10.0.0.1", "http://[::1]/", "a b.com", "-x.com",
     "x-.com", "x..com", "*.com", "http://", "under_score.com", "x.notarealtld", "http://[x",
     "a" * 64 + ".com"],
)  # fmt: skip
def test_not_a_domain(junk: str) -> None:
    assert registered_domain(junk) is None


def test_normalize_sorts_dedupes_and_keeps_invalid_in_order() -> None:
    found, invalid = normalize_domains(
        ["https://www.B.com/x", "zz", "a.co.uk", "b.com", "www.a.co.uk", "1.1.1.1"]
    )
    assert found == ["a.co.uk", "b.com"]
    assert invalid == ["zz", "1.1.1.1"]


def test_offline_snapshot_without_disk_cache() -> None:
    extractor = domains._suffixes()
    assert extractor.suffix_list_urls == ()
    assert extractor._cache.enabled is False
