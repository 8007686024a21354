"""The command handlers, their shared context, and the error -> exit code mapping."""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys
import traceback
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from rich.console import Console

from .. import (
    APIConnectionError,
    APIError,
    AuthenticationError,
    Criterion,
    DeepSearch,
    ExtructError,
    InvalidArgumentError,
    Result,
    Task,
    TaskFailedError,
    WaitTimeoutError,
)
from ..exports import (
    criteria_keys_of,
    table_rows,
    task_record,
    write_csv,
    write_json,
    write_jsonl,
)
from ..shortlist import shortlist
from ._display import Progress, results_table, task_table, tasks_table
from ._parser import PROG, build_parser

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

SANDBOX_HINT = "pip install 'extruct-deep-search[sandbox]'"
SANDBOX_POLL_INTERVAL = 0.5

DEMO_QUERY = "Vertical SaaS companies selling practice-management software to dental clinics"
DEMO_CRITERIA = (
    Criterion("dental_focus", "Dental focus", "Its main customers are dental clinics or dentists"),
    Criterion("b2b_saas", "B2B SaaS", "Sells subscription software to other businesses"),
    Criterion("smb_market", "SMB market", "Serves small and mid-sized practices, not hospitals"),
)


class UsageError(Exception):
    """Bad command-line input found after parsing (exit code 2)."""


class Interrupted(Exception):
    """Ctrl-C while watching a task; the task keeps running."""

    def __init__(self, task_id: str) -> None:
        self.task_id = task_id
        super().__init__(task_id)


class _RedactingFormatter(logging.Formatter):
    def __init__(self, secrets: list[str]) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")
        self._secrets = secrets

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        for secret in self._secrets:
            if secret:
                text = text.replace(secret, "[REDACTED]")
        return text


class Context:
    """What every handler needs: parsed args, consoles, the token and the client."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.quiet: bool = args.quiet
        self.debug: bool = args.debug
        self.secrets: list[str] = []
        self.stdout_tty = sys.stdout.isatty()
        self.out = Console(file=sys.stdout, highlight=False, width=None if self.stdout_tty else 160)
        self.err = Console(file=sys.stderr, highlight=False, stderr=True)
        self._stack = contextlib.ExitStack()
        self.sandbox: Any = None
        self._log_handler: logging.Handler | None = None
        if self.debug:
            handler = logging.StreamHandler(sys.stderr)
            handler.setFormatter(_RedactingFormatter(self.secrets))
            logger = logging.getLogger("extruct_deep_search")
            logger.addHandler(handler)
            logger.setLevel(logging.DEBUG)
            self._log_handler = handler

    def close(self) -> None:
        """Close the client and stop an in-process sandbox."""
        self._stack.close()
        if self._log_handler is not None:
            logging.getLogger("extruct_deep_search").removeHandler(self._log_handler)

    def redact(self, text: str) -> str:
        """``text`` with the token replaced by [REDACTED]."""
        for secret in self.secrets:
            if secret:
                text = text.replace(secret, "[REDACTED]")
        return text

    def info(self, message: str) -> None:
        """An informational line on stderr (not with --quiet)."""
        if not self.quiet:
            self.err.print(self.redact(message), markup=False, highlight=False, soft_wrap=True)

    def start_sandbox(self, *, seed: int = 0, speed: float = 1.0) -> Any:
        """Start an in-process sandbox, stopped by :meth:`close`."""
        try:
            from ..sandbox import Sandbox
        except ImportError as exc:
            raise UsageError(f"the sandbox needs the 'sandbox' extra: {SANDBOX_HINT}") from exc
        self.sandbox = self._stack.enter_context(Sandbox(seed=seed, speed=speed))
        self.secrets.append(self.sandbox.token)
        return self.sandbox

    def _token(self) -> str | None:
        path = self.args.token_file
        if path is not None:
            token = read_text_file("--token-file", Path(path).expanduser()).strip()
            if not token:
                raise UsageError(f"--token-file {path} is empty")
            return token
        token = os.environ.get("EXTRUCT_API_TOKEN", "").strip()
        if not token:
            raise UsageError(
                "no API token: set EXTRUCT_API_TOKEN or pass --token-file PATH "
                f"(or try it offline: {PROG} --sandbox ... / {PROG} demo)"
            )
        return token

    def client(self) -> DeepSearch:
        """The DeepSearch client for this run (closed by :meth:`close`)."""
        if self.args.sandbox:
            sandbox = self.sandbox or self.start_sandbox()
            token, base_url = sandbox.token, sandbox.base_url
        else:
            token, base_url = self._token(), self.args.base_url
        self.secrets.append(token)
        return self._stack.enter_context(DeepSearch(token, base_url=base_url))

    def progress_mode(self) -> str:
        """live (rich, on a terminal), plain (a line per poll on stderr) or off (--quiet)."""
        if self.quiet:
            return "off"
        return "live" if self.stdout_tty and sys.stderr.isatty() else "plain"

    def watch(self, ds: DeepSearch, task_id: str) -> Task:
        """Wait for the task with the progress display; Ctrl-C raises :class:`Interrupted`."""
        kwargs: dict[str, Any] = {}
        poll_interval = getattr(self.args, "poll_interval", None)
        if poll_interval is None and self.sandbox is not None:
            poll_interval = SANDBOX_POLL_INTERVAL
        timeout = getattr(self.args, "timeout", None)
        if timeout is not None:
            kwargs["timeout"] = None if timeout == 0 else timeout
        progress = Progress(self.progress_mode(), self.err, task_id)
        try:
            with progress:
                task = ds.wait(
                    task_id, poll_interval=poll_interval, on_progress=progress.update, **kwargs
                )
        except KeyboardInterrupt:
            raise Interrupted(task_id) from None
        return task


# Input helpers.


def read_text_file(flag: str, path: Path) -> str:
    """A UTF-8 text file named by ``flag``; any failure is a usage error naming the flag."""
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read {flag} {path}: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise UsageError(
            f"{flag} {path} is not UTF-8 text (byte {exc.start}: {exc.reason})"
        ) from None


def _split_keys(values: Sequence[str]) -> list[str]:
    return [key.strip() for value in values for key in value.split(",") if key.strip()]


def _load_criteria_file(path: str) -> list[Criterion]:
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


def _criteria(args: argparse.Namespace) -> list[Criterion] | None:
    criteria = []
    for text in args.criterion:
        parts = text.split(":", 2)
        if len(parts) != 3 or not all(p.strip() for p in parts):
            raise UsageError(f"--criterion {text!r}: expected KEY:NAME:TEXT")
        criteria.append(Criterion(parts[0].strip(), parts[1].strip(), parts[2].strip()))
    if args.criteria:
        criteria += _load_criteria_file(args.criteria)
    return criteria or None


def _exclude_domains(args: argparse.Namespace) -> list[str] | None:
    domains = list(args.exclude_domain)
    if args.exclude_domains_file:
        path = Path(args.exclude_domains_file)
        lines = read_text_file("--exclude-domains-file", path).splitlines()
        for line in lines:
            line = line.split("#", 1)[0].strip()
            if line:
                domains.append(line)
    return domains or None


def _format_for(args: argparse.Namespace) -> str:
    fmt: str | None = args.format
    if fmt is not None:
        return fmt
    out: str | None = args.out
    if out is None:
        return "table"
    suffix = Path(out).suffix.lower()
    return {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json"}.get(suffix, "csv")


def _keys_for(task: Task, results: Sequence[Result]) -> list[str]:
    return [c.key for c in task.criteria] or criteria_keys_of(results)


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


def _emit_results(
    ctx: Context, task: Task, results: Sequence[Result], *, title: str | None = None
) -> None:
    fmt = _format_for(ctx.args)
    keys = _keys_for(task, results)
    if fmt == "table":
        title = title or f"{len(results)} results for task {task.id}"
        if ctx.args.out is None:
            if results:
                ctx.out.print(results_table(results, keys, title))
            else:
                ctx.info(f"No results (yet) for task {task.id}.")
            return
        with _output(ctx) as handle:
            Console(file=handle, width=200, no_color=True).print(
                results_table(results, keys, title)
            )
    elif fmt == "csv":
        with _output(ctx, newline="") as handle:
            write_csv(results, handle, keys)
    elif fmt == "jsonl":
        with _output(ctx) as handle:
            write_jsonl(results, handle)
    else:
        with _output(ctx) as handle:
            write_json(results, handle)
    if ctx.args.out is not None:
        ctx.info(f"Wrote {len(results)} results to {ctx.args.out} ({fmt}).")


def _emit_tasks(ctx: Context, tasks: Sequence[Task], *, single: bool = False) -> None:
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


def _finished(ctx: Context, task: Task) -> None:
    ctx.info(
        f"Task {task.id} is {getattr(task.status, 'value', task.status)}: "
        f"{task.num_results} high-fit of {task.desired_num_results} wanted, "
        f"{task.num_results_evaluated} evaluated."
    )


# The commands.


def cmd_search(ctx: Context) -> int:
    """search QUERY."""
    args = ctx.args
    criteria = _criteria(args)
    exclude_domains = _exclude_domains(args)
    ds = ctx.client()
    task = ds.create(
        args.query,
        desired_num_results=args.num,
        criteria=criteria,
        exclude_domains=exclude_domains,
        exclude_task_ids=args.exclude_task or None,
        data_sources=args.data_source or None,
    )
    if args.no_wait:
        print(task.id, flush=True)
        ctx.info(f"Created task {task.id}. Watch it with: {PROG} wait {task.id}")
        return EXIT_OK
    ctx.info(f"Created task {task.id} (Ctrl-C stops watching; the task keeps running).")
    task = ctx.watch(ds, task.id)
    _finished(ctx, task)
    results = ds.results(task.id, page_size=args.page_size)
    _emit_results(ctx, task, results)
    return EXIT_OK


def cmd_status(ctx: Context) -> int:
    """status TASK_ID."""
    task = ctx.client().get(ctx.args.task_id)
    _emit_tasks(ctx, [task], single=True)
    return EXIT_OK


def cmd_wait(ctx: Context) -> int:
    """wait TASK_ID."""
    task = ctx.watch(ctx.client(), ctx.args.task_id)
    _finished(ctx, task)
    ctx.info(f"Get the results with: {PROG} results {task.id}")
    return EXIT_OK


def cmd_results(ctx: Context) -> int:
    """results TASK_ID."""
    ds = ctx.client()
    task = ds.get(ctx.args.task_id)
    results = ds.results(task.id, page_size=ctx.args.page_size)
    if not task.is_terminal:
        ctx.info(f"Task {task.id} is still running: these results are a snapshot.")
    _emit_results(ctx, task, results)
    return EXIT_OK


def cmd_resume(ctx: Context) -> int:
    """resume TASK_ID --more N."""
    ds = ctx.client()
    task = ds.resume(ctx.args.task_id, ctx.args.more)
    ctx.info(
        f"Resumed task {task.id}: now aiming for {task.desired_num_results} results "
        f"(status {getattr(task.status, 'value', task.status)})."
    )
    if ctx.args.wait:
        task = ctx.watch(ds, task.id)
        _finished(ctx, task)
    else:
        ctx.info(f"Watch it with: {PROG} wait {task.id}")
    return EXIT_OK


def cmd_list(ctx: Context) -> int:
    """list."""
    tasks = ctx.client().list_tasks(limit=ctx.args.limit, offset=ctx.args.offset)
    _emit_tasks(ctx, tasks)
    return EXIT_OK


def _shortlisted(ctx: Context, ds: DeepSearch, task_id: str) -> tuple[Task, list[Result], int]:
    must_have = _split_keys(ctx.args.must_have)
    blockers = _split_keys(ctx.args.blocker)
    task = ds.get(task_id)
    results = ds.results(task.id, page_size=ctx.args.page_size)
    known = _keys_for(task, results)
    if (must_have or blockers) and known:
        kept = shortlist(results, must_have, blockers, criteria=known)
    else:
        kept = shortlist(results, must_have, blockers)
    return task, kept, len(results)


def cmd_shortlist(ctx: Context) -> int:
    """shortlist TASK_ID --must-have ... --blocker ..."""
    if not ctx.args.must_have and not ctx.args.blocker:
        raise UsageError("shortlist: give at least one --must-have or --blocker criterion key")
    task, kept, total = _shortlisted(ctx, ctx.client(), ctx.args.task_id)
    ctx.info(f"{len(kept)} of {total} results pass the shortlist.")
    _emit_results(ctx, task, kept, title=f"Shortlist: {len(kept)} of {total} results")
    return EXIT_OK


def cmd_tables_add_rows(ctx: Context) -> int:
    """tables add-rows TABLE_ID --from-task TASK_ID."""
    args = ctx.args
    ds = ctx.client()
    _, kept, total = _shortlisted(ctx, ds, args.from_task)
    body = table_rows(kept, run=args.run)
    inputs = [row["data"]["input"] for row in body["rows"]]
    if args.dry_run:
        print(json.dumps(body, indent=2, ensure_ascii=False))
        return EXIT_OK
    if not inputs:
        ctx.info(f"Nothing to add: none of the {total} results was selected.")
        return EXIT_OK
    created = ds.add_table_rows(args.table_id, inputs, run=args.run, batch_size=args.batch_size)
    print(f"Added {len(created)} rows to table {args.table_id} (of {total} results).")
    return EXIT_OK


def cmd_sandbox(ctx: Context) -> int:  # pragma: no cover - replaced in run()
    """sandbox ...: handled in :func:`run` (its own parser takes the arguments)."""
    raise AssertionError


def cmd_demo(ctx: Context) -> int:
    """demo: a whole Deep Search against an in-process sandbox."""
    args = ctx.args
    sandbox = ctx.start_sandbox(seed=args.seed, speed=args.speed)
    args.sandbox = True
    ds = ctx.client()
    ctx.info(
        f"Demo: a local Deep Search sandbox is serving at {sandbox.base_url} (no token needed)."
    )
    ctx.info(f"Query: {DEMO_QUERY!r}, {args.num} results, criteria:")
    for c in DEMO_CRITERIA:
        ctx.info(f"  {c.key}: {c.criterion}")
    task = ds.create(DEMO_QUERY, desired_num_results=args.num, criteria=DEMO_CRITERIA)
    args.poll_interval = SANDBOX_POLL_INTERVAL
    args.timeout = None
    task = ctx.watch(ds, task.id)
    _finished(ctx, task)
    results = ds.results(task.id)
    keys = _keys_for(task, results)
    ctx.out.print(results_table(results, keys, f"{len(results)} results for task {task.id}"))
    try:
        write_csv(results, args.out, keys)
    except OSError as exc:
        raise UsageError(f"cannot write --out {args.out}: {exc.strerror}") from None
    kept = shortlist(results, ["dental_focus"], ["smb_market"], criteria=keys)
    ctx.info(f"Wrote {len(results)} results to {args.out}.")
    ctx.info(
        f"{len(kept)} pass the shortlist --must-have dental_focus --blocker smb_market. "
        f'Next, with a token: {PROG} search "your query" --num 50 --out results.csv'
    )
    return EXIT_OK


HANDLERS = {
    "search": cmd_search,
    "status": cmd_status,
    "wait": cmd_wait,
    "results": cmd_results,
    "resume": cmd_resume,
    "list": cmd_list,
    "shortlist": cmd_shortlist,
    "sandbox": cmd_sandbox,
    "demo": cmd_demo,
    "tables": cmd_tables_add_rows,
    "tables_add_rows": cmd_tables_add_rows,
}


def _resume_hint(ctx: Context, task_id: str) -> str:
    parts = [PROG]
    if ctx.args.base_url:
        parts += ["--base-url", ctx.args.base_url]
    if ctx.args.token_file:
        parts += ["--token-file", ctx.args.token_file]
    parts += ["wait", task_id]
    return " ".join(parts)


def _error(ctx: Context | None, message: str, exc: BaseException | None = None) -> None:
    redact = ctx.redact if ctx is not None else (lambda s: s)
    if exc is not None and ctx is not None and ctx.debug:
        text = "".join(traceback.format_exception(exc))
        sys.stderr.write(redact(text))
    sys.stderr.write(redact(f"error: {message}") + "\n")
    sys.stderr.flush()


def run(argv: list[str]) -> int:
    """Parse ``argv``, run the command, map errors to exit codes."""
    parser = build_parser(HANDLERS)
    try:
        args, extra = parser.parse_known_args(argv)
        if args.command == "sandbox":
            from ..sandbox.cli import main as sandbox_main

            return sandbox_main(extra)
        if extra:
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    except ImportError:
        _error(None, f"the sandbox needs the 'sandbox' extra: {SANDBOX_HINT}")
        return EXIT_USAGE
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED

    ctx = Context(args)
    try:
        return int(args.handler(ctx))
    except Interrupted as exc:
        sys.stderr.write("\n")
        if ctx.sandbox is not None:
            _error(ctx, f"interrupted; task {exc.task_id} stopped with the in-process sandbox")
        else:
            sys.stderr.write(
                f"Stopped watching. Task {exc.task_id} keeps running; resume watching with:\n"
                f"  {_resume_hint(ctx, exc.task_id)}\n"
            )
        return EXIT_INTERRUPTED
    except KeyboardInterrupt:
        _error(ctx, "interrupted")
        return EXIT_INTERRUPTED
    except UsageError as exc:
        _error(ctx, str(exc), exc)
        return EXIT_USAGE
    except InvalidArgumentError as exc:
        _error(ctx, str(exc), exc)
        return EXIT_USAGE
    except AuthenticationError as exc:
        _error(ctx, f"authentication failed ({exc}); check EXTRUCT_API_TOKEN or --token-file", exc)
        return EXIT_USAGE
    except TaskFailedError as exc:
        _error(ctx, f"{exc}; partial results: {PROG} results {exc.task.id}", exc)
        return EXIT_FAILURE
    except WaitTimeoutError as exc:
        hint = f"; keep watching: {_resume_hint(ctx, exc.task.id)}" if exc.task else ""
        _error(ctx, f"{exc}{hint}", exc)
        return EXIT_FAILURE
    except APIError as exc:
        _error(ctx, f"API error: {exc}", exc)
        return EXIT_FAILURE
    except APIConnectionError as exc:
        _error(ctx, f"cannot reach the API: {exc}", exc)
        return EXIT_FAILURE
    except ExtructError as exc:
        _error(ctx, str(exc), exc)
        return EXIT_FAILURE
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): stop quietly.
        with contextlib.suppress(OSError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return EXIT_FAILURE
    except OSError as exc:
        _error(
            ctx, f"{exc.strerror or exc}: {getattr(exc, 'filename', '') or ''}".rstrip(": "), exc
        )
        return EXIT_FAILURE
    finally:
        ctx.close()
