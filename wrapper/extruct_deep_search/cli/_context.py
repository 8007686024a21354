"""What every command handler shares: parsed arguments, consoles, the token and the client."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import shlex
import sqlite3
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console

from .. import DeepSearch, NotFoundError, SQLiteJournal, Task
from ._display import Progress
from ._parser import JOURNAL_ENV, PROG

SANDBOX_HINT = "pip install 'extruct-deep-search[sandbox]'"
# The sandbox answers in milliseconds; the real API's 10 s default would make
# a local run look stuck.


class UsageError(Exception):
    """Bad command-line input found after parsing (exit code 2)."""


class Interrupted(Exception):
    """Ctrl-C while watching a task; the task keeps running."""

    def __init__(self, task_id: str) -> None:
        self.task_id = task_id
        super().__init__(task_id)


class BatchInterrupted(Exception):
    """Ctrl-C while a batch ran; the same command resumes.

    ``running`` started tasks keep running; ``in_flight`` creates were sent but
    not answered, so each may have started a task the journal will find.
    """

    def __init__(self, running: int, in_flight: int = 0) -> None:
        self.running = running
        self.in_flight = in_flight
        super().__init__(running, in_flight)

    def message(self, command: str) -> str:
        """What stopped, what keeps running, and the command that resumes."""
        flight = ""
        if self.in_flight:
            flight = f", and any task the {self.in_flight} create(s) in flight started,"
        return (
            f"Stopped watching. {self.running} started task(s){flight} keep running; rerun the "
            "same command to resume (it re-attaches to them through the journal; no task is "
            f"created twice):\n  {command}"
        )


@dataclass(frozen=True)
class Resume:
    """How to pick a search up again: its task (once created), its key and the command."""

    task_id: str | None
    key: str | None
    command: str

    def hint(self) -> str:
        """``key K, task T; resume with: COMMAND``."""
        named = [
            f"key {self.key}" if self.key else "",
            f"task {self.task_id}" if self.task_id else "",
        ]
        where = ", ".join(n for n in named if n)
        return f"{where}; resume with: {self.command}" if where else f"resume with: {self.command}"


class NotFound(Exception):
    """A 404 for an id this command looked up (exit code 1)."""

    def __init__(self, what: str, ident: str, error: NotFoundError) -> None:
        self.error = error
        super().__init__(f"{what} {ident} not found ({error})")


# Library words in warnings, and the flags a CLI user types instead.
WARNING_WORDS = (("exclude_found", "--exclude-found"), ("max_active", "--max-active"))


class _RedactingFormatter(logging.Formatter):
    def __init__(self, secrets: list[str], fmt: str | None = None) -> None:
        super().__init__(fmt or "%(asctime)s %(levelname)s %(name)s: %(message)s")
        self._secrets = secrets

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        for secret in self._secrets:
            if secret:
                text = text.replace(secret, "[REDACTED]")
        return text


class _WarningFormatter(_RedactingFormatter):
    """``warning: ...`` in command-line words (the library's warnings, without --debug)."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__(secrets, "warning: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        for python, cli in WARNING_WORDS:
            text = text.replace(python, cli)
        return text


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


class Context:
    """What every handler needs: parsed args, consoles, the token and the client."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.quiet: bool = args.quiet
        self.debug: bool = args.debug
        self.secrets: list[str] = []
        self.stdout_tty = sys.stdout.isatty()
        # Off a terminal, task tables get room; the results table sizes itself (_table.py).
        self.out = Console(file=sys.stdout, highlight=False, width=None if self.stdout_tty else 160)
        self.err = Console(file=sys.stderr, highlight=False, stderr=True)
        self._stack = contextlib.ExitStack()
        self.sandbox: Any = None
        # Set by a command once it knows what resumes it (after the task exists).
        self.resume: Resume | None = None
        self._log_handler: logging.Handler | None = None
        handler = logging.StreamHandler(sys.stderr)
        logger = logging.getLogger("extruct_deep_search")
        if self.debug:
            handler.setFormatter(_RedactingFormatter(self.secrets))
            logger.setLevel(logging.DEBUG)
        else:
            handler.setFormatter(_WarningFormatter(self.secrets))
            handler.setLevel(logging.WARNING)
        logger.addHandler(handler)
        self._log_handler = handler

    def close(self) -> None:
        """Close the client and stop an in-process sandbox."""
        try:
            self._stack.close()
        finally:
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

    def wait_command(self, task_id: str) -> str:
        """The ``wait`` command that resumes watching ``task_id`` against the same API."""
        parts = [PROG]
        if self.args.base_url:
            parts += ["--base-url", self.args.base_url]
        if self.args.token_file:
            parts += ["--token-file", self.args.token_file]
        return shlex.join([*parts, "wait", task_id])

    def command_line(self) -> str:
        """This very command, as typed (for "rerun the same command to resume")."""
        argv: list[str] = getattr(self.args, "argv", None) or []
        return shlex.join([PROG, *argv])

    def journal_path(self) -> Path | None:
        """--journal, else $EXTRUCT_JOURNAL, else None."""
        given: str | None = getattr(self.args, "journal", None)
        if given is None:
            given = os.environ.get(JOURNAL_ENV, "").strip() or None
        return Path(given).expanduser() if given else None

    def open_journal(self, path: Path, *, flag: str = "--journal") -> SQLiteJournal:
        """The SQLite journal at ``path`` (created when missing); a bad file is a usage error."""
        try:
            return SQLiteJournal(path)
        except (OSError, sqlite3.Error, ValueError) as exc:
            raise UsageError(f"{flag} {path}: not a usable journal ({exc})") from None

    def client(self, *, journal: SQLiteJournal | None = None) -> DeepSearch:
        """The DeepSearch client for this run (closed by :meth:`close`)."""
        if self.args.sandbox:
            sandbox = self.sandbox or self.start_sandbox()
            token, base_url = sandbox.token, sandbox.base_url
        else:
            token, base_url = self._token(), self.args.base_url
        self.secrets.append(token)
        return self._stack.enter_context(
            DeepSearch(
                token,
                base_url=base_url,
                allow_insecure_http=getattr(self.args, "allow_insecure_http", False),
                journal=journal,
            )
        )

    @contextlib.contextmanager
    def lookup(self, what: str, ident: str) -> Iterator[None]:
        """Turn a 404 inside the block into :class:`NotFound` naming ``what`` and ``ident``."""
        try:
            yield
        except NotFoundError as exc:
            raise NotFound(what, ident, exc) from exc

    def progress_mode(self) -> str:
        """live (rich, on a terminal), plain (a line per poll on stderr) or off (--quiet)."""
        if self.quiet:
            return "off"
        return "live" if self.stdout_tty and sys.stderr.isatty() else "plain"

    def poll_interval(self, ds: DeepSearch) -> float | None:
        """--poll-interval, or None for the client's default (short against a local server)."""
        given: float | None = getattr(self.args, "poll_interval", None)
        return given

    def watch(self, ds: DeepSearch, task_id: str) -> Task:
        """Wait for the task with the progress display; Ctrl-C raises :class:`Interrupted`."""
        kwargs: dict[str, Any] = {}
        timeout = getattr(self.args, "timeout", None)
        if timeout is not None:
            kwargs["timeout"] = None if timeout == 0 else timeout
        progress = Progress(self.progress_mode(), self.err, task_id)
        try:
            with progress, self.lookup("task", task_id):
                task = ds.wait(
                    task_id,
                    poll_interval=self.poll_interval(ds),
                    on_progress=progress.update,
                    **kwargs,
                )
        except KeyboardInterrupt:
            raise Interrupted(task_id) from None
        return task
