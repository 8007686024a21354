"""Hand-written request validation against openapi/upstream.yaml's request schemas.

Each ``parse_*`` function takes decoded JSON (or raw query strings) and returns
a typed value or raises :class:`~.state.ApiError` 422 whose detail is a list of
FastAPI/pydantic-shaped errors ``{"loc": [...], "msg": "...", "type": "..."}``.
Checks are strict JSON Schema: booleans are not integers, "5" is not an integer.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .domains import registered_domain
from .models import ApiError, CreateInput, Criterion

__all__ = [
    "decode_json",
    "parse_create",
    "parse_paging",
    "parse_resume",
    "parse_table_rows",
]

_KEY = re.compile(r"^[a-zA-Z][a-zA-Z0-9_]*$")
_SOURCES = ("web_search", "linkedin", "maps")
_CREATE_FIELDS = frozenset(
    {"query", "desired_num_results", "auto_data_sources", "data_sources", "criteria"}
    | {"exclude_domains", "exclude_task_ids", "table"}
)

Loc = tuple[str | int, ...]


class _Errors:
    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def add(self, loc: Loc, msg: str, type_: str) -> None:
        self.items.append({"loc": list(loc), "msg": msg, "type": type_})

    def raise_if_any(self) -> None:
        if self.items:
            raise ApiError(422, self.items)

    def obj(self, value: object, loc: Loc) -> dict[str, Any] | None:
        if isinstance(value, dict):
            return value
        self.add(loc, "Input should be a valid dictionary or object", "model_attributes_type")
        return None

    def string(
        self,
        value: object,
        loc: Loc,
        min_length: int = 0,
        max_length: int | None = None,
        pattern: re.Pattern[str] | None = None,
    ) -> str | None:
        if not isinstance(value, str):
            self.add(loc, "Input should be a valid string", "string_type")
            return None
        if len(value) < min_length:
            s = "" if min_length == 1 else "s"
            self.add(
                loc, f"String should have at least {min_length} character{s}", "string_too_short"
            )
        elif max_length is not None and len(value) > max_length:
            self.add(loc, f"String should have at most {max_length} characters", "string_too_long")
        elif pattern is not None and not pattern.search(value):
            msg = f"String should match pattern '{pattern.pattern}'"
            self.add(loc, msg, "string_pattern_mismatch")
        else:
            return value
        return None

    def integer(self, value: object, loc: Loc, ge: int, le: int) -> int | None:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float):
                msg = "Input should be a valid integer, got a number with a fractional part"
                self.add(loc, msg, "int_from_float")
            else:
                self.add(loc, "Input should be a valid integer", "int_type")
            return None
        if value < ge:
            self.add(loc, f"Input should be greater than or equal to {ge}", "greater_than_equal")
        elif value > le:
            self.add(loc, f"Input should be less than or equal to {le}", "less_than_equal")
        else:
            return value
        return None

    def boolean(self, value: object, loc: Loc) -> bool | None:
        if isinstance(value, bool):
            return value
        self.add(loc, "Input should be a valid boolean", "bool_type")
        return None

    def array(self, value: object, loc: Loc, max_items: int | None = None) -> list[Any] | None:
        if not isinstance(value, list):
            self.add(loc, "Input should be a valid list", "list_type")
            return None
        if max_items is not None and len(value) > max_items:
            msg = f"List should have at most {max_items} items after validation, not {len(value)}"
            self.add(loc, msg, "too_long")
            return None
        return value

    def extra(self, body: dict[str, Any], allowed: frozenset[str], loc: Loc) -> None:
        for name in body:
            if name not in allowed:
                self.add((*loc, name), "Extra inputs are not permitted", "extra_forbidden")


def decode_json(raw: bytes, required: bool) -> object:
    """Decode a request body; empty means None (422 ``missing`` when required)."""
    if not raw.strip():
        if required:
            raise ApiError(422, [{"loc": ["body"], "msg": "Field required", "type": "missing"}])
        return None
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        pos = exc.pos if isinstance(exc, json.JSONDecodeError) else exc.start
        detail = {"loc": ["body", pos], "msg": "JSON decode error", "type": "json_invalid"}
        raise ApiError(422, [detail]) from None


def parse_create(data: object) -> CreateInput:
    """Validate a DiscoveryTaskInput body."""
    errors = _Errors()
    body = errors.obj(data, ("body",))
    if body is None:
        errors.raise_if_any()
        raise AssertionError("unreachable")
    errors.extra(body, _CREATE_FIELDS, ("body",))
    query: str | None = None
    if "query" not in body:
        errors.add(("body", "query"), "Field required", "missing")
    else:
        query = errors.string(body["query"], ("body", "query"), min_length=1)
    desired = 100
    if "desired_num_results" in body:
        desired = (
            errors.integer(body["desired_num_results"], ("body", "desired_num_results"), 1, 250)
            or 0
        )
    auto = True
    if "auto_data_sources" in body:
        auto = bool(errors.boolean(body["auto_data_sources"], ("body", "auto_data_sources")))
    sources: list[str] | None = None
    if body.get("data_sources") is not None:
        items = errors.array(body["data_sources"], ("body", "data_sources"))
        sources = []
        for i, item in enumerate(items or []):
            if item in _SOURCES:
                sources.append(item)
            else:
                msg = "Input should be 'web_search', 'linkedin' or 'maps'"
                errors.add(("body", "data_sources", i), msg, "enum")
    criteria = _criteria(errors, body.get("criteria"))
    exclude_domains: list[str] | None = None
    if body.get("exclude_domains") is not None:
        items = errors.array(body["exclude_domains"], ("body", "exclude_domains"))
        exclude_domains = []
        for i, item in enumerate(items or []):
            item_loc: Loc = ("body", "exclude_domains", i)
            text = errors.string(item, item_loc)
            if text is not None and registered_domain(text) is None:
                errors.add(item_loc, f"Value error, not a domain or URL: {text!r}", "value_error")
            elif text is not None:
                exclude_domains.append(text)
    exclude_task_ids: list[str] | None = None
    if body.get("exclude_task_ids") is not None:
        ids_loc: Loc = ("body", "exclude_task_ids")
        items = errors.array(body["exclude_task_ids"], ids_loc, max_items=100)
        exclude_task_ids = [
            s
            for i, x in enumerate(items or [])
            if (s := errors.string(x, (*ids_loc, i))) is not None
        ]
    table_id = _table(errors, body.get("table"))
    errors.raise_if_any()
    assert query is not None
    return CreateInput(
        query=query,
        desired_num_results=desired,
        auto_data_sources=auto,
        data_sources=sources,
        criteria=criteria,
        exclude_domains=exclude_domains,
        exclude_task_ids=exclude_task_ids,
        table_id=table_id,
    )


def _criteria(errors: _Errors, value: object) -> list[Criterion] | None:
    if value is None:
        return None
    items = errors.array(value, ("body", "criteria"))
    out: list[Criterion] = []
    keys: set[str] = set()
    for i, item in enumerate(items or []):
        loc: Loc = ("body", "criteria", i)
        obj = errors.obj(item, loc)
        if obj is None:
            continue
        got: list[str | None] = []
        for field, lo, hi, pattern in (
            ("key", 0, None, _KEY),
            ("name", 1, 100, None),
            ("criterion", 10, 500, None),
        ):
            if field not in obj:
                errors.add((*loc, field), "Field required", "missing")
                got.append(None)
            else:
                got.append(errors.string(obj[field], (*loc, field), lo, hi, pattern))
        key, name, text = got
        if key is not None and key in keys:
            errors.add(
                (*loc, "key"), f"Value error, duplicate criterion key {key!r}", "value_error"
            )
        elif key is not None and name is not None and text is not None:
            keys.add(key)
            out.append((key, name, text))
    return out


def _table(errors: _Errors, value: object) -> str | None:
    if value is None:
        return None
    obj = errors.obj(value, ("body", "table"))
    if obj is None:
        return None
    for name in ("run", "auto_import"):
        if name in obj:
            errors.boolean(obj[name], ("body", "table", name))
    if obj.get("columns") is not None:
        cols = errors.array(obj["columns"], ("body", "table", "columns"))
        for i, col in enumerate(cols or []):
            errors.string(col, ("body", "table", "columns", i))
    if "id" in obj:
        return errors.string(obj["id"], ("body", "table", "id"))
    return None


def parse_resume(raw: bytes) -> int:
    """Validate a ResumeDiscoveryTaskInput body; return desired_new_results.

    An empty body means the defaults; a JSON ``null`` body is not an object (422).
    """
    if not raw.strip():
        return 25
    data = decode_json(raw, required=True)
    errors = _Errors()
    body = errors.obj(data, ("body",))
    if body is not None:
        errors.extra(body, frozenset({"desired_new_results"}), ("body",))
        value: int | None = 25
        if "desired_new_results" in body:
            value = errors.integer(
                body["desired_new_results"], ("body", "desired_new_results"), 0, 250
            )
    errors.raise_if_any()
    assert body is not None and value is not None
    return value


def parse_table_rows(data: object) -> list[dict[str, str]]:
    """Validate a TableRowsInput body; return the rows' data objects."""
    errors = _Errors()
    body = errors.obj(data, ("body",))
    rows: list[dict[str, str]] = []
    if body is not None:
        if "rows" not in body:
            errors.add(("body", "rows"), "Field required", "missing")
        items = errors.array(body["rows"], ("body", "rows")) if "rows" in body else None
        if "run" in body:
            errors.boolean(body["run"], ("body", "run"))
        for i, item in enumerate(items or []):
            obj = errors.obj(item, ("body", "rows", i))
            if obj is None:
                continue
            if "data" not in obj:
                errors.add(("body", "rows", i, "data"), "Field required", "missing")
                continue
            cells = errors.obj(obj["data"], ("body", "rows", i, "data"))
            if cells is None:
                continue
            for key, cell in cells.items():
                errors.string(cell, ("body", "rows", i, "data", key))
            rows.append(cells)
    errors.raise_if_any()
    return rows


def parse_paging(params: dict[str, str]) -> tuple[int | None, int | None]:
    """Parse the offset and limit query parameters (integers; absent means None)."""
    errors = _Errors()
    out: list[int | None] = []
    for name in ("offset", "limit"):
        raw = params.get(name)
        if raw is None:
            out.append(None)
            continue
        try:
            out.append(int(raw.strip()) if re.fullmatch(r"\s*[+-]?\d+\s*", raw) else int("x"))
        except ValueError:
            msg = "Input should be a valid integer, unable to parse string as an integer"
            errors.add(("query", name), msg, "int_parsing")
            out.append(None)
    errors.raise_if_any()
    return out[0], out[1]
