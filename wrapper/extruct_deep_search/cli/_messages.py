"""Library messages in command-line words: flags instead of Python argument names."""

from __future__ import annotations

import re

from .. import InvalidArgumentError

# InvalidArgumentError.argument (its root, before any [index] or .field) -> the flag.
FLAGS = {
    "base_url": "--base-url",
    "token": "the API token (EXTRUCT_API_TOKEN or --token-file)",
    "poll_interval": "--poll-interval",
    "wait_timeout": "--timeout",
    "timeout": "--timeout",
    "query": "QUERY",
    "desired_num_results": "--num",
    "desired_new_results": "--more",
    "criteria": "--criterion/--criteria",
    "exclude_domains": "--exclude-domain/--exclude-domains-file",
    "exclude_task_ids": "--exclude-task",
    "data_sources": "--data-source",
    "task_id": "TASK_ID",
    "table_id": "TABLE_ID",
    "page_size": "--page-size",
    "batch_size": "--batch-size",
    "limit": "--limit",
    "offset": "--offset",
    "must_have": "--must-have",
    "blockers": "--blocker",
    "inputs": "--from-task (the rows to add)",
    "key": "--key",
    "journal": "--journal",
    "max_active": "--max-active",
}

# Python spellings in library messages, and what a CLI user types instead.
PHRASES = (
    ("pass allow_insecure_http=True", "pass --allow-insecure-http"),
    (
        "pass token=... or set the EXTRUCT_API_TOKEN environment variable",
        "set EXTRUCT_API_TOKEN or pass --token-file PATH",
    ),
    ("use None to wait forever", "use --timeout 0 to wait forever"),
    ("(or be None to infer them)", "(or leave them out to infer them)"),
    ("(or be None for auto)", "(or leave it out for automatic sources)"),
    ("Criterion(key, name, criterion)", "KEY:NAME:TEXT"),
)

_PATH = re.compile(r"^(?P<root>[a-z_]+)(?:\[(?P<index>\d+)\])?(?:\.(?P<field>[a-z_]+))?$")


def flag_for(argument: str) -> str:
    """The CLI flag for an InvalidArgumentError argument such as ``criteria[1].name``."""
    match = _PATH.match(argument)
    if match is None or match["root"] not in FLAGS:
        return argument
    flag = FLAGS[match["root"]]
    if match["index"] is not None:
        flag += f" (item {int(match['index']) + 1}"
        flag += f", {match['field']})" if match["field"] else ")"
    return flag


def invalid_argument(exc: InvalidArgumentError) -> str:
    """The one-line message for ``exc``, naming the flag instead of the argument."""
    text = str(exc)
    prefix = f"{exc.argument}: "
    reason = text[len(prefix) :] if text.startswith(prefix) else text
    for python, cli in PHRASES:
        reason = reason.replace(python, cli)
    return f"{flag_for(exc.argument)}: {reason}"
