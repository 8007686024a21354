"""Python client for Extruct Deep Search: create, wait, page, stream and resume
discovery tasks, with retries, typed errors, a CLI and a local sandbox server.

Usage::

    from extruct_deep_search import Criterion, DeepSearch

    with DeepSearch() as ds:  # token from EXTRUCT_API_TOKEN
        run = ds.run("Vertical SaaS for dental clinics", desired_num_results=50)
"""

from ._async import *
from ._core.polling import is_finished
from ._core.retry import RetryPolicy
from ._errors import *
from ._sync import *
from ._types import *
from ._version import __version__
from .batch import QuotaStoppedError, Search, SearchOutcome
from .journal import Journal, JournalEntry, MemoryJournal, SQLiteJournal

__all__ = [  # sorted by str.casefold, as httpx does
    "__version__",
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AsyncDeepSearch",
    "AuthenticationError",
    "BadRequestError",
    "CompanySize",
    "Criterion",
    "CriterionScore",
    "DataSource",
    "DeepSearch",
    "ExtructError",
    "InvalidArgumentError",
    "is_finished",
    "Journal",
    "JournalEntry",
    "MemoryJournal",
    "NotFoundError",
    "PaymentRequiredError",
    "PermissionDeniedError",
    "QuotaStoppedError",
    "RateLimitError",
    "Result",
    "RetryPolicy",
    "Search",
    "SearchOutcome",
    "SearchRun",
    "ServerError",
    "SQLiteJournal",
    "Task",
    "TaskExhaustedError",
    "TaskFailedError",
    "TaskStatus",
    "UnexpectedResponseError",
    "UnprocessableEntityError",
    "WaitTimeoutError",
]

for _name in __all__:
    if _name != "__version__":
        globals()[_name].__module__ = "extruct_deep_search"
