"""`scripts/regenerate.py --check` (nox -s drift) on a throwaway copy of the repo.

Each case copies openapi/, scripts/, pyproject.toml and generated/ into tmp_path,
mutates the copy and runs the real script there with this interpreter, so the
pinned openapi-python-client and ruff next to it are used. Each run generates
once (about 1 s).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.slow

PKG = "generated/extruct_deep_search_client"
COPIED = ("openapi", "scripts", "generated", "pyproject.toml")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    dest = tmp_path / "repo"
    dest.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", ".ruff_cache", ".mypy_cache")
    for name in COPIED:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=ignore)
        else:
            shutil.copy2(src, dest / name)
    return dest


def run(
    repo: Path, *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(repo / "scripts" / "regenerate.py"), *args],
        cwd=cwd or repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def drift_list(output: str) -> list[str]:
    """The paths listed under the 'DRIFT:' heading."""
    _, _, tail = output.partition("DRIFT:")
    return re.findall(r"^  (\S+)$", tail, flags=re.MULTILINE)


def snapshot(repo: Path) -> dict[str, bytes]:
    files = {"openapi/client.yaml": (repo / "openapi" / "client.yaml").read_bytes()}
    for path in sorted((repo / "generated").rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            files[str(path.relative_to(repo))] = path.read_bytes()
    return files


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path}"
    path.write_text(text.replace(old, new))


def assert_drift(proc: subprocess.CompletedProcess[str], expected: list[str]) -> None:
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert drift_list(proc.stdout) == expected, out
    assert "nox -s generate" in out


def test_clean_copy_passes(repo: Path) -> None:
    # Bytecode caches from importing the generated package are not drift.
    cache = repo / PKG / "models" / "__pycache__"
    cache.mkdir(exist_ok=True)
    (cache / "status.cpython-311.pyc").write_bytes(b"\0")
    proc = run(repo, "--check")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "no drift" in proc.stdout
    assert "DRIFT" not in proc.stdout


def test_changed_default_without_regenerating_fails(repo: Path) -> None:
    edit(
        repo / "openapi" / "upstream.yaml",
        "250-result task\n            cap.\n          default: 25",
        "250-result task\n            cap.\n          default: 30",
    )
    before = snapshot(repo)
    proc = run(repo, "--check")
    assert_drift(
        proc,
        [
            "openapi/client.yaml",
            f"{PKG}/models/resume_discovery_task_input.py",
        ],
    )
    # The diff shows the change; --check writes nothing.
    assert "+          default: 30" in proc.stdout
    assert "-          default: 25" in proc.stdout
    assert "desired_new_results: int | Unset = 30" in proc.stdout
    assert snapshot(repo) == before


def test_edited_generated_file_fails(repo: Path) -> None:
    status = repo / PKG / "models" / "status.py"
    status.write_text(status.read_text() + "# hand edit\n")
    proc = run(repo, "--check")
    assert_drift(proc, [f"{PKG}/models/status.py"])
    assert "-# hand edit" in proc.stdout


def test_stray_generated_file_fails(repo: Path) -> None:
    (repo / PKG / "api" / "company_discovery" / "cancel_task.py").write_text("x = 1\n")
    proc = run(repo, "--check")
    assert_drift(proc, [f"{PKG}/api/company_discovery/cancel_task.py"])


def test_deleted_generated_file_fails(repo: Path) -> None:
    (repo / PKG / "py.typed").unlink()
    proc = run(repo, "--check")
    assert_drift(proc, [f"{PKG}/py.typed"])


def test_changed_limit_fails_on_the_spec_alone(repo: Path) -> None:
    """Limits do not change generated code, so only the spec comparison catches them."""
    edit(
        repo / "openapi" / "upstream.yaml",
        "          maximum: 250\n          minimum: 1\n          title: Desired Num Results",
        "          maximum: 200\n          minimum: 1\n          title: Desired Num Results",
    )
    proc = run(repo, "--check")
    assert_drift(proc, ["openapi/client.yaml"])
    assert "+          maximum: 200" in proc.stdout


def test_hand_edited_client_spec_fails(repo: Path) -> None:
    spec = repo / "openapi" / "client.yaml"
    spec.write_text(spec.read_text() + "# tweak\n")
    assert_drift(run(repo, "--check"), ["openapi/client.yaml"])


def test_regenerate_is_deterministic_and_idempotent(repo: Path, tmp_path: Path) -> None:
    committed = snapshot(repo)
    (repo / PKG / "stray.py").write_text("x = 1\n")  # regenerate replaces the whole tree

    first = run(repo, env={**os.environ, "PYTHONHASHSEED": "1", "TZ": "UTC"})
    assert first.returncode == 0, first.stdout + first.stderr
    once = snapshot(repo)
    assert once == committed

    # Different hash seed, timezone, locale and working directory: same bytes.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {
        **os.environ,
        "PYTHONHASHSEED": "12345",
        "TZ": "Pacific/Kiritimati",
        "LC_ALL": "C",
        "LANG": "C",
    }
    second = run(repo, cwd=elsewhere, env=env)
    assert second.returncode == 0, second.stdout + second.stderr
    assert snapshot(repo) == once
    assert not list(repo.rglob(".ruff_cache"))
    assert not list(elsewhere.iterdir())
