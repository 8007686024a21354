"""Apache Airflow integration: a hook, a deferrable and durable operator, a trigger.

Install with ``pip install 'extruct-deep-search[airflow]'`` (Airflow 3.3+).
Airflow finds the provider through the ``apache_airflow_provider`` entry point
(:mod:`.provider`) and lists the ``extruct`` connection type.

Usage::

    from extruct_deep_search.airflow import DeepSearchOperator

    DeepSearchOperator(
        task_id="dental_saas",
        query="Vertical SaaS for dental clinics in Europe",
        desired_num_results=50,
    )

Names are imported on first use, so reading the provider metadata never
imports Airflow itself.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .hook import DeepSearchHook
    from .journal import TaskStateJournal
    from .operator import DeepSearchOperator
    from .trigger import DeepSearchTrigger

__all__ = ["DeepSearchHook", "DeepSearchOperator", "DeepSearchTrigger", "TaskStateJournal"]

_MODULES = {
    "DeepSearchHook": ".hook",
    "DeepSearchOperator": ".operator",
    "DeepSearchTrigger": ".trigger",
    "TaskStateJournal": ".journal",
}


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module, __name__), name)
