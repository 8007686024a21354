"""Registered-domain normalization with the Public Suffix List, offline.

Shared by the client (client-side validation of ``exclude_domains``) and the
sandbox (server-side resolution). It uses tldextract's bundled PSL snapshot
only: ``suffix_list_urls=()`` disables fetching and ``cache_dir=None``
disables the disk cache, so nothing here touches the network or the disk.

Internationalized names are returned in ASCII (punycode, IDNA 2003 via the
standard library codec), lowercase: ``https://www.Bücher.de/x`` -> ``xn--bcher-kva.de``.
Private PSL suffixes (``github.io``, ``blogspot.com``) are not treated as
public suffixes, matching tldextract's default.
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

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


@cache
def _extractor() -> tldextract.TLDExtract:
    # Imported on first use: tldextract pulls in requests, which would double
    # the import time of the whole package.
    import tldextract

    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True)


def _host(value: str) -> str | None:
    text = value.strip()
    if not text or any(ch.isspace() for ch in text):
        return None
    try:
        parts = urlsplit(text if "://" in text else "//" + text)
        host = parts.hostname
    except ValueError:
        return None
    if not host:
        return None
    host = host.rstrip(".").lower()
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    return ascii_host.lower()


def registered_domain(value: str) -> str | None:
    """Return the registered domain of a domain name or URL, or None if it is not one.

    Args:
        value: a bare domain (``Acme.com``), a host (``www.acme.co.uk``) or a URL
            (``https://www.Acme.com/about``).

    Returns:
        The lowercase ASCII registered domain (``acme.com``), or None for values
        that cannot be parsed as a domain: empty strings, whitespace, IP
        addresses, hosts without a known public suffix, bare suffixes.
    """
    host = _host(value)
    if host is None:
        return None
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return None
    if len(host) > 253 or not all(_LABEL.match(label) for label in host.split(".")):
        return None
    parts = _extractor()(host)
    if not parts.suffix or not parts.domain:
        return None
    return f"{parts.domain}.{parts.suffix}"


def normalize_domains(values: Iterable[str]) -> tuple[list[str], list[str]]:
    """Normalize many domains or URLs at once.

    Args:
        values: domains or URLs, as a user would pass them in ``exclude_domains``.

    Returns:
        ``(domains, invalid)``: the sorted unique registered domains, and the
        entries that could not be parsed as domains, in input order.
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
