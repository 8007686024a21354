"""The sandbox over real HTTP: lifecycle, results, resume, exclusions, orgs, listing.

Every request here is valid against openapi/upstream.yaml, so these tests also
run through the Prism proxy in ``nox -s contract`` (``base_url``).
"""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from extruct_deep_search.sandbox import Sandbox
from extruct_deep_search.sandbox.domains import registered_domain

from .conftest import auth, create, wait_finished

pytestmark = pytest.mark.integration


def counters(t: dict[str, Any]) -> tuple[int, int, int, int]:
    return (
        t["num_results_discovered"],
        t["num_results_enriched"],
        t["num_results_evaluated"],
        t["num_results"],
    )


def test_healthcheck_and_user(direct: httpx.Client, direct_url: str) -> None:
    # Not in openapi/upstream.yaml, so Prism would 404 them: straight to the sandbox.
    assert httpx.get(f"{direct_url}/v1/healthcheck").json() == {"status": "ok"}
    user = direct.get("/v1/user").json()
    assert user["organization_id"] == "org_a"


def test_lifecycle_monotone_counters_and_ordered_results(client: httpx.Client) -> None:
    # A broad pool and a high target: the task runs long enough to be seen in progress.
    task = create(client, query="broad accounting automation for dentists", desired_num_results=250)
    assert task["status"] == "created" and task["desired_num_results"] == 250
    seen_statuses = set()
    previous = (0, 0, 0, 0)
    while True:
        page = client.get(f"/v1/discovery_tasks/{task['id']}/results").json()
        seen_statuses.add(page["status"])
        now = counters(page)
        assert now[0] >= now[1] >= now[2] >= now[3]
        assert all(a >= b for a, b in zip(now, previous, strict=True))
        assert len(page["results"]) == page["num_results"]
        keys = [(-r["relevance"], r["id"]) for r in page["results"]]
        assert keys == sorted(keys)
        previous = now
        if page["status"] == "done":
            break
        time.sleep(0.01)
    assert "in_progress" in seen_statuses
    assert page["num_results"] == 50
    row = page["results"][0]
    assert row["task_id"] == task["id"]
    assert set(row["scores"]) == {c["key"] for c in page["criteria"]}
    assert row["employee_count"] in {
        "1-10", "11-50", "51-200", "201-500", "501-1000", "1001-5000", "5001-10000", "10001+"
    }  # fmt: skip
    assert row["source"] in {"web_search", "linkedin", "maps"}


def test_paging_covers_all_results_without_overlap(client: httpx.Client) -> None:
    task = create(client, query="broad paging check", desired_num_results=45)
    wait_finished(client, task["id"])
    everything = client.get(f"/v1/discovery_tasks/{task['id']}/results").json()["results"]
    assert len(everything) == 45
    pages, offset = [], 0
    while True:
        rows = client.get(
            f"/v1/discovery_tasks/{task['id']}/results", params={"offset": offset, "limit": 10}
        ).json()["results"]
        pages.extend(rows)
        offset += len(rows)
        if len(rows) < 10:
            break
    assert [r["id"] for r in pages] == [r["id"] for r in everything]


def test_reaches_250_then_resume_is_capped(client: httpx.Client) -> None:
    task = create(client, query="broad saas companies", desired_num_results=230)
    done = wait_finished(client, task["id"])
    assert done["status"] == "done" and done["num_results"] == 230 and not done["is_exhausted"]
    resumed = client.post(
        f"/v1/discovery_tasks/{task['id']}/resume", json={"desired_new_results": 100}
    ).json()
    assert resumed["desired_num_results"] == 250 and resumed["status"] == "in_progress"
    final = wait_finished(client, task["id"])
    assert final["num_results"] == 250
    rows = client.get(f"/v1/discovery_tasks/{task['id']}/results", params={"limit": 1000}).json()
    assert len(rows["results"]) == 250


def test_resume_with_empty_body_adds_25(client: httpx.Client) -> None:
    task = create(client, query="broad resume default", desired_num_results=5)
    wait_finished(client, task["id"])
    resumed = client.post(f"/v1/discovery_tasks/{task['id']}/resume", json={})
    assert resumed.status_code == 200 and resumed.json()["desired_num_results"] == 30


def test_niche_exhausts_early_and_resume_is_400(client: httpx.Client) -> None:
    task = create(client, query="niche submarine cable repair", desired_num_results=100)
    final = wait_finished(client, task["id"])
    assert final["status"] == "done" and final["is_exhausted"] is True
    assert final["num_results"] < 100
    response = client.post(
        f"/v1/discovery_tasks/{task['id']}/resume", json={"desired_new_results": 5}
    )
    assert response.status_code == 400
    assert isinstance(response.json()["detail"], str)


def test_failed_task(client: httpx.Client) -> None:
    task = create(client, query="FAIL_TASK broad anything", desired_num_results=20)
    assert wait_finished(client, task["id"])["status"] == "failed"


def test_exclusions_frozen_and_never_returned(client: httpx.Client) -> None:
    first = create(client, query="broad exclusion source", desired_num_results=20)
    wait_finished(client, first["id"])
    first_rows = client.get(f"/v1/discovery_tasks/{first['id']}/results").json()["results"]
    first_domains = {registered_domain(r["company_website"]) for r in first_rows}
    second = create(
        client,
        query="broad exclusion source",
        desired_num_results=40,
        exclude_domains=["https://www.Acme.com/about", "acme.com", "shop.example.co.uk"],
        exclude_task_ids=[first["id"]],
    )
    expected = sorted(first_domains | {"acme.com", "example.co.uk"})
    assert second["exclude_domains"] == expected
    wait_finished(client, second["id"])
    page = client.get(f"/v1/discovery_tasks/{second['id']}/results").json()
    assert page["exclude_domains"] == expected
    returned = {registered_domain(r["company_website"]) for r in page["results"]}
    assert returned and not returned & set(expected)


def test_exclude_task_ids_errors(
    client: httpx.Client, foreign: httpx.Client, colleague: httpx.Client
) -> None:
    running = create(client, query="broad still running", desired_num_results=250)
    theirs = create(foreign, query="broad theirs", desired_num_results=1)
    wait_finished(foreign, theirs["id"])
    mine_by_colleague = create(colleague, query="broad colleague", desired_num_results=3)
    wait_finished(colleague, mine_by_colleague["id"])
    for ids, status in (
        ([running["id"]], 400),
        ([theirs["id"]], 403),
        (["00000000-0000-4000-8000-000000000000"], 404),
    ):
        response = client.post("/v1/discovery_tasks", json={"query": "x", "exclude_task_ids": ids})
        assert response.status_code == status, response.text
        assert isinstance(response.json()["detail"], str)
    # A colleague's done task in the same organization is fine.
    ok = client.post(
        "/v1/discovery_tasks", json={"query": "x", "exclude_task_ids": [mine_by_colleague["id"]]}
    )
    assert ok.status_code == 200 and len(ok.json()["exclude_domains"]) == 3


def test_exclusion_cap(client: httpx.Client) -> None:
    domains = [f"company{i}.com" for i in range(1000)]
    ok = client.post("/v1/discovery_tasks", json={"query": "x", "exclude_domains": domains})
    assert ok.status_code == 200 and len(ok.json()["exclude_domains"]) == 1000
    over = client.post(
        "/v1/discovery_tasks", json={"query": "x", "exclude_domains": [*domains, "one-more.io"]}
    )
    assert over.status_code == 422
    assert over.json()["detail"][0]["loc"] == ["body", "exclude_domains"]


def test_other_organization_reads_404(
    client: httpx.Client, foreign: httpx.Client, colleague: httpx.Client
) -> None:
    task = create(client, query="private to org a", desired_num_results=1)
    for path in ("", "/results"):
        assert foreign.get(f"/v1/discovery_tasks/{task['id']}{path}").status_code == 404
        assert colleague.get(f"/v1/discovery_tasks/{task['id']}{path}").status_code == 200
    assert foreign.post(f"/v1/discovery_tasks/{task['id']}/resume", json={}).status_code == 404
    assert task["id"] not in {t["id"] for t in foreign.get("/v1/discovery_tasks").json()}
    assert client.get("/v1/discovery_tasks/does-not-exist").status_code == 404


def test_list_newest_first_and_paged(client: httpx.Client) -> None:
    ids = [create(client, query=f"list order {i}", desired_num_results=1)["id"] for i in range(3)]
    listed = client.get("/v1/discovery_tasks", params={"limit": 3}).json()
    assert [t["id"] for t in listed] == ids[::-1]
    second = client.get("/v1/discovery_tasks", params={"offset": 1, "limit": 1}).json()
    assert [t["id"] for t in second] == [ids[1]]
    everything = client.get("/v1/discovery_tasks").json()
    assert len(everything) >= 3
    stamps = [t["created_at"] for t in everything]
    assert stamps == sorted(stamps, reverse=True)


def test_table_rows(client: httpx.Client, foreign: httpx.Client) -> None:
    body = {
        "rows": [{"data": {"input": "stripe.com"}}, {"data": {"input": "acme.io"}}],
        "run": False,
    }
    rows = client.post("/v1/tables/tbl_demo/rows", json=body)
    assert rows.status_code == 200
    assert [r["data"]["input"] for r in rows.json()] == ["stripe.com", "acme.io"]
    assert foreign.post("/v1/tables/tbl_demo/rows", json=body).status_code == 404
    assert client.post("/v1/tables/not-a-table/rows", json=body).status_code == 404
    linked = create(client, query="with table", desired_num_results=1, table={"id": "my-table"})
    assert linked["table_id"] == "my-table"
    assert client.post("/v1/tables/my-table/rows", json=body).status_code == 200


def test_same_seed_same_results_over_http() -> None:
    def outcome(seed: int) -> list[tuple[str, str, int]]:
        with (
            Sandbox(seed=seed, speed=50) as sb,
            httpx.Client(base_url=sb.base_url, headers=auth(sb.token)) as c,
        ):
            task = create(c, query="robotics for warehouses", desired_num_results=25)
            wait_finished(c, task["id"])
            rows = c.get(f"/v1/discovery_tasks/{task['id']}/results").json()["results"]
            return [(r["id"], r["company_website"], r["relevance"]) for r in rows]

    assert outcome(3) == outcome(3)
    assert outcome(3) != outcome(4)
