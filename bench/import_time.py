"""5. Import time of extruct_deep_search vs httpx (python -X importtime, fresh processes)."""

from __future__ import annotations

import subprocess
import sys

from common import Section, Table, Target, fmt, median

MODULES = ("httpx", "extruct_deep_search")


def cumulative(module: str) -> dict[str, float]:
    """Cumulative import time (ms) per module of one fresh `python -X importtime -c 'import m'`."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        capture_output=True,
        text=True,
        check=True,
    )
    out: dict[str, float] = {}
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cum, name = (part.strip() for part in line[len("import time:") :].split("|"))
        out.setdefault(name, int(cum) / 1000)
    return out


def measure(quick: bool) -> Section:
    repeats = 3 if quick else 9
    times: dict[str, list[float]] = {m: [] for m in MODULES}
    parts: dict[str, list[float]] = {
        "httpx": [],
        "extruct_deep_search_client": [],
        "tldextract": [],
        "asyncio": [],
    }
    for r in range(repeats + 1):  # run 0 warms the OS file cache
        for module in MODULES:
            found = cumulative(module)
            if r == 0:
                continue
            times[module].append(found[module])
            if module == "extruct_deep_search":
                for name in parts:
                    parts[name].append(found.get(name, 0.0))
    floor = median(times["httpx"])
    ours = median(times["extruct_deep_search"])
    ratio = ours / floor
    section = Section(
        title="5. Import time",
        method=(
            "`python -X importtime -c 'import X'` in a fresh process per sample, "
            "alternating the two modules; the cumulative time of the top-level module, "
            f"median of {repeats} samples after a discarded warm-up pair."
        ),
        tables=[
            Table(
                ["import", "cumulative ms (median)", "min", "vs httpx (medians)"],
                [
                    ["httpx (the floor)", fmt(floor, 1), fmt(min(times["httpx"]), 1), "1.00x"],
                    [
                        "extruct_deep_search",
                        fmt(ours, 1),
                        fmt(min(times["extruct_deep_search"]), 1),
                        f"{ratio:.2f}x",
                    ],
                    *(
                        [f"  of which {name}", fmt(median(values), 1), fmt(min(values), 1), ""]
                        for name, values in parts.items()
                    ),
                ],
            )
        ],
    )
    section.targets.append(
        Target(
            "import extruct_deep_search <= 2x import httpx",
            f"{ratio:.2f}x ({ours:.1f} vs {floor:.1f} ms)",
            ratio <= 2.0,
            ""
            if ratio <= 2.0
            else "everything is imported eagerly: tldextract (pulled in by _core.domains, "
            "and it imports requests and urllib3) and asyncio (by _async) are large; see "
            "the breakdown (each part is measured inside the extruct_deep_search import, "
            "so shared stdlib modules count only once).",
        )
    )
    return section
