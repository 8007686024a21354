"""Parse the command line, run the command, and map what went wrong to an exit code."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import traceback
from collections.abc import Callable
from types import FrameType
from typing import Any

from .. import (
    APIConnectionError,
    APIError,
    AuthenticationError,
    ExtructError,
    InvalidArgumentError,
    TaskFailedError,
    WaitTimeoutError,
)
from ._batch import cmd_batch
from ._batchfile import BatchFileError
from ._commands import (
    cmd_list,
    cmd_results,
    cmd_resume,
    cmd_search,
    cmd_shortlist,
    cmd_status,
    cmd_tables_add_rows,
    cmd_wait,
)
from ._context import (
    SANDBOX_HINT,
    BatchInterrupted,
    Context,
    Interrupted,
    NotFound,
    Resume,
    UsageError,
)
from ._demo import cmd_demo
from ._journalcmd import cmd_journal_list, cmd_journal_show
from ._messages import invalid_argument
from ._parser import PROG, build_parser, usage_error

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def cmd_sandbox(ctx: Context) -> int:  # pragma: no cover - run() hands the line to sandbox/cli.py
    """sandbox ...: its own parser takes the arguments (see :func:`run`)."""
    raise AssertionError


HANDLERS: dict[str, Callable[[Context], int]] = {
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
    "batch": cmd_batch,
    "journal": cmd_journal_list,
    "journal_list": cmd_journal_list,
    "journal_show": cmd_journal_show,
}


def _error(ctx: Context | None, message: str, exc: BaseException | None = None) -> None:
    redact = ctx.redact if ctx is not None else (lambda s: s)
    if exc is not None and ctx is not None and ctx.debug:
        text = "".join(traceback.format_exception(exc))
        sys.stderr.write(redact(text))
    sys.stderr.write(redact(f"error: {message}") + "\n")
    sys.stderr.flush()


def _exit_now(signum: int, frame: FrameType | None) -> None:
    """A second Ctrl-C while shutting down: leave at once, without a traceback."""
    with contextlib.suppress(OSError):
        sys.stderr.flush()
    os._exit(EXIT_INTERRUPTED)


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def _second_ctrl_c_exits() -> None:
    """From the first Ctrl-C on, the next one ends the process (cleanup may be slow)."""
    if _in_main_thread():
        signal.signal(signal.SIGINT, _exit_now)


def _quiet_stdout() -> None:
    """The reader of stdout went away (``| head``): send what is left nowhere."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def _resume(ctx: Context, exc: BaseException) -> str:
    """``; key K, task T; resume with: ...`` once the failed command's search has a task or key."""
    resume = ctx.resume
    if resume is None or ctx.sandbox is not None:
        return ""
    task_id = resume.task_id or getattr(exc, "task_id", None)
    if resume.key is None and task_id is None:
        return ""
    if resume.key is None and task_id is not None:
        resume = Resume(task_id, None, ctx.wait_command(task_id))
    return "; " + Resume(task_id, resume.key, resume.command).hint()


def _dispatch(ctx: Context) -> int:
    """Run the command; every error becomes one ``error:`` line and an exit code."""
    try:
        return int(ctx.args.handler(ctx))
    except Interrupted as exc:
        _second_ctrl_c_exits()
        sys.stderr.write("\n")
        if ctx.sandbox is not None:
            _error(ctx, f"interrupted; task {exc.task_id} stopped with the in-process sandbox")
        elif ctx.resume is not None and ctx.resume.key is not None:
            sys.stderr.write(
                f"Stopped watching. Task {exc.task_id} (key {ctx.resume.key}) keeps running; "
                f"rerun the same command to re-attach:\n  {ctx.resume.command}\n"
            )
        else:
            sys.stderr.write(
                f"Stopped watching. Task {exc.task_id} keeps running; resume watching with:\n"
                f"  {ctx.wait_command(exc.task_id)}\n"
            )
        return EXIT_INTERRUPTED
    except BatchInterrupted as exc:
        _second_ctrl_c_exits()
        sys.stderr.write(f"\n{exc.message(ctx.command_line())}\n")
        return EXIT_INTERRUPTED
    except BatchFileError as exc:
        for line in exc.errors:
            sys.stderr.write(ctx.redact(f"error: {line}") + "\n")
        count = len(exc.errors)
        sys.stderr.write(f"{count} error{'s' if count > 1 else ''} in FILE; nothing was sent.\n")
        return EXIT_USAGE
    except KeyboardInterrupt as exc:
        _second_ctrl_c_exits()
        _error(ctx, f"interrupted{_resume(ctx, exc)}")
        return EXIT_INTERRUPTED
    except UsageError as exc:
        _error(ctx, str(exc), exc)
        return EXIT_USAGE
    except InvalidArgumentError as exc:
        _error(ctx, invalid_argument(exc), exc)
        return EXIT_USAGE
    except NotFound as exc:
        _error(ctx, str(exc), exc.error)
        return EXIT_FAILURE
    except AuthenticationError as exc:
        _error(ctx, f"authentication failed ({exc}); check EXTRUCT_API_TOKEN or --token-file", exc)
        return EXIT_USAGE
    except TaskFailedError as exc:
        _error(ctx, f"{exc}; partial results: {PROG} results {exc.task.id}", exc)
        return EXIT_FAILURE
    except WaitTimeoutError as exc:
        hint = _resume(ctx, exc)
        if not hint and exc.task:
            hint = f"; keep watching: {ctx.wait_command(exc.task.id)}"
        _error(ctx, f"{exc}{hint}", exc)
        return EXIT_FAILURE
    except APIError as exc:
        _error(ctx, f"API error: {exc}{_resume(ctx, exc)}", exc)
        return EXIT_FAILURE
    except APIConnectionError as exc:
        _error(ctx, f"cannot reach the API: {exc}{_resume(ctx, exc)}", exc)
        return EXIT_FAILURE
    except ExtructError as exc:
        _error(ctx, f"{exc}{_resume(ctx, exc)}", exc)
        return EXIT_FAILURE
    except BrokenPipeError:
        _quiet_stdout()
        return EXIT_OK
    except OSError as exc:
        where = getattr(exc, "filename", "") or ""
        _error(ctx, f"{exc.strerror or exc}: {where}".rstrip(": "), exc)
        return EXIT_FAILURE


def run(argv: list[str]) -> int:
    """Parse ``argv``, run the command, map errors to exit codes."""
    parser = build_parser(HANDLERS)
    try:
        args, extra = parser.parse_known_args(argv)
        if args.command == "sandbox":
            from ..sandbox.cli import main as sandbox_main

            return sandbox_main(extra)
        if extra:
            usage_error(parser, args, f"unrecognized arguments: {' '.join(extra)}")
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    except ImportError:
        _error(None, f"the sandbox needs the 'sandbox' extra: {SANDBOX_HINT}")
        return EXIT_USAGE
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED

    previous: Any = signal.getsignal(signal.SIGINT)
    args.argv = list(argv)
    ctx = Context(args)
    code = EXIT_INTERRUPTED
    try:
        code = _dispatch(ctx)
    except KeyboardInterrupt:  # a second Ctrl-C inside one of _dispatch's handlers
        _second_ctrl_c_exits()
        _error(ctx, "interrupted")
    finally:
        try:
            ctx.close()
        except KeyboardInterrupt:
            code = EXIT_INTERRUPTED
        except BrokenPipeError:
            _quiet_stdout()
    # After a Ctrl-C the process is about to exit: a second one keeps exiting at once.
    if code != EXIT_INTERRUPTED and previous is not None and _in_main_thread():
        signal.signal(signal.SIGINT, previous)
    return code
