"""The API token: where it comes from, the object that holds it, and redaction.

The client and the CLI both use this module, so the token is looked up and
redacted by one set of rules:

- :func:`resolve_token` reads the argument or ``EXTRUCT_API_TOKEN`` and checks
  it is a valid header value, without ever echoing it.
- :class:`Secret` holds it. Its ``repr`` and ``str`` are ``[REDACTED]``, so a
  traceback formatter that prints the locals of every frame
  (``traceback.TracebackException(capture_locals=True)``, rich, pytest
  ``--showlocals``) shows nothing. Only :meth:`Secret.reveal` gives the value,
  and only the request builder calls it.
- :func:`redact` and :func:`scrub` replace the token in text and bytes,
  including the forms a server may echo it in: JSON escapes (``\\/``,
  ``\\u00XX``) and percent-encoding, each character in any form. Redact
  before cutting text short, never after, or a cut could leave part of it.
"""

from __future__ import annotations

import os
import re

from .._errors import InvalidArgumentError

__all__ = ["REDACTED", "TOKEN_ENV", "Secret", "redact", "resolve_token", "scrub"]

TOKEN_ENV = "EXTRUCT_API_TOKEN"
REDACTED = "[REDACTED]"
_TOKEN_CHARS = re.compile(r"[\x21-\x7e]+")  # printable ASCII, no spaces: a header value
_JSON_ESCAPES = {"/": r"\/", '"': r"\"", "\\": r"\\"}


def _echo_pattern(value: str) -> str:
    """A regex matching ``value`` with each character as itself or escaped."""
    parts = []
    for char in value:
        forms = [re.escape(char), rf"(?i:\\u00{ord(char):02x})", rf"(?i:%{ord(char):02x})"]
        if char in _JSON_ESCAPES:
            forms.append(re.escape(_JSON_ESCAPES[char]))
        parts.append("(?:" + "|".join(forms) + ")")
    return "".join(parts)


def _hex_forms(value: str) -> bytes:
    """A regex alternation of the two-digit hex codes of ``value``'s characters, any case."""
    codes = {f"{ord(char):02x}" for char in value}
    forms = {
        f"{a}{b}"
        for code in codes
        for a in {code[0], code[0].upper()}
        for b in {code[1], code[1].upper()}
    }
    return "|".join(sorted(forms)).encode("ascii")


class Secret:
    """A token that never shows itself: ``repr``, ``str`` and ``format`` give [REDACTED].

    Args:
        value: the token, printable ASCII (checked by :func:`resolve_token`).
    """

    __slots__ = ("_bytes_pattern", "_escapes", "_pattern", "_percent", "_raw", "_unicode", "_value")

    def __init__(self, value: str) -> None:
        self._value = value
        pattern = _echo_pattern(value)
        self._pattern = re.compile(pattern)
        self._bytes_pattern = re.compile(pattern.encode("ascii"))
        # What any echo must hold somewhere: the token as it is, or one of its
        # characters escaped. Literal scans, so a clean body costs well under
        # a millisecond per 400 KB instead of the full pattern's few.
        self._raw = value.encode("ascii")
        hexes = _hex_forms(value)
        self._percent = re.compile(rb"%(?:" + hexes + rb")")
        self._unicode = re.compile(rb"\\[uU]00(?:" + hexes + rb")")
        self._escapes = [_JSON_ESCAPES[c].encode() for c in set(value) & set(_JSON_ESCAPES)]

    def _may_echo(self, content: bytes) -> bool:
        return (
            self._raw in content
            or (b"%" in content and self._percent.search(content) is not None)
            or (b"00" in content and self._unicode.search(content) is not None)
            or any(escape in content for escape in self._escapes)
        )

    def reveal(self) -> str:
        """The token itself, for the Authorization header and nothing else."""
        return self._value

    def redact(self, text: str) -> str:
        """``text`` with every echo of the token replaced by [REDACTED]."""
        return self._pattern.sub(REDACTED, text)

    def scrub(self, content: bytes) -> bytes:
        """``content`` with every echo of the token replaced by [REDACTED]."""
        if not self._may_echo(content):
            return content
        return self._bytes_pattern.sub(REDACTED.encode(), content)

    def __repr__(self) -> str:
        return f"Secret({REDACTED!r})"

    def __str__(self) -> str:
        return REDACTED

    def __format__(self, spec: str) -> str:
        return REDACTED

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("a Secret cannot be pickled")


def _secret(value: Secret | str) -> Secret:
    return value if isinstance(value, Secret) else Secret(value)


def redact(text: str, *secrets: Secret | str | None) -> str:
    """``text`` with each secret, in any form a server may echo it in, replaced."""
    for secret in secrets:
        if secret:
            text = _secret(secret).redact(text)
    return text


def scrub(content: bytes, *secrets: Secret | str | None) -> bytes:
    """``content`` with each secret, in any form a server may echo it in, replaced."""
    for secret in secrets:
        if secret:
            content = _secret(secret).scrub(content)
    return content


def resolve_token(token: str | Secret | None) -> Secret:
    """The token from the argument, else EXTRUCT_API_TOKEN; a clear error when missing.

    Raises:
        InvalidArgumentError: no token, or one that is not printable ASCII
            without spaces. The message never echoes it.
    """
    if isinstance(token, Secret):
        return token
    value = token if token is not None else os.environ.get(TOKEN_ENV)
    if value is not None and not isinstance(value, str):
        raise InvalidArgumentError("token", f"must be a string, got {type(value).__name__}")
    if value is None or not value.strip():
        raise InvalidArgumentError(
            "token", f"missing: pass token=... or set the {TOKEN_ENV} environment variable"
        )
    value = value.strip()
    if not _TOKEN_CHARS.fullmatch(value):
        raise InvalidArgumentError("token", "must be printable ASCII without spaces")
    return Secret(value)
