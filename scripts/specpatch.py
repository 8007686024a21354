"""Derive the client spec (openapi/client.yaml) from the upstream spec.

Each step is one small, pure function on the parsed spec; ``patch`` applies
them in order. Every step corrects a measured behaviour of
openapi-python-client 0.29.1 (see shared/docs/GENERATOR_NOTES.md):

- ``shorten_operation_ids``: FastAPI ids give module names such as
  ``get_discovery_task_results_v1_discovery_tasks__task_id__results_get.py``.
- ``name_company_sizes``: enum values that do not start with a letter get
  positional names (VALUE_0..VALUE_7) that shift when a bucket is inserted.
- ``tolerate_unknown_response_enums``: an unknown value in a plain enum field
  raises ValueError and one bad row fails a whole results page; an
  ``anyOf: [enum, string]`` keeps it as a plain string.

The upstream spec stays as Extruct publishes it; this file is the only place
where the client spec differs from it.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator
from typing import Any

Spec = dict[str, Any]

OPERATION_IDS: dict[tuple[str, str], str] = {
    ("post", "/v1/discovery_tasks"): "create_task",
    ("get", "/v1/discovery_tasks"): "list_tasks",
    ("get", "/v1/discovery_tasks/{task_id}"): "get_task",
    ("get", "/v1/discovery_tasks/{task_id}/results"): "get_task_results",
    ("post", "/v1/discovery_tasks/{task_id}/resume"): "resume_task",
    ("post", "/v1/tables/{table_id}/rows"): "add_table_rows",
}

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


class SpecPatchError(Exception):
    """The upstream spec no longer has the shape this patch expects."""


def shorten_operation_ids(spec: Spec) -> Spec:
    """Replace FastAPI's long operationIds with short, stable ones."""
    seen: set[tuple[str, str]] = set()
    for path, item in spec.get("paths", {}).items():
        for method in HTTP_METHODS:
            op = item.get(method)
            if op is None:
                continue
            key = (method, path)
            if key not in OPERATION_IDS:
                raise SpecPatchError(
                    f"no short operationId for {method.upper()} {path}: "
                    "add one to OPERATION_IDS in scripts/specpatch.py"
                )
            op["operationId"] = OPERATION_IDS[key]
            seen.add(key)
    missing = set(OPERATION_IDS) - seen
    if missing:
        names = ", ".join(f"{m.upper()} {p}" for m, p in sorted(missing))
        raise SpecPatchError(f"operations gone from the upstream spec: {names}")
    return spec


def enum_varname(value: str) -> str:
    """``"1-10"`` -> ``SIZE_1_10``, ``"10001+"`` -> ``SIZE_10001_PLUS``."""
    name = value.replace("+", "_PLUS")
    name = re.sub(r"[^0-9A-Za-z]+", "_", name).strip("_").upper()
    return f"SIZE_{name}"


def name_company_sizes(spec: Spec) -> Spec:
    """Give CompanySize members real names with ``x-enum-varnames``."""
    schema = spec["components"]["schemas"].get("CompanySize")
    if schema is None or "enum" not in schema:
        raise SpecPatchError("components.schemas.CompanySize with an enum is gone")
    schema["x-enum-varnames"] = [enum_varname(str(v)) for v in schema["enum"]]
    return spec


def _refs(node: Any) -> Iterator[str]:
    """Every schema name referenced anywhere under ``node``."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            yield ref.rsplit("/", 1)[1]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def _closure(spec: Spec, roots: Iterator[str]) -> set[str]:
    schemas = spec["components"]["schemas"]
    found: set[str] = set()
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name in found or name not in schemas:
            continue
        found.add(name)
        todo.extend(_refs(schemas[name]))
    return found


def _operations(spec: Spec) -> Iterator[dict[str, Any]]:
    for item in spec.get("paths", {}).values():
        for method in HTTP_METHODS:
            if method in item:
                yield item[method]


def response_only_schemas(spec: Spec) -> set[str]:
    """Schemas reachable from a response and from no request body or parameter."""
    request_roots: list[str] = []
    response_roots: list[str] = []
    for op in _operations(spec):
        request_roots.extend(_refs(op.get("requestBody", {})))
        request_roots.extend(_refs(op.get("parameters", [])))
        response_roots.extend(_refs(op.get("responses", {})))
    return _closure(spec, iter(response_roots)) - _closure(spec, iter(request_roots))


def _tolerant(node: Any, enums: set[str]) -> Any:
    """Rewrite each reference to an enum schema as ``anyOf: [ref, string]``."""
    if isinstance(node, list):
        return [_tolerant(v, enums) for v in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref", "")
    if "anyOf" in node and any(
        isinstance(alt, dict) and alt.get("type") == "string" and len(alt) == 1
        for alt in node["anyOf"]
    ):
        # Already tolerant (e.g. patching the client spec again): keep it idempotent.
        return node
    if isinstance(ref, str) and ref.rsplit("/", 1)[-1] in enums:
        rest = {k: v for k, v in node.items() if k != "$ref"}
        return {"anyOf": [{"$ref": ref}, {"type": "string"}], **rest}
    return {k: _tolerant(v, enums) for k, v in node.items()}


def tolerate_unknown_response_enums(spec: Spec) -> Spec:
    """Let response-only schemas accept enum values this client does not know.

    Request schemas keep their strict enums, so the generated request models
    still offer only documented values.
    """
    schemas = spec["components"]["schemas"]
    enums = {name for name, s in schemas.items() if "enum" in s}
    for name in sorted(response_only_schemas(spec)):
        if name in enums:
            continue
        schemas[name] = _tolerant(schemas[name], enums)
    return spec


STEPS: tuple[Callable[[Spec], Spec], ...] = (
    shorten_operation_ids,
    name_company_sizes,
    tolerate_unknown_response_enums,
)


def patch(upstream: Spec) -> Spec:
    """Return the client spec for ``upstream``; the input is not modified."""
    spec = copy.deepcopy(upstream)
    for step in STEPS:
        spec = step(spec)
    return spec
