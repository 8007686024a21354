"""Writing results and tasks: the table on a terminal, CSV, JSON Lines or JSON."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from rich.console import Console

from .. import Criterion, Result, Task
from ..exports import criteria_keys_of, task_record, write_csv, write_json, write_jsonl
from ._context import Context, UsageError
from ._display import task_table, tasks_table
from ._table import print_results


def format_for(args: Any) -> str:
    """--format, else from --out's extension (.jsonl/.ndjson, .json, other: csv), else table."""
    fmt: str | None = args.format
    if fmt is not None:
        return fmt
    out: str | None = args.out
    if out is None:
        return "table"
    suffix = Path(out).suffix.lower()
    return {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json"}.get(suffix, "csv")


def criteria_of(task: Task, results: Sequence[Result]) -> list[Criterion]:
    """The task's criteria, or (when it has none) those found in the results' scores."""
    if task.criteria:
        return list(task.criteria)
    return [Criterion(key, key, key) for key in criteria_keys_of(results)]


@contextlib.contextmanager
def _output(ctx: Context, newline: str | None = None) -> Iterator[IO[str]]:
    out: str | None = ctx.args.out
    if out is None:
        yield sys.stdout
        sys.stdout.flush()
        return
    try:
        handle = open(out, "w", encoding="utf-8", newline=newline)  # noqa: SIM115
    except OSError as exc:
        raise UsageError(f"cannot write --out {out}: {exc.strerror}") from None
    with handle:
        yield handle


def emit_results(
    ctx: Context, task: Task, results: Sequence[Result], *, title: str | None = None
) -> None:
    """Results in the chosen format, on stdout or in --out."""
    fmt = format_for(ctx.args)
    criteria = criteria_of(task, results)
    keys = [c.key for c in criteria]
    if fmt == "table":
        title = title or f"{len(results)} results for task {task.id}"
        if ctx.args.out is None:
            if results:
                print_results(ctx.out, results, criteria, title, fit=ctx.stdout_tty)
            else:
                ctx.info(f"No results (yet) for task {task.id}.")
            return
        with _output(ctx) as handle:
            print_results(Console(file=handle, no_color=True), results, criteria, title, fit=False)
    elif fmt == "csv":
        with _output(ctx, newline="") as handle:
            write_csv(results, handle, keys, raw=ctx.args.raw_csv)
    elif fmt == "jsonl":
        with _output(ctx) as handle:
            write_jsonl(results, handle)
    else:
        with _output(ctx) as handle:
            write_json(results, handle)
    if ctx.args.out is not None:
        ctx.info(f"Wrote {len(results)} results to {ctx.args.out} ({fmt}).")


def emit_tasks(ctx: Context, tasks: Sequence[Task], *, single: bool = False) -> None:
    """One task (``status``) or a list of tasks (``list``) in the chosen format."""
    fmt = ctx.args.format
    if fmt == "json":
        payload: Any = task_record(tasks[0]) if single else [task_record(t) for t in tasks]
        print(json.dumps(payload, indent=2, ensure_ascii=False))
    elif fmt == "jsonl":
        for task in tasks:
            print(json.dumps(task_record(task), ensure_ascii=False))
    elif single:
        ctx.out.print(task_table(tasks[0]))
    elif tasks:
        ctx.out.print(tasks_table(tasks))
    else:
        ctx.info("No tasks.")


def status_word(task: Task) -> str:
    """The task's status as a plain string."""
    return str(getattr(task.status, "value", task.status))


def finished(ctx: Context, task: Task) -> None:
    """The one-line summary after waiting."""
    ctx.info(
        f"Task {task.id} is {status_word(task)}: "
        f"{task.num_results} high-fit of {task.desired_num_results} wanted, "
        f"{task.num_results_evaluated} evaluated."
    )
