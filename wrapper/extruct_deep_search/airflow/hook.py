"""DeepSearchHook: an Airflow connection of type ``extruct`` turned into a client.

The connection holds the API token in its password field (Airflow masks it
in logs and the UI) and, optionally, the base URL in its host field. The hook
never puts the token anywhere else: not in its repr, its logs, an XCom or a
trigger's serialized arguments (triggers carry the connection id only).

Usage::

    from extruct_deep_search.airflow import DeepSearchHook

    with DeepSearchHook("extruct_default").get_client() as ds:
        print(ds.list_tasks(limit=5))

An environment variable defines the connection without the metadata database::

    AIRFLOW_CONN_EXTRUCT_DEFAULT='{"conn_type": "extruct", "password": "<token>"}'
"""

from __future__ import annotations

from typing import Any

from airflow.sdk import BaseHook, Connection

from .._async import AsyncDeepSearch
from .._errors import ExtructError
from .._sync import DeepSearch
from .provider import CONN_TYPE, get_provider_info

__all__ = ["DeepSearchHook"]


def _base_url(conn: Connection) -> str | None:
    """The base URL from the connection: host as a URL, or schema://host:port parts."""
    host = (conn.host or "").strip()
    if not host:
        return None
    if "://" in host:
        return host
    scheme = conn.schema if conn.schema in ("http", "https") else "https"
    port = f":{conn.port}" if conn.port else ""
    return f"{scheme}://{host}{port}"


class DeepSearchHook(BaseHook):
    """Builds a configured DeepSearch or AsyncDeepSearch from an ``extruct`` connection.

    Args:
        conn_id: the Airflow connection id (default ``extruct_default``).
        client_options: extra keyword arguments for the client (e.g. ``max_retries``,
            ``poll_interval``, ``max_concurrent_requests``).
    """

    conn_name_attr = "conn_id"
    default_conn_name = "extruct_default"
    conn_type = CONN_TYPE
    hook_name = "Extruct Deep Search"

    def __init__(
        self,
        conn_id: str = default_conn_name,
        *,
        client_options: dict[str, Any] | None = None,
    ) -> None:
        super().__init__()
        self.conn_id = conn_id
        self.client_options = dict(client_options or {})

    def __repr__(self) -> str:
        return f"DeepSearchHook(conn_id={self.conn_id!r})"

    @classmethod
    def get_ui_field_behaviour(cls) -> dict[str, Any]:
        """How Airflow's connection form shows an ``extruct`` connection."""
        behaviour = get_provider_info()["connection-types"][0]["ui-field-behaviour"]
        return {key.replace("-", "_"): value for key, value in behaviour.items()}

    def _options(self, conn: Connection, given: dict[str, Any]) -> dict[str, Any]:
        options = {**self.client_options, **given}
        if (url := _base_url(conn)) is not None:
            options.setdefault("base_url", url)
        return options

    def get_conn(self) -> DeepSearch:
        """Same as :meth:`get_client` (Airflow's generic hook entry point)."""
        return self.get_client()

    def get_client(self, **options: Any) -> DeepSearch:
        """A blocking client for the connection; close it (or use ``with``) when done.

        ``options`` go to the client, over ``client_options``.
        """
        conn = self.get_connection(self.conn_id)
        return DeepSearch(conn.password, **self._options(conn, options))

    async def get_async_client(self, **options: Any) -> AsyncDeepSearch:
        """An asyncio client for the connection (reads it without blocking the event loop)."""
        conn = await self.aget_connection(self.conn_id)
        return AsyncDeepSearch(conn.password, **self._options(conn, options))

    def test_connection(self) -> tuple[bool, str]:
        """Read one page of the task list; used by the UI's "Test" button."""
        try:
            with self.get_client() as ds:
                ds.list_tasks(limit=1)
                return True, f"Connected to {ds.base_url}"
        except ExtructError as exc:  # messages never hold the token
            return False, f"{type(exc).__name__}: {exc}"
