"""The storage contract of employees."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import attrs
import pytest

from onzecoach import NotFound
from onzecoach.employees import Employee, Gender
from onzecoach.ids import new_id
from onzecoach.ports import Storage
from onzecoach.testing.contracts._base import StorageTests
from onzecoach.testing.contracts._builders import (
    AMSTERDAM,
    T0,
    add,
    employee,
    in_transaction,
    refused,
    stored_department,
    stored_employee,
    stored_employer,
)

__all__ = ["EmployeeTests"]

EMPLOYEE_EXISTS = "employee.exists"


def full_employee(employer_id: str, department_id: str, **changes: Any) -> Employee:
    """An employee with every field filled in."""
    return employee(
        employer_id,
        updated_at=datetime(2026, 3, 3, 8, 15, 30, 123456, tzinfo=AMSTERDAM),
        last_name="Vries",
        given_name="Jan",
        initials="J.P.",
        gender=Gender.OTHER,
        birth_date=date(1970, 12, 31),
        email="jan.devries@example.nl",
        registration_type="OnzeCoach Plus",
        employee_number="P-0042",
        name_infix="de",
        phone="+31612345678",
        street="Lange Voorhout",
        house_number="12a",
        postcode="2514 EE",
        city="Den Haag",
        country="BE",
        department_id=department_id,
        job_title="Boekhouder",
        cost_centre="KP-300",
        po_number="PO-2026-17",
        **changes,
    )


class EmployeeTests(StorageTests):
    """``uow.employees``."""

    def test_every_field_round_trips_whole(self, storage: Storage) -> None:
        owner = stored_employer(storage)
        full = full_employee(owner, stored_department(storage, owner))
        bare = employee(owner)
        add(storage, full, bare)
        with storage.unit_of_work() as uow:
            assert uow.employees.get(full.id) == full
            assert uow.employees.get(bare.id) == bare
            stored = uow.employees.get(full.id)
            assert stored is not None
            assert stored.updated_at == datetime(2026, 3, 3, 7, 15, 30, 123456, tzinfo=UTC)
            assert stored.updated_at.utcoffset() == timedelta(0)
            assert type(stored.gender) is Gender
            assert type(stored.birth_date) is date
            assert uow.employees.get(new_id()) is None

    def test_add_many_stores_every_one_whole(self, storage: Storage) -> None:
        owner = stored_employer(storage)
        full = full_employee(owner, stored_department(storage, owner))
        people = [full, *(employee(owner, employee_number=f"N{i}") for i in range(5))]
        in_transaction(storage, lambda uow: uow.employees.add_many(people))
        with storage.unit_of_work() as uow:
            assert uow.employees.get_many([p.id for p in people]) == {p.id: p for p in people}
            assert uow.employees.by_numbers(owner, ["N0", "N4", "P-0042"]) == {
                "N0": people[1],
                "N4": people[5],
                "P-0042": full,
            }

    def test_add_many_of_none_or_one_is_add(self, storage: Storage) -> None:
        owner = stored_employer(storage)
        taken = stored_employee(storage, owner, employee_number="7")
        in_transaction(storage, lambda uow: uow.employees.add_many([]))
        message = refused(
            storage, lambda uow: uow.employees.add_many([employee(owner, employee_number="7")])
        )
        assert message == "employee.number_taken"
        assert refused(storage, lambda uow: uow.employees.add_many([taken])) == EMPLOYEE_EXISTS

    @pytest.mark.parametrize("clash", ["stored number", "number twice", "stored id", "id twice"])
    def test_add_many_refuses_a_clash_and_stores_none_of_them(
        self, storage: Storage, clash: str
    ) -> None:
        owner = stored_employer(storage)
        kept = stored_employee(storage, owner, employee_number="1")
        fresh = [employee(owner, employee_number=f"{i}") for i in range(2, 6)]
        other = {
            "stored number": employee(owner, employee_number="1"),
            "number twice": employee(owner, employee_number="3"),
            "stored id": attrs.evolve(kept, employee_number="99"),
            "id twice": attrs.evolve(fresh[1], employee_number="98"),
        }[clash]
        batch = [*fresh[:2], other, *fresh[2:]]
        refused(storage, lambda uow: uow.employees.add_many(batch))
        with storage.unit_of_work() as uow:
            assert uow.employees.get_many([p.id for p in batch]) == (
                {kept.id: kept} if clash == "stored id" else {}
            )
            assert uow.employees.for_employer(owner) == [kept]

    def test_other_employers_may_share_numbers_in_one_batch(self, storage: Storage) -> None:
        ours, theirs = stored_employer(storage), stored_employer(storage)
        people = [employee(ours, employee_number="1"), employee(theirs, employee_number="1")]
        in_transaction(storage, lambda uow: uow.employees.add_many(people))
        with storage.unit_of_work() as uow:
            assert uow.employees.by_numbers(theirs, ["1"]) == {"1": people[1]}

    @pytest.mark.parametrize("gender", list(Gender))
    def test_every_gender_round_trips(self, storage: Storage, gender: Gender) -> None:
        person = stored_employee(storage, gender=gender)
        with storage.unit_of_work() as uow:
            assert uow.employees.get(person.id) == person

    def test_save_stores_the_new_details(self, storage: Storage) -> None:
        owner = stored_employer(storage)
        person = stored_employee(storage, owner, employee_number="1", phone="+31612345678")
        details = attrs.evolve(
            full_employee(owner, stored_department(storage, owner)).details, employee_number="2"
        )
        changed = person.with_details(details, now=T0 + timedelta(hours=1))
        in_transaction(storage, lambda uow: uow.employees.save(changed))
        cleared = attrs.evolve(changed, employee_number=None, phone=None, department_id=None)
        with storage.unit_of_work() as uow:
            assert uow.employees.get(person.id) == changed
            uow.employees.save(cleared)
            assert uow.employees.get(person.id) == cleared
            uow.commit()
        with storage.unit_of_work() as uow:
            assert uow.employees.get(person.id) == cleared

    def test_saving_an_unknown_employee_is_not_found(self, storage: Storage) -> None:
        stranger = employee(stored_employer(storage))
        with (
            pytest.raises(NotFound, check=lambda error: error.code == "employee.not_found"),
            storage.unit_of_work() as uow,
        ):
            uow.employees.save(stranger)
        with storage.unit_of_work() as uow:
            assert uow.employees.get(stranger.id) is None

    def test_the_same_employee_twice_conflicts(self, storage: Storage) -> None:
        person = stored_employee(storage, employee_number="P-1")
        changed = attrs.evolve(person, last_name="Anders")
        assert refused(storage, lambda uow: uow.employees.add(changed)) == EMPLOYEE_EXISTS
        with storage.unit_of_work() as uow:
            assert uow.employees.get(person.id) == person

    def test_an_employee_number_is_unique_per_employer(self, storage: Storage) -> None:
        owner, other = stored_employer(storage), stored_employer(storage)
        stored_employee(storage, owner, employee_number="P-0042")
        duplicate = employee(owner, employee_number="P-0042")
        assert refused(storage, lambda uow: uow.employees.add(duplicate)) == "employee.number_taken"
        elsewhere = employee(other, employee_number="P-0042")
        unnumbered = [employee(owner), employee(owner), employee(other)]
        add(storage, elsewhere, *unnumbered)
        with storage.unit_of_work() as uow:
            assert uow.employees.get(duplicate.id) is None
            assert uow.employees.get(elsewhere.id) == elsewhere
            assert len(uow.employees.for_employer(owner)) == 3

    def test_saving_a_taken_number_conflicts_and_a_freed_one_is_free(
        self, storage: Storage
    ) -> None:
        owner = stored_employer(storage)
        first = stored_employee(storage, owner, employee_number="1")
        second = stored_employee(storage, owner, employee_number="2")
        taking = attrs.evolve(second, employee_number="1")
        assert refused(storage, lambda uow: uow.employees.save(taking)) == "employee.number_taken"
        renamed = attrs.evolve(first, last_name="Anders")  # keeps its own number
        freed = attrs.evolve(first, employee_number="3")
        with storage.unit_of_work() as uow:
            uow.employees.save(renamed)
            uow.employees.save(freed)
            uow.employees.save(taking)
            uow.commit()
        with storage.unit_of_work() as uow:
            assert uow.employees.get(first.id) == freed
            assert uow.employees.get(second.id) == taking

    def test_for_employer_by_id_pages_through_one_employer_in_id_order(
        self, storage: Storage
    ) -> None:
        ours, theirs = stored_employer(storage), stored_employer(storage)
        people = [employee(ours, employee_number=str(n)) for n in range(7)]
        add(storage, *people, employee(theirs))
        pages: list[list[Employee]] = []
        after: str | None = None
        with storage.unit_of_work() as uow:
            while page := uow.employees.for_employer_by_id(ours, after=after, limit=3):
                pages.append(page)
                after = page[-1].id
        assert [len(page) for page in pages] == [3, 3, 1]
        assert [p for page in pages for p in page] == sorted(people, key=lambda p: p.id)

    def test_for_employer_orders_by_last_name_given_name_and_id(self, storage: Storage) -> None:
        owner = stored_employer(storage)
        # Only ASCII names: beyond ASCII the databases' lower() and str.casefold differ.
        names = [
            ("Jansens", "Karel", "1"),
            ("berg", "anna", "a"),
            ("de Vries", "Jan", "2"),
            ("Berg", "Piet", "3"),
            ("Jansen-Smit", "Kees", "4"),
            ("Berg", "Anna", "b"),
            ("Dekker", "Els", "5"),
            ("Aalders", "Zeno", "6"),
        ]
        people = [
            employee(owner, id=suffix.rjust(32, "0"), last_name=last, given_name=given)
            for last, given, suffix in names
        ]
        add(storage, *people, employee(stored_employer(storage), last_name="Aa"))
        expected = [
            ("Aalders", "Zeno"),
            ("berg", "anna"),  # the same key as Berg, Anna: the lower id goes first
            ("Berg", "Anna"),
            ("Berg", "Piet"),
            ("de Vries", "Jan"),  # a space sorts before any letter
            ("Dekker", "Els"),
            ("Jansen-Smit", "Kees"),  # and a hyphen too
            ("Jansens", "Karel"),
        ]
        with storage.unit_of_work() as uow:
            listed = uow.employees.for_employer(owner)
            assert [(e.last_name, e.given_name) for e in listed] == expected
            assert listed == sorted(
                people, key=lambda e: (e.last_name.casefold(), e.given_name.casefold(), e.id)
            )
            assert uow.employees.for_employer(owner, limit=3) == listed[:3]
            assert uow.employees.for_employer(owner, limit=3, offset=2) == listed[2:5]
            assert uow.employees.for_employer(owner, offset=6) == listed[6:]
            assert uow.employees.for_employer(owner, offset=8) == []
            assert uow.employees.for_employer(owner, limit=0) == []
            assert uow.employees.for_employer(new_id()) == []

    def test_an_employee_read_for_update_is_the_employee(self, storage: Storage) -> None:
        person = employee(stored_employer(storage))
        add(storage, person)
        with storage.unit_of_work() as uow:
            assert uow.employees.get(person.id, for_update=True) == person
            assert uow.employees.get(new_id(), for_update=True) is None

    def test_get_many_returns_the_employees_that_exist(self, storage: Storage) -> None:
        owner, other = stored_employer(storage), stored_employer(storage)
        staff = [employee(owner, last_name=f"Berg{i}") for i in range(3)]
        stranger = employee(other)
        add(storage, *staff, stranger)
        unknown = [new_id() for _ in range(1200)]
        with storage.unit_of_work() as uow:
            assert uow.employees.get_many([staff[0].id, stranger.id, staff[0].id, new_id()]) == {
                staff[0].id: staff[0],
                stranger.id: stranger,
            }
            assert uow.employees.get_many([]) == {}
            # More ids than one IN list of the SQL adapter holds.
            found = uow.employees.get_many([*unknown[:600], *(e.id for e in staff), *unknown])
            assert found == {e.id: e for e in staff}
            assert uow.employees.get_many({e.id for e in staff}) == {e.id: e for e in staff}

    def test_the_latest_naming_stands(self, storage: Storage) -> None:
        person = employee(stored_employer(storage))
        add(storage, person)
        named = person.created_at + timedelta(days=30)
        with storage.unit_of_work() as uow:
            uow.employees.mark_named([person.id], at=named)
            uow.commit()
        # A row read before the import named it, saved afterwards.
        with storage.unit_of_work() as uow:
            uow.employees.save(attrs.evolve(person, email="nieuw@example.nl"))
            uow.commit()
        with storage.unit_of_work() as uow:
            found = uow.employees.get(person.id)
            assert found is not None
            assert (found.email, found.last_named_at) == ("nieuw@example.nl", named)
            later = named + timedelta(days=1)
            uow.employees.save(attrs.evolve(found, last_named_at=later))
            uow.commit()
        with storage.unit_of_work() as uow:
            found = uow.employees.get(person.id)
            assert found is not None
            assert found.last_named_at == later

    def test_display_names_are_those_of_the_employees(self, storage: Storage) -> None:
        owner = stored_employer(storage)
        plain = employee(owner, last_name="Berg", given_name="Anna")
        infixed = employee(owner, last_name="Vries", name_infix="de", given_name="")
        gone = employee(owner, last_name="Smit")
        add(storage, plain, infixed, gone)
        with storage.unit_of_work() as uow:
            uow.employees.save(gone.erased(now=gone.created_at))
            uow.commit()
        unknown = [new_id() for _ in range(1200)]
        wanted = [*unknown[:600], plain.id, infixed.id, gone.id, *unknown, plain.id]
        with storage.unit_of_work() as uow:
            found = uow.employees.display_names(wanted)
            stored = uow.employees.get_many([plain.id, infixed.id, gone.id])
            assert uow.employees.display_names([]) == {}
        assert found == {key: person.display_name for key, person in stored.items()}
        assert found[gone.id] == "Verwijderde werknemer"
        assert found[infixed.id].startswith("Vries, de, ")
