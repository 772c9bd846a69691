"""Employers (werkgevers), their departments (afdelingen) and their settings."""

from onzecoach.employers._lookup import employers_to_repair, load_employer
from onzecoach.employers._model import NAME_MAX_LENGTH, Department, Employer, check_name, name_key
from onzecoach.employers._policy import (
    POLICY_FIELDS,
    EmployerPolicy,
    EmployerSettings,
    PolicyField,
    check_cancellation_notice,
    check_retention_months,
    default_policy,
    employer_policy,
)
from onzecoach.employers._ports import (
    DepartmentRepository,
    EmployerRepositories,
    EmployerRepository,
    EmployerSettingsRepository,
    EmployerUnitOfWork,
)

__all__ = [
    "NAME_MAX_LENGTH",
    "POLICY_FIELDS",
    "Department",
    "DepartmentRepository",
    "Employer",
    "EmployerPolicy",
    "EmployerRepositories",
    "EmployerRepository",
    "EmployerSettings",
    "EmployerSettingsRepository",
    "EmployerUnitOfWork",
    "PolicyField",
    "check_cancellation_notice",
    "check_name",
    "check_retention_months",
    "default_policy",
    "employer_policy",
    "employers_to_repair",
    "load_employer",
    "name_key",
]
