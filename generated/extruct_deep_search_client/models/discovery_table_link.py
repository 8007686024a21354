from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="DiscoveryTableLink")


@_attrs_define
class DiscoveryTableLink:
    """Assumed: the shape of the create example's "table" object; not documented further.

    Attributes:
        id (str | Unset):
        run (bool | Unset):
        columns (list[str] | None | Unset):
        auto_import (bool | Unset):
    """

    id: str | Unset = UNSET
    run: bool | Unset = UNSET
    columns: list[str] | None | Unset = UNSET
    auto_import: bool | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        run = self.run

        columns: list[str] | None | Unset
        if isinstance(self.columns, Unset):
            columns = UNSET
        elif isinstance(self.columns, list):
            columns = self.columns

        else:
            columns = self.columns

        auto_import = self.auto_import

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if id is not UNSET:
            field_dict["id"] = id
        if run is not UNSET:
            field_dict["run"] = run
        if columns is not UNSET:
            field_dict["columns"] = columns
        if auto_import is not UNSET:
            field_dict["auto_import"] = auto_import

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id", UNSET)

        run = d.pop("run", UNSET)

        def _parse_columns(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                columns_type_0 = cast(list[str], data)

                return columns_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        columns = _parse_columns(d.pop("columns", UNSET))

        auto_import = d.pop("auto_import", UNSET)

        discovery_table_link = cls(
            id=id,
            run=run,
            columns=columns,
            auto_import=auto_import,
        )

        discovery_table_link.additional_properties = d
        return discovery_table_link

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
