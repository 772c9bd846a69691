"""What the import's tests share: the headers, rows and files they import, their employer,
and a storage whose units of work have a repository wrapped."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import attrs

from onzecoach import Actor, Portal, Role
from onzecoach.actors import SERVICE_DESK
from onzecoach.employees import Employee
from onzecoach.ports import Storage, UnitOfWork
from onzecoach.testing import RecordingMailer

DUTCH = [
    "Personeelsnummer",
    "Achternaam",
    "Tussenvoegsel(s)",
    "Roepnaam",
    "Voorletters",
    "Geslacht",
    "Geboortedatum",
    "E-mail",
    "Postcode",
    "Afdeling",
    "Kostenplaats",
    "PO-nummer",
]
ENGLISH = [
    "employee_number",
    "Last name",
    "name infix",
    "Given name",
    "INITIALS",
    "gender",
    "Date of birth",
    "email",
    "postcode",
    "department",
    "cost centre",
    "po number",
]
ROWS = [
    ["1001", "Berg", "van den", "Anna", "A.M.", "vrouw", "12-04-1985", "anna@example.nl",
     "3833 LB", "Finance", "KP-1", "PO-1"],
    ["1002", "Jansen", "", "Jan", "J", "man", "1979-01-31", "jan@example.nl",
     "1234AB", "", "", ""],
    ["1003", "Vries", "de", "Els", "E.", "v", "01-02-1990", "els@example.nl",
     "", "finance", "", ""],
]  # fmt: skip


def hr_of(portal: Portal, name: str) -> Actor:
    employer = portal.admin.create_employer(SERVICE_DESK, name)
    portal.admin.add_department(SERVICE_DESK, employer.id, "Finance")
    return Actor(user_id=f"hr-{employer.id[-8:]}", employer_id=employer.id, role=Role.HR)


def csv_bytes(
    header: list[str], rows: list[list[str]], *, delimiter: str = ";", bom: bool = False
) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" if bom else "").encode() + text.getvalue().encode()


def as_file(data: bytes, name: str = "werknemers.csv") -> io.BytesIO:
    file = io.BytesIO(data)
    file.name = name
    return file


def employees_of(portal: Portal, actor: Actor) -> dict[str, Employee]:
    with portal.storage.unit_of_work() as uow:
        assert actor.employer_id is not None
        found = uow.employees.for_employer(actor.employer_id, limit=10_000)
    return {e.employee_number or "": e for e in found}


@attrs.define
class SwappedStorage:
    """A storage whose units of work have repository ``name`` wrapped by ``wrap``."""

    inner: Storage
    name: str
    wrap: Callable[[Any], Any]

    @contextmanager
    def unit_of_work(self) -> Iterator[UnitOfWork]:
        with self.inner.unit_of_work() as uow:
            original = getattr(uow, self.name)
            setattr(uow, self.name, self.wrap(original))
            try:
                yield uow
            finally:
                setattr(uow, self.name, original)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def portal(self, like: Portal) -> Portal:
        """A portal like ``like`` on this storage."""
        return Portal(
            storage=self,  # type: ignore[arg-type]
            mailer=RecordingMailer(),
            clock=like.clock,
            settings=like.settings,
        )
