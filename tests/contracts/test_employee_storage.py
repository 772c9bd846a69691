"""The storage contract of employees, trajectories, appointments and tasks, on every storage."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any, TypeVar

import attrs
import pytest

from onzecoach import Conflict, NotFound
from onzecoach.employees._model import Employee
from onzecoach.employees._validation import Gender
from onzecoach.employers._model import Department, Employer
from onzecoach.ids import new_id
from onzecoach.ports import Storage, UnitOfWork
from onzecoach.tasks._model import Decision, Task, TaskKind, TaskStatus
from onzecoach.trajectories._model import (
    Appointment,
    AppointmentMode,
    AppointmentStatus,
    ClosedReason,
    Trajectory,
)
from support import T0, appointment, employee, race, trajectory

AMSTERDAM = timezone(timedelta(hours=1))

EMPLOYEE_EXISTS = "Deze werknemer bestaat al."
TRAJECTORY_EXISTS = "Dit traject bestaat al."
NUMBER_TAKEN = "Dit trajectnummer bestaat al voor deze werknemer."
ALREADY_OPEN = "Deze werknemer heeft al een lopend traject."
APPOINTMENT_EXISTS = "Deze afspraak bestaat al."
TASK_EXISTS = "Deze taak bestaat al."

R = TypeVar("R")


def in_transaction(storage: Storage, action: Callable[[UnitOfWork], R]) -> R:
    """Run ``action`` in a committed unit of work; return what it returned."""
    with storage.unit_of_work() as uow:
        result = action(uow)
        uow.commit()
    return result


def employer(storage: Storage) -> str:
    """A stored employer (every row here belongs to one); return its id."""
    employer_id = new_id()
    in_transaction(
        storage,
        lambda uow: uow.employers.add(
            Employer(id=employer_id, name=f"Werkgever {employer_id}", created_at=T0)
        ),
    )
    return employer_id


def department(storage: Storage, employer_id: str) -> str:
    department_id = new_id()
    in_transaction(
        storage,
        lambda uow: uow.departments.add(
            Department(id=department_id, employer_id=employer_id, name="HR", created_at=T0)
        ),
    )
    return department_id


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


def stored_employee(storage: Storage, employer_id: str | None = None, **changes: Any) -> Employee:
    person = employee(employer_id or employer(storage), **changes)
    in_transaction(storage, lambda uow: uow.employees.add(person))
    return person


def closed(journey: Trajectory, **changes: Any) -> Trajectory:
    closing = {
        "closed_at": T0 + timedelta(days=30),
        "closed_reason": ClosedReason.BY_HAND,
        "end_date": date(2026, 4, 1),
    }
    return attrs.evolve(journey, **{**closing, **changes})


def extension_of(parent: Trajectory, number: int, **changes: Any) -> Trajectory:
    """A one-session extension of ``parent``, open unless ``changes`` close it."""
    person_like = attrs.evolve(parent, number=number)
    return attrs.evolve(
        person_like,
        id=new_id(),
        type_code="ONC-VERL-1",
        type_name="ONC - verlenging individuele coaching (1 gesprek)",
        sessions=1,
        is_extension=True,
        held=0,
        planned=0,
        closed_at=None,
        closed_reason=None,
        end_date=None,
        parent_id=parent.id,
        **changes,
    )


def task(journey: Trajectory, **changes: Any) -> Task:
    base = Task(
        id=new_id(),
        employer_id=journey.employer_id,
        employee_id=journey.employee_id,
        trajectory_id=journey.id,
        kind=TaskKind.EXTENSION_REQUEST,
        note="Graag nog een gesprek.",
        sessions=1,
        created_at=T0,
    )
    return attrs.evolve(base, **changes)


def add(storage: Storage, *items: object) -> None:
    with storage.unit_of_work() as uow:
        for item in items:
            if isinstance(item, Employee):
                uow.employees.add(item)
            elif isinstance(item, Trajectory):
                uow.trajectories.add(item)
            elif isinstance(item, Appointment):
                uow.appointments.add(item)
            elif isinstance(item, Task):
                uow.tasks.add(item)
            else:
                raise TypeError(item)
        uow.commit()


def refused(storage: Storage, action: Callable[[UnitOfWork], object]) -> str:
    """Run ``action`` in a unit of work that must raise ``Conflict``; return its message."""
    with pytest.raises(Conflict) as raised, storage.unit_of_work() as uow:
        action(uow)
    return str(raised.value)


class TestEmployees:
    def test_every_field_round_trips_whole(self, storage: Storage) -> None:
        owner = employer(storage)
        full = full_employee(owner, department(storage, owner))
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
        owner = employer(storage)
        full = full_employee(owner, department(storage, owner))
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
        owner = employer(storage)
        taken = stored_employee(storage, owner, employee_number="7")
        in_transaction(storage, lambda uow: uow.employees.add_many([]))
        message = refused(
            storage, lambda uow: uow.employees.add_many([employee(owner, employee_number="7")])
        )
        assert message == "Personeelsnummer '7' is al in gebruik bij deze werkgever."
        assert refused(storage, lambda uow: uow.employees.add_many([taken])) == EMPLOYEE_EXISTS

    @pytest.mark.parametrize("clash", ["stored number", "number twice", "stored id", "id twice"])
    def test_add_many_refuses_a_clash_and_stores_none_of_them(
        self, storage: Storage, clash: str
    ) -> None:
        owner = employer(storage)
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
        ours, theirs = employer(storage), employer(storage)
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
        owner = employer(storage)
        person = stored_employee(storage, owner, employee_number="1", phone="+31612345678")
        details = attrs.evolve(
            full_employee(owner, department(storage, owner)).details, employee_number="2"
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
        stranger = employee(employer(storage))
        with (
            pytest.raises(NotFound, match="Werknemer niet gevonden"),
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
        owner, other = employer(storage), employer(storage)
        stored_employee(storage, owner, employee_number="P-0042")
        duplicate = employee(owner, employee_number="P-0042")
        assert refused(storage, lambda uow: uow.employees.add(duplicate)) == (
            "Personeelsnummer 'P-0042' is al in gebruik bij deze werkgever."
        )
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
        owner = employer(storage)
        first = stored_employee(storage, owner, employee_number="1")
        second = stored_employee(storage, owner, employee_number="2")
        taking = attrs.evolve(second, employee_number="1")
        assert refused(storage, lambda uow: uow.employees.save(taking)) == (
            "Personeelsnummer '1' is al in gebruik bij deze werkgever."
        )
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
        ours, theirs = employer(storage), employer(storage)
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
        owner = employer(storage)
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
        add(storage, *people, employee(employer(storage), last_name="Aa"))
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


class TestTrajectories:
    def test_every_field_round_trips_whole(self, storage: Storage) -> None:
        person = stored_employee(storage)
        first = closed(
            trajectory(person, 1, held=4, planned=0, classification="A"),
            closed_at=datetime(2026, 4, 1, 17, 0, 0, 654321, tzinfo=AMSTERDAM),
            closed_reason=ClosedReason.COMPLETED,
        )
        extension = trajectory(
            person,
            2,
            type_code="ONC-VERL-1",
            type_name="ONC - verlenging individuele coaching (1 gesprek)",
            sessions=1,
            is_extension=True,
            start_date=date(2026, 4, 2),
            created_at=datetime(2026, 4, 2, 10, 0, tzinfo=AMSTERDAM),
            held=0,
            planned=1,
            parent_id=first.id,
        )
        with storage.unit_of_work() as uow:
            uow.trajectories.add(first, booking_token_hash="b" * 64)
            uow.trajectories.add(extension, booking_token_hash="c" * 64)
            uow.commit()
        with storage.unit_of_work() as uow:
            assert uow.trajectories.get(first.id) == first
            assert uow.trajectories.get(extension.id) == extension
            assert uow.trajectories.get(extension.id, for_update=True) == extension
            stored = uow.trajectories.get(first.id)
            assert stored is not None
            assert stored.closed_at == datetime(2026, 4, 1, 16, 0, 0, 654321, tzinfo=UTC)
            assert stored.closed_reason is ClosedReason.COMPLETED
            assert stored.end_date == date(2026, 4, 1)
            assert uow.trajectories.get(new_id()) is None
            assert uow.trajectories.get(new_id(), for_update=True) is None
            assert uow.trajectories.by_booking_token("b" * 64) == first
            assert uow.trajectories.by_booking_token("c" * 64) == extension
            assert uow.trajectories.by_booking_token("0" * 64) is None

    def test_a_bare_trajectory_round_trips_with_its_nones(self, storage: Storage) -> None:
        journey = trajectory(stored_employee(storage))
        add(storage, journey)
        with storage.unit_of_work() as uow:
            assert uow.trajectories.get(journey.id) == journey
            assert uow.trajectories.get(journey.id, for_update=True) == journey

    def test_save_stores_the_state(self, storage: Storage) -> None:
        journey = trajectory(stored_employee(storage))
        add(storage, journey)
        running = attrs.evolve(journey, held=1, planned=2)
        in_transaction(storage, lambda uow: uow.trajectories.save(running))
        with storage.unit_of_work() as uow:
            assert uow.trajectories.get(journey.id) == running
        done = closed(running, classification="B")
        in_transaction(storage, lambda uow: uow.trajectories.save(done))
        with storage.unit_of_work() as uow:
            assert uow.trajectories.get(journey.id, for_update=True) == done

    def test_saving_an_unknown_trajectory_is_not_found(self, storage: Storage) -> None:
        stranger = trajectory(stored_employee(storage))
        with (
            pytest.raises(NotFound, match="Traject niet gevonden"),
            storage.unit_of_work() as uow,
        ):
            uow.trajectories.save(stranger)

    def test_for_employee_lists_the_employees_newest_first(self, storage: Storage) -> None:
        owner = employer(storage)
        person, other = stored_employee(storage, owner), stored_employee(storage, owner)
        journeys = [closed(trajectory(person, 1)), closed(trajectory(person, 3))]
        add(storage, *journeys, trajectory(person, 2), trajectory(other, 4))
        with storage.unit_of_work() as uow:
            assert [t.number for t in uow.trajectories.for_employee(person.id)] == [3, 2, 1]
            assert [t.number for t in uow.trajectories.for_employee(other.id)] == [4]
            assert uow.trajectories.for_employee(new_id()) == []

    def test_a_changed_number_or_booking_link_frees_the_old_one(self, storage: Storage) -> None:
        person = stored_employee(storage)
        first = closed(trajectory(person, 1))
        in_transaction(
            storage, lambda uow: uow.trajectories.add(first, booking_token_hash="e" * 64)
        )
        moved = attrs.evolve(first, number=5)
        in_transaction(storage, lambda uow: uow.trajectories.save(moved))
        in_transaction(storage, lambda uow: uow.trajectories.set_booking_token(first.id, "f" * 64))
        again = closed(trajectory(person, 1))
        in_transaction(
            storage, lambda uow: uow.trajectories.add(again, booking_token_hash="e" * 64)
        )
        with storage.unit_of_work() as uow:
            assert [t.number for t in uow.trajectories.for_employee(person.id)] == [5, 1]
            assert uow.trajectories.by_booking_token("f" * 64) == moved
            assert uow.trajectories.by_booking_token("e" * 64) == again
        clash = trajectory(person, 6)
        assert refused(
            storage, lambda uow: uow.trajectories.add(clash, booking_token_hash="f" * 64)
        ) == ("Deze boekingslink bestaat al.")
        assert refused(
            storage, lambda uow: uow.trajectories.set_booking_token(again.id, "f" * 64)
        ) == ("Deze boekingslink bestaat al.")
        with (
            pytest.raises(NotFound, match="Traject niet gevonden"),
            storage.unit_of_work() as uow,
        ):
            uow.trajectories.set_booking_token(new_id(), "1" * 64)

    def test_a_rolled_back_trajectory_and_appointment_leave_nothing(self, storage: Storage) -> None:
        person = stored_employee(storage)
        journey = trajectory(person, 1)
        visit = appointment(journey)
        with storage.unit_of_work() as uow:
            uow.trajectories.add(journey, booking_token_hash="a" * 64)
            uow.appointments.add(visit)
            assert uow.trajectories.for_employee(person.id) == [journey]
            assert uow.appointments.for_trajectory(journey.id) == [visit]
        with storage.unit_of_work() as uow:
            assert uow.trajectories.for_employee(person.id) == []
            assert uow.appointments.for_trajectory(journey.id) == []
            assert uow.trajectories.open_for_employee(person.id) == []
            assert uow.trajectories.by_booking_token("a" * 64) is None
        with storage.unit_of_work() as uow:  # number, booking link and external id are free
            uow.trajectories.add(journey, booking_token_hash="a" * 64)
            uow.appointments.add(visit)
            uow.commit()
        with storage.unit_of_work() as uow:
            assert uow.trajectories.for_employee(person.id) == [journey]
            assert uow.appointments.for_trajectory(journey.id) == [visit]

    def test_open_for_employee_are_those_not_closed(self, storage: Storage) -> None:
        person = stored_employee(storage)
        with storage.unit_of_work() as uow:
            assert uow.trajectories.open_for_employee(person.id) == []
        first = trajectory(person, 1)
        add(storage, first)
        with storage.unit_of_work() as uow:
            assert uow.trajectories.open_for_employee(person.id) == [first]
            uow.trajectories.save(closed(first))
            assert uow.trajectories.open_for_employee(person.id) == []
            uow.commit()
        second = trajectory(person, 2)
        beside = extension_of(second, 3)
        add(storage, second, beside)
        with storage.unit_of_work() as uow:
            assert uow.trajectories.open_for_employee(person.id) == [second, beside]

    def test_an_employee_has_one_open_trajectory_at_a_time(self, storage: Storage) -> None:
        owner = employer(storage)
        person, other = stored_employee(storage, owner), stored_employee(storage, owner)
        first = trajectory(person, 1)
        add(storage, first, trajectory(other, 1))
        second = trajectory(person, 2)
        assert refused(storage, lambda uow: uow.trajectories.add(second)) == ALREADY_OPEN
        # Closed ones may be added beside the open one, and closing makes room.
        add(storage, closed(trajectory(person, 3)))
        with storage.unit_of_work() as uow:
            uow.trajectories.save(closed(first))
            uow.trajectories.add(second)
            uow.commit()
        reopened = attrs.evolve(closed(first), closed_at=None, closed_reason=None, end_date=None)
        assert refused(storage, lambda uow: uow.trajectories.save(reopened)) == ALREADY_OPEN
        with storage.unit_of_work() as uow:
            assert uow.trajectories.open_for_employee(person.id) == [second]
            assert [t.number for t in uow.trajectories.for_employee(person.id)] == [3, 2, 1]

    def test_an_extension_runs_beside_its_trajectory_one_at_a_time(self, storage: Storage) -> None:
        person = stored_employee(storage)
        running = trajectory(person, 1)
        first = extension_of(running, 2)
        add(storage, running, first)
        second = extension_of(running, 3)
        assert refused(storage, lambda uow: uow.trajectories.add(second)) == ALREADY_OPEN
        with storage.unit_of_work() as uow:
            uow.trajectories.save(closed(first))
            uow.trajectories.add(second)
            uow.commit()
        with storage.unit_of_work() as uow:
            assert uow.trajectories.open_for_employee(person.id) == [running, second]

    def test_a_trajectory_number_is_unique_per_employee(self, storage: Storage) -> None:
        owner = employer(storage)
        person, other = stored_employee(storage, owner), stored_employee(storage, owner)
        add(storage, trajectory(person, 1))
        # The number is named first, as the memory adapter does, though one is open too.
        same_open = trajectory(person, 1)
        assert refused(storage, lambda uow: uow.trajectories.add(same_open)) == NUMBER_TAKEN
        same_closed = closed(trajectory(person, 1))
        assert refused(storage, lambda uow: uow.trajectories.add(same_closed)) == NUMBER_TAKEN
        add(storage, trajectory(other, 1))

    def test_the_same_trajectory_twice_conflicts(self, storage: Storage) -> None:
        journey = trajectory(stored_employee(storage))
        add(storage, journey)
        assert refused(storage, lambda uow: uow.trajectories.add(journey)) == TRAJECTORY_EXISTS
        renumbered = closed(attrs.evolve(journey, number=2))
        message = refused(storage, lambda uow: uow.trajectories.add(renumbered))
        assert message == TRAJECTORY_EXISTS
        with storage.unit_of_work() as uow:
            assert uow.trajectories.for_employee(journey.employee_id) == [journey]


class TestAppointments:
    def test_every_field_round_trips_whole(self, storage: Storage) -> None:
        journey = trajectory(stored_employee(storage))
        full = appointment(
            journey,
            "booking-17",
            starts_at=datetime(2026, 3, 9, 14, 0, 0, 250000, tzinfo=AMSTERDAM),
            created_at=datetime(2026, 3, 2, 10, 0, tzinfo=AMSTERDAM),
            updated_at=datetime(2026, 3, 3, 10, 0, tzinfo=AMSTERDAM),
            status=AppointmentStatus.NO_SHOW,
            mode=AppointmentMode.ONLINE,
            theme="Werkdruk",
            coach="C. Oach",
        )
        bare = appointment(journey)
        add(storage, journey, full, bare)
        with storage.unit_of_work() as uow:
            assert uow.appointments.by_external_id(journey.employer_id, "booking-17") == full
            assert uow.appointments.by_external_id(journey.employer_id, bare.external_id) == bare
            stored = uow.appointments.by_external_id(journey.employer_id, "booking-17")
            assert stored is not None
            assert stored.starts_at == datetime(2026, 3, 9, 13, 0, 0, 250000, tzinfo=UTC)
            assert stored.status is AppointmentStatus.NO_SHOW
            assert stored.mode is AppointmentMode.ONLINE
            assert uow.appointments.by_external_id(journey.employer_id, "booking-18") is None

    @pytest.mark.parametrize("status", list(AppointmentStatus))
    def test_every_status_round_trips(self, storage: Storage, status: AppointmentStatus) -> None:
        journey = trajectory(stored_employee(storage))
        made = appointment(journey, status=status)
        add(storage, journey, made)
        with storage.unit_of_work() as uow:
            assert uow.appointments.for_trajectory(journey.id) == [made]

    def test_an_external_id_is_unique_per_employer(self, storage: Storage) -> None:
        owner, other = employer(storage), employer(storage)
        journey = trajectory(stored_employee(storage, owner))
        elsewhere = trajectory(stored_employee(storage, other))
        first = appointment(journey, "booking-1")
        add(storage, journey, elsewhere, first)
        again = appointment(journey, "booking-1", theme="Anders")
        assert refused(storage, lambda uow: uow.appointments.add(again)) == APPOINTMENT_EXISTS
        same_id = attrs.evolve(first, external_id="booking-2")
        assert refused(storage, lambda uow: uow.appointments.add(same_id)) == APPOINTMENT_EXISTS
        theirs = appointment(elsewhere, "booking-1")
        add(storage, theirs)
        with storage.unit_of_work() as uow:
            assert uow.appointments.by_external_id(owner, "booking-1") == first
            assert uow.appointments.by_external_id(other, "booking-1") == theirs
            assert uow.appointments.by_external_id(owner, "booking-2") is None

    def test_save_stores_everything_but_the_key(self, storage: Storage) -> None:
        journey = trajectory(stored_employee(storage))
        made = appointment(journey, "booking-1", theme="Werkdruk")
        add(storage, journey, made)
        changed = attrs.evolve(
            made,
            starts_at=T0 + timedelta(days=8),
            updated_at=T0 + timedelta(hours=1),
            status=AppointmentStatus.HELD,
            mode=AppointmentMode.ONLINE,
            theme=None,
            coach="C. Oach",
        )
        in_transaction(storage, lambda uow: uow.appointments.save(changed))
        with storage.unit_of_work() as uow:
            assert uow.appointments.by_external_id(journey.employer_id, "booking-1") == changed

    def test_saving_an_unknown_appointment_is_not_found(self, storage: Storage) -> None:
        journey = trajectory(stored_employee(storage))
        add(storage, journey)
        with (
            pytest.raises(NotFound, match="Afspraak niet gevonden"),
            storage.unit_of_work() as uow,
        ):
            uow.appointments.save(appointment(journey))

    def test_an_appointment_keeps_its_external_id(self, storage: Storage) -> None:
        journey = trajectory(stored_employee(storage))
        made = appointment(journey, "booking-1")
        add(storage, journey, made)
        with (
            pytest.raises(ValueError, match="keeps its external id"),
            storage.unit_of_work() as uow,
        ):
            uow.appointments.save(attrs.evolve(made, external_id="booking-2"))
        with storage.unit_of_work() as uow:
            assert uow.appointments.by_external_id(journey.employer_id, "booking-1") == made

    def test_for_trajectory_lists_by_start_time(self, storage: Storage) -> None:
        person = stored_employee(storage)
        journey, older = trajectory(person, 2), closed(trajectory(person, 1))
        later = appointment(journey, starts_at=T0 + timedelta(days=14))
        same_time = sorted(
            (appointment(journey, starts_at=T0 + timedelta(days=7)) for _ in range(3)),
            key=lambda a: a.id,
        )
        earliest = appointment(journey, starts_at=T0 + timedelta(days=1))
        add(storage, journey, older, later, *same_time, earliest, appointment(older))
        with storage.unit_of_work() as uow:
            assert uow.appointments.for_trajectory(journey.id) == [earliest, *same_time, later]
            assert len(uow.appointments.for_trajectory(older.id)) == 1
            assert uow.appointments.for_trajectory(new_id()) == []


class TestTasks:
    def test_every_field_round_trips_whole(self, storage: Storage) -> None:
        person = stored_employee(storage)
        parent, extension = closed(trajectory(person, 1)), trajectory(person, 2)
        open_task = task(parent, note="", sessions=2)
        done = task(
            parent,
            note="Nog één gesprek, graag.",
            created_at=datetime(2026, 3, 2, 11, 0, tzinfo=AMSTERDAM),
            status=TaskStatus.DONE,
            completed_at=datetime(2026, 3, 4, 9, 0, 0, 1, tzinfo=AMSTERDAM),
            completed_by=new_id(),
            decision=Decision.APPROVED,
            decision_note="Akkoord.",
            extension_trajectory_id=extension.id,
        )
        add(storage, parent, extension, open_task, done)
        with storage.unit_of_work() as uow:
            assert uow.tasks.get(open_task.id) == open_task
            assert uow.tasks.get(done.id) == done
            stored = uow.tasks.get(done.id)
            assert stored is not None
            assert stored.completed_at == datetime(2026, 3, 4, 8, 0, 0, 1, tzinfo=UTC)
            assert stored.kind is TaskKind.EXTENSION_REQUEST
            assert stored.status is TaskStatus.DONE
            assert stored.decision is Decision.APPROVED
            assert uow.tasks.get(new_id()) is None

    def test_save_stores_the_outcome(self, storage: Storage) -> None:
        journey = trajectory(stored_employee(storage))
        asked = task(journey)
        add(storage, journey, asked)
        declined = attrs.evolve(
            asked,
            status=TaskStatus.DONE,
            completed_at=T0 + timedelta(days=1),
            completed_by=new_id(),
            decision=Decision.DECLINED,
            decision_note="Niet nodig.",
        )
        in_transaction(storage, lambda uow: uow.tasks.save(declined))
        with storage.unit_of_work() as uow:
            assert uow.tasks.get(asked.id) == declined

    def test_saving_an_unknown_task_is_not_found(self, storage: Storage) -> None:
        journey = trajectory(stored_employee(storage))
        add(storage, journey)
        with pytest.raises(NotFound, match="Taak niet gevonden"), storage.unit_of_work() as uow:
            uow.tasks.save(task(journey))

    def test_the_same_task_twice_conflicts(self, storage: Storage) -> None:
        journey = trajectory(stored_employee(storage))
        asked = task(journey)
        add(storage, journey, asked)
        again = attrs.evolve(asked, note="Anders")
        assert refused(storage, lambda uow: uow.tasks.add(again)) == TASK_EXISTS
        with storage.unit_of_work() as uow:
            assert uow.tasks.get(asked.id) == asked

    def test_open_tasks_are_listed_newest_first(self, storage: Storage) -> None:
        owner, other = employer(storage), employer(storage)
        person, colleague = stored_employee(storage, owner), stored_employee(storage, owner)
        mine, theirs = trajectory(person), trajectory(colleague)
        elsewhere = trajectory(stored_employee(storage, other))
        oldest = task(mine, created_at=T0 - timedelta(days=1))
        same_time = sorted((task(mine) for _ in range(3)), key=lambda t: t.id, reverse=True)
        newest = task(theirs, created_at=T0 + timedelta(days=1))
        done = task(mine, created_at=T0 + timedelta(days=2), status=TaskStatus.DONE)
        add(storage, mine, theirs, elsewhere, oldest, *same_time, newest, done, task(elsewhere))
        with storage.unit_of_work() as uow:
            assert uow.tasks.open_for_employer(owner) == [newest, *same_time, oldest]
            assert uow.tasks.open_for_employee(person.id) == [*same_time, oldest]
            assert uow.tasks.open_for_employee(colleague.id) == [newest]
            assert len(uow.tasks.open_for_employer(other)) == 1
            assert uow.tasks.open_for_employer(new_id()) == []
            assert uow.tasks.open_for_employee(new_id()) == []


class TestRollback:
    def test_leaving_without_commit_discards_every_write(self, storage: Storage) -> None:
        owner = employer(storage)
        person = stored_employee(storage, owner, employee_number="1")
        journey = trajectory(person)
        made = appointment(journey, "booking-1")
        asked = task(journey)
        add(storage, journey, made, asked)

        newcomer = employee(owner, employee_number="2")
        with storage.unit_of_work() as uow:
            uow.employees.add(newcomer)
            uow.employees.save(attrs.evolve(person, employee_number="3", last_name="Anders"))
            uow.trajectories.save(closed(journey))
            uow.trajectories.add(trajectory(person, 2))
            uow.appointments.save(attrs.evolve(made, status=AppointmentStatus.CANCELLED))
            uow.appointments.add(appointment(journey, "booking-2"))
            uow.tasks.save(attrs.evolve(asked, status=TaskStatus.DONE))
            uow.tasks.add(task(journey))
            assert uow.employees.get(newcomer.id) == newcomer  # visible inside

        with storage.unit_of_work() as uow:
            assert uow.employees.get(newcomer.id) is None
            assert uow.employees.for_employer(owner) == [person]
            assert uow.trajectories.for_employee(person.id) == [journey]
            assert uow.trajectories.open_for_employee(person.id) == [journey]
            assert uow.appointments.for_trajectory(journey.id) == [made]
            assert uow.appointments.by_external_id(owner, "booking-2") is None
            assert uow.tasks.open_for_employee(person.id) == [asked]
        # The rolled-back number and trajectory number are free again.
        add(storage, employee(owner, employee_number="3"), closed(trajectory(person, 2)))

    def test_explicit_rollback_discards_and_the_unit_goes_on(self, storage: Storage) -> None:
        person = stored_employee(storage)
        journey = trajectory(person)
        with storage.unit_of_work() as uow:
            uow.trajectories.add(journey)
            uow.rollback()
            assert uow.trajectories.get(journey.id) is None
            uow.trajectories.add(journey)
            uow.commit()
        with storage.unit_of_work() as uow:
            assert uow.trajectories.open_for_employee(person.id) == [journey]


# Concurrency: each thread its own storage, as separate processes would have ----------


ROUNDS = 5


def start(storage: Storage, journey: Trajectory) -> str:
    with storage.unit_of_work() as uow:
        uow.trajectories.add(journey)
        uow.commit()
    return journey.id


def test_two_transactions_opening_a_trajectory_for_one_employee_one_wins(
    storage_factory: Callable[[], Storage],
) -> None:
    storages = [storage_factory(), storage_factory()]
    owner = employer(storages[0])
    for _ in range(ROUNDS):
        person = stored_employee(storages[0], owner)
        # Different numbers, so that only the one-open-trajectory rule can refuse.
        journeys = [trajectory(person, 1), trajectory(person, 2)]
        outcomes = race(
            [functools.partial(start, s, j) for s, j in zip(storages, journeys, strict=True)]
        )
        winners = [o for o in outcomes if isinstance(o, str)]
        losers = [o for o in outcomes if isinstance(o, Conflict)]
        assert len(winners) == len(losers) == 1, outcomes
        assert str(losers[0]) == ALREADY_OPEN
        with storages[1].unit_of_work() as uow:
            [opened] = uow.trajectories.open_for_employee(person.id)
            assert [opened.id] == winners
            assert uow.trajectories.for_employee(person.id) == [opened]


def test_two_transactions_starting_the_next_trajectory_one_wins(
    storage_factory: Callable[[], Storage],
) -> None:
    storages = [storage_factory(), storage_factory()]
    person = stored_employee(storages[0])
    for number in range(1, ROUNDS + 1):
        # As the service numbers them: both take the next number.
        journeys = [trajectory(person, number), trajectory(person, number)]
        outcomes = race(
            [functools.partial(start, s, j) for s, j in zip(storages, journeys, strict=True)]
        )
        losers = [o for o in outcomes if isinstance(o, Conflict)]
        assert len(losers) == 1, outcomes
        # Both rules are broken; which one a database checks first is its own affair.
        assert str(losers[0]) in {NUMBER_TAKEN, ALREADY_OPEN}
        with storages[1].unit_of_work() as uow:
            [opened] = uow.trajectories.open_for_employee(person.id)
            uow.trajectories.save(closed(opened))
            uow.commit()


def test_a_trajectory_read_for_update_loses_no_update(
    storage_factory: Callable[[], Storage],
) -> None:
    storages = [storage_factory(), storage_factory()]
    journey = trajectory(stored_employee(storages[0]))
    add(storages[0], journey)

    def count_one(storage: Storage) -> None:
        with storage.unit_of_work() as uow:
            current = uow.trajectories.get(journey.id, for_update=True)
            assert current is not None
            uow.trajectories.save(attrs.evolve(current, planned=current.planned + 1))
            uow.commit()

    for _ in range(ROUNDS):
        outcomes = race([functools.partial(count_one, s) for s in storages])
        assert outcomes == [None, None]
    with storages[1].unit_of_work() as uow:
        stored = uow.trajectories.get(journey.id)
        assert stored is not None
        assert stored.planned == 2 * ROUNDS
