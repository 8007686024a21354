"""The exception tree, and the one table that maps an HTTP status to it.

ExtructError
├── InvalidArgumentError (also ValueError)   bad input, raised before any request
├── APIError                                  the server answered with an error status
│   ├── BadRequestError            400
│   │   └── TaskExhaustedError     400 from resume: no candidates left
│   ├── AuthenticationError        401
│   ├── PaymentRequiredError       402
│   ├── PermissionDeniedError      403
│   ├── NotFoundError              404
│   ├── UnprocessableEntityError   422 (with the server's error list)
│   ├── RateLimitError             429 (with retry_after)
│   ├── ServerError                5xx
│   └── UnexpectedResponseError    any other status, or a body we cannot read
├── APIConnectionError                        no usable answer (connect, read, protocol)
│   └── APITimeoutError                       the request deadline passed
├── TaskFailedError                           wait() saw status "failed"
└── WaitTimeoutError                          wait() ran out of time
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._core.secrets import Secret
    from ._types import Task

__all__ = [
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ExtructError",
    "InvalidArgumentError",
    "NotFoundError",
    "PaymentRequiredError",
    "PermissionDeniedError",
    "RateLimitError",
    "ServerError",
    "TaskExhaustedError",
    "TaskFailedError",
    "UnexpectedResponseError",
    "UnprocessableEntityError",
    "WaitTimeoutError",
]


class ExtructError(Exception):
    """Base class of every error this package raises.

    Attributes:
        task_id: the task the failed operation was about, when one exists
            (``run()`` sets it on every error raised after the task was
            created, so a caller can wait on it instead of paying for another).
    """

    task_id: str | None = None
    created_rows: list[dict[str, Any]] | None = None
    """add_table_rows: the rows earlier batches created before this error (else None)."""


class InvalidArgumentError(ExtructError, ValueError):
    """An argument is invalid; raised before any request is sent.

    Attributes:
        argument: the parameter name, e.g. ``"desired_num_results"`` or ``"criteria[2].key"``.
    """

    def __init__(self, argument: str, message: str) -> None:
        self.argument = argument
        super().__init__(f"{argument}: {message}")


class APIError(ExtructError):
    """The server answered with an error status.

    Attributes:
        status_code: the HTTP status.
        body: the decoded JSON body, or the raw text when it is not JSON.
        request_id: the ``x-request-id`` response header, when present.
        detail: the body's ``detail`` field (FastAPI's error shape), when present.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        body: Any = None,
        request_id: str | None = None,
    ) -> None:
        self.status_code = status_code
        self.body = body
        self.request_id = request_id
        self.detail: Any = body.get("detail") if isinstance(body, Mapping) else None
        suffix = f" (request id {request_id})" if request_id else ""
        super().__init__(f"{message}{suffix}")


class BadRequestError(APIError):
    """400: the request is well-formed but refused (e.g. an exclude task is not done)."""


class TaskExhaustedError(BadRequestError):
    """400 from resume: the task's candidate pool is exhausted; nothing more to find."""


class AuthenticationError(APIError):
    """401: the token is missing or invalid."""


class PaymentRequiredError(APIError):
    """402: plan, payment or credits; ``detail["error"]`` says which."""


class PermissionDeniedError(APIError):
    """403: the resource (e.g. an exclude task) belongs to another organization."""


class NotFoundError(APIError):
    """404: the task (or an exclude task) does not exist in your workspace."""


class UnprocessableEntityError(APIError):
    """422: the server rejected the request body or parameters.

    Attributes:
        errors: the server's list of ``{"loc", "msg", "type"}`` entries.
    """

    @property
    def errors(self) -> list[dict[str, Any]]:
        """FastAPI's validation error list (empty when the body had none)."""
        if isinstance(self.detail, list):
            return [e for e in self.detail if isinstance(e, dict)]
        return []


class RateLimitError(APIError):
    """429: Extruct uses it for quota and billing rejections.

    Attributes:
        retry_after: seconds the server asked us to wait, when it said so.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        body: Any = None,
        request_id: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.retry_after = retry_after
        super().__init__(message, status_code=status_code, body=body, request_id=request_id)


class ServerError(APIError):
    """5xx: the server failed; it may or may not have acted on the request."""


class UnexpectedResponseError(APIError):
    """A status outside the documented set, or a body that is not the documented shape."""


class APIConnectionError(ExtructError):
    """No usable answer: the connection failed, dropped, or the peer broke the protocol."""


class APITimeoutError(APIConnectionError):
    """The request deadline passed before a full answer arrived."""


class TaskFailedError(ExtructError):
    """The task ended with status ``failed``.

    Attributes:
        task: the last task seen.
    """

    def __init__(self, task: Task) -> None:
        self.task = task
        self.task_id = task.id
        super().__init__(f"task {task.id} failed (query {task.query[:100]!r})")


class WaitTimeoutError(ExtructError):
    """wait() gave up before the task reached a terminal status; the task keeps running.

    Attributes:
        task: the last task seen (None if no poll succeeded).
        elapsed: seconds spent waiting.
    """

    def __init__(self, task: Task | None, elapsed: float) -> None:
        self.task = task
        self.elapsed = elapsed
        self.task_id = task.id if task is not None else None
        state = f"status '{task.status}'" if task is not None else "no successful poll"
        task_id = f" for task {task.id}" if task is not None else ""
        super().__init__(f"gave up waiting{task_id} after {elapsed:.1f}s ({state})")


# The error table: status -> class. Everything else >= 500 is a ServerError,
# anything else unlisted an UnexpectedResponseError.
STATUS_ERRORS: Mapping[int, type[APIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    402: PaymentRequiredError,
    403: PermissionDeniedError,
    404: NotFoundError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


MAX_MESSAGE = 500  # characters of server detail quoted in an error message


def bounded(text: str, limit: int = MAX_MESSAGE) -> str:
    """``text`` cut to ``limit`` characters (redact before cutting, never after)."""
    return text if len(text) <= limit else text[:limit] + "..."


def annotate(exc: BaseException, note: str) -> None:
    """Append ``note`` to ``exc``'s message (its first argument), keeping its type."""
    if exc.args and isinstance(exc.args[0], str):
        exc.args = (exc.args[0] + note, *exc.args[1:])
    else:
        exc.args = (*exc.args, note.lstrip("; "))


def name_task(exc: ExtructError, task_id: str) -> None:
    """Mark ``exc`` as being about task ``task_id``: ``.task_id``, and the id in its message."""
    exc.task_id = task_id
    if task_id not in str(exc):
        annotate(exc, f" (task {task_id})")


def shown(value: object, limit: int = 60) -> str:
    """A short repr of a caller's value for an error message; never raises.

    An int of more than 4300 digits has no repr (Python refuses to convert it),
    and a huge string or list must not make the message huge.
    """
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 64:
        return f"an integer of {value.bit_length()} bits"
    try:
        text = repr(value)
    except Exception:
        text = f"a {type(value).__name__}"
    return bounded(text, limit)


def decode_body(content: bytes) -> Any:
    """The JSON body, or its text when it is not JSON (never raises)."""
    try:
        return json.loads(content)
    except (ValueError, RecursionError):  # RecursionError: absurdly nested JSON
        return content.decode("utf-8", errors="replace")


def _describe(body: Any) -> str:
    detail = body.get("detail") if isinstance(body, Mapping) else body
    if isinstance(detail, Sequence) and not isinstance(detail, str):
        parts = []
        for entry in list(detail)[:5]:
            if isinstance(entry, Mapping):
                loc = ".".join(str(p) for p in entry.get("loc", []) if p != "body")
                parts.append(f"{loc}: {entry.get('msg', '')}" if loc else str(entry.get("msg")))
            else:
                parts.append(str(entry))
        return "; ".join(parts)
    if isinstance(detail, Mapping):
        return ", ".join(f"{k}={v}" for k, v in detail.items())
    text = str(detail) if detail is not None else ""
    return text if len(text) <= 300 else text[:300] + "..."


def error_for_status(
    status: int,
    content: bytes,
    *,
    request_id: str | None,
    retry_after: float | None,
    exhausted_on_400: bool = False,
    secret: Secret | None = None,
    subject: str = "",
) -> APIError:
    """Build the typed error for an error response.

    ``exhausted_on_400``: the response answers resume, whose only 400 is exhaustion.
    ``secret``: the token, redacted from the body and the request id in case
    the server echoed it (before anything is cut short).
    ``subject``: what the request looked up (``task 'abc'``), named by a 404.
    """
    if secret is not None:
        content = secret.scrub(content)
        request_id = None if request_id is None else secret.redact(request_id)
    if request_id is not None:
        request_id = bounded(request_id)
    body = decode_body(content)
    cls: type[APIError]
    if status == 400 and exhausted_on_400:
        cls = TaskExhaustedError
    elif status in STATUS_ERRORS:
        cls = STATUS_ERRORS[status]
    elif status >= 500:
        cls = ServerError
    else:
        cls = UnexpectedResponseError
    message = f"HTTP {status}"
    if status == 404 and subject:
        message += f": {subject} not found"
    if described := _describe(body):
        message += f": {bounded(described)}"
    if cls is RateLimitError:
        return RateLimitError(
            message,
            status_code=status,
            body=body,
            request_id=request_id,
            retry_after=retry_after,
        )
    return cls(message, status_code=status, body=body, request_id=request_id)
