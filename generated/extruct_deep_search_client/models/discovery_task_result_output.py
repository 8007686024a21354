from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.company_size import CompanySize
from ..models.discovery_data_source import DiscoveryDataSource
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.criterion_scores import CriterionScores


T = TypeVar("T", bound="DiscoveryTaskResultOutput")


@_attrs_define
class DiscoveryTaskResultOutput:
    """
    Attributes:
        id (str):
        task_id (str):
        company_name (str):
        company_description (str):
        company_website (str):
        relevance (int | None): Relevance score (0-100 scale). When criteria scores exist, this is computed from them.
        created_at (datetime.datetime | Unset):
        company_profile_id (None | str | Unset): UUID of the linked company profile in the global index
        source (DiscoveryDataSource | str | Unset): Data source where this company was discovered (WEB_SEARCH, LINKEDIN,
            etc.) Default: DiscoveryDataSource.WEB_SEARCH.
        scores (CriterionScores | None | Unset): Evaluation scores for each criterion defined in the discovery task
        founding_year (int | None | Unset): Year the company was founded (from company profile)
        employee_count (CompanySize | None | str | Unset): Employee size bucket using LinkedIn-style ranges (e.g.,
            SIZE_1_10, SIZE_51_200, SIZE_10000_PLUS)
        hq_country (None | str | Unset): Headquarters country (from company profile)
        hq_state_province (None | str | Unset): Headquarters state or province (from company profile)
        hq_city (None | str | Unset): Headquarters city (from company profile)
        company_full_description (None | str | Unset): Full description of the company (from company profile)
    """

    id: str
    task_id: str
    company_name: str
    company_description: str
    company_website: str
    relevance: int | None
    created_at: datetime.datetime | Unset = UNSET
    company_profile_id: None | str | Unset = UNSET
    source: DiscoveryDataSource | str | Unset = DiscoveryDataSource.WEB_SEARCH
    scores: CriterionScores | None | Unset = UNSET
    founding_year: int | None | Unset = UNSET
    employee_count: CompanySize | None | str | Unset = UNSET
    hq_country: None | str | Unset = UNSET
    hq_state_province: None | str | Unset = UNSET
    hq_city: None | str | Unset = UNSET
    company_full_description: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.criterion_scores import CriterionScores  # noqa: PLC0415

        id = self.id

        task_id = self.task_id

        company_name = self.company_name

        company_description = self.company_description

        company_website = self.company_website

        relevance: int | None
        relevance = self.relevance

        created_at: str | Unset = UNSET
        if not isinstance(self.created_at, Unset):
            created_at = self.created_at.isoformat()

        company_profile_id: None | str | Unset
        if isinstance(self.company_profile_id, Unset):
            company_profile_id = UNSET
        else:
            company_profile_id = self.company_profile_id

        source: str | Unset
        if isinstance(self.source, Unset):
            source = UNSET
        elif isinstance(self.source, DiscoveryDataSource):
            source = self.source.value
        else:
            source = self.source

        scores: dict[str, Any] | None | Unset
        if isinstance(self.scores, Unset):
            scores = UNSET
        elif isinstance(self.scores, CriterionScores):
            scores = self.scores.to_dict()
        else:
            scores = self.scores

        founding_year: int | None | Unset
        if isinstance(self.founding_year, Unset):
            founding_year = UNSET
        else:
            founding_year = self.founding_year

        employee_count: None | str | Unset
        if isinstance(self.employee_count, Unset):
            employee_count = UNSET
        elif isinstance(self.employee_count, CompanySize):
            employee_count = self.employee_count.value
        else:
            employee_count = self.employee_count

        hq_country: None | str | Unset
        if isinstance(self.hq_country, Unset):
            hq_country = UNSET
        else:
            hq_country = self.hq_country

        hq_state_province: None | str | Unset
        if isinstance(self.hq_state_province, Unset):
            hq_state_province = UNSET
        else:
            hq_state_province = self.hq_state_province

        hq_city: None | str | Unset
        if isinstance(self.hq_city, Unset):
            hq_city = UNSET
        else:
            hq_city = self.hq_city

        company_full_description: None | str | Unset
        if isinstance(self.company_full_description, Unset):
            company_full_description = UNSET
        else:
            company_full_description = self.company_full_description

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "task_id": task_id,
                "company_name": company_name,
                "company_description": company_description,
                "company_website": company_website,
                "relevance": relevance,
            }
        )
        if created_at is not UNSET:
            field_dict["created_at"] = created_at
        if company_profile_id is not UNSET:
            field_dict["company_profile_id"] = company_profile_id
        if source is not UNSET:
            field_dict["source"] = source
        if scores is not UNSET:
            field_dict["scores"] = scores
        if founding_year is not UNSET:
            field_dict["founding_year"] = founding_year
        if employee_count is not UNSET:
            field_dict["employee_count"] = employee_count
        if hq_country is not UNSET:
            field_dict["hq_country"] = hq_country
        if hq_state_province is not UNSET:
            field_dict["hq_state_province"] = hq_state_province
        if hq_city is not UNSET:
            field_dict["hq_city"] = hq_city
        if company_full_description is not UNSET:
            field_dict["company_full_description"] = company_full_description

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.criterion_scores import CriterionScores  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        task_id = d.pop("task_id")

        company_name = d.pop("company_name")

        company_description = d.pop("company_description")

        company_website = d.pop("company_website")

        def _parse_relevance(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        relevance = _parse_relevance(d.pop("relevance"))

        _created_at = d.pop("created_at", UNSET)
        created_at: datetime.datetime | Unset
        if isinstance(_created_at, Unset):
            created_at = UNSET
        else:
            created_at = datetime.datetime.fromisoformat(_created_at)

        def _parse_company_profile_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        company_profile_id = _parse_company_profile_id(
            d.pop("company_profile_id", UNSET)
        )

        def _parse_source(data: object) -> DiscoveryDataSource | str | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                source_type_0 = DiscoveryDataSource(data)

                return source_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(DiscoveryDataSource | str | Unset, data)

        source = _parse_source(d.pop("source", UNSET))

        def _parse_scores(data: object) -> CriterionScores | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                scores_type_0 = CriterionScores.from_dict(data)

                return scores_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CriterionScores | None | Unset, data)

        scores = _parse_scores(d.pop("scores", UNSET))

        def _parse_founding_year(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        founding_year = _parse_founding_year(d.pop("founding_year", UNSET))

        def _parse_employee_count(data: object) -> CompanySize | None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                employee_count_type_0_type_0 = CompanySize(data)

                return employee_count_type_0_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CompanySize | None | str | Unset, data)

        employee_count = _parse_employee_count(d.pop("employee_count", UNSET))

        def _parse_hq_country(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        hq_country = _parse_hq_country(d.pop("hq_country", UNSET))

        def _parse_hq_state_province(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        hq_state_province = _parse_hq_state_province(d.pop("hq_state_province", UNSET))

        def _parse_hq_city(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        hq_city = _parse_hq_city(d.pop("hq_city", UNSET))

        def _parse_company_full_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        company_full_description = _parse_company_full_description(
            d.pop("company_full_description", UNSET)
        )

        discovery_task_result_output = cls(
            id=id,
            task_id=task_id,
            company_name=company_name,
            company_description=company_description,
            company_website=company_website,
            relevance=relevance,
            created_at=created_at,
            company_profile_id=company_profile_id,
            source=source,
            scores=scores,
            founding_year=founding_year,
            employee_count=employee_count,
            hq_country=hq_country,
            hq_state_province=hq_state_province,
            hq_city=hq_city,
            company_full_description=company_full_description,
        )

        discovery_task_result_output.additional_properties = d
        return discovery_task_result_output

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
