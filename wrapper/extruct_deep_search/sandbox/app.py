"""The sandbox's ASGI app: Starlette routes over :class:`~.state.SandboxState`.

Routes (``/v1`` needs ``Authorization: Bearer <token>`` except healthcheck)::

    POST /v1/discovery_tasks                      create
    GET  /v1/discovery_tasks?offset=&limit=       list, newest first
    GET  /v1/discovery_tasks/{task_id}            get
    GET  /v1/discovery_tasks/{task_id}/results    results, by relevance desc
    POST /v1/discovery_tasks/{task_id}/resume     resume
    POST /v1/tables/{table_id}/rows               add table rows
    GET  /v1/user                                 the token's user
    GET  /v1/healthcheck                          no auth

Control endpoints (not part of the API; any valid token)::

    GET    /_sandbox/faults   rules, fault counts, tasks created in your org
    POST   /_sandbox/faults   add rules: one rule object, a list, or {"rules": [...]};
                              a rule is {"endpoint", "kind", "count"|"rate", "param"}
                              or its text form "create:500*1"
    DELETE /_sandbox/faults   remove all rules and reset the counts
    POST   /_sandbox/tables   create an AI Table for your org -> {"id": ...}

Errors are ``{"detail": "..."}``; schema violations are 422 with FastAPI's
``{"detail": [{"loc", "msg", "type"}]}``. Every response carries a ``Date``
header from the sandbox's clock (skewed with ``clock_offset``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import Callable
from email.utils import formatdate
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .faults import ACTED, FaultPlan, FaultRule
from .models import ApiError
from .state import SandboxState
from .validation import decode_json, parse_create, parse_paging, parse_resume, parse_table_rows

__all__ = ["EdgeMiddleware", "FaultMiddleware", "classify", "create_app", "http_date"]

_log = logging.getLogger(__name__)

_ROUTES = (
    ("POST", re.compile(r"^/v1/discovery_tasks/?$"), "create"),
    ("GET", re.compile(r"^/v1/discovery_tasks/?$"), "list"),
    ("GET", re.compile(r"^/v1/discovery_tasks/[^/]+/results/?$"), "results"),
    ("POST", re.compile(r"^/v1/discovery_tasks/[^/]+/resume/?$"), "resume"),
    ("GET", re.compile(r"^/v1/discovery_tasks/[^/]+/?$"), "get"),
    ("POST", re.compile(r"^/v1/tables/[^/]+/rows/?$"), "table_rows"),
)
_STATUS = {"429": 429, "429_no_retry_after": 429, "500": 500, "502": 502, "503": 503}
_REASON = {
    429: "Too Many Requests (sandbox fault)",
    500: "Internal Server Error (sandbox fault)",
    502: "Bad Gateway (sandbox fault)",
    503: "Service Unavailable (sandbox fault)",
}


def classify(method: str, path: str) -> str | None:
    """Return the fault endpoint name of a request, or None for other routes."""
    for verb, pattern, name in _ROUTES:
        if method == verb and pattern.match(path):
            return name
    return None


def create_app(state: SandboxState, faults: FaultPlan) -> ASGIApp:
    """Build the ASGI app (Starlette wrapped in the fault middleware)."""

    def org_of(request: Request) -> tuple[str, str]:
        header = request.headers.get("authorization")
        if not header:
            raise ApiError(401, "Not authenticated")
        scheme, _, token = header.partition(" ")
        found = state.authenticate(token.strip()) if scheme.lower() == "bearer" else None
        if found is None:
            raise ApiError(401, "Invalid token")
        return found

    async def create(request: Request) -> Response:
        org, _ = org_of(request)
        body = parse_create(decode_json(await request.body(), required=True))
        return JSONResponse(state.create_task(org, body))

    async def list_tasks(request: Request) -> Response:
        org, _ = org_of(request)
        offset, limit = parse_paging(dict(request.query_params))
        return JSONResponse(state.list_tasks(org, offset, limit))

    async def get_task(request: Request) -> Response:
        org, _ = org_of(request)
        return JSONResponse(state.get_task(org, request.path_params["task_id"]))

    async def results(request: Request) -> Response:
        org, _ = org_of(request)
        offset, limit = parse_paging(dict(request.query_params))
        return JSONResponse(state.get_results(org, request.path_params["task_id"], offset, limit))

    async def resume(request: Request) -> Response:
        org, _ = org_of(request)
        n = parse_resume(await request.body())
        return JSONResponse(state.resume_task(org, request.path_params["task_id"], n))

    async def table_rows(request: Request) -> Response:
        org, _ = org_of(request)
        rows = parse_table_rows(decode_json(await request.body(), required=True))
        return JSONResponse(state.add_table_rows(org, request.path_params["table_id"], rows))

    async def user(request: Request) -> Response:
        org, user_id = org_of(request)
        return JSONResponse(
            {"id": user_id, "email": f"{user_id}@sandbox.extruct.local", "organization_id": org}
        )

    async def healthcheck(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    def faults_json(org: str) -> dict[str, Any]:
        return {
            "rules": [r.to_json() for r in faults.rules()],
            "counts": [
                {"endpoint": e, "kind": k, "count": n}
                for (e, k), n in sorted(faults.counts().items())
            ],
            "tasks_created": state.tasks_created(org),
        }

    async def control_faults(request: Request) -> Response:
        org, _ = org_of(request)
        if request.method == "DELETE":
            faults.clear()
        elif request.method == "POST":
            data = decode_json(await request.body(), required=True)
            if isinstance(data, dict) and "rules" in data:
                data = data["rules"]
            items = data if isinstance(data, list) else [data]
            try:
                parsed = [
                    FaultRule.parse(i) if isinstance(i, str) else FaultRule.from_json(i)
                    for i in items
                ]
            except (TypeError, ValueError) as exc:
                raise ApiError(400, str(exc)) from None
            for rule in parsed:
                faults.add(rule)
        return JSONResponse(faults_json(org))

    async def control_tables(request: Request) -> Response:
        org, _ = org_of(request)
        return JSONResponse({"id": state.create_table(org)})

    async def api_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return JSONResponse({"detail": exc.detail}, status_code=exc.status, headers=headers)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return JSONResponse(
            {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
        )

    app = Starlette(
        routes=[
            Route("/v1/discovery_tasks", create, methods=["POST"]),
            Route("/v1/discovery_tasks", list_tasks, methods=["GET"]),
            Route("/v1/discovery_tasks/{task_id}", get_task, methods=["GET"]),
            Route("/v1/discovery_tasks/{task_id}/results", results, methods=["GET"]),
            Route("/v1/discovery_tasks/{task_id}/resume", resume, methods=["POST"]),
            Route("/v1/tables/{table_id}/rows", table_rows, methods=["POST"]),
            Route("/v1/user", user, methods=["GET"]),
            Route("/v1/healthcheck", healthcheck, methods=["GET"]),
            Route("/_sandbox/faults", control_faults, methods=["GET", "POST", "DELETE"]),
            Route("/_sandbox/tables", control_tables, methods=["POST"]),
        ],
        exception_handlers={ApiError: api_error, HTTPException: http_error},
    )
    return EdgeMiddleware(FaultMiddleware(app, faults), clock=state.now)


class EdgeMiddleware:
    """The outermost layer: a ``Date`` header on every response, quiet disconnects.

    ``Date`` (RFC 7231 IMF-fixdate) comes from the sandbox's clock, so a sandbox
    with a ``clock_offset`` is consistently off in its headers and its
    ``created_at`` stamps. A client that disconnects before its body is complete
    makes Starlette raise ``ClientDisconnect``; uvicorn cancels requests still
    running when it stops (``asyncio.CancelledError``). Both are normal for a
    server, and uvicorn would log each with a traceback: here they end with a
    DEBUG line instead.
    """

    def __init__(self, app: ASGIApp, clock: Callable[[], float] = time.time) -> None:
        """Wrap ``app``; ``clock`` gives the epoch seconds the Date header shows."""
        self.app = app
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI scope."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def edge_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                date = (b"date", http_date(self.clock()).encode())
                message = {**message, "headers": [*message.get("headers", ()), date]}
            await send(message)

        try:
            await self.app(scope, receive, edge_send)
        except ClientDisconnect:
            _log.debug("client left mid-request: %s %s", scope["method"], scope["path"])
        except asyncio.CancelledError:
            # The task ends here either way; answering (uvicorn's send does not
            # suspend) spares uvicorn a "returned without a response" error.
            _log.debug("request cancelled (server stopping): %s", scope["path"])
            if not started:
                body = json.dumps({"detail": "Service Unavailable (sandbox stopping)"}).encode()
                await _send(edge_send, 503, body, [(b"connection", b"close")])


class FaultMiddleware:
    """ASGI middleware that injects the faults a :class:`FaultPlan` draws.

    For an acting kind the whole request body is read first: a client that
    leaves before it is complete has sent no request, and nothing happens. Then
    the app acts exactly once, its answer is captured, and the fault replaces or
    delays that answer (see the table in ``faults.py``).
    """

    def __init__(self, app: ASGIApp, plan: FaultPlan) -> None:
        """Wrap ``app``; faults come from ``plan``."""
        self.app = app
        self.plan = plan

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI connection scope, maybe with a fault."""
        endpoint = classify(scope["method"], scope["path"]) if scope["type"] == "http" else None
        rule = self.plan.draw(endpoint) if endpoint else None
        if rule is None:
            await self.app(scope, receive, send)
            return
        kind = rule.kind
        captured: list[Message] = []
        if kind in ACTED:
            body = await _read_body(receive)
            if body is None:
                _log.debug("client left before its request was complete: %s", scope["path"])
                return

            async def capture(message: Message) -> None:
                captured.append(message)

            await self.app(scope, _replay(body, receive), capture)
        if kind == "slow":
            # Acted already: a client that times out meanwhile leaves the effect behind.
            await asyncio.sleep(1.0 if rule.param is None else rule.param)
            for message in captured:
                await send(message)
        elif kind in ("drop", "drop_after"):
            await _drop(receive, send)
        elif kind in _STATUS:
            status = _STATUS[kind]
            headers: list[tuple[bytes, bytes]] = []
            if kind == "429":
                retry_after = 1.0 if rule.param is None else rule.param
                value = str(int(retry_after)) if retry_after.is_integer() else str(retry_after)
                headers.append((b"retry-after", value.encode()))
            await _send(send, status, json.dumps({"detail": _REASON[status]}).encode(), headers)
        elif kind == "truncated":
            body = b"".join(
                m.get("body", b"") for m in captured if m["type"] == "http.response.body"
            )
            await _send(send, 200, body[: max(1, len(body) // 2)])
        else:  # non_json
            html = b"<html><body><h1>502 Bad Gateway</h1>sandbox fault</body></html>"
            await _send(send, 200, html, content_type=b"text/html")


def http_date(ts: float) -> str:
    """Epoch seconds as an RFC 7231 IMF-fixdate: ``Tue, 07 Nov 2023 05:31:56 GMT``."""
    return formatdate(ts, usegmt=True)


async def _read_body(receive: Receive) -> bytes | None:
    """The whole request body, or None if the client disconnected first."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive channel that yields the buffered body once, then the real channel."""
    pending = True

    async def replay() -> Message:
        nonlocal pending
        if pending:
            pending = False
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _send(
    send: Send,
    status: int,
    body: bytes,
    headers: list[tuple[bytes, bytes]] | None = None,
    content_type: bytes = b"application/json",
) -> None:
    all_headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]
    await send(
        {"type": "http.response.start", "status": status, "headers": all_headers + (headers or [])}
    )
    await send({"type": "http.response.body", "body": body})


async def _drop(receive: Receive, send: Send) -> None:
    # uvicorn hands the app its RequestResponseCycle.receive bound method; closing
    # that cycle's transport drops the TCP connection before any response byte,
    # so clients see "server disconnected without sending a response".
    transport = getattr(getattr(receive, "__self__", None), "transport", None)
    if transport is not None:
        transport.close()
        for _ in range(3):
            await asyncio.sleep(0)
        return
    # Other servers: start a response and abort it, which also breaks the exchange.
    await send(
        {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"100")]}
    )
    raise ConnectionAbortedError("sandbox fault: dropped connection")
