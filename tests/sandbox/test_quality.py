"""Relevance: results match what the query asked, judged by the corpus's own truth."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from extruct_deep_search.sandbox import Sandbox, quality
from extruct_deep_search.sandbox.corpus import build_corpus
from extruct_deep_search.sandbox.matching import parse
from extruct_deep_search.sandbox.quality import PROBES, main, measure, render, run_probe
from extruct_deep_search.sandbox.state import SandboxState

from .conftest import auth, wait_finished

DENTAL = PROBES[0]
assert DENTAL.query == "Vertical SaaS for dental clinics in Europe"


def passes(row: dict[str, Any], keys: tuple[str, ...]) -> bool:
    return all((row["scores"][k]["grade"] or 0) >= 4 for k in keys)


def test_every_probe_is_precise_at_20() -> None:
    measures = measure(seed=0)
    assert len(measures) == len(PROBES) == 8
    for m in measures:
        assert m.precision_at_20 >= 0.8, (m.probe.query, m.precision_at_20)
        assert m.off_topic_passing <= 2, (m.probe.query, m.off_topic_passing)
    # Inferred criteria include generic ones, so some results fail the query's shortlist.
    assert any(m.shortlisted < m.results for m in measures)
    table = render(measures, markdown=True)
    assert table.count("\n") == len(PROBES) + 1 and DENTAL.query in table


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_dental_europe_top_results_are_dental_software_in_europe(seed: int) -> None:
    (m,) = measure(seed=seed, probes=[DENTAL])
    assert m.results >= 40
    assert m.precision_at_20 >= 0.95
    assert m.off_topic_passing <= 1


def test_unrelated_companies_are_graded_low_on_the_dental_criterion() -> None:
    assert DENTAL.criteria is not None
    _, name, text = DENTAL.criteria[0]
    spec = parse(text, name)
    corpus = build_corpus(0)
    insurance = [c for c in corpus if c.industry == "insurtech"]
    devices = [c for c in corpus if c.industry == "healthtech" and c.model == "hardware"]
    dental_saas = [c for c in corpus if c.industry == "dental" and c.model == "saas"]
    assert insurance and devices and dental_saas
    # grade = round(1 + 4 * fit + noise): below 0.25 means 1-2, above 0.8 means 4-5.
    assert max(spec.fit(c) for c in insurance + devices) < 0.25
    assert min(spec.fit(c) for c in dental_saas) > 0.8


def test_evaluated_mode_shows_low_fit_rows_that_fail_the_shortlist() -> None:
    clock = [1_700_000_000.0]
    state = SandboxState(seed=0, now=lambda: clock[0], results="evaluated")
    rows = run_probe(state, DENTAL, clock)
    task = state.list_tasks("org_a")[0]
    assert task["num_results"] == DENTAL.desired < len(rows)
    keys = DENTAL.must_have
    top = rows[: DENTAL.desired]
    assert 0 < sum(passes(r, keys) for r in top) < len(top)  # not all 50 pass
    assert sum(passes(r, keys) for r in rows) == task["num_results"]  # two criteria: high-fit
    by_site = {c.website: c for c in state.corpus}
    unrelated = [
        i
        for i, r in enumerate(rows)
        if by_site[r["company_website"]].industry not in ("dental", "healthtech")
    ]
    assert unrelated, "the search also evaluated companies of other industries"
    shortlisted = [i for i, r in enumerate(rows) if passes(r, keys)]
    assert min(unrelated) > max(shortlisted)  # they rank below every shortlisted company
    assert not any(passes(rows[i], keys) for i in unrelated)


@pytest.mark.integration
def test_evaluated_mode_over_http() -> None:
    with (
        Sandbox(seed=0, speed=50, results="evaluated") as sb,
        httpx.Client(base_url=sb.base_url, headers=auth(sb.token)) as c,
    ):
        body = {"query": "Legal tech for law firms", "desired_num_results": 10}
        task = c.post("/v1/discovery_tasks", json=body).json()
        done = wait_finished(c, task["id"])
        rows = c.get(f"/v1/discovery_tasks/{task['id']}/results").json()["results"]
        assert done["num_results"] == 10 < len(rows) == done["num_results_evaluated"]
        keys = [(-(r["relevance"] or 0), r["id"]) for r in rows]
        assert keys == sorted(keys)


def test_results_mode_is_checked() -> None:
    with pytest.raises(ValueError, match="results must be one of"):
        SandboxState(results="everything")


def test_quality_command_prints_the_table(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[int, str]] = []

    def one_probe(seed: int, results: str) -> list[quality.Measure]:
        seen.append((seed, results))
        return measure(seed, PROBES[:1], results)

    monkeypatch.setattr(quality, "measure", one_probe)
    assert main(["--seed", "3", "--results", "evaluated", "--markdown"]) == 0
    assert seen == [(3, "evaluated")]
    out = capsys.readouterr().out
    assert out.startswith("| query | results | precision@20 | shortlist | off-topic passing |")
    assert DENTAL.query in out
