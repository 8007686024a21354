"""Many searches at once: :class:`Search`, :class:`SearchOutcome` and the batch rules.

``DeepSearch.run_many`` (and its async twin) runs a list of searches with at
most ``max_active`` tasks running at a time, polls them all through the task
list (``_core/listpoll.py``), and yields one :class:`SearchOutcome` per search
as it finishes. Every search is keyed through the client's journal, so
rerunning the same batch after a crash re-attaches to the tasks already
created and creates only the missing ones.

Quota: a 402, or a 429 without Retry-After, means quota or billing (Extruct's
guidance). It stops the batch from starting new searches; running ones finish,
and the outcomes of searches not started say so. A rerun continues.

``exclude_found=True`` pays once per company: searches start in waves of
``max_active``, and each wave excludes the companies that earlier waves found
(their task ids, at most 100, then their result domains). The server caps the
resolved exclusion set (the search's own domains and every excluded task's
results) at 1000 domains and refuses more with a 422, so found tasks count
by their domains, newest first, and a task that would cross the cap is left
out: past 1000 companies found, some may be paid for twice. The trade-off:
less parallelism (a wave waits for the one before it) for fewer companies
paid for twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import attrs

from ._core import validation
from ._core.keys import validate_key
from ._core.params import CreateParams
from ._errors import ExtructError, InvalidArgumentError
from ._types import Criterion, Result, Task

__all__ = ["QuotaStoppedError", "Search", "SearchOutcome"]

MAX_SEARCHES = 10_000


@attrs.frozen(init=False)
class Search:
    """One search of a batch, validated when it is built (the rules and messages of create).

    Args:
        query: natural-language description of the companies to find.
        key: names the search across runs; derived from the parameters when omitted,
            so rerunning the same list re-attaches.
        desired_num_results, criteria, exclude_domains, exclude_task_ids, data_sources:
            as for ``create``.

    Usage::

        Search("dental SaaS in Germany", desired_num_results=50)
    """

    params: CreateParams
    key: str

    def __init__(
        self,
        query: str,
        *,
        key: str | None = None,
        desired_num_results: int = 100,
        criteria: Sequence[Criterion] | None = None,
        exclude_domains: Sequence[str] | None = None,
        exclude_task_ids: Sequence[str] | None = None,
        data_sources: Sequence[str] | None = None,
    ) -> None:
        params = validation.create_params(
            query=query,
            desired_num_results=desired_num_results,
            criteria=criteria,
            exclude_domains=exclude_domains,
            exclude_task_ids=exclude_task_ids,
            data_sources=data_sources,
        )
        self.__attrs_init__(params=params, key=validate_key(key) or derived_key(params))

    @property
    def query(self) -> str:
        """The search's query."""
        return self.params.query


def derived_key(params: CreateParams) -> str:
    """A key that stays the same across runs for the same parameters."""
    return "search-" + params.fingerprint()[:20]


@attrs.frozen
class SearchOutcome:
    """How one search of a batch ended.

    Attributes:
        search: the search.
        task: its task as last seen (None when it was never created).
        results: its results, in relevance order (empty on error).
        error: None on success; the error otherwise (``QuotaStoppedError`` when
            it was not started because of a quota stop).
    """

    search: Search
    task: Task | None
    results: list[Result]
    error: ExtructError | None = None

    @property
    def ok(self) -> bool:
        """True when the search finished with status done."""
        return self.error is None


class QuotaStoppedError(ExtructError):
    """The search was not started: an earlier search hit a quota or billing limit.

    Rerun the batch (with the same journal) once the quota allows; it continues.
    """


def check_searches(searches: Iterable[Search]) -> list[Search]:
    """The batch as a list, read once: Search values with distinct keys, before any request."""
    if isinstance(searches, str | bytes | Search) or not isinstance(searches, Iterable):
        raise InvalidArgumentError("searches", "must be a list of Search(...) values")
    batch = list(searches)
    if len(batch) > MAX_SEARCHES:
        raise InvalidArgumentError(
            "searches", f"holds {len(batch)} searches; at most {MAX_SEARCHES} per batch"
        )
    keys: dict[str, int] = {}
    for i, search in enumerate(batch):
        if not isinstance(search, Search):
            raise InvalidArgumentError(
                f"searches[{i}]", f"must be a Search(...), got {type(search).__name__}"
            )
        if search.key in keys:
            raise InvalidArgumentError(
                f"searches[{i}].key",
                f"{search.key!r} is also the key of searches[{keys[search.key]}]; "
                "keys must be distinct (identical searches derive identical keys)",
            )
        keys[search.key] = i
    return batch
