"""Employers (werkgevers) and their departments (afdelingen)."""

from onzecoach.employers._lookup import employers_to_repair, load_employer
from onzecoach.employers._model import NAME_MAX_LENGTH, Department, Employer, check_name, name_key
from onzecoach.employers._ports import (
    DepartmentRepository,
    EmployerRepositories,
    EmployerRepository,
    EmployerUnitOfWork,
)

__all__ = [
    "NAME_MAX_LENGTH",
    "Department",
    "DepartmentRepository",
    "Employer",
    "EmployerRepositories",
    "EmployerRepository",
    "EmployerUnitOfWork",
    "check_name",
    "employers_to_repair",
    "load_employer",
    "name_key",
]
