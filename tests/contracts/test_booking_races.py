"""Racing bookings on every storage: one time, one winner; one session left, one winner.

Each thread has a Portal over a storage of its own, as separate processes would; on
PostgreSQL the exclusion constraint, on SQLite the writers' turns (and a trigger) decide.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from booking_support import Setting, add_coach, local, next_weekday, started
from conftest import StorageFactory
from onzecoach import Portal
from onzecoach.errors import QuotaExceeded, SlotTaken
from onzecoach.testing import FrozenClock, RecordingMailer
from onzecoach.testing.contracts._builders import race
from onzecoach.trajectories import AppointmentStatus
from support import make_settings

THREADS = 16


def portals(factory: StorageFactory, clock: FrozenClock, mailer: RecordingMailer) -> list[Portal]:
    settings = make_settings(booking_link_limit=1000)
    return [
        Portal(storage=factory(), mailer=mailer, clock=clock, settings=settings)
        for _ in range(THREADS + 1)
    ]


def test_sixteen_employees_booking_one_time_leave_one_booked(
    storage_factory: StorageFactory, clock: FrozenClock, mailer: RecordingMailer
) -> None:
    made = portals(storage_factory, clock, mailer)
    first = made[0]
    coach = add_coach(first)
    settings = [
        started(first, clock, mailer, coach=coach, last_name="Berg" + "abcdefghijklmnop"[n])
        for n in range(THREADS)
    ]
    day = next_weekday(clock)

    def booking(portal: Portal, s: Setting) -> Callable[[], object]:
        return lambda: portal.booking.book(
            s.token, coach_id=s.coach_id, starts_at=local(day, 10), mode="live"
        )

    results = race([booking(p, s) for p, s in zip(made[1:], settings, strict=True)])
    won = [r for r in results if not isinstance(r, BaseException)]
    lost = [r for r in results if isinstance(r, SlotTaken)]
    assert (len(won), len(lost)) == (1, THREADS - 1), results
    assert {r.code for r in lost} == {"booking.slot_taken"}
    with first.storage.unit_of_work() as uow:
        kept = uow.appointments.for_coaches([coach[0]], start=local(day, 0), end=local(day, 23))
    assert len(kept) == 1


def test_sixteen_bookings_for_the_last_session_leave_one(
    storage_factory: StorageFactory, clock: FrozenClock, mailer: RecordingMailer
) -> None:
    made = portals(storage_factory, clock, mailer)
    first = made[0]
    s = started(first, clock, mailer)
    day = next_weekday(clock)
    for hour in (9, 10, 11):  # three of the four sessions
        first.booking.book(s.token, coach_id=s.coach_id, starts_at=local(day, hour), mode="live")
    later = day + timedelta(days=7)
    times = [local(later, 9 + n % 8) + timedelta(days=n // 8) for n in range(THREADS)]

    def booking(portal: Portal, n: int) -> Callable[[], object]:
        return lambda: portal.booking.book(
            s.token, coach_id=s.coach_id, starts_at=times[n], mode="live"
        )

    results = race([booking(p, n) for n, p in enumerate(made[1:])])
    won = [r for r in results if not isinstance(r, BaseException)]
    lost = [r for r in results if isinstance(r, QuotaExceeded)]
    assert (len(won), len(lost)) == (1, THREADS - 1), results
    context = first.booking.open(s.token)
    assert context.sessions_left == 0
    assert [b.status for b in context.booked] == [AppointmentStatus.PLANNED] * 4
