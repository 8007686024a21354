"""Developer and CI sessions. Run them all with ``bash scripts/test.sh``.

Sessions run in the already-prepared environment (``venv_backend="none"``):
scripts/test.sh creates ``.venv`` with ``pip install -e '.[dev]'`` once, so
each session starts in seconds instead of reinstalling the world. The
exception is ``airflow``: Airflow gets a virtualenv of its own, ``.nox/airflow``.
"""

from __future__ import annotations

import glob
import shutil
import tarfile
from pathlib import Path

import nox

nox.options.default_venv_backend = "none"
# What the test command runs; scripts/test.sh runs "airflow" beside these.
MAIN_SESSIONS = [
    "lint",
    "typecheck",
    "drift",
    "tests",
    "docs",
    "build",
    "contract",
    "chaos",
    "crash",
]
nox.options.sessions = [*MAIN_SESSIONS, "airflow"]
nox.options.error_on_missing_interpreters = True


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check (generated/ is excluded in pyproject)."""
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict on the wrapper package."""
    session.run("mypy", "--strict")


@nox.session
def generate(session: nox.Session) -> None:
    """Regenerate generated/ from the spec, and _sync.py from _async.py."""
    session.run("python", "scripts/regenerate.py")
    session.run("python", "scripts/unasync.py")


@nox.session
def drift(session: nox.Session) -> None:
    """Fail if client.yaml, generated/ or _sync.py differ from a fresh generation."""
    session.run("python", "scripts/regenerate.py", "--check")
    session.run("python", "scripts/unasync.py", "--check")


@nox.session
def tests(session: nox.Session) -> None:
    """Unit and integration tests (integration ones start sandboxes on 127.0.0.1)."""
    # Two workers: most integration tests wait on a sandbox, so the cores are free.
    session.run("pytest", "-q", "-p", "no:cacheprovider", "-n", "2", *session.posargs)


@nox.session
def docs(session: nox.Session) -> None:
    """The API reference site: mkdocs build --strict (a broken reference fails)."""
    site = Path(session.create_tmp()) / "site"
    session.run(
        "mkdocs", "build", "--strict", "--site-dir", str(site), env={"NO_MKDOCS_2_WARNING": "1"}
    )


@nox.session
def build(session: nox.Session) -> None:
    """sdist and wheel, twine check --strict, the wheel in a bare venv, the sdist's own tests."""
    tmp = Path(session.create_tmp()).resolve()
    dist, bare, unpacked = tmp / "dist", tmp / "bare", tmp / "sdist"
    for path in (dist, bare, unpacked):
        shutil.rmtree(path, ignore_errors=True)
    session.run("python", "-m", "build", "--outdir", str(dist))
    (sdist,), (wheel,) = list(dist.glob("*.tar.gz")), list(dist.glob("*.whl"))
    session.run("twine", "check", "--strict", str(sdist), str(wheel))
    # A bare virtualenv: only the wheel and its dependencies.
    session.run("python", "-m", "venv", str(bare))
    python = str(bare / "bin" / "python")
    session.run(python, "-m", "pip", "install", "-q", str(wheel))
    session.run(python, "-c", "import extruct_deep_search as e; print(e.__version__)")
    session.run(str(bare / "bin" / "extruct-deep-search"), "--help", silent=True)
    # The sdist is self-contained: its unit tests pass on its own code.
    with tarfile.open(sdist) as archive:
        archive.extractall(unpacked, filter="data")
    (root,) = list(unpacked.iterdir())
    code = (
        f"import extruct_deep_search as e; assert e.__file__.startswith({str(root)!r}), e.__file__"
    )
    paths = {"PYTHONPATH": f"{root / 'wrapper'}:{root / 'generated'}"}
    session.chdir(root)
    session.run("python", "-c", code, env=paths)
    session.run(
        "python", "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x", "-n", "2",
        "-m", "not integration and not slow", env=paths,
    )  # fmt: skip


@nox.session
def contract(session: nox.Session) -> None:
    """Third-party contract checks: schemathesis and the Prism proxy."""
    session.run("python", "scripts/contract.py", *session.posargs)


@nox.session
def chaos(session: nox.Session) -> None:
    """Task lifecycles under injected faults: nothing lost, duplicated or created twice."""
    args = session.posargs or [
        "--tasks",
        "150",
        "--duration",
        "120",
        "--rate",
        "0.2",
        "--seed",
        "1",
    ]
    session.run("python", "scripts/chaos.py", *args)


@nox.session
def crash(session: nox.Session) -> None:
    """Keyed searches in a child killed with SIGKILL at random moments: one task per key."""
    args = session.posargs or ["--keys", "3", "--kills", "15", "--seed", "1"]
    session.run("python", "scripts/crash.py", *args)


@nox.session
def load(session: nox.Session) -> None:
    """One AsyncDeepSearch waiting on 500 concurrent tasks with a bounded pool."""
    args = session.posargs or ["--tasks", "500", "--max-connections", "20"]
    session.run("python", "scripts/load.py", *args)


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks against the sandbox; rewrites BENCHMARKS.md (``-- --quick`` for a smoke run)."""
    session.run("python", "bench/run.py", *session.posargs)


@nox.session(venv_backend="venv")
def airflow(session: nox.Session) -> None:
    """The Airflow provider in a virtualenv of its own (.nox/airflow): mypy, then tests/airflow.

    Airflow is large, so the main .venv never installs it and the main test run
    does not collect tests/airflow; this session is the only one that runs them.
    """
    session.install("-q", "-e", ".[airflow,sandbox]", "-r", "tests/airflow/requirements.txt")
    session.run("mypy", "--strict", *sorted(glob.glob("wrapper/extruct_deep_search/airflow/*.py")))
    session.run(
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        *(session.posargs or ["tests/airflow"]),
        env={"EXTRUCT_AIRFLOW_TESTS": "1"},
    )
