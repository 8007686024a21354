"""Contains all the data models used in inputs/outputs"""

from .company_size import CompanySize
from .criterion_definition import CriterionDefinition
from .criterion_score import CriterionScore
from .criterion_scores import CriterionScores
from .discovery_data_source import DiscoveryDataSource
from .discovery_table_link import DiscoveryTableLink
from .discovery_task_input import DiscoveryTaskInput
from .discovery_task_output import DiscoveryTaskOutput
from .discovery_task_result_output import DiscoveryTaskResultOutput
from .discovery_task_results_output import DiscoveryTaskResultsOutput
from .http_error import HTTPError
from .http_validation_error import HTTPValidationError
from .resume_discovery_task_input import ResumeDiscoveryTaskInput
from .status import Status
from .table_row_input import TableRowInput
from .table_row_input_data import TableRowInputData
from .table_row_output import TableRowOutput
from .table_row_output_data import TableRowOutputData
from .table_rows_input import TableRowsInput
from .validation_error import ValidationError

__all__ = (
    "CompanySize",
    "CriterionDefinition",
    "CriterionScore",
    "CriterionScores",
    "DiscoveryDataSource",
    "DiscoveryTableLink",
    "DiscoveryTaskInput",
    "DiscoveryTaskOutput",
    "DiscoveryTaskResultOutput",
    "DiscoveryTaskResultsOutput",
    "HTTPError",
    "HTTPValidationError",
    "ResumeDiscoveryTaskInput",
    "Status",
    "TableRowInput",
    "TableRowInputData",
    "TableRowOutput",
    "TableRowOutputData",
    "TableRowsInput",
    "ValidationError",
)
