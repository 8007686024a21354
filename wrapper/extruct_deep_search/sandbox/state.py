"""The sandbox's pure in-memory state machine: organizations, tokens, tasks.

No I/O: time comes from the injected ``now`` clock (epoch seconds) and all
randomness from ``random.Random`` seeded with the sandbox seed, the query and
the criteria, so a seed reproduces every task exactly. The ASGI app in
``app.py`` is a thin HTTP layer over :class:`SandboxState`.

Lifecycle (the table is ``lifecycle.py``; every status change fires one of its events)
    ``created`` -> ``in_progress`` (after ``START_DELAY`` simulated seconds) ->
    ``done``, or ``failed`` when the query contains the word ``FAIL_TASK``
    (the task fails after evaluating ``FAIL_AFTER`` candidates; its partial
    results stay readable; resuming it returns 400).

Progress
    Simulated time is ``(now - last) * speed``; candidates are evaluated at
    ``EVAL_RATE`` per simulated second, one at a time, in pool order.
    Enrichment runs ``ENRICH_LEAD`` candidates ahead of evaluation and discovery
    ``DISCOVER_LEAD`` pool entries ahead of enrichment, so the counters satisfy
    discovered >= enriched >= evaluated >= num_results and never decrease.
    About 20% of discovered candidates fail the pre-filter and are never
    enriched. ``num_results`` counts evaluated high-fit candidates (at least 75%
    of criteria graded 4-5; a grade is null about 4% of the time); results are
    exactly those, ordered by relevance descending then result id, so a later
    high-relevance result lands above earlier ones while the task runs.
    ``relevance = round(100 * mean((grade - 1) / 4))`` over non-null grades.
    At speed 1.0 a 50-result task is done in about 2-4 seconds.

Matching (``matching.py``, keyword overlap, no ML)
    Each criterion (and the query) is parsed into concepts: industries through
    each industry's vocabulary in ``corpus.py``, customer segment (SMB /
    mid-market / enterprise), business model (SaaS, B2B, hardware, ...),
    geography, AI, startup stage, public evidence, activity; negated words
    ("not hospitals") count against a company. A company's fit to a criterion
    (0..1) combines the concepts; its grade is ``round(1 + 4 * fit + noise)``
    clamped to 1..5 (seeded noise), and its explanation cites the evidence or
    its absence consistently with the grade (4-5 positive, 3 "Partially: ...",
    1-2 "No evidence ..."), with sources on the company's site, LinkedIn and
    maps. Discovery interleaves companies ranked by fit to the query and the
    criteria with a shuffled stream of others, so top results are on topic and
    lower ones may come from adjacent industries. In a ``broad`` query topic
    fit is lenient (adjacent industries qualify).

Candidate pools (per query, deterministic from seed + query)
    - a word ``pool:N`` in the query: exactly N candidates (N <= 3000);
    - the word ``niche``: 30-60 candidates, typically 8-25 results, so the task
      becomes exhausted early (``is_exhausted`` true, then ``done``);
    - the word ``broad``: a large pool with at least 280 high-fit candidates,
      so 250 results are always reachable;
    - otherwise one query in four (by hash) gets a medium pool of 150-250
      candidates (around 50-100 results), the rest a large pool.
    Excluded domains are removed from the pool before discovery.

Exhaustion, completion, resume
    ``is_exhausted`` is true once every pool candidate has been discovered; it
    can be true while evaluation continues (status ``in_progress``). A task is
    ``done`` when ``num_results`` reaches ``desired_num_results`` or when it is
    exhausted and every enriched candidate is evaluated. Resume adds
    ``desired_new_results`` to the target, capped at 250, and puts a ``done``
    task back to ``in_progress`` if the target rose; it returns 400 when the
    task is exhausted (or failed).
"""

from __future__ import annotations

import hashlib
import random
import re
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .._core.domains import normalize_domains, registered_domain
from .corpus import Company, build_corpus
from .lifecycle import Event, Lifecycle, Status
from .matching import Spec, explain, parse, sources

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
START_DELAY = 0.15
EVAL_RATE = 50.0
ENRICH_LEAD = 8
DISCOVER_LEAD = 4
FAIL_AFTER = 5
FAIL_WORD = "FAIL_TASK"
_LARGE_HIGH_FIT = 280
MAX_POOL = 3000
_RANK_NOISE = 0.08
_RANKED_SHARE = 0.6
_GRADE_NOISE = 0.5
_NULL_GRADE_RATE = 0.04
_SCORE_CACHE_SIZE = 32  # distinct (query, criteria) scorings kept, about 0.5 MB each
_PASS_RATE = 0.8
_TABLE_ID = re.compile(r"^tbl_[A-Za-z0-9_-]{1,64}$")

#: token -> (organization id, user id). Org A has two tokens, org B one.
DEFAULT_TOKENS: dict[str, tuple[str, str]] = {
    "sbx_org_a_token_1": ("org_a", "user_a1"),
    "sbx_org_a_token_2": ("org_a", "user_a2"),
    "sbx_org_b_token_1": ("org_b", "user_b1"),
}

Criterion = tuple[str, str, str]
"""A criterion as (key, name, criterion text)."""


class ApiError(Exception):
    """An HTTP error the app turns into ``{"detail": detail}`` with ``status``."""

    def __init__(self, status: int, detail: str | list[dict[str, Any]]) -> None:
        super().__init__(status, detail)
        self.status = status
        self.detail = detail


@dataclass(frozen=True)
class CreateInput:
    """A validated create-task body."""

    query: str
    desired_num_results: int = 100
    auto_data_sources: bool = True
    data_sources: list[str] | None = None
    criteria: list[Criterion] | None = None
    exclude_domains: list[str] | None = None
    exclude_task_ids: list[str] | None = None
    table_id: str | None = None


@dataclass(frozen=True)
class _Candidate:
    company: Company
    passes: bool
    grades: tuple[int | None, ...]
    relevance: int | None
    high_fit: bool
    source: str


@dataclass
class _Task:
    id: str
    org: str
    seq: int
    created_at: float
    input: CreateInput
    criteria: list[Criterion]
    exclude_domains: list[str]
    pool: list[_Candidate]
    passing: list[int]
    last: float
    desired: int
    lifecycle: Lifecycle = field(default_factory=Lifecycle)
    waited: float = 0.0
    work: float = 0.0
    evaluated: int = 0
    results: list[dict[str, Any]] = field(default_factory=list)

    @property
    def status(self) -> Status:
        """The current status (changed only through ``lifecycle``)."""
        return self.lifecycle.status


_STOP = frozenset(
    {"a", "an", "and", "are", "as", "at", "by", "companies", "company", "for", "from", "in"}
    | {"into", "is", "of", "on", "or", "that", "the", "their", "to", "which", "who", "with"}
    | {"niche", "broad"}
)


def infer_criteria(query: str) -> list[Criterion]:
    """Infer evaluation criteria from a query, deterministically."""
    words = [w for w in re.findall(r"[A-Za-z][A-Za-z0-9]+", query) if w.lower() not in _STOP]
    topic = " ".join(words[:6]) or "the search query"
    text = " ".join(query.split())
    return [
        ("query_fit", "Query fit", f"The company matches this search: {text}"[:500]),
        ("core_offering", "Core offering", f"The company's main offering is about {topic}."[:500]),
        (
            "public_evidence",
            "Public evidence",
            "Public sources (website, LinkedIn, maps listings) support the match.",
        ),
        (
            "active_company",
            "Active company",
            "The company is operating today, with a live website and recent public activity.",
        ),
    ]


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _hex_id(*parts: object) -> str:
    digest = hashlib.sha256(":".join(map(str, parts)).encode()).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


def _page(items: Sequence[Any], offset: int | None, limit: int | None) -> list[Any]:
    start = max(offset or 0, 0)
    if limit is None:
        return list(items[start:])
    return list(items[start : start + max(limit, 0)])


class SandboxState:
    """All sandbox data and rules; every method is thread-safe and does no I/O.

    Args:
        seed: seeds the corpus, candidate pools, grades and ids.
        speed: multiplies the rate of simulated progress (2.0 = twice as fast).
        now: clock returning epoch seconds; inject a fake one in tests.
        tokens: token -> (organization id, user id); defaults to DEFAULT_TOKENS.
    """

    def __init__(
        self,
        seed: int = 0,
        speed: float = 1.0,
        now: Callable[[], float] = time.time,
        tokens: dict[str, tuple[str, str]] | None = None,
    ) -> None:
        import threading

        if speed <= 0:
            raise ValueError("speed must be positive")
        self.seed = seed
        self.speed = speed
        self.now = now
        self.tokens = dict(DEFAULT_TOKENS if tokens is None else tokens)
        self.corpus = build_corpus(seed)
        self._lock = threading.RLock()
        self._tasks: dict[str, _Task] = {}
        self._seq = 0
        self._created: dict[str, int] = {}
        self._tables: dict[str, tuple[str, list[dict[str, Any]]]] = {}
        self._score_cache: dict[
            tuple[object, ...], tuple[dict[int, list[float]], dict[int, float]]
        ] = {}

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
            domains, invalid = normalize_domains(body.exclude_domains or [])
            if invalid:  # the app validates first; this guards direct callers
                raise ApiError(422, [_exclusion_error(f"not a domain: {invalid[0]!r}")])
            excluded = set(domains)
            for task_id in body.exclude_task_ids or []:
                other = self._tasks.get(task_id)
                if other is None:
                    raise ApiError(404, f"exclude_task_ids: task {task_id} not found")
                if other.org != org:
                    raise ApiError(403, f"exclude_task_ids: task {task_id} is not yours")
                self._advance(other)
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
                        _exclusion_error(
                            f"the resolved exclusion set has {len(excluded)} domains; "
                            f"the cap is {MAX_EXCLUDED_DOMAINS}"
                        )
                    ],
                )
            self._seq += 1
            now = self.now()
            criteria = list(body.criteria) if body.criteria else infer_criteria(body.query)
            pool = self._build_pool(body, criteria, excluded)
            task = _Task(
                id=_hex_id(self.seed, "task", self._seq),
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
            return self._task_json(task)

    def get_task(self, org: str, task_id: str) -> dict[str, Any]:
        """Return a task of the organization (404 otherwise)."""
        with self._lock:
            return self._task_json(self._owned(org, task_id))

    def get_results(
        self, org: str, task_id: str, offset: int | None = None, limit: int | None = None
    ) -> dict[str, Any]:
        """Return the task plus one page of its results, by relevance descending."""
        with self._lock:
            task = self._owned(org, task_id)
            out = self._task_json(task)
            out["results"] = _page(task.results, offset, limit)
            return out

    def resume_task(self, org: str, task_id: str, desired_new_results: int = 25) -> dict[str, Any]:
        """Raise the task's target by ``desired_new_results`` (cap 250); 400 if exhausted."""
        with self._lock:
            task = self._owned(org, task_id)
            if self._exhausted(task):
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
            return self._task_json(task)

    def list_tasks(
        self, org: str, offset: int | None = None, limit: int | None = None
    ) -> list[dict[str, Any]]:
        """Return the organization's tasks, newest first, paged."""
        with self._lock:
            tasks = sorted((t for t in self._tasks.values() if t.org == org), key=lambda t: -t.seq)
            return [self._task_json(t) for t in _page(tasks, offset, limit)]

    # -- tables -----------------------------------------------------------

    def create_table(self, org: str) -> str:
        """Create an empty AI Table for the organization; return its id."""
        with self._lock:
            self._seq += 1
            table_id = "tbl_" + _hex_id(self.seed, "table", self._seq).replace("-", "")[:20]
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
            now = _iso(self.now())
            created = []
            for data in rows:
                row = {
                    "id": _hex_id(self.seed, table_id, len(stored)),
                    "created_at": now,
                    "data": dict(data),
                }
                stored.append(row)
                created.append(row)
            return created

    # -- internals --------------------------------------------------------

    def _owned(self, org: str, task_id: str) -> _Task:
        task = self._tasks.get(task_id)
        if task is None or task.org != org:
            raise ApiError(404, "Task not found")
        self._advance(task)
        return task

    def _scores(
        self, query_spec: Spec, specs: list[Spec]
    ) -> tuple[dict[int, list[float]], dict[int, float]]:
        """Each company's fit per criterion, and its affinity to the task.

        Pure functions of the parsed texts, so they are cached across tasks: texts
        that parse alike ("fintech vendors 1", "fintech vendors 2") are scored once.
        """
        key = (query_spec.signature, tuple(spec.signature for spec in specs))
        cached = self._score_cache.get(key)
        if cached is not None:
            return cached
        memo: dict[tuple[object, ...], float] = {}
        fits = {c.index: [spec.fit(c, memo) for spec in specs] for c in self.corpus}
        # Discovery finds on-topic companies first, mixed with a stream of others.
        affinity = {
            c.index: 0.5 * query_spec.fit(c, memo) + 0.5 * sum(fits[c.index]) / len(specs)
            for c in self.corpus
        }
        if len(self._score_cache) >= _SCORE_CACHE_SIZE:
            self._score_cache.pop(next(iter(self._score_cache)))  # the oldest
        self._score_cache[key] = (fits, affinity)
        return fits, affinity

    def _build_pool(
        self, body: CreateInput, criteria: list[Criterion], excluded: set[str]
    ) -> list[_Candidate]:
        query = body.query
        keys = ",".join(c[0] for c in criteria)
        rng = random.Random(f"{self.seed}:{query}:{keys}")
        digest = int(hashlib.sha256(f"{self.seed}:{query}".encode()).hexdigest(), 16)
        words = query.lower().split()
        broad = "broad" in words
        size: int | None
        match = re.search(r"(?:^|\s)pool:(\d+)(?:\s|$)", query)
        if match:
            size = min(int(match.group(1)), MAX_POOL)
        elif "niche" in words:
            size = 30 + digest % 31
        elif not broad and digest % 4 == 0:
            size = 150 + digest % 101
        else:
            size = None  # large: until enough high-fit candidates
        if body.auto_data_sources or not body.data_sources:
            sources = ["web_search", "linkedin", "maps"]
        else:
            sources = list(dict.fromkeys(body.data_sources))
        specs = [parse(text, name, broad) for _key, name, text in criteria]
        query_spec = parse(query, "", broad)
        fits, affinity = self._scores(query_spec, specs)
        companies = [c for c in self.corpus if c.domain not in excluded]
        ranked = sorted(companies, key=lambda c: -affinity[c.index] - rng.gauss(0, _RANK_NOISE))
        rest = list(companies)
        rng.shuffle(rest)
        order = _interleave(ranked, rest, rng)
        pool: list[_Candidate] = []
        high_fit = 0
        for company in order:
            if size is not None and len(pool) >= size:
                break
            if size is None and high_fit >= _LARGE_HIGH_FIT:
                break
            grades = tuple(
                None
                if rng.random() < _NULL_GRADE_RATE
                else min(5, max(1, round(1 + 4 * fit + rng.gauss(0, _GRADE_NOISE))))
                for fit in fits[company.index]
            )
            passes = rng.random() < _PASS_RATE
            good = sum(1 for g in grades if g is not None and g >= 4)
            known = [g for g in grades if g is not None]
            relevance = round(100 * sum((g - 1) / 4 for g in known) / len(known)) if known else None
            is_high = good >= 0.75 * len(grades)
            high_fit += passes and is_high
            pool.append(
                _Candidate(company, passes, grades, relevance, is_high, rng.choice(sources))
            )
        return pool

    def _enriched(self, task: _Task) -> int:
        if task.status == Status.CREATED:
            return 0
        return min(len(task.passing), task.evaluated + ENRICH_LEAD)

    def _discovered(self, task: _Task) -> int:
        enriched = self._enriched(task)
        if task.status == Status.CREATED:
            return 0
        if enriched >= len(task.passing):
            return len(task.pool)
        return min(len(task.pool), task.passing[enriched - 1] + 1 + DISCOVER_LEAD)

    def _exhausted(self, task: _Task) -> bool:
        return task.status != Status.CREATED and self._discovered(task) >= len(task.pool)

    def _advance(self, task: _Task) -> None:
        now = self.now()
        elapsed = max(0.0, now - task.last) * self.speed
        task.last = max(task.last, now)
        if task.status == Status.CREATED:
            task.waited += elapsed
            if task.waited < START_DELAY:
                return
            task.lifecycle.fire(Event.START)
            elapsed = task.waited - START_DELAY
        if task.status != Status.IN_PROGRESS:
            return
        task.work += elapsed * EVAL_RATE
        while not self._settle(task) and task.work >= 1:
            task.work -= 1
            self._evaluate_next(task)
        if task.status != Status.IN_PROGRESS:
            task.work = 0.0

    def _settle(self, task: _Task) -> bool:
        """Apply end conditions; return True when the task stopped running."""
        if FAIL_WORD in task.input.query.split() and task.evaluated >= FAIL_AFTER:
            task.lifecycle.fire(Event.FAIL)
        elif len(task.results) >= task.desired or task.evaluated >= len(task.passing):
            task.lifecycle.fire(Event.FINISH)
        return task.status != Status.IN_PROGRESS

    def _evaluate_next(self, task: _Task) -> None:
        candidate = task.pool[task.passing[task.evaluated]]
        task.evaluated += 1
        if candidate.high_fit:
            task.results.append(self._result_json(task, candidate))
            task.results.sort(key=lambda r: (-(r["relevance"] or 0), r["id"]))

    def _result_json(self, task: _Task, cand: _Candidate) -> dict[str, Any]:
        company = cand.company
        scores: dict[str, Any] = {}
        broad = "broad" in task.input.query.lower().split()
        for (key, name, text), grade in zip(task.criteria, cand.grades, strict=True):
            rng = random.Random(f"{self.seed}:{company.domain}:{key}")
            scores[key] = _score(parse(text, name, broad), company, grade, cand.source, rng)
        return {
            "id": _hex_id(task.id, company.domain),
            "task_id": task.id,
            "created_at": _iso(self.now()),
            "company_name": company.name,
            "company_description": company.description,
            "company_website": company.website,
            "company_profile_id": company.profile_id,
            "source": cand.source,
            "relevance": cand.relevance,
            "scores": scores,
            "founding_year": company.founding_year,
            "employee_count": company.size,
            "hq_country": company.hq_country,
            "hq_state_province": company.hq_state_province,
            "hq_city": company.hq_city,
            "company_full_description": company.full_description,
        }

    def _task_json(self, task: _Task) -> dict[str, Any]:
        body = task.input
        return {
            "id": task.id,
            "created_at": _iso(task.created_at),
            "status": task.status.value,
            "query": body.query,
            "desired_num_results": task.desired,
            "is_exhausted": self._exhausted(task),
            "num_results_discovered": self._discovered(task),
            "num_results_enriched": self._enriched(task),
            "num_results_evaluated": task.evaluated,
            "num_results": len(task.results),
            "table_id": body.table_id,
            "auto_data_sources": body.auto_data_sources,
            "data_sources": None if body.data_sources is None else list(body.data_sources),
            "criteria": [{"key": k, "name": n, "criterion": c} for k, n, c in task.criteria],
            "exclude_domains": list(task.exclude_domains),
        }


def _exclusion_error(msg: str) -> dict[str, Any]:
    return {"loc": ["body", "exclude_domains"], "msg": f"Value error, {msg}", "type": "value_error"}


def _interleave(ranked: list[Company], rest: list[Company], rng: random.Random) -> list[Company]:
    """Merge the ranked and shuffled streams (``_RANKED_SHARE`` from the ranked one)."""
    seen: set[int] = set()
    out: list[Company] = []
    i = j = 0
    while i < len(ranked) or j < len(rest):
        if j >= len(rest) or (i < len(ranked) and rng.random() < _RANKED_SHARE):
            company = ranked[i]
            i += 1
        else:
            company = rest[j]
            j += 1
        if company.index not in seen:
            seen.add(company.index)
            out.append(company)
    return out


def _score(
    spec: Spec, company: Company, grade: int | None, source: str, rng: random.Random
) -> dict[str, Any]:
    if grade is None:
        return {
            "grade": None,
            "explanation": "Evaluation failed: no usable evidence.",
            "sources": None,
        }
    explanation, kind = explain(spec, company, grade, rng)
    return {
        "grade": grade,
        "explanation": explanation[:1000],
        "sources": sources(company, kind, source, rng),
    }
