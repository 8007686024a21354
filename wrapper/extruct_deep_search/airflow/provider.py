"""Airflow provider metadata, read through the ``apache_airflow_provider`` entry point.

Airflow's ProvidersManager calls :func:`get_provider_info` at start-up to list
the provider and its connection type (``extruct``), so this module imports
nothing from Airflow.
"""

from __future__ import annotations

from typing import Any

from .._version import __version__

__all__ = ["get_provider_info"]

CONN_TYPE = "extruct"
HOOK_CLASS = "extruct_deep_search.airflow.hook.DeepSearchHook"
INTEGRATION = "Extruct Deep Search"


def get_provider_info() -> dict[str, Any]:
    """The provider's description, in the shape of Airflow's ``provider_info.schema.json``."""
    return {
        "package-name": "extruct-deep-search",
        "name": INTEGRATION,
        "description": "Run Extruct Deep Search company discovery tasks from Airflow.",
        "versions": [__version__],
        "integrations": [
            {
                "integration-name": INTEGRATION,
                "external-doc-url": "https://docs.extruct.ai/api-guides/search/deep-search",
                "tags": ["service"],
            }
        ],
        "hooks": [
            {
                "integration-name": INTEGRATION,
                "python-modules": ["extruct_deep_search.airflow.hook"],
            }
        ],
        "operators": [
            {
                "integration-name": INTEGRATION,
                "python-modules": ["extruct_deep_search.airflow.operator"],
            }
        ],
        "triggers": [
            {
                "integration-name": INTEGRATION,
                "python-modules": ["extruct_deep_search.airflow.trigger"],
            }
        ],
        "connection-types": [
            {
                "hook-class-name": HOOK_CLASS,
                "hook-name": INTEGRATION,
                "connection-type": CONN_TYPE,
                "ui-field-behaviour": {
                    "hidden-fields": ["schema", "login", "port", "extra"],
                    "relabeling": {"host": "Base URL", "password": "API token"},
                    "placeholders": {"host": "https://api.extruct.ai (leave empty for it)"},
                },
            }
        ],
    }
