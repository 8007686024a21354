"""scripts/unasync.py: every substitution must fire, as httpcore's unasync checks.

A rule that matches nothing means _async.py changed under it: the sync twin
may then differ from what the rule was written to produce, so --check fails.
"""

from __future__ import annotations

import pytest
import unasync


def test_every_substitution_fires_on_the_current_source() -> None:
    text = unasync.unasync(unasync.SOURCE.read_text())
    assert "async def" not in text and "await " not in text


def test_a_dead_substitution_fails_the_check(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    dead = (r"\bno_such_name_in_async_py\b", "anything")
    monkeypatch.setattr(unasync, "SUBSTITUTIONS", [*unasync.SUBSTITUTIONS, dead])
    with pytest.raises(unasync.StaleSubstitution, match="no_such_name_in_async_py"):
        unasync.unasync(unasync.SOURCE.read_text())
    assert unasync.main(["--check"]) == 1
    assert "STALE" in capsys.readouterr().out
