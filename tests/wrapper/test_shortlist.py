"""The guide's shortlist rule on synthetic results (no I/O)."""

from __future__ import annotations

import pytest
from extruct_deep_search import Criterion, CriterionScore, InvalidArgumentError, Result
from extruct_deep_search.shortlist import passes_shortlist, shortlist


def result(name: str, **grades: int | None) -> Result:
    """A result with the given grades (None: evaluation failed)."""
    return Result(
        id=name,
        task_id="t",
        company_name=name,
        company_description="",
        company_website=f"https://{name}.com",
        relevance=50,
        scores={k: CriterionScore(grade=g, explanation="x", sources=()) for k, g in grades.items()},
    )


CRITERIA = [
    Criterion("fit", "Fit", "A good enough fit for us"),
    Criterion("risk", "Risk", "Is not risky at all"),
    Criterion("other", "Other", "Some other criterion"),
]


@pytest.mark.parametrize(
    ("fit", "expected"), [(5, True), (4, True), (3, False), (2, False), (1, False), (None, False)]
)
def test_must_have_needs_grade_4_or_5_and_null_fails(fit: int | None, expected: bool) -> None:
    assert passes_shortlist(result("a", fit=fit), must_have=["fit"]) is expected


@pytest.mark.parametrize(
    ("risk", "expected"), [(5, True), (4, True), (3, True), (2, False), (1, False), (None, True)]
)
def test_blocker_rejects_below_3_and_null_does_not(risk: int | None, expected: bool) -> None:
    assert passes_shortlist(result("a", risk=risk), blockers=["risk"]) is expected


def test_missing_score_fails_must_have_but_not_blocker() -> None:
    bare = result("bare")
    assert not passes_shortlist(bare, must_have=["fit"])
    assert passes_shortlist(bare, blockers=["risk"])


def test_combined_rule_keeps_order() -> None:
    rows = [
        result("a", fit=5, risk=3),  # keep
        result("b", fit=4, risk=2),  # blocker
        result("c", fit=3, risk=5),  # must-have
        result("d", fit=4, risk=None),  # keep: null blocker
        result("e", fit=None, risk=5),  # null must-have
        result("f", fit=5, risk=5, other=1),  # keep: "other" is neither
    ]
    kept = shortlist(rows, must_have=["fit"], blockers=["risk"], criteria=CRITERIA)
    assert [r.id for r in kept] == ["a", "d", "f"]


def test_every_must_have_must_pass() -> None:
    rows = [result("a", fit=5, other=4), result("b", fit=5, other=3)]
    assert [r.id for r in shortlist(rows, must_have=["fit", "other"])] == ["a"]


def test_no_keys_keeps_everything() -> None:
    rows = [result("a", fit=1), result("b")]
    assert shortlist(rows) == rows


def test_unknown_key_names_it() -> None:
    with pytest.raises(InvalidArgumentError, match="'nope'") as info:
        shortlist([result("a", fit=5)], must_have=["nope"], criteria=CRITERIA)
    assert info.value.argument == "must_have"
    assert "fit" in str(info.value)
    with pytest.raises(InvalidArgumentError, match="'bad'") as info:
        shortlist([], blockers=["bad"], criteria=["fit", "risk"])
    assert info.value.argument == "blockers"


def test_unknown_key_is_refused_using_the_results_scores() -> None:
    rows = [result("a", fit=5, risk=3), result("b", fit=4, risk=None)]
    with pytest.raises(InvalidArgumentError, match="'fitt'") as info:
        shortlist(rows, must_have=["fitt"])
    assert info.value.argument == "must_have"
    assert "fit, risk" in str(info.value)
    with pytest.raises(InvalidArgumentError, match="'nope'") as info:
        shortlist(rows, blockers=["nope"])
    assert info.value.argument == "blockers"
    # Known keys still work without criteria=.
    assert [r.id for r in shortlist(rows, must_have=["fit"], blockers=["risk"])] == ["a", "b"]


def test_results_without_any_score_refuse_every_key() -> None:
    with pytest.raises(InvalidArgumentError, match="no result has a criterion score"):
        shortlist([result("bare")], must_have=["fit"])


def test_nothing_to_check_against_keeps_nothing_quietly() -> None:
    assert shortlist([], must_have=["anything"]) == []


def test_strict_false_treats_an_unknown_key_as_a_missing_grade() -> None:
    rows = [result("a", fit=5)]
    assert shortlist(rows, must_have=["unknown"], strict=False) == []
    assert shortlist(rows, blockers=["unknown"], strict=False) == rows


def test_empty_key_is_invalid() -> None:
    with pytest.raises(InvalidArgumentError):
        shortlist([], must_have=[""])


def test_a_single_string_is_one_key() -> None:
    rows = [result("a", fit=5), result("b", fit=2)]
    assert [r.id for r in shortlist(rows, must_have="fit")] == ["a"]
