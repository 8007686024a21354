"""CreateParams: one validated, frozen description of a create request.

Built once by ``validation.create_params`` and passed through the flows, the
request builder (``_gen.create_request``), create recovery's matching rule and
the journal's fingerprint, so no code spells the create arguments out as a
string-keyed dict.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from .._types import Criterion

__all__ = ["CreateParams"]

FINGERPRINT_VERSION = 1


@dataclass(frozen=True, slots=True)
class CreateParams:
    """The arguments of one create, already validated (see ``_core/validation.py``).

    Sequences are tuples so the value is hashable and cannot change after
    validation. ``None`` keeps "not given" apart from an empty list.
    """

    query: str
    desired_num_results: int = 100
    criteria: tuple[Criterion, ...] | None = None
    exclude_domains: tuple[str, ...] | None = None
    exclude_task_ids: tuple[str, ...] | None = None
    data_sources: tuple[str, ...] | None = None

    def canonical(self) -> dict[str, Any]:
        """A JSON-ready dict of every parameter, in a stable form (for fingerprints)."""
        return {
            "v": FINGERPRINT_VERSION,
            "query": self.query,
            "desired_num_results": self.desired_num_results,
            "criteria": None
            if self.criteria is None
            else [[c.key, c.name, c.criterion] for c in self.criteria],
            "exclude_domains": None
            if self.exclude_domains is None
            else sorted(set(self.exclude_domains)),
            "exclude_task_ids": None
            if self.exclude_task_ids is None
            else sorted(set(self.exclude_task_ids)),
            "data_sources": None if self.data_sources is None else sorted(set(self.data_sources)),
        }

    def fingerprint(self) -> str:
        """A stable sha256 hex digest of :meth:`canonical`, equal across processes and runs."""
        text = json.dumps(
            self.canonical(), sort_keys=True, ensure_ascii=True, separators=(",", ":")
        )
        return hashlib.sha256(text.encode("ascii")).hexdigest()
