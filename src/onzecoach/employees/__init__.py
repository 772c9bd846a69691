"""Employees: registration, validation and the dossier."""

from onzecoach.employees._dossier import Dossier, InvitationState, TrajectoryRow
from onzecoach.employees._model import Employee
from onzecoach.employees._service import EmployeeService
from onzecoach.employees._validation import (
    FIELD_LABELS,
    FIELDS,
    EmployeeDetails,
    Gender,
    display_name,
    validate_employee,
)

__all__ = [
    "FIELDS",
    "FIELD_LABELS",
    "Dossier",
    "Employee",
    "EmployeeDetails",
    "EmployeeService",
    "Gender",
    "InvitationState",
    "TrajectoryRow",
    "display_name",
    "validate_employee",
]
