"""The benchmark runner still works: a quick run writes a report with every section."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SECTIONS = [
    "## 1. Round trips for a full task",
    "## 2. Latency to completion",
    "## 3. Overhead per page",
    "## 4. Overhead per request",
    "## 5. Import time",
    "## 6. Scale",
    "## 7. Memory",
    "## 8. Many searches",
    "## 9. Exactly once",
]


@pytest.mark.slow
@pytest.mark.integration
def test_quick_benchmark_writes_every_section(tmp_path: Path) -> None:
    out = tmp_path / "BENCHMARKS.md"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--quick", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = out.read_text(encoding="utf-8")
    for heading in ["# Benchmarks", "## Summary", "- Machine:", "- Python:", "- Date:"]:
        assert heading in report
    for heading in SECTIONS:
        assert heading in report, heading
    assert "FAILED" not in report
    assert report.count("| yes |") + report.count("| **no** |") >= 7
