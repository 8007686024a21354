"""scripts/update_spec.py: page extraction, merge, change report, CLI and network errors.

All offline: URLs are served by httpx.MockTransport or a local http.server on
127.0.0.1. openapi/upstream.yaml is only read; --write runs on a temp copy.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import http.server
import importlib.util
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
import update_spec
import yaml
from update_spec import Change, UpdateSpecError

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
UPSTREAM = REPO / "openapi" / "upstream.yaml"
SEED_PAGE = FIXTURES / "get-company-discovery-task-results.md"
# The vendored page is the docs page byte for byte; a changed copy must be deliberate.
SEED_SHA256 = "2cf049453875f8f7585782fc3be30a423ce8f463578cf13b32228fd18d5de290"
SCRIPT = REPO / "scripts" / "update_spec.py"
RESULTS_OP = "GET /v1/discovery_tasks/{task_id}/results"
RESULTS_URL = update_spec.DOCS_BASE + "get-company-discovery-task-results.md"

RESULTS_PATH = "/v1/discovery_tasks/{task_id}/results"
# openapi/upstream.yaml's results operation is seed 004's plus the 401/404
# responses the page documents only in prose ("Common errors"); those carry
# x-from-prose: true, so merging the page keeps them and reports nothing.
PROSE_STATUSES = ("401", "404")


def _load_make_fixtures() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_fixtures", FIXTURES / "make_fixtures.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@functools.cache
def _upstream() -> dict[str, Any]:
    data = yaml.safe_load(UPSTREAM.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@pytest.fixture
def upstream() -> dict[str, Any]:
    """A fresh copy of the vendored upstream spec."""
    return copy.deepcopy(_upstream())


def page_spec(name: str = SEED_PAGE.name) -> dict[str, Any]:
    """The parsed OpenAPI block of a fixture page."""
    return update_spec.parse_page((FIXTURES / name).read_text(encoding="utf-8"), name)


def keys_in_order(node: Any) -> Any:
    """The node's nested key order (equal dicts can still differ in order)."""
    if isinstance(node, dict):
        return [(k, keys_in_order(v)) for k, v in node.items()]
    if isinstance(node, list):
        return [keys_in_order(v) for v in node]
    return node


def triples(changes: list[Change]) -> set[tuple[str, str, bool]]:
    return {(c.where, c.message, c.breaking) for c in changes}


# --------------------------------------------------------------------------- fixtures


def test_committed_fixtures_are_what_make_fixtures_writes() -> None:
    make_fixtures = _load_make_fixtures()
    page = SEED_PAGE.read_text(encoding="utf-8")
    expected = make_fixtures.fixtures(page)
    assert set(expected) == {p.name for p in FIXTURES.glob("mutated-*.md")}
    for name, text in expected.items():
        assert (FIXTURES / name).read_text(encoding="utf-8") == text, (
            f"{name} is stale: python tests/spec/fixtures/make_fixtures.py"
        )


def test_vendored_page_is_unchanged() -> None:
    assert hashlib.sha256(SEED_PAGE.read_bytes()).hexdigest() == SEED_SHA256


# --------------------------------------------------------------------------- extraction


def test_extract_openapi_block_from_seed() -> None:
    block = update_spec.extract_openapi_block(SEED_PAGE.read_text(encoding="utf-8"))
    assert block.startswith("openapi: 3.1.0\n")
    assert "```" not in block
    assert block.rstrip().endswith("scheme: bearer")


@pytest.mark.parametrize("fence", ["```", "````", "~~~"])
def test_extract_openapi_block_accepts_three_or_four_backticks(fence: str) -> None:
    text = (
        "# Page\n\n```bash\ncurl x\n```\n\n## OpenAPI\n\n"
        f"{fence}yaml get /v1/x\nopenapi: 3.1.0\npaths: {{}}\n{fence}\n"
    )
    assert update_spec.extract_openapi_block(text) == "openapi: 3.1.0\npaths: {}\n"


def test_extract_ignores_yaml_blocks_before_the_heading() -> None:
    text = "```yaml\nnot: this\n```\n## OpenAPI\n````yaml\nopenapi: 3.1.0\n````"
    assert update_spec.extract_openapi_block(text) == "openapi: 3.1.0\n"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("# Page\n```yaml\nopenapi: 3.1.0\n```\n", "no '## OpenAPI' section"),
        ("## OpenAPI\n\nnothing here\n", "no ```yaml fenced block"),
        ("## OpenAPI\n````yaml get /x\nopenapi: 3.1.0\n", "not closed"),
    ],
)
def test_page_without_openapi_block_is_a_clear_error(text: str, fragment: str) -> None:
    with pytest.raises(UpdateSpecError, match=r"^some/page\.md: ") as info:
        update_spec.extract_openapi_block(text, "some/page.md")
    assert fragment in str(info.value)


def test_parse_page_rejects_a_block_without_paths() -> None:
    with pytest.raises(UpdateSpecError, match="no 'paths'"):
        update_spec.parse_page("## OpenAPI\n```yaml\nopenapi: 3.1.0\n```\n", "p.md")


# --------------------------------------------------------------------------- seed 004


def test_seed_reproduces_the_results_schemas_exactly(upstream: dict[str, Any]) -> None:
    page = page_spec()
    merged = update_spec.merge(upstream, page)
    page_schemas = page["components"]["schemas"]
    assert set(page_schemas) == update_spec.referenced_schemas(page["paths"], page_schemas)
    for name, schema in page_schemas.items():
        assert merged["components"]["schemas"][name] == upstream["components"]["schemas"][name]
        assert keys_in_order(merged["components"]["schemas"][name]) == keys_in_order(
            upstream["components"]["schemas"][name]
        ), name
        assert schema == upstream["components"]["schemas"][name]
    # schema order of the upstream spec is kept
    assert list(merged["components"]["schemas"]) == list(upstream["components"]["schemas"])


def test_seed_merge_reports_no_changes(upstream: dict[str, Any]) -> None:
    merged = update_spec.merge(upstream, page_spec())
    changes = update_spec.diff_specs(upstream, merged)
    assert changes == []
    assert update_spec.format_report(changes) == "No changes."
    for key in ("openapi", "info", "servers", "security"):
        assert merged[key] == upstream[key]
    for path, item in upstream["paths"].items():
        assert merged["paths"][path] == item
        assert keys_in_order(merged["paths"][path]) == keys_in_order(item), path
    assert merged == upstream


def test_seed_reproduces_the_results_operation_exactly(upstream: dict[str, Any]) -> None:
    page = page_spec()
    ours = upstream["paths"][RESULTS_PATH]["get"]
    assert "description" not in ours
    page_responses = page["paths"][RESULTS_PATH]["get"]["responses"]
    for status in PROSE_STATUSES:  # in our spec from the page's prose, not its YAML
        assert status not in page_responses
        assert ours["responses"][status]["x-from-prose"] is True
    merged = update_spec.merge(upstream, page)
    assert merged["paths"][RESULTS_PATH] == upstream["paths"][RESULTS_PATH]
    assert keys_in_order(merged["paths"][RESULTS_PATH]) == keys_in_order(
        upstream["paths"][RESULTS_PATH]
    )


def test_seed_merged_into_its_own_merge_reports_no_change(upstream: dict[str, Any]) -> None:
    once = update_spec.merge(upstream, page_spec())
    twice = update_spec.merge(once, page_spec())
    assert twice == once
    assert update_spec.diff_specs(once, twice) == []


def _results_responses(spec: dict[str, Any]) -> dict[str, Any]:
    responses: dict[str, Any] = spec["paths"][RESULTS_PATH]["get"]["responses"]
    return responses


def test_marked_prose_response_is_kept_in_our_position(upstream: dict[str, Any]) -> None:
    ours = _results_responses(upstream)
    quota = {"x-from-prose": True, "description": "Quota exceeded.", "content": {}}
    # ours: 200, 401, 404, 429 (prose), 422; the page has 200, 422
    reordered = {k: v for k, v in ours.items() if k != "422"} | {"429": quota, "422": ours["422"]}
    upstream["paths"][RESULTS_PATH]["get"]["responses"] = reordered
    merged = update_spec.merge(upstream, page_spec())
    assert list(_results_responses(merged)) == ["200", "401", "404", "429", "422"]
    assert _results_responses(merged)["429"] == quota
    assert update_spec.diff_specs(upstream, merged) == []


def test_unmarked_response_missing_from_the_page_is_reported_breaking(
    upstream: dict[str, Any],
) -> None:
    del _results_responses(upstream)["401"]["x-from-prose"]
    _results_responses(upstream)["404"]["x-from-prose"] = False  # only `true` marks prose
    merged = update_spec.merge(upstream, page_spec())
    assert list(_results_responses(merged)) == ["200", "422"]
    changes = update_spec.diff_specs(upstream, merged)
    assert [(c.where, c.message, c.marker) for c in changes] == [
        (RESULTS_OP, "response 401 removed (the client no longer handles it)", "BREAKING"),
        (RESULTS_OP, "response 404 removed (the client no longer handles it)", "BREAKING"),
    ]
    assert "[BREAKING] response 401 removed" in update_spec.format_report(changes)


def test_page_yaml_status_replaces_a_marked_prose_response(upstream: dict[str, Any]) -> None:
    page = page_spec()
    documented = {"description": "Not found", "content": {}}
    page["paths"][RESULTS_PATH]["get"]["responses"]["404"] = documented
    merged = update_spec.merge(upstream, page)
    responses = _results_responses(merged)
    assert responses["404"] == documented  # the page's YAML wins, marker and all
    assert responses["401"] == _results_responses(upstream)["401"]
    assert list(responses) == ["200", "401", "422", "404"]


def test_merged_spec_is_valid_openapi_31(upstream: dict[str, Any]) -> None:
    validator = pytest.importorskip("openapi_spec_validator")
    validator.validate(update_spec.merge(upstream, page_spec()))


# --------------------------------------------------------------------------- mutated fixtures


@pytest.mark.parametrize(
    ("fixture", "where", "message", "marker"),
    [
        (
            "mutated-field-removed.md",
            "schema DiscoveryTaskResultOutput",
            "field 'hq_city' removed (clients reading it break)",
            "BREAKING",
        ),
        (
            "mutated-enum-added.md",
            "schema Status",
            "enum value 'cancelled' added (a response value: clients with strict enums fail"
            " to parse it; ours accepts unknown values, regenerate to name it)",
            "BREAKING for strict enums",
        ),
        (
            "mutated-limit-changed.md",
            "schema CriterionDefinition.criterion",
            "maxLength changed from 500 to 300 (tightened, breaks requests)",
            "BREAKING",
        ),
        (
            "mutated-default-changed.md",
            "schema DiscoveryTaskResultOutput.source",
            "default changed from 'web_search' to 'linkedin'",
            "",
        ),
    ],
)
def test_mutated_fixture_reports_exactly_its_change(
    upstream: dict[str, Any], fixture: str, where: str, message: str, marker: str
) -> None:
    baseline = update_spec.merge(upstream, page_spec())
    mutated = update_spec.merge(upstream, page_spec(fixture))
    changes = update_spec.diff_specs(baseline, mutated)
    assert [(c.where, c.message, c.marker) for c in changes] == [(where, message, marker)]
    # against the vendored spec too: exactly the mutation
    against_upstream = update_spec.diff_specs(upstream, mutated)
    assert triples(against_upstream) == triples(changes)
    report = update_spec.format_report(against_upstream)
    line = f"  - [{marker}] {message}" if marker else f"  - {message}"
    assert f"\n{where}\n{line}" in report


def test_strict_enum_report_explains_the_marker(upstream: dict[str, Any]) -> None:
    changes = update_spec.diff_specs(
        upstream, update_spec.merge(upstream, page_spec("mutated-enum-added.md"))
    )
    report = update_spec.format_report(changes)
    assert "1 BREAKING for strict enums" in report
    assert "clients with closed enums reject" in report
    (change,) = [c for c in changes if c.strict_only]
    assert not change.breaking


# --------------------------------------------------------------------------- breaking rule


def _schema(spec: dict[str, Any], name: str) -> dict[str, Any]:
    schema: dict[str, Any] = spec["components"]["schemas"][name]
    return schema


def _edit_and_diff(
    upstream: dict[str, Any], edit: Callable[[dict[str, Any]], None]
) -> list[tuple[str, str, str]]:
    new = copy.deepcopy(upstream)
    edit(new)
    return [(c.where, c.message, c.marker) for c in update_spec.diff_specs(upstream, new)]


def _set(path: list[str | int], value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(spec: dict[str, Any]) -> None:
        node: Any = spec
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return edit


def _delete(path: list[str | int]) -> Callable[[dict[str, Any]], None]:
    def edit(spec: dict[str, Any]) -> None:
        node: Any = spec
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]

    return edit


S = ["components", "schemas"]
RESUME = ["paths", "/v1/discovery_tasks/{task_id}/resume", "post"]
RESULTS = ["paths", "/v1/discovery_tasks/{task_id}/results", "get"]


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        pytest.param(
            _set(
                [*S, "ResumeDiscoveryTaskInput", "properties", "desired_new_results", "default"], 10
            ),
            (
                "schema ResumeDiscoveryTaskInput.desired_new_results",
                "default changed from 25 to 10 (callers who omit it get other behaviour)",
                "BREAKING",
            ),
            id="request-default",
        ),
        pytest.param(
            _set([*S, "DiscoveryTaskInput", "properties", "desired_num_results", "maximum"], 500),
            (
                "schema DiscoveryTaskInput.desired_num_results",
                "maximum changed from 250 to 500 (loosened)",
                "",
            ),
            id="request-limit-loosened",
        ),
        pytest.param(
            _set([*S, "CriterionScore", "properties", "grade", "anyOf", 0, "maximum"], 10),
            (
                "schema CriterionScore.grade",
                "maximum changed from 5 to 10 (loosened, breaks responses)",
                "BREAKING",
            ),
            id="response-limit-loosened-inside-anyOf",
        ),
        pytest.param(
            _set([*S, "CriterionScore", "properties", "explanation", "anyOf", 0, "maxLength"], 500),
            (
                "schema CriterionScore.explanation",
                "maxLength changed from 1000 to 500 (tightened)",
                "",
            ),
            id="response-limit-tightened",
        ),
        pytest.param(
            _set([*S, "DiscoveryDataSource", "enum"], ["web_search", "linkedin"]),
            (
                "schema DiscoveryDataSource",
                "enum value 'maps' removed (the client may still send it)",
                "BREAKING",
            ),
            id="request-enum-value-removed",
        ),
        pytest.param(
            _set([*S, "Status", "enum"], ["created", "in_progress", "done"]),
            ("schema Status", "enum value 'failed' removed", ""),
            id="response-enum-value-removed",
        ),
        pytest.param(
            _set([*S, "CriterionDefinition", "pattern"], "^x"),
            (
                "schema CriterionDefinition",
                "pattern '^x' added (tightened, breaks requests)",
                "BREAKING",
            ),
            id="pattern-added",
        ),
        pytest.param(
            _set([*S, "DiscoveryTaskResultOutput", "required"], ["id", "task_id"]),
            None,
            id="response-fields-no-longer-required",
        ),
        pytest.param(
            _set(
                [*S, "DiscoveryTaskResultOutput", "properties", "company_name"],
                {"anyOf": [{"type": "string"}, {"type": "null"}], "title": "Company Name"},
            ),
            (
                "schema DiscoveryTaskResultOutput.company_name",
                "became nullable (responses may now carry null)",
                "BREAKING",
            ),
            id="response-field-nullable",
        ),
        pytest.param(
            _set(
                [*S, "DiscoveryTaskResultOutput", "properties", "founding_year", "anyOf", 0],
                {"type": "string"},
            ),
            (
                "schema DiscoveryTaskResultOutput.founding_year",
                "type changed from integer to string",
                "BREAKING",
            ),
            id="type-change",
        ),
        pytest.param(
            _set([*S, "DiscoveryTaskResultOutput", "properties", "rank"], {"type": "integer"}),
            ("schema DiscoveryTaskResultOutput", "field 'rank' added", ""),
            id="response-field-added",
        ),
        pytest.param(
            _set([*S, "DiscoveryTaskInput", "required"], ["query", "criteria"]),
            ("schema DiscoveryTaskInput", "field 'criteria' became required", "BREAKING"),
            id="request-field-became-required",
        ),
        pytest.param(
            _delete(["paths", "/v1/discovery_tasks/{task_id}/resume"]),
            ("POST /v1/discovery_tasks/{task_id}/resume", "operation removed", "BREAKING"),
            id="operation-removed",
        ),
        pytest.param(
            _set([*RESULTS, "parameters", 1, "required"], True),
            (RESULTS_OP, "parameter query.offset became required", "BREAKING"),
            id="parameter-became-required",
        ),
        pytest.param(
            _set(
                [*RESULTS, "responses", "429"],
                {"description": "Quota", "content": {}},
            ),
            (RESULTS_OP, "response 429 added (regenerate to parse it)", ""),
            id="status-added",
        ),
        pytest.param(
            _set([*RESUME, "requestBody", "required"], True),
            (
                "POST /v1/discovery_tasks/{task_id}/resume request body",
                "became required",
                "BREAKING",
            ),
            id="body-became-required",
        ),
    ],
)
def test_breaking_rule(
    upstream: dict[str, Any],
    edit: Callable[[dict[str, Any]], None],
    expected: tuple[str, str, str] | None,
) -> None:
    changes = _edit_and_diff(upstream, edit)
    if expected is None:  # response fields no longer required
        assert changes == [
            (
                "schema DiscoveryTaskResultOutput",
                f"field {name!r} no longer required (responses may omit it)",
                "BREAKING",
            )
            for name in sorted(
                ["company_description", "company_name", "company_website", "relevance"]
            )
        ]
    else:
        assert changes == [expected]


def test_operation_added_and_new_schema_are_compatible(upstream: dict[str, Any]) -> None:
    page = {
        "paths": {
            "/v1/user": {
                "get": {
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/User"}
                                }
                            },
                        }
                    }
                }
            }
        },
        "components": {
            "schemas": {
                "User": {"type": "object", "properties": {"id": {"type": "string"}}},
                "Unused": {"type": "string"},
            }
        },
    }
    merged = update_spec.merge(upstream, page)
    assert list(merged["paths"])[-1] == "/v1/user"
    assert list(merged["components"]["schemas"])[-1] == "User"  # unreferenced ones are skipped
    changes = update_spec.diff_specs(upstream, merged)
    assert [(c.where, c.message, c.marker) for c in changes] == [
        ("GET /v1/user", "operation added", ""),
        ("schema User", "schema added", ""),
    ]


def test_merge_does_not_modify_its_inputs(upstream: dict[str, Any]) -> None:
    page = page_spec("mutated-field-removed.md")
    before_spec, before_page = copy.deepcopy(upstream), copy.deepcopy(page)
    update_spec.merge(upstream, page)
    assert upstream == before_spec
    assert page == before_page


def test_merge_rejects_a_page_with_an_undefined_schema(upstream: dict[str, Any]) -> None:
    page = page_spec()
    del page["components"]["schemas"]["CompanySize"]
    with pytest.raises(UpdateSpecError, match="undefined schemas: CompanySize"):
        update_spec.merge(upstream, page)


# --------------------------------------------------------------------------- CLI


@pytest.fixture
def spec_copy(tmp_path: Path) -> Path:
    """A temp copy of openapi/upstream.yaml (tests never write the real one)."""
    target = tmp_path / "upstream.yaml"
    target.write_bytes(UPSTREAM.read_bytes())
    return target


def test_cli_exit_codes_and_report(spec_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fixture = str(FIXTURES / "mutated-limit-changed.md")
    assert update_spec.main([fixture, "--spec", str(spec_copy)]) == 1
    out = capsys.readouterr().out
    assert "[BREAKING] maxLength changed from 500 to 300 (tightened, breaks requests)" in out
    assert spec_copy.read_bytes() == UPSTREAM.read_bytes()  # no --write, no write

    assert update_spec.main([str(SEED_PAGE), "--spec", str(spec_copy)]) == 0
    assert capsys.readouterr().out.startswith("No changes (")

    assert update_spec.main([fixture, "--spec", str(spec_copy), "--write"]) == 0
    out = capsys.readouterr().out
    assert "nox -s generate" in out
    assert update_spec.main([fixture, "--spec", str(spec_copy)]) == 0
    assert "No changes" in capsys.readouterr().out


def test_write_twice_is_byte_identical(spec_copy: Path) -> None:
    original = UPSTREAM.read_bytes()
    args = [str(FIXTURES / "mutated-enum-added.md"), "--spec", str(spec_copy), "--write"]
    assert update_spec.main(args) == 0
    first = spec_copy.read_bytes()
    assert update_spec.main(args) == 0
    assert spec_copy.read_bytes() == first
    assert first == update_spec.dump_spec(yaml.safe_load(first)).encode()
    assert "- cancelled" in first.decode()
    assert UPSTREAM.read_bytes() == original


def test_write_keeps_top_level_info_servers_security(spec_copy: Path) -> None:
    assert update_spec.main([str(SEED_PAGE), "--spec", str(spec_copy), "--write"]) == 0
    written = yaml.safe_load(spec_copy.read_text(encoding="utf-8"))
    for key in ("info", "servers", "security"):
        assert written[key] == _upstream()[key]


def test_cli_page_without_openapi_block(
    tmp_path: Path, spec_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "plain.md"
    page.write_text("# Just prose\n", encoding="utf-8")
    assert update_spec.main([str(page), "--spec", str(spec_copy)]) == 2
    assert capsys.readouterr().err == f"error: {page}: no '## OpenAPI' section\n"


def test_cli_missing_file(spec_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert update_spec.main(["nope/page.md", "--spec", str(spec_copy)]) == 2
    assert "nope/page.md: cannot read" in capsys.readouterr().err


# --------------------------------------------------------------------------- URLs, offline


def _serve(pages: dict[str, str], seen: list[str]) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        text = pages.get(str(request.url))
        return httpx.Response(200, text=text) if text is not None else httpx.Response(404)

    return httpx.MockTransport(handler)


def test_url_source_via_mock_transport(spec_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seen: list[str] = []
    page = (FIXTURES / "mutated-field-removed.md").read_text(encoding="utf-8")
    transport = _serve({RESULTS_URL: page}, seen)
    assert update_spec.main([RESULTS_URL, "--spec", str(spec_copy)], transport=transport) == 1
    assert seen == [RESULTS_URL]
    assert "[BREAKING] field 'hq_city' removed" in capsys.readouterr().out


def test_http_error_names_the_url(spec_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    transport = _serve({}, [])
    assert update_spec.main([RESULTS_URL, "--spec", str(spec_copy)], transport=transport) == 2
    assert capsys.readouterr().err == f"error: {RESULTS_URL}: HTTP 404 Not Found\n"


def test_all_pages_fetches_the_five_docs_pages(spec_copy: Path) -> None:
    seen: list[str] = []
    seed = SEED_PAGE.read_text(encoding="utf-8")
    transport = _serve(dict.fromkeys(update_spec.ALL_PAGE_URLS, seed), seen)
    # the seed (served for every page) reproduces our results operation: no changes
    assert update_spec.main(["--all-pages", "--spec", str(spec_copy)], transport=transport) == 0
    assert seen == list(update_spec.ALL_PAGE_URLS)
    assert len(seen) == 5
    assert all(url.startswith("https://docs.extruct.ai/api-reference/discover/") for url in seen)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def local_docs() -> Iterator[str]:
    """An http.server on 127.0.0.1 serving tests/spec/fixtures/."""
    handler = functools.partial(_QuietHandler, directory=str(FIXTURES))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_url_source_via_local_http_server(
    local_docs: str, spec_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = local_docs + "mutated-limit-changed.md"
    assert update_spec.main([url, "--spec", str(spec_copy), "--timeout", "5"]) == 1
    assert "maxLength changed from 500 to 300" in capsys.readouterr().out


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_unreachable_url_exits_2_with_one_clear_line(spec_copy: Path) -> None:
    url = f"http://127.0.0.1:{_closed_port()}/x.md"
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), url, "--spec", str(spec_copy), "--timeout", "3"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert time.monotonic() - started < 15
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"error: {url}: cannot fetch (ConnectError")
    assert spec_copy.read_bytes() == UPSTREAM.read_bytes()


def test_field_gaining_anyof_is_compared_with_its_matching_branch(
    upstream: dict[str, Any],
) -> None:
    old = _schema(upstream, "CriterionDefinition")["properties"]["criterion"]
    new = {
        "anyOf": [{"type": "string", "maxLength": 300, "minLength": 10}, {"type": "null"}],
        "title": old["title"],
        "description": old["description"],
    }
    changes = _edit_and_diff(
        upstream, _set([*S, "CriterionDefinition", "properties", "criterion"], new)
    )
    where = "schema CriterionDefinition.criterion"
    assert changes == [
        (where, "became nullable (responses may now carry null)", "BREAKING"),
        (where, "maxLength changed from 500 to 300 (tightened, breaks requests)", "BREAKING"),
    ]
