"""The storage contract of sessions booked in the portal: one coach's never overlap."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import attrs
import pytest

from onzecoach.booking import SessionNote
from onzecoach.errors import SlotTaken
from onzecoach.ids import new_id
from onzecoach.ports import Storage, UnitOfWork
from onzecoach.testing.contracts._base import StorageTests
from onzecoach.testing.contracts._builders import (
    AMSTERDAM,
    T0,
    StorageFactory,
    add,
    appointment,
    in_transaction,
    race,
    refused,
    stored_employee,
    stored_employer,
    trajectory,
)
from onzecoach.trajectories import Appointment, AppointmentStatus, Trajectory

__all__ = ["SessionTests"]

SLOT_TAKEN = "booking.slot_taken"
#: A Monday at 10:00 in Amsterdam, a week after the records are made.
MONDAY = datetime(2026, 3, 9, 10, 0, tzinfo=AMSTERDAM)


def session(
    journey: Trajectory, coach_id: str, start: datetime, minutes: int = 60, **changes: Any
) -> Appointment:
    """A planned portal session of ``coach_id`` from ``start``, ``minutes`` long."""
    return appointment(
        journey,
        coach_id=coach_id,
        starts_at=start,
        ends_at=start + timedelta(minutes=minutes),
        location="Utrecht (3511)",
        **changes,
    )


class SessionTests(StorageTests):
    """``uow.appointments`` for portal sessions, and ``uow.session_notes``."""

    def test_a_session_round_trips_with_its_coach_end_and_place(self, storage: Storage) -> None:
        journey = trajectory(stored_employee(storage))
        made = session(journey, "coach-1", MONDAY, 45)
        add(storage, journey, made)
        with storage.unit_of_work() as uow:
            assert uow.appointments.get(made.id) == made
            assert uow.appointments.get(made.id, for_update=True) == made
            assert uow.appointments.get(new_id()) is None

    @pytest.mark.parametrize(
        ("offset", "minutes"),
        [(0, 60), (30, 60), (-30, 60), (15, 15), (-90, 120), (-5, 240)],
        ids=["same", "later-half", "earlier-half", "inside", "longer-around", "much-longer"],
    )
    def test_an_overlapping_session_of_the_same_coach_is_refused(
        self, storage: Storage, offset: int, minutes: int
    ) -> None:
        journey = trajectory(stored_employee(storage))
        other = trajectory(stored_employee(storage, journey.employer_id))
        add(storage, journey, other, session(journey, "coach-1", MONDAY))
        clash = session(other, "coach-1", MONDAY + timedelta(minutes=offset), minutes)
        assert refused(storage, lambda uow: uow.appointments.add(clash)) == SLOT_TAKEN
        with storage.unit_of_work() as uow:
            assert uow.appointments.for_trajectory(other.id) == []

    def test_touching_sessions_other_coaches_and_outside_sessions_are_fine(
        self, storage: Storage
    ) -> None:
        journey = trajectory(stored_employee(storage))
        first = session(journey, "coach-1", MONDAY)
        right_after = session(journey, "coach-1", MONDAY + timedelta(hours=1))
        right_before = session(journey, "coach-1", MONDAY - timedelta(minutes=30), 30)
        other_coach = session(journey, "coach-2", MONDAY)
        # An outside booking system's appointment has no coach of the portal's: not checked.
        outside = appointment(journey, starts_at=MONDAY)
        add(storage, journey, first, right_after, right_before, other_coach, outside)
        with storage.unit_of_work() as uow:
            assert len(uow.appointments.for_trajectory(journey.id)) == 5

    @pytest.mark.parametrize(
        "status", [AppointmentStatus.CANCELLED, AppointmentStatus.LATE_CANCELLED]
    )
    def test_a_cancelled_session_frees_its_time(
        self, storage: Storage, status: AppointmentStatus
    ) -> None:
        journey = trajectory(stored_employee(storage))
        gone = session(journey, "coach-1", MONDAY, status=status)
        add(storage, journey, gone, session(journey, "coach-1", MONDAY))
        # and a session cancelled later frees it too
        later = session(journey, "coach-1", MONDAY + timedelta(days=1))
        add(storage, later)
        in_transaction(
            storage,
            lambda uow: uow.appointments.save(attrs.evolve(later, status=status)),
        )
        add(storage, session(journey, "coach-1", MONDAY + timedelta(days=1, minutes=30)))

    def test_moving_a_session_onto_another_or_reviving_one_is_refused(
        self, storage: Storage
    ) -> None:
        journey = trajectory(stored_employee(storage))
        kept = session(journey, "coach-1", MONDAY)
        moving = session(journey, "coach-1", MONDAY + timedelta(hours=2))
        gone = session(journey, "coach-1", MONDAY, status=AppointmentStatus.CANCELLED)
        add(storage, journey, kept, moving, gone)
        onto = attrs.evolve(
            moving, starts_at=MONDAY + timedelta(minutes=30), ends_at=MONDAY + timedelta(hours=1.5)
        )
        assert refused(storage, lambda uow: uow.appointments.save(onto)) == SLOT_TAKEN
        revived = attrs.evolve(gone, status=AppointmentStatus.PLANNED)
        assert refused(storage, lambda uow: uow.appointments.save(revived)) == SLOT_TAKEN
        # A session keeps its own time when saved again (no overlap with itself).
        held = attrs.evolve(kept, status=AppointmentStatus.HELD, theme="werkdruk")
        in_transaction(storage, lambda uow: uow.appointments.save(held))
        with storage.unit_of_work() as uow:
            assert uow.appointments.get(moving.id) == moving
            assert uow.appointments.get(kept.id) == held

    def test_for_coaches_lists_the_sessions_that_meet_the_range(self, storage: Storage) -> None:
        journey = trajectory(stored_employee(storage))
        early = session(journey, "coach-1", MONDAY - timedelta(hours=2))
        spanning = session(journey, "coach-1", MONDAY - timedelta(minutes=30))
        inside = session(journey, "coach-1", MONDAY + timedelta(hours=1))
        cancelled = session(
            journey, "coach-1", MONDAY + timedelta(hours=2), status=AppointmentStatus.CANCELLED
        )
        late = session(journey, "coach-1", MONDAY + timedelta(hours=3))
        other = session(journey, "coach-2", MONDAY + timedelta(hours=1))
        third = session(journey, "coach-3", MONDAY + timedelta(hours=1))
        add(storage, journey, early, spanning, inside, cancelled, late, other, third)
        start, end = MONDAY, MONDAY + timedelta(hours=3)
        with storage.unit_of_work() as uow:
            found = uow.appointments.for_coaches(["coach-1", "coach-2"], start=start, end=end)
            assert found == sorted([spanning, inside, other], key=lambda a: (a.starts_at, a.id))
            every = uow.appointments.for_coaches(
                ["coach-1"], start=start, end=end, taking_time=False
            )
            assert every == [spanning, inside, cancelled]
            assert uow.appointments.for_coaches([], start=start, end=end) == []
            times = uow.appointments.coach_times(["coach-1", "coach-2"], start=start, end=end)
            assert times == [(a.id, a.coach_id, a.starts_at, a.ends_at) for a in found]
            assert uow.appointments.coach_times([], start=start, end=end) == []

    def test_sixteen_bookings_of_one_time_leave_one(self, storage_factory: StorageFactory) -> None:
        storage = storage_factory()
        employer = stored_employer(storage)
        journeys = [trajectory(stored_employee(storage, employer)) for _ in range(16)]
        add(storage, *journeys)
        # Different lengths over one hour: every pair overlaps.
        attempts = [
            session(journey, "coach-1", MONDAY + timedelta(minutes=3 * n), 60 - 3 * n)
            for n, journey in enumerate(journeys)
        ]

        def booking(made: Appointment) -> Callable[[], object]:
            def book() -> object:
                separate = storage_factory()
                return in_transaction(separate, lambda uow: uow.appointments.add(made))

            return book

        results = race([booking(made) for made in attempts])
        winners = [r for r in results if r is None]
        losers = [r for r in results if isinstance(r, SlotTaken)]
        assert len(winners) == 1, results
        assert len(losers) == 15, results
        assert all(r.code == SLOT_TAKEN for r in losers)
        with storage.unit_of_work() as uow:
            kept = uow.appointments.for_coaches(
                ["coach-1"], start=MONDAY - timedelta(hours=1), end=MONDAY + timedelta(hours=2)
            )
        assert len(kept) == 1

    def test_a_note_is_kept_replaced_and_removed(self, storage: Storage) -> None:
        journey = trajectory(stored_employee(storage))
        first, second = session(journey, "coach-1", MONDAY), session(journey, "coach-1", T0)
        add(storage, journey, first, second)
        note = SessionNote(
            appointment_id=first.id, coach_id="coach-1", text="sealed-1", updated_at=T0
        )

        def put(uow: UnitOfWork, made: SessionNote) -> None:
            uow.session_notes.put(made)

        in_transaction(storage, lambda uow: put(uow, note))
        newer = attrs.evolve(note, text="sealed-2", updated_at=T0 + timedelta(hours=1))
        in_transaction(storage, lambda uow: put(uow, newer))
        with storage.unit_of_work() as uow:
            assert uow.session_notes.get(first.id) == newer
            assert uow.session_notes.get(second.id) is None
            assert uow.session_notes.noted([first.id, second.id]) == {first.id}
            assert uow.session_notes.noted([]) == set()
        in_transaction(storage, lambda uow: uow.session_notes.delete(first.id))
        in_transaction(storage, lambda uow: uow.session_notes.delete(second.id))
        with storage.unit_of_work() as uow:
            assert uow.session_notes.get(first.id) is None
