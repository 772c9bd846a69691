"""What the service desk's use cases touch in one transaction."""

from __future__ import annotations

from typing import Protocol

from onzecoach.accounts import AccountRepositories
from onzecoach.audit import AuditRepositories
from onzecoach.employers import EmployerRepositories
from onzecoach.events import UnitOfWork

__all__ = ["AdminUnitOfWork"]


class AdminUnitOfWork(
    AccountRepositories, EmployerRepositories, AuditRepositories, UnitOfWork, Protocol
):
    """Employers, departments and their users, with the audit log."""
