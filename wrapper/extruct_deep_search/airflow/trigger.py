"""DeepSearchTrigger: waits for a Deep Search task in Airflow's triggerer.

While a deferred :class:`~extruct_deep_search.airflow.DeepSearchOperator`
waits, no worker slot is held: this trigger polls the task with
:meth:`AsyncDeepSearch.wait <extruct_deep_search.AsyncDeepSearch.wait>`,
which already rides out transient errors (connection drops, 5xx, 429 with
Retry-After) with its retry policy, and then yields exactly one event.

Event payloads (plain JSON)::

    {"status": "done",    "task_id": ..., "message": ..., "task_status": "done", "num_results": n}
    {"status": "failed",  ...}   the task failed
    {"status": "timeout", ...}   end_time passed; the task keeps running
    {"status": "error",   "task_id": ..., "message": ...}   polling gave up (auth, not found, ...)
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

from airflow.triggers.base import BaseTrigger, TriggerEvent

from .._config import DEFAULT_POLL_INTERVAL
from .._errors import TaskFailedError, WaitTimeoutError
from .._types import Task
from .hook import DeepSearchHook

__all__ = ["DeepSearchTrigger"]

# wait() needs a positive timeout; past end_time it still polls once.
_LAST_LOOK = 0.001


def _task_fields(task: Task | None) -> dict[str, Any]:
    if task is None:
        return {}
    return {
        "task_status": str(task.status),
        "is_exhausted": task.is_exhausted,
        "num_results": task.num_results,
        "num_results_evaluated": task.num_results_evaluated,
    }


class DeepSearchTrigger(BaseTrigger):
    """Wait for one Deep Search task to finish, then fire one event.

    Args:
        extruct_task_id: the Extruct task to wait for (``task_id`` is the Airflow
            task's, on every trigger).
        conn_id: the ``extruct`` connection (the token is read in the triggerer,
            never serialized).
        poll_interval: seconds between polls.
        end_time: Unix time after which to stop waiting (None: wait forever).
            Absolute, so a triggerer restart does not restart the clock.
    """

    def __init__(
        self,
        extruct_task_id: str,
        conn_id: str = DeepSearchHook.default_conn_name,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        end_time: float | None = None,
    ) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.extruct_task_id = extruct_task_id
        self.conn_id = conn_id
        self.poll_interval = poll_interval
        self.end_time = end_time

    def serialize(self) -> tuple[str, dict[str, Any]]:
        """The class path and plain keyword arguments to rebuild this trigger."""
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                "extruct_task_id": self.extruct_task_id,
                "conn_id": self.conn_id,
                "poll_interval": self.poll_interval,
                "end_time": self.end_time,
            },
        )

    def _event(self, status: str, message: str, task: Task | None = None) -> TriggerEvent:
        payload = {"status": status, "task_id": self.extruct_task_id, "message": message}
        return TriggerEvent({**payload, **_task_fields(task)})  # type: ignore[no-untyped-call]

    async def run(self) -> AsyncIterator[TriggerEvent]:
        """Poll until the task is done or failed, end_time passes, or polling gives up."""
        task_id = self.extruct_task_id
        timeout = None if self.end_time is None else max(self.end_time - time.time(), _LAST_LOOK)
        try:
            client = await DeepSearchHook(self.conn_id).get_async_client()
            async with client as ds:
                task = await ds.wait(task_id, poll_interval=self.poll_interval, timeout=timeout)
        except TaskFailedError as exc:
            yield self._event("failed", f"Extruct task {task_id} failed", exc.task)
        except WaitTimeoutError as exc:
            yield self._event(
                "timeout",
                f"Extruct task {task_id} not finished after {exc.elapsed:.0f}s of waiting "
                "(it keeps running)",
                exc.task,
            )
        except Exception as exc:  # client errors never hold the token
            yield self._event("error", f"{type(exc).__name__}: {exc}")
        else:
            yield self._event("done", f"Extruct task {task_id} is done", task)
