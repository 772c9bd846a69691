"""The service desk's console: employers, departments and user accounts (``portal.admin``)."""

from onzecoach.admin._ports import AdminUnitOfWork
from onzecoach.admin._service import AdminService

__all__ = ["AdminService", "AdminUnitOfWork"]
