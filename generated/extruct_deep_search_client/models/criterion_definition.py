from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="CriterionDefinition")


@_attrs_define
class CriterionDefinition:
    """Definition of a criterion for evaluating companies in discovery tasks

    Attributes:
        key (str): Unique identifier for this criterion (e.g., "is_ai_company")
        name (str): Human-readable name for this criterion (e.g., "AI Company")
        criterion (str): The actual criterion text to evaluate against companies
    """

    key: str
    name: str
    criterion: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        key = self.key

        name = self.name

        criterion = self.criterion

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "key": key,
                "name": name,
                "criterion": criterion,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        key = d.pop("key")

        name = d.pop("name")

        criterion = d.pop("criterion")

        criterion_definition = cls(
            key=key,
            name=name,
            criterion=criterion,
        )

        criterion_definition.additional_properties = d
        return criterion_definition

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
