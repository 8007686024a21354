"""How relevant are the sandbox's results? Precision against the corpus's own truth.

Each :class:`Probe` is a query (with or without criteria) and, written by hand,
what it asks for: a set of industries and, if any, a set of HQ countries. A run
creates the task in-process (a fake clock, no HTTP), lets it finish, and judges
the results by the corpus's ground truth, not by the grades:

- ``precision@20``: the share of the top 20 results whose company really is in
  an asked-for industry and country;
- ``shortlist``: the share of the results graded 4-5 on every must-have
  criterion (the Deep Search guide's shortlist rule);
- ``off-topic passing``: results outside the asked-for industries or countries
  that still pass the shortlist (each one is a grading mistake).

Usage::

    python -m extruct_deep_search.sandbox.quality [--seed 0] [--markdown]
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .models import CreateInput, Criterion
from .simulation import RESULTS
from .state import SandboxState

__all__ = ["PROBES", "Measure", "Probe", "main", "measure", "run_probe"]

_EUROPE = frozenset(
    {"United Kingdom", "Germany", "France", "Netherlands", "Sweden", "Switzerland", "Spain"}
)
_APAC = frozenset({"Japan", "India", "Singapore", "Australia", "New Zealand"})
_US = frozenset({"United States"})


@dataclass(frozen=True)
class Probe:
    """A query and what a right answer is, in the corpus's terms."""

    query: str
    industries: frozenset[str]
    countries: frozenset[str] | None = None
    criteria: tuple[Criterion, ...] | None = None
    must_have: tuple[str, ...] = ("query_fit", "core_offering")
    desired: int = 50

    def truth(self, industry: str, country: str) -> bool:
        """Whether a company with this industry and HQ country is what was asked for."""
        return industry in self.industries and (self.countries is None or country in self.countries)


def _c(key: str, name: str, text: str) -> Criterion:
    return (key, name, text)


#: The queries measured in docs/SANDBOX.md, across industries and regions.
PROBES: tuple[Probe, ...] = (
    Probe(
        "Vertical SaaS for dental clinics in Europe",
        frozenset({"dental"}),
        _EUROPE,
        (
            _c("dental", "Dental focus", "Builds software primarily for dental clinics"),
            _c("europe", "European", "Headquartered in a European country"),
        ),
        ("dental", "europe"),
    ),
    Probe("Payroll software for restaurants in the US", frozenset({"hr"}), _US),
    Probe("Cybersecurity startups in Europe", frozenset({"security"}), _EUROPE),
    Probe(
        "Fintech for small businesses in the United States",
        frozenset({"fintech"}),
        _US,
        (
            _c("fintech", "Fintech", "Sells financial software: payments, accounting or lending"),
            _c("smb", "SMB customers", "Its customers are mainly small businesses"),
            _c("us", "US HQ", "Headquartered in the United States"),
        ),
        ("fintech", "smb", "us"),
    ),
    Probe("Warehouse robotics companies", frozenset({"robotics"})),
    Probe("Climate software companies in Europe", frozenset({"climate"}), _EUROPE),
    Probe(
        "Legal tech for law firms",
        frozenset({"legal"}),
        None,
        (
            _c("legal", "Legal focus", "Builds software for lawyers or law firms"),
            _c("saas", "SaaS", "Sells subscription software"),
        ),
        ("legal", "saas"),
    ),
    Probe("Agritech companies in APAC", frozenset({"agritech"}), _APAC),
)


@dataclass(frozen=True)
class Measure:
    """One probe's outcome."""

    probe: Probe
    results: int
    precision_at_20: float
    shortlisted: int
    off_topic_passing: int

    @property
    def shortlist_share(self) -> float:
        """Share of the results that pass the shortlist."""
        return self.shortlisted / self.results if self.results else 0.0


def run_probe(state: SandboxState, probe: Probe, clock: list[float]) -> list[dict[str, Any]]:
    """Create the probe's task, advance the fake clock until it ends, return its results."""
    body = CreateInput(
        query=probe.query,
        desired_num_results=probe.desired,
        criteria=list(probe.criteria) if probe.criteria else None,
    )
    task = state.create_task("org_a", body)
    while True:
        clock[0] += 1.0
        page = state.get_results("org_a", task["id"])
        if page["status"] in ("done", "failed"):
            rows: list[dict[str, Any]] = page["results"]
            return rows


def _passes(row: dict[str, Any], must_have: Sequence[str]) -> bool:
    grades = [row["scores"].get(key, {}).get("grade") for key in must_have]
    return all(g is not None and g >= 4 for g in grades)


def measure(
    seed: int = 0, probes: Sequence[Probe] = PROBES, results: str = "high_fit"
) -> list[Measure]:
    """Run every probe on a fresh in-process sandbox; return their measures."""
    clock = [1_700_000_000.0]
    state = SandboxState(seed=seed, now=lambda: clock[0], results=results)
    by_site = {c.website: c for c in state.corpus}
    out = []
    for probe in probes:
        rows = run_probe(state, probe, clock)
        right = [probe.truth(by_site[r["company_website"]].industry, r["hq_country"]) for r in rows]
        passing = [_passes(r, probe.must_have) for r in rows]
        top = right[:20]
        out.append(
            Measure(
                probe=probe,
                results=len(rows),
                precision_at_20=sum(top) / len(top) if top else 0.0,
                shortlisted=sum(passing),
                off_topic_passing=sum(p and not r for p, r in zip(passing, right, strict=True)),
            )
        )
    return out


def render(measures: Sequence[Measure], markdown: bool = False) -> str:
    """A table of the measures, plain or Markdown."""
    head = ("query", "results", "precision@20", "shortlist", "off-topic passing")
    rows = [
        (
            m.probe.query,
            str(m.results),
            f"{m.precision_at_20:.2f}",
            f"{m.shortlisted}/{m.results}",
            str(m.off_topic_passing),
        )
        for m in measures
    ]
    if markdown:
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        lines += ["| " + " | ".join(r) + " |" for r in rows]
        return "\n".join(lines)
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in [head, *rows]
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Print the relevance table."""
    parser = argparse.ArgumentParser(
        prog="python -m extruct_deep_search.sandbox.quality", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--seed", type=int, default=0, help="sandbox seed (default: 0)")
    parser.add_argument(
        "--results",
        choices=RESULTS,
        default="high_fit",
        help="the sandbox's results mode (default: high_fit)",
    )
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args(argv)
    print(render(measure(args.seed, results=args.results), args.markdown))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
