"""Client-side checks of every argument, run before any request is sent.

Limits come from the spec (openapi/upstream.yaml) and docs/API_FACTS.md; the
few the API leaves open (id length, page size, offset) are bounded here only
to keep absurd values out. Each failure raises InvalidArgumentError naming the
argument and what is allowed, and never quotes more than a short excerpt of
the caller's value. Iterables are read once, into a list, then checked.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from typing import TypeVar

from .._errors import InvalidArgumentError, shown
from .._types import Criterion, DataSource
from .domains import normalize_domains
from .params import CreateParams

T = TypeVar("T")

MAX_RESULTS = 250
MAX_EXCLUDE_TASK_IDS = 100
MAX_EXCLUDE_DOMAINS = 1000
MAX_ACTIVE = 1000  # run_many: tasks running at once (no documented limit)
MAX_ID_LENGTH = 128  # task and table ids (a UUID is 36 characters)
MAX_PAGE_SIZE = 10_000  # page_size, limit, batch_size: no documented maximum
MAX_OFFSET = 2**31 - 1
MAX_SECONDS = 1e9  # poll_interval, timeout, wait_timeout: about 31 years
CRITERION_KEY = re.compile(r"[a-zA-Z][a-zA-Z0-9_]*")
NAME_LENGTH = (1, 100)
CRITERION_LENGTH = (10, 500)
# C0 controls except tab, newline and carriage return; DEL; C1 controls.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _int(name: str, value: object, low: int, high: int) -> int:
    allowed = f"an integer from {low} to {high}"
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidArgumentError(name, f"must be {allowed}, got {type(value).__name__}")
    if not low <= value <= high:
        raise InvalidArgumentError(name, f"must be {allowed}, got {shown(value)}")
    return value


def _desired_num_results(value: object) -> int:
    """1..250 (the task cap)."""
    return _int("desired_num_results", value, 1, MAX_RESULTS)


def desired_new_results(value: object) -> int:
    """0..250."""
    return _int("desired_new_results", value, 0, MAX_RESULTS)


def page_size(value: object, name: str = "page_size") -> int:
    """An integer from 1 to 10000 (page_size, limit, batch_size)."""
    return _int(name, value, 1, MAX_PAGE_SIZE)


def count_between(name: str, value: object, low: int, high: int) -> int:
    """An integer from ``low`` to ``high``."""
    return _int(name, value, low, high)


def positive_count(name: str, value: object) -> int:
    """An integer from 1 to 10000 (a size or a limit)."""
    return _int(name, value, 1, MAX_PAGE_SIZE)


def offset(value: object) -> int:
    """An integer from 0 to 2**31 - 1."""
    return _int("offset", value, 0, MAX_OFFSET)


def positive_seconds(name: str, value: object, *, allow_none: bool = False) -> float | None:
    """A finite number of seconds > 0 and at most 1e9 (or None when allowed)."""
    if value is None and allow_none:
        return None
    none = " or None" if allow_none else ""
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise InvalidArgumentError(
            name, f"must be a number of seconds > 0{none}, got {shown(value)}"
        )
    if value == math.inf:
        raise InvalidArgumentError(name, "must be finite (use None to wait forever)")
    if value > MAX_SECONDS:
        raise InvalidArgumentError(name, f"must be at most {MAX_SECONDS:g} seconds{none}")
    return float(value)


def text(name: str, value: str) -> str:
    """``value`` if UTF-8 can encode it (no lone surrogates), else an InvalidArgumentError."""
    if (match := _SURROGATE.search(value)) is not None:
        raise InvalidArgumentError(
            name,
            f"must be valid Unicode text; it holds a lone surrogate at index {match.start()}",
        )
    return value


def _query(value: object) -> str:
    """A non-empty string without control characters."""
    if not isinstance(value, str):
        raise InvalidArgumentError("query", f"must be a string, got {type(value).__name__}")
    if not value.strip():
        raise InvalidArgumentError("query", "must be a non-empty description of companies")
    if _CONTROL.search(value):
        raise InvalidArgumentError("query", "must not contain control characters")
    return text("query", value)


def path_id(name: str, value: object) -> str:
    """An id that stays inside its URL path segment, at most 128 characters.

    httpx resolves dot segments, so ``..`` would request ``/v1`` and ``.``
    ``/v1/discovery_tasks``: refuse them, ``/``, ``\\``, whitespace,
    control characters and lone surrogates.
    """
    if not isinstance(value, str):
        raise InvalidArgumentError(name, f"must be a string, got {type(value).__name__}")
    if len(value) > MAX_ID_LENGTH:
        raise InvalidArgumentError(
            name, f"must be at most {MAX_ID_LENGTH} characters, got {len(value)}"
        )
    if not value.strip() or value in (".", "..") or "/" in value or "\\" in value:
        raise InvalidArgumentError(
            name, f"must be a non-empty id without '/', '\\', or dot segments, got {shown(value)}"
        )
    if _CONTROL.search(value) or any(c.isspace() for c in value):
        raise InvalidArgumentError(
            name, f"must not contain whitespace or control characters: {shown(value)}"
        )
    return text(name, value)


def _text(name: str, value: object, bounds: tuple[int, int]) -> str:
    low, high = bounds
    if not isinstance(value, str):
        raise InvalidArgumentError(name, f"must be a string of {low}-{high} characters")
    if not low <= len(value) <= high:
        raise InvalidArgumentError(name, f"must be {low}-{high} characters long, got {len(value)}")
    return text(name, value)


def _criteria(value: object) -> list[Criterion] | None:
    """Criterion objects (or mappings with key/name/criterion), unique keys."""
    if value is None:
        return None
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise InvalidArgumentError("criteria", "must be a list of Criterion(key, name, criterion)")
    out: list[Criterion] = []
    keys: set[str] = set()
    for i, item in enumerate(value):
        where = f"criteria[{i}]"
        if isinstance(item, Mapping):
            missing = {"key", "name", "criterion"} - set(item)
            if missing:
                raise InvalidArgumentError(where, f"is missing {', '.join(sorted(missing))}")
            unknown = sorted(map(str, set(item) - {"key", "name", "criterion"}))
            if unknown:
                raise InvalidArgumentError(
                    where,
                    f"has unknown field(s) {', '.join(map(repr, unknown))}; "
                    "allowed: key, name, criterion",
                )
            item = Criterion(item["key"], item["name"], item["criterion"])
        if not isinstance(item, Criterion):
            raise InvalidArgumentError(where, "must be a Criterion(key, name, criterion)")
        key = item.key
        if not isinstance(key, str) or not CRITERION_KEY.fullmatch(key):
            raise InvalidArgumentError(
                f"{where}.key",
                "must match ^[a-zA-Z][a-zA-Z0-9_]*$ (a letter, then letters, digits, _), "
                f"got {shown(key)}",
            )
        if key in keys:
            raise InvalidArgumentError(
                f"{where}.key", f"duplicates key {key!r}; keys must be unique"
            )
        keys.add(key)
        _text(f"{where}.name", item.name, NAME_LENGTH)
        _text(f"{where}.criterion", item.criterion, CRITERION_LENGTH)
        out.append(item)
    if not out:
        raise InvalidArgumentError(
            "criteria", "must hold at least one criterion (or be None to infer them)"
        )
    return out


def _strings(name: str, value: object) -> list[str]:
    """A list of strings, read once from any iterable (a generator is fine)."""
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise InvalidArgumentError(name, "must be a list of strings")
    items = list(value)
    for i, item in enumerate(items):
        if not isinstance(item, str):
            raise InvalidArgumentError(
                f"{name}[{i}]", f"must be a string, got {type(item).__name__}"
            )
        text(f"{name}[{i}]", item)
    return items


def table_inputs(value: object) -> list[str]:
    """add_table_rows inputs: non-empty strings, read once from any iterable."""
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise InvalidArgumentError("inputs", "must be a list of non-empty strings")
    items = list(value)
    for i, item in enumerate(items):
        if not isinstance(item, str) or not item.strip():
            raise InvalidArgumentError(
                "inputs", f"must be a list of non-empty strings; inputs[{i}] is {shown(item)}"
            )
        text("inputs", item)
    return items


def _exclude_domains(value: object) -> list[str] | None:
    """Domains or URLs that parse as a domain, at most 1000 unique registered domains."""
    if value is None:
        return None
    items = _strings("exclude_domains", value)
    unique, invalid = normalize_domains(items)
    if invalid:
        some = ", ".join(shown(v) for v in invalid[:3])
        raise InvalidArgumentError(
            "exclude_domains", f"cannot be parsed as a domain or URL: {some}"
        )
    if len(unique) > MAX_EXCLUDE_DOMAINS:
        raise InvalidArgumentError(
            "exclude_domains",
            f"holds {len(unique)} unique registered domains; at most {MAX_EXCLUDE_DOMAINS} allowed",
        )
    return items


def _exclude_task_ids(value: object) -> list[str] | None:
    """At most 100 task ids."""
    if value is None:
        return None
    items = _strings("exclude_task_ids", value)
    if len(items) > MAX_EXCLUDE_TASK_IDS:
        raise InvalidArgumentError(
            "exclude_task_ids", f"holds {len(items)} ids; at most {MAX_EXCLUDE_TASK_IDS} allowed"
        )
    for i, item in enumerate(items):
        path_id(f"exclude_task_ids[{i}]", item)
    return items


def _data_sources(value: object) -> list[str] | None:
    """Each one of web_search, linkedin, maps."""
    if value is None:
        return None
    items = _strings("data_sources", value)
    allowed = [s.value for s in DataSource]
    for i, item in enumerate(items):
        if item not in allowed:
            raise InvalidArgumentError(
                f"data_sources[{i}]", f"must be one of {', '.join(allowed)}, got {shown(item)}"
            )
    if not items:
        raise InvalidArgumentError(
            "data_sources", "must name at least one source (or be None for auto)"
        )
    return items


def _tuple(items: list[T] | None) -> tuple[T, ...] | None:
    return None if items is None else tuple(items)


def create_params(
    *,
    query: object,
    desired_num_results: object = 100,
    criteria: object = None,
    exclude_domains: object = None,
    exclude_task_ids: object = None,
    data_sources: object = None,
) -> CreateParams:
    """Validate every create() argument into one frozen :class:`CreateParams`.

    Each iterable argument is read once (a generator is fine), then checked.
    """
    return CreateParams(
        query=_query(query),
        desired_num_results=_desired_num_results(desired_num_results),
        criteria=_tuple(_criteria(criteria)),
        exclude_domains=_tuple(_exclude_domains(exclude_domains)),
        exclude_task_ids=_tuple(_exclude_task_ids(exclude_task_ids)),
        data_sources=_tuple(_data_sources(data_sources)),
    )
