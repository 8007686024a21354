"""Reading what the user gave on the command line: criteria, excluded domains, keys."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .. import Criterion
from ._context import UsageError, read_text_file


def split_keys(values: Sequence[str]) -> list[str]:
    """``["a,b", "c"]`` -> ``["a", "b", "c"]`` (repeatable, comma-separated flags)."""
    return [key.strip() for value in values for key in value.split(",") if key.strip()]


def _load_yaml(path: str, text: str) -> Any:
    try:
        import yaml
    except ImportError:
        raise UsageError(
            f"--criteria {path}: reading YAML needs PyYAML: pip install 'extruct-deep-search[cli]'"
        ) from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        raise UsageError(f"--criteria {path}: not valid JSON or YAML") from None


def load_criteria_file(path: str) -> list[Criterion]:
    text = read_text_file("--criteria", Path(path))
    data: Any
    if path.endswith((".yaml", ".yml")):
        data = _load_yaml(path, text)
    else:
        try:
            data = json.loads(text)
        except ValueError:
            if path.endswith(".json"):
                raise UsageError(f"--criteria {path}: not valid JSON") from None
            data = _load_yaml(path, text)
    if isinstance(data, dict) and isinstance(data.get("criteria"), list):
        data = data["criteria"]
    if not isinstance(data, list) or not data:
        raise UsageError(
            f"--criteria {path}: expected a non-empty list of {{key, name, criterion}}"
        )
    criteria = []
    for index, item in enumerate(data):
        if not isinstance(item, dict) or not {"key", "name", "criterion"} <= set(item):
            raise UsageError(
                f"--criteria {path}: item {index} must be an object with key, name and criterion"
            )
        criteria.append(Criterion(str(item["key"]), str(item["name"]), str(item["criterion"])))
    return criteria


def criteria(args: argparse.Namespace) -> list[Criterion] | None:
    """The --criterion KEY:NAME:TEXT flags, then the --criteria file's list."""
    found = []
    for text in args.criterion:
        parts = text.split(":", 2)
        if len(parts) != 3 or not all(p.strip() for p in parts):
            raise UsageError(f"--criterion {text!r}: expected KEY:NAME:TEXT")
        found.append(Criterion(parts[0].strip(), parts[1].strip(), parts[2].strip()))
    if args.criteria:
        found += load_criteria_file(args.criteria)
    return found or None


def exclude_domains(args: argparse.Namespace) -> list[str] | None:
    """--exclude-domain flags and the lines of --exclude-domains-file (# starts a comment)."""
    domains = list(args.exclude_domain)
    if args.exclude_domains_file:
        path = Path(args.exclude_domains_file)
        for line in read_text_file("--exclude-domains-file", path).splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                domains.append(line)
    return domains or None
