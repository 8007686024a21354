"""DeepSearchOperator: one Deep Search as one Airflow task, deferrable and durable.

- **Deferrable** (default): the worker creates the task and defers to
  :class:`~extruct_deep_search.airflow.DeepSearchTrigger`, so no worker slot is
  held while it runs; the worker comes back only to read the results.
  ``deferrable=False`` waits on the worker instead.
- **Durable** (default, Airflow 3.3+): through ``airflow.sdk.ResumableJobMixin``
  the Extruct task id is kept in the task state store, so a retried or
  restarted task instance re-attaches to its running or done task instead of
  paying for a new one (a failed task is created afresh). Before the create
  POST a pending claim with the request fingerprint and send time is recorded
  there too (:class:`~extruct_deep_search.airflow.TaskStateJournal`), under a
  key derived from dag_id, task_id, run_id and map_index. A try killed
  between the POST and storing the id leaves only that claim; the next try
  finds the task in the task list (the client's create recovery) instead of
  paying for a second one.
- **Output**: a JSON dict in XCom (task id, status, counts, results as
  records), or with ``results_path`` a JSONL, CSV or Parquet file and only the
  path and counts in XCom.

Usage::

    from extruct_deep_search.airflow import DeepSearchOperator

    DeepSearchOperator(
        task_id="dental_saas",
        query="Vertical SaaS for dental clinics in Europe",
        desired_num_results=50,
        criteria=[{"key": "dental", "name": "Dental", "criterion": "Builds software for dentists"}],
        results_path="/data/extruct/{{ ds }}/dental.parquet",
    )
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import timedelta
from functools import cached_property
from typing import Any

import attrs
from airflow.sdk import BaseOperator
from airflow.sdk.exceptions import AirflowException, AirflowFailException

from .._core.validation import create_params
from .._errors import (
    AuthenticationError,
    ExtructError,
    InvalidArgumentError,
    NotFoundError,
    PaymentRequiredError,
    PermissionDeniedError,
    RateLimitError,
    TaskFailedError,
    UnprocessableEntityError,
    WaitTimeoutError,
)
from .._types import Criterion, Task
from .hook import DeepSearchHook
from .journal import TaskStateJournal
from .output import file_format, records, resolve_path, write_results
from .trigger import DeepSearchTrigger

try:
    from airflow.sdk import ResumableJobMixin
except ImportError:  # Airflow before 3.3: no task state store, every try creates

    class ResumableJobMixin:  # type: ignore[no-redef]
        """Stand-in for Airflow < 3.3: submit, wait, read; nothing is persisted."""

        def __init__(self, *, durable: bool = True, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.durable = False

        def execute_resumable(self, context: Any) -> Any:
            external_id = self.submit_job(context)  # type: ignore[attr-defined]
            self.poll_until_complete(external_id, context)  # type: ignore[attr-defined]
            return self.get_job_result(external_id, context)  # type: ignore[attr-defined]


__all__ = ["DeepSearchOperator", "default_key"]

NOT_FOUND = "not_found"
"""The status recorded for a stored task id the API no longer knows."""

# The deferral's own timeout exceeds the trigger's end_time by this much, so the
# trigger's clear "timeout" event arrives before Airflow's generic one.
_DEFER_MARGIN = 120.0


def default_key(context: Mapping[str, Any]) -> str:
    """The key of a task instance: one Extruct task per dag run, task and map index."""
    ti = context["ti"]
    return f"airflow:{ti.dag_id}:{ti.task_id}:{ti.run_id}:{ti.map_index}"


def _native(value: Any) -> Any:
    """A rendered template that holds a JSON list or number, as that value."""
    if isinstance(value, str) and (value.strip()[:1] in ("[", "{") or value.strip().isdigit()):
        return json.loads(value)
    return value


def _plain_criteria(criteria: Sequence[Criterion | Mapping[str, str]] | str | None) -> Any:
    """Criteria as plain dicts, so the DAG serializes and templates them."""
    if criteria is None or isinstance(criteria, str):
        return criteria
    return [attrs.asdict(c) if isinstance(c, Criterion) else dict(c) for c in criteria]


@contextmanager
def _airflow_errors(what: str) -> Iterator[None]:
    """Client errors as Airflow exceptions; those a retry cannot fix fail without retrying."""
    try:
        yield
    except PaymentRequiredError as exc:
        raise AirflowFailException(
            f"{what}: Extruct refused it for the plan or credits ({exc}); "
            "add credits or change the plan, a retry will not help"
        ) from exc
    except RateLimitError as exc:
        if exc.retry_after is None:
            raise AirflowException(
                f"{what}: quota stop, HTTP 429 without Retry-After ({exc}); "
                "the organization's quota is used up; a retry after retry_delay tries again"
            ) from exc
        raise AirflowException(f"{what}: rate limited ({exc})") from exc
    except (AuthenticationError, PermissionDeniedError) as exc:
        raise AirflowFailException(
            f"{what}: {exc}; check the API token of the Airflow connection"
        ) from exc
    except (InvalidArgumentError, UnprocessableEntityError) as exc:
        raise AirflowFailException(f"{what}: invalid request: {exc}") from exc
    except TaskFailedError as exc:
        raise AirflowException(f"Extruct task {exc.task.id} failed") from exc
    except WaitTimeoutError as exc:
        raise AirflowException(f"{what}: {exc}; the task keeps running") from exc
    except ExtructError as exc:
        raise AirflowException(f"{what}: {type(exc).__name__}: {exc}") from exc


class DeepSearchOperator(ResumableJobMixin, BaseOperator):
    """Run one Extruct Deep Search and return its results.

    Args:
        query: natural-language description of the companies to find (templated).
        desired_num_results: 1-250 (templated).
        criteria: ``Criterion`` objects or ``{"key", "name", "criterion"}`` dicts (templated).
        exclude_domains: domains or URLs never to return (templated).
        exclude_task_ids: ids of done tasks whose results to exclude.
        data_sources: any of web_search, linkedin, maps.
        key: names this search across tries (templated); default
            ``airflow:<dag_id>:<task_id>:<run_id>:<map_index>``.
        conn_id: the ``extruct`` connection.
        deferrable: wait in the triggerer (default) instead of on the worker.
        durable: re-attach a retried try to its task (Airflow 3.3+).
        poll_interval: seconds between polls.
        timeout: seconds to wait for the task (None: no limit); the Extruct task
            keeps running after it, and a durable retry re-attaches to it.
        results_path: write the results here (a local path, a URL such as
            ``s3://bucket/x.parquet``, or an ``ObjectStoragePath``; templated)
            instead of returning them in XCom.
        results_format: ``jsonl``, ``csv`` or ``parquet``; default from the suffix.
        page_size: results per page when reading them.

    Returns (XCom):
        ``{"task_id", "key", "status", "query", "is_exhausted", "num_results", ...,
        "num_records", "results": [...]}``, or ``"results_path"`` and
        ``"results_format"`` in place of ``"results"``.
    """

    template_fields: Sequence[str] = (
        "query",
        "criteria",
        "exclude_domains",
        "desired_num_results",
        "key",
        "results_path",
    )
    template_fields_renderers = {"criteria": "json", "exclude_domains": "json"}
    ui_color = "#e8f0fe"
    external_id_key = "extruct_task_id"

    def __init__(
        self,
        *,
        query: str,
        desired_num_results: int | str = 100,
        criteria: Sequence[Criterion | Mapping[str, str]] | str | None = None,
        exclude_domains: Sequence[str] | str | None = None,
        exclude_task_ids: Sequence[str] | None = None,
        data_sources: Sequence[str] | None = None,
        key: str | None = None,
        conn_id: str = DeepSearchHook.default_conn_name,
        deferrable: bool = True,
        durable: bool = True,
        poll_interval: float = 10.0,
        timeout: float | None = 3600.0,
        results_path: Any = None,
        results_format: str | None = None,
        page_size: int = 50,
        **kwargs: Any,
    ) -> None:
        super().__init__(durable=durable, **kwargs)
        self.query = query
        self.desired_num_results = desired_num_results
        self.criteria = _plain_criteria(criteria)
        self.exclude_domains = None if exclude_domains is None else _native(exclude_domains)
        self.exclude_task_ids = None if exclude_task_ids is None else list(exclude_task_ids)
        self.data_sources = None if data_sources is None else list(data_sources)
        self.key = key
        self.conn_id = conn_id
        self.deferrable = deferrable
        self.poll_interval = poll_interval
        self.timeout = timeout
        self.results_path = results_path
        self.results_format = results_format
        self.page_size = page_size
        self._journal: TaskStateJournal | None = None
        self._stale_task_id: str | None = None
        self._output: dict[str, Any] | None = None
        self._last_id: str | None = None

    @cached_property
    def hook(self) -> DeepSearchHook:
        """The hook of ``conn_id``."""
        return DeepSearchHook(self.conn_id)

    # Entry points.

    def execute(self, context: Any) -> dict[str, Any]:
        """Create (or re-attach to) the task, wait or defer, and return the output."""
        self.key = self.key or default_key(context)
        if self.durable and context.get("task_state_store") is not None:
            self._journal = TaskStateJournal.from_context(context)
        self.execute_resumable(context)  # a deferral leaves here by TaskDeferred
        if self._output is None:  # the mixin re-attached and waited: read the results
            return self.get_job_result(self._last_id, context)
        return self._output

    def execute_complete(self, context: Any, event: dict[str, Any]) -> dict[str, Any]:
        """Resume after the trigger's event: read the results, or raise what happened."""
        status, task_id, message = event["status"], event["task_id"], event.get("message", "")
        if status == "done":
            self.key = self.key or default_key(context)
            return self.get_job_result(task_id, context)
        if status == "failed":
            raise AirflowException(f"Extruct task {task_id} failed")
        if status == "timeout":
            again = "; a retry re-attaches to it" if self.durable else ""
            raise AirflowException(f"{message}{again}")
        raise AirflowException(f"waiting for Extruct task {task_id}: {message}")

    # ResumableJobMixin.

    def submit_job(self, context: Any) -> str:
        """Create the Extruct task of this task instance's key, exactly once across tries.

        The client's keyed create does the work (``DeepSearch.create(key=)``),
        with the task state store as its journal: a recorded task id is
        re-attached; a pending claim an earlier try left (killed between the
        POST and recording the id) is recovered from the task list since its
        recorded send time, or created once if that POST never arrived.
        """
        with _airflow_errors("invalid DeepSearchOperator arguments"):
            args = self._create_arguments()
        key = str(self.key)
        journal = self._journal
        if journal is not None:
            entry = journal.get(key)
            if entry is not None and entry.task_id is not None:
                if entry.task_id == self._stale_task_id:
                    journal.forget(key)  # its task failed or vanished: this try creates afresh
                else:
                    self.log.info("Re-attaching to Extruct task %s of key %s", entry.task_id, key)
        with (
            _airflow_errors("creating the Extruct task"),
            self.hook.get_client(journal=journal) as ds,
        ):
            return self._created(ds.create(**args, key=key))

    def get_job_status(self, external_id: Any, context: Any) -> str:
        """The stored task's status, or ``not_found``."""
        with _airflow_errors(f"reading Extruct task {external_id}"), self.hook.get_client() as ds:
            try:
                status = str(ds.get(str(external_id)).status)
            except NotFoundError:
                status = NOT_FOUND
        if not (self.is_job_active(status) or self.is_job_succeeded(status)):
            self._stale_task_id = str(external_id)
        return status

    def is_job_active(self, status: str) -> bool:
        """Created, in progress, or a status this client does not know yet."""
        return status not in ("done", "failed", NOT_FOUND)

    def is_job_succeeded(self, status: str) -> bool:
        """Done."""
        return status == "done"

    def poll_until_complete(self, external_id: Any, context: Any) -> None:
        """Defer to the trigger, or (``deferrable=False``) wait here."""
        task_id = self._created_id(str(external_id))
        if self.deferrable:
            end_time = None if self.timeout is None else time.time() + self.timeout
            self.defer(
                trigger=DeepSearchTrigger(task_id, self.conn_id, self.poll_interval, end_time),
                method_name="execute_complete",
                timeout=self.execution_timeout
                or (
                    None
                    if self.timeout is None
                    else timedelta(seconds=self.timeout + _DEFER_MARGIN)
                ),
            )
        with _airflow_errors(f"waiting for Extruct task {task_id}"), self.hook.get_client() as ds:
            task = ds.wait(
                task_id,
                poll_interval=self.poll_interval,
                timeout=self.timeout,
                on_progress=self._progress,
            )
        self.log.info("Extruct task %s is %s", task.id, task.status)

    def get_job_result(self, external_id: Any, context: Any) -> dict[str, Any]:
        """Read the done task and its results; return the XCom value (or write the file)."""
        task_id = str(external_id)
        with _airflow_errors(f"reading Extruct task {task_id}"), self.hook.get_client() as ds:
            task = ds.get(task_id)
            results = ds.results(task_id, page_size=self.page_size)
        if task.is_exhausted and task.num_results < task.desired_num_results:
            self.log.warning(
                "Extruct task %s exhausted its candidate pool: %d of %d results asked for",
                task.id,
                task.num_results,
                task.desired_num_results,
            )
        if self.results_path:
            path = resolve_path(self.results_path)
            with _airflow_errors("results_path"):
                fmt = file_format(path, self.results_format)
            self._output = write_results(task, self.key, results, path, fmt)
            self.log.info("Wrote %d results of task %s to %s", len(results), task.id, path)
        else:
            self._output = records(task, self.key, results)
        return self._output

    # Helpers.

    def _create_arguments(self) -> dict[str, Any]:
        """The validated create arguments, as keywords of ``DeepSearch.create``."""
        params = create_params(
            query=self.query,
            desired_num_results=_native(self.desired_num_results),
            criteria=_native(self.criteria),
            exclude_domains=_native(self.exclude_domains),
            exclude_task_ids=self.exclude_task_ids,
            data_sources=self.data_sources,
        )

        def listed(value: tuple[Any, ...] | None) -> list[Any] | None:
            return None if value is None else list(value)

        return {
            "query": params.query,
            "desired_num_results": params.desired_num_results,
            "criteria": listed(params.criteria),
            "exclude_domains": listed(params.exclude_domains),
            "exclude_task_ids": listed(params.exclude_task_ids),
            "data_sources": listed(params.data_sources),
        }

    def _created(self, task: Task) -> str:
        self.log.info("Extruct task %s (key %s) is %s", task.id, self.key, task.status)
        return self._created_id(task.id)

    def _created_id(self, task_id: str) -> str:
        self._last_id = task_id
        return task_id

    def _progress(self, task: Task) -> None:
        self.log.info(
            "Extruct task %s: %s, %d evaluated, %d results",
            task.id,
            task.status,
            task.num_results_evaluated,
            task.num_results,
        )
