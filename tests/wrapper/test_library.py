"""What a library user meets (issue 14, "The library", "Poll interval", "A 404
names the id", notebooks): TaskStatus typing, HTML tables, progress=True, the
default poll interval against a local server, Result.to_dict() and grade()."""

from __future__ import annotations

import datetime
import io
import json
import pickle
import re
from html.parser import HTMLParser
from typing import Any

import httpx
import pytest
from extruct_deep_search import (
    AsyncDeepSearch,
    Criterion,
    CriterionScore,
    DeepSearch,
    InvalidArgumentError,
    NotFoundError,
    Result,
    SearchRun,
    Task,
    TaskStatus,
    is_finished,
)
from extruct_deep_search._progress import ProgressBar

from .fakes import (
    TOKEN,
    FakeTime,
    Recorder,
    async_client,
    client,
    page_json,
    respond,
    result_json,
    task_json,
)

WHEN = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)


# A 404 names the id.


@pytest.mark.parametrize(
    ("call", "named"),
    [
        (lambda ds: ds.get("abc-123"), "task 'abc-123' not found"),
        (lambda ds: ds.results("abc-123"), "task 'abc-123' not found"),
        (lambda ds: ds.resume("abc-123", 5), "task 'abc-123' not found"),
        (lambda ds: ds.add_table_rows("tbl-9", ["a.com"]), "table 'tbl-9' not found"),
    ],
)
def test_a_404_names_the_id_it_looked_up(call: Any, named: str) -> None:
    with (
        client(Recorder(respond(404, {"detail": "Not Found"}))) as ds,
        pytest.raises(NotFoundError) as info,
    ):
        call(ds)
    assert named in str(info.value)
    assert "Not Found" in str(info.value)


async def test_a_404_names_the_id_async() -> None:
    async with async_client(Recorder(respond(404, {"detail": "Not Found"}))) as ds:
        with pytest.raises(NotFoundError, match="task 'zz' not found"):
            await ds.get("zz")


# TaskStatus: typed as TaskStatus, unknown values survive.


def test_task_status_is_always_a_task_status() -> None:
    with client(Recorder(respond(200, task_json(status="paused_v2")))) as ds:
        task = ds.get("t1")
    assert isinstance(task.status, TaskStatus)
    assert task.status == "paused_v2" and f"{task.status}" == "paused_v2"
    assert task.status not in list(TaskStatus)
    assert not is_finished(task.status) and not task.is_terminal
    assert pickle.loads(pickle.dumps(task.status)) == "paused_v2"
    assert json.dumps({"s": task.status}) == '{"s": "paused_v2"}'


def test_documented_statuses_are_the_members() -> None:
    with client(Recorder(respond(200, task_json(status="done")))) as ds:
        task = ds.get("t1")
    assert task.status is TaskStatus.DONE
    assert TaskStatus("done") is TaskStatus.DONE
    assert [s.value for s in TaskStatus] == ["created", "in_progress", "done", "failed"]


def test_a_task_built_by_hand_converts_its_status() -> None:
    task = Task(id="t", created_at=WHEN, status="in_progress", query="q", desired_num_results=5)
    assert task.status is TaskStatus.IN_PROGRESS
    with pytest.raises(ValueError):
        Task(id="t", created_at=WHEN, status=5, query="q", desired_num_results=5)  # type: ignore[arg-type]


def test_a_non_string_status_from_the_server_is_unreadable() -> None:
    from extruct_deep_search import UnexpectedResponseError

    with (
        client(Recorder(respond(200, task_json(status=7))), max_retries=0) as ds,
        pytest.raises(UnexpectedResponseError),
    ):
        ds.get("t1")


# Result.grade and to_dict.


def _read_one(**row: Any) -> Result:
    page = page_json(task_json(status="done"), [result_json(1, **row)])
    with client(Recorder(respond(200, page))) as ds:
        (result,) = ds.results("t1")
    return result


def test_grade_of_an_unknown_key_names_it_and_the_known_ones() -> None:
    result = _read_one()
    assert result.criteria_keys == ("b2b",)
    with pytest.raises(InvalidArgumentError) as info:
        result.grade("b2c")
    assert info.value.argument == "key"
    assert "'b2c'" in str(info.value) and "b2b" in str(info.value)


def test_grade_of_a_task_criterion_not_yet_graded_is_none() -> None:
    result = _read_one(scores={})
    assert result.grade("b2b") is None
    result = _read_one(scores={"b2b": {"grade": None}})
    assert result.grade("b2b") is None


def test_grade_of_a_hand_built_result_that_knows_no_criteria_stays_lenient() -> None:
    result = Result(
        id="r", task_id="t", company_name="c", company_description="d",
        company_website="https://c.example", relevance=1,
        scores={"fit": CriterionScore(grade=5)},
    )  # fmt: skip
    assert result.grade("fit") == 5
    assert result.grade("other") is None


def test_result_to_dict_is_json_ready_and_complete() -> None:
    result = _read_one(hq_country="DE", unknown_field={"x": 1})
    record = result.to_dict()
    assert json.loads(json.dumps(record)) == record
    assert record["id"] == "r1" and record["source"] == "web_search"
    assert record["employee_count"] == "11-50"
    assert record["scores"]["b2b"]["sources"] == ["https://a.example"]
    assert record["unknown_field"] == {"x": 1}
    assert record["created_at"] == "2026-01-02T03:04:05+00:00"
    assert "criteria_keys" not in record


def test_result_to_dict_matches_the_exports_record() -> None:
    from extruct_deep_search.exports import result_record, task_record

    result = _read_one(hq_city="Berlin")
    assert result.to_dict() == result_record(result)
    task = Task(
        id="t", created_at=WHEN, status="done", query="q", desired_num_results=5,
        criteria=(Criterion("b2b", "B2B", "Sells to businesses"),),
    )  # fmt: skip
    assert task.to_dict() == task_record(task)


# HTML in notebooks.


class _Cells(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


HOSTILE = '<script>alert("x")</script>'


def test_search_run_renders_as_an_escaped_html_table() -> None:
    rows = [
        result_json(1, company_name=HOSTILE, company_website="javascript:alert(1)"),
        result_json(2, company_website='https://ok.example/"onmouseover="x'),
    ]
    page = page_json(task_json(status="done", query=HOSTILE), rows)
    with client(Recorder(respond(200, page))) as ds:
        results = ds.results("t1")
    task = Task(id="t1", created_at=WHEN, status="done", query=HOSTILE, desired_num_results=5)
    html = SearchRun(task=task, results=results)._repr_html_()
    parser = _Cells()
    parser.feed(html)
    assert "script" not in parser.tags
    assert HOSTILE in "".join(parser.text)  # shown as text, not run
    assert 'href="javascript' not in html
    assert '"onmouseover' not in html
    assert parser.tags.count("tr") == 3  # header and two results
    assert "b2b" in "".join(parser.text)  # a column per criterion


def test_task_renders_as_an_escaped_html_table() -> None:
    task = Task(
        id="t1", created_at=WHEN, status="in_progress", query=HOSTILE, desired_num_results=50,
        num_results=7, criteria=(Criterion("k", HOSTILE, "a criterion text"),),
    )  # fmt: skip
    html = task._repr_html_()
    parser = _Cells()
    parser.feed(html)
    assert "script" not in parser.tags and "table" in parser.tags
    assert "7 of 50" in html and "in_progress" in html


# progress=True.


def test_the_plain_progress_line_when_not_a_terminal() -> None:
    out = io.StringIO()
    bar = ProgressBar(file=out)
    for status, n in [("in_progress", 1), ("in_progress", 1), ("in_progress", 3), ("done", 5)]:
        bar(
            Task(
                id="t1",
                created_at=WHEN,
                status=status,
                query="q",
                desired_num_results=5,
                num_results=n,
            )
        )
    bar.close()
    lines = out.getvalue().splitlines()
    assert lines == [
        "t1 in_progress, 0 evaluated: 1/5 results",
        "t1 in_progress, 0 evaluated: 3/5 results",
        "t1 done, 0 evaluated: 5/5 results",
    ]


@pytest.mark.parametrize("method", ["wait", "run", "stream_results"])
def test_progress_true_shows_a_bar_and_keeps_on_progress(
    method: str, capsys: pytest.CaptureFixture[str]
) -> None:
    seen: list[str] = []
    answers = [
        respond(200, task_json(status="in_progress")),
        respond(200, task_json(status="done")),
    ]
    page = respond(200, page_json(task_json(status="done"), [result_json(1)]))
    rec = Recorder(*answers, page) if method != "stream_results" else Recorder(page)
    with client(rec, FakeTime()) as ds:
        if method == "wait":
            ds.wait("t1", progress=True, on_progress=lambda t: seen.append(t.status))
        elif method == "run":
            ds.run("q", progress=True, on_progress=lambda t: seen.append(t.status))
        else:
            list(
                ds.stream_results("t1", progress=True, on_progress=lambda t: seen.append(t.status))
            )
    assert seen and seen[-1] == "done"
    err = capsys.readouterr().err
    assert "t1" in err and "done" in err  # rich draws on stderr


def test_progress_must_be_a_bool() -> None:
    with (
        client(Recorder(respond(200, task_json(status="done")))) as ds,
        pytest.raises(InvalidArgumentError, match="progress"),
    ):
        ds.wait("t1", progress="yes")  # type: ignore[arg-type]


# The default poll interval.


@pytest.mark.parametrize(
    ("url", "interval"),
    [
        ("http://127.0.0.1:8787", 0.5),
        ("http://localhost:9000", 0.5),
        ("http://[::1]:8000", 0.5),
        ("https://api.extruct.ai", 10.0),
        ("https://api.test.example", 10.0),
    ],
)
@pytest.mark.parametrize("cls", [DeepSearch, AsyncDeepSearch])
def test_default_poll_interval_is_short_against_a_local_server(
    cls: type, url: str, interval: float
) -> None:
    ds = cls(TOKEN, base_url=url)
    assert ds.poll_interval == interval
    assert cls(TOKEN, base_url=url, poll_interval=3.0).poll_interval == 3.0


def test_a_local_wait_polls_every_half_second() -> None:
    t = FakeTime()
    rec = Recorder(
        respond(200, task_json(status="in_progress")), respond(200, task_json(status="done"))
    )
    http = httpx.Client(transport=httpx.MockTransport(rec))
    with DeepSearch(
        TOKEN, base_url="http://127.0.0.1:1", http_client=http, _sleep=t.sleep, _clock=t.clock
    ) as ds:
        ds.wait("t1")
    assert t.sleeps == [0.5]


def test_repr_of_a_pseudo_status_is_readable() -> None:
    assert re.fullmatch(r"<TaskStatus\.paused: 'paused'>", repr(TaskStatus("paused")))


async def test_progress_true_on_the_async_client_with_an_async_on_progress(
    capsys: pytest.CaptureFixture[str],
) -> None:
    seen: list[str] = []

    async def on_progress(task: Task) -> None:
        seen.append(task.status)

    rec = Recorder(
        respond(200, task_json(status="in_progress")), respond(200, task_json(status="done"))
    )
    async with async_client(rec) as ds:
        await ds.wait("t1", progress=True, on_progress=on_progress)
    assert seen == ["in_progress", "done"]
    assert "done" in capsys.readouterr().err
