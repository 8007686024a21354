from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.discovery_task_results_output import DiscoveryTaskResultsOutput
from ...models.http_error import HTTPError
from ...models.http_validation_error import HTTPValidationError
from ...types import UNSET, Response, Unset


def _get_kwargs(
    task_id: str,
    *,
    offset: int | None | Unset = UNSET,
    limit: int | None | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_offset: int | None | Unset
    if isinstance(offset, Unset):
        json_offset = UNSET
    else:
        json_offset = offset
    params["offset"] = json_offset

    json_limit: int | None | Unset
    if isinstance(limit, Unset):
        json_limit = UNSET
    else:
        json_limit = limit
    params["limit"] = json_limit

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/discovery_tasks/{task_id}/results".format(
            task_id=quote(str(task_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> DiscoveryTaskResultsOutput | HTTPError | HTTPValidationError | None:
    if response.status_code == 200:
        response_200 = DiscoveryTaskResultsOutput.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = HTTPError.from_dict(response.json())

        return response_401

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
) -> Response[DiscoveryTaskResultsOutput | HTTPError | HTTPValidationError]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    task_id: str,
    *,
    client: AuthenticatedClient,
    offset: int | None | Unset = UNSET,
    limit: int | None | Unset = UNSET,
) -> Response[DiscoveryTaskResultsOutput | HTTPError | HTTPValidationError]:
    """Get Discovery Task Results

    Args:
        task_id (str):
        offset (int | None | Unset):
        limit (int | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DiscoveryTaskResultsOutput | HTTPError | HTTPValidationError]
    """

    kwargs = _get_kwargs(
        task_id=task_id,
        offset=offset,
        limit=limit,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    task_id: str,
    *,
    client: AuthenticatedClient,
    offset: int | None | Unset = UNSET,
    limit: int | None | Unset = UNSET,
) -> DiscoveryTaskResultsOutput | HTTPError | HTTPValidationError | None:
    """Get Discovery Task Results

    Args:
        task_id (str):
        offset (int | None | Unset):
        limit (int | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DiscoveryTaskResultsOutput | HTTPError | HTTPValidationError
    """

    return sync_detailed(
        task_id=task_id,
        client=client,
        offset=offset,
        limit=limit,
    ).parsed


async def asyncio_detailed(
    task_id: str,
    *,
    client: AuthenticatedClient,
    offset: int | None | Unset = UNSET,
    limit: int | None | Unset = UNSET,
) -> Response[DiscoveryTaskResultsOutput | HTTPError | HTTPValidationError]:
    """Get Discovery Task Results

    Args:
        task_id (str):
        offset (int | None | Unset):
        limit (int | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DiscoveryTaskResultsOutput | HTTPError | HTTPValidationError]
    """

    kwargs = _get_kwargs(
        task_id=task_id,
        offset=offset,
        limit=limit,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    task_id: str,
    *,
    client: AuthenticatedClient,
    offset: int | None | Unset = UNSET,
    limit: int | None | Unset = UNSET,
) -> DiscoveryTaskResultsOutput | HTTPError | HTTPValidationError | None:
    """Get Discovery Task Results

    Args:
        task_id (str):
        offset (int | None | Unset):
        limit (int | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DiscoveryTaskResultsOutput | HTTPError | HTTPValidationError
    """

    return (
        await asyncio_detailed(
            task_id=task_id,
            client=client,
            offset=offset,
            limit=limit,
        )
    ).parsed
