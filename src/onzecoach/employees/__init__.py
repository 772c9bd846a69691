"""Employees: registration, validation, the dossier and the bulk import."""

from onzecoach.employees._dossier import Dossier, InvitationState, TrajectoryRow
from onzecoach.employees._form import EMPLOYEE_FORM, GENDER_LABELS, Choice, FieldKind, FormField
from onzecoach.employees._import import (
    HEADER_ALIASES,
    ImportReport,
    ImportService,
    RowChange,
    RowError,
)
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
    "EMPLOYEE_FORM",
    "FIELDS",
    "FIELD_LABELS",
    "GENDER_LABELS",
    "HEADER_ALIASES",
    "Choice",
    "Dossier",
    "Employee",
    "EmployeeDetails",
    "EmployeeService",
    "FieldKind",
    "FormField",
    "Gender",
    "ImportReport",
    "ImportService",
    "InvitationState",
    "RowChange",
    "RowError",
    "TrajectoryRow",
    "display_name",
    "validate_employee",
]
