from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.discovery_task_output import DiscoveryTaskOutput
from ...models.http_error import HTTPError
from ...models.http_validation_error import HTTPValidationError
from ...models.resume_discovery_task_input import ResumeDiscoveryTaskInput
from ...types import UNSET, Response, Unset


def _get_kwargs(
    task_id: str,
    *,
    body: ResumeDiscoveryTaskInput | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/discovery_tasks/{task_id}/resume".format(
            task_id=quote(str(task_id), safe=""),
        ),
    }

    if not isinstance(body, Unset):
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
    task_id: str,
    *,
    client: AuthenticatedClient,
    body: ResumeDiscoveryTaskInput | Unset = UNSET,
) -> Response[DiscoveryTaskOutput | HTTPError | HTTPValidationError]:
    """Resume Discovery Task

     Requests additional results for a task, limited by the 250-result task cap. Returns 400 once the
    task is exhausted (is_exhausted=true).

    Args:
        task_id (str):
        body (ResumeDiscoveryTaskInput | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DiscoveryTaskOutput | HTTPError | HTTPValidationError]
    """

    kwargs = _get_kwargs(
        task_id=task_id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    task_id: str,
    *,
    client: AuthenticatedClient,
    body: ResumeDiscoveryTaskInput | Unset = UNSET,
) -> DiscoveryTaskOutput | HTTPError | HTTPValidationError | None:
    """Resume Discovery Task

     Requests additional results for a task, limited by the 250-result task cap. Returns 400 once the
    task is exhausted (is_exhausted=true).

    Args:
        task_id (str):
        body (ResumeDiscoveryTaskInput | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DiscoveryTaskOutput | HTTPError | HTTPValidationError
    """

    return sync_detailed(
        task_id=task_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    task_id: str,
    *,
    client: AuthenticatedClient,
    body: ResumeDiscoveryTaskInput | Unset = UNSET,
) -> Response[DiscoveryTaskOutput | HTTPError | HTTPValidationError]:
    """Resume Discovery Task

     Requests additional results for a task, limited by the 250-result task cap. Returns 400 once the
    task is exhausted (is_exhausted=true).

    Args:
        task_id (str):
        body (ResumeDiscoveryTaskInput | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DiscoveryTaskOutput | HTTPError | HTTPValidationError]
    """

    kwargs = _get_kwargs(
        task_id=task_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    task_id: str,
    *,
    client: AuthenticatedClient,
    body: ResumeDiscoveryTaskInput | Unset = UNSET,
) -> DiscoveryTaskOutput | HTTPError | HTTPValidationError | None:
    """Resume Discovery Task

     Requests additional results for a task, limited by the 250-result task cap. Returns 400 once the
    task is exhausted (is_exhausted=true).

    Args:
        task_id (str):
        body (ResumeDiscoveryTaskInput | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DiscoveryTaskOutput | HTTPError | HTTPValidationError
    """

    return (
        await asyncio_detailed(
            task_id=task_id,
            client=client,
            body=body,
        )
    ).parsed
