"""Employers (werkgevers) and their departments (afdelingen), managed by the service desk."""

from onzecoach.employers._model import Department, Employer, name_key
from onzecoach.employers._service import AdminService

__all__ = ["AdminService", "Department", "Employer", "name_key"]
