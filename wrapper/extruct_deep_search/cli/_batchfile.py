"""Reading a batch FILE (YAML or CSV) into searches, with every error found at once.

YAML::

    defaults:                      # optional: fields every search inherits
      desired_num_results: 50
      criteria:
        - {key: dental, name: Dental, criterion: Its main customers are dental clinics}
    searches:
      - key: dental-de             # optional: derived from the parameters when left out
        query: Dental practice software in Germany
      - query: Dental practice software in France
        desired_num_results: 20

CSV: a header row with ``query`` and optionally ``key`` and
``desired_num_results``; ``--criteria FILE`` gives every row its criteria.

Each search is validated by :class:`Search` (the rules and messages of
create). Nothing stops at the first problem: the whole file is read and every
error is reported with its place (``FILE:LINE:`` and, in YAML, the item index
``searches[2]``) and its field, before any request.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import Criterion, InvalidArgumentError, Search

__all__ = ["MAX_SEARCHES", "BatchFileError", "Check", "Entry", "load"]

MAX_SEARCHES = 10_000
FIELDS = (
    "key",
    "query",
    "desired_num_results",
    "criteria",
    "exclude_domains",
    "exclude_task_ids",
    "data_sources",
)
CSV_COLUMNS = ("key", "query", "desired_num_results")
# A query that passes validation, to check one field of a search on its own.
_PROBE = "companies"
# A criterion that passes validation, to check one field of a criterion on its own.
_CRITERION_FIELDS = ("key", "name", "criterion")
_VALID_CRITERION = {"key": "probe", "name": "Probe", "criterion": "Companies that sell software"}


@dataclass(frozen=True)
class Entry:
    """One search of the file and where it was written (``line 4`` or ``searches[2]``)."""

    where: str
    search: Search
    derived: bool = False
    """True when the key was derived from the parameters (the file gave none)."""


class BatchFileError(Exception):
    """FILE is not a valid batch; ``errors`` holds one line per problem."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        super().__init__("\n".join(errors))


@dataclass
class _Problems:
    """The errors found so far, each as ``FILE:LINE: field: message``, in line order."""

    path: str
    found: list[tuple[int, str]]

    def add(self, line: int | None, field: str, message: str) -> None:
        place = f"{self.path}:{line}" if line else self.path
        text = f"{place}: {field}: {message}" if field else f"{place}: {message}"
        self.found.append((line or 0, text))

    @property
    def lines(self) -> list[str]:
        return [text for _, text in sorted(self.found, key=lambda item: item[0])]


def _reason(exc: InvalidArgumentError) -> str:
    text, prefix = str(exc), f"{exc.argument}: "
    return text[len(prefix) :] if text.startswith(prefix) else text


def _check(fields: Mapping[str, Any]) -> tuple[Search | None, list[tuple[str, str]]]:
    """The search, or every (field, reason) wrong with ``fields``: each field alone, then all."""
    if "query" not in fields:
        problems = [("query", "is missing")]
    else:
        try:
            return Search(**fields), []
        except InvalidArgumentError as exc:
            problems = [(exc.argument, _reason(exc))]
    found = [problem for name, value in fields.items() for problem in field_problems(name, value)]
    if "query" not in fields:
        found.insert(0, problems[0])
    return None, found or problems


def _probe(name: str, value: Any) -> list[tuple[str, str]]:
    """What create says about field ``name`` = ``value`` in an otherwise valid search."""
    probe = {"query": value} if name == "query" else {"query": _PROBE, name: value}
    try:
        Search(**probe)
    except InvalidArgumentError as exc:
        return [(exc.argument, _reason(exc))]
    return []


def _renamed(problems: list[tuple[str, str]], where: str) -> list[tuple[str, str]]:
    """A probe's problems about ``criteria[0]...`` or ``criteria[1]...``, said of ``where``."""
    return [(re.sub(r"^criteria\[\d+\]", where, arg), reason) for arg, reason in problems]


def field_problems(name: str, value: Any) -> list[tuple[str, str]]:
    """Every (field, reason) wrong with one field of a search; for criteria, each field of each.

    Create stops at the first problem; a criterion's fields are checked one by
    one, each beside valid ones, so a bad key does not hide a short criterion.
    """
    found = _probe(name, value)
    if not found or name != "criteria" or not isinstance(value, list):
        return found
    problems: list[tuple[str, str]] = []
    keys: set[str] = set()
    for index, item in enumerate(value):
        where = f"criteria[{index}]"
        if not isinstance(item, dict):
            problems += _renamed(_probe("criteria", [item]), where)
            continue
        missing = [f for f in _CRITERION_FIELDS if f not in item]
        if missing:
            problems.append((where, f"is missing {', '.join(missing)}"))
        extra = {k: v for k, v in item.items() if k not in _CRITERION_FIELDS}
        if extra:
            problems += _renamed(_probe("criteria", [{**_VALID_CRITERION, **extra}]), where)
        key = item.get("key")
        if isinstance(key, str) and key in keys:
            twice = [{**_VALID_CRITERION, "key": key}] * 2
            problems += _renamed(_probe("criteria", twice), where)
        if isinstance(key, str):
            keys.add(key)
        for field in _CRITERION_FIELDS:
            if field in item:
                one = {**_VALID_CRITERION, field: item[field]}
                problems += _renamed(_probe("criteria", [one]), where)
    return problems or found


def _unknown(name: str, allowed: Iterable[str]) -> str:
    allowed = list(allowed)
    close = difflib.get_close_matches(name, allowed, n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    return f"unknown field{hint}; allowed: {', '.join(allowed)}"


# A search read from the file, its line and its field prefix in messages ("searches[3]." or "").
_Read = tuple[Entry, int | None, str]


@dataclass(frozen=True)
class _Key:
    """A key the file uses (valid searches, and invalid ones that name a key), for duplicates."""

    key: str
    where: str
    line: int | None
    prefix: str
    derived: bool


def _keys_of(entries: list[_Read], named: list[_Key]) -> list[_Key]:
    found = [_Key(e.search.key, e.where, line, prefix, e.derived) for e, line, prefix in entries]
    return sorted(found + named, key=lambda k: k.line or 0)


def _named(fields: Mapping[str, Any], where: str, line: int | None, prefix: str) -> list[_Key]:
    """The key an invalid search names, when it names a usable one."""
    key = fields.get("key")
    if isinstance(key, str) and key.strip():
        return [_Key(key, where, line, prefix, False)]
    return []


def _duplicates(keys: list[_Key], problems: _Problems) -> None:
    first: dict[str, _Key] = {}
    for entry in keys:
        key, line, prefix = entry.key, entry.line, entry.prefix
        if key not in first:
            first[key] = entry
            continue
        if entry.derived and first[key].derived:
            message = (
                f"the same search as {first[key].where} (identical parameters derive the same "
                "key); remove one or give each its own key"
            )
        else:
            message = f"{key!r} is also the key of {first[key].where}; keys must be distinct"
        problems.add(line, f"{prefix}key", message)


# What a loader read: the valid searches, the problems, the keys invalid searches name.
_Parsed = tuple[list[_Read], _Problems, list[_Key]]

Check = Callable[[Search], str | None]
"""A check of one valid search against the world outside FILE: why its key is wrong, or None."""


def _finish(parsed: _Parsed, check: Check | None) -> list[Entry]:
    entries, problems, named = parsed
    if not entries and not problems.lines:
        problems.add(None, "", "holds no searches")
    if len(entries) > MAX_SEARCHES:
        problems.add(None, "", f"holds {len(entries)} searches; at most {MAX_SEARCHES} allowed")
    _duplicates(_keys_of(entries, named), problems)
    for entry, line, prefix in entries:
        message = check(entry.search) if check is not None else None
        if message:
            problems.add(line, f"{prefix}key", message)
    if problems.lines:
        raise BatchFileError(problems.lines)
    return [entry for entry, _, _ in entries]


# YAML -------------------------------------------------------------------------------------

_SEGMENT = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


class _Lines:
    """Line numbers of a YAML document's nodes, looked up by a field path like ``criteria[0].key``."""

    def __init__(self, text: str) -> None:
        import yaml

        try:
            self.root: Any = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError:
            self.root = None

    @staticmethod
    def _child(node: Any, step: str | int) -> tuple[Any, int | None]:
        """The node under ``node`` at ``step`` and its line (a mapping field: its key's)."""
        import yaml

        if isinstance(step, int) and isinstance(node, yaml.SequenceNode) and step < len(node.value):
            item = node.value[step]
            return item, item.start_mark.line + 1
        if isinstance(step, str) and isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if getattr(key, "value", None) == step:
                    return value, key.start_mark.line + 1
        return None, None

    def duplicates(self) -> list[tuple[int, str, int]]:
        """(line, field path, line of the first) of each key a mapping holds twice.

        PyYAML keeps the last silently; FILE is checked on the composed nodes,
        so every duplicate is reported with the other errors.
        """
        found: list[tuple[int, str, int]] = []
        import yaml

        start = "searches" if isinstance(self.root, yaml.SequenceNode) else ""
        self._walk(self.root, start, found, set())
        return found

    @classmethod
    def _walk(cls, node: Any, path: str, found: list[tuple[int, str, int]], seen: set[int]) -> None:
        import yaml

        if id(node) in seen:  # an alias: its node was walked where the anchor is
            return
        seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                cls._walk(item, f"{path}[{index}]", found, seen)
        elif isinstance(node, yaml.MappingNode):
            first: dict[tuple[str, str], int] = {}
            for key, value in node.value:
                if not isinstance(key, yaml.ScalarNode) or key.tag == "tag:yaml.org,2002:merge":
                    continue
                child = f"{path}.{key.value}" if path else str(key.value)
                line = key.start_mark.line + 1
                if (key.tag, key.value) in first:
                    found.append((line, child, first[(key.tag, key.value)]))
                else:
                    first[(key.tag, key.value)] = line
                cls._walk(value, child, found, seen)

    def line(self, *steps: str | int, field: str = "") -> int | None:
        """The line of the node at ``steps`` then ``field``'s path; the deepest one found."""
        path: list[str | int] = list(steps)
        for name, index in _SEGMENT.findall(field):
            path.append(int(index) if index else name)
        node, found = self.root, None
        for step in path:
            node, line = self._child(node, step)
            if node is None:
                break
            found = line
        return found


def _criteria_default(criteria: list[Criterion] | None) -> list[dict[str, str]] | None:
    if criteria is None:
        return None
    return [{"key": c.key, "name": c.name, "criterion": c.criterion} for c in criteria]


def _load_yaml(path: str, text: str, criteria: list[Criterion] | None) -> _Parsed:
    import yaml

    problems = _Problems(path, [])
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        problems.add(mark.line + 1 if mark else None, "", f"not valid YAML: {reason}")
        raise BatchFileError(problems.lines) from None
    lines = _Lines(text)
    for again, path, first in lines.duplicates():
        problems.add(again, path, f"given twice (also on line {first}); YAML keeps only the last")
    prefix: list[str | int] = []
    if isinstance(data, list):
        data = {"searches": data}
    else:
        prefix = ["searches"]
    if not isinstance(data, dict):
        problems.add(None, "", "expected a mapping {defaults: {...}, searches: [...]}")
        raise BatchFileError(problems.lines)
    for name in data:
        if name not in ("defaults", "searches"):
            problems.add(
                lines.line(str(name)), str(name), _unknown(str(name), ("defaults", "searches"))
            )
    defaults = _yaml_defaults(data.get("defaults"), lines, problems, criteria)
    searches = data.get("searches")
    if not isinstance(searches, list):
        problems.add(lines.line("searches"), "searches", "must be a list of searches")
        raise BatchFileError(problems.lines)
    entries: list[_Read] = []
    named: list[_Key] = []
    for index, item in enumerate(searches):
        where = f"searches[{index}]"
        item_line = lines.line(*prefix, index)
        if not isinstance(item, dict):
            problems.add(item_line, where, "must be a mapping with at least a query")
            continue
        fields = dict(defaults)
        bad = False
        for name, value in item.items():
            if name not in FIELDS:
                line = lines.line(*prefix, index, str(name))
                problems.add(line, f"{where}.{name}", _unknown(str(name), FIELDS))
                bad = True
            else:
                fields[name] = value
        search, errors = _check(fields)
        for field, reason in errors:
            root = _SEGMENT.match(field)
            own = root is not None and root.group(1) in item
            line = lines.line(*prefix, index, field=field) if own else item_line
            label = (
                f"{where}.{field}"
                if own or field == "query"
                else f"{where}.{field} (from defaults)"
            )
            problems.add(line, label, reason)
        label = f"{where} (line {item_line})" if item_line else where
        if search is not None and not bad:
            entries.append((Entry(label, search, "key" not in fields), item_line, f"{where}."))
        else:
            named += _named(fields, label, item_line, f"{where}.")
    return entries, problems, named


def _yaml_defaults(
    value: Any, lines: _Lines, problems: _Problems, criteria: list[Criterion] | None
) -> dict[str, Any]:
    """The valid fields of ``defaults`` (each bad one reported once, here, not per search)."""
    defaults: dict[str, Any] = {}
    if criteria is not None:
        defaults["criteria"] = _criteria_default(criteria)
    if value is None:
        return defaults
    if not isinstance(value, dict):
        problems.add(lines.line("defaults"), "defaults", "must be a mapping of create fields")
        return defaults
    for name, field_value in value.items():
        line = lines.line("defaults", str(name))
        if name not in FIELDS or name == "key":
            allowed = [f for f in FIELDS if f != "key"]
            message = (
                "a key names one search; set it per search"
                if name == "key"
                else _unknown(str(name), allowed)
            )
            problems.add(line, f"defaults.{name}", message)
            continue
        if name == "criteria" and criteria is not None:
            problems.add(line, "defaults.criteria", "given both here and by --criteria; keep one")
            continue
        wrong = field_problems(str(name), field_value)
        for argument, reason in wrong:
            problems.add(
                lines.line("defaults", field=argument) or line, f"defaults.{argument}", reason
            )
        if not wrong:
            defaults[name] = field_value
    return defaults


# CSV --------------------------------------------------------------------------------------


def _rows(text: str) -> Iterable[tuple[int, list[str]]]:
    """(first line of the record, cells) per CSV record; quoted cells may span lines."""
    reader = csv.reader(io.StringIO(text, newline=""))
    start = 1
    for cells in reader:
        yield start, cells
        start = reader.line_num + 1


def _csv_int(cell: str) -> int | str:
    try:
        return int(cell.strip())
    except ValueError:
        return cell


def _load_csv(path: str, text: str, criteria: list[Criterion] | None) -> _Parsed:
    problems = _Problems(path, [])
    rows = _rows(text)
    try:
        header_line, header = next(iter(rows), (1, []))
        columns = [cell.strip().lower() for cell in header]
        for column in columns:
            if column not in CSV_COLUMNS:
                problems.add(
                    header_line,
                    column or "(empty column name)",
                    _unknown(column, CSV_COLUMNS) + " (criteria go in --criteria FILE)",
                )
        if "query" not in columns:
            problems.add(
                header_line,
                "query",
                "the header row needs a query column (and optionally key, desired_num_results)",
            )
            raise BatchFileError(problems.lines)
        seen = {c for c in columns if columns.count(c) > 1}
        for column in sorted(seen):
            problems.add(header_line, column, "is a column twice")
        entries: list[_Read] = []
        named: list[_Key] = []
        for line, cells in rows:
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(columns):
                problems.add(line, "", f"has {len(cells)} cells; the header has {len(columns)}")
                continue
            fields: dict[str, Any] = {}
            for column, cell in zip(columns, cells, strict=True):
                if column == "query":
                    fields["query"] = cell.strip()
                elif column == "key" and cell.strip():
                    fields["key"] = cell.strip()
                elif column == "desired_num_results" and cell.strip():
                    fields["desired_num_results"] = _csv_int(cell)
            if criteria is not None:
                fields["criteria"] = criteria
            search, errors = _check(fields)
            for field, reason in errors:
                if field == "desired_num_results" and isinstance(fields.get(field), str):
                    reason = f"must be an integer from 1 to 250, got {fields[field]!r}"
                problems.add(line, field, reason)
            if search is not None:
                entries.append((Entry(f"line {line}", search, "key" not in fields), line, ""))
            else:
                named += _named(fields, f"line {line}", line, "")
    except csv.Error as exc:
        problems.add(None, "", f"not valid CSV: {exc}")
        raise BatchFileError(problems.lines) from None
    return entries, problems, named


# Both -------------------------------------------------------------------------------------

Loader = Callable[[str, str, "list[Criterion] | None"], _Parsed]
LOADERS: dict[str, Loader] = {".yaml": _load_yaml, ".yml": _load_yaml, ".csv": _load_csv}


def _criteria_problems(criteria: list[Criterion] | None, flag: str) -> list[str]:
    if criteria is None:
        return []
    try:
        Search(_PROBE, criteria=criteria)
    except InvalidArgumentError as exc:
        return [f"{flag}: {exc.argument}: {_reason(exc)}"]
    return []


def load(
    path: Path,
    text: str,
    criteria: list[Criterion] | None = None,
    *,
    criteria_flag: str = "--criteria",
    check: Check | None = None,
) -> list[Entry]:
    """The searches in ``text`` (the content of ``path``), or :class:`BatchFileError` with every problem.

    ``criteria`` (from ``--criteria FILE``) applies to every search that sets none;
    ``check`` (a key the journal records with other parameters) reports with the rest.
    """
    loader = LOADERS.get(path.suffix.lower())
    if loader is None:
        raise BatchFileError([f"{path}: unknown format; name the file .yaml, .yml or .csv"])
    bad_criteria = _criteria_problems(criteria, criteria_flag)
    if bad_criteria:
        criteria = None
    try:
        entries = _finish(loader(str(path), text.removeprefix("\ufeff"), criteria), check)
    except BatchFileError as exc:
        raise BatchFileError(bad_criteria + exc.errors) from None
    if bad_criteria:
        raise BatchFileError(bad_criteria)
    return entries
