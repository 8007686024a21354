"""DeepSearchHook from an Airflow connection, and the provider as Airflow lists it."""

from __future__ import annotations

import json

import pytest
from extruct_deep_search import AsyncDeepSearch, DeepSearch
from extruct_deep_search.airflow import DeepSearchHook
from extruct_deep_search.airflow.provider import get_provider_info


def test_provider_info_passes_airflows_schema() -> None:
    from airflow._shared.providers_discovery.providers_discovery import (
        _create_provider_info_schema_validator,
    )

    _create_provider_info_schema_validator().validate(get_provider_info())


def test_providers_manager_lists_the_provider_and_its_connection_type() -> None:
    from airflow.providers_manager import ProvidersManager
    from airflow.sdk.providers_manager_runtime import ProvidersManagerTaskRuntime

    manager = ProvidersManager()
    assert "extruct-deep-search" in manager.providers
    # What the connection form shows (the API server reads it without importing the hook).
    [meta] = [
        m for m in manager.iter_connection_type_hook_ui_metadata() if m.connection_type == "extruct"
    ]
    assert meta.hook_class_name == "extruct_deep_search.airflow.hook.DeepSearchHook"
    assert meta.hook_name == "Extruct Deep Search"
    behaviour = manager.field_behaviours["extruct"]
    assert behaviour["relabeling"] == {"host": "Base URL", "password": "API token"}
    assert set(behaviour["hidden_fields"]) == {"schema", "login", "port", "extra"}
    # What a task's Connection.get_hook() imports.
    hook = ProvidersManagerTaskRuntime().hooks["extruct"]
    assert hook is not None
    assert hook.hook_class_name == "extruct_deep_search.airflow.hook.DeepSearchHook"
    assert hook.connection_id_attribute_name == "conn_id"
    assert hook.package_name == "extruct-deep-search"


def test_ui_field_behaviour_passes_airflows_schema() -> None:
    from airflow._shared.providers_discovery.providers_discovery import (
        _create_customized_form_field_behaviours_schema_validator,
    )

    _create_customized_form_field_behaviours_schema_validator().validate(
        DeepSearchHook.get_ui_field_behaviour()
    )


def test_clients_from_the_connection(extruct_conn: str, base_url: str) -> None:
    hook = DeepSearchHook(extruct_conn, client_options={"max_retries": 4})
    with hook.get_client() as ds:
        assert isinstance(ds, DeepSearch)
        assert ds.base_url == base_url and ds.retry_policy.max_retries == 4
    assert hook.get_conn().base_url == base_url
    assert hook.get_client(max_retries=0).retry_policy.max_retries == 0  # a call's own options win
    assert "extruct_default" in repr(hook)


async def test_async_client_from_the_connection(extruct_conn: str, base_url: str) -> None:
    ds = await DeepSearchHook(extruct_conn).get_async_client()
    async with ds:
        assert isinstance(ds, AsyncDeepSearch) and ds.base_url == base_url
        assert isinstance(await ds.list_tasks(limit=1), list)


@pytest.mark.parametrize(
    ("fields", "url"),
    [
        ({"host": "127.0.0.1", "port": 8787, "schema": "http"}, "http://127.0.0.1:8787"),
        ({"host": "api.example.com"}, "https://api.example.com"),
        ({}, "https://api.extruct.ai"),
    ],
)
def test_base_url_from_host_port_and_schema(
    monkeypatch: pytest.MonkeyPatch, fields: dict[str, object], url: str
) -> None:
    monkeypatch.delenv("EXTRUCT_BASE_URL", raising=False)
    conn = {"conn_type": "extruct", "password": "tok_1", **fields}
    monkeypatch.setenv("AIRFLOW_CONN_EXTRUCT_PARTS", json.dumps(conn))
    assert DeepSearchHook("extruct_parts").get_client().base_url == url


def test_test_connection(extruct_conn: str, base_url: str) -> None:
    ok, message = DeepSearchHook(extruct_conn).test_connection()
    assert ok and base_url in message


def test_test_connection_with_a_bad_token_never_shows_it(
    monkeypatch: pytest.MonkeyPatch, base_url: str
) -> None:
    secret = "sbx_wrong_token_456"
    conn = {"conn_type": "extruct", "host": base_url, "password": secret}
    monkeypatch.setenv("AIRFLOW_CONN_EXTRUCT_BAD", json.dumps(conn))
    ok, message = DeepSearchHook("extruct_bad").test_connection()
    assert not ok and "AuthenticationError" in message and secret not in message


def test_test_connection_without_a_token(monkeypatch: pytest.MonkeyPatch, base_url: str) -> None:
    monkeypatch.delenv("EXTRUCT_API_TOKEN", raising=False)
    monkeypatch.setenv("AIRFLOW_CONN_EXTRUCT_EMPTY", json.dumps({"conn_type": "extruct"}))
    ok, message = DeepSearchHook("extruct_empty").test_connection()
    assert not ok and "token" in message


def test_airflow_builds_the_hook_for_an_extruct_connection(extruct_conn: str) -> None:
    from airflow.sdk import BaseHook

    hook = BaseHook.get_hook(extruct_conn)
    assert isinstance(hook, DeepSearchHook) and hook.conn_id == extruct_conn
