from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.discovery_data_source import DiscoveryDataSource
from ..models.status import Status
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.criterion_definition import CriterionDefinition


T = TypeVar("T", bound="DiscoveryTaskOutput")


@_attrs_define
class DiscoveryTaskOutput:
    """The task object returned by create, get, resume and list. Assumed: the same fields as DiscoveryTaskResultsOutput
    without results; the docs show no error field for a failed task.

        Attributes:
            id (str):
            created_at (datetime.datetime):
            status (Status | str):
            query (str):
            desired_num_results (int):
            is_exhausted (bool | Unset):  Default: False.
            num_results_discovered (int | Unset): Total number of company candidates discovered from search Default: 0.
            num_results_enriched (int | Unset): Number of candidates enriched with company profiles Default: 0.
            num_results_evaluated (int | Unset): Number of candidates that had criteria evaluation completed Default: 0.
            num_results (int | Unset): Total number of results Default: 0.
            table_id (None | str | Unset):
            auto_data_sources (bool | Unset):  Default: True.
            data_sources (list[DiscoveryDataSource | str] | None | Unset):
            criteria (list[CriterionDefinition] | None | Unset):
            exclude_domains (list[str] | None | Unset): The resolved, sorted list of registered domains that were excluded
                from this run (union of exclude_domains and the visible results of exclude_task_ids at creation time). Capped at
                1000.
    """

    id: str
    created_at: datetime.datetime
    status: Status | str
    query: str
    desired_num_results: int
    is_exhausted: bool | Unset = False
    num_results_discovered: int | Unset = 0
    num_results_enriched: int | Unset = 0
    num_results_evaluated: int | Unset = 0
    num_results: int | Unset = 0
    table_id: None | str | Unset = UNSET
    auto_data_sources: bool | Unset = True
    data_sources: list[DiscoveryDataSource | str] | None | Unset = UNSET
    criteria: list[CriterionDefinition] | None | Unset = UNSET
    exclude_domains: list[str] | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        created_at = self.created_at.isoformat()

        status: str
        if isinstance(self.status, Status):
            status = self.status.value
        else:
            status = self.status

        query = self.query

        desired_num_results = self.desired_num_results

        is_exhausted = self.is_exhausted

        num_results_discovered = self.num_results_discovered

        num_results_enriched = self.num_results_enriched

        num_results_evaluated = self.num_results_evaluated

        num_results = self.num_results

        table_id: None | str | Unset
        if isinstance(self.table_id, Unset):
            table_id = UNSET
        else:
            table_id = self.table_id

        auto_data_sources = self.auto_data_sources

        data_sources: list[str] | None | Unset
        if isinstance(self.data_sources, Unset):
            data_sources = UNSET
        elif isinstance(self.data_sources, list):
            data_sources = []
            for data_sources_type_0_item_data in self.data_sources:
                data_sources_type_0_item: str
                if isinstance(data_sources_type_0_item_data, DiscoveryDataSource):
                    data_sources_type_0_item = data_sources_type_0_item_data.value
                else:
                    data_sources_type_0_item = data_sources_type_0_item_data
                data_sources.append(data_sources_type_0_item)

        else:
            data_sources = self.data_sources

        criteria: list[dict[str, Any]] | None | Unset
        if isinstance(self.criteria, Unset):
            criteria = UNSET
        elif isinstance(self.criteria, list):
            criteria = []
            for criteria_type_0_item_data in self.criteria:
                criteria_type_0_item = criteria_type_0_item_data.to_dict()
                criteria.append(criteria_type_0_item)

        else:
            criteria = self.criteria

        exclude_domains: list[str] | None | Unset
        if isinstance(self.exclude_domains, Unset):
            exclude_domains = UNSET
        elif isinstance(self.exclude_domains, list):
            exclude_domains = self.exclude_domains

        else:
            exclude_domains = self.exclude_domains

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "created_at": created_at,
                "status": status,
                "query": query,
                "desired_num_results": desired_num_results,
            }
        )
        if is_exhausted is not UNSET:
            field_dict["is_exhausted"] = is_exhausted
        if num_results_discovered is not UNSET:
            field_dict["num_results_discovered"] = num_results_discovered
        if num_results_enriched is not UNSET:
            field_dict["num_results_enriched"] = num_results_enriched
        if num_results_evaluated is not UNSET:
            field_dict["num_results_evaluated"] = num_results_evaluated
        if num_results is not UNSET:
            field_dict["num_results"] = num_results
        if table_id is not UNSET:
            field_dict["table_id"] = table_id
        if auto_data_sources is not UNSET:
            field_dict["auto_data_sources"] = auto_data_sources
        if data_sources is not UNSET:
            field_dict["data_sources"] = data_sources
        if criteria is not UNSET:
            field_dict["criteria"] = criteria
        if exclude_domains is not UNSET:
            field_dict["exclude_domains"] = exclude_domains

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.criterion_definition import CriterionDefinition  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_status(data: object) -> Status | str:
            try:
                if not isinstance(data, str):
                    raise TypeError()
                status_type_0 = Status(data)

                return status_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Status | str, data)

        status = _parse_status(d.pop("status"))

        query = d.pop("query")

        desired_num_results = d.pop("desired_num_results")

        is_exhausted = d.pop("is_exhausted", UNSET)

        num_results_discovered = d.pop("num_results_discovered", UNSET)

        num_results_enriched = d.pop("num_results_enriched", UNSET)

        num_results_evaluated = d.pop("num_results_evaluated", UNSET)

        num_results = d.pop("num_results", UNSET)

        def _parse_table_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        table_id = _parse_table_id(d.pop("table_id", UNSET))

        auto_data_sources = d.pop("auto_data_sources", UNSET)

        def _parse_data_sources(
            data: object,
        ) -> list[DiscoveryDataSource | str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                data_sources_type_0 = []
                _data_sources_type_0 = data
                for data_sources_type_0_item_data in _data_sources_type_0:

                    def _parse_data_sources_type_0_item(
                        data: object,
                    ) -> DiscoveryDataSource | str:
                        try:
                            if not isinstance(data, str):
                                raise TypeError()
                            data_sources_type_0_item_type_0 = DiscoveryDataSource(data)

                            return data_sources_type_0_item_type_0
                        except (TypeError, ValueError, AttributeError, KeyError):
                            pass
                        return cast(DiscoveryDataSource | str, data)

                    data_sources_type_0_item = _parse_data_sources_type_0_item(
                        data_sources_type_0_item_data
                    )

                    data_sources_type_0.append(data_sources_type_0_item)

                return data_sources_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[DiscoveryDataSource | str] | None | Unset, data)

        data_sources = _parse_data_sources(d.pop("data_sources", UNSET))

        def _parse_criteria(data: object) -> list[CriterionDefinition] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                criteria_type_0 = []
                _criteria_type_0 = data
                for criteria_type_0_item_data in _criteria_type_0:
                    criteria_type_0_item = CriterionDefinition.from_dict(
                        criteria_type_0_item_data
                    )

                    criteria_type_0.append(criteria_type_0_item)

                return criteria_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[CriterionDefinition] | None | Unset, data)

        criteria = _parse_criteria(d.pop("criteria", UNSET))

        def _parse_exclude_domains(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                exclude_domains_type_0 = cast(list[str], data)

                return exclude_domains_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        exclude_domains = _parse_exclude_domains(d.pop("exclude_domains", UNSET))

        discovery_task_output = cls(
            id=id,
            created_at=created_at,
            status=status,
            query=query,
            desired_num_results=desired_num_results,
            is_exhausted=is_exhausted,
            num_results_discovered=num_results_discovered,
            num_results_enriched=num_results_enriched,
            num_results_evaluated=num_results_evaluated,
            num_results=num_results,
            table_id=table_id,
            auto_data_sources=auto_data_sources,
            data_sources=data_sources,
            criteria=criteria,
            exclude_domains=exclude_domains,
        )

        discovery_task_output.additional_properties = d
        return discovery_task_output

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
