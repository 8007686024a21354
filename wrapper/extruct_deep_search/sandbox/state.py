"""The sandbox's in-memory store: organizations, tokens, tasks and tables.

No I/O: time comes from the injected ``now`` clock (epoch seconds). The ASGI app
in ``app.py`` is a thin HTTP layer over :class:`SandboxState`; the rules live in
one module each:

- ``lifecycle.py``: statuses and the transition table (every status change);
- ``simulation.py``: candidate pools, grades, progress, completion;
- ``responses.py``: the JSON of tasks and results;
- this module: who owns what, exclusions at create time, resume, listing, tables.

Resume adds ``desired_new_results`` to the target, capped at 250, and reopens a
``done`` task if the target rose; it returns 400 when the task is exhausted or
failed. Exclusions (``exclude_domains`` plus the results of
``exclude_task_ids``) are resolved to registered domains once, at create time,
capped at 1000, and frozen on the task.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from typing import Any

from .corpus import Company
from .domains import normalize_domains, registered_domain
from .lifecycle import Event, Status
from .models import ApiError, CreateInput, Criterion, Task
from .responses import exclusion_error, hex_id, iso, page, task_json
from .simulation import (
    DISCOVER_LEAD,
    ENRICH_LEAD,
    EVAL_RATE,
    FAIL_AFTER,
    START_DELAY,
    Simulator,
    infer_criteria,
)

__all__ = [
    "DEFAULT_TOKENS",
    "DISCOVER_LEAD",
    "ENRICH_LEAD",
    "EVAL_RATE",
    "FAIL_AFTER",
    "MAX_EXCLUDED_DOMAINS",
    "MAX_RESULTS",
    "START_DELAY",
    "ApiError",
    "CreateInput",
    "Criterion",
    "SandboxState",
    "infer_criteria",
]

MAX_RESULTS = 250
MAX_EXCLUDED_DOMAINS = 1000
_TABLE_ID = re.compile(r"^tbl_[A-Za-z0-9_-]{1,64}$")

#: token -> (organization id, user id). Org A has two tokens, org B one.
DEFAULT_TOKENS: dict[str, tuple[str, str]] = {
    "sbx_org_a_token_1": ("org_a", "user_a1"),
    "sbx_org_a_token_2": ("org_a", "user_a2"),
    "sbx_org_b_token_1": ("org_b", "user_b1"),
}


class SandboxState:
    """All sandbox data; every method is thread-safe and does no I/O.

    Args:
        seed: seeds the corpus, candidate pools, grades and ids.
        speed: multiplies the rate of simulated progress (2.0 = twice as fast).
        now: clock returning epoch seconds; inject a fake one in tests.
        tokens: token -> (organization id, user id); defaults to DEFAULT_TOKENS.
        clock_offset: seconds added to ``now``: a server clock that is off, seen
            in every ``created_at`` (and, through the app, the Date header).
        results: ``"high_fit"`` (default) or ``"evaluated"``: see ``simulation.RESULTS``.
    """

    def __init__(
        self,
        seed: int = 0,
        speed: float = 1.0,
        now: Callable[[], float] = time.time,
        tokens: dict[str, tuple[str, str]] | None = None,
        clock_offset: float = 0.0,
        results: str = "high_fit",
    ) -> None:
        self.simulator = Simulator(seed, speed, results)
        self.seed = seed
        self.speed = speed
        self.clock_offset = clock_offset
        self.now: Callable[[], float] = (lambda: now() + clock_offset) if clock_offset else now
        self.tokens = dict(DEFAULT_TOKENS if tokens is None else tokens)
        self._lock = threading.RLock()
        self._tasks: dict[str, Task] = {}
        self._seq = 0
        self._created: dict[str, int] = {}
        self._tables: dict[str, tuple[str, list[dict[str, Any]]]] = {}

    @property
    def corpus(self) -> tuple[Company, ...]:
        """The companies every task draws its candidates from."""
        return self.simulator.corpus

    # -- auth -------------------------------------------------------------

    def authenticate(self, token: str | None) -> tuple[str, str] | None:
        """Return (organization id, user id) for a token, or None."""
        return None if token is None else self.tokens.get(token)

    def tasks_created(self, org: str | None = None) -> int:
        """Count tasks created in one organization, or in all of them."""
        with self._lock:
            if org is None:
                return sum(self._created.values())
            return self._created.get(org, 0)

    # -- tasks ------------------------------------------------------------

    def create_task(self, org: str, body: CreateInput) -> dict[str, Any]:
        """Create a task, resolving and freezing its exclusions; return it."""
        with self._lock:
            excluded = self._exclusions(org, body)
            self._seq += 1
            now = self.now()
            criteria = list(body.criteria) if body.criteria else infer_criteria(body.query)
            pool = self.simulator.build_pool(body, criteria, excluded)
            task = Task(
                id=hex_id(self.seed, "task", self._seq),
                org=org,
                seq=self._seq,
                created_at=now,
                input=body,
                criteria=criteria,
                exclude_domains=sorted(excluded),
                pool=pool,
                passing=[i for i, c in enumerate(pool) if c.passes],
                last=now,
                desired=body.desired_num_results,
            )
            if body.table_id is not None and body.table_id not in self._tables:
                self._tables[body.table_id] = (org, [])
            self._tasks[task.id] = task
            self._created[org] = self._created.get(org, 0) + 1
            return self._json(task)

    def get_task(self, org: str, task_id: str) -> dict[str, Any]:
        """Return a task of the organization (404 otherwise)."""
        with self._lock:
            return self._json(self._owned(org, task_id))

    def get_results(
        self, org: str, task_id: str, offset: int | None = None, limit: int | None = None
    ) -> dict[str, Any]:
        """Return the task plus one page of its results, by relevance descending."""
        with self._lock:
            task = self._owned(org, task_id)
            out = self._json(task)
            out["results"] = page(task.results, offset, limit)
            return out

    def resume_task(self, org: str, task_id: str, desired_new_results: int = 25) -> dict[str, Any]:
        """Raise the task's target by ``desired_new_results`` (cap 250); 400 if exhausted."""
        with self._lock:
            task = self._owned(org, task_id)
            if self.simulator.progress(task).is_exhausted:
                raise ApiError(400, "Task is exhausted: no more candidates to return")
            if task.status == Status.FAILED:
                raise ApiError(400, "Task failed; create a new task")
            target = min(MAX_RESULTS, task.desired + desired_new_results)
            if target > task.desired:
                task.desired = target
                if task.status == Status.DONE:
                    task.lifecycle.fire(Event.REOPEN)
                    task.last = self.now()
                    task.work = 0.0
            return self._json(task)

    def list_tasks(
        self, org: str, offset: int | None = None, limit: int | None = None
    ) -> list[dict[str, Any]]:
        """Return the organization's tasks, newest first, paged.

        Newest by ``created_at``, then by creation order when two stamps are equal
        (or the clock stepped back); each task exactly as ``get_task`` returns it.
        """
        with self._lock:
            mine = [t for t in self._tasks.values() if t.org == org]
            mine.sort(key=lambda t: (t.created_at, t.seq), reverse=True)
            now = self.now()
            out = []
            for task in page(mine, offset, limit):
                self.simulator.advance(task, now)
                out.append(self._json(task))
            return out

    # -- tables -----------------------------------------------------------

    def create_table(self, org: str) -> str:
        """Create an empty AI Table for the organization; return its id."""
        with self._lock:
            self._seq += 1
            table_id = "tbl_" + hex_id(self.seed, "table", self._seq).replace("-", "")[:20]
            self._tables[table_id] = (org, [])
            return table_id

    def add_table_rows(
        self, org: str, table_id: str, rows: list[dict[str, str]]
    ) -> list[dict[str, Any]]:
        """Append rows to a table; return the created rows.

        A table exists if it was created with :meth:`create_table`, linked by a
        task's ``table.id``, or its id matches ``tbl_[A-Za-z0-9_-]{1,64}``
        (created on first use). Another organization's table is 404.
        """
        with self._lock:
            entry = self._tables.get(table_id)
            if entry is None and _TABLE_ID.match(table_id):
                entry = self._tables[table_id] = (org, [])
            if entry is None or entry[0] != org:
                raise ApiError(404, f"Table {table_id} not found")
            stored = entry[1]
            now = iso(self.now())
            created = []
            for data in rows:
                row = {
                    "id": hex_id(self.seed, table_id, len(stored)),
                    "created_at": now,
                    "data": dict(data),
                }
                stored.append(row)
                created.append(row)
            return created

    # -- internals --------------------------------------------------------

    def _exclusions(self, org: str, body: CreateInput) -> set[str]:
        """Resolve ``exclude_domains`` and ``exclude_task_ids`` to registered domains."""
        domains, invalid = normalize_domains(body.exclude_domains or [])
        if invalid:  # the app validates first; this guards direct callers
            raise ApiError(422, [exclusion_error(f"not a domain: {invalid[0]!r}")])
        excluded = set(domains)
        for task_id in body.exclude_task_ids or []:
            other = self._tasks.get(task_id)
            if other is None:
                raise ApiError(404, f"exclude_task_ids: task {task_id} not found")
            if other.org != org:
                raise ApiError(403, f"exclude_task_ids: task {task_id} is not yours")
            self.simulator.advance(other, self.now())
            if other.status != Status.DONE:
                raise ApiError(
                    400, f"exclude_task_ids: task {task_id} is {other.status.value}, not done"
                )
            for row in other.results:
                domain = registered_domain(row["company_website"])
                if domain is not None:
                    excluded.add(domain)
        if len(excluded) > MAX_EXCLUDED_DOMAINS:
            raise ApiError(
                422,
                [
                    exclusion_error(
                        f"the resolved exclusion set has {len(excluded)} domains; "
                        f"the cap is {MAX_EXCLUDED_DOMAINS}"
                    )
                ],
            )
        return excluded

    def _owned(self, org: str, task_id: str) -> Task:
        task = self._tasks.get(task_id)
        if task is None or task.org != org:
            raise ApiError(404, "Task not found")
        self.simulator.advance(task, self.now())
        return task

    def _json(self, task: Task) -> dict[str, Any]:
        return task_json(task, self.simulator.progress(task))
