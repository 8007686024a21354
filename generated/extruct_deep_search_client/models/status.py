from enum import StrEnum


class Status(StrEnum):
    CREATED = "created"
    DONE = "done"
    FAILED = "failed"
    IN_PROGRESS = "in_progress"

    def __str__(self) -> str:
        return str(self.value)
