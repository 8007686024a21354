from enum import StrEnum


class DiscoveryDataSource(StrEnum):
    LINKEDIN = "linkedin"
    MAPS = "maps"
    WEB_SEARCH = "web_search"

    def __str__(self) -> str:
        return str(self.value)
