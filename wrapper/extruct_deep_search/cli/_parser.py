"""The argparse definition of every command, with examples in each help."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

from .. import DataSource

PROG = "extruct-deep-search"
FORMATS = ("table", "csv", "jsonl", "json")
TASK_FORMATS = ("table", "json", "jsonl")
BATCH_FORMATS = ("csv", "jsonl", "parquet")
JOURNAL_FORMATS = ("table", "plain", "json")
JOURNAL_ENV = "EXTRUCT_JOURNAL"

DESCRIPTION = """\
Extruct Deep Search from the command line: find companies that match
natural-language criteria, watch the task, and export the graded results.

The token comes from EXTRUCT_API_TOKEN (or --token-file), the API from
EXTRUCT_BASE_URL (or --base-url). Try it without a token: `%(prog)s demo`.
"""

EPILOG = """\
examples:
  %(prog)s demo
  %(prog)s search "Vertical SaaS for dental clinics" --num 50 \\
      --criterion dental:Dental:"Sells software to dental clinics" --out results.csv
  %(prog)s search "Payroll software for restaurants" --no-wait
  %(prog)s wait TASK_ID
  %(prog)s results TASK_ID --format jsonl --out results.jsonl
  %(prog)s shortlist TASK_ID --must-have dental --blocker b2b
  %(prog)s search "Dental SaaS in Spain" --key dental-es --journal searches.sqlite
  %(prog)s batch campaign.yaml --out campaign/ --max-active 5
  %(prog)s --sandbox search "Robotics startups in Germany" --num 20

exit codes: 0 success, 1 API error or task failure, 2 usage or authentication
error, 130 interrupted (Ctrl-C).
"""


class _Formatter(argparse.RawDescriptionHelpFormatter):
    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=32)


_ARGUMENT = re.compile(r"^argument (?P<names>[^:]+): ")


def one_line(prog: str, message: str) -> str:
    """argparse's message as one line naming the flag, with where to read more."""
    match = _ARGUMENT.match(message)
    if match:
        flag = max(match["names"].split("/"), key=len)
        message = f"{flag}: {message[match.end() :]}"
    return f"error: {message} (see: {prog} --help)"


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line naming the flag, not a usage dump."""

    def error(self, message: str) -> NoReturn:
        """Print ``error: --flag: what is wrong (see: PROG CMD --help)`` and exit 2."""
        self.exit(2, one_line(self.prog, message) + "\n")


def usage_error(
    parser: argparse.ArgumentParser, args: argparse.Namespace, message: str
) -> NoReturn:
    """A usage error found after parsing, worded like the parser's own (exit 2)."""
    names = ("command", "tables_command", "journal_command")
    prog = " ".join(p for p in (PROG, *(getattr(args, n, None) for n in names)) if p)
    sys.stderr.write(one_line(prog, message) + "\n")
    raise SystemExit(2)


def _global_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """The global options; on subcommands they default to SUPPRESS so either place works."""

    def default(value: object) -> object:
        return argparse.SUPPRESS if suppress else value

    group = parser.add_argument_group("global options")
    group.add_argument(
        "--token-file",
        metavar="PATH",
        default=default(None),
        help="read the API token from this file (default: $EXTRUCT_API_TOKEN)",
    )
    group.add_argument(
        "--base-url",
        metavar="URL",
        default=default(None),
        help="API base URL (default: $EXTRUCT_BASE_URL, then https://api.extruct.ai)",
    )
    group.add_argument(
        "--allow-insecure-http",
        action="store_true",
        default=default(False),
        help="allow a plain http:// --base-url on another machine (sends the token unencrypted)",
    )
    group.add_argument(
        "--sandbox",
        action="store_true",
        default=default(False),
        help="run against a local in-process sandbox (no token needed; state is lost on exit)",
    )
    group.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        default=default(False),
        help="no progress display or informational messages",
    )
    group.add_argument(
        "--debug",
        action="store_true",
        default=default(False),
        help="debug logging and tracebacks (the token is never printed)",
    )


N = TypeVar("N", int, float)


def _bounded(
    kind: Callable[[str], N], allowed: Callable[[N], bool], rule: str, note: str = ""
) -> Callable[[str], N]:
    """An argparse type: ``kind(text)`` that must satisfy ``allowed`` (``rule`` says how)."""
    noun = "an integer" if kind is int else "a number"

    def parse(text: str) -> N:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not {noun}: {text!r}") from None
        if not allowed(value):
            raise argparse.ArgumentTypeError(f"must be {rule}, got {text}{note}")
        return value

    return parse


_positive_int = _bounded(int, lambda v: v >= 1, "at least 1")
_non_negative_int = _bounded(int, lambda v: v >= 0, "at least 0")
_num_results = _bounded(int, lambda v: 1 <= v <= 250, "1-250")
_more_results = _bounded(int, lambda v: 1 <= v <= 250, "1-250", ": 0 would ask for nothing new")
_positive_float = _bounded(float, lambda v: v > 0, "positive")
_non_negative_float = _bounded(float, lambda v: v >= 0, "0 or more")


def _output_options(parser: argparse.ArgumentParser, *, page_size: bool = True) -> None:
    parser.add_argument(
        "-f",
        "--format",
        choices=FORMATS,
        default=None,
        help="output format (default: table, or from --out's extension: .csv .jsonl .json)",
    )
    parser.add_argument(
        "-o", "--out", metavar="FILE", help="write results to FILE instead of standard output"
    )
    _raw_csv_option(parser)
    if page_size:
        parser.add_argument(
            "--page-size",
            type=_positive_int,
            default=50,
            metavar="N",
            help="results per page request (default 50)",
        )


def _raw_csv_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--raw-csv",
        action="store_true",
        help="write CSV cells as the server sent them; by default a text cell starting "
        "with = + - @ (which a spreadsheet would run as a formula) gets a leading '",
    )


def _wait_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--poll-interval",
        type=_positive_float,
        metavar="SECONDS",
        help="seconds between polls (default 10; 0.5 with --sandbox or a loopback --base-url)",
    )
    parser.add_argument(
        "--timeout",
        type=_non_negative_float,
        metavar="SECONDS",
        help="give up waiting after this long (default 1800; 0: wait forever); "
        "the task keeps running",
    )


def _shortlist_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--must-have",
        action="append",
        default=[],
        metavar="KEY,...",
        help="criterion keys that need grade 4-5 (a missing grade fails); repeatable",
    )
    parser.add_argument(
        "--blocker",
        action="append",
        default=[],
        metavar="KEY,...",
        help="criterion keys on which a grade below 3 rejects (a missing grade does not)",
    )


Handler = Callable[..., int]
TASK_ID_HELP = "a Deep Search task id (printed by search, listed by list)"


def build_parser(handlers: dict[str, Handler] | None = None) -> argparse.ArgumentParser:
    """The full parser; each subcommand sets ``handler`` from ``handlers`` by name.

    Without ``handlers`` (to render help or the docs) no handler is set.
    """
    parser = Parser(prog=PROG, description=DESCRIPTION, epilog=EPILOG, formatter_class=_Formatter)
    from .. import __version__

    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    _global_options(parser, suppress=False)
    commands = parser.add_subparsers(
        title="commands", dest="command", metavar="COMMAND", parser_class=Parser
    )
    commands.required = True

    def command(
        name: str, help_: str, epilog: str, *, add_help: bool = True, globals_: bool = True
    ) -> argparse.ArgumentParser:
        sub = commands.add_parser(
            name,
            help=help_,
            description=help_[0].upper() + help_[1:] + ".",
            epilog="examples:\n" + epilog,
            formatter_class=_Formatter,
            add_help=add_help,
        )
        if add_help and globals_:
            _global_options(sub, suppress=True)
        _set_handler(sub, handlers, name)
        return sub

    # search
    sub = command(
        "search",
        "create a Deep Search task, watch its progress and print the results",
        f"""\
  {PROG} search "Vertical SaaS for dental clinics" --num 50
  {PROG} search "Payroll software for restaurants" \\
      --criterion b2b:B2B:"Sells primarily to other businesses" \\
      --criterion restaurants:Restaurants:"Its main customers are restaurants" \\
      --format csv --out payroll.csv
  {PROG} search "Fintech in Brazil" --criteria criteria.yaml --exclude-domains-file seen.txt
  {PROG} search "Fintech in Brazil" --no-wait      # prints the task id
  {PROG} search "Fintech in Brazil" --key fintech-br --journal searches.sqlite
      # run it again (after Ctrl-C, a crash, a reboot): it re-attaches, no new task

criteria file (JSON or YAML), a list of:
  - key: b2b
    name: B2B
    criterion: Sells primarily to other businesses
""",
    )
    sub.add_argument(
        "query", metavar="QUERY", help="natural-language description of the companies to find"
    )
    sub.add_argument(
        "-n",
        "--num",
        type=_num_results,
        default=100,
        metavar="N",
        help="desired number of high-fit results, 1-250 (default 100)",
    )
    sub.add_argument(
        "--criterion",
        action="append",
        default=[],
        metavar="KEY:NAME:TEXT",
        help="a criterion to grade results on, 1-5 (repeatable; default: inferred from the query)",
    )
    sub.add_argument(
        "--criteria",
        metavar="FILE",
        help="criteria from a JSON or YAML list of {key, name, criterion}",
    )
    sub.add_argument(
        "--exclude-domain",
        action="append",
        default=[],
        metavar="DOMAIN",
        help="never return this domain (repeatable)",
    )
    sub.add_argument(
        "--exclude-domains-file",
        metavar="FILE",
        help="domains to exclude, one per line (# starts a comment)",
    )
    sub.add_argument(
        "--exclude-task",
        action="append",
        default=[],
        metavar="TASK_ID",
        help="exclude the results of this finished task (repeatable)",
    )
    sub.add_argument(
        "--data-source",
        action="append",
        default=[],
        choices=[s.value for s in DataSource],
        help="search only these sources (repeatable; default: chosen automatically)",
    )
    sub.add_argument(
        "--no-wait", action="store_true", help="print the new task's id and exit at once"
    )
    sub.add_argument(
        "--key",
        metavar="KEY",
        help="name this search (1-200 printable characters): rerunning the same command "
        "re-attaches to its task instead of creating another; needs a journal",
    )
    _journal_option(sub, f"the journal that keeps keys (default: ${JOURNAL_ENV})")
    _output_options(sub)
    _wait_options(sub)

    # status
    sub = command("status", "show a task's status and counters", f"  {PROG} status TASK_ID\n")
    sub.add_argument("task_id", metavar="TASK_ID", help=TASK_ID_HELP)
    sub.add_argument("-f", "--format", choices=TASK_FORMATS, default="table")

    # wait
    sub = command(
        "wait",
        "watch a running task until it is done (Ctrl-C stops watching, not the task)",
        f"  {PROG} wait TASK_ID\n  {PROG} wait TASK_ID --poll-interval 30 --timeout 0\n",
    )
    sub.add_argument("task_id", metavar="TASK_ID", help=TASK_ID_HELP)
    _wait_options(sub)

    # results
    sub = command(
        "results",
        "print or export a task's results (also while it runs)",
        f"""\
  {PROG} results TASK_ID
  {PROG} results TASK_ID --out results.csv
  {PROG} results TASK_ID --format jsonl | jq .company_website
""",
    )
    sub.add_argument("task_id", metavar="TASK_ID", help=TASK_ID_HELP)
    _output_options(sub)

    # resume
    sub = command(
        "resume",
        "ask a task for more results (the task total is capped at 250)",
        f"  {PROG} resume TASK_ID --more 25\n  {PROG} resume TASK_ID --more 50 --wait\n",
    )
    sub.add_argument("task_id", metavar="TASK_ID", help=TASK_ID_HELP)
    sub.add_argument(
        "--more",
        type=_more_results,
        default=25,
        metavar="N",
        help="additional results to find, 1-250 (default 25); a task's total is capped at 250",
    )
    sub.add_argument("--wait", action="store_true", help="then watch the task until it is done")
    _wait_options(sub)

    # list
    sub = command(
        "list",
        "list your organization's tasks, newest first",
        f"  {PROG} list\n  {PROG} list --limit 10 --offset 10 --format json\n",
    )
    sub.add_argument("--limit", type=_positive_int, default=20, metavar="N", help="default 20")
    sub.add_argument("--offset", type=_non_negative_int, default=0, metavar="N", help="default 0")
    sub.add_argument("-f", "--format", choices=TASK_FORMATS, default="table")

    # shortlist
    sub = command(
        "shortlist",
        "keep the results with grade 4-5 on every must-have and none below 3 on a blocker",
        f"""\
  {PROG} shortlist TASK_ID --must-have dental,b2b
  {PROG} shortlist TASK_ID --must-have dental --blocker enterprise --out shortlist.csv

The guide's rule: grade 4-5 on must-have criteria and no grade below 3 on
blockers. A missing (null) grade fails a must-have and does not fail a blocker.
""",
    )
    sub.add_argument("task_id", metavar="TASK_ID", help=TASK_ID_HELP)
    _shortlist_options(sub)
    _output_options(sub)

    _batch_command(command)
    _journal_commands(command, handlers)

    # sandbox (its own parser handles the rest of the line)
    command(
        "sandbox",
        "serve a local Deep Search sandbox on 127.0.0.1 until Ctrl-C",
        f"  {PROG} sandbox --port 8787 --seed 0 --speed 1.0\n  {PROG} sandbox --help\n",
        add_help=False,
    )

    # demo
    sub = command(
        "demo",
        "run a complete Deep Search against a local sandbox and write results.csv",
        f"  {PROG} demo\n  {PROG} demo --out /tmp/demo.csv --num 30\n",
        globals_=False,
    )
    sub.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        default=argparse.SUPPRESS,
        help="no progress display or informational messages",
    )
    sub.add_argument(
        "-o", "--out", default="results.csv", metavar="FILE", help="CSV file (default results.csv)"
    )
    sub.add_argument(
        "-n",
        "--num",
        type=_num_results,
        default=50,
        metavar="N",
        help="results, 1-250 (default 50)",
    )
    sub.add_argument(
        "--speed",
        type=_positive_float,
        default=0.2,
        help="sandbox speed; the default takes about 10-20 s for 50 results",
    )
    sub.add_argument("--seed", type=int, default=0, help="sandbox seed (default 0)")
    _raw_csv_option(sub)

    # tables add-rows
    tables = command(
        "tables",
        "hand results over to AI Tables",
        f"  {PROG} tables add-rows TABLE_ID --from-task TASK_ID --must-have dental\n",
    )
    table_commands = tables.add_subparsers(
        title="commands", dest="tables_command", metavar="COMMAND", parser_class=Parser
    )
    table_commands.required = True
    sub = table_commands.add_parser(
        "add-rows",
        help="add a task's (shortlisted) companies as rows of an AI Table",
        description="Add a task's companies (their websites) as rows of an AI Table, in batches "
        "(POST /v1/tables/{table_id}/rows). With --must-have/--blocker only the shortlist.",
        epilog=f"""examples:
  {PROG} tables add-rows TABLE_ID --from-task TASK_ID
  {PROG} tables add-rows TABLE_ID --from-task TASK_ID --must-have dental --run
  {PROG} tables add-rows TABLE_ID --from-task TASK_ID --dry-run   # print the batches
""",
        formatter_class=_Formatter,
    )
    _global_options(sub, suppress=True)
    _set_handler(sub, handlers, "tables_add_rows")
    sub.add_argument("table_id", metavar="TABLE_ID", help="the AI Table to add rows to")
    sub.add_argument("--from-task", required=True, metavar="TASK_ID", help="the Deep Search task")
    _shortlist_options(sub)
    sub.add_argument("--run", action="store_true", help="run the table's columns on the new rows")
    sub.add_argument(
        "--batch-size",
        type=_positive_int,
        default=100,
        metavar="N",
        help="rows per request (default 100)",
    )
    sub.add_argument(
        "--dry-run",
        action="store_true",
        help="print the requests (one per batch) instead of sending them",
    )
    sub.add_argument(
        "--page-size", type=_positive_int, default=50, metavar="N", help=argparse.SUPPRESS
    )
    return parser


def _journal_option(parser: argparse.ArgumentParser, help_: str) -> None:
    parser.add_argument("--journal", metavar="PATH", help=help_)


def _batch_command(command: Callable[..., argparse.ArgumentParser]) -> None:
    sub = command(
        "batch",
        "run every search of a YAML or CSV file, resumably, into a folder",
        f"""\
  {PROG} batch campaign.yaml --out campaign/
  {PROG} batch segments.csv --criteria criteria.yaml --out segments/ --max-active 4
  {PROG} batch campaign.yaml --out campaign/ --dry-run     # the plan; nothing is sent
  {PROG} batch campaign.yaml --out campaign/ --exclude-found --format parquet

FILE in YAML (defaults: fields every search inherits; key: optional, derived
from the parameters when left out):
  defaults:
    desired_num_results: 50
    criteria:
      - {{key: dental, name: Dental, criterion: Its main customers are dental clinics}}
  searches:
    - key: dental-de
      query: Dental practice software in Germany
    - query: Dental practice software in France
      desired_num_results: 20

FILE in CSV (a header row; --criteria FILE gives every row its criteria):
  key,query,desired_num_results
  dental-de,Dental practice software in Germany,50

In DIR: <key>.csv per search (written as it finishes), companies.csv (one row
per registered domain), summary.json and journal.sqlite. Rerun the same
command to resume: tasks already created are re-attached, never paid twice.
exit codes: 0 every search finished, 1 any failed or was not started,
2 bad FILE or flags, 130 Ctrl-C (the tasks keep running).
""",
    )
    sub.add_argument("file", metavar="FILE", help="the searches: a .yaml/.yml or .csv file")
    sub.add_argument(
        "-o", "--out", required=True, metavar="DIR", help="the folder for results and the journal"
    )
    sub.add_argument(
        "-f",
        "--format",
        choices=BATCH_FORMATS,
        default="csv",
        help="format of each search's results file (default csv; parquet needs pyarrow)",
    )
    sub.add_argument(
        "--max-active",
        type=_bounded(int, lambda v: 1 <= v <= 1000, "1-1000"),
        default=10,
        metavar="N",
        help="tasks running at once, 1-1000 (default 10)",
    )
    sub.add_argument(
        "--exclude-found",
        action="store_true",
        help="pay once per company: searches start in waves, each excluding what earlier "
        "waves found (less parallel)",
    )
    _journal_option(
        sub,
        f"the journal that keeps the batch's keys (default: DIR/journal.sqlite; ${JOURNAL_ENV} "
        "is not used, so a batch's keys stay with its folder)",
    )
    sub.add_argument(
        "--criteria",
        metavar="FILE",
        help="criteria (a JSON or YAML list of {key, name, criterion}) for every search "
        "that sets none",
    )
    sub.add_argument(
        "--dry-run",
        action="store_true",
        help="check FILE and print the plan (keys, tasks already created, the most credits "
        "it can cost); send nothing",
    )
    sub.add_argument(
        "--page-size",
        type=_positive_int,
        default=50,
        metavar="N",
        help="results per page request (default 50)",
    )
    _raw_csv_option(sub)
    _wait_options(sub)


def _journal_commands(
    command: Callable[..., argparse.ArgumentParser], handlers: dict[str, Handler] | None
) -> None:
    journal = command(
        "journal",
        "show the keyed searches a journal records (key, task, status)",
        f"""\
  {PROG} journal list --journal searches.sqlite
  {PROG} journal show dental-es --journal searches.sqlite --format json
  {PROG} journal list --journal campaign/journal.sqlite    # a batch's journal
""",
    )
    sub_commands = journal.add_subparsers(
        title="commands", dest="journal_command", metavar="COMMAND", parser_class=Parser
    )
    sub_commands.required = True
    help_ = f"the journal file (default: ${JOURNAL_ENV})"
    formats = "table on a terminal, plain (tab-separated) otherwise"
    for name, summary in (
        ("list", "every key, oldest first"),
        ("show", "one key: its task, status, owner and times"),
    ):
        sub = sub_commands.add_parser(
            name,
            help=summary,
            description=f"{summary[0].upper()}{summary[1:]}.",
            formatter_class=_Formatter,
        )
        _global_options(sub, suppress=True)
        _set_handler(sub, handlers, f"journal_{name}")
        if name == "show":
            sub.add_argument("key", metavar="KEY", help="the search's key")
        _journal_option(sub, help_)
        sub.add_argument(
            "-f", "--format", choices=JOURNAL_FORMATS, default=None, help=f"default: {formats}"
        )


def _set_handler(
    parser: argparse.ArgumentParser, handlers: dict[str, Handler] | None, name: str
) -> None:
    if handlers is not None:
        handler: Any = handlers[name.replace(" ", "_")]
        parser.set_defaults(handler=handler)
