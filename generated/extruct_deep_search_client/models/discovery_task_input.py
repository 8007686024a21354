from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.discovery_data_source import DiscoveryDataSource
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.criterion_definition import CriterionDefinition
    from ..models.discovery_table_link import DiscoveryTableLink


T = TypeVar("T", bound="DiscoveryTaskInput")


@_attrs_define
class DiscoveryTaskInput:
    """
    Attributes:
        query (str): Ideal description of companies to find. Assumed: minLength 1 (an empty query is not documented as
            valid).
        desired_num_results (int | Unset): Target number of results for this task. Maximum is 250. Default: 100.
        auto_data_sources (bool | Unset): Automatically determine best data sources based on query Default: True.
        data_sources (list[DiscoveryDataSource] | None | Unset): Manual data source selection (ignored if
            auto_data_sources=True)
        criteria (list[CriterionDefinition] | None | Unset): Optional criteria for evaluating discovered companies. Each
            criterion will be graded on a 1-5 scale. If omitted, criteria are inferred from query.
        exclude_domains (list[str] | None | Unset): Domains (or URLs) of companies the run must not return. Normalized
            server-side to registered domains; duplicates are collapsed. The union with the visible results of
            exclude_task_ids is capped at 1000 unique domains.
        exclude_task_ids (list[str] | None | Unset): IDs of completed (DONE) Deep Search tasks whose returned companies
            must be excluded from the run. Up to 100 tasks. Tasks must belong to the caller (or their organization).
        table (DiscoveryTableLink | None | Unset): Assumed: shown in the current docs' create example but not described
            further.
    """

    query: str
    desired_num_results: int | Unset = 100
    auto_data_sources: bool | Unset = True
    data_sources: list[DiscoveryDataSource] | None | Unset = UNSET
    criteria: list[CriterionDefinition] | None | Unset = UNSET
    exclude_domains: list[str] | None | Unset = UNSET
    exclude_task_ids: list[str] | None | Unset = UNSET
    table: DiscoveryTableLink | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.discovery_table_link import DiscoveryTableLink  # noqa: PLC0415

        query = self.query

        desired_num_results = self.desired_num_results

        auto_data_sources = self.auto_data_sources

        data_sources: list[str] | None | Unset
        if isinstance(self.data_sources, Unset):
            data_sources = UNSET
        elif isinstance(self.data_sources, list):
            data_sources = []
            for data_sources_type_0_item_data in self.data_sources:
                data_sources_type_0_item = data_sources_type_0_item_data.value
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

        exclude_task_ids: list[str] | None | Unset
        if isinstance(self.exclude_task_ids, Unset):
            exclude_task_ids = UNSET
        elif isinstance(self.exclude_task_ids, list):
            exclude_task_ids = self.exclude_task_ids

        else:
            exclude_task_ids = self.exclude_task_ids

        table: dict[str, Any] | None | Unset
        if isinstance(self.table, Unset):
            table = UNSET
        elif isinstance(self.table, DiscoveryTableLink):
            table = self.table.to_dict()
        else:
            table = self.table

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "query": query,
            }
        )
        if desired_num_results is not UNSET:
            field_dict["desired_num_results"] = desired_num_results
        if auto_data_sources is not UNSET:
            field_dict["auto_data_sources"] = auto_data_sources
        if data_sources is not UNSET:
            field_dict["data_sources"] = data_sources
        if criteria is not UNSET:
            field_dict["criteria"] = criteria
        if exclude_domains is not UNSET:
            field_dict["exclude_domains"] = exclude_domains
        if exclude_task_ids is not UNSET:
            field_dict["exclude_task_ids"] = exclude_task_ids
        if table is not UNSET:
            field_dict["table"] = table

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.criterion_definition import CriterionDefinition  # noqa: PLC0415
        from ..models.discovery_table_link import DiscoveryTableLink  # noqa: PLC0415

        d = dict(src_dict)
        query = d.pop("query")

        desired_num_results = d.pop("desired_num_results", UNSET)

        auto_data_sources = d.pop("auto_data_sources", UNSET)

        def _parse_data_sources(
            data: object,
        ) -> list[DiscoveryDataSource] | None | Unset:
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
                    data_sources_type_0_item = DiscoveryDataSource(
                        data_sources_type_0_item_data
                    )

                    data_sources_type_0.append(data_sources_type_0_item)

                return data_sources_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[DiscoveryDataSource] | None | Unset, data)

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

        def _parse_exclude_task_ids(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                exclude_task_ids_type_0 = cast(list[str], data)

                return exclude_task_ids_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        exclude_task_ids = _parse_exclude_task_ids(d.pop("exclude_task_ids", UNSET))

        def _parse_table(data: object) -> DiscoveryTableLink | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                table_type_0 = DiscoveryTableLink.from_dict(data)

                return table_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(DiscoveryTableLink | None | Unset, data)

        table = _parse_table(d.pop("table", UNSET))

        discovery_task_input = cls(
            query=query,
            desired_num_results=desired_num_results,
            auto_data_sources=auto_data_sources,
            data_sources=data_sources,
            criteria=criteria,
            exclude_domains=exclude_domains,
            exclude_task_ids=exclude_task_ids,
            table=table,
        )

        return discovery_task_input
