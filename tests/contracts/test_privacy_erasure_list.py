"""The list of erased employees outside the database, on every storage:
``portal.privacy.erasures`` reads it, ``reapply(listed=...)`` merges a list into the
database's own before erasing again, and the file format round-trips and refuses what is
not such a list."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from booking_support import hr_of
from onzecoach import Actor, Portal
from onzecoach.actors import SERVICE_DESK
from onzecoach.adapters.memory import MemoryStorage
from onzecoach.adapters.sql import SqlStorage
from onzecoach.errors import NotFound, PermissionDenied, ValidationError
from onzecoach.privacy import (
    ERASURE_LIST_FORMAT,
    ErasedEmployee,
    erasure_list_json,
    merge_erasures,
    read_erasure_list,
)
from onzecoach.testing import FrozenClock
from storage_snapshot import snapshot


def register(portal: Portal, hr: Actor, last_name: str) -> str:
    return portal.employees.register(
        hr,
        {
            "last_name": last_name,
            "given_name": "Sanne",
            "initials": "S.",
            "gender": "vrouw",
            "birth_date": date(1985, 5, 6),
            "email": f"{last_name.lower()}@example.nl",
            "registration_type": "OnzeCoach",
        },
    ).id


def test_the_service_desk_reads_the_list_and_nobody_else(
    portal: Portal, clock: FrozenClock
) -> None:
    hr = hr_of(portal)
    ids = sorted(register(portal, hr, name) for name in ("Aalbers", "Bakker", "Claassen"))
    assert portal.privacy.erasures(SERVICE_DESK) == []
    for n, employee_id in enumerate(ids[:2]):
        clock.advance(timedelta(minutes=n + 1))
        portal.privacy.erase(hr, employee_id, "Verzoek")

    listed = portal.privacy.erasures(SERVICE_DESK)
    assert [(e.employee_id, e.employer_id) for e in listed] == [
        (i, hr.employer_id) for i in ids[:2]
    ]
    assert all(e.erased_at.tzinfo is not None for e in listed)
    with pytest.raises(PermissionDenied):
        portal.privacy.erasures(hr)
    with pytest.raises(PermissionDenied):
        portal.privacy.erasures(Actor.integration("planner", [hr.employer_id or ""]))


def test_reapply_merges_a_list_from_outside_and_erases_the_listed_again(
    portal: Portal, clock: FrozenClock
) -> None:
    hr = hr_of(portal)
    gone = register(portal, hr, "Dekker")
    stays = register(portal, hr, "Evers")
    with portal.storage.unit_of_work() as uow:
        before = uow.employees.get(gone)
    assert before is not None
    portal.privacy.erase(hr, gone, "Verzoek")
    kept = erasure_list_json(portal.privacy.erasures(SERVICE_DESK), exported_at=clock.now())
    # A restore of a backup from before the erasure: the row is back, the list without it.
    with portal.storage.unit_of_work() as uow:
        uow.employees.save(before)
        uow.commit()
    _forget(portal, gone)
    assert portal.privacy.erasures(SERVICE_DESK) == []
    assert portal.privacy.reapply(SERVICE_DESK) == 0
    assert portal.employees.dossier(hr, gone).employee.last_name == "Dekker"

    # A listed employee whose row is not there (registered after the backup) is listed
    # too, and erases nobody.
    unknown = ErasedEmployee(
        employee_id="f" * 32, employer_id=hr.employer_id or "", erased_at=clock.now()
    )
    listed = [*read_erasure_list(kept), unknown]
    assert portal.privacy.reapply(SERVICE_DESK, listed=listed) == 1

    with pytest.raises(NotFound):
        portal.employees.dossier(hr, gone)
    assert portal.employees.dossier(hr, stays).employee.last_name == "Evers"
    assert {e.employee_id for e in portal.privacy.erasures(SERVICE_DESK)} == {gone, "f" * 32}
    assert portal.privacy.reapply(SERVICE_DESK, listed=listed) == 0


def _forget(portal: Portal, employee_id: str) -> None:
    """The database's list as a backup from before the erasure holds it: without the id."""
    storage = portal.storage
    if isinstance(storage, MemoryStorage):
        tables: Any = next(t for k, t in storage._tables.items() if k.__name__ == "ErasureTables")
        del tables.erased[employee_id]
        return
    assert isinstance(storage, SqlStorage)
    with storage.engine.begin() as connection:
        connection.execute(
            sa.text("DELETE FROM onzecoach_erased_employees WHERE employee_id = :id"),
            {"id": employee_id},
        )


def test_a_list_that_names_an_employee_under_another_employer_is_refused_whole(
    portal: Portal, clock: FrozenClock
) -> None:
    hr = hr_of(portal)
    other = hr_of(portal)
    employee_id = register(portal, hr, "Fransen")
    foreign = ErasedEmployee(
        employee_id=employee_id, employer_id=other.employer_id or "", erased_at=clock.now()
    )
    elsewhere = ErasedEmployee(
        employee_id="e" * 32, employer_id=hr.employer_id or "", erased_at=clock.now()
    )
    before = snapshot(portal.storage)
    with pytest.raises(ValidationError) as refused:
        portal.privacy.reapply(SERVICE_DESK, listed=[elsewhere, foreign])
    assert refused.value.codes == {"listed": "employer_mismatch"}
    assert snapshot(portal.storage) == before
    with pytest.raises(ValidationError) as not_a_list:
        portal.privacy.reapply(SERVICE_DESK, listed=["e" * 32])  # type: ignore[list-item]
    assert not_a_list.value.codes == {"listed": "invalid"}
    with pytest.raises(PermissionDenied):
        portal.privacy.reapply(hr, listed=[elsewhere])
    assert snapshot(portal.storage) == before
    assert portal.employees.dossier(hr, employee_id).employee.last_name == "Fransen"


# The file ------------------------------------------------------------------------------------

AT = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def _entry(n: int, minutes: int = 0) -> ErasedEmployee:
    return ErasedEmployee(
        employee_id=f"{n:032x}", employer_id="a" * 32, erased_at=AT + timedelta(minutes=minutes)
    )


def test_the_file_round_trips_holds_nothing_but_ids_and_times_and_merges_to_the_earliest() -> None:
    data = erasure_list_json([_entry(2), _entry(1, 5), _entry(1, 3)], exported_at=AT)
    document = json.loads(data)
    assert document == {
        "format": ERASURE_LIST_FORMAT,
        "version": 1,
        "exported_at": "2026-03-01T09:30:00Z",
        "erased": [
            {
                "employee_id": f"{1:032x}",
                "employer_id": "a" * 32,
                "erased_at": "2026-03-01T09:33:00Z",
            },
            {
                "employee_id": f"{2:032x}",
                "employer_id": "a" * 32,
                "erased_at": "2026-03-01T09:30:00Z",
            },
        ],
    }
    assert read_erasure_list(data) == [_entry(1, 3), _entry(2)]
    assert merge_erasures([_entry(1, 9)], [_entry(1, 2), _entry(3)]) == [_entry(1, 2), _entry(3)]


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "invalid"),
        (b"\xff\xfe", "invalid"),
        (b"[]", "invalid"),
        (b'{"format": "iets anders", "version": 1, "erased": []}', "invalid"),
        (b'{"format": "onzecoach.erased-employees", "version": 2, "erased": []}', "version"),
        (b'{"format": "onzecoach.erased-employees", "version": 1, "erased": {}}', "invalid"),
        (b'{"format": "onzecoach.erased-employees", "version": 1, "erased": [1]}', "invalid"),
        (
            b'{"format": "onzecoach.erased-employees", "version": 1, "erased": '
            b'[{"employee_id": "", "employer_id": "b", "erased_at": "2026-03-01T09:30:00Z"}]}',
            "invalid",
        ),
        (
            b'{"format": "onzecoach.erased-employees", "version": 1, "erased": '
            b'[{"employee_id": "a", "employer_id": "b", "erased_at": "2026-03-01T09:30:00"}]}',
            "invalid",
        ),
        (
            b'{"format": "onzecoach.erased-employees", "version": 1, "erased": '
            b'[{"employee_id": "a", "employer_id": "b", "erased_at": "gisteren"}]}',
            "invalid",
        ),
        (
            b'{"format": "onzecoach.erased-employees", "version": 1, "erased": '
            b'[{"employee_id": "a\\n", "employer_id": "b", "erased_at": "2026-03-01T09:30:00Z"}]}',
            "invalid",
        ),
    ],
)
def test_what_is_not_such_a_list_is_refused_on_listed(data: bytes, code: str) -> None:
    with pytest.raises(ValidationError) as refused:
        read_erasure_list(data)
    assert refused.value.codes == {"listed": code}
    assert refused.value.errors["listed"]
