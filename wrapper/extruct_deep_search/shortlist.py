"""The Deep Search guide's shortlist rule, as a function.

Extruct's Deep Search guide ("Retrieve results", step 3) says to keep results with
"grade 4-5 on must-have criteria and no grade below 3 on blockers". This module
applies exactly that rule:

- a result passes a **must-have** criterion when its grade is 4 or 5;
- a result fails a **blocker** criterion when its grade is 1 or 2.

A null or missing grade (the API sets ``grade`` to null when an evaluation
failed) **fails a must-have**, because a must-have needs positive evidence,
and **does not fail a blocker**, because a blocker needs evidence against the
company and "no grade" is not "a grade below 3". Review such results by hand
using the explanation and sources, as the guide advises.

Usage::

    from extruct_deep_search import DeepSearch
    from extruct_deep_search.shortlist import shortlist

    with DeepSearch() as ds:
        run = ds.run("Vertical SaaS for dental clinics", criteria=[...])
    keep = shortlist(run.results, must_have=["dental"], blockers=["b2b"],
                     criteria=run.task.criteria)
    shortlist(run.results, must_have=["dentl"])  # InvalidArgumentError: unknown key 'dentl'

A key that is not one of the task's criteria is an error (``strict=True``, the
default): the criteria are ``criteria=`` when given, else the keys the results
were graded on.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ._errors import InvalidArgumentError
from ._types import Criterion, Result

__all__ = ["passes_shortlist", "shortlist"]

MUST_HAVE_MIN_GRADE = 4
BLOCKER_MIN_GRADE = 3


def _check_keys(argument: str, keys: Sequence[str], known: set[str] | None) -> None:
    for index, key in enumerate(keys):
        if not isinstance(key, str) or not key:
            raise InvalidArgumentError(f"{argument}[{index}]", "must be a non-empty criterion key")
        if known is not None and key not in known:
            choices = ", ".join(sorted(known)) or "(none: no result has a criterion score)"
            raise InvalidArgumentError(
                argument, f"unknown criterion key {key!r}; the task's criteria are: {choices}"
            )


def _known_keys(
    results: Sequence[Result], criteria: Iterable[Criterion | str] | None
) -> set[str] | None:
    """The keys a must-have or blocker may name: the given criteria, else the results' scores.

    None (nothing to check against) only when there are no results and no criteria.
    """
    if criteria is not None:
        return {c.key if isinstance(c, Criterion) else str(c) for c in criteria}
    if not results:
        return None
    return {key for result in results for key in result.scores}


def passes_shortlist(
    result: Result, must_have: Iterable[str] = (), blockers: Iterable[str] = ()
) -> bool:
    """Whether one result passes the guide's rule (see the module docstring).

    Args:
        result: a Deep Search result.
        must_have: criterion keys that need a grade of 4 or 5 (null fails).
        blockers: criterion keys on which a grade below 3 rejects (null passes).

    Returns:
        True when every must-have grade is 4-5 and no blocker grade is below 3.
    """
    for key in must_have:
        grade = _grade(result, key)
        if grade is None or grade < MUST_HAVE_MIN_GRADE:
            return False
    for key in blockers:
        grade = _grade(result, key)
        if grade is not None and grade < BLOCKER_MIN_GRADE:
            return False
    return True


def _grade(result: Result, key: str) -> int | None:
    # The rule's own reading: a missing score is a missing grade (keys are checked
    # once per call in shortlist(), not per result).
    score = result.scores.get(key)
    return score.grade if score is not None else None


def shortlist(
    results: Iterable[Result],
    must_have: Sequence[str] = (),
    blockers: Sequence[str] = (),
    *,
    criteria: Iterable[Criterion | str] | None = None,
    strict: bool = True,
) -> list[Result]:
    """Keep the results that pass the guide's shortlist rule, in their original order.

    Args:
        results: results of a task (e.g. ``DeepSearch.results(task_id)``).
        must_have: criterion keys that need a grade of 4 or 5 on every result kept;
            a null or missing grade fails.
        blockers: criterion keys on which a grade of 1 or 2 rejects a result;
            a null or missing grade does not reject.
        criteria: the task's criteria (``task.criteria``, or their keys). Default:
            the keys the results were graded on (their ``scores``).
        strict: refuse a key that is not one of the criteria (a typo would
            otherwise fail every must-have and silently keep nothing). With
            ``strict=False`` an unknown key is a missing grade.

    Returns:
        The results that pass. With no keys at all, every result passes.

    Raises:
        InvalidArgumentError: an empty key, or (with ``strict``) a key that is
            not one of the criteria; the message lists the known keys.
    """
    results = list(results)
    must_have = [must_have] if isinstance(must_have, str) else list(must_have)
    blockers = [blockers] if isinstance(blockers, str) else list(blockers)
    known = _known_keys(results, criteria) if strict else None
    _check_keys("must_have", must_have, known)
    _check_keys("blockers", blockers, known)
    return [r for r in results if passes_shortlist(r, must_have, blockers)]
