"""Erasure (``portal.privacy``) on every storage: the person's values leave every table, the
statistics stay, and ``reapply`` erases again what a restored backup brought back."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any, Literal

import attrs
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st

from booking_support import add_coach, booking_link, hr_of, local, next_weekday
from onzecoach import Actor, Portal
from onzecoach.actors import SERVICE_DESK
from onzecoach.adapters.memory import MemoryStorage
from onzecoach.adapters.sql import SqlStorage
from onzecoach.audit import REDACTED
from onzecoach.clock import amsterdam
from onzecoach.errors import NotFound, PermissionDenied, ValidationError
from onzecoach.messages import ERASED_EMPLOYEE
from onzecoach.notifications import OutboxStatus
from onzecoach.ports import Storage
from onzecoach.testing import FrozenClock, RecordingMailer
from onzecoach.trajectories import AppointmentStatus
from privacy_support import Person, dump, enrol

__all__ = ["Person", "dump", "enrol"]  # shared with the other privacy tests

# Must hold 1: the dump holds none of the person's values ------------------------------------------


def test_an_erased_person_leaves_no_value_in_any_table(
    portal: Portal, clock: FrozenClock, mailer: RecordingMailer
) -> None:
    hr = hr_of(portal)
    coach = add_coach(portal)
    gone = enrol(
        portal, clock, mailer, hr, coach, seed="0a1b2c3d", birth_date=date(1971, 3, 9), number=1
    )
    kept = enrol(
        portal, clock, mailer, hr, coach, seed="4e5f6a7b", birth_date=date(1982, 7, 21), number=2
    )
    before = dump(portal.storage)
    for marker in (*gone.markers, *kept.markers):
        assert marker in before, marker

    portal.privacy.erase(hr, gone.employee_id, "Verzoek van de werknemer")

    after = dump(portal.storage)
    assert [m for m in gone.markers if m in after] == []
    assert [m for m in kept.markers if m not in after] == []
    with portal.storage.unit_of_work() as uow:
        tombstone = uow.employees.get(gone.employee_id)
        assert tombstone is not None
        assert tombstone.is_erased
        assert tombstone.initials == ""
        assert tombstone.display_name == ERASED_EMPLOYEE
        assert not tombstone.holds_personal_data
        entries = uow.audit.for_subject("employee", gone.employee_id)
        registered = next(e for e in entries if e.action == "employee.registered")
        assert registered.details["fields"]["last_name"] == REDACTED
        erased = entries[-1]
        assert erased.action == "privacy.erased"
        assert erased.details == {
            "cancelled_sessions": 2,
            "again": False,
            "reason_length": len("Verzoek van de werknemer"),
        }
        assert uow.session_notes.get(gone.session_id) is None
        session = uow.appointments.get(gone.session_id)
        assert session is not None
        assert session.status is AppointmentStatus.CANCELLED
        # The queued reminders of the cancelled session never go.
        for message in uow.outbox.list(reference=gone.session_id, limit=1000):
            assert message.status in {OutboxStatus.SENT, OutboxStatus.SUPPRESSED} or (
                message.kind == "calendar.delete"
            )
            assert message.recipient == "" or message.kind.startswith("calendar.")


#: Birth dates the property test has given someone, over all its examples: each to the
#: example that took it, so that Hypothesis replaying that very example (as it does with a
#: failing one) still runs it, and reports its failure rather than an unmet assumption.
USED_BIRTH_DATES: dict[date, tuple[object, ...]] = {}


@settings(
    max_examples=10,
    deadline=None,
    # Each example enrols people through the whole booking flow: no shrinking rounds.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    erase=st.lists(st.booleans(), min_size=2, max_size=4),
    births=st.lists(
        st.dates(min_value=date(1950, 1, 1), max_value=date(1999, 12, 31)),
        min_size=4,
        max_size=4,
        unique=True,
    ),
)
def test_erasing_some_people_leaves_the_others_whole(
    portal: Portal,
    clock: FrozenClock,
    mailer: RecordingMailer,
    erase: list[bool],
    births: list[date],
) -> None:
    # The examples share the fixture's storage: a birth date an earlier example's kept
    # person has would be found again, so each date is used by one example in the whole
    # test (run again, that example leaves the same people kept and erased).
    example = (*births, *erase)
    assume(all(USED_BIRTH_DATES.get(birth, example) == example for birth in births))
    USED_BIRTH_DATES.update(dict.fromkeys(births, example))
    hr = hr_of(portal)
    coach = add_coach(portal)
    people = [
        enrol(
            portal,
            clock,
            mailer,
            hr,
            coach,
            seed=uuid.uuid4().hex[:8],
            birth_date=birth,
            number=int(uuid.uuid4().int % 10**8),
        )
        for birth, _ in zip(births, erase, strict=False)
    ]
    for person, erased in zip(people, erase, strict=True):
        if erased:
            portal.privacy.erase(hr, person.employee_id, "AVG-verzoek")
    after = dump(portal.storage)
    for person, erased in zip(people, erase, strict=True):
        left = [m for m in person.markers if m in after]
        assert left == ([] if erased else list(person.markers))


# Must hold 2: the statistics stay ---------------------------------------------------------


def rollups(storage: Storage) -> Any:
    """Every statistics cell of every scope that counts something."""
    if isinstance(storage, MemoryStorage):
        tables: Any = next(t for k, t in storage._tables.items() if k.__name__ == "StatsTables")
        cells = sorted(
            repr((group, month, counters))
            for group, months in tables.stats_cells.items()
            for month, counters in months.items()
            if not counters.is_zero()
        )
        themes = sorted(
            repr((group, month, theme, held))
            for group, months in tables.stats_themes.items()
            for month, by_theme in months.items()
            for theme, held in by_theme.items()
            if held
        )
        return cells, themes
    assert isinstance(storage, SqlStorage)
    with storage.engine.connect() as connection:
        cells = sorted(
            repr(tuple(row))
            for row in connection.execute(sa.text("SELECT * FROM onzecoach_stats_cells"))
            if any(row[5:])
        )
        themes = sorted(
            repr(tuple(row))
            for row in connection.execute(sa.text("SELECT * FROM onzecoach_stats_themes"))
            if row[-1]
        )
    return cells, themes


def test_the_statistics_are_the_same_after_an_erasure_and_after_a_rebuild(
    portal: Portal, clock: FrozenClock, mailer: RecordingMailer
) -> None:
    hr = hr_of(portal)
    department = portal.admin.add_department(SERVICE_DESK, hr.employer_id or "", "Zorg").id
    coach_id, coach = add_coach(portal)
    ids = []
    for n in range(2):
        employee = portal.employees.register(
            hr,
            {
                "last_name": f"Jansen{'ab'[n]}",
                "given_name": "Piet",
                "initials": "P",
                "gender": "vrouw",
                "birth_date": date(1980, 1, 2 + n),
                "email": f"piet{n}.{uuid.uuid4().hex[:6]}@example.nl",
                "registration_type": "OnzeCoach",
                "department_id": department,
            },
        )
        today = clock.now().astimezone(amsterdam()).date()
        trajectory = portal.trajectories.start(
            hr, employee.id, type_code="ONC-IND-4", start_date=today
        )
        ids.append((employee, trajectory))
    clock.advance(portal.settings.invitation_delay)
    portal.outbox.dispatch_due()
    first = next_weekday(clock)
    second = first + timedelta(days=1)
    while second.weekday() >= 5:
        second += timedelta(days=1)
    sessions = []
    for day, (employee, _) in zip((first, second), ids, strict=True):
        token = booking_link(mailer, employee.email)
        for hour in (9, 11, 13):
            sessions.append(
                portal.booking.book(
                    token, coach_id=coach_id, starts_at=local(day, hour), mode="live"
                )
            )
    clock.set(local(second, 18))
    outcomes: list[tuple[Literal["held", "no_show"], str | None]] = [
        ("held", "werkdruk"),
        ("held", "loopbaan"),
        ("no_show", None),
    ]
    for session, (status, theme) in zip(sessions, outcomes * 2, strict=True):
        portal.coaching.report(coach, session.id, status=status, theme=theme)
    stats_before = rollups(portal.storage)
    start, end = date(first.year, 1, 1), date(second.year, 12, 31)
    dashboard_before = portal.stats.dashboard(hr, start=start, end=end)

    portal.privacy.erase(hr, ids[0][0].id, "Verzoek")

    assert rollups(portal.storage) == stats_before
    after = portal.stats.dashboard(hr, start=start, end=end)
    assert attrs.evolve(after, rows=()) == attrs.evolve(dashboard_before, rows=())
    portal.stats.rebuild(SERVICE_DESK)
    assert rollups(portal.storage) == stats_before
    assert attrs.evolve(portal.stats.dashboard(hr, start=start, end=end), rows=()) == (
        attrs.evolve(dashboard_before, rows=())
    )


def test_a_future_session_the_erasure_cancels_counts_as_a_cancellation_and_a_rebuild_agrees(
    portal: Portal, clock: FrozenClock, mailer: RecordingMailer
) -> None:
    hr = hr_of(portal)
    coach = add_coach(portal)
    person = enrol(
        portal, clock, mailer, hr, coach, seed="1234abcd", birth_date=date(1990, 5, 5), number=7
    )
    del person
    with portal.storage.unit_of_work() as uow:
        (employee,) = uow.employees.for_employer(hr.employer_id or "")
    start, end = date(2026, 1, 1), date(2027, 12, 31)
    before = portal.stats.dashboard(hr, start=start, end=end)
    assert (before.planned_sessions, before.cancelled_sessions) == (2, 0)

    portal.privacy.erase(hr, employee.id, "Verzoek")

    after = portal.stats.dashboard(hr, start=start, end=end)
    assert (after.planned_sessions, after.cancelled_sessions) == (0, 2)
    assert attrs.evolve(after, planned_sessions=2, cancelled_sessions=0, rows=()) == (
        attrs.evolve(before, rows=())
    )
    stats_after = rollups(portal.storage)
    portal.stats.rebuild(SERVICE_DESK)
    assert rollups(portal.storage) == stats_after


# Who may, and what is found afterwards ----------------------------------------------------


def test_who_may_erase_and_what_is_found_afterwards(
    portal: Portal, clock: FrozenClock, mailer: RecordingMailer
) -> None:
    hr = hr_of(portal)
    other_hr = hr_of(portal)
    coach_id, coach = add_coach(portal)
    person = enrol(
        portal,
        clock,
        mailer,
        hr,
        (coach_id, coach),
        seed="9f8e7d6c",
        birth_date=date(1975, 1, 1),
        number=3,
    )
    with pytest.raises(NotFound):
        portal.privacy.erase(other_hr, person.employee_id, "Verzoek")
    # A coach is refused as everywhere in HR's work: the operation is not there for them.
    with pytest.raises(NotFound):
        portal.privacy.erase(coach, person.employee_id, "Verzoek")
    with pytest.raises(PermissionDenied):
        portal.privacy.erase(
            Actor.integration("planner", [hr.employer_id or ""]), person.employee_id, "Verzoek"
        )
    for reason, code in (("", "required"), ("   ", "required"), ("x" * 501, "too_long")):
        with pytest.raises(ValidationError) as invalid:
            portal.privacy.erase(hr, person.employee_id, reason)
        assert invalid.value.codes == {"reason": code}
    assert portal.search.employees(hr, "Achter").total == 1

    portal.privacy.erase(hr, person.employee_id, "Verzoek")

    assert portal.search.employees(hr, "Achter").total == 0
    with pytest.raises(NotFound):
        portal.employees.dossier(hr, person.employee_id)
    with pytest.raises(NotFound):
        portal.employees.get(hr, person.employee_id)
    with pytest.raises(NotFound):
        portal.privacy.erase(hr, person.employee_id, "Nogmaals")
    with pytest.raises(NotFound):
        portal.trajectories.start(
            hr, person.employee_id, type_code="ONC-IND-4", start_date=clock.now().date()
        )
    with pytest.raises(NotFound):
        portal.privacy.erase(SERVICE_DESK, person.employee_id, "Nogmaals")
    with portal.storage.unit_of_work() as uow:
        assert uow.employees.for_employer(hr.employer_id or "") == []
    assert portal.search.rebuild(SERVICE_DESK, employer_id=hr.employer_id) == 0
    # The coach's agenda names nobody.
    sessions = portal.coaching.agenda(coach, start=clock.now().date(), days=30)
    assert {s.client_name for s in sessions} <= {ERASED_EMPLOYEE}
    # Only the service desk reapplies.
    with pytest.raises(PermissionDenied):
        portal.privacy.reapply(hr)


def test_the_service_desk_erases_any_employee(
    portal: Portal, clock: FrozenClock, mailer: RecordingMailer
) -> None:
    hr = hr_of(portal)
    employee = portal.employees.register(
        hr,
        {
            "last_name": "Smit",
            "given_name": "Els",
            "initials": "E",
            "gender": "vrouw",
            "birth_date": date(1990, 2, 3),
            "email": "els.smit@example.nl",
            "registration_type": "OnzeCoach",
        },
    )
    portal.privacy.erase(SERVICE_DESK, employee.id, "Verzoek via het servicebureau")
    assert "els.smit" not in dump(portal.storage)
    assert portal.search.employees(hr, "Smit").total == 0


# Backups do not bring people back -----------------------------------------------------------------


def test_reapply_erases_again_what_a_restore_brought_back(
    portal: Portal, clock: FrozenClock, mailer: RecordingMailer
) -> None:
    hr = hr_of(portal)
    coach = add_coach(portal)
    person = enrol(
        portal, clock, mailer, hr, coach, seed="5a5b5c5d", birth_date=date(1966, 6, 6), number=4
    )
    kept = enrol(
        portal, clock, mailer, hr, coach, seed="6a6b6c6d", birth_date=date(1967, 7, 7), number=5
    )
    with portal.storage.unit_of_work() as uow:
        old = uow.employees.get(person.employee_id)
    assert old is not None
    portal.privacy.erase(hr, person.employee_id, "Verzoek")
    assert portal.privacy.reapply(SERVICE_DESK) == 0

    # A backup from before the erasure is restored: the old row is back.
    with portal.storage.unit_of_work() as uow:
        uow.employees.save(old)
        uow.commit()
    assert [m for m in person.markers if m in dump(portal.storage)]

    assert portal.privacy.reapply(SERVICE_DESK) == 1
    after = dump(portal.storage)
    assert [m for m in person.markers if m in after] == []
    assert [m for m in kept.markers if m not in after] == []
    assert portal.privacy.reapply(SERVICE_DESK) == 0
    with portal.storage.unit_of_work() as uow:
        entries = uow.audit.for_subject("employee", person.employee_id)
    assert [e.details.get("again") for e in entries if e.action == "privacy.erased"] == [
        False,
        True,
    ]
    with pytest.raises(NotFound):
        portal.employees.dossier(hr, person.employee_id)


def test_a_failed_erasure_leaves_nothing_half_erased(
    portal: Portal, clock: FrozenClock, mailer: RecordingMailer, monkeypatch: pytest.MonkeyPatch
) -> None:
    hr = hr_of(portal)
    coach = add_coach(portal)
    person = enrol(
        portal, clock, mailer, hr, coach, seed="7c7c7c7c", birth_date=date(1977, 7, 7), number=6
    )
    before = sorted(dump(portal.storage).splitlines())

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(type(portal.privacy), "_close_trajectories", broken)
    with pytest.raises(RuntimeError):
        portal.privacy.erase(hr, person.employee_id, "Verzoek")
    assert sorted(dump(portal.storage).splitlines()) == before
    assert portal.employees.dossier(hr, person.employee_id).employee.id == person.employee_id
