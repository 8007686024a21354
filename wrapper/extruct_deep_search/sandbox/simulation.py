"""Candidate pools and simulated progress: who is found, graded, and when.

No I/O: time comes in as ``now`` (epoch seconds) and all randomness from
``random.Random`` seeded with the sandbox seed, the query and the criteria, so a
seed reproduces every task exactly.

Progress
    Simulated time is ``(now - last) * speed``; after ``START_DELAY`` simulated
    seconds the task starts, then candidates are evaluated at ``EVAL_RATE`` per
    simulated second, one at a time, in pool order. Enrichment runs
    ``ENRICH_LEAD`` candidates ahead of evaluation and discovery
    ``DISCOVER_LEAD`` pool entries ahead of enrichment, so the counters satisfy
    discovered >= enriched >= evaluated >= num_results and never decrease.
    About 20% of discovered candidates fail the pre-filter and are never
    enriched. ``num_results`` counts evaluated high-fit candidates (at least 75%
    of criteria graded 4-5; a grade is null about 4% of the time); results are
    exactly those (or, with ``results="evaluated"``, every evaluated candidate,
    the others failing a shortlist), ordered by relevance descending (null as 0)
    then result id, so a later high-relevance result lands above earlier ones
    while the task runs.
    ``relevance = round(100 * mean((grade - 1) / 4))`` over non-null grades.
    At speed 1.0 a 50-result task is done in about 2-4 seconds.

Matching (``matching.py``, keyword overlap, no ML)
    Each criterion (and the query) is parsed into concepts; a company's grade on
    a criterion is ``round(1 + 4 * fit + noise)`` clamped to 1..5 (seeded
    noise). Discovery interleaves companies ranked by fit to the query and the
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
      candidates, the rest a large pool: until 280 high-fit candidates, at most
      500 candidates (a query for a rare kind of company exhausts early).
    Excluded domains are removed from the pool before discovery.

Exhaustion and completion
    ``is_exhausted`` is true once every pool candidate has been discovered; it
    can be true while evaluation continues (status ``in_progress``). A task
    finishes (``done``) when ``num_results`` reaches ``desired_num_results`` or
    when it is exhausted and every enriched candidate is evaluated; it fails
    when the query contains the word ``FAIL_TASK``, after ``FAIL_AFTER``
    evaluations.
"""

from __future__ import annotations

import hashlib
import random
import re

from .corpus import Company, build_corpus
from .lifecycle import Event, Status
from .matching import Spec, parse
from .models import Candidate, CreateInput, Criterion, Task
from .responses import Progress, result_json

__all__ = [
    "DISCOVER_LEAD",
    "ENRICH_LEAD",
    "EVAL_RATE",
    "FAIL_AFTER",
    "FAIL_WORD",
    "MAX_POOL",
    "RESULTS",
    "START_DELAY",
    "Simulator",
    "infer_criteria",
]

START_DELAY = 0.15
EVAL_RATE = 50.0
ENRICH_LEAD = 8
DISCOVER_LEAD = 4
FAIL_AFTER = 5
FAIL_WORD = "FAIL_TASK"
MAX_POOL = 3000
#: What the results list holds: "high_fit" (the documented reading: num_results
#: is "the total number of results", each high-fit) or "evaluated" (every
#: evaluated candidate, high-fit or not; num_results still counts the high-fit).
RESULTS = ("high_fit", "evaluated")
_LARGE_HIGH_FIT = 280
_LARGE_MAX = 500  # a rare kind of company exhausts the search, it does not scan everything
_RANK_NOISE = 0.08
_RANKED_SHARE = 0.6
_GRADE_NOISE = 0.35
_NULL_GRADE_RATE = 0.04
_SCORE_CACHE_SIZE = 32  # distinct (query, criteria) scorings kept, about 0.5 MB each
_PASS_RATE = 0.8

_STOP = frozenset(
    {"a", "an", "and", "are", "as", "at", "by", "companies", "company", "for", "from", "in"}
    | {"into", "is", "of", "on", "or", "that", "the", "their", "to", "which", "who", "with"}
    | {"niche", "broad"}
)

# "... in Europe", "based in the US", "headquartered in New York"
_LOCATION = re.compile(
    r"\s+(?:(?:based|headquartered|located)\s+)?(?:in|from)\s+"
    r"(?P<place>(?:the\s+)?[A-Z][\w.]*(?:\s+[A-Z][\w.]*)*)"
)
_MARKERS = re.compile(r"(?:^|\s)(?:niche|broad|pool:\d+|FAIL_TASK)(?=\s|$)")

_Scores = tuple[dict[int, list[float]], dict[int, float]]


def infer_criteria(query: str) -> list[Criterion]:
    """Infer evaluation criteria from a query, deterministically.

    ``core_offering`` names what the query asks companies to sell, without where
    they are: "Payroll software for restaurants in the US" -> "Payroll software
    for restaurants"; a query naming a place gets a ``location`` criterion
    instead of ``public_evidence``.
    """
    text = " ".join(query.split())
    place = _LOCATION.search(text)
    offering = _LOCATION.sub("", _MARKERS.sub(" ", text))
    words = [w for w in re.findall(r"[A-Za-z][A-Za-z0-9-]*", offering)]
    while words and words[0].lower() in _STOP:
        words.pop(0)
    while words and words[-1].lower() in _STOP:
        words.pop()
    topic = " ".join(words[:8]) or "the search query"
    return [
        ("query_fit", "Query fit", f"The company matches this search: {text}"[:500]),
        ("core_offering", "Core offering", f"The company's main offering is about {topic}."[:500]),
        (
            ("location", "Location", f"The company is headquartered in {place['place']}."[:500])
            if place
            else (
                "public_evidence",
                "Public evidence",
                "Public sources (website, LinkedIn, maps listings) support the match.",
            )
        ),
        (
            "active_company",
            "Active company",
            "The company is operating today, with a live website and recent public activity.",
        ),
    ]


class Simulator:
    """Builds candidate pools and advances tasks; holds no tasks itself.

    Args:
        seed: seeds the corpus, pools and grades.
        speed: multiplies the rate of simulated progress.
        results: which evaluated candidates the results list shows (RESULTS).
    """

    def __init__(self, seed: int = 0, speed: float = 1.0, results: str = "high_fit") -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        if results not in RESULTS:
            raise ValueError(f"results must be one of {RESULTS}, not {results!r}")
        self.results = results
        self.seed = seed
        self.speed = speed
        self.corpus = build_corpus(seed)
        self._score_cache: dict[tuple[object, ...], _Scores] = {}

    # -- pools --------------------------------------------------------------

    def build_pool(
        self, body: CreateInput, criteria: list[Criterion], excluded: set[str]
    ) -> list[Candidate]:
        """The task's candidates in discovery order, each graded up front."""
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
        pool: list[Candidate] = []
        high_fit = 0
        for company in order:
            if size is not None and len(pool) >= size:
                break
            if size is None and (
                high_fit >= _LARGE_HIGH_FIT or (not broad and len(pool) >= _LARGE_MAX)
            ):
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
            pool.append(Candidate(company, passes, grades, relevance, is_high, rng.choice(sources)))
        return pool

    def _scores(self, query_spec: Spec, specs: list[Spec]) -> _Scores:
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

    # -- progress -----------------------------------------------------------

    def progress(self, task: Task) -> Progress:
        """The task's discovery and enrichment counters and exhaustion."""
        if task.status == Status.CREATED:
            return Progress(0, 0, False)
        enriched = min(len(task.passing), task.evaluated + ENRICH_LEAD)
        if enriched >= len(task.passing):
            discovered = len(task.pool)
        else:
            discovered = min(len(task.pool), task.passing[enriched - 1] + 1 + DISCOVER_LEAD)
        return Progress(discovered, enriched, discovered >= len(task.pool))

    def advance(self, task: Task, now: float) -> None:
        """Bring the task up to ``now``: start it, evaluate candidates, finish it."""
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
            self._evaluate_next(task, now)
        if task.status != Status.IN_PROGRESS:
            task.work = 0.0

    def _settle(self, task: Task) -> bool:
        """Apply end conditions; return True when the task stopped running."""
        if FAIL_WORD in task.input.query.split() and task.evaluated >= FAIL_AFTER:
            task.lifecycle.fire(Event.FAIL)
        elif task.high_fit >= task.desired or task.evaluated >= len(task.passing):
            task.lifecycle.fire(Event.FINISH)
        return task.status != Status.IN_PROGRESS

    def _evaluate_next(self, task: Task, now: float) -> None:
        candidate = task.pool[task.passing[task.evaluated]]
        task.evaluated += 1
        task.high_fit += candidate.high_fit
        if candidate.high_fit or self.results == "evaluated":
            task.results.append(result_json(task, candidate, self.seed, now))
            task.results.sort(key=lambda r: (-(r["relevance"] or 0), r["id"]))


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
