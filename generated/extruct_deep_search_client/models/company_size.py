from enum import StrEnum


class CompanySize(StrEnum):
    SIZE_10001_PLUS = "10001+"
    SIZE_1001_5000 = "1001-5000"
    SIZE_11_50 = "11-50"
    SIZE_1_10 = "1-10"
    SIZE_201_500 = "201-500"
    SIZE_5001_10000 = "5001-10000"
    SIZE_501_1000 = "501-1000"
    SIZE_51_200 = "51-200"

    def __str__(self) -> str:
        return str(self.value)
