"""Keyword matching of companies against query and criterion text (no ML, no I/O).

:func:`parse` turns a text (a query, or a criterion's name plus text) into a
:class:`Spec`: the concepts its words name. Concepts are industries (through
each industry's keyword vocabulary in ``corpus.py``), customer segment (small
business / mid-market / enterprise), business model (SaaS, B2B, hardware,
marketplace, consumer), geography (countries, regions, cities), AI, startup
stage, public evidence and activity; words after ``not``/``no``/``excluding``
are negated. Industries named before "for"/"to"/"serving" are what is sold,
after them who buys ("Payroll software for restaurants" is HR software); a
text naming no product industry takes its customers' ("SaaS for dental
clinics"). A keyword shared by industries ("clinic") counts only for the one a
distinctive word of the same text names ("dental clinics").
:meth:`Spec.evaluate` scores one company on every concept (0..1, with the
evidence used) and combines them into a fit, which a weak topic or a wrong
region scales down (they are requirements, not one concept among others); a
text naming no known concept falls back to a stable pseudo-random affinity
between its words and each industry, so any query still has some matching
companies. ``docs/SANDBOX.md`` measures the outcome against the corpus's truth.
:func:`explain` writes an explanation consistent with a grade, citing the
evidence, and :func:`sources` the pages it came from.
"""

from __future__ import annotations

import functools
import hashlib
import random
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from .corpus import COUNTRIES, INDUSTRIES, INDUSTRY_BY_KEY, Company, normalize, words

__all__ = ["Part", "Spec", "explain", "parse", "sources"]


def _split(text: str) -> list[str]:
    return text.split()


_STOP = frozenset(
    normalize(w)
    for w in _split(
        """a an and are as at be by for from in into is it its of on or that the their
    them they this to which who with whose main mainly primarily mostly company companies
    firm vendor vendors provider providers sell sells selling serve serves serving offer
    offers offering build builds building make makes focus focused focuses customer customers
    client clients other based has have having can should must any all more than over under
    vertical horizontal solution solutions tool tools product products platform service
    market markets segment kind type good best top leading new modern using use used uses
    niche broad search query match matches matching about core sector space industry
    such like eg e g i ie who what how very well strong clear clearly evidence support
    supports find found list want looking tech technology technologies"""
    )
)
_NEGATORS = frozenset(
    normalize(w) for w in {"not", "no", "non", "excluding", "except", "without", "rather", "never"}
)
_SEGMENT_WORDS = {
    **dict.fromkeys(_split("small smb sme independent local solo boutique family"), "smb"),
    **dict.fromkeys(_split("midsize medium mid growing"), "mid"),
    **dict.fromkeys(_split("enterprise large fortune corporation multinational"), "enterprise"),
}
_SEGMENT_AFFINITY = {
    "smb": {"smb": 1.0, "mid": 0.55, "enterprise": 0.05},
    "mid": {"smb": 0.6, "mid": 1.0, "enterprise": 0.5},
    "enterprise": {"smb": 0.05, "mid": 0.5, "enterprise": 1.0},
}
_SEGMENT_LABEL = {
    "smb": "small businesses",
    "mid": "mid-market companies",
    "enterprise": "large enterprises",
}
_MODEL_WORDS = {
    **dict.fromkeys(_split("saas subscription software cloud recurring"), "saas"),
    **dict.fromkeys(_split("hardware device devices sensor"), "hardware"),
    "marketplace": "marketplace",
    **dict.fromkeys(_split("consumer consumers b2c"), "consumer"),
    **dict.fromkeys(_split("agency consulting consultancy"), "services"),
}
_MODEL_AFFINITY = {
    "saas": {"saas": 1.0, "api": 0.8, "marketplace": 0.35, "services": 0.25, "hardware": 0.2},
    "hardware": {"hardware": 1.0, "saas": 0.25, "api": 0.1},
    "marketplace": {"marketplace": 1.0, "saas": 0.3},
    "consumer": {"consumer": 1.0, "marketplace": 0.5},
    "services": {"services": 1.0, "saas": 0.3},
}
_MODEL_LABEL = {
    "saas": "subscription software",
    "api": "usage-based APIs",
    "marketplace": "a marketplace",
    "hardware": "hardware",
    "services": "services",
    "consumer": "a consumer app",
}
_B2B_WORDS = frozenset(
    normalize(w) for w in {"b2b", "business", "businesse", "enterprise", "organization", "team"}
)
_AI_WORDS = frozenset(
    normalize(w) for w in {"ai", "ml", "vision", "nlp", "copilot", "chatbot", "agent", "neural"}
)
_STARTUP_WORDS = frozenset(normalize(w) for w in {"startup", "young", "seed"})
_MATURE_WORDS = frozenset(
    normalize(w) for w in {"established", "mature", "incumbent", "profitable"}
)
_EVIDENCE_WORDS = frozenset(
    normalize(w) for w in {"public", "source", "website", "linkedin", "listing", "map"}
)
_ACTIVE_WORDS = frozenset(
    normalize(w) for w in {"active", "operating", "live", "today", "recent", "alive"}
)
_EUROPE = ("United Kingdom", "Germany", "France", "Netherlands", "Sweden", "Switzerland", "Spain")
_REGIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "europe": ("Europe", _EUROPE),
    "european": ("Europe", _EUROPE),
    "eu": ("Europe", _EUROPE),
    "emea": ("Europe", _EUROPE),
    "dach": ("the DACH region", ("Germany", "Switzerland")),
    "nordic": ("the Nordics", ("Sweden",)),
    "usa": ("the US", ("United States",)),
    "american": ("the US", ("United States",)),
    "uk": ("the UK", ("United Kingdom",)),
    "british": ("the UK", ("United Kingdom",)),
    "britain": ("the UK", ("United Kingdom",)),
    "england": ("the UK", ("United Kingdom",)),
    "german": ("Germany", ("Germany",)),
    "french": ("France", ("France",)),
    "dutch": ("the Netherlands", ("Netherlands",)),
    "swedish": ("Sweden", ("Sweden",)),
    "swiss": ("Switzerland", ("Switzerland",)),
    "spanish": ("Spain", ("Spain",)),
    "canadian": ("Canada", ("Canada",)),
    "australian": ("Australia", ("Australia",)),
    "indian": ("India", ("India",)),
    "japanese": ("Japan", ("Japan",)),
    "brazilian": ("Brazil", ("Brazil",)),
    "asia": ("Asia", ("Japan", "India", "Singapore")),
    "apac": ("APAC", ("Japan", "India", "Singapore", "Australia", "New Zealand")),
    "latam": ("Latin America", ("Brazil",)),
    "anz": ("Australia and New Zealand", ("Australia", "New Zealand")),
}
for _country in COUNTRIES:
    _REGIONS.setdefault(normalize(_country.replace(" ", "")), (_country, (_country,)))
    if " " not in _country:
        _REGIONS.setdefault(normalize(_country), (_country, (_country,)))
_CITIES = {
    normalize(c.replace(" ", "")): c
    for c in (
        "San Francisco", "New York", "Austin", "Boston", "Seattle", "Chicago", "Palo Alto",
        "Denver", "Brooklyn", "Miami", "Atlanta", "London", "Manchester", "Edinburgh", "Sydney",
        "Melbourne", "Berlin", "Munich", "Hamburg", "Paris", "Lyon", "Toronto", "Vancouver",
        "Amsterdam", "Stockholm", "Tokyo", "Bengaluru", "Mumbai", "Zurich", "Auckland",
        "Barcelona", "Madrid",
    )
}  # fmt: skip
_SEGMENT_WORDS = {normalize(k): v for k, v in _SEGMENT_WORDS.items()}
_MODEL_WORDS = {normalize(k): v for k, v in _MODEL_WORDS.items()}
_KEYWORD_INDUSTRIES: dict[str, tuple[str, ...]] = {}
for _industry in INDUSTRIES:
    for _word in _industry.keywords:
        _KEYWORD_INDUSTRIES[_word] = (*_KEYWORD_INDUSTRIES.get(_word, ()), _industry.key)
# Keywords of one industry only: a product mentioning one relates to that industry.
_DISTINCTIVE = {
    i.key: frozenset(w for w in i.keywords if len(_KEYWORD_INDUSTRIES[w]) == 1) for i in INDUSTRIES
}
_VOCABULARY = (
    set(_KEYWORD_INDUSTRIES)
    | set(_SEGMENT_WORDS)
    | set(_MODEL_WORDS)
    | _B2B_WORDS
    | _AI_WORDS
    | _STARTUP_WORDS
    | _MATURE_WORDS
    | _EVIDENCE_WORDS
    | _ACTIVE_WORDS
    | set(_REGIONS)
    | set(_CITIES)
)
_WEIGHTS = {"topic": 2.5, "geo": 1.5}
# What a text is about (its topic) and where (its geography) are hard requirements:
# below the gate they scale the whole fit down, so a company off topic or in the
# wrong region is not rescued by being SaaS, small or active.
_GATES = {"topic": 0.6, "geo": 1.0}
_GATE_FLOOR = 0.35
_CUSTOMER_MARKER = re.compile(r"\b(?:for|to|serving|serves|targeting)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Part:
    """One concept's score for one company, with what to say about it."""

    kind: str
    score: float
    texts: Callable[[], tuple[str, str, str]]

    @property
    def good(self) -> str:
        """A sentence citing the evidence of a match."""
        return self.texts()[0]

    @property
    def partial(self) -> str:
        """A clause for a partial match."""
        return self.texts()[1]

    @property
    def bad(self) -> str:
        """A sentence citing the lack of evidence."""
        return self.texts()[2]


@dataclass
class Spec:
    """The concepts named by a text."""

    name: str
    industries: dict[str, float] = field(default_factory=dict)
    terms: tuple[str, ...] = ()
    segments: tuple[str, ...] = ()
    not_segments: tuple[str, ...] = ()
    model: str | None = None
    b2b: bool = False
    regions: tuple[tuple[str, tuple[str, ...]], ...] = ()
    cities: tuple[str, ...] = ()
    ai: bool = False
    startup: int = 0
    evidence: bool = False
    active: bool = False
    negated: tuple[str, ...] = ()
    fallback: tuple[str, ...] = ()
    broad: bool = False

    @property
    def topic_label(self) -> str:
        """A short label of the text's topic."""
        if self.industries:
            best = max(self.industries, key=lambda k: (self.industries[k], k))
            label = INDUSTRY_BY_KEY[best].label.replace(" software", "").replace(" technology", "")
            return label
        return " ".join(self.terms[:3]) or self.name

    def evaluate(self, company: Company) -> tuple[float, list[Part]]:
        """Return the company's fit (0..1) and the scored concepts."""
        parts = _parts(self, company)
        total = sum(_WEIGHTS.get(p.kind, 1.0) for p in parts)
        fit = sum(_WEIGHTS.get(p.kind, 1.0) * p.score for p in parts) / total
        for part in parts:
            gate = _GATES.get(part.kind)
            if gate is not None and part.score < gate:
                fit *= max(_GATE_FLOOR, part.score / gate)
        if self.negated and self.negated_hit(company):
            fit *= 0.35
        return fit, parts

    def fit(self, company: Company, memo: dict[tuple[object, ...], float] | None = None) -> float:
        """The company's fit (0..1); ``memo`` caches it per :meth:`fit_key`."""
        if memo is None:
            return self.evaluate(company)[0]
        key = self.fit_key(company)
        found = memo.get(key)
        if found is None:
            found = memo[key] = self.evaluate(company)[0]
        return found

    @functools.cached_property
    def signature(self) -> tuple[object, ...]:
        """Everything a fit depends on: texts that parse alike share fits (the name
        only shapes explanations), so a memo can outlive one task."""
        return (
            tuple(sorted(self.industries.items())),
            self.terms,
            self.segments,
            self.not_segments,
            self.model,
            self.b2b,
            self.regions,
            self.cities,
            self.ai,
            self.startup,
            self.evidence,
            self.active,
            self.negated,
            self.fallback,
            self.broad,
        )

    def fit_key(self, company: Company) -> tuple[object, ...]:
        """The company attributes the fit depends on (companies alike share a fit)."""
        key: tuple[object, ...] = (self.signature, company.product)
        if self.regions or self.cities:
            key += (company.hq_country, company.hq_city)
        if self.startup or self.evidence or self.active:
            key += (company.size, company.founding_year >= 2017, company.founding_year < 2000)
        if not self.has_concepts():
            key += (company.industry,)
        return key

    def has_concepts(self) -> bool:
        """Whether the text names any known concept (else the fallback applies)."""
        return bool(
            self.industries or self.terms or self.segments or self.not_segments or self.model
            or self.b2b or self.regions or self.cities or self.ai or self.startup
            or self.evidence or self.active
        )  # fmt: skip

    def negated_hit(self, company: Company) -> str | None:
        """The first negated word found in the company's product text."""
        return next((w for w in self.negated if w in company.product_tokens), None)


def _split_negations(text: str) -> tuple[list[str], list[str]]:
    plain: list[str] = []
    negated: list[str] = []
    for clause in re.split(r"[,.;:()]|\bbut\b", text):
        target = plain
        for word in words(clause):
            if word in _NEGATORS:
                target = negated
                continue
            target.append(word)
    return plain, negated


def _industry_hits(words: list[str]) -> dict[str, float]:
    """Industries named by ``words``, counted.

    A keyword shared by several industries ("clinic": dental and healthcare)
    counts only for those of them that a distinctive keyword of the same text
    names ("dental clinics" is about dental software, not hospitals).
    """
    named = {k for w in words for k in _KEYWORD_INDUSTRIES.get(w, ()) if w in _DISTINCTIVE[k]}
    hits: dict[str, float] = {}
    for word in words:
        keys = _KEYWORD_INDUSTRIES.get(word, ())
        if len(keys) > 1 and named.intersection(keys):
            keys = tuple(k for k in keys if k in named)
        for key in keys:
            hits[key] = hits.get(key, 0) + 1
    return hits


def _product_words(text: str) -> list[str] | None:
    """The words naming what is sold, before "for ..." / "to ..." names who buys it.

    None when the text has no such split. "Payroll software for restaurants" sells
    payroll software (HR), to restaurants; "SaaS for dental clinics" names no
    product industry, so its industry is its customers' (a vertical).
    """
    match = _CUSTOMER_MARKER.search(text)
    return None if match is None else words(text[: match.start()])


@lru_cache(maxsize=1024)
def parse(text: str, name: str = "", broad: bool = False) -> Spec:
    """Parse a query or criterion (its name first) into a :class:`Spec`."""
    plain, negated = _split_negations(f"{name}. {text}" if name else text)
    spec = Spec(name=name or text[:60], broad=broad)
    kept = [w for w in plain if w not in _STOP and len(w) >= 2 and not w.isdigit()]
    hits = _industry_hits(kept)
    product = _product_words(text)
    if product is not None:
        product_hits = _industry_hits([w for w in product if w in kept])
        if product_hits:
            hits = product_hits
    terms: list[str] = []
    segments: list[str] = []
    for word in kept:
        if word in _SEGMENT_WORDS:
            segments.append(_SEGMENT_WORDS[word])
        if word in _MODEL_WORDS and spec.model is None:
            spec.model = _MODEL_WORDS[word]
        spec.b2b |= word in _B2B_WORDS
        spec.ai |= word in _AI_WORDS
        spec.startup += (word in _STARTUP_WORDS) - (word in _MATURE_WORDS)
        spec.evidence |= word in _EVIDENCE_WORDS
        spec.active |= word in _ACTIVE_WORDS
        if word in _REGIONS and _REGIONS[word] not in spec.regions:
            spec.regions += (_REGIONS[word],)
        if word in _CITIES:
            spec.cities += (_CITIES[word],)
        if word not in _VOCABULARY or word in _KEYWORD_INDUSTRIES:
            terms.append(word)
    if hits:
        top = max(hits.values())
        spec.industries = {k: v / top for k, v in hits.items()}
    spec.terms = tuple(dict.fromkeys(terms))
    spec.segments = tuple(dict.fromkeys(segments))
    spec.not_segments = tuple(
        dict.fromkeys(_SEGMENT_WORDS[w] for w in negated if w in _SEGMENT_WORDS)
    )
    spec.negated = tuple(w for w in negated if w not in _STOP and w not in _SEGMENT_WORDS)
    if spec.active:
        spec.evidence = False  # "a live website and recent public activity"
    if spec.evidence or spec.active:
        spec.terms = ()  # generic checks: the topic words are not the point
    return spec


def _fallback_affinity(terms: tuple[str, ...], industry: str) -> float:
    """A stable pseudo-random affinity of unknown words to an industry."""
    ranked = _fallback_ranking(terms)
    rank = ranked.index(industry)
    return 0.95 if rank < 3 else 0.55 if rank < 6 else 0.1


@lru_cache(maxsize=4096)
def _fallback_ranking(terms: tuple[str, ...]) -> tuple[str, ...]:
    def key(industry: str) -> bytes:
        return hashlib.sha256(f"{' '.join(terms)}:{industry}".encode()).digest()

    return tuple(sorted((i.key for i in INDUSTRIES), key=key))


def _relation(company: Company, industry: str) -> float:
    if company.industry == industry:
        return 1.0
    if company.product_tokens & _DISTINCTIVE[industry]:
        return 0.6  # a product touching the industry ("EHR and billing"), not one of it
    if industry in INDUSTRY_BY_KEY[company.industry].adjacent or (
        company.industry in INDUSTRY_BY_KEY[industry].adjacent
    ):
        return 0.4
    return 0.0


def _pick(seed: str, *options: str) -> str:
    return options[zlib.crc32(seed.encode()) % len(options)]


def _coverage(terms: tuple[str, ...], company: Company) -> float:
    """Share of the terms in the product text (1) or the industry's vocabulary (0.5)."""
    hits = sum(
        1.0 if t in company.product_tokens else 0.5 if t in company.tokens else 0.0 for t in terms
    )
    return hits / len(terms)


def _is_ai(company: Company) -> bool:
    return company.industry == "ai" or "ml" in company.product_tokens


def _parts(spec: Spec, company: Company) -> list[Part]:
    parts: list[Part] = []
    product = company.product
    what, customers = product.what, product.customers
    others = (
        spec.segments or spec.not_segments or spec.model or spec.b2b or spec.regions
        or spec.cities or spec.ai or spec.startup or spec.evidence or spec.active
    )  # fmt: skip
    if spec.industries or (spec.terms and not others):
        if spec.industries:
            weight = sum(spec.industries.values())
            rel = {k: _relation(company, k) for k in spec.industries}
            mean = sum(w * rel[k] for k, w in spec.industries.items()) / weight
            ind = 0.6 * max(rel[k] * w for k, w in spec.industries.items()) + 0.4 * mean
            cov = _coverage(spec.terms, company) if spec.terms else ind
            score = 0.7 * ind + 0.3 * cov
        else:
            cov = _coverage(spec.terms, company)
            score = max(cov, _fallback_affinity(spec.terms, company.industry))
        if spec.broad:
            score = 0.45 + 0.55 * score
        parts.append(
            Part(
                "topic",
                score,
                lambda: (
                    _pick(
                        f"{spec.name}:{company.domain}",
                        f"Its product, {what}, targets {customers}",
                        f"{company.name} sells {what} to {customers}",
                        f"Core offering: {what}, sold to {customers}",
                        f"Its product pages describe {what}; customers include {customers}",
                    ),
                    f"it builds {what} for {customers}, adjacent to {spec.topic_label} "
                    f"but not a core {spec.topic_label} offering",
                    f"No evidence of a {spec.topic_label} focus: it builds {what} for {customers}",
                ),
            )
        )
    seg = company.segment
    if spec.segments:
        score = max(_SEGMENT_AFFINITY[s][seg] for s in spec.segments)
        wanted = " or ".join(_SEGMENT_LABEL[s] for s in spec.segments)
        parts.append(
            Part(
                "segment",
                score,
                lambda: (
                    f"Its customers are {customers}, mostly {_SEGMENT_LABEL[seg]}",
                    f"it sells to {customers}, a mix of {_SEGMENT_LABEL[seg]} and others",
                    f"It sells mainly to {customers} ({_SEGMENT_LABEL[seg]}), not {wanted}",
                ),
            )
        )
    for s in spec.not_segments:
        label_s = _SEGMENT_LABEL[s]
        parts.append(
            Part(
                "segment",
                1.0 - _SEGMENT_AFFINITY[s][seg],
                lambda label_s=label_s: (  # type: ignore[misc]
                    f"It targets {customers}, not {label_s}",
                    f"it sells to {customers}, including some {label_s}",
                    f"Its customers are {customers}, i.e. {label_s}",
                ),
            )
        )
    model = company.model
    wanted_model = spec.model
    if wanted_model is not None:
        score = _MODEL_AFFINITY[wanted_model].get(model, 0.0)
        parts.append(
            Part(
                "model",
                score,
                lambda: (
                    f"It sells {_MODEL_LABEL[model]}, priced per seat or usage on its pricing page",
                    f"it sells {_MODEL_LABEL[model]} rather than pure {_MODEL_LABEL[wanted_model]}",
                    f"It sells {_MODEL_LABEL[model]} ({what}), not {_MODEL_LABEL[wanted_model]}",
                ),
            )
        )
    if spec.b2b:
        parts.append(
            Part(
                "b2b",
                0.0 if model == "consumer" else 1.0,
                lambda: (
                    f"It sells to businesses ({customers})",
                    f"it sells to {customers}, partly consumers",
                    f"It is consumer-facing: {what} for {customers}",
                ),
            )
        )
    where = f"{company.hq_city}, {company.hq_country}"
    for region, countries in spec.regions:
        parts.append(
            Part(
                "geo",
                1.0 if company.hq_country in countries else 0.0,
                lambda region=region: (  # type: ignore[misc]
                    f"Headquartered in {where}",
                    f"it is headquartered in {where} with some customers in {region}",
                    f"Headquartered in {where}, outside {region}",
                ),
            )
        )
    if spec.cities:
        parts.append(
            Part(
                "geo",
                1.0 if company.hq_city in spec.cities else 0.0,
                lambda: (
                    f"Headquartered in {where}",
                    f"it is headquartered in {where}, near {spec.cities[0]}",
                    f"Headquartered in {where}, not {spec.cities[0]}",
                ),
            )
        )
    if spec.ai:
        parts.append(
            Part(
                "ai",
                1.0 if _is_ai(company) else 0.5 if company.industry == "data" else 0.05,
                lambda: (
                    f"Its product uses machine learning ({what})",
                    "it uses some analytics but machine learning is not central",
                    f"No sign of AI or machine learning in its product ({what})",
                ),
            )
        )
    small = company.size in ("1-10", "11-50", "51-200")
    if spec.startup:
        young = 1.0 if company.founding_year >= 2017 and small else 0.5 if small else 0.05
        parts.append(
            Part(
                "startup",
                young if spec.startup > 0 else 1.0 - young,
                lambda: (
                    f"Founded in {company.founding_year}, {company.size} employees",
                    f"founded in {company.founding_year} with {company.size} employees",
                    f"Founded in {company.founding_year} with {company.size} employees, "
                    f"{'not a startup' if spec.startup > 0 else 'still an early-stage company'}",
                ),
            )
        )
    if spec.evidence:
        score = {"1-10": 0.65, "11-50": 0.8}.get(company.size, 0.95)
        parts.append(
            Part(
                "evidence",
                score,
                lambda: (
                    f"Its website, LinkedIn page ({company.size} employees) and maps listing "
                    f"in {company.hq_city} consistently describe {what}",
                    f"Its website describes {what}, but the LinkedIn page is sparse",
                    f"Thin public footprint: a one-page website and a LinkedIn page with "
                    f"{company.size} employees",
                ),
            )
        )
    if spec.active:
        stale = company.founding_year < 2000 and company.size in ("1-10", "11-50")
        parts.append(
            Part(
                "active",
                0.3 if stale else 0.95,
                lambda: (
                    f"Operating today: live website, recent LinkedIn posts, founded in "
                    f"{company.founding_year}",
                    "the website is live but shows little recent activity",
                    f"Possibly inactive: founded in {company.founding_year}, the website "
                    "has not been updated recently",
                ),
            )
        )
    if not parts:
        terms = tuple(w for w in words(spec.name) if w not in _STOP)
        parts.append(
            Part(
                "topic",
                _fallback_affinity(terms, company.industry),
                lambda: (
                    f"Its product, {what} for {customers}, fits '{spec.name}'",
                    f"it builds {what}, only loosely related to '{spec.name}'",
                    f"No evidence of '{spec.name}': it builds {what}",
                ),
            )
        )
    return parts


_PATHS = {
    "topic": ("/product", "/solutions", "/customers", "/about"),
    "segment": ("/customers", "/case-studies", "/pricing"),
    "model": ("/pricing", "/product"),
    "b2b": ("/customers", "/pricing"),
    "geo": ("/about", "/contact"),
    "ai": ("/product", "/blog"),
    "startup": ("/about", "/careers"),
    "evidence": ("/about",),
    "active": ("/blog", "/news"),
}


def explain(spec: Spec, company: Company, grade: int, rng: random.Random) -> tuple[str, str]:
    """An explanation consistent with the grade, and the main concept kind it cites."""
    _, parts = spec.evaluate(company)
    best = max(parts, key=lambda p: (p.score >= 0.6, _WEIGHTS.get(p.kind, 1.0), p.score))
    worst = min(parts, key=lambda p: (p.score, -_WEIGHTS.get(p.kind, 1.0)))
    negated = spec.negated_hit(company)
    if grade >= 4:
        first = f"{best.good}."
        others = [p for p in parts if p is not best and p.score >= 0.7]
        if others:
            first += f" {rng.choice(others).good}."
        elif grade == 4 and worst.score < 0.7:
            first += f" Less clear: {_lower(worst.partial)}."
        lead = rng.choice(("", "", "Yes. ", "Clear match. " if grade == 5 else ""))
        return (lead + first, best.kind)
    if grade == 3:
        if best is worst or best.score < 0.5:
            text = f"Partially: {best.partial}."
        else:
            text = f"Partially: {_lower(best.good)}, but {_lower(worst.partial)}."
        if negated:
            text = f"Partially: {_lower(best.good)}, but it also serves {negated}s."
        return text, worst.kind
    text = f"{worst.bad}."
    if negated:
        text = f"{_cap(best.good)}, but its customers include {negated}s, which are excluded."
    elif grade == 2 and best is not worst and best.score >= 0.7:
        text += f" Only {_lower(best.good)}."
    return text, worst.kind


def _lower(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def sources(company: Company, kind: str, source: str, rng: random.Random) -> list[str]:
    """Plausible source URLs for a concept: a site page plus the discovery source."""
    site = company.website.rstrip("/")
    urls = [site + rng.choice(_PATHS.get(kind, ("/about",)))]
    place = f"{company.name} {company.hq_city}".replace(" ", "+")
    maps = f"https://www.google.com/maps/search/?api=1&query={place}"
    if source == "linkedin" or kind in ("startup", "evidence", "active"):
        urls.append(company.linkedin_url)
    if source == "maps" or kind in ("geo", "evidence"):
        urls.append(maps)
    if len(urls) == 1 and rng.random() < 0.5:
        urls.append(site)
    return list(dict.fromkeys(urls))
