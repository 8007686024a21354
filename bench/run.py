"""Run every benchmark against the sandbox on 127.0.0.1 and write BENCHMARKS.md.

Usage::

    python bench/run.py                 # the full run (~9 min on 2 cores), writes BENCHMARKS.md
    python bench/run.py --quick --out /tmp/b.md   # smoke run (~90 s)
    python bench/run.py --only parse,import_time  # some sections
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import os
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from common import Section, Table, loadavg, machine  # noqa: E402

MODULES = [
    "round_trips",
    "latency",
    "parse",
    "per_request",
    "import_time",
    "scale",
    "memory",
    "many",
    "exactly_once",
]


def table_md(table: Table) -> list[str]:
    lines = ["| " + " | ".join(table.headers) + " |"]
    lines.append("|" + "---|" * len(table.headers))
    lines += ["| " + " | ".join(row) + " |" for row in table.rows]
    return lines


def section_md(section: Section) -> list[str]:
    out = [f"## {section.title}", "", section.method, ""]
    for table in section.tables:
        out += [*table_md(table), ""]
    if section.targets:
        out += ["| target | measured | met |", "|---|---|---|"]
        for t in section.targets:
            out.append(f"| {t.text} | {t.measured} | {'yes' if t.met else '**no**'} |")
        out.append("")
        for t in section.targets:
            if not t.met and t.why:
                out += [f"- Missed, {t.text}: {t.why}"]
        if any(not t.met and t.why for t in section.targets):
            out.append("")
    for note in section.notes:
        out += [f"- {note}"]
    if section.notes:
        out.append("")
    out += [f"_Section time: {section.seconds:.0f} s._", ""]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: fewer repeats (~90 s)")
    parser.add_argument(
        "--out", default=str(HERE.parent / "BENCHMARKS.md"), help="report path (BENCHMARKS.md)"
    )
    parser.add_argument("--only", default="", help="comma-separated section modules to run")
    args = parser.parse_args(argv)
    names = [n for n in args.only.split(",") if n] or MODULES
    unknown = set(names) - set(MODULES)
    if unknown:
        parser.error(f"unknown sections: {', '.join(sorted(unknown))}; known: {MODULES}")

    started = time.time()
    load_before = loadavg()
    info = machine()
    command = "python bench/run.py" + "".join(f" {a}" for a in (argv or sys.argv[1:]))
    sections: list[Section] = []
    failures: list[str] = []
    for name in names:
        print(f"[bench] {name} ...", flush=True)
        t0 = time.time()
        try:
            section = importlib.import_module(name).measure(args.quick)
        except Exception:  # report the failure, keep going
            failures.append(name)
            section = Section(
                title=f"{name}: FAILED",
                method="```\n" + traceback.format_exc() + "```",
            )
        section.seconds = time.time() - t0
        print(f"[bench] {name} done in {section.seconds:.1f} s", flush=True)
        sections.append(section)
    total = time.time() - started

    lines = [
        "# Benchmarks",
        "",
        "Written by `bench/run.py`; do not edit by hand. Everything runs against the "
        "sandbox (`extruct_deep_search.sandbox`) on 127.0.0.1, in one run on one machine, "
        "so ratios compare like with like.",
        "",
        f"- Date: {datetime.datetime.now(datetime.UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- Command: `{command}`" + (" (quick smoke run: few repeats)" if args.quick else ""),
        f"- Machine: {info['cpu']}, {info['cores']} cores, {info['ram']} RAM, {info['os']}",
        f"- Python: {info['python']} ({sys.executable.replace(os.getcwd() + '/', '')}), "
        f"httpx {info['httpx']}",
        f"- Load average (1/5/15 min): {load_before} at start, {loadavg()} at end "
        "(the machine is shared; other processes add noise to wall times)",
        f"- Total time: {total:.0f} s",
        "",
        "## Summary",
        "",
        "| section | target | measured | met |",
        "|---|---|---|---|",
    ]
    for section in sections:
        short = section.title.split(" ", 1)[0].rstrip(".")
        for t in section.targets:
            lines.append(f"| {short} | {t.text} | {t.measured} | {'yes' if t.met else '**no**'} |")
        if not section.targets:
            lines.append(f"| {short} | - | {section.title} | - |")
    lines.append("")
    for section in sections:
        lines += section_md(section)
    Path(args.out).write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")
    print(f"[bench] wrote {args.out} in {total:.0f} s", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
