# DO NOT EDIT. Generated from _async.py by scripts/unasync.py: edit that file, then run nox -s generate.
"""DeepSearch: the blocking client. It only drives the flows in ``_flows.py``
with ``httpx.Client`` and ``time.sleep``; every rule lives in the flows and
``_core/``, shared with the asyncio twin in ``_async.py``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from types import TracebackType
from typing import Any, TypeVar

import httpx

from . import _batch, _config, _create, _flows
from ._base import _DEFAULT, MAX_RESPONSE_BYTES, BaseClient
from ._core import validation
from ._core.body import BodyDecoder
from ._core.effects import (
    Await,
    Emit,
    Jitter,
    KeyEffect,
    Now,
    Outcome,
    RequestSpec,
    Send,
    Sleep,
    WallNow,
)
from ._core.keys import validate_key
from ._core.retry import RetryPolicy
from ._core.validation import create_params, positive_count
from ._errors import InvalidArgumentError
from ._flows import Flow
from ._keyring import JournalArg
from ._progress import ProgressBar, ProgressCallback, progress_hook, settle
from ._transport import Connections, deadline
from ._types import Criterion, Result, SearchRun, Task
from .batch import Search, SearchOutcome, check_searches

__all__ = ["DeepSearch"]

T = TypeVar("T")


class DeepSearch(BaseClient):
    """Client for Extruct Deep Search (blocking).

    Usage::

        from extruct_deep_search import DeepSearch

        with DeepSearch() as ds:  # token from EXTRUCT_API_TOKEN
            run = ds.run("B2B payroll software for restaurants", desired_num_results=50)
            for result in run.results:
                print(result.relevance, result.company_name, result.company_website)

    Args:
        token: API token; defaults to the EXTRUCT_API_TOKEN environment variable.
        base_url: defaults to EXTRUCT_BASE_URL, then https://api.extruct.ai.
        timeout: per-request timeout in seconds, or an ``httpx.Timeout`` (finite).
        max_retries: re-sends after a failed attempt (see RELIABILITY.md for which).
        http_client: an ``httpx.Client`` to use (not closed by ``close()``).
        retry_policy: full retry configuration; overrides ``max_retries``.
        poll_interval: default seconds between polls in ``wait`` and ``stream_results``
            (None: 10 s, or 0.5 s when the base URL is a loopback address such as a
            local sandbox).
        wait_timeout: default overall timeout of ``wait`` (None: forever).
        allow_insecure_http: allow plain http to a non-loopback host.
        max_concurrent_requests: requests in flight at once from this client; the
            rest queue here. Thousands of concurrent waits stay cheap this way:
            httpx's pool gets slow when many requests wait inside it.

    Raises:
        InvalidArgumentError: no token, or an invalid setting.
    """

    # Whether an on_progress returning an awaitable is awaited (here) or refused.
    _async_callbacks = False

    def __init__(
        self,
        token: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | httpx.Timeout = _config.DEFAULT_TIMEOUT,
        max_retries: int = 2,
        http_client: httpx.Client | None = None,
        retry_policy: RetryPolicy | None = None,
        poll_interval: float | None = None,
        wait_timeout: float | None = _config.DEFAULT_WAIT_TIMEOUT,
        allow_insecure_http: bool = False,
        max_concurrent_requests: int = 20,
        journal: JournalArg = None,
        _sleep: Callable[[float], None] | None = None,
        _clock: Callable[[], float] | None = None,
        _wall_clock: Callable[[], float] | None = None,
        _random: Callable[[], float] | None = None,
    ) -> None:
        super().__init__(
            token,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            retry_policy=retry_policy,
            poll_interval=poll_interval,
            wait_timeout=wait_timeout,
            allow_insecure_http=allow_insecure_http,
            clock=_clock,
            wall_clock=_wall_clock,
            random_=_random,
            journal=journal,
        )
        if http_client is not None and not isinstance(http_client, httpx.Client):
            raise InvalidArgumentError("http_client", "must be an httpx.Client")
        self._connections = Connections(
            http_client, positive_count("max_concurrent_requests", max_concurrent_requests)
        )
        self._sleep = _sleep or time.sleep

    # Lifecycle.

    def close(self) -> None:
        """Close the connection pool (unless the http_client was given to us).

        Calling it again does nothing; any request after it raises an
        ExtructError and sends nothing.
        """
        self._connections.close()

    def __enter__(self) -> DeepSearch:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # The driver.

    def _send(self, spec: RequestSpec) -> Outcome:
        try:
            http, slots = self._connections.current()
            request = self._build(http, spec)
        except Exception as exc:
            return self._failed(spec, exc)
        with slots:
            started = self._clock()
            end = started + self._attempt_seconds
            response: httpx.Response | None = None
            try:
                with deadline(self._attempt_seconds):
                    response = http.send(request, stream=True, follow_redirects=False)
                    try:
                        content = self._read_already(response)
                        if content is None:
                            body = BodyDecoder(self._encodings(response), MAX_RESPONSE_BYTES)
                            for chunk in response.iter_raw():
                                body.feed(chunk)
                                self._check_deadline(end)
                            content = body.finish()
                    finally:
                        response.close()
            except Exception as exc:
                return self._failed(spec, exc, response)
            return self._received(request, response, content, started)

    def _perform(self, effect: object) -> Any:
        if isinstance(effect, Send):
            return self._send(effect.request)
        if isinstance(effect, Sleep):
            self._sleep(effect.seconds)
            return None
        if isinstance(effect, Now):
            return self._clock()
        if isinstance(effect, WallNow):
            return self._wall_clock()
        if isinstance(effect, Jitter):
            return self._random()
        if isinstance(effect, Await):
            settle(effect.awaitable)
            return None
        if isinstance(effect, KeyEffect):
            return self._keys.perform(effect)
        raise TypeError(f"unexpected effect {effect!r}")  # pragma: no cover

    def _drive(self, flow: Flow[T], bar: ProgressBar | None = None) -> T:
        answer: Any = None
        error: BaseException | None = None
        try:
            while True:
                try:
                    effect = flow.send(answer) if error is None else flow.throw(error)
                except StopIteration as stop:
                    return stop.value  # type: ignore[no-any-return]
                try:
                    answer, error = self._perform(effect), None
                # The flow sees every error where it asked, as from a call: an
                # interrupt or a cancellation too, so it can release what it holds.
                except BaseException as exc:
                    answer, error = None, exc
        finally:
            if bar is not None:
                bar.close()

    def _drive_iter(self, flow: Flow[Any], bar: ProgressBar | None = None) -> Iterator[Any]:
        answer: Any = None
        error: BaseException | None = None
        try:
            while True:
                try:
                    effect = flow.send(answer) if error is None else flow.throw(error)
                except StopIteration:
                    return
                answer, error = None, None
                if isinstance(effect, Emit):
                    yield from effect.items
                    continue
                try:
                    answer = self._perform(effect)
                except BaseException as exc:  # as in _drive
                    error = exc
        finally:
            if bar is not None:
                bar.close()

    # The API.

    def create(
        self,
        query: str,
        *,
        desired_num_results: int = 100,
        criteria: Iterable[Criterion] | None = None,
        exclude_domains: Iterable[str] | None = None,
        exclude_task_ids: Iterable[str] | None = None,
        data_sources: Iterable[str] | None = None,
        key: str | None = None,
    ) -> Task:
        """Create a Deep Search task; returns at once with the new task.

        Args:
            query: natural-language description of the companies to find.
            desired_num_results: 1-250 (default 100).
            criteria: up to a handful of :class:`Criterion`; inferred from the query if omitted.
            exclude_domains: domains or URLs never to return (at most 1000 unique
                registered domains).
            exclude_task_ids: up to 100 ids of *done* tasks whose results to exclude.
            data_sources: any of web_search, linkedin, maps (default: chosen automatically).
            key: names this search (1-200 printable characters). A later call with the
                same key, in this process or another sharing the ``journal``, returns
                the key's task instead of creating one; other parameters with the same
                key are an InvalidArgumentError. See README, "Pay once".

        Each iterable is read once (a generator is fine). A create whose answer was
        lost after it may have reached the server is recovered from the task list,
        never sent twice (``_core/recovery.py``).

        Raises:
            InvalidArgumentError: before any request, for any invalid argument.
            APIError: BadRequestError (an exclude task not done), PermissionDeniedError,
                NotFoundError, UnprocessableEntityError, ...
        """
        params = create_params(
            query=query,
            desired_num_results=desired_num_results,
            criteria=criteria,
            exclude_domains=exclude_domains,
            exclude_task_ids=exclude_task_ids,
            data_sources=data_sources,
        )
        key = validate_key(key)
        return self._drive(_create.create(params, self.retry_policy, self._token, key))

    def get(self, task_id: str) -> Task:
        """The task's current status and counters.

        Raises:
            NotFoundError: no such task in your workspace (the message names the id).
        """
        return self._drive(_flows.get(task_id, self.retry_policy, self._token))

    def list_tasks(self, *, limit: int = _config.DEFAULT_PAGE_SIZE, offset: int = 0) -> list[Task]:
        """One page of your organization's tasks, newest first."""
        return self._drive(_flows.list_tasks(limit, offset, self.retry_policy, self._token))

    def wait(
        self,
        task_id: str,
        *,
        poll_interval: float | None = None,
        timeout: float | None = _DEFAULT,
        on_progress: ProgressCallback | None = None,
        progress: bool = False,
    ) -> Task:
        """Poll until the task is done; returns the final task.

        Completion rule: status ``done`` or ``failed``. ``is_exhausted`` alone
        does not end the wait: evaluation may still be running.

        Args:
            poll_interval: seconds between polls (default: the client's).
            timeout: overall seconds to wait (default: the client's, 30 min; None: forever).
                The wait ends within ``timeout`` plus one request's timeout.
            on_progress: called with each task seen (a coroutine function is refused: use AsyncDeepSearch).
            progress: show a progress bar (rich if installed, else a line on stderr).

        Raises:
            TaskFailedError: the task failed (``.task`` is the last task seen).
            WaitTimeoutError: ``timeout`` passed (``.task`` is the last task seen).
        """
        plan = self._plan(poll_interval, timeout)
        hook, bar = progress_hook(on_progress, progress, allow_async=self._async_callbacks)
        return self._drive(_flows.wait(task_id, plan, self.retry_policy, self._token, hook), bar)

    def iter_results(
        self, task_id: str, *, page_size: int = _config.DEFAULT_PAGE_SIZE
    ) -> Iterator[Result]:
        """Every result, in relevance order, one page at a time (until a short page).

        On a running task this is a snapshot; use :meth:`stream_results` to
        follow a task to its end without losing or repeating results.
        """
        return self._drive_iter(
            _flows.iter_results(task_id, page_size, self.retry_policy, self._token)
        )

    def results(self, task_id: str, *, page_size: int = _config.DEFAULT_PAGE_SIZE) -> list[Result]:
        """All results as a list (see :meth:`iter_results`)."""
        return [r for r in self.iter_results(task_id, page_size=page_size)]

    def resume(self, task_id: str, desired_new_results: int = 25) -> Task:
        """Ask for more results (0-250; the task total is capped at 250).

        Raises:
            TaskExhaustedError: the task has no more candidates.
        """
        return self._drive(
            _flows.resume(task_id, desired_new_results, self.retry_policy, self._token)
        )

    def stream_results(
        self,
        task_id: str,
        *,
        page_size: int = _config.DEFAULT_PAGE_SIZE,
        poll_interval: float | None = None,
        timeout: float | None = _DEFAULT,
        on_progress: ProgressCallback | None = None,
        progress: bool = False,
    ) -> Iterator[Result]:
        """Yield each result once, as soon as it is seen, until the task finishes.

        Raises:
            TaskFailedError: after yielding what was found, if the task failed.
            WaitTimeoutError: ``timeout`` passed.
        """
        plan = self._plan(poll_interval, timeout)
        hook, bar = progress_hook(on_progress, progress, allow_async=self._async_callbacks)
        return self._drive_iter(
            _flows.stream(task_id, page_size, plan, self.retry_policy, self._token, hook), bar
        )

    def run_many(
        self,
        searches: Iterable[Search],
        *,
        max_active: int = 10,
        exclude_found: bool = False,
        on_progress: ProgressCallback | None = None,
        page_size: int = _config.DEFAULT_PAGE_SIZE,
        poll_interval: float | None = None,
        timeout: float | None = _DEFAULT,
    ) -> Iterator[SearchOutcome]:
        """Run many searches, at most ``max_active`` at a time; yield each as it finishes.

        Usage::

            searches = [Search(f"dental SaaS in {c}", desired_num_results=50) for c in countries]
            for outcome in ds.run_many(searches, max_active=5):
                print(outcome.search.key, outcome.error or len(outcome.results))

        Every search is keyed through the client's ``journal``: rerunning the same
        batch re-attaches to the tasks it already created. Running tasks are polled
        through the task list (one request per ``limit`` tasks, not one per task).
        A failure is an outcome with ``error`` set, not an exception; a quota stop
        (402, or 429 without Retry-After) starts no further search. See
        ``batch.py`` for the rules and ``exclude_found``'s trade-off.

        Args:
            searches: :class:`Search` values with distinct keys.
            max_active: tasks running at once (1-1000).
            exclude_found: each wave excludes the companies earlier waves found.
            on_progress: called with each task as polled.
            page_size: results page size when reading a finished task.
            poll_interval: seconds between poll cycles (default: the client's).
            timeout: seconds each search may run before it ends as a WaitTimeoutError.
        """
        batch = check_searches(searches)
        active = validation.count_between("max_active", max_active, 1, validation.MAX_ACTIVE)
        size = validation.page_size(page_size)
        plan = self._plan(poll_interval, timeout)
        hook, _ = progress_hook(on_progress, False, allow_async=self._async_callbacks)
        return self._drive_iter(
            _batch.run_many(
                batch,
                max_active=active,
                exclude_found=bool(exclude_found),
                page_size=size,
                plan=plan,
                policy=self.retry_policy,
                secret=self._token,
                on_progress=hook,
            )
        )

    def run(
        self,
        query: str,
        *,
        desired_num_results: int = 100,
        criteria: Iterable[Criterion] | None = None,
        exclude_domains: Iterable[str] | None = None,
        exclude_task_ids: Iterable[str] | None = None,
        data_sources: Iterable[str] | None = None,
        poll_interval: float | None = None,
        timeout: float | None = _DEFAULT,
        on_progress: ProgressCallback | None = None,
        progress: bool = False,
        page_size: int = _config.DEFAULT_PAGE_SIZE,
        key: str | None = None,
    ) -> SearchRun:
        """Create a task, wait for it, and return it with all its results.

        Arguments are those of :meth:`create` and :meth:`wait`. With a ``key``, a
        later call re-attaches: it waits for the key's task and reads its results
        (a failed task raises TaskFailedError again). Any error raised
        once the task exists carries its id as ``.task_id`` and names it in its
        message: wait on that task instead of creating (and paying for) another.
        """
        params = create_params(
            query=query,
            desired_num_results=desired_num_results,
            criteria=criteria,
            exclude_domains=exclude_domains,
            exclude_task_ids=exclude_task_ids,
            data_sources=data_sources,
        )
        key = validate_key(key)
        plan = self._plan(poll_interval, timeout)
        hook, bar = progress_hook(on_progress, progress, allow_async=self._async_callbacks)
        return self._drive(
            _create.run(params, key, plan, page_size, self.retry_policy, self._token, hook), bar
        )

    def add_table_rows(
        self, table_id: str, inputs: Iterable[str], *, run: bool = False, batch_size: int = 100
    ) -> list[dict[str, Any]]:
        """Add one AI Tables row per input (e.g. a company website), in batches.

        Returns the created rows. Not retried after it may have arrived. When a
        later batch fails, the error's ``.created_rows`` holds the rows earlier
        batches created (its message names their ids), so a caller can resume
        from there without adding rows twice.
        """
        return self._drive(
            _flows.add_table_rows(table_id, inputs, run, batch_size, self.retry_policy, self._token)
        )
