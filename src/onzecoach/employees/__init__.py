"""Employees: registration, validation, the dossier and the bulk import."""

from onzecoach.employees._dossier import Dossier, InvitationState, NotBooked, TrajectoryRow
from onzecoach.employees._events import EmployeeChanged, EmployeeRemoved, EmployeesAdded
from onzecoach.employees._form import EMPLOYEE_FORM, GENDER_LABELS, Choice, FieldKind, FormField
from onzecoach.employees._import import ImportReport, ImportService, RowChange, RowError
from onzecoach.employees._import_files import HEADER_ALIASES, Source
from onzecoach.employees._model import Employee
from onzecoach.employees._ports import EmployeeRepositories, EmployeeRepository, EmployeeUnitOfWork
from onzecoach.employees._service import EmployeeService
from onzecoach.employees._validation import (
    FIELD_LABELS,
    FIELDS,
    NAME_INFIXES,
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
    "NAME_INFIXES",
    "Choice",
    "Dossier",
    "Employee",
    "EmployeeChanged",
    "EmployeeDetails",
    "EmployeeRemoved",
    "EmployeeRepositories",
    "EmployeeRepository",
    "EmployeeService",
    "EmployeeUnitOfWork",
    "EmployeesAdded",
    "FieldKind",
    "FormField",
    "Gender",
    "ImportReport",
    "ImportService",
    "InvitationState",
    "NotBooked",
    "RowChange",
    "RowError",
    "Source",
    "TrajectoryRow",
    "display_name",
    "validate_employee",
]
