"""The ``batch FILE --out DIR`` command: many searches, resumable, into one folder.

``DeepSearch.run_many`` does the work (keys, the journal, polling through the
task list, quota stops, ``exclude_found``); this module reads FILE, shows the
progress and writes DIR. The journal lives in ``DIR/journal.sqlite`` unless
``--journal`` says otherwise, so rerunning the same command re-attaches to
every task already created.

What is written when, each file atomically (``_atomic.py``):

- ``<key>.csv`` (or ``.jsonl``, ``.parquet``): as each search finishes;
- ``summary.json``: after each search finishes (at most once a second) and
  at the end; a search this run has not reached yet keeps what the previous
  run's summary said, so the file never loses what it knew;
- ``companies.csv``: when the batch ends or is stopped: the companies of this
  FILE's searches that have results. summary.json's ``companies_from`` names
  the searches (key: parameters' fingerprint) the file on disk merges; a file
  from another batch is always replaced, but one that merges searches of this
  batch is kept until this run has merged every one of them again, so a rerun
  stopped partway never loses companies already merged.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from rich.table import Table
from rich.text import Text

from .. import (
    DeepSearch,
    Journal,
    PaymentRequiredError,
    QuotaStoppedError,
    RateLimitError,
    Search,
    SearchOutcome,
    SQLiteJournal,
    Task,
)
from . import _batchfile, _inputs
from ._atomic import remove_stale_temporaries, write_atomic
from ._batchfile import Entry
from ._batchout import (
    COMPANIES,
    SUMMARY,
    Companies,
    SearchRecord,
    criteria_keys,
    file_names,
    results_bytes,
    summary_bytes,
)
from ._batchview import BatchProgress
from ._context import BatchInterrupted, Context, UsageError, read_text_file
from ._output import status_word

EXIT_OK = 0
EXIT_FAILURE = 1
JOURNAL_FILE = "journal.sqlite"
FINISHED = ("done", "failed")
SUMMARY_EVERY = 1.0


def is_quota(error: BaseException) -> bool:
    """A quota or billing stop: a 402, a 429 without Retry-After, or a search not started for one."""
    if isinstance(error, QuotaStoppedError | PaymentRequiredError):
        return True
    return isinstance(error, RateLimitError) and error.retry_after is None


def _entries(ctx: Context, journal: SQLiteJournal | None) -> list[Entry]:
    args = ctx.args
    path = Path(args.file)
    text = read_text_file("FILE", path)
    criteria = _inputs.load_criteria_file(args.criteria) if args.criteria else None
    check = key_check(journal) if journal is not None else None
    return _batchfile.load(path, text, criteria, check=check)


def _check_out(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out}: exists and is not a folder")


def _check_format(fmt: str) -> None:
    if fmt == "parquet":
        try:
            import pyarrow.parquet  # noqa: F401
        except ImportError:
            raise UsageError(
                "--format parquet: needs pyarrow: pip install 'extruct-deep-search[parquet]'"
            ) from None


def cmd_batch(ctx: Context) -> int:
    """batch FILE --out DIR: check FILE, then run (or, with --dry-run, plan) its searches."""
    args = ctx.args
    out = Path(args.out).expanduser()
    journal_path = Path(args.journal).expanduser() if args.journal else out / JOURNAL_FILE
    journal = ctx.open_journal(journal_path) if journal_path.is_file() else None
    # With --sandbox the run keeps no journal, so the keys it records do not matter.
    entries = _entries(ctx, journal if args.dry_run or not args.sandbox else None)
    _check_out(out)
    _check_format(args.format)
    names = file_names([e.search.key for e in entries], args.format)
    if args.dry_run:
        return _dry_run(ctx, entries, journal, journal_path, out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--out {out}: cannot create the folder ({exc.strerror})") from None
    remove_stale_temporaries(out)
    if args.sandbox:
        # The in-process sandbox's tasks end with this command: a journal would outlive them.
        ctx.info("--sandbox: the tasks end with this command, so no journal is kept.")
        ds = ctx.client()
    else:
        ds = ctx.client(journal=journal or ctx.open_journal(journal_path))
    return _Batch(ctx, entries, names, out, ds.journal).run(ds)


def key_check(journal: SQLiteJournal) -> _batchfile.Check:
    """Refuses a search whose key the journal records with other parameters.

    Its create would fail (the key names another search); checked here, it is
    reported with the rest of FILE, before any request.
    """
    known = {e.key: e for e in journal.entries()}

    def check(search: Search) -> str | None:
        recorded = known.get(search.key)
        if recorded is None or recorded.fingerprint == search.params.fingerprint():
            return None
        task = f"task {recorded.task_id}, " if recorded.task_id else ""
        return (
            f"{search.key!r} already names a search with other parameters in the journal "
            f"{journal.path} ({task}query {recorded.query!r}); give this search a new key "
            "(or use another --out or --journal)"
        )

    return check


# --dry-run --------------------------------------------------------------------------------


def plan_rows(entries: Sequence[Entry], journal: SQLiteJournal | None) -> list[dict[str, Any]]:
    """One row per search: its key, target, and the task and status the journal records."""
    known = {e.key: e for e in journal.entries()} if journal is not None else {}
    rows = []
    for entry in entries:
        search = entry.search
        recorded = known.get(search.key)
        rows.append(
            {
                "key": search.key,
                "derived_key": entry.derived,
                "where": entry.where,
                "query": search.query,
                "desired_num_results": search.params.desired_num_results,
                "task_id": recorded.task_id if recorded else None,
                "status": recorded.status if recorded else None,
            }
        )
    return rows


def most_credits(rows: Sequence[Mapping[str, Any]]) -> int:
    """The most the batch can cost: the targets of the searches without a finished task.

    Extruct charges per high-fit match, so a search costs at most its
    desired_num_results; a finished task (done or failed) is never re-created.
    """
    return sum(r["desired_num_results"] for r in rows if r["status"] not in FINISHED)


def _dry_run(
    ctx: Context,
    entries: list[Entry],
    journal: SQLiteJournal | None,
    journal_path: Path,
    out: Path,
) -> int:
    rows = plan_rows(entries, journal)
    with_task = sum(1 for r in rows if r["task_id"])
    finished = sum(1 for r in rows if r["status"] in FINISHED)
    credits = most_credits(rows)
    if ctx.stdout_tty:
        table = Table(header_style="bold", title=f"Plan: {len(rows)} searches from {ctx.args.file}")
        for name, justify in (("#", "right"), ("Key", "left"), ("Wants", "right")):
            table.add_column(name, justify=justify)  # type: ignore[arg-type]
        table.add_column("Task in journal", no_wrap=True)
        table.add_column("Status")
        table.add_column("Query", overflow="fold")
        for i, r in enumerate(rows, 1):
            key = Text(r["key"]) + (Text(" (derived)", style="dim") if r["derived_key"] else "")
            table.add_row(
                str(i),
                key,
                str(r["desired_num_results"]),
                r["task_id"] or Text("new", style="yellow"),
                r["status"] or "",
                Text(r["query"]),
            )
        ctx.out.print(table)
    else:
        print("\t".join(("key", "desired_num_results", "task_id", "status", "query")))
        for r in rows:
            cells = (r["key"], str(r["desired_num_results"]), r["task_id"], r["status"], r["query"])
            print("\t".join((c or "-").replace("\t", " ") for c in cells))
    where = journal_path if journal is not None else f"{journal_path} (not created yet)"
    ctx.info(
        f"{len(rows)} searches; {with_task} already have a task in the journal {where}, "
        f"{finished} of them finished. At most {credits} credits: the desired_num_results of "
        f"the {len(rows) - finished} searches without a finished task. Results would go to "
        f"{out}/. Dry run: nothing was sent."
    )
    return EXIT_OK


# The run ----------------------------------------------------------------------------------


def _previous_summary(out: Path) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """An earlier run's summary.json by key, and the searches its companies.csv merges.

    The searches are key: fingerprint. Missing or unreadable files count as
    nothing known (and a companies.csv nobody accounts for as merging nothing).
    """
    with contextlib.suppress(OSError, ValueError, TypeError, AttributeError, KeyError):
        data = json.loads((out / SUMMARY).read_text(encoding="utf-8"))
        by_key = {r["key"]: r for r in data["results"] if isinstance(r, dict) and "key" in r}
        merged = data.get("companies_from")
        if not (out / COMPANIES).is_file() or not isinstance(merged, dict):
            return by_key, {}
        return by_key, {str(k): str(v) for k, v in merged.items()}
    return {}, {}


class _Batch:
    """One run of a batch: feeds the progress view, writes DIR as outcomes arrive."""

    def __init__(
        self,
        ctx: Context,
        entries: list[Entry],
        names: Mapping[str, str],
        out: Path,
        journal: Journal,
    ) -> None:
        self.ctx = ctx
        self.entries = entries
        self.out = out
        self.journal = journal
        self.records = {e.search.key: SearchRecord(e.search, names[e.search.key]) for e in entries}
        self.fingerprints = {e.search.key: e.search.params.fingerprint() for e in entries}
        self.previous, self.on_disk = _previous_summary(out)
        # The searches of this batch that companies.csv on disk already merges: a new
        # file must merge each of them again. A file that merges any other search (an
        # earlier FILE, or a key now naming other parameters) is not this batch's.
        own = all(self.fingerprints.get(k) == f for k, f in self.on_disk.items())
        self.must_merge = set(self.on_disk) if own else set()
        self.companies = Companies({e.search.key: i for i, e in enumerate(entries)})
        self.merged: set[str] = set()  # searches merged into self.companies in this run
        self.companies_written = False
        self.key_of_task: dict[str, str] = {}
        self._summary_at = 0.0
        targets = {e.search.key: e.search.params.desired_num_results for e in entries}
        self.progress = BatchProgress(ctx.progress_mode(), ctx.err, targets)

    # Tasks and keys ----------------------------------------------------------------------

    def _key(self, task_id: str) -> str | None:
        key = self.key_of_task.get(task_id)
        if key is None:
            # A task seen for the first time: the journal recorded its key before the poll.
            for entry in self.journal.entries():
                if entry.task_id is not None and entry.key in self.records:
                    self.key_of_task[entry.task_id] = entry.key
            key = self.key_of_task.get(task_id)
        return key

    def on_progress(self, task: Task) -> None:
        """run_many's callback: a poll saw ``task``."""
        key = self._key(task.id)
        if key is None:
            return
        record = self.records[key]
        record.task, record.status = task, status_word(task)
        self.progress.seen(key, task)

    # Outcomes ----------------------------------------------------------------------------

    def finish(self, outcome: SearchOutcome) -> None:
        """One search ended: write its file, merge its companies, note it in the summary."""
        key = outcome.search.key
        record = self.records[key]
        task = outcome.task or record.task
        record.task = task
        if task is not None:
            self.key_of_task[task.id] = key
        error = outcome.error
        if error is None and task is not None:
            keys = criteria_keys(task, outcome.results)
            data = results_bytes(
                outcome.results, keys, self.ctx.args.format, raw=self.ctx.args.raw_csv
            )
            write_atomic(self.out / record.file, data)
            self.companies.add(key, outcome.results, keys)
            self.merged.add(key)
            record.status, record.results, record.written, record.error = (
                status_word(task),
                len(outcome.results),
                True,
                None,
            )
            note = f"{task.num_results} high-fit, {len(outcome.results)} results -> {record.file}"
            self.progress.ended(key, task, note, ok=True)
        else:
            record.status = self._failed_status(error, task)
            record.error = {
                "type": type(error).__name__,
                "message": self.ctx.redact(str(error)),
            }
            word = "not started" if record.status == "not_started" else None
            self.progress.ended(key, task, self._note(error), ok=False, word=word)
        self.write_summary(force=False)

    @staticmethod
    def _failed_status(error: BaseException | None, task: Task | None) -> str:
        if error is not None and task is None and is_quota(error):
            return "not_started"
        if task is None:
            return "not_created"
        return status_word(task)

    @staticmethod
    def _note(error: BaseException | None) -> str:
        if error is None:
            return "no task"
        if isinstance(error, QuotaStoppedError):
            return "an earlier search hit the quota or billing limit"
        text = str(error).splitlines()[0] if str(error) else type(error).__name__
        return f"{type(error).__name__}: {text}"

    # Files -------------------------------------------------------------------------------

    def write_summary(self, *, force: bool) -> None:
        """summary.json, at most every SUMMARY_EVERY seconds unless ``force``."""
        now = time.monotonic()
        if not force and now - self._summary_at < SUMMARY_EVERY:
            return
        self._summary_at = now
        extra = {"file": str(self.ctx.args.file), "companies_from": self.on_disk}
        data = summary_bytes(list(self.records.values()), extra, self.previous)
        write_atomic(self.out / SUMMARY, data)

    def write_all(self) -> None:
        """summary.json, then companies.csv unless that would drop searches it already merges.

        The summary names the new file's searches first: a kill between the two
        writes leaves a summary that asks for more, never for less.
        """
        write = self.merged >= self.must_merge
        if write:
            order = [e.search.key for e in self.entries if e.search.key in self.merged]
            self.on_disk = {key: self.fingerprints[key] for key in order}
            self.must_merge = set(self.merged)
        self.write_summary(force=True)
        if write:
            write_atomic(self.out / COMPANIES, self.companies.to_csv(raw=self.ctx.args.raw_csv))
            self.companies_written = True

    # Running -----------------------------------------------------------------------------

    def run(self, ds: DeepSearch) -> int:
        """Run every search; return the exit code (0 all done, 1 any failed)."""
        args = self.ctx.args
        kwargs: dict[str, Any] = {"poll_interval": self.ctx.poll_interval(ds)}
        if args.timeout is not None:
            kwargs["timeout"] = None if args.timeout == 0 else args.timeout
        self.ctx.info(
            f"Batch {args.file}: {len(self.entries)} searches, at most {args.max_active} at a "
            f"time{', excluding what earlier waves found' if args.exclude_found else ''}; "
            f"results in {self.out}/, journal {getattr(self.journal, 'path', 'in memory')}. "
            "Ctrl-C stops watching (the tasks keep running); the same command resumes."
        )
        try:
            with self.progress:
                outcomes = ds.run_many(
                    [e.search for e in self.entries],
                    max_active=args.max_active,
                    exclude_found=args.exclude_found,
                    on_progress=self.on_progress,
                    page_size=args.page_size,
                    **kwargs,
                )
                for outcome in outcomes:
                    self.finish(outcome)
        except KeyboardInterrupt:
            running, in_flight = self._unfinished()
            self.write_all()
            raise BatchInterrupted(running, in_flight) from None
        self.write_all()
        self.progress.final()
        return self._report()

    def _unfinished(self) -> tuple[int, int]:
        """(started tasks not seen finish, creates sent but unanswered), by the journal.

        A create answered but not polled yet has a task only the journal knows;
        one cut short by Ctrl-C may have started a task a rerun will find.
        """
        unfinished = {k for k, r in self.records.items() if r.status not in FINISHED}
        try:
            entries = [e for e in self.journal.entries() if e.key in unfinished]
        except (OSError, sqlite3.Error):
            entries = []
        started = {e.key for e in entries if e.task_id is not None}
        started |= {k for k in unfinished if self.records[k].task is not None}
        return len(started), sum(1 for e in entries if e.task_id is None)

    def _report(self) -> int:
        records = list(self.records.values())
        done = sum(1 for r in records if r.error is None and r.written)
        failed = [r for r in records if r.error is not None]
        quota = [r for r in failed if r.status == "not_started"]
        twice = self.companies.found_more_than_once()
        if self.companies_written:
            companies = (
                f"{self.out / COMPANIES}: {len(self.companies)} companies, {twice} found by "
                "more than one search."
            )
        else:
            missing = [key for key in self.on_disk if key not in self.merged]
            shown = ", ".join(missing[:3]) + (
                f" and {len(missing) - 3} more" if missing[3:] else ""
            )
            companies = (
                f"{self.out / COMPANIES} kept as an earlier run wrote it ({len(self.on_disk)} "
                f"searches): this run has no results for {shown}, and a new file would lose "
                "their companies."
            )
        self.ctx.info(
            f"{done} of {len(records)} searches finished, {len(failed)} failed. "
            f"{companies} Per search: {self.out / SUMMARY}."
        )
        for record in failed:
            if record.status != "not_started":
                task = f" (task {record.task.id})" if record.task else ""
                message = record.error["message"] if record.error else ""
                self.ctx.err.print(
                    self.ctx.redact(f"error: {record.search.key}{task}: {message}"),
                    markup=False,
                    highlight=False,
                    soft_wrap=True,
                )
        if quota:
            self.ctx.err.print(
                f"error: quota or billing limit reached: {len(quota)} searches not started. "
                f"Rerun the same command once the quota allows; it continues where it "
                f"stopped:\n  {self.ctx.command_line()}",
                markup=False,
                highlight=False,
                soft_wrap=True,
            )
        elif failed:
            self.ctx.info(
                f"Rerunning the same command re-attaches (no task is created twice):\n"
                f"  {self.ctx.command_line()}"
            )
        return EXIT_OK if not failed else EXIT_FAILURE
