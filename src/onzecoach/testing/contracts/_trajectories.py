"""The storage contract of coaching trajectories and their appointments."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

import attrs
import pytest

from onzecoach import NotFound
from onzecoach.ids import new_id
from onzecoach.ports import Storage
from onzecoach.testing.contracts._base import StorageTests
from onzecoach.testing.contracts._builders import (
    AMSTERDAM,
    T0,
    add,
    appointment,
    closed,
    employee,
    extension_of,
    in_transaction,
    refused,
    stored_department,
    stored_employee,
    stored_employer,
    trajectory,
)
from onzecoach.trajectories import (
    Appointment,
    AppointmentMode,
    AppointmentStatus,
    ClosedReason,
    Trajectory,
)

__all__ = ["ALREADY_OPEN", "NUMBER_TAKEN", "TrajectoryTests"]

TRAJECTORY_EXISTS = "trajectory.exists"
NUMBER_TAKEN = "trajectory.number_taken"
ALREADY_OPEN = "trajectory.already_open"
APPOINTMENT_EXISTS = "appointment.exists"


class TrajectoryTests(StorageTests):
    """``uow.trajectories`` and ``uow.appointments``."""

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
            pytest.raises(NotFound, check=lambda error: error.code == "trajectory.not_found"),
            storage.unit_of_work() as uow,
        ):
            uow.trajectories.save(stranger)

    def test_for_employee_lists_the_employees_newest_first(self, storage: Storage) -> None:
        owner = stored_employer(storage)
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
        assert (
            refused(storage, lambda uow: uow.trajectories.add(clash, booking_token_hash="f" * 64))
            == "trajectory.booking_link_taken"
        )
        assert (
            refused(storage, lambda uow: uow.trajectories.set_booking_token(again.id, "f" * 64))
            == "trajectory.booking_link_taken"
        )
        with (
            pytest.raises(NotFound, check=lambda error: error.code == "trajectory.not_found"),
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
        owner = stored_employer(storage)
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
        owner = stored_employer(storage)
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

    def test_every_appointment_field_round_trips_whole(self, storage: Storage) -> None:
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
    def test_every_appointment_status_round_trips(
        self, storage: Storage, status: AppointmentStatus
    ) -> None:
        journey = trajectory(stored_employee(storage))
        made = appointment(journey, status=status)
        add(storage, journey, made)
        with storage.unit_of_work() as uow:
            assert uow.appointments.for_trajectory(journey.id) == [made]

    def test_an_external_id_is_unique_per_employer(self, storage: Storage) -> None:
        owner, other = stored_employer(storage), stored_employer(storage)
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

    def test_saving_an_appointment_stores_everything_but_the_key(self, storage: Storage) -> None:
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
            pytest.raises(NotFound, check=lambda error: error.code == "appointment.not_found"),
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

    def test_trajectories_and_appointments_of_an_employer(self, storage: Storage) -> None:
        owner, other, empty = (
            stored_employer(storage),
            stored_employer(storage),
            stored_employer(storage),
        )
        anna, bert, carla = employee(owner), employee(owner), employee(other)
        journeys = [trajectory(anna), trajectory(bert), trajectory(carla)]
        visits = [appointment(journeys[0]), appointment(journeys[0]), appointment(journeys[2])]
        add(storage, anna, bert, carla, *journeys, *visits)
        with storage.unit_of_work() as uow:

            def ids(items: Iterable[Trajectory | Appointment]) -> list[str]:
                return sorted(item.id for item in items)

            assert ids(uow.trajectories.for_employer(owner)) == ids(journeys[:2])
            assert uow.trajectories.for_employer(other) == [journeys[2]]
            assert uow.trajectories.for_employer(empty) == []
            assert ids(uow.appointments.for_employer(owner)) == ids(visits[:2])
            assert uow.appointments.for_employer(other) == [visits[2]]
            assert uow.appointments.for_employer(empty) == []

    def test_trajectories_and_appointments_keep_the_department_of_their_time(
        self, storage: Storage
    ) -> None:
        owner = stored_employer(storage)
        before, after = stored_department(storage, owner), stored_department(storage, owner)
        person = employee(owner, department_id=after)
        journey = attrs.evolve(trajectory(person), department_id=before)
        visit = attrs.evolve(appointment(journey), department_id=before)
        homeless = attrs.evolve(appointment(journey), department_id=None)
        add(storage, person, journey, visit, homeless)
        with storage.unit_of_work() as uow:
            assert uow.trajectories.get(journey.id) == journey
            assert uow.trajectories.for_employer(owner) == [journey]
            assert uow.appointments.by_external_id(owner, visit.external_id) == visit
            assert uow.appointments.by_external_id(owner, homeless.external_id) == homeless
            assert {a.id: a.department_id for a in uow.appointments.for_trajectory(journey.id)} == {
                visit.id: before,
                homeless.id: None,
            }
        # Saving writes the department too.
        with storage.unit_of_work() as uow:
            uow.trajectories.save(attrs.evolve(journey, department_id=None))
            uow.appointments.save(attrs.evolve(visit, department_id=after))
            uow.appointments.save(attrs.evolve(homeless, department_id=before))
            uow.commit()
        with storage.unit_of_work() as uow:
            stored = uow.trajectories.get(journey.id)
            assert stored is not None
            assert stored.department_id is None
            assert {a.id: a.department_id for a in uow.appointments.for_employer(owner)} == {
                visit.id: after,
                homeless.id: before,
            }
