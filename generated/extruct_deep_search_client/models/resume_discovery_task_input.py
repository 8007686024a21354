from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="ResumeDiscoveryTaskInput")


@_attrs_define
class ResumeDiscoveryTaskInput:
    """
    Attributes:
        desired_new_results (int | Unset): Additional results requested for an existing task. Limited by the 250-result
            task cap. Default: 25.
    """

    desired_new_results: int | Unset = 25

    def to_dict(self) -> dict[str, Any]:
        desired_new_results = self.desired_new_results

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if desired_new_results is not UNSET:
            field_dict["desired_new_results"] = desired_new_results

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        desired_new_results = d.pop("desired_new_results", UNSET)

        resume_discovery_task_input = cls(
            desired_new_results=desired_new_results,
        )

        return resume_discovery_task_input
