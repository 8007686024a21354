"""The command handlers: each takes the :class:`Context` and returns an exit code."""

from __future__ import annotations

import json

from .. import DeepSearch, Result, Task
from ..exports import table_row_batches
from ..shortlist import shortlist
from . import _inputs
from ._context import Context, Resume, UsageError
from ._output import emit_results, emit_tasks, finished, status_word
from ._parser import JOURNAL_ENV, PROG

EXIT_OK = 0


def _keyed_client(ctx: Context) -> tuple[DeepSearch, str | None]:
    """The client, with the journal when --key is given; the task the key already has."""
    key: str | None = ctx.args.key
    path = ctx.journal_path()
    if key is None:
        if ctx.args.journal is not None:
            raise UsageError("--journal: keeps keyed searches only; add --key KEY")
        return ctx.client(), None
    if ctx.args.sandbox:
        raise UsageError(
            "--key: the --sandbox's tasks end with the command, so a key could never re-attach; "
            "run a sandbox server (extruct-deep-search sandbox) and point --base-url at it"
        )
    if path is None:
        raise UsageError(
            "--key: needs a journal to remember the key across runs: "
            f"pass --journal PATH or set {JOURNAL_ENV}"
        )
    journal = ctx.open_journal(path)
    ctx.resume = Resume(None, key, ctx.command_line())
    entry = journal.get(key)
    return ctx.client(journal=journal), entry.task_id if entry else None


def cmd_search(ctx: Context) -> int:
    """search QUERY [--key K --journal PATH]."""
    args = ctx.args
    criteria = _inputs.criteria(args)
    exclude_domains = _inputs.exclude_domains(args)
    ds, known = _keyed_client(ctx)
    task = ds.create(
        args.query,
        desired_num_results=args.num,
        criteria=criteria,
        exclude_domains=exclude_domains,
        exclude_task_ids=args.exclude_task or None,
        data_sources=args.data_source or None,
        key=args.key,
    )
    keyed = f" (key {args.key})" if args.key else ""
    verb = "Re-attached to" if known == task.id else "Created"
    if args.key:
        ctx.resume = Resume(task.id, args.key, ctx.command_line())
    else:
        ctx.resume = Resume(task.id, None, f"{PROG} wait {task.id}")
    if args.no_wait:
        print(task.id, flush=True)
        ctx.info(f"{verb} task {task.id}{keyed}. Watch it with: {PROG} wait {task.id}")
        return EXIT_OK
    ctx.info(f"{verb} task {task.id}{keyed} (Ctrl-C stops watching; the task keeps running).")
    task = ctx.watch(ds, task.id)
    finished(ctx, task)
    results = ds.results(task.id, page_size=args.page_size)
    emit_results(ctx, task, results)
    return EXIT_OK


def cmd_status(ctx: Context) -> int:
    """status TASK_ID."""
    with ctx.lookup("task", ctx.args.task_id):
        task = ctx.client().get(ctx.args.task_id)
    emit_tasks(ctx, [task], single=True)
    return EXIT_OK


def cmd_wait(ctx: Context) -> int:
    """wait TASK_ID."""
    task = ctx.watch(ctx.client(), ctx.args.task_id)
    finished(ctx, task)
    ctx.info(f"Get the results with: {PROG} results {task.id}")
    return EXIT_OK


def cmd_results(ctx: Context) -> int:
    """results TASK_ID."""
    ds = ctx.client()
    with ctx.lookup("task", ctx.args.task_id):
        task = ds.get(ctx.args.task_id)
        results = ds.results(task.id, page_size=ctx.args.page_size)
    if not task.is_terminal:
        ctx.info(f"Task {task.id} is still running: these results are a snapshot.")
    emit_results(ctx, task, results)
    return EXIT_OK


def cmd_resume(ctx: Context) -> int:
    """resume TASK_ID --more N; says so when the 250-result cap cut the request."""
    ds = ctx.client()
    task_id, more = ctx.args.task_id, ctx.args.more
    with ctx.lookup("task", task_id):
        before = ds.get(task_id)
        task = ds.resume(task_id, more)
    added = task.desired_num_results - before.desired_num_results
    if added <= 0:
        ctx.info(
            f"Task {task.id} already aims for {task.desired_num_results} results, the most a "
            f"task can have: nothing more to ask. For more companies, start a new task with "
            f'{PROG} search "..." --exclude-task {task.id}'
        )
    elif added < more:
        ctx.info(
            f"Resumed task {task.id}: asked for {more} more, but a task's total is capped at "
            f"{task.desired_num_results}, so it now aims for {task.desired_num_results} "
            f"({added} more; status {status_word(task)})."
        )
    else:
        ctx.info(
            f"Resumed task {task.id}: now aiming for {task.desired_num_results} results "
            f"(status {status_word(task)})."
        )
    if ctx.args.wait:
        task = ctx.watch(ds, task.id)
        finished(ctx, task)
    else:
        ctx.info(f"Watch it with: {PROG} wait {task.id}")
    return EXIT_OK


def cmd_list(ctx: Context) -> int:
    """list."""
    tasks = ctx.client().list_tasks(limit=ctx.args.limit, offset=ctx.args.offset)
    emit_tasks(ctx, tasks)
    return EXIT_OK


def _shortlisted(ctx: Context, ds: DeepSearch, task_id: str) -> tuple[Task, list[Result], int]:
    must_have = _inputs.split_keys(ctx.args.must_have)
    blockers = _inputs.split_keys(ctx.args.blocker)
    with ctx.lookup("task", task_id):
        task = ds.get(task_id)
        results = ds.results(task.id, page_size=ctx.args.page_size)
    known = [c.key for c in task.criteria] or None  # None: the keys in the results' scores
    kept = shortlist(results, must_have, blockers, criteria=known)
    return task, kept, len(results)


def cmd_shortlist(ctx: Context) -> int:
    """shortlist TASK_ID --must-have ... --blocker ..."""
    if not ctx.args.must_have and not ctx.args.blocker:
        raise UsageError("shortlist: give at least one --must-have or --blocker criterion key")
    task, kept, total = _shortlisted(ctx, ctx.client(), ctx.args.task_id)
    ctx.info(f"{len(kept)} of {total} results pass the shortlist.")
    emit_results(ctx, task, kept, title=f"Shortlist: {len(kept)} of {total} results")
    return EXIT_OK


def cmd_tables_add_rows(ctx: Context) -> int:
    """tables add-rows TABLE_ID --from-task TASK_ID [--dry-run]."""
    args = ctx.args
    ds = ctx.client()
    _, kept, total = _shortlisted(ctx, ds, args.from_task)
    batches = table_row_batches(kept, run=args.run, batch_size=args.batch_size)
    rows = sum(len(body["rows"]) for body in batches)
    if args.dry_run:
        path = f"/v1/tables/{args.table_id}/rows"
        requests = [{"method": "POST", "path": path, "body": body} for body in batches]
        print(json.dumps(requests, indent=2, ensure_ascii=False))
        ctx.info(
            f"Dry run: {rows} rows of {total} results in {len(batches)} batch(es) of at most "
            f"{args.batch_size} would go to table {args.table_id}; nothing was sent."
        )
        return EXIT_OK
    if not rows:
        ctx.info(f"Nothing to add: none of the {total} results was selected.")
        return EXIT_OK
    inputs = [row["data"]["input"] for body in batches for row in body["rows"]]
    with ctx.lookup("table", args.table_id):
        created = ds.add_table_rows(args.table_id, inputs, run=args.run, batch_size=args.batch_size)
    print(f"Added {len(created)} rows to table {args.table_id} (of {total} results).")
    return EXIT_OK
