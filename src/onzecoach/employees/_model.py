from __future__ import annotations

from datetime import date, datetime
from typing import Any

import attrs

from onzecoach.clock import utc
from onzecoach.employees._validation import EmployeeDetails, Gender, display_name

__all__ = ["Employee"]


@attrs.frozen
class Employee:
    """A werknemer of one employer, as registered on the manual's form.

    Every field holds its validated, normalised form (see ``validate_employee``).
    """

    id: str
    employer_id: str
    created_at: datetime = attrs.field(converter=utc)
    updated_at: datetime = attrs.field(converter=utc)
    last_name: str
    given_name: str
    initials: str
    gender: Gender
    birth_date: date
    email: str
    registration_type: str
    employee_number: str | None = None
    name_infix: str | None = None
    phone: str | None = None
    street: str | None = None
    house_number: str | None = None
    postcode: str | None = None
    city: str | None = None
    country: str = "NL"
    department_id: str | None = None
    job_title: str | None = None
    cost_centre: str | None = None
    po_number: str | None = None

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
        names = {field.name for field in attrs.fields(EmployeeDetails)}
        return EmployeeDetails(**{name: getattr(self, name) for name in names})

    @property
    def display_name(self) -> str:
        """ "Berg, van den, A.M. (Anna)", as lists and search results show it."""
        return display_name(self.last_name, self.name_infix, self.initials, self.given_name)


def _fields(details: EmployeeDetails) -> dict[str, Any]:
    return attrs.asdict(details, recurse=False)
