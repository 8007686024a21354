"""Atomic file writes: a kill at any instant leaves the old file or the new one, never half.

The bytes go to a temporary file in the same folder, are flushed to disk
(fsync), then renamed over the target (one atomic step on POSIX and Windows),
and the folder is synced so the rename itself survives a power cut. A file
whose content is already exactly the new bytes is left alone, so a rerun
rewrites nothing it does not need to.
"""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path

__all__ = ["remove_stale_temporaries", "write_atomic"]

# .<name>.<pid>.tmp: the pid tells a live writer's file from a killed one's.
_TEMPORARY = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)\.tmp$")


def _temporary(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def _sync_folder(folder: Path) -> None:
    # Directories cannot be opened for fsync on Windows; there the rename is enough.
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_atomic(path: Path, data: bytes) -> bool:
    """Replace ``path`` with ``data`` atomically; return False when it already held ``data``."""
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    temporary = _temporary(path)
    try:
        with open(temporary, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
    _sync_folder(path.parent)
    return True


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def remove_stale_temporaries(folder: Path) -> list[Path]:
    """Delete the temporary files that killed writers left in ``folder``; return them."""
    removed = []
    with contextlib.suppress(OSError):
        for entry in folder.iterdir():
            match = _TEMPORARY.match(entry.name)
            if match and int(match["pid"]) != os.getpid() and not _alive(int(match["pid"])):
                with contextlib.suppress(OSError):
                    entry.unlink()
                    removed.append(entry)
    return removed
