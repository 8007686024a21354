"""``journal list`` and ``journal show KEY``: what a journal file records, without a request.

The journal's status is the last one a client saw (for listing, not
authoritative); ``status TASK_ID`` asks the API for the current one.
"""

from __future__ import annotations

import datetime
import json
import sys
from pathlib import Path
from typing import Any

from rich.table import Table
from rich.text import Text

from .. import JournalEntry, SQLiteJournal
from ._context import Context, UsageError
from ._parser import JOURNAL_ENV, PROG

EXIT_OK = 0
EXIT_NOT_FOUND = 1
PLAIN_COLUMNS = ("key", "task_id", "status", "created", "query")


def _time(stamp: float | None) -> str:
    if stamp is None:
        return ""
    moment = datetime.datetime.fromtimestamp(stamp, tz=datetime.UTC)
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def entry_record(entry: JournalEntry) -> dict[str, Any]:
    """An entry as JSON: every field, times as ISO 8601 UTC (the fingerprint included)."""
    return {
        "key": entry.key,
        "task_id": entry.task_id,
        "status": entry.status,
        "query": entry.query,
        "fingerprint": entry.fingerprint,
        "sent_at": _time(entry.sent_at) or None,
        "owner": entry.owner,
        "created": _time(entry.created),
        "updated": _time(entry.updated),
    }


def _journal(ctx: Context) -> tuple[Path, SQLiteJournal]:
    """The journal to read; it must exist (reading never creates one)."""
    path = ctx.journal_path()
    if path is None:
        raise UsageError(f"--journal: which journal? pass --journal PATH or set {JOURNAL_ENV}")
    if not path.is_file():
        raise UsageError(f"--journal {path}: no such journal file")
    return path, ctx.open_journal(path)


def _format(ctx: Context) -> str:
    fmt: str | None = ctx.args.format
    return fmt or ("table" if ctx.stdout_tty else "plain")


def _plain(value: str | None) -> str:
    # One record per line, one field per tab: keys and queries may hold neither.
    return (value or "-").replace("\t", " ").replace("\n", " ")


def cmd_journal_list(ctx: Context) -> int:
    """journal list: every key, oldest first."""
    path, journal = _journal(ctx)
    entries = journal.entries()
    fmt = _format(ctx)
    if fmt == "json":
        print(json.dumps([entry_record(e) for e in entries], indent=2, ensure_ascii=False))
        return EXIT_OK
    if not entries:
        ctx.info(f"Journal {path} records no searches.")
        return EXIT_OK
    if fmt == "plain":
        print("\t".join(PLAIN_COLUMNS))
        for e in entries:
            cells = (e.key, e.task_id, e.status, _time(e.created), e.query)
            print("\t".join(_plain(c) for c in cells))
        return EXIT_OK
    table = Table(header_style="bold", title=f"{len(entries)} searches in {path}")
    table.add_column("Key", style="cyan", overflow="fold")
    table.add_column("Task", no_wrap=True)
    table.add_column("Status")
    table.add_column("Created (UTC)", no_wrap=True)
    table.add_column("Query", overflow="fold")
    for e in entries:
        table.add_row(
            Text(e.key),
            e.task_id or Text("none yet", style="dim"),
            e.status or "",
            _time(e.created).replace("T", " ").removesuffix("Z"),
            Text(e.query),
        )
    ctx.out.print(table)
    return EXIT_OK


def cmd_journal_show(ctx: Context) -> int:
    """journal show KEY: one entry, every field."""
    path, journal = _journal(ctx)
    entry = journal.get(ctx.args.key)
    if entry is None:
        sys.stderr.write(ctx.redact(f"error: key {ctx.args.key!r} is not in journal {path}") + "\n")
        return EXIT_NOT_FOUND
    record = entry_record(entry)
    fmt = _format(ctx)
    if fmt == "json":
        print(json.dumps(record, indent=2, ensure_ascii=False))
    elif fmt == "plain":
        for name, value in record.items():
            print(f"{name}\t{_plain(None if value is None else str(value))}")
    else:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="dim")
        table.add_column()
        for name, value in record.items():
            table.add_row(name, Text("" if value is None else str(value)))
        ctx.out.print(table)
    if entry.task_id and fmt != "json":
        ctx.info(f"Current status: {PROG} status {entry.task_id}")
    return EXIT_OK
