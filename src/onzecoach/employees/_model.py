from __future__ import annotations

import operator
from datetime import datetime
from typing import Any, Final

import attrs

from onzecoach.clock import optional_utc, utc
from onzecoach.employees._form import Gender
from onzecoach.employees._validation import EARLIEST_BIRTH_DATE, EmployeeDetails, display_name
from onzecoach.messages import ERASED_EMPLOYEE

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
    #: When the person was erased (``portal.privacy.erase``): the row is a tombstone.
    erased_at: datetime | None = attrs.field(default=None, converter=optional_utc)
    #: When an import last named the person (``portal.imports.employees``), changed or
    #: not: the retention of an employee without trajectories counts from the later of
    #: this and ``created_at``.
    last_named_at: datetime | None = attrs.field(default=None, converter=optional_utc)

    @classmethod
    def create(
        cls, *, id: str, employer_id: str, details: EmployeeDetails, now: datetime
    ) -> Employee:
        return cls(
            id=id, employer_id=employer_id, created_at=now, updated_at=now, **_fields(details)
        )

    def with_details(self, details: EmployeeDetails, *, now: datetime) -> Employee:
        return attrs.evolve(self, updated_at=now, **_fields(details))

    def erased(self, *, now: datetime) -> Employee:
        """The tombstone: every personal field empty, what the statistics count by (the
        employer, the department and the registration type) kept.

        The required text fields become empty, the birth date the form's own placeholder
        for an unknown one (1900-01-01), the gender unknown.
        """
        return attrs.evolve(
            self,
            last_name="",
            given_name="",
            initials="",
            gender=Gender.UNKNOWN,
            birth_date=EARLIEST_BIRTH_DATE,
            email="",
            employee_number=None,
            name_infix=None,
            phone=None,
            street=None,
            house_number=None,
            postcode=None,
            city=None,
            country="NL",
            job_title=None,
            updated_at=now,
            erased_at=now,
        )

    @property
    def known_since(self) -> datetime:
        """When the employee was registered or last named by an import, whichever is later."""
        if self.last_named_at is None:
            return self.created_at
        return max(self.created_at, self.last_named_at)

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    @property
    def holds_personal_data(self) -> bool:
        """Whether the row holds anything ``erased`` empties: false for a tombstone, true
        for an erased person's row that a restored backup brought back."""
        tombstone = self.erased(now=self.updated_at)
        return any(getattr(self, name) != getattr(tombstone, name) for name in _PERSONAL)

    @property
    def details(self) -> EmployeeDetails:
        """Only the form's fields, as ``validate_employee`` returns them."""
        return EmployeeDetails(**_fields(self))

    @property
    def display_name(self) -> str:
        """ "Berg, van den, A.M. (Anna)", as lists and search results show it;
        "Verwijderde werknemer" once erased."""
        if self.is_erased:
            return ERASED_EMPLOYEE
        return display_name(self.last_name, self.name_infix, self.initials, self.given_name)


#: The fields ``Employee.erased`` empties.
_PERSONAL = (
    "last_name",
    "given_name",
    "initials",
    "gender",
    "birth_date",
    "email",
    "employee_number",
    "name_infix",
    "phone",
    "street",
    "house_number",
    "postcode",
    "city",
    "country",
    "job_title",
)


#: The form's fields, in their order.
_DETAILS: Final = tuple(field.name for field in attrs.fields(EmployeeDetails))
_details_values: Final = operator.attrgetter(*_DETAILS)


def _fields(details: EmployeeDetails) -> dict[str, Any]:
    """The form's fields of ``details`` (an ``Employee`` too), by name."""
    return dict(zip(_DETAILS, _details_values(details), strict=True))
