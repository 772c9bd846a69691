from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onzecoach import FieldError, PasswordPolicyError, Settings, Throttled, ValidationError
from onzecoach.testing import FrozenClock
from support import TEST_SECRET_KEY, make_settings


def test_validation_error_names_every_field_once_keeping_all_details() -> None:
    error = ValidationError(
        [
            FieldError("name", "required", "Vul een naam in."),
            FieldError("postcode", "invalid", "Vul een geldige postcode in."),
            FieldError("name", "too_long", "Te lang."),
        ]
    )
    assert error.errors == {"name": "Vul een naam in.", "postcode": "Vul een geldige postcode in."}
    assert error.codes == {"name": "required", "postcode": "invalid"}
    assert len(error.details) == 3
    assert "postcode" in str(error)


def test_validation_error_needs_a_reason() -> None:
    with pytest.raises(ValueError, match="at least one"):
        ValidationError([])


def test_password_policy_error_lists_every_violation() -> None:
    error = PasswordPolicyError(
        [
            FieldError("password", "too_short", "Minimaal 12 tekens."),
            FieldError("password", "too_few_classes", "Minimaal 3 van de 4 groepen."),
        ]
    )
    assert error.violations == ("too_short", "too_few_classes")
    assert isinstance(error, ValidationError)


def test_throttled_says_when() -> None:
    at = datetime(2026, 1, 1, tzinfo=UTC)
    error = Throttled("login.throttled", retry_at=at, at="12:00:00 UTC")
    assert error.retry_at == at
    assert error.code == "login.throttled"
    assert str(error) == "Te veel mislukte pogingen. Probeer het opnieuw na 12:00:00 UTC."


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("base_url", "portaal.example.nl"),
        ("base_url", "ftp://portaal.example.nl"),
        ("base_url", "https://portaal.example.nl/?x=1"),
        ("booking_url", "/relative"),
        ("mail_from", "OnzeCoach <noreply@onzecoach.nl>"),
        ("mail_from", "not-an-address"),
        ("outbox_max_attempts", 0),
        ("outbox_retry_base", timedelta(0)),
    ],
)
def test_settings_refuse_bad_values_naming_the_field(field: str, value: object) -> None:
    kwargs: dict[str, object] = {
        "base_url": "https://portaal.example.nl",
        "secret_key": TEST_SECRET_KEY,
        field: value,
    }
    with pytest.raises(ValueError, match=field):
        Settings(**kwargs)  # type: ignore[arg-type]


def test_settings_links_are_absolute_under_the_base_url() -> None:
    settings = make_settings(base_url="https://portaal.example.nl/onzecoach/")
    assert settings.link("registreren", "TOKEN") == (
        "https://portaal.example.nl/onzecoach/registreren/TOKEN"
    )
    assert settings.effective_booking_url == "https://portaal.example.nl/onzecoach/planningsagenda"
    booking = make_settings(base_url="https://a.nl", booking_url="https://planningsagenda.nl/")
    assert booking.effective_booking_url == "https://planningsagenda.nl"
    assert str(settings.mail_sender) == "OnzeCoach <noreply@onzecoach.nl>"


@given(st.integers(min_value=-3, max_value=10_000))
def test_retry_delay_grows_and_is_capped(attempts: int) -> None:
    settings = make_settings()
    delay = settings.retry_delay(attempts)
    assert timedelta(0) <= delay <= settings.outbox_retry_max
    assert settings.retry_delay(attempts + 1) >= delay
    if 1 <= attempts <= 5:
        assert delay == settings.outbox_retry_base * 2 ** (attempts - 1)


def test_frozen_clock_moves_only_when_told_and_only_forward() -> None:
    clock = FrozenClock(datetime(2026, 1, 1, 12, tzinfo=UTC))
    assert clock.now() == clock.now()
    assert clock.advance(timedelta(minutes=5)) == datetime(2026, 1, 1, 12, 5, tzinfo=UTC)
    with pytest.raises(ValueError, match="forward"):
        clock.advance(timedelta(seconds=-1))
    with pytest.raises(ValueError, match="timezone-aware"):
        FrozenClock(datetime(2026, 1, 1))  # noqa: DTZ001 - the naive value is the point
