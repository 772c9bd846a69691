"""An employer's settings, the theme catalogue and late cancellations, on every storage."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from typing import Any

import openpyxl
import pytest

from onzecoach import (
    Actor,
    NotFound,
    PermissionDenied,
    Portal,
    QuotaExceeded,
    Role,
    ValidationError,
)
from onzecoach.actors import SERVICE_DESK
from onzecoach.employers import EmployerPolicy, EmployerSettings
from onzecoach.ports import Storage
from onzecoach.testing import FrozenClock, RecordingMailer
from onzecoach.testing.contracts._builders import Background
from onzecoach.trajectories import AppointmentStatus, ClosedReason
from storage_snapshot import snapshot
from support import make_settings

MARCH = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def hr_of(portal: Portal, name: str) -> Actor:
    employer = portal.admin.create_employer(SERVICE_DESK, name)
    return Actor(user_id=f"hr-{employer.id[-8:]}", employer_id=employer.id, role=Role.HR)


def employer_of(hr: Actor) -> str:
    assert hr.employer_id is not None
    return hr.employer_id


def trajectory_of(portal: Portal, hr: Actor, n: int = 0, type_code: str = "ONC-IND-4") -> str:
    employee = portal.employees.register(
        hr,
        {
            "last_name": "Jansen",
            "given_name": f"Piet{'abcdefgh'[n]}",
            "initials": "P",
            "gender": "male",
            "birth_date": date(1980, 1, 1 + n),
            "email": f"piet{n}@example.nl",
            "registration_type": "OnzeCoach",
        },
    )
    return portal.trajectories.start(
        hr, employee.id, type_code=type_code, start_date=date(2026, 3, 1)
    ).id


def report(
    portal: Portal, trajectory_id: str, key: str, status: str, week: int = 0, **more: Any
) -> Any:
    return portal.trajectories.record_appointment(
        SERVICE_DESK,
        trajectory_id,
        external_id=key,
        starts_at=MARCH + timedelta(weeks=week),
        status=status,  # type: ignore[arg-type]
        mode="live",
        **more,
    )


# The settings ---------------------------------------------------------------------------------


def test_an_employer_without_settings_has_the_portals_defaults(
    storage: Storage, clock: FrozenClock
) -> None:
    portal = Portal(
        storage=storage,
        mailer=RecordingMailer(),
        clock=clock,
        settings=make_settings(cancellation_notice=timedelta(hours=12), no_shows_count=False),
    )
    hr = hr_of(portal, "Acme")
    expected = EmployerPolicy(
        cancellation_notice=timedelta(hours=12), late_cancellations_count=True, no_shows_count=False
    )
    assert portal.admin.employer_policy(SERVICE_DESK, employer_of(hr)) == expected
    assert portal.admin.employer_policy(hr, employer_of(hr)) == expected
    assert portal.admin.employer_settings(SERVICE_DESK, employer_of(hr)) is None


def test_an_override_holds_for_its_employer_and_the_rest_follows_the_default(
    storage: Storage, clock: FrozenClock
) -> None:
    portal = Portal(
        storage=storage, mailer=RecordingMailer(), clock=clock, settings=make_settings()
    )
    hr, other = hr_of(portal, "Acme"), hr_of(portal, "Other")
    policy = portal.admin.set_employer_policy(
        SERVICE_DESK, employer_of(hr), cancellation_notice=timedelta(hours=48), no_shows_count=False
    )
    assert policy == EmployerPolicy(timedelta(hours=48), True, False)
    assert portal.admin.employer_policy(hr, employer_of(hr)) == policy
    assert portal.admin.employer_policy(SERVICE_DESK, employer_of(other)) == EmployerPolicy()
    own = portal.admin.employer_settings(SERVICE_DESK, employer_of(hr))
    assert own is not None
    assert own.overridden == ("cancellation_notice", "no_shows_count")
    assert own.updated_at == clock.now()
    # A field the employer does not set follows the portal's default, also a new one.
    later = Portal(
        storage=storage,
        mailer=RecordingMailer(),
        clock=clock,
        settings=make_settings(late_cancellations_count=False, cancellation_notice=timedelta(0)),
    )
    assert later.admin.employer_policy(SERVICE_DESK, employer_of(hr)) == EmployerPolicy(
        timedelta(hours=48), False, False
    )


def test_a_reset_field_follows_the_default_again(portal: Portal) -> None:
    hr = hr_of(portal, "Acme")
    employer = employer_of(hr)
    portal.admin.set_employer_policy(
        SERVICE_DESK,
        employer,
        cancellation_notice=timedelta(hours=2),
        late_cancellations_count=False,
        no_shows_count=False,
    )
    policy = portal.admin.set_employer_policy(
        SERVICE_DESK, employer, reset=["cancellation_notice", "no_shows_count"]
    )
    assert policy == EmployerPolicy(timedelta(hours=24), False, True)
    own = portal.admin.employer_settings(SERVICE_DESK, employer)
    assert own is not None
    assert own.overridden == ("late_cancellations_count",)
    # Setting a value the same as the default still sets it: it stays when the default moves.
    portal.admin.set_employer_policy(SERVICE_DESK, employer, no_shows_count=True)
    own = portal.admin.employer_settings(SERVICE_DESK, employer)
    assert own is not None
    assert own.no_shows_count is True


def test_two_changes_at_once_to_different_fields_both_stand(portal: Portal) -> None:
    """A policy change reads the employer's settings, changes its fields and writes the row
    back whole; another change under way meanwhile (here: one holding the employer's lock,
    its settings written, not yet committed) is waited for and built on, not undone."""
    hr = hr_of(portal, "Acme")
    employer = employer_of(hr)
    other = Background(
        lambda: portal.admin.set_employer_policy(
            SERVICE_DESK, employer, cancellation_notice=timedelta(hours=2)
        )
    )
    with portal.storage.unit_of_work() as uow:
        assert uow.employers.get(employer, for_update=True) is not None
        uow.employer_settings.save(
            EmployerSettings(employer_id=employer, updated_at=MARCH, no_shows_count=False)
        )
        other.start()
        assert other.still_waiting(), "a change went ahead of another under way"
        uow.commit()
    other.finish()
    policy = portal.admin.employer_policy(SERVICE_DESK, employer)
    assert policy == EmployerPolicy(timedelta(hours=2), True, False)
    own = portal.admin.employer_settings(SERVICE_DESK, employer)
    assert own is not None
    assert own.overridden == ("cancellation_notice", "no_shows_count")


@pytest.mark.parametrize(
    ("arguments", "codes"),
    [
        (
            {"cancellation_notice": timedelta(days=14, minutes=1)},
            {"cancellation_notice": "out_of_range"},
        ),
        ({"cancellation_notice": timedelta(minutes=-1)}, {"cancellation_notice": "out_of_range"}),
        ({"cancellation_notice": timedelta(seconds=90)}, {"cancellation_notice": "invalid"}),
        ({"cancellation_notice": 24}, {"cancellation_notice": "invalid"}),
        ({"late_cancellations_count": "ja"}, {"late_cancellations_count": "invalid"}),
        ({"no_shows_count": 0}, {"no_shows_count": "invalid"}),
        ({"reset": ["theme"]}, {"reset": "invalid"}),
        ({"reset": "no_shows_count"}, {"reset": "invalid"}),
        ({"reset": ["no_shows_count"], "no_shows_count": False}, {"reset": "invalid"}),
        (
            {"cancellation_notice": timedelta(days=30), "no_shows_count": "nee"},
            {"cancellation_notice": "out_of_range", "no_shows_count": "invalid"},
        ),
    ],
)
def test_a_bad_setting_is_refused_naming_the_field_and_nothing_is_written(
    portal: Portal, arguments: dict[str, Any], codes: dict[str, str]
) -> None:
    employer = employer_of(hr_of(portal, "Acme"))
    before = snapshot(portal.storage)
    with pytest.raises(ValidationError) as raised:
        portal.admin.set_employer_policy(SERVICE_DESK, employer, **arguments)
    assert dict(raised.value.codes) == codes
    assert all(raised.value.errors[field] for field in codes)
    assert snapshot(portal.storage) == before


def test_the_longest_and_shortest_notice_are_taken(portal: Portal) -> None:
    employer = employer_of(hr_of(portal, "Acme"))
    for notice in (timedelta(days=14), timedelta(0), timedelta(hours=1, minutes=59)):
        policy = portal.admin.set_employer_policy(
            SERVICE_DESK, employer, cancellation_notice=notice
        )
        assert policy.cancellation_notice == notice


def test_hr_reads_only_its_own_and_writes_nothing(portal: Portal) -> None:
    hr, other = hr_of(portal, "Acme"), hr_of(portal, "Other")
    before = snapshot(portal.storage)
    with pytest.raises(NotFound):
        portal.admin.employer_policy(hr, employer_of(other))
    with pytest.raises(NotFound):
        portal.admin.employer_settings(hr, employer_of(other))
    for target in (hr, other):
        with pytest.raises(PermissionDenied):
            portal.admin.set_employer_policy(hr, employer_of(target), no_shows_count=False)
    coach = Actor(user_id="coach-1", employer_id=None, role=Role.COACH)
    with pytest.raises((NotFound, PermissionDenied)):
        portal.admin.employer_policy(coach, employer_of(hr))
    assert snapshot(portal.storage) == before


@pytest.mark.parametrize("employer_id", ["0" * 32, "no such id", "", None])
def test_an_unknown_employer_is_not_found(portal: Portal, employer_id: Any) -> None:
    with pytest.raises(NotFound):
        portal.admin.set_employer_policy(SERVICE_DESK, employer_id, no_shows_count=False)
    with pytest.raises(NotFound):
        portal.admin.employer_policy(SERVICE_DESK, employer_id)


def test_a_change_is_audited_and_no_change_is_not(portal: Portal, clock: FrozenClock) -> None:
    employer = employer_of(hr_of(portal, "Acme"))
    portal.admin.set_employer_policy(
        SERVICE_DESK, employer, cancellation_notice=timedelta(hours=36), no_shows_count=False
    )
    clock.advance(timedelta(minutes=5))
    portal.admin.set_employer_policy(
        SERVICE_DESK, employer, cancellation_notice=timedelta(hours=36)
    )  # as it was: nothing to write
    portal.admin.set_employer_policy(
        SERVICE_DESK, employer, reset=["no_shows_count", "cancellation_notice"]
    )
    with portal.storage.unit_of_work() as uow:
        entries = [
            e for e in uow.audit.for_subject("employer", employer) if e.action != "employer.created"
        ]
    assert [(e.action, e.actor_role, e.at, e.details) for e in entries] == [
        (
            "employer.policy_changed",
            Role.SERVICE_DESK,
            clock.now() - timedelta(minutes=5),
            {"cancellation_notice_minutes": 36 * 60, "no_shows_count": False},
        ),
        (
            "employer.policy_changed",
            Role.SERVICE_DESK,
            clock.now(),
            {"cancellation_notice_minutes": None, "no_shows_count": None},
        ),
    ]
    own = portal.admin.employer_settings(SERVICE_DESK, employer)
    assert own is not None
    assert (own.overridden, own.updated_at) == ((), clock.now())


# The theme catalogue --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("werkdruk", "werkdruk"),
        ("Werkdruk", "werkdruk"),
        ("  BALANS   werk-PRIVÉ ", "balans-werk-prive"),
        ("balans werk-prive", "balans-werk-prive"),
        ("re-integratie", "re-integratie"),
        (None, None),
        ("  ", None),
    ],
)
def test_a_theme_is_taken_by_code_or_name_and_kept_as_its_code(
    portal: Portal, given: str | None, stored: str | None
) -> None:
    hr = hr_of(portal, "Acme")
    appointment = report(portal, trajectory_of(portal, hr), "a", "held", theme=given)
    assert appointment.theme == stored
    # The dossier never shows it: what one person discusses is not the employer's.
    dossier = portal.employees.dossier(hr, appointment.employee_id)
    assert dossier.trajectories[0].appointments[0].theme is None


@pytest.mark.parametrize("theme", ["Burn-out", "werk druk", "werkdruk!", "x" * 1000, "\x00"])
def test_a_theme_not_in_the_catalogue_is_refused_naming_it(portal: Portal, theme: str) -> None:
    hr = hr_of(portal, "Acme")
    trajectory = trajectory_of(portal, hr)
    before = snapshot(portal.storage)
    with pytest.raises(ValidationError) as raised:
        report(portal, trajectory, "a", "held", theme=theme)
    assert raised.value.codes == {"theme": "unknown"}
    assert snapshot(portal.storage) == before


def test_the_catalogue_is_a_setting(storage: Storage, clock: FrozenClock) -> None:
    from onzecoach.catalogues import Theme  # noqa: PLC0415

    portal = Portal(
        storage=storage,
        mailer=RecordingMailer(),
        clock=clock,
        settings=make_settings(themes=[Theme("stress", "Stress op het werk")]),
    )
    hr = hr_of(portal, "Acme")
    trajectory = trajectory_of(portal, hr)
    assert report(portal, trajectory, "a", "held", theme="stress op het werk").theme == "stress"
    with pytest.raises(ValidationError):
        report(portal, trajectory, "b", "held", theme="werkdruk")


def test_the_statistics_show_a_theme_by_its_name(portal: Portal) -> None:
    hr = hr_of(portal, "Acme")
    for n, theme in enumerate(["balans-werk-prive", "Balans werk-privé", "loopbaan"]):
        report(portal, trajectory_of(portal, hr, n), f"a{n}", "held", theme=theme)
    board = portal.stats.dashboard(hr, start=date(2026, 3, 1), end=date(2026, 3, 31))
    assert board.themes == {"Balans werk-privé": 2, "Loopbaan": 1}


# Late cancellations and no-shows ---------------------------------------------------------------


@pytest.mark.parametrize("status", ["no_show", "late_cancelled"])
def test_a_counted_miss_uses_a_session_and_can_close_the_trajectory(
    portal: Portal, status: str
) -> None:
    hr = hr_of(portal, "Acme")
    trajectory = trajectory_of(portal, hr)
    for week in range(3):
        report(portal, trajectory, f"h{week}", "held", week)
    missed = report(portal, trajectory, "m", status, 3)
    assert missed.status is AppointmentStatus(status)
    closed = portal.trajectories.get(hr, trajectory)
    assert (closed.held, closed.closed_reason) == (3, ClosedReason.COMPLETED)
    assert closed.end_date == (MARCH + timedelta(weeks=3)).date()
    # Corrected to a cancellation in time: the session is free again and the trajectory opens.
    report(portal, trajectory, "m", "cancelled", 3)
    reopened = portal.trajectories.get(hr, trajectory)
    assert reopened.is_open
    assert reopened.end_date is None


@pytest.mark.parametrize("status", ["no_show", "late_cancelled"])
def test_a_counted_miss_takes_quota_and_one_that_is_not_counted_does_not(
    portal: Portal, status: str
) -> None:
    counted, free = hr_of(portal, "Telt"), hr_of(portal, "Telt niet")
    portal.admin.set_employer_policy(
        SERVICE_DESK,
        employer_of(free),
        no_shows_count=False if status == "no_show" else None,
        late_cancellations_count=False if status == "late_cancelled" else None,
    )
    for hr in (counted, free):
        trajectory = trajectory_of(portal, hr)
        for week in range(2):
            report(portal, trajectory, f"m{week}", status, week)
        for week in range(2, 4):
            report(portal, trajectory, f"p{week}", "planned", week)
        if hr is counted:
            # Two used and two planned: the quota of four is full.
            with pytest.raises(QuotaExceeded, match="4"):
                report(portal, trajectory, "p9", "planned", 9)
            for week in range(2, 4):
                report(portal, trajectory, f"p{week}", "held", week)
            assert not portal.trajectories.get(hr, trajectory).is_open
        else:
            # The misses leave their sessions: two more fit, and held they close it.
            for week in range(4, 6):
                report(portal, trajectory, f"p{week}", "planned", week)
            with pytest.raises(QuotaExceeded):
                report(portal, trajectory, "p9", "planned", 9)
            for week in range(2, 5):
                report(portal, trajectory, f"p{week}", "held", week)
            assert portal.trajectories.get(hr, trajectory).is_open
            report(portal, trajectory, "p5", "held", 5)
            done = portal.trajectories.get(hr, trajectory)
            assert (done.held, done.is_open) == (4, False)


def test_a_policy_changed_later_counts_from_the_next_report(portal: Portal) -> None:
    hr = hr_of(portal, "Acme")
    portal.admin.set_employer_policy(SERVICE_DESK, employer_of(hr), no_shows_count=False)
    trajectory = trajectory_of(portal, hr)
    for week in range(3):
        report(portal, trajectory, f"h{week}", "held", week)
    report(portal, trajectory, "n", "no_show", 3)
    assert portal.trajectories.get(hr, trajectory).is_open
    portal.admin.set_employer_policy(SERVICE_DESK, employer_of(hr), reset=["no_shows_count"])
    # A new report applies the policy to all of the trajectory's sessions.
    report(portal, trajectory, "c", "cancelled", 4)
    assert not portal.trajectories.get(hr, trajectory).is_open


def test_the_statistics_count_late_cancellations_beside_the_others(portal: Portal) -> None:
    hr = hr_of(portal, "Acme")
    trajectory = trajectory_of(portal, hr, type_code="ONC-IND-5")
    for week, status in enumerate(["held", "late_cancelled", "late_cancelled", "no_show"]):
        report(portal, trajectory, f"a{week}", status, week)
    report(portal, trajectory_of(portal, hr, 1), "b", "cancelled")
    march: dict[str, Any] = {"start": date(2026, 3, 1), "end": date(2026, 3, 31)}
    board = portal.stats.dashboard(hr, **march)
    assert (
        board.held_sessions,
        board.cancelled_sessions,
        board.late_cancelled_sessions,
        board.no_show_sessions,
    ) == (1, 1, 2, 1)
    (row,) = board.rows
    assert row.late_cancelled_sessions == 2
    # A late cancellation corrected to held moves from one counter to the other.
    report(portal, trajectory, "a1", "held", 1)
    again = portal.stats.dashboard(hr, **march)
    assert (again.held_sessions, again.late_cancelled_sessions) == (2, 1)
    # The rebuild from the raw appointments agrees.
    portal.stats.rebuild(SERVICE_DESK, employer_id=employer_of(hr))
    assert portal.stats.dashboard(hr, **march) == again
    text = portal.stats.export(hr, format="csv", **march).decode("utf-8-sig")
    header, *_ = [line for line in text.splitlines() if line.startswith("Afdeling")]
    assert "Te laat geannuleerd" in header.split(";")
    book = openpyxl.load_workbook(io.BytesIO(portal.stats.export(hr, format="xlsx", **march)))
    overview = {row[0]: row[1] for row in book["Overzicht"].iter_rows(values_only=True)}
    assert overview["Te laat geannuleerd"] == 1
