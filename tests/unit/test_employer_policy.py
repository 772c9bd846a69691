"""An employer's policy, the theme catalogue and what a session uses, without storage."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import attrs
import pytest

from onzecoach.catalogues import DEFAULT_THEMES, Theme, find_theme, theme_key
from onzecoach.employers import EmployerPolicy, EmployerSettings, default_policy
from onzecoach.trajectories import (
    Appointment,
    AppointmentStatus,
    ClosedReason,
    Trajectory,
)
from support import make_settings

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_the_default_catalogue_has_the_dutch_themes_with_ascii_codes() -> None:
    assert [t.code for t in DEFAULT_THEMES] == [
        "werkdruk",
        "loopbaan",
        "communicatie",
        "balans-werk-prive",
        "conflict",
        "zelfvertrouwen",
        "re-integratie",
    ]
    assert all(t.name[0].isupper() for t in DEFAULT_THEMES)
    assert make_settings().themes == DEFAULT_THEMES


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("werkdruk", "werkdruk"),
        ("WERKDRUK", "werkdruk"),
        ("Balans werk-privé", "balans-werk-prive"),
        ("balans\u00a0 werk-prive\t", "balans-werk-prive"),
        ("Balans werk-prive\u0301", "balans-werk-prive"),  # an accent as a combining mark
        ("RE-INTEGRATIE", "re-integratie"),
        ("Re-integratie", "re-integratie"),
        ("burn-out", None),
        ("balans werk prive", None),
        ("", None),
        ("   ", None),
        ("werkdruk" * 100, None),
        (None, None),
        (42, None),
    ],
)
def test_find_theme_matches_a_code_or_a_name(text: object, code: str | None) -> None:
    found = find_theme(DEFAULT_THEMES, text)
    assert (found.code if found else None) == code


def test_theme_key_folds_case_accents_and_whitespace() -> None:
    assert theme_key("  Zélf\tVERTROUWEN ") == "zelf vertrouwen"


@pytest.mark.parametrize(
    ("themes", "message"),
    [
        ([], "themes"),
        ([Theme("Werkdruk", "Werkdruk")], "lower-case"),
        ([Theme("werk druk", "Werkdruk")], "lower-case"),
        ([Theme("werkdruk-", "Werkdruk")], "lower-case"),
        ([Theme("werkdruk", " ")], "name"),
        ([Theme("werkdruk", "Werk\x00druk")], "name"),
        ([Theme("a", "Een"), Theme("a", "Twee")], r"themes\[1\] is named"),
        ([Theme("a", "Werkdruk"), Theme("b", "WERKDRUK")], r"themes\[1\] is named"),
        ([Theme("een", "Twee"), Theme("twee", "Drie")], r"themes\[1\] is named"),
    ],
)
def test_settings_refuse_a_catalogue_that_would_guess(themes: list[Theme], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make_settings(themes=themes)


def test_settings_take_the_name_of_a_stored_theme() -> None:
    settings = make_settings()
    assert settings.theme_name("balans-werk-prive") == "Balans werk-privé"
    assert settings.theme_name("Burn-out") == "Burn-out"  # free text from before


@pytest.mark.parametrize(
    ("notice", "message"),
    [
        (timedelta(days=14, seconds=60), "between 0 and 14 days"),
        (timedelta(minutes=-1), "between 0 and 14 days"),
        (timedelta(seconds=30), "whole minutes"),
    ],
)
def test_settings_refuse_a_notice_out_of_bounds(notice: timedelta, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make_settings(cancellation_notice=notice)


def test_an_employers_own_settings_win_over_the_defaults_field_by_field() -> None:
    defaults = default_policy(
        make_settings(cancellation_notice=timedelta(hours=12), late_cancellations_count=False)
    )
    assert defaults == EmployerPolicy(timedelta(hours=12), False, True)
    nothing = EmployerSettings(employer_id="e", updated_at=T0)
    assert nothing.effective(defaults) == defaults
    assert nothing.overridden == ()
    own = EmployerSettings(
        employer_id="e", updated_at=T0, late_cancellations_count=True, no_shows_count=False
    )
    assert own.effective(defaults) == EmployerPolicy(timedelta(hours=12), True, False)
    assert own.overridden == ("late_cancellations_count", "no_shows_count")
    # A zero notice is a setting, not "no setting".
    zero = attrs.evolve(own, cancellation_notice=timedelta(0))
    assert zero.effective(defaults).cancellation_notice == timedelta(0)


def test_a_cancellation_after_the_notice_is_late() -> None:
    policy = EmployerPolicy(cancellation_notice=timedelta(hours=24))
    starts = T0 + timedelta(days=2)
    assert not policy.is_late_cancellation(starts, now=starts - timedelta(hours=25))
    assert not policy.is_late_cancellation(starts, now=starts - timedelta(hours=24))
    assert policy.is_late_cancellation(starts, now=starts - timedelta(hours=23, minutes=59))
    assert EmployerPolicy(timedelta(0)).is_late_cancellation(starts, now=starts + timedelta(1))
    assert not EmployerPolicy(timedelta(0)).is_late_cancellation(starts, now=starts)


COUNTING = EmployerPolicy()
NOT_COUNTING = EmployerPolicy(late_cancellations_count=False, no_shows_count=False)


@pytest.mark.parametrize(
    ("status", "used", "used_if_not_counting", "takes"),
    [
        (AppointmentStatus.PLANNED, False, False, True),
        (AppointmentStatus.HELD, True, True, True),
        (AppointmentStatus.CANCELLED, False, False, False),
        (AppointmentStatus.NO_SHOW, True, False, True),
        (AppointmentStatus.LATE_CANCELLED, True, False, True),
    ],
)
def test_what_a_session_uses_under_each_policy(
    status: AppointmentStatus, used: bool, used_if_not_counting: bool, takes: bool
) -> None:
    appointment = visit(status)
    assert appointment.uses_session(COUNTING) is used
    assert appointment.uses_session(NOT_COUNTING) is used_if_not_counting
    assert appointment.counts_against_quota(COUNTING) is takes
    assert appointment.counts_against_quota(NOT_COUNTING) is (
        status is AppointmentStatus.PLANNED or used_if_not_counting
    )


def test_every_status_has_a_dutch_label() -> None:
    assert AppointmentStatus.LATE_CANCELLED.label == "Te laat geannuleerd"
    assert len({status.label for status in AppointmentStatus}) == len(AppointmentStatus)


def visit(status: AppointmentStatus, days: int = 0) -> Appointment:
    return Appointment(
        id=f"a{days}",
        trajectory_id="t",
        employer_id="e",
        employee_id="p",
        external_id=f"x{days}",
        starts_at=T0 + timedelta(days=days),
        created_at=T0,
        updated_at=T0,
        status=status,
    )


def two_sessions() -> Trajectory:
    return Trajectory(
        id="t",
        employer_id="e",
        employee_id="p",
        number=1,
        type_code="X",
        type_name="X",
        sessions=2,
        is_extension=False,
        start_date=date(2026, 3, 1),
        created_at=T0,
    )


def test_a_trajectory_closes_when_its_used_sessions_reach_its_sessions() -> None:
    trajectory = two_sessions()
    misses = [visit(AppointmentStatus.HELD, 1), visit(AppointmentStatus.LATE_CANCELLED, 5)]
    closed = trajectory.after(misses, now=T0, policy=COUNTING)
    assert (closed.closed_reason, closed.end_date, closed.held) == (
        ClosedReason.COMPLETED,
        date(2026, 3, 7),
        1,
    )
    assert not trajectory.has_room(misses, policy=COUNTING)
    still = trajectory.after(misses, now=T0, policy=NOT_COUNTING)
    assert still.is_open
    assert trajectory.has_room(misses, policy=NOT_COUNTING)
    # Corrected: the late cancellation was a cancellation in time after all.
    corrected = closed.after(
        [misses[0], attrs.evolve(misses[1], status=AppointmentStatus.CANCELLED)],
        now=T0,
        policy=COUNTING,
    )
    assert corrected.is_open
    assert corrected.end_date is None
