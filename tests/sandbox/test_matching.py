"""Results relate to the query and criteria: keyword matching in the sandbox (no HTTP)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from extruct_deep_search.sandbox.corpus import INDUSTRIES, build_corpus
from extruct_deep_search.sandbox.matching import parse
from extruct_deep_search.sandbox.responses import result_json
from extruct_deep_search.sandbox.state import CreateInput, SandboxState

from .test_state import A, make, run

DENTAL = [
    ("dental_focus", "Dental focus", "Its main customers are dental clinics or dentists"),
    ("b2b_saas", "B2B SaaS", "Sells subscription software to other businesses"),
    ("smb_market", "SMB market", "Serves small and mid-sized practices, not hospitals"),
]
DEMO_QUERY = "Vertical SaaS companies selling practice-management software to dental clinics"


def industry_of(state: SandboxState, row: dict[str, Any]) -> str:
    by_site = {c.website: c.industry for c in state.corpus}
    return by_site[row["company_website"]]


def test_corpus_covers_common_topics() -> None:
    keys = {i.key for i in INDUSTRIES}
    assert keys >= {
        "dental", "healthtech", "fintech", "hr", "hospitality", "robotics", "ai", "logistics",
        "climate", "security", "ecommerce", "edtech", "legal", "proptech", "agritech", "devtools",
    }  # fmt: skip
    counts = Counter(c.industry for c in build_corpus(0))
    assert min(counts.values()) >= 150


def test_demo_results_are_on_topic_with_consistent_explanations() -> None:
    state, clock = make()
    task = state.create_task(
        A, CreateInput(query=DEMO_QUERY, desired_num_results=50, criteria=DENTAL)
    )
    final = run(state, clock, task["id"])[-1]
    assert final["status"] == "done" and final["num_results"] == 50
    rows = final["results"]
    assert all(industry_of(state, r) == "dental" for r in rows[:10])
    assert sum(industry_of(state, r) == "dental" for r in rows) >= 40
    for row in rows:
        for key, score in row["scores"].items():
            grade, text = score["grade"], score["explanation"]
            if grade is None:
                continue
            if grade >= 4:
                assert not text.startswith(("No evidence", "Partially")), (key, grade, text)
            elif grade == 3:
                assert text.startswith("Partially"), (key, grade, text)
            assert "clearly meets" not in text
    explanations = {s["explanation"] for r in rows for s in r["scores"].values()}
    assert len(explanations) > 60, "explanations should be specific to each company"


def test_grades_follow_the_criterion_text() -> None:
    corpus = build_corpus(0)
    dental = parse("Its main customers are dental clinics or dentists", "Dental focus")
    on = [dental.fit(c) for c in corpus if c.industry == "dental"]
    off = [dental.fit(c) for c in corpus if c.industry in ("agritech", "logistics")]
    assert min(on) > 0.6 and max(off) < 0.3
    smb = parse("Serves small and mid-sized practices, not hospitals", "SMB market")
    small = [c for c in corpus if c.industry == "dental" and c.segment == "smb"]
    large = [c for c in corpus if c.industry == "healthtech" and c.segment == "enterprise"]
    assert min(smb.fit(c) for c in small) > max(smb.fit(c) for c in large)
    europe = parse("Headquartered in Europe", "Europe")
    assert all(
        (europe.fit(c) == 1.0) == (c.hq_country in ("Germany", "France", "Spain"))
        for c in corpus
        if c.hq_country in ("Germany", "France", "Spain", "United States", "Japan")
    )
    saas = parse("Sells subscription software to other businesses", "B2B SaaS")
    hardware = [c for c in corpus if c.model == "hardware"]
    software = [c for c in corpus if c.model == "saas"]
    assert max(saas.fit(c) for c in hardware) < min(saas.fit(c) for c in software)


def test_low_grades_say_why() -> None:
    state, clock = make()
    task = state.create_task(
        A,
        CreateInput(query="Fintech in Brazil", desired_num_results=10, criteria=DENTAL[:2]),
    )
    run(state, clock, task["id"])
    internal = state._tasks[task["id"]]
    graded = [c for c in internal.pool[:200] if c.grades[0] is not None and c.grades[0] <= 2]
    assert graded
    for cand in graded[:20]:
        row = result_json(internal, cand, state.seed, clock.t)
        text = row["scores"]["dental_focus"]["explanation"]
        assert text.startswith("No evidence") or "excluded" in text, text
        assert cand.company.product.what in text


def test_inferred_criteria_rank_on_topic_companies_first() -> None:
    for query, industry in (
        ("payroll software for restaurants", {"hr", "hospitality"}),
        ("climate software", {"climate"}),
        ("AI tools for lawyers", {"legal", "ai"}),
        ("cybersecurity startups in Europe", {"security"}),
    ):
        state, clock = make()
        task = state.create_task(A, CreateInput(query=query, desired_num_results=30))
        rows = run(state, clock, task["id"])[-1]["results"]
        assert len(rows) == 30
        on_topic = sum(industry_of(state, r) in industry for r in rows)
        assert on_topic >= 0.8 * len(rows), (query, on_topic)


def test_sources_are_plausible_pages() -> None:
    state, clock = make()
    task = state.create_task(
        A, CreateInput(query=DEMO_QUERY, desired_num_results=20, criteria=DENTAL)
    )
    rows = run(state, clock, task["id"])[-1]["results"]
    for row in rows:
        site = row["company_website"]
        for score in row["scores"].values():
            if score["grade"] is None:
                continue
            urls = score["sources"]
            assert urls[0].startswith(site + "/") and len(urls) == len(set(urls))
            assert all(
                u.startswith(
                    (site, "https://www.linkedin.com/company/", "https://www.google.com/maps/")
                )
                for u in urls
            )
