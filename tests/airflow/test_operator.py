"""DeepSearchOperator against the sandbox: deferral, completion, output, errors, re-attaching.

Each test drives the operator as Airflow's task runner does (``execute``,
then ``execute_complete`` on a fresh operator after the trigger's event),
with a task state store that keeps only JSON and is shared by the tries of
one task instance.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import crash_worker
import pytest
from airflow.sdk import ObjectStoragePath
from airflow.sdk.exceptions import AirflowException, AirflowFailException, TaskDeferred
from airflow_support import CONN_ENV, FakeStateStore, FakeTI, FileStateStore, conn_json
from extruct_deep_search import DeepSearch, PaymentRequiredError
from extruct_deep_search._core.validation import create_params
from extruct_deep_search.airflow import DeepSearchOperator, DeepSearchTrigger
from extruct_deep_search.airflow.journal import STORE_KEY, TaskStateJournal
from extruct_deep_search.airflow.operator import _airflow_errors, default_key
from extruct_deep_search.sandbox import Sandbox

pytestmark = pytest.mark.integration

CRITERIA = [{"key": "b2b", "name": "B2B", "criterion": "Sells primarily to other businesses"}]


def operator(**kwargs: Any) -> DeepSearchOperator:
    options: dict[str, Any] = {
        "task_id": "search",
        "query": "fintech startups in Berlin",
        "desired_num_results": 10,
        "criteria": CRITERIA,
        "poll_interval": 0.2,
    }
    return DeepSearchOperator(**{**options, **kwargs})


async def fire(trigger: DeepSearchTrigger) -> dict[str, Any]:
    """Run the trigger as the triggerer would; it must yield exactly one event."""
    payloads = [event.payload async for event in trigger.run()]
    assert len(payloads) == 1
    return payloads[0]


def deferred(op: DeepSearchOperator, context: dict[str, Any]) -> DeepSearchTrigger:
    with pytest.raises(TaskDeferred) as caught:
        op.execute(context)
    assert caught.value.method_name == "execute_complete"
    trigger = caught.value.trigger
    assert isinstance(trigger, DeepSearchTrigger)
    return trigger


def wait_done(base_url: str, token: str, task_id: str) -> None:
    with DeepSearch(token, base_url=base_url) as ds:
        ds.wait(task_id, poll_interval=0.2)


@pytest.fixture
def slow(monkeypatch: pytest.MonkeyPatch) -> Iterator[Sandbox]:
    """A sandbox whose tasks run for minutes, as the default connection."""
    with Sandbox(seed=2, speed=0.01) as sb:
        monkeypatch.setenv(CONN_ENV, conn_json(sb.base_url, sb.token))
        yield sb


async def test_defers_then_completes_with_results_in_xcom(
    extruct_conn: str, sandbox: Sandbox, api_token: str, make_context: Any
) -> None:
    before = sandbox.tasks_created(api_token)
    context = make_context()
    trigger = deferred(operator(), context)
    assert sandbox.tasks_created(api_token) == before + 1
    event = await fire(trigger)
    assert event["status"] == "done"

    output = operator().execute_complete(context, event)  # a fresh operator, as on resume

    assert output["task_id"] == trigger.extruct_task_id and output["status"] == "done"
    assert output["key"] == default_key(context)
    assert output["criteria_keys"] == ["b2b"]
    assert output["num_records"] == len(output["results"]) == output["num_results"] > 0
    first = output["results"][0]
    assert first["task_id"] == trigger.extruct_task_id and "b2b" in first["scores"]
    text = json.dumps(output)  # XCom needs plain JSON
    assert api_token not in text


def test_waits_on_the_worker_when_not_deferrable(
    extruct_conn: str, sandbox: Sandbox, api_token: str, make_context: Any
) -> None:
    output = operator(deferrable=False).execute(make_context())
    assert output["status"] == "done" and output["num_records"] == output["num_results"] > 0
    assert api_token not in json.dumps(output)


def test_records_the_claim_before_the_post_and_the_id_after(
    extruct_conn: str, store: FakeStateStore, make_context: Any
) -> None:
    context = make_context()
    trigger = deferred(operator(), context)
    journal = TaskStateJournal(store, try_number=2)
    entry = journal.get(default_key(context))
    assert entry is not None and entry.task_id == trigger.extruct_task_id
    assert entry.sent_at is not None and entry.sent_at <= entry.updated
    assert entry.query == "fintech startups in Berlin" and len(entry.fingerprint) == 64
    assert store.get("extruct_task_id") == trigger.extruct_task_id  # ResumableJobMixin's key


async def test_retry_reattaches_to_a_done_task_without_a_post(
    extruct_conn: str, sandbox: Sandbox, api_token: str, make_context: Any
) -> None:
    first = deferred(operator(), make_context(1))
    wait_done(sandbox.base_url, api_token, first.extruct_task_id)
    before = sandbox.tasks_created(api_token)

    output = operator().execute(make_context(2))  # the retry: done, so no deferral either

    assert sandbox.tasks_created(api_token) == before
    assert output["task_id"] == first.extruct_task_id and output["status"] == "done"


def test_retry_reattaches_to_a_running_task_without_a_post(
    slow: Sandbox, make_context: Any
) -> None:
    first = deferred(operator(), make_context(1))
    again = deferred(operator(), make_context(2))
    assert again.extruct_task_id == first.extruct_task_id
    assert slow.tasks_created() == 1


def test_retry_after_a_crash_between_journal_and_mixin_reattaches(
    slow: Sandbox, store: FakeStateStore, make_context: Any
) -> None:
    """The journal holds the id but the mixin's own key was never written."""
    first = deferred(operator(), make_context(1))
    store.delete("extruct_task_id")
    again = deferred(operator(), make_context(2))
    assert again.extruct_task_id == first.extruct_task_id
    assert slow.tasks_created() == 1


async def test_retry_after_a_failed_task_creates_exactly_one_new_task(
    extruct_conn: str, sandbox: Sandbox, api_token: str, store: FakeStateStore, make_context: Any
) -> None:
    op = operator(query="FAIL_TASK payroll software")
    first = deferred(op, make_context(1))
    event = await fire(first)
    assert event["status"] == "failed"
    with pytest.raises(AirflowException, match=first.extruct_task_id):
        op.execute_complete(make_context(1), event)
    before = sandbox.tasks_created(api_token)

    second = deferred(operator(query="FAIL_TASK payroll software"), make_context(2))

    assert sandbox.tasks_created(api_token) == before + 1
    assert second.extruct_task_id != first.extruct_task_id
    assert TaskStateJournal(store).task_ids() == {second.extruct_task_id}


def test_not_durable_keeps_nothing(
    extruct_conn: str, store: FakeStateStore, make_context: Any
) -> None:
    deferred(operator(durable=False), make_context())
    assert store.data == {}


def test_failed_task_on_the_worker_names_it(extruct_conn: str, make_context: Any) -> None:
    op = operator(query="FAIL_TASK robotics", deferrable=False)
    with pytest.raises(AirflowException, match=r"Extruct task \S+ failed") as caught:
        op.execute(make_context())
    assert op._last_id is not None and op._last_id in str(caught.value)


@pytest.mark.parametrize(
    ("event", "message"),
    [
        (
            {"status": "timeout", "task_id": "t-1", "message": "not finished"},
            "not finished; a retry",
        ),
        (
            {"status": "error", "task_id": "t-1", "message": "NotFoundError: HTTP 404"},
            "t-1: NotFound",
        ),
    ],
)
def test_timeout_and_error_events_raise(event: dict[str, Any], message: str) -> None:
    with pytest.raises(AirflowException, match=message):
        operator().execute_complete({}, event)


def test_quota_stop_says_so(extruct_conn: str, sandbox: Sandbox, make_context: Any) -> None:
    sandbox.faults.add("create:429_no_retry_after*1")
    try:
        with pytest.raises(AirflowException, match="quota stop, HTTP 429 without Retry-After"):
            operator().execute(make_context())
    finally:
        sandbox.faults.clear()


def test_payment_required_fails_without_retrying() -> None:
    error = PaymentRequiredError(
        "HTTP 402: error=insufficient_credits", status_code=402, body={"detail": {}}
    )
    with (
        pytest.raises(AirflowFailException, match=r"plan or credits.*insufficient_credits"),
        _airflow_errors("creating the Extruct task"),
    ):
        raise error


def test_bad_token_fails_without_retrying_and_without_showing_it(
    monkeypatch: pytest.MonkeyPatch, base_url: str, make_context: Any
) -> None:
    secret = "sbx_wrong_token_789"
    monkeypatch.setenv(CONN_ENV, conn_json(base_url, secret))
    with pytest.raises(AirflowFailException, match="API token") as caught:
        operator().execute(make_context())
    assert secret not in str(caught.value)


def test_invalid_arguments_fail_before_any_request(
    extruct_conn: str, sandbox: Sandbox, api_token: str, store: FakeStateStore, make_context: Any
) -> None:
    before = sandbox.tasks_created(api_token)
    with pytest.raises(AirflowFailException, match="desired_num_results"):
        operator(desired_num_results=0).execute(make_context())
    bad = [{"key": "1bad", "name": "B", "criterion": "Sells to other businesses"}]
    with pytest.raises(AirflowFailException, match=r"criteria\[0\]\.key"):
        operator(criteria=bad).execute(make_context())
    assert sandbox.tasks_created(api_token) == before and store.data == {}


def test_exhausted_task_is_reported(extruct_conn: str, make_context: Any) -> None:
    output = operator(
        query="niche dental lab software", desired_num_results=100, deferrable=False
    ).execute(make_context())
    assert output["is_exhausted"] is True
    assert output["num_results"] < output["desired_num_results"] == 100


def test_templated_values_arrive_as_strings(extruct_conn: str, make_context: Any) -> None:
    """What Jinja renders (a number or a JSON list as text) is read as the value."""
    op = operator(
        desired_num_results="5",
        criteria=json.dumps(CRITERIA),
        exclude_domains='["example.com"]',
        deferrable=False,
    )
    output = op.execute(make_context())
    assert output["desired_num_results"] == 5 and output["criteria_keys"] == ["b2b"]


@pytest.mark.parametrize("suffix", ["jsonl", "csv", "parquet"])
def test_results_file_and_only_its_path_in_xcom(
    extruct_conn: str, tmp_path: Any, make_context: Any, suffix: str
) -> None:
    path = tmp_path / "out" / f"results.{suffix}"
    output = operator(results_path=str(path), deferrable=False).execute(make_context())
    assert "results" not in output
    assert output["results_path"] == str(path) and output["results_format"] == suffix
    n = output["num_records"]
    assert n == output["num_results"] > 0
    if suffix == "jsonl":
        rows = [json.loads(line) for line in path.read_text().splitlines()]
        assert len(rows) == n and rows[0]["task_id"] == output["task_id"]
    elif suffix == "csv":
        with path.open(newline="") as f:
            rows = list(csv.DictReader(f))
        assert len(rows) == n and "grade_b2b" in rows[0]
    else:
        import pyarrow.parquet as pq

        table = pq.read_table(path)
        assert table.num_rows == n and "grade_b2b" in table.column_names


def test_results_to_an_object_storage_path(
    extruct_conn: str, tmp_path: Any, make_context: Any
) -> None:
    target = ObjectStoragePath(f"file://{tmp_path}/store/results.jsonl")
    output = operator(results_path=target, deferrable=False).execute(make_context())
    assert output["results_path"] == str(target)
    assert len(target.read_text().splitlines()) == output["num_records"] > 0


def test_unknown_results_suffix_fails_clearly(extruct_conn: str, make_context: Any) -> None:
    with pytest.raises(AirflowFailException, match=r"results_path.*'\.txt'"):
        operator(results_path="/tmp/x.txt", deferrable=False).execute(make_context())


def test_default_key_names_the_task_instance(make_context: Any) -> None:
    assert default_key(make_context(map_index=3)) == (
        "airflow:extruct_test:search:manual__2026-12-01T00:00:00+00:00:3"
    )


def test_a_given_key_is_used(extruct_conn: str, store: FakeStateStore, make_context: Any) -> None:
    deferred(operator(key="campaign-2026-12/dental"), make_context())
    doc = store.get(STORE_KEY)
    assert list(doc["entries"]) == ["campaign-2026-12/dental"]


def test_a_key_never_names_two_searches(
    slow: Sandbox, store: FakeStateStore, make_context: Any
) -> None:
    """A retry whose parameters changed (an edited DAG) is refused, not re-attached."""
    deferred(operator(), make_context(1))
    store.delete("extruct_task_id")
    with pytest.raises(AirflowFailException, match=r"key: .* other parameters"):
        operator(query="insurtech startups").execute(make_context(2))
    assert slow.tasks_created() == 1


# The gap Airflow leaves open: a try that died between the POST and persisting the id.


def pending_claim(store: FakeStateStore, op: DeepSearchOperator, context: dict[str, Any]) -> str:
    """What try 1 recorded before its create POST, on a worker that then died."""
    key = default_key(context)
    params = create_params(**op._create_arguments())
    TaskStateJournal(store, try_number=1).begin(
        key, params.fingerprint(), params.query, sent_at=time.time(), owner="worker-7:4242:99"
    )
    return key


def test_a_pending_claim_whose_post_arrived_adopts_the_task(
    slow: Sandbox, store: FakeStateStore, make_context: Any
) -> None:
    op = operator()
    key = pending_claim(store, op, make_context(1))
    with DeepSearch(slow.token, base_url=slow.base_url) as ds:
        orphan = ds.create(**op._create_arguments())  # try 1's POST; its answer was lost

    again = deferred(operator(), make_context(2))

    assert again.extruct_task_id == orphan.id
    assert slow.tasks_created() == 1
    entry = TaskStateJournal(store, try_number=3).get(key)
    assert entry is not None and entry.task_id == orphan.id


def test_a_pending_claim_whose_post_never_arrived_creates_once(
    slow: Sandbox, store: FakeStateStore, make_context: Any
) -> None:
    key = pending_claim(store, operator(), make_context(1))

    again = deferred(operator(), make_context(2))

    assert slow.tasks_created() == 1
    entry = TaskStateJournal(store, try_number=3).get(key)
    assert entry is not None and entry.task_id == again.extruct_task_id


def test_a_worker_killed_after_the_post_and_before_the_id_is_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGKILL while the create POST waits for its answer: the retry adopts the one task."""
    path = tmp_path / "task_state_store.json"
    log = tmp_path / "worker.log"
    # The sandbox creates the task at once and holds the answer for 60 s.
    with Sandbox(seed=2, speed=0.01, faults=["create:slow=60*1"]) as sb:
        env = {**os.environ, CONN_ENV: conn_json(sb.base_url, sb.token)}
        worker = Path(__file__).with_name("crash_worker.py")
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [sys.executable, str(worker), str(path)], env=env, stdout=out, stderr=out
            )
        try:
            deadline = time.monotonic() + 90
            while sb.tasks_created() == 0:
                assert proc.poll() is None, log.read_text()
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.05)
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
        finally:
            proc.kill()
        store = FileStateStore(path)
        context = {"ti": FakeTI(2), "task_state_store": store}
        entry = TaskStateJournal(store, try_number=2).get(default_key(context))
        assert entry is not None and entry.task_id is None  # the claim, never the id
        assert "extruct_task_id" not in store.data

        monkeypatch.setenv(CONN_ENV, env[CONN_ENV])
        again = deferred(crash_worker.operator(), context)

        with DeepSearch(sb.token, base_url=sb.base_url) as ds:
            held = [t.id for t in ds.list_tasks(limit=10)]
        assert held == [again.extruct_task_id]
        assert sb.tasks_created() == 1
