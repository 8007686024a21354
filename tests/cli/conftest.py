"""Helpers for the CLI tests: run the command line as a user would, by subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from extruct_deep_search.sandbox import Sandbox

CLI = [sys.executable, "-m", "extruct_deep_search"]


def cli_env(base_url: str | None, token: str | None, **extra: str) -> dict[str, str]:
    """The environment of a CLI run: the sandbox's URL and token, nothing inherited."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("EXTRUCT_")}
    env["COLUMNS"] = "200"
    env["PYTHONUNBUFFERED"] = "1"
    if base_url is not None:
        env["EXTRUCT_BASE_URL"] = base_url
    if token is not None:
        env["EXTRUCT_API_TOKEN"] = token
    env.update(extra)
    return env


class Runner:
    """Runs ``python -m extruct_deep_search ...`` against one sandbox."""

    def __init__(self, base_url: str, token: str) -> None:
        self.base_url = base_url
        self.token = token

    def env(self, **extra: str) -> dict[str, str]:
        """The default environment, plus ``extra``."""
        return cli_env(self.base_url, self.token, **extra)

    def __call__(
        self,
        *args: str,
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
        timeout: float = 60,
    ) -> subprocess.CompletedProcess[str]:
        """Run the CLI to completion; stdout/stderr captured as text."""
        return subprocess.run(
            [*CLI, *args],
            env=self.env() if env is None else env,
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )

    def many(
        self, *argvs: list[str], env: dict[str, str] | None = None, timeout: float = 60
    ) -> list[subprocess.CompletedProcess[str]]:
        """Run several independent CLI invocations in parallel; results in order."""
        procs = [
            subprocess.Popen(
                [*CLI, *argv],
                env=self.env() if env is None else env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                stdin=subprocess.DEVNULL,
                text=True,
            )
            for argv in argvs
        ]
        done = []
        for argv, proc in zip(argvs, procs, strict=True):
            out, err = proc.communicate(timeout=timeout)
            done.append(subprocess.CompletedProcess([*CLI, *argv], proc.returncode, out, err))
        return done


@pytest.fixture(scope="session")
def cli(base_url: str, api_token: str) -> Runner:
    """The CLI runner against the session sandbox (fast)."""
    return Runner(base_url, api_token)


@pytest.fixture(scope="module")
def slow_sandbox() -> Iterator[Sandbox]:
    """A slower sandbox (speed 0.3): a 20-result search takes a few seconds."""
    with Sandbox(seed=3, speed=0.3) as sb:
        yield sb


@pytest.fixture(scope="module")
def slow_cli(slow_sandbox: Sandbox) -> Runner:
    """The CLI runner against the slow sandbox."""
    return Runner(slow_sandbox.base_url, slow_sandbox.token)
