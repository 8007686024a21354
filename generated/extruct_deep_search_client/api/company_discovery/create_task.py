from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.discovery_task_input import DiscoveryTaskInput
from ...models.discovery_task_output import DiscoveryTaskOutput
from ...models.http_error import HTTPError
from ...models.http_validation_error import HTTPValidationError
from ...types import Response


def _get_kwargs(
    *,
    body: DiscoveryTaskInput,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/discovery_tasks",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> DiscoveryTaskOutput | HTTPError | HTTPValidationError | None:
    if response.status_code == 200:
        response_200 = DiscoveryTaskOutput.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = HTTPError.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = HTTPError.from_dict(response.json())

        return response_401

    if response.status_code == 402:
        response_402 = HTTPError.from_dict(response.json())

        return response_402

    if response.status_code == 403:
        response_403 = HTTPError.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = HTTPError.from_dict(response.json())

        return response_404

    if response.status_code == 422:
        response_422 = HTTPValidationError.from_dict(response.json())

        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[DiscoveryTaskOutput | HTTPError | HTTPValidationError]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: DiscoveryTaskInput,
) -> Response[DiscoveryTaskOutput | HTTPError | HTTPValidationError]:
    """Create Discovery Task

     Creates a Deep Search task and returns it immediately. exclude_* inputs are resolved once at
    creation time and frozen on the task.

    Args:
        body (DiscoveryTaskInput):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DiscoveryTaskOutput | HTTPError | HTTPValidationError]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: DiscoveryTaskInput,
) -> DiscoveryTaskOutput | HTTPError | HTTPValidationError | None:
    """Create Discovery Task

     Creates a Deep Search task and returns it immediately. exclude_* inputs are resolved once at
    creation time and frozen on the task.

    Args:
        body (DiscoveryTaskInput):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DiscoveryTaskOutput | HTTPError | HTTPValidationError
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: DiscoveryTaskInput,
) -> Response[DiscoveryTaskOutput | HTTPError | HTTPValidationError]:
    """Create Discovery Task

     Creates a Deep Search task and returns it immediately. exclude_* inputs are resolved once at
    creation time and frozen on the task.

    Args:
        body (DiscoveryTaskInput):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DiscoveryTaskOutput | HTTPError | HTTPValidationError]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: DiscoveryTaskInput,
) -> DiscoveryTaskOutput | HTTPError | HTTPValidationError | None:
    """Create Discovery Task

     Creates a Deep Search task and returns it immediately. exclude_* inputs are resolved once at
    creation time and frozen on the task.

    Args:
        body (DiscoveryTaskInput):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DiscoveryTaskOutput | HTTPError | HTTPValidationError
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
