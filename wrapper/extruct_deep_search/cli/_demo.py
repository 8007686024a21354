"""The ``demo`` command: a whole Deep Search against an in-process sandbox."""

from __future__ import annotations

from .. import Criterion
from .._config import LOCAL_POLL_INTERVAL
from ..exports import write_csv
from ..shortlist import shortlist
from ._context import Context, UsageError
from ._output import criteria_of, finished
from ._parser import PROG
from ._table import print_results

DEMO_QUERY = "Vertical SaaS companies selling practice-management software to dental clinics"
DEMO_CRITERIA = (
    Criterion("dental_focus", "Dental focus", "Its main customers are dental clinics or dentists"),
    Criterion("b2b_saas", "B2B SaaS", "Sells subscription software to other businesses"),
    Criterion("smb_market", "SMB market", "Serves small and mid-sized practices, not hospitals"),
)


def cmd_demo(ctx: Context) -> int:
    """demo: create, watch and print a task on a local sandbox; write results.csv."""
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
    args.poll_interval = LOCAL_POLL_INTERVAL
    args.timeout = None
    task = ctx.watch(ds, task.id)
    finished(ctx, task)
    results = ds.results(task.id)
    criteria = criteria_of(task, results)
    title = f"{len(results)} results for task {task.id}"
    print_results(ctx.out, results, criteria, title, fit=ctx.stdout_tty)
    try:
        write_csv(results, args.out, [c.key for c in criteria], raw=args.raw_csv)
    except OSError as exc:
        raise UsageError(f"cannot write --out {args.out}: {exc.strerror}") from None
    kept = shortlist(results, ["dental_focus"], ["smb_market"], criteria=criteria)
    ctx.info(f"Wrote {len(results)} results to {args.out}.")
    ctx.info(
        f"{len(kept)} pass the shortlist --must-have dental_focus --blocker smb_market. "
        f'Next, with a token: {PROG} search "your query" --num 50 --out results.csv'
    )
    return 0
