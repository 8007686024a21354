"""Fault injection rules for the sandbox (off by default), counted.

A rule says "the next N requests to endpoint E get fault K" (``count``) or
"each request to E gets fault K with probability p" (``rate``, drawn from a
RNG seeded by the sandbox). Rules are checked in the order they were added;
the first that fires wins. Text form (CLI, ``Sandbox(faults=[...])``)::

    ENDPOINT:KIND[=PARAM][*COUNT | @RATE]     e.g. create:500*1  get:503@0.2
                                                   results:slow=2.5*3  get:429=7

COUNT defaults to 1. PARAM is the delay in seconds for ``slow`` and the
Retry-After value for ``429``.

Endpoints: create, get, results, resume, list, table_rows, or ``*`` for all.

Kinds, and whether the server *acted* (created the task / raised the target)
before failing, which matters for create and resume. An acting kind reads the
whole request first and acts exactly once (one create, one task); a
non-acting kind never reaches the API:

=================== =========================================== =========
kind                response                                    acted
=================== =========================================== =========
429                 429 with ``Retry-After: PARAM`` (default 1) no
429_no_retry_after  429 without Retry-After                     no
503                 503                                         no
drop                connection closed without a response        no
500                 500                                         yes
502                 502                                         yes
drop_after          connection closed after acting, no response yes
slow                acts at once, then holds the normal answer  yes
                    PARAM seconds (default 1): a client that
                    times out meanwhile leaves the effect behind
truncated           200 with the real JSON body cut in half     yes
non_json            200 with an HTML body                       yes
=================== =========================================== =========
"""

from __future__ import annotations

import random
import re
import threading
from dataclasses import dataclass
from typing import Any

__all__ = ["ACTED", "ENDPOINTS", "KINDS", "RESPONSES", "FaultPlan", "FaultRule"]

ENDPOINTS = ("create", "get", "results", "resume", "list", "table_rows")
KINDS = (
    "429",
    "429_no_retry_after",
    "500",
    "502",
    "503",
    "drop",
    "drop_after",
    "slow",
    "truncated",
    "non_json",
)
#: Kinds for which the server performs the request's effect before failing.
ACTED = frozenset({"500", "502", "drop_after", "slow", "truncated", "non_json"})
#: What the client receives, per kind (the CLI's help prints these).
RESPONSES = {
    "429": "429 with Retry-After: PARAM (default 1)",
    "429_no_retry_after": "429 without Retry-After (quota)",
    "500": "500",
    "502": "502",
    "503": "503",
    "drop": "connection closed, no response",
    "drop_after": "connection closed after acting, no response",
    "slow": "the normal answer, PARAM seconds late (default 1)",
    "truncated": "200 with the real JSON body cut in half",
    "non_json": "200 with an HTML body",
}

_TEXT = re.compile(
    r"^(?P<endpoint>[a-z_*]+):(?P<kind>[a-z0-9_]+)(?:=(?P<param>[0-9.]+))?"
    r"(?:\*(?P<count>\d+)|@(?P<rate>[0-9.]+))?$"
)


@dataclass
class FaultRule:
    """One fault rule; exactly one of ``count`` and ``rate`` is set.

    Args:
        endpoint: one of ENDPOINTS, or "*".
        kind: one of KINDS.
        count: how many of the next matching requests get the fault.
        rate: probability in [0, 1] that a matching request gets the fault.
        param: delay seconds for "slow", Retry-After seconds for "429".
    """

    endpoint: str
    kind: str
    count: int | None = None
    rate: float | None = None
    param: float | None = None

    def __post_init__(self) -> None:
        if self.endpoint != "*" and self.endpoint not in ENDPOINTS:
            raise ValueError(f"unknown endpoint {self.endpoint!r}; use one of {ENDPOINTS} or '*'")
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; use one of {KINDS}")
        if self.count is None and self.rate is None:
            self.count = 1
        if self.count is not None and self.rate is not None:
            raise ValueError("set count or rate, not both")
        if self.rate is not None and not 0 <= self.rate <= 1:
            raise ValueError("rate must be within [0, 1]")
        if self.count is not None and self.count < 0:
            raise ValueError("count must be >= 0")

    @classmethod
    def parse(cls, text: str) -> FaultRule:
        """Parse ``ENDPOINT:KIND[=PARAM][*COUNT|@RATE]``."""
        match = _TEXT.match(text.strip())
        if not match:
            raise ValueError(f"bad fault spec {text!r}; expected ENDPOINT:KIND[=PARAM][*N|@P]")
        g = match.groupdict()
        return cls(
            endpoint=g["endpoint"],
            kind=g["kind"],
            count=int(g["count"]) if g["count"] else None,
            rate=float(g["rate"]) if g["rate"] else None,
            param=float(g["param"]) if g["param"] else None,
        )

    @classmethod
    def from_json(cls, data: object) -> FaultRule:
        """Build a rule from a control-endpoint JSON object (same field names)."""
        allowed = {"endpoint", "kind", "count", "rate", "param"}
        if not isinstance(data, dict) or set(data) - allowed:
            raise ValueError(f"a fault rule is an object with keys {sorted(allowed)}")
        return cls(**data)

    def to_json(self) -> dict[str, Any]:
        """Return the rule as a JSON-ready dict."""
        return {
            "endpoint": self.endpoint,
            "kind": self.kind,
            "count": self.count,
            "rate": self.rate,
            "param": self.param,
        }


class FaultPlan:
    """Thread-safe list of active fault rules plus counters of injected faults."""

    def __init__(self, rules: list[FaultRule | str] | None = None, seed: int = 0) -> None:
        self._lock = threading.Lock()
        self._rng = random.Random(f"faults:{seed}")
        self._rules: list[FaultRule] = []
        self._counts: dict[tuple[str, str], int] = {}
        for rule in rules or []:
            self.add(rule)

    def add(self, rule: FaultRule | str) -> FaultRule:
        """Add a rule (a FaultRule or its text form); return it."""
        parsed = FaultRule.parse(rule) if isinstance(rule, str) else rule
        with self._lock:
            self._rules.append(parsed)
        return parsed

    def clear(self) -> None:
        """Remove every rule and reset the counters."""
        with self._lock:
            self._rules.clear()
            self._counts.clear()

    def rules(self) -> list[FaultRule]:
        """Return the active rules (spent count rules are dropped)."""
        with self._lock:
            return list(self._rules)

    def counts(self) -> dict[tuple[str, str], int]:
        """Return how many faults were injected, per (endpoint, kind)."""
        with self._lock:
            return dict(self._counts)

    def draw(self, endpoint: str) -> FaultRule | None:
        """Decide the fault for one request to ``endpoint`` and count it."""
        with self._lock:
            for rule in self._rules:
                if rule.endpoint not in ("*", endpoint):
                    continue
                if rule.count is not None:
                    if rule.count <= 0:
                        continue
                    rule.count -= 1
                    if rule.count == 0:
                        self._rules.remove(rule)
                elif self._rng.random() >= (rule.rate or 0.0):
                    continue
                key = (endpoint, rule.kind)
                self._counts[key] = self._counts.get(key, 0) + 1
                return rule
            return None
