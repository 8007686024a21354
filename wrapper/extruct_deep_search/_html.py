"""HTML tables for Jupyter: ``Task._repr_html_`` and ``SearchRun._repr_html_``.

Every value comes from the server (company data is scraped from the web), so
every value is escaped, and a website becomes a link only when it is an
http(s) URL.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._types import Result, SearchRun, Task

__all__ = ["run_html", "task_html"]

MAX_ROWS = 250  # a task holds at most 250 results


def _text(value: Any) -> str:
    value = getattr(value, "value", value)  # enums show their value
    return "" if value is None else escape(str(value), quote=True)


def _link(url: str) -> str:
    if url.lower().startswith(("http://", "https://")):
        return (
            f'<a href="{escape(url, quote=True)}" target="_blank" rel="noopener">{escape(url)}</a>'
        )
    return escape(url)


def _table(head: list[str], rows: list[list[str]]) -> str:
    header = "".join(f"<th>{h}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>"


def task_html(task: Task) -> str:
    """One task as a two-column table of its fields."""
    criteria = "<br>".join(f"<b>{_text(c.key)}</b>: {_text(c.name)}" for c in task.criteria)
    rows = [
        ("id", _text(task.id)),
        ("status", _text(task.status)),
        ("query", _text(task.query)),
        ("results", f"{task.num_results} of {task.desired_num_results} asked for"),
        (
            "discovered / enriched / evaluated",
            f"{task.num_results_discovered} / {task.num_results_enriched} / "
            f"{task.num_results_evaluated}",
        ),
        ("exhausted", "yes" if task.is_exhausted else "no"),
        ("created", _text(task.created_at.isoformat())),
        ("criteria", criteria or "(inferred)"),
    ]
    if task.exclude_domains:
        rows.append(("excluded domains", str(len(task.exclude_domains))))
    body = "".join(f"<tr><th style='text-align:left'>{k}</th><td>{v}</td></tr>" for k, v in rows)
    return f"<table><tbody>{body}</tbody></table>"


def _keys(task: Task, results: list[Result]) -> list[str]:
    keys = {c.key: None for c in task.criteria}
    for result in results:
        for key in result.scores:
            keys.setdefault(key, None)
    return list(keys)


def run_html(run: SearchRun) -> str:
    """The task's summary line, then one row per result with its grades."""
    task, results = run.task, run.results
    keys = _keys(task, results)
    head = ["#", "company", "website", "relevance", *(_text(k) for k in keys), "HQ", "size"]
    rows = []
    for index, result in enumerate(results[:MAX_ROWS], 1):
        grades = []
        for key in keys:
            score = result.scores.get(key)
            grades.append("" if score is None or score.grade is None else str(score.grade))
        hq = ", ".join(p for p in (result.hq_city, result.hq_country) if p)
        rows.append(
            [
                str(index),
                _text(result.company_name),
                _link(result.company_website),
                "" if result.relevance is None else str(result.relevance),
                *grades,
                _text(hq),
                _text(result.employee_count),
            ]
        )
    summary = (
        f"<p><b>{_text(task.query)}</b>: task {_text(task.id)}, {_text(task.status)}, "
        f"{len(results)} results</p>"
    )
    return summary + _table(head, rows)
