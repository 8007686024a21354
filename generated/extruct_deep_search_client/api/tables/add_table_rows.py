from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.http_error import HTTPError
from ...models.http_validation_error import HTTPValidationError
from ...models.table_row_output import TableRowOutput
from ...models.table_rows_input import TableRowsInput
from ...types import Response


def _get_kwargs(
    table_id: str,
    *,
    body: TableRowsInput,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/tables/{table_id}/rows".format(
            table_id=quote(str(table_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> HTTPError | HTTPValidationError | list[TableRowOutput] | None:
    if response.status_code == 200:
        response_200 = []
        _response_200 = response.json()
        for response_200_item_data in _response_200:
            response_200_item = TableRowOutput.from_dict(response_200_item_data)

            response_200.append(response_200_item)

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
) -> Response[HTTPError | HTTPValidationError | list[TableRowOutput]]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    table_id: str,
    *,
    client: AuthenticatedClient,
    body: TableRowsInput,
) -> Response[HTTPError | HTTPValidationError | list[TableRowOutput]]:
    """Add Table Rows

     Adds rows to an AI Table. The Deep Search guide's handoff maps each shortlisted company_website to
    rows[].data.input. Assumed: the row object beyond id, created_at and data is not documented.

    Args:
        table_id (str):
        body (TableRowsInput):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPError | HTTPValidationError | list[TableRowOutput]]
    """

    kwargs = _get_kwargs(
        table_id=table_id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    table_id: str,
    *,
    client: AuthenticatedClient,
    body: TableRowsInput,
) -> HTTPError | HTTPValidationError | list[TableRowOutput] | None:
    """Add Table Rows

     Adds rows to an AI Table. The Deep Search guide's handoff maps each shortlisted company_website to
    rows[].data.input. Assumed: the row object beyond id, created_at and data is not documented.

    Args:
        table_id (str):
        body (TableRowsInput):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPError | HTTPValidationError | list[TableRowOutput]
    """

    return sync_detailed(
        table_id=table_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    table_id: str,
    *,
    client: AuthenticatedClient,
    body: TableRowsInput,
) -> Response[HTTPError | HTTPValidationError | list[TableRowOutput]]:
    """Add Table Rows

     Adds rows to an AI Table. The Deep Search guide's handoff maps each shortlisted company_website to
    rows[].data.input. Assumed: the row object beyond id, created_at and data is not documented.

    Args:
        table_id (str):
        body (TableRowsInput):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPError | HTTPValidationError | list[TableRowOutput]]
    """

    kwargs = _get_kwargs(
        table_id=table_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    table_id: str,
    *,
    client: AuthenticatedClient,
    body: TableRowsInput,
) -> HTTPError | HTTPValidationError | list[TableRowOutput] | None:
    """Add Table Rows

     Adds rows to an AI Table. The Deep Search guide's handoff maps each shortlisted company_website to
    rows[].data.input. Assumed: the row object beyond id, created_at and data is not documented.

    Args:
        table_id (str):
        body (TableRowsInput):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPError | HTTPValidationError | list[TableRowOutput]
    """

    return (
        await asyncio_detailed(
            table_id=table_id,
            client=client,
            body=body,
        )
    ).parsed
