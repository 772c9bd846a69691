"""Employees: registration, validation and the dossier."""
