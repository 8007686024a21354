"""A sandbox in a process of its own.

``Sandbox`` serves from a thread of the caller's process; benchmarks and load
tests want the server's CPU apart from the client's, so this starts
``python -m extruct_deep_search.sandbox --port 0`` and reads its URL and token
from the lines it prints.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from types import TracebackType

__all__ = ["SandboxProcess"]

_URL = re.compile(r"sandbox at (http://\S+)")
_TOKEN = re.compile(r"export EXTRUCT_API_TOKEN=(\S+)")


class SandboxProcess:
    """``with SandboxProcess(speed=10) as sp:`` gives ``sp.base_url``, ``sp.token``, ``sp.pid``.

    Args:
        seed: corpus and task seed.
        speed: progress rate (see ``Sandbox``).
        startup_timeout: seconds to wait for the server to print its URL.
    """

    def __init__(self, *, seed: int = 0, speed: float = 1.0, startup_timeout: float = 30.0):
        self.seed = seed
        self.speed = speed
        self.startup_timeout = startup_timeout
        self.base_url = ""
        self.token = ""
        self._proc: subprocess.Popen[str] | None = None

    @property
    def pid(self) -> int:
        """The server process id."""
        if self._proc is None:
            raise RuntimeError("the sandbox process is not running")
        return self._proc.pid

    def start(self) -> SandboxProcess:
        """Start the server and wait until it has printed its URL and token."""
        argv = [sys.executable, "-m", "extruct_deep_search.sandbox", "--port", "0"]
        argv += ["--seed", str(self.seed), "--speed", str(self.speed)]
        proc = self._proc = subprocess.Popen(
            argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
        )
        assert proc.stdout is not None
        deadline = time.monotonic() + self.startup_timeout
        while not (self.base_url and self.token) and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            if match := _URL.search(line):
                self.base_url = match.group(1)
            if match := _TOKEN.search(line):
                self.token = match.group(1)
        if not (self.base_url and self.token):
            self.stop()
            raise RuntimeError("the sandbox process did not print its URL and token")
        return self

    def stop(self) -> None:
        """Terminate the server (kill it if it does not exit within 10 s)."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()

    def __enter__(self) -> SandboxProcess:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
