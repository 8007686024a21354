"""Merge Extruct docs pages into the vendored upstream spec and report what changed.

    python scripts/update_spec.py SOURCE... [--spec openapi/upstream.yaml] [--write]
    python scripts/update_spec.py --all-pages [--write] [--timeout 20]

Each SOURCE is a local file or an http(s) URL of an Extruct docs ``.md`` page
(``https://docs.extruct.ai/api-reference/discover/<page>.md``). Such a page ends
with an "## OpenAPI" section holding one operation's OpenAPI 3.1 YAML in a
fenced block (three or four backticks, ``yaml`` and an info string such as
``get /v1/...``). ``--all-pages`` adds the five discovery_tasks pages.

Merge rule: the page's operation(s) and every component schema they reference
(transitively) replace those of the upstream spec exactly, in the page's key
order. Everything else (other operations and schemas, top-level info, servers,
security) stays as it is; a security scheme the page uses and the spec lacks
is added. Sources are merged in the order given.

Prose responses: a docs page often documents error statuses only in its prose
("Common errors"), not in its OpenAPI block. We transcribe those into the spec
and mark each with ``x-from-prose: true``. When the page's operation lacks a
response status that our current operation has and our response carries
``x-from-prose: true``, ours is kept (in our position, after the status that
precedes it in our operation) and not reported as removed: the page's YAML
never had it. A response without the marker that the page no longer has is
removed and reported (BREAKING). A status the page's YAML does have replaces
ours, marker and all.

The report compares the old and the merged spec: operations added, removed or
changed; parameters, request bodies and response statuses; and per schema,
fields, types, nullability, required, enum values, defaults, formats and
limits (minimum, maximum, exclusive bounds, minLength, maxLength, minItems,
maxItems, pattern, additionalProperties). Descriptions, titles and summaries
are reported as notes.

Breaking rule (think like a client of this API). A schema is judged in each
role it plays in the merged and the old spec: *request* (reachable from a
parameter or request body: what we send) and *response* (reachable from a
response: what we read). A change is BREAKING when it weakens what the client
relies on in one of those roles:

- request: the server now accepts less or behaves differently for the same
  call: a field or parameter removed, newly required, no longer nullable; a
  limit tightened (minimum/minLength/minItems raised or added, maximum/
  maxLength/maxItems lowered or added, pattern added or changed,
  additionalProperties closed); an enum value removed; a default changed
  (callers who omit the field silently get other behaviour);
- response: the server now promises less: a field removed, no longer required,
  newly nullable; a limit loosened or removed; a pattern changed;
- anywhere: an operation or a component schema removed, a type, format or
  $ref target changed, a documented response status or media type removed, a
  request body newly required, security requirements changed.

An enum value added to a response is marked "BREAKING for strict enums":
clients whose enums reject unknown values fail to parse it (openapi-python-
client raises ValueError). This project's client spec accepts unknown response
enum values (specpatch.tolerate_unknown_response_enums), so for us it only
means "regenerate to get a named member". Everything else is compatible:
additions, loosened request limits, tightened response limits, notes.

Exit codes: 0 = no change (or --write succeeded); 1 = changes found and not
written (like ``diff``: usable as an "is the vendored spec current?" check);
2 = error (unreadable source, network/HTTP error, timeout, a page without an
"## OpenAPI" YAML block, an unusable spec). With --write the merged spec is
written to --spec with yaml.safe_dump(sort_keys=False, width=100,
allow_unicode=True), which is deterministic: a second run writes the same
bytes. Then run ``nox -s generate`` to regenerate the client.
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml

Spec = dict[str, Any]

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SPEC = ROOT / "openapi" / "upstream.yaml"
DOCS_BASE = "https://docs.extruct.ai/api-reference/discover/"
PAGES = (
    "create-company-discovery-task",
    "get-company-discovery-task",
    "get-company-discovery-task-results",
    "resume-company-discovery-task",
    "list-company-discovery-tasks",
)
ALL_PAGE_URLS = tuple(f"{DOCS_BASE}{page}.md" for page in PAGES)
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
SCHEMA_REF = "#/components/schemas/"
PROSE_MARKER = "x-from-prose"  # a response transcribed from a page's prose, not its YAML
REQUEST, RESPONSE = "request", "response"
# keyword -> True when a larger value (or adding it) restricts more
LOWER_BOUNDS = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties")
UPPER_BOUNDS = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties")
NOTE_KEYWORDS = ("title", "description")
WRAPPER_KEYWORDS = (*NOTE_KEYWORDS, "default")

_HEADING = re.compile(r"^##[ \t]+OpenAPI[ \t]*$", re.MULTILINE)
_FENCE_OPEN = re.compile(r"^(?P<fence>`{3,}|~{3,})[ \t]*yaml\b[^\n]*$", re.MULTILINE)


class UpdateSpecError(Exception):
    """A source or spec cannot be used; the message names it."""


@dataclass(frozen=True)
class Change:
    """One difference between two specs.

    ``where`` names the operation or schema location, ``message`` says what
    changed. ``breaking`` follows the module's breaking rule; ``strict_only``
    marks changes that break only clients with strict (closed) enums.
    """

    where: str
    message: str
    breaking: bool = False
    strict_only: bool = False

    @property
    def marker(self) -> str:
        """``BREAKING``, ``BREAKING for strict enums`` or an empty string."""
        if self.breaking:
            return "BREAKING"
        if self.strict_only:
            return "BREAKING for strict enums"
        return ""

    def __str__(self) -> str:
        marker = f"[{self.marker}] " if self.marker else ""
        return f"{marker}{self.where}: {self.message}"


# --------------------------------------------------------------------------- reading pages


def extract_openapi_block(text: str, source: str = "page") -> str:
    """Return the YAML text of the fenced block under the "## OpenAPI" heading."""
    heading = _HEADING.search(text)
    if heading is None:
        raise UpdateSpecError(f"{source}: no '## OpenAPI' section")
    opening = _FENCE_OPEN.search(text, heading.end())
    if opening is None:
        raise UpdateSpecError(f"{source}: no ```yaml fenced block under '## OpenAPI'")
    fence = opening.group("fence")
    closing = re.compile(rf"^{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$", re.MULTILINE)
    body_start = opening.end() + 1
    end = closing.search(text, body_start)
    if end is None:
        raise UpdateSpecError(f"{source}: the yaml block under '## OpenAPI' is not closed")
    return text[body_start : end.start()]


def parse_page(text: str, source: str = "page") -> Spec:
    """Parse a docs page's OpenAPI block into a spec with at least one path."""
    block = extract_openapi_block(text, source)
    try:
        page_spec = yaml.safe_load(block)
    except yaml.YAMLError as exc:
        raise UpdateSpecError(f"{source}: the OpenAPI block is not valid YAML: {exc}") from exc
    if not isinstance(page_spec, dict) or not isinstance(page_spec.get("paths"), dict):
        raise UpdateSpecError(f"{source}: the OpenAPI block has no 'paths' mapping")
    if not page_spec["paths"]:
        raise UpdateSpecError(f"{source}: the OpenAPI block has no operations")
    return page_spec


def read_source(source: str, timeout: float, transport: httpx.BaseTransport | None = None) -> str:
    """Text of a local file, or of an http(s) URL fetched with ``timeout`` seconds."""
    if source.startswith(("http://", "https://")):
        try:
            with httpx.Client(
                timeout=timeout, follow_redirects=True, transport=transport
            ) as client:
                response = client.get(source)
                response.raise_for_status()
                return response.text
        except httpx.HTTPStatusError as exc:
            raise UpdateSpecError(
                f"{source}: HTTP {exc.response.status_code} {exc.response.reason_phrase}"
            ) from exc
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            reason = str(exc) or type(exc).__name__
            raise UpdateSpecError(
                f"{source}: cannot fetch ({type(exc).__name__}: {reason}); offline?"
            ) from exc
    try:
        return Path(source).read_text(encoding="utf-8")
    except OSError as exc:
        raise UpdateSpecError(f"{source}: cannot read ({exc.strerror or exc})") from exc


# --------------------------------------------------------------------------- merging


def schema_refs(node: Any) -> Iterator[str]:
    """Every component schema name referenced under ``node``, in document order."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(SCHEMA_REF):
            yield ref[len(SCHEMA_REF) :]
        for value in node.values():
            yield from schema_refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from schema_refs(value)


def referenced_schemas(roots: Any, schemas: dict[str, Any]) -> set[str]:
    """Names reachable from ``roots`` through ``schemas`` (names not defined included)."""
    found: set[str] = set()
    todo = list(schema_refs(roots))
    while todo:
        name = todo.pop()
        if name in found:
            continue
        found.add(name)
        if name in schemas:
            todo.extend(schema_refs(schemas[name]))
    return found


def merge(spec: Spec, page_spec: Spec) -> Spec:
    """Return ``spec`` with the page's operations and referenced schemas replaced.

    Operations and schemas the spec already has keep their position; new ones
    are appended. The inputs are not modified.
    """
    merged = copy.deepcopy(spec)
    page_paths: dict[str, Any] = page_spec.get("paths") or {}
    page_components = page_spec.get("components") or {}
    page_schemas: dict[str, Any] = page_components.get("schemas") or {}
    needed = referenced_schemas(page_paths, page_schemas)
    missing = sorted(needed - set(page_schemas))
    if missing:
        raise UpdateSpecError(f"the page references undefined schemas: {', '.join(missing)}")

    paths = merged.setdefault("paths", {})
    for path, item in page_paths.items():
        target = paths.setdefault(path, {})
        for key, value in item.items():
            ours = target.get(key)
            target[key] = copy.deepcopy(value)
            if key in HTTP_METHODS and isinstance(ours, dict) and isinstance(value, dict):
                _keep_prose_responses(ours, target[key])

    components = merged.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for name, schema in page_schemas.items():
        if name in needed:
            schemas[name] = copy.deepcopy(schema)

    used_schemes = {
        scheme
        for item in page_paths.values()
        for op in _methods(item)
        for requirement in op[1].get("security") or []
        for scheme in requirement
    }
    page_schemes = page_components.get("securitySchemes") or {}
    for scheme in sorted(used_schemes):
        if scheme in page_schemes and scheme not in components.get("securitySchemes", {}):
            components.setdefault("securitySchemes", {})[scheme] = copy.deepcopy(
                page_schemes[scheme]
            )
    return merged


def _keep_prose_responses(ours: dict[str, Any], merged_op: dict[str, Any]) -> None:
    """Put back into ``merged_op`` our ``x-from-prose`` responses the page lacks.

    Each kept response goes right after the status that precedes it in our
    operation (or first, when none does), so our response order survives.
    """
    our_responses = ours.get("responses")
    if not isinstance(our_responses, dict):
        return
    page_responses = merged_op.get("responses")
    if not isinstance(page_responses, dict):
        page_responses = {}
    kept = {
        status
        for status, resp in our_responses.items()
        if status not in page_responses
        and isinstance(resp, dict)
        and resp.get(PROSE_MARKER) is True
    }
    if not kept:
        return
    order = list(page_responses)
    previous: str | None = None
    for status in our_responses:
        if status in kept:
            order.insert(order.index(previous) + 1 if previous is not None else 0, status)
        if status in order:
            previous = status
    responses = {
        status: (copy.deepcopy(our_responses[status]) if status in kept else page_responses[status])
        for status in order
    }
    merged_op["responses"] = responses


def dump_spec(spec: Spec) -> str:
    """The spec as YAML, deterministically (same input, same bytes)."""
    return yaml.safe_dump(spec, sort_keys=False, width=100, allow_unicode=True)


# --------------------------------------------------------------------------- diffing


def _methods(item: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(item, dict):
        for method in HTTP_METHODS:
            if isinstance(item.get(method), dict):
                yield method, item[method]


def _operations(spec: Spec) -> dict[str, dict[str, Any]]:
    return {
        f"{method.upper()} {path}": op
        for path, item in (spec.get("paths") or {}).items()
        for method, op in _methods(item)
    }


def schema_roles(spec: Spec) -> dict[str, set[str]]:
    """For each component schema, whether it is sent (request) and/or read (response)."""
    schemas = (spec.get("components") or {}).get("schemas") or {}
    request_roots: list[Any] = []
    response_roots: list[Any] = []
    for op in _operations(spec).values():
        request_roots += [op.get("parameters") or [], op.get("requestBody") or {}]
        response_roots.append(op.get("responses") or {})
    roles: dict[str, set[str]] = {name: set() for name in schemas}
    for role, roots in ((REQUEST, request_roots), (RESPONSE, response_roots)):
        for name in referenced_schemas(roots, schemas):
            roles.setdefault(name, set()).add(role)
    return roles


@dataclass(frozen=True)
class _Ctx:
    where: str
    roles: frozenset[str]


def _verdict(ctx: _Ctx, *, request: bool = False, response: bool = False) -> bool:
    """Breaking if breaking in any role the schema plays (both when unknown)."""
    roles = ctx.roles or {REQUEST, RESPONSE}
    return (request and REQUEST in roles) or (response and RESPONSE in roles)


def _fmt(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    return json.dumps(value, ensure_ascii=False)


def _branches(node: dict[str, Any]) -> list[dict[str, Any]]:
    for key in ("anyOf", "oneOf"):
        if isinstance(node.get(key), list):
            return [b for b in node[key] if isinstance(b, dict)]
    return [node]


def _signature(node: dict[str, Any]) -> str:
    """A short type name: ``integer``, ``array``, ``Status`` (a $ref), ``any``."""
    ref = node.get("$ref")
    if isinstance(ref, str):
        return ref.rsplit("/", 1)[-1]
    kind = node.get("type")
    if isinstance(kind, list):
        return "|".join(str(k) for k in kind)
    if kind is None and isinstance(node.get("items"), dict):
        return "array"
    if kind is None and ("properties" in node or "additionalProperties" in node):
        return "object"
    return str(kind) if kind is not None else "any"


def _types(node: dict[str, Any]) -> tuple[list[str], bool]:
    """Non-null type signatures of a schema (anyOf/oneOf flattened) and nullability."""
    names: list[str] = []
    nullable = False
    for branch in _branches(node):
        for name in _signature(branch).split("|"):
            if name == "null":
                nullable = True
            elif name not in names:
                names.append(name)
    return names, nullable


def diff_schema(old: Any, new: Any, ctx: _Ctx, out: list[Change]) -> None:
    """Append to ``out`` every change between two schema nodes at ``ctx.where``."""
    if not isinstance(old, dict) or not isinstance(new, dict) or old == new:
        if old != new:
            out.append(Change(ctx.where, "schema replaced", breaking=True))
        return
    where = ctx.where
    old_types, old_null = _types(old)
    new_types, new_null = _types(new)
    if sorted(old_types) != sorted(new_types):
        out.append(
            Change(
                where,
                f"type changed from {' | '.join(old_types)} to {' | '.join(new_types)}",
                breaking=True,
            )
        )
    if new_null and not old_null:
        out.append(
            Change(
                where,
                "became nullable (responses may now carry null)",
                _verdict(ctx, response=True),
            )
        )
    if old_null and not new_null:
        out.append(
            Change(
                where,
                "no longer nullable (requests may not send null)",
                _verdict(ctx, request=True),
            )
        )
    old_wrapper, old_branches = _split(old)
    new_wrapper, new_branches = _split(new)
    _diff_keywords(old_wrapper, new_wrapper, ctx, out)
    _diff_branches(old_branches, new_branches, ctx, out)


def _split(node: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Split a schema into wrapper keywords and its type branches.

    ``{anyOf: [A, null], description: D}`` -> ``({description: D}, [A, null])``;
    a plain schema's title, description and default form its wrapper, the rest
    its single branch, so a field that gains or loses ``anyOf`` is compared
    keyword by keyword with its matching branch.
    """
    for key in ("anyOf", "oneOf"):
        if isinstance(node.get(key), list):
            wrapper = {k: v for k, v in node.items() if k != key}
            return wrapper, [b for b in node[key] if isinstance(b, dict)]
    wrapper = {k: node[k] for k in WRAPPER_KEYWORDS if k in node}
    return wrapper, [{k: v for k, v in node.items() if k not in WRAPPER_KEYWORDS}]


def _diff_branches(
    old: list[dict[str, Any]], new: list[dict[str, Any]], ctx: _Ctx, out: list[Change]
) -> None:
    """Pair anyOf/oneOf branches by type and diff each pair (keywords only)."""
    pool = [(b, _signature(b)) for b in new]
    for branch in old:
        sig = _signature(branch)
        for i, (candidate, candidate_sig) in enumerate(pool):
            if candidate_sig == sig:
                _diff_keywords(branch, candidate, ctx, out)
                del pool[i]
                break


def _diff_keywords(old: dict[str, Any], new: dict[str, Any], ctx: _Ctx, out: list[Change]) -> None:
    where = ctx.where
    if old.get("format") != new.get("format"):
        out.append(
            Change(
                where,
                f"format changed from {_fmt(old.get('format'))} to {_fmt(new.get('format'))}",
                breaking=True,
            )
        )
    _diff_enum(old, new, ctx, out)
    _diff_default(old, new, ctx, out)
    _diff_limits(old, new, ctx, out)
    _diff_properties(old, new, ctx, out)
    for key, suffix in (("items", "[]"), ("additionalProperties", "{}")):
        old_sub, new_sub = old.get(key), new.get(key)
        if isinstance(old_sub, dict) and isinstance(new_sub, dict):
            diff_schema(old_sub, new_sub, _Ctx(where + suffix, ctx.roles), out)
        elif key == "additionalProperties" and old_sub != new_sub:
            closed = new_sub is False or (old_sub is None and new_sub is not None)
            out.append(
                Change(
                    where,
                    f"additionalProperties changed from {_fmt(old_sub)} to {_fmt(new_sub)}",
                    _verdict(ctx, request=closed, response=not closed),
                )
            )
        elif key == "items" and (old_sub is None) != (new_sub is None):
            out.append(Change(where, f"items {'added' if old_sub is None else 'removed'}", True))
    for key in NOTE_KEYWORDS:
        if old.get(key) != new.get(key):
            out.append(Change(where, _note(key, old.get(key), new.get(key))))


def _note(key: str, old: Any, new: Any) -> str:
    if old is None:
        return f"{key} added"
    if new is None:
        return f"{key} removed"
    if key == "title":
        return f"title changed from {old!r} to {new!r}"
    return f"{key} changed"


def _diff_enum(old: dict[str, Any], new: dict[str, Any], ctx: _Ctx, out: list[Change]) -> None:
    old_values, new_values = old.get("enum"), new.get("enum")
    if old_values is None and new_values is None:
        return
    if old_values is None or new_values is None:
        added = new_values is not None
        out.append(
            Change(
                ctx.where,
                f"enum {'added' if added else 'removed'}",
                _verdict(ctx, request=added, response=not added),
            )
        )
        return
    for value in new_values:
        if value not in old_values:
            strict = _verdict(ctx, response=True)
            message = f"enum value {_fmt(value)} added"
            if strict:
                message += (
                    " (a response value: clients with strict enums fail to parse it; ours"
                    " accepts unknown values, regenerate to name it)"
                )
            out.append(Change(ctx.where, message, strict_only=strict))
    for value in old_values:
        if value not in new_values:
            breaking = _verdict(ctx, request=True)
            message = f"enum value {_fmt(value)} removed"
            if breaking:
                message += " (the client may still send it)"
            out.append(Change(ctx.where, message, breaking))


def _diff_default(old: dict[str, Any], new: dict[str, Any], ctx: _Ctx, out: list[Change]) -> None:
    if old.get("default") == new.get("default") and ("default" in old) == ("default" in new):
        return
    if "default" not in old:
        message = f"default {_fmt(new['default'])} added"
    elif "default" not in new:
        message = f"default {_fmt(old['default'])} removed"
    else:
        message = f"default changed from {_fmt(old['default'])} to {_fmt(new['default'])}"
    breaking = _verdict(ctx, request=True)
    if breaking:
        message += " (callers who omit it get other behaviour)"
    out.append(Change(ctx.where, message, breaking))


def _diff_limits(old: dict[str, Any], new: dict[str, Any], ctx: _Ctx, out: list[Change]) -> None:
    for key in (*LOWER_BOUNDS, *UPPER_BOUNDS):
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        if a is None or b is None:
            tightened = b is not None
        else:
            tightened = b > a if key in LOWER_BOUNDS else b < a
        out.append(_limit_change(ctx, key, a, b, tightened))
    a, b = old.get("pattern"), new.get("pattern")
    if a != b:
        if a is None or b is None:
            out.append(_limit_change(ctx, "pattern", a, b, tightened=b is not None))
        else:
            message = f"pattern changed from {_fmt(a)} to {_fmt(b)}"
            out.append(Change(ctx.where, message, breaking=True))


def _limit_change(ctx: _Ctx, key: str, a: Any, b: Any, tightened: bool) -> Change:
    if a is None:
        what = f"{key} {_fmt(b)} added"
    elif b is None:
        what = f"{key} {_fmt(a)} removed"
    else:
        what = f"{key} changed from {_fmt(a)} to {_fmt(b)}"
    breaking = _verdict(ctx, request=tightened, response=not tightened)
    direction = "tightened" if tightened else "loosened"
    if breaking:
        side = "request" if tightened else "response"
        direction += f", breaks {side}s"
    return Change(ctx.where, f"{what} ({direction})", breaking)


def _diff_properties(
    old: dict[str, Any], new: dict[str, Any], ctx: _Ctx, out: list[Change]
) -> None:
    old_props: dict[str, Any] = old.get("properties") or {}
    new_props: dict[str, Any] = new.get("properties") or {}
    old_req, new_req = set(old.get("required") or []), set(new.get("required") or [])
    for name in old_props:
        if name not in new_props:
            roles = ctx.roles or {REQUEST, RESPONSE}
            why = " and ".join(
                reason
                for role, reason in (
                    (RESPONSE, "clients reading it break"),
                    (REQUEST, "requests sending it may be rejected"),
                )
                if role in roles
            )
            message = f"field {name!r} removed ({why})"
            out.append(Change(ctx.where, message, breaking=True))
    for name, schema in new_props.items():
        if name not in old_props:
            required = name in new_req
            message = f"field {name!r} added" + (" (required)" if required else "")
            out.append(Change(ctx.where, message, _verdict(ctx, request=required)))
        else:
            diff_schema(old_props[name], schema, _Ctx(f"{ctx.where}.{name}", ctx.roles), out)
    for name in sorted((new_req - old_req) & set(old_props)):
        message = f"field {name!r} became required"
        out.append(Change(ctx.where, message, _verdict(ctx, request=True)))
    for name in sorted((old_req - new_req) & set(new_props)):
        message = f"field {name!r} no longer required (responses may omit it)"
        out.append(Change(ctx.where, message, _verdict(ctx, response=True)))


def _diff_content(
    old: dict[str, Any], new: dict[str, Any], where: str, roles: frozenset[str], out: list[Change]
) -> None:
    """Diff the ``content`` of a request body or a response."""
    old_content: dict[str, Any] = old.get("content") or {}
    new_content: dict[str, Any] = new.get("content") or {}
    for media in old_content:
        if media not in new_content:
            out.append(Change(where, f"media type {media} removed", breaking=True))
    for media, body in new_content.items():
        if media not in old_content:
            out.append(Change(where, f"media type {media} added"))
        else:
            old_schema = old_content[media].get("schema")
            new_schema = (body or {}).get("schema")
            diff_schema(old_schema, new_schema, _Ctx(where, roles), out)


def _diff_operation(
    old: dict[str, Any], new: dict[str, Any], where: str, out: list[Change]
) -> None:
    request, response = frozenset({REQUEST}), frozenset({RESPONSE})
    for key in ("operationId", "summary"):
        if old.get(key) != new.get(key):
            out.append(Change(where, f"{key} changed from {old.get(key)!r} to {new.get(key)!r}"))
    if old.get("description") != new.get("description"):
        out.append(
            Change(where, _note("description", old.get("description"), new.get("description")))
        )
    if old.get("tags") != new.get("tags"):
        out.append(Change(where, f"tags changed from {old.get('tags')} to {new.get('tags')}"))
    if old.get("security") != new.get("security"):
        out.append(Change(where, "security requirements changed", breaking=True))

    def params(op: dict[str, Any]) -> dict[str, dict[str, Any]]:
        return {f"{p.get('in')}.{p.get('name')}": p for p in op.get("parameters") or []}

    old_params, new_params = params(old), params(new)
    for key in old_params:
        if key not in new_params:
            out.append(Change(where, f"parameter {key} removed", breaking=True))
    for key, param in new_params.items():
        required = bool(param.get("required"))
        if key not in old_params:
            message = f"parameter {key} added" + (" (required)" if required else "")
            out.append(Change(where, message, breaking=required))
            continue
        was_required = bool(old_params[key].get("required"))
        if required != was_required:
            message = f"parameter {key} {'became required' if required else 'became optional'}"
            out.append(Change(where, message, breaking=required))
        if old_params[key].get("description") != param.get("description"):
            message = _note(
                "description", old_params[key].get("description"), param.get("description")
            )
            out.append(Change(f"{where} parameter {key}", message))
        diff_schema(
            old_params[key].get("schema"),
            param.get("schema"),
            _Ctx(f"{where} parameter {key}", request),
            out,
        )

    old_body, new_body = old.get("requestBody"), new.get("requestBody")
    body_where = f"{where} request body"
    if old_body is None and new_body is not None:
        required = bool(new_body.get("required"))
        out.append(Change(body_where, "added" + (" (required)" if required else ""), required))
    elif old_body is not None and new_body is None:
        out.append(Change(body_where, "removed", breaking=True))
    elif old_body is not None and new_body is not None:
        if bool(new_body.get("required")) != bool(old_body.get("required")):
            now = bool(new_body.get("required"))
            out.append(Change(body_where, "became required" if now else "became optional", now))
        _diff_content(old_body, new_body, body_where, request, out)

    old_responses: dict[str, Any] = old.get("responses") or {}
    new_responses: dict[str, Any] = new.get("responses") or {}
    for status in old_responses:
        if status not in new_responses:
            message = f"response {status} removed (the client no longer handles it)"
            out.append(Change(where, message, breaking=True))
    for status, resp in new_responses.items():
        if status not in old_responses:
            out.append(Change(where, f"response {status} added (regenerate to parse it)"))
            continue
        resp_where = f"{where} response {status}"
        old_resp = old_responses[status] or {}
        if old_resp.get("description") != (resp or {}).get("description"):
            out.append(Change(resp_where, "description changed"))
        _diff_content(old_resp, resp or {}, resp_where, response, out)


def diff_specs(old: Spec, new: Spec) -> list[Change]:
    """Every change from ``old`` to ``new``: operations first, then schemas."""
    out: list[Change] = []
    old_ops, new_ops = _operations(old), _operations(new)
    for where in old_ops:
        if where not in new_ops:
            out.append(Change(where, "operation removed", breaking=True))
    for where, op in new_ops.items():
        if where not in old_ops:
            out.append(Change(where, "operation added"))
        elif old_ops[where] != op:
            _diff_operation(old_ops[where], op, where, out)

    old_schemas: dict[str, Any] = (old.get("components") or {}).get("schemas") or {}
    new_schemas: dict[str, Any] = (new.get("components") or {}).get("schemas") or {}
    old_roles, new_roles = schema_roles(old), schema_roles(new)
    for name in old_schemas:
        if name not in new_schemas:
            out.append(Change(f"schema {name}", "schema removed", breaking=True))
    for name, schema in new_schemas.items():
        where = f"schema {name}"
        if name not in old_schemas:
            out.append(Change(where, "schema added"))
        elif old_schemas[name] != schema:
            roles = frozenset(old_roles.get(name, set()) | new_roles.get(name, set()))
            diff_schema(old_schemas[name], schema, _Ctx(where, roles), out)
    return out


def format_report(changes: Sequence[Change], label: str = "") -> str:
    """A human-readable report, grouped by location, breaking changes marked."""
    head = f" ({label})" if label else ""
    if not changes:
        return f"No changes{head}."
    breaking = sum(c.breaking for c in changes)
    strict = sum(c.strict_only for c in changes)
    lines = [
        f"{len(changes)} change(s){head}: {breaking} BREAKING, "
        f"{strict} BREAKING for strict enums, {len(changes) - breaking - strict} compatible"
    ]
    groups: dict[str, list[Change]] = {}
    for change in changes:
        groups.setdefault(change.where, []).append(change)
    for where, group in groups.items():
        lines.append(f"\n{where}")
        for change in group:
            marker = f"[{change.marker}] " if change.marker else ""
            lines.append(f"  - {marker}{change.message}")
    if strict:
        lines.append(
            "\nBREAKING for strict enums: a response may now carry an enum value that clients"
            " with closed enums reject. Our client spec tolerates unknown response values."
        )
    return "\n".join(lines)


# --------------------------------------------------------------------------- CLI


def _sources(args: argparse.Namespace) -> list[str]:
    sources: list[str] = list(args.sources)
    if args.all_pages:
        sources += [url for url in ALL_PAGE_URLS if url not in sources]
    return sources


def run(
    sources: Iterable[str],
    spec_path: Path,
    *,
    write: bool = False,
    timeout: float = 20.0,
    transport: httpx.BaseTransport | None = None,
) -> tuple[list[Change], bool]:
    """Merge every source into the spec at ``spec_path``; optionally write it back.

    Returns the changes and whether the file was (re)written.
    """
    try:
        old = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise UpdateSpecError(f"{spec_path}: cannot load the spec ({exc})") from exc
    if not isinstance(old, dict):
        raise UpdateSpecError(f"{spec_path}: not an OpenAPI document")
    merged = old
    for source in sources:
        page_spec = parse_page(read_source(source, timeout, transport), source)
        try:
            merged = merge(merged, page_spec)
        except UpdateSpecError as exc:
            raise UpdateSpecError(f"{source}: {exc}") from exc
    changes = diff_specs(old, merged)
    written = False
    if write:
        text = dump_spec(merged)
        if spec_path.read_text(encoding="utf-8") != text:
            spec_path.write_text(text, encoding="utf-8")
            written = True
    return changes, written


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def main(argv: Sequence[str] | None = None, transport: httpx.BaseTransport | None = None) -> int:
    """Command line entry point; returns the exit code (see the module docstring)."""
    parser = argparse.ArgumentParser(
        description=(__doc__ or "").splitlines()[0],
        epilog="exit codes: 0 no change (or written), 1 changes not written, 2 error",
    )
    parser.add_argument("sources", nargs="*", metavar="SOURCE", help="docs .md file or URL")
    parser.add_argument("--spec", type=Path, default=DEFAULT_SPEC, help="upstream spec to update")
    parser.add_argument("--write", action="store_true", help="write the merged spec to --spec")
    parser.add_argument("--timeout", type=float, default=20.0, help="HTTP timeout in seconds")
    parser.add_argument(
        "--all-pages", action="store_true", help="add the five discovery_tasks docs pages"
    )
    args = parser.parse_args(argv)
    sources = _sources(args)
    if not sources:
        parser.error("give at least one SOURCE or --all-pages")
    try:
        changes, written = run(
            sources, args.spec, write=args.write, timeout=args.timeout, transport=transport
        )
    except UpdateSpecError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(format_report(changes, f"{_display(args.spec)} vs {len(sources)} page(s)"))
    if args.write:
        print(f"\n{'wrote' if written else 'unchanged:'} {args.spec}")
        if changes:
            print("Next: run `nox -s generate` (python scripts/regenerate.py) and commit.")
        return 0
    return 1 if changes else 0


if __name__ == "__main__":
    sys.exit(main())
