"""Registered domains, as the API resolves ``exclude_domains`` (the server's side).

The create-task docs: "Server normalizes each entry to its registered domain
(``https://www.Acme.com/about`` -> ``acme.com``). Duplicates are collapsed." The
sandbox does this itself, apart from the client's own client-side check, so the
two cannot share a bug. The Public Suffix List is tldextract's bundled
snapshot, read offline: no suffix-list URL to fetch, no disk cache.

A host is taken from a URL or a bare name, lower-cased and converted to ASCII
(``Bücher.de`` -> ``xn--bcher-kva.de``); IP addresses, malformed labels and
hosts without a registrable part under a public suffix are not domains.
PSL private suffixes (``github.io``) are not public suffixes here.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from functools import cache
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    import tldextract

__all__ = ["normalize_domains", "registered_domain"]

_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")


@cache
def _suffixes() -> tldextract.TLDExtract:
    # Imported on first use: tldextract imports requests, which is slow to load.
    import tldextract

    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True)


def _ascii_host(value: str) -> str | None:
    text = value.strip()
    if not text or any(ch.isspace() for ch in text):
        return None
    try:
        host = urlsplit(text if "://" in text else f"//{text}").hostname
    except ValueError:  # e.g. an unbalanced "[" or a bad port
        return None
    if not host:
        return None
    try:
        return host.rstrip(".").encode("idna").decode("ascii").lower()
    except UnicodeError:
        return None


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def registered_domain(value: str) -> str | None:
    """The registered domain of a domain name or URL, or None if it names none.

    Args:
        value: ``acme.com``, ``shop.acme.co.uk`` or ``https://www.Acme.com/about``.

    Returns:
        The lowercase ASCII registered domain (``acme.com``), or None for an empty
        or spaced value, an IP address, a malformed name, a bare public suffix or a
        host under no known suffix.
    """
    host = _ascii_host(value)
    if host is None or _is_ip(host) or len(host) > 253:
        return None
    if not all(_LABEL.fullmatch(label) for label in host.split(".")):
        return None
    parts = _suffixes()(host)
    if not parts.domain or not parts.suffix:
        return None
    return f"{parts.domain}.{parts.suffix}"


def normalize_domains(values: Iterable[str]) -> tuple[list[str], list[str]]:
    """Resolve many values at once.

    Returns:
        ``(domains, invalid)``: the sorted distinct registered domains, and the
        values that are not domains, in input order.
    """
    found: set[str] = set()
    invalid: list[str] = []
    for value in values:
        domain = registered_domain(value)
        if domain is None:
            invalid.append(value)
        else:
            found.add(domain)
    return sorted(found), invalid
