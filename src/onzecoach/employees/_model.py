from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from onzecoach.clock import utc
from onzecoach.employees._validation import EmployeeDetails, display_name

__all__ = ["Employee"]


@attrs.frozen(kw_only=True)
class Employee(EmployeeDetails):
    """A werknemer of one employer: the form's details (``EmployeeDetails``) and who it is.

    Every field holds its validated, normalised form (see ``validate_employee``).
    """

    id: str
    employer_id: str
    created_at: datetime = attrs.field(converter=utc)
    updated_at: datetime = attrs.field(converter=utc)

    @classmethod
    def create(
        cls, *, id: str, employer_id: str, details: EmployeeDetails, now: datetime
    ) -> Employee:
        return cls(
            id=id, employer_id=employer_id, created_at=now, updated_at=now, **_fields(details)
        )

    def with_details(self, details: EmployeeDetails, *, now: datetime) -> Employee:
        return attrs.evolve(self, updated_at=now, **_fields(details))

    @property
    def details(self) -> EmployeeDetails:
        """Only the form's fields, as ``validate_employee`` returns them."""
        return EmployeeDetails(**_fields(self))

    @property
    def display_name(self) -> str:
        """ "Berg, van den, A.M. (Anna)", as lists and search results show it."""
        return display_name(self.last_name, self.name_infix, self.initials, self.given_name)


def _fields(details: EmployeeDetails) -> dict[str, Any]:
    return {field.name: getattr(details, field.name) for field in attrs.fields(EmployeeDetails)}
