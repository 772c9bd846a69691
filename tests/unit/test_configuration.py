"""The one configuration loader: a TOML file and ONZECOACH_* variables make ``Settings``.

Every key can be set both ways with the same result; the environment wins; a value of the
wrong form, an unknown key or a misspelt variable is an error that names the setting and
where it was set, and never shows a secret.
"""

from __future__ import annotations

import tomllib
from datetime import timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest
from argon2.profiles import CHEAPEST

from onzecoach import Settings
from onzecoach.accounts import OWASP_MINIMUM
from onzecoach.catalogues import Theme, TrajectoryType
from onzecoach.configuration import (
    CONFIGURATION_KEYS,
    Configuration,
    ConfigurationError,
    load_settings,
    read_configuration,
)
from onzecoach.passwords import PasswordPolicy
from support import NEW_SECRET_KEY, TEST_SECRET_KEY

#: Every key, each set to something other than its default.
EVERY_KEY = f"""
database_url = "sqlite:///portal.db"
base_url = "https://portaal.example.nl"
secret_key = "{TEST_SECRET_KEY}"
old_secret_keys = ["{NEW_SECRET_KEY}", "an-old-weak-key"]
booking_url = "https://planning.example.nl"
mail_from = "portaal@example.nl"
mail_from_name = "Voorbeeld"
service_desk_email = "desk@example.nl"
service_desk_phone = "020-1234567"
outbox_max_attempts = 5
outbox_retry_base = "PT30S"
outbox_retry_max = 7200
outbox_lease = "PT10M"
outbox_batch_size = 20
invitation_lifetime = "P3D"
password_reset_lifetime = "PT30M"
enrollment_lifetime = "PT1H"
session_idle_timeout = "PT15M"
session_lifetime = "PT8H"
account_mail_limit = 5
account_mail_window = "PT2H"
password_hashing = "owasp_minimum"
totp_issuer = "Voorbeeld"
sms_code_length = 6
sms_code_lifetime = "PT5M"
sms_code_tries = 5
sms_resend_cooldown = 30
backup_code_count = 1
login_challenge_lifetime = "PT3M"
login_free_failures = 3
login_delay_base = "PT2S"
login_delay_max = "PT10M"
login_max_failures = 50
login_ip_max_failures = 200
login_failure_window = "PT30M"
registration_types = ["OnzeCoach", "Werkgeversregeling"]
invitation_delay = 0
booking_nudge_after = "P3D"
not_booked_after = "P10D"
booking_reminder_before = "PT12H"
booking_link_limit = 30
privacy_min_group = 5
stats_max_months = 24
calendar_uid_domain = "agenda.example.nl"
cancellation_notice = "PT48H"
late_cancellations_count = false
no_shows_count = false
passkey_login = true
staff_passkey_login = true
retention_months = 12
audit_retention_months = 60
outbox_body_retention = "P14D"

[password_policy]
min_length = 14
max_length = 128
min_classes = 4
history = 3
forbid_username = false
forbid_common = false

[[trajectory_types]]
code = "ONC-IND-6"
name = "ONC - individuele coaching (6 gesprekken)"
sessions = 6

[[trajectory_types]]
code = "ONC-VERL-2"
name = "ONC - verlenging (2 gesprekken)"
sessions = 2
is_extension = true

[[themes]]
code = "stress"
name = "Stress"

[[themes]]
code = "balans-werk-prive"
name = "Balans werk-privé"

[smtp]
host = "smtp.example.nl"
port = 465
username = "portaal"
password = "smtp-geheim"
security = "ssl"

[sms]
url = "https://sms.example.nl/v1/messages"
token = "sms-geheim"

[yubico]
client_id = "12345"
secret = "yubico-geheim"
"""

#: The same, as environment variables.
EVERY_VARIABLE = {
    "ONZECOACH_DATABASE_URL": "sqlite:///portal.db",
    "ONZECOACH_BASE_URL": "https://portaal.example.nl",
    "ONZECOACH_SECRET_KEY": TEST_SECRET_KEY,
    "ONZECOACH_OLD_SECRET_KEYS": f"{NEW_SECRET_KEY}, an-old-weak-key",
    "ONZECOACH_BOOKING_URL": "https://planning.example.nl",
    "ONZECOACH_MAIL_FROM": "portaal@example.nl",
    "ONZECOACH_MAIL_FROM_NAME": "Voorbeeld",
    "ONZECOACH_SERVICE_DESK_EMAIL": "desk@example.nl",
    "ONZECOACH_SERVICE_DESK_PHONE": "020-1234567",
    "ONZECOACH_OUTBOX_MAX_ATTEMPTS": "5",
    "ONZECOACH_OUTBOX_RETRY_BASE": "PT30S",
    "ONZECOACH_OUTBOX_RETRY_MAX": "7200",
    "ONZECOACH_OUTBOX_LEASE": "PT10M",
    "ONZECOACH_OUTBOX_BATCH_SIZE": "20",
    "ONZECOACH_INVITATION_LIFETIME": "P3D",
    "ONZECOACH_PASSWORD_RESET_LIFETIME": "PT30M",
    "ONZECOACH_ENROLLMENT_LIFETIME": "PT1H",
    "ONZECOACH_SESSION_IDLE_TIMEOUT": "PT15M",
    "ONZECOACH_SESSION_LIFETIME": "PT8H",
    "ONZECOACH_ACCOUNT_MAIL_LIMIT": "5",
    "ONZECOACH_ACCOUNT_MAIL_WINDOW": "PT2H",
    "ONZECOACH_PASSWORD_POLICY_MIN_LENGTH": "14",
    "ONZECOACH_PASSWORD_POLICY_MAX_LENGTH": "128",
    "ONZECOACH_PASSWORD_POLICY_MIN_CLASSES": "4",
    "ONZECOACH_PASSWORD_POLICY_HISTORY": "3",
    "ONZECOACH_PASSWORD_POLICY_FORBID_USERNAME": "false",
    "ONZECOACH_PASSWORD_POLICY_FORBID_COMMON": "no",
    "ONZECOACH_PASSWORD_HASHING": "owasp_minimum",
    "ONZECOACH_TOTP_ISSUER": "Voorbeeld",
    "ONZECOACH_SMS_CODE_LENGTH": "6",
    "ONZECOACH_SMS_CODE_LIFETIME": "PT5M",
    "ONZECOACH_SMS_CODE_TRIES": "5",
    "ONZECOACH_SMS_RESEND_COOLDOWN": "30",
    "ONZECOACH_BACKUP_CODE_COUNT": "1",
    "ONZECOACH_LOGIN_CHALLENGE_LIFETIME": "PT3M",
    "ONZECOACH_LOGIN_FREE_FAILURES": "3",
    "ONZECOACH_LOGIN_DELAY_BASE": "PT2S",
    "ONZECOACH_LOGIN_DELAY_MAX": "PT10M",
    "ONZECOACH_LOGIN_MAX_FAILURES": "50",
    "ONZECOACH_LOGIN_IP_MAX_FAILURES": "200",
    "ONZECOACH_LOGIN_FAILURE_WINDOW": "PT30M",
    "ONZECOACH_REGISTRATION_TYPES": "OnzeCoach,Werkgeversregeling",
    "ONZECOACH_TRAJECTORY_TYPES": (
        '[{code = "ONC-IND-6", name = "ONC - individuele coaching (6 gesprekken)", sessions = 6},'
        ' {code = "ONC-VERL-2", name = "ONC - verlenging (2 gesprekken)", sessions = 2,'
        " is_extension = true}]"
    ),
    "ONZECOACH_INVITATION_DELAY": "0",
    "ONZECOACH_BOOKING_NUDGE_AFTER": "P3D",
    "ONZECOACH_NOT_BOOKED_AFTER": "P10D",
    "ONZECOACH_BOOKING_REMINDER_BEFORE": "PT12H",
    "ONZECOACH_BOOKING_LINK_LIMIT": "30",
    "ONZECOACH_PRIVACY_MIN_GROUP": "5",
    "ONZECOACH_STATS_MAX_MONTHS": "24",
    "ONZECOACH_CALENDAR_UID_DOMAIN": "agenda.example.nl",
    "ONZECOACH_CANCELLATION_NOTICE": "P2D",
    "ONZECOACH_LATE_CANCELLATIONS_COUNT": "no",
    "ONZECOACH_NO_SHOWS_COUNT": "0",
    "ONZECOACH_PASSKEY_LOGIN": "1",
    "ONZECOACH_STAFF_PASSKEY_LOGIN": "1",
    "ONZECOACH_RETENTION_MONTHS": "12",
    "ONZECOACH_AUDIT_RETENTION_MONTHS": "60",
    "ONZECOACH_OUTBOX_BODY_RETENTION": "P14D",
    "ONZECOACH_THEMES": (
        '[{code = "stress", name = "Stress"},'
        ' {code = "balans-werk-prive", name = "Balans werk-privé"}]'
    ),
    "ONZECOACH_SMTP_HOST": "smtp.example.nl",
    "ONZECOACH_SMTP_PORT": "465",
    "ONZECOACH_SMTP_USERNAME": "portaal",
    "ONZECOACH_SMTP_PASSWORD": "smtp-geheim",
    "ONZECOACH_SMTP_SECURITY": "ssl",
    "ONZECOACH_SMS_URL": "https://sms.example.nl/v1/messages",
    "ONZECOACH_SMS_TOKEN": "sms-geheim",
    "ONZECOACH_YUBICO_CLIENT_ID": "12345",
    "ONZECOACH_YUBICO_SECRET": "yubico-geheim",
}

SECRETS = ("smtp-geheim", "sms-geheim", "yubico-geheim", TEST_SECRET_KEY, NEW_SECRET_KEY)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "onzecoach.toml"
    path.write_text(text)
    return path


def refused(tmp_path: Path, text: str = "", environ: dict[str, str] | None = None) -> str:
    """The message of the ConfigurationError that reading ``text`` and ``environ`` raises."""
    path = write(tmp_path, text)
    with pytest.raises(ConfigurationError) as caught:
        read_configuration(path, environ or {})
    return str(caught.value)


def test_the_examples_set_every_key() -> None:
    document = tomllib.loads(EVERY_KEY)
    written = {
        f"[{name}] {inner}" if isinstance(value, dict) else name
        for name, value in document.items()
        for inner in (value if isinstance(value, dict) else [None])
    }
    assert written == {key.written for key in CONFIGURATION_KEYS}
    assert set(EVERY_VARIABLE) == {key.env for key in CONFIGURATION_KEYS}


def test_every_setting_can_be_set_in_the_file(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, EVERY_KEY), {})
    default = Settings(base_url="https://elders.example.nl", secret_key=NEW_SECRET_KEY)
    for field in attrs.fields(Settings):
        assert getattr(settings, field.name) != getattr(default, field.name), field.name
    assert settings.session_idle_timeout == timedelta(minutes=15)
    assert settings.outbox_retry_max == timedelta(hours=2)
    assert settings.invitation_lifetime == timedelta(days=3)
    assert settings.invitation_delay == timedelta(0)
    assert settings.old_secret_keys == (NEW_SECRET_KEY, "an-old-weak-key")
    assert settings.password_hashing == OWASP_MINIMUM
    assert settings.password_policy == PasswordPolicy(
        min_length=14,
        max_length=128,
        min_classes=4,
        history=3,
        forbid_username=False,
        forbid_common=False,
    )
    assert settings.trajectory_types == (
        TrajectoryType("ONC-IND-6", "ONC - individuele coaching (6 gesprekken)", 6),
        TrajectoryType("ONC-VERL-2", "ONC - verlenging (2 gesprekken)", 2, is_extension=True),
    )
    assert settings.registration_types == ("OnzeCoach", "Werkgeversregeling")
    assert settings.cancellation_notice == timedelta(hours=48)
    assert (settings.late_cancellations_count, settings.no_shows_count) == (False, False)
    assert (settings.passkey_login, settings.staff_passkey_login) == (True, True)
    assert (settings.retention_months, settings.audit_retention_months) == (12, 60)
    assert settings.outbox_body_retention == timedelta(days=14)
    assert settings.themes == (
        Theme("stress", "Stress"),
        Theme("balans-werk-prive", "Balans werk-privé"),
    )


def test_the_environment_sets_everything_the_file_does(tmp_path: Path) -> None:
    from_file = read_configuration(write(tmp_path, EVERY_KEY), {})
    from_environment = read_configuration(None, EVERY_VARIABLE)
    assert from_environment.values == from_file.values
    assert from_environment.settings() == from_file.settings()
    assert from_environment.sources["smtp_port"] == "ONZECOACH_SMTP_PORT"
    assert from_file.sources["smtp_port"] == str(tmp_path / "onzecoach.toml")


def test_nothing_set_is_shown_by_repr(tmp_path: Path) -> None:
    configuration = read_configuration(write(tmp_path, EVERY_KEY), {})
    for secret in SECRETS:
        assert secret not in repr(configuration)
        assert secret not in repr(configuration.settings())


def test_the_environment_wins_and_an_empty_variable_means_the_default(tmp_path: Path) -> None:
    path = write(tmp_path, EVERY_KEY)
    environ = {
        "ONZECOACH_PRIVACY_MIN_GROUP": "7",
        "ONZECOACH_SESSION_LIFETIME": "",
        "ONZECOACH_SMTP_HOST": " ",
        "ONZECOACH_REGISTRATION_TYPES": " OnzeCoach , Anders ,, ",
    }
    configuration = read_configuration(path, environ)
    settings = configuration.settings()
    assert settings.privacy_min_group == 7
    assert settings.session_lifetime == timedelta(hours=12)
    assert settings.registration_types == ("OnzeCoach", "Anders")
    assert configuration.get("smtp_host") is None
    assert configuration.get("smtp_security") == "ssl"
    assert configuration.get("smtp_port") == 465


def test_the_file_is_named_by_onzecoach_config_unless_a_path_is_given(tmp_path: Path) -> None:
    named = write(tmp_path, f'base_url = "https://a.example.nl"\nsecret_key = "{TEST_SECRET_KEY}"')
    other = tmp_path / "other.toml"
    other.write_text(f'base_url = "https://b.example.nl"\nsecret_key = "{TEST_SECRET_KEY}"')
    environ = {"ONZECOACH_CONFIG": str(named)}
    assert load_settings(None, environ).base_url == "https://a.example.nl"
    assert load_settings(other, environ).base_url == "https://b.example.nl"


def test_a_missing_required_setting_is_named_with_its_variable() -> None:
    configuration = read_configuration(None, {"ONZECOACH_BASE_URL": "https://a.example.nl"})
    with pytest.raises(ConfigurationError, match=r"secret_key is not set.*ONZECOACH_SECRET_KEY"):
        configuration.settings()
    fallback = configuration.settings(secret_key=TEST_SECRET_KEY, base_url="https://b.nl")
    assert fallback.base_url == "https://a.example.nl"  # what is configured wins
    with pytest.raises(ConfigurationError, match="database_url is not set"):
        configuration.require("database_url")
    with pytest.raises(ValueError, match="'colour' is not a configuration key"):
        configuration.get("colour")


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("1800", timedelta(minutes=30)),
        ('"PT30M"', timedelta(minutes=30)),
        ('"PT1H30M"', timedelta(minutes=90)),
        ('"P7D"', timedelta(days=7)),
        ('"P2W"', timedelta(days=14)),
        ('"P1DT12H"', timedelta(hours=36)),
        ('"PT0.5S"', timedelta(milliseconds=500)),
        ('"PT90S"', timedelta(seconds=90)),
    ],
)
def test_a_duration_is_whole_seconds_or_iso_8601(
    tmp_path: Path, written: str, expected: timedelta
) -> None:
    path = write(tmp_path, f"session_idle_timeout = {written}\n")
    configuration = read_configuration(path, {})
    assert configuration.get("session_idle_timeout") == expected
    from_environment = read_configuration(
        None, {"ONZECOACH_SESSION_IDLE_TIMEOUT": written.strip('"')}
    )
    assert from_environment.get("session_idle_timeout") == expected


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ('"30 minutes"', 'such as "PT30M"'),
        ('"30m"', 'such as "PT30M"'),
        ('"pt30m"', 'such as "PT30M"'),
        ('"PT"', 'such as "PT30M"'),
        ('"P"', 'such as "PT30M"'),
        ('"-PT5M"', 'such as "PT30M"'),
        ('"P1M"', "years or months"),
        ('"P1Y"', "years or months"),
        ("-60", "whole seconds (such as 1800)"),
        ("1.5", "whole seconds (such as 1800)"),
        ("true", "whole seconds (such as 1800)"),
        ("00:30:00", "whole seconds (such as 1800)"),
        ("0", "session_idle_timeout must be positive"),
        ("99999999999999999999", "too long"),
    ],
)
def test_a_bad_duration_names_the_setting_and_the_form(
    tmp_path: Path, written: str, message: str
) -> None:
    text = refused(tmp_path, f"session_idle_timeout = {written}\n")
    assert "session_idle_timeout" in text
    assert message in text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('colour = "blue"\n', "unknown setting 'colour'"),
        (
            "sesion_lifetime = 60\n",
            "unknown setting 'sesion_lifetime'; did you mean 'session_lifetime'?",
        ),
        ("[smpt]\nhost = 'x'\n", "unknown setting 'smpt'; did you mean 'smtp'?"),
        ("[smtp]\nhots = 'x'\n", "did you mean '[smtp] host'?"),
        ("[password_policy]\nmin_lenght = 14\n", "did you mean '[password_policy] min_length'?"),
        ("smtp = 'mail.example.nl'\n", "smtp must be a table"),
        ("smtp_host = 'a'\n[smtp]\nhost = 'b'\n", "'[smtp] host' and 'smtp_host' are the same"),
        (
            "[[trajectory_types]]\ncode = 'X'\nname = 'Y'\nsesions = 4\n",
            "trajectory_types[0].sessions is missing; "
            "trajectory_types[0] has unknown keys: sesions",
        ),
        (
            "[[trajectory_types]]\ncode = 'X'\nname = 'Y'\nsessions = '4'\n",
            "trajectory_types[0].sessions must be a whole number",
        ),
        (
            "[[trajectory_types]]\ncode = 'X'\nname = 'Y'\nsessions = 0\n",
            "trajectory_types[0].sessions must be positive",
        ),
        (
            "[[trajectory_types]]\ncode = 'X'\nname = 'Y'\nsessions = 4\n"
            "[[trajectory_types]]\ncode = 'X'\nname = 'Z'\nsessions = 5\n",
            "trajectory_types[1].code 'X' is used twice",
        ),
        ("trajectory_types = ['X']\n", "trajectory_types[0] must be a table"),
        ("trajectory_types = []\n", "Length of 'trajectory_types' must be >= 1"),
        ("themes = ['werkdruk']\n", "themes[0] must be a table"),
        ("[[themes]]\ncode = 'werkdruk'\n", "themes[0].name is missing"),
        (
            "[[themes]]\ncode = 'Werk Druk'\nname = 'Werkdruk'\n",
            "themes[0].code must be lower-case",
        ),
        (
            "[[themes]]\ncode = 'werkdruk'\nname = 'Werkdruk'\n"
            "[[themes]]\ncode = 'druk'\nname = 'WERKDRUK'\n",
            "themes[1] is named 'werkdruk' as themes[0] is",
        ),
        ("themes = []\n", "Length of 'themes' must be >= 1"),
        ("cancellation_notice = 'P15D'\n", "cancellation_notice must be between 0 and 14 days"),
        ("cancellation_notice = 90\n", "cancellation_notice must be whole minutes"),
        ("no_shows_count = 'ja'\n", "no_shows_count must be true or false"),
        ("registration_types = 'OnzeCoach'\n", "registration_types must be a list of text"),
        ("registration_types = ['OnzeCoach', 3]\n", "registration_types[1] must be text"),
        ("registration_types = ['OnzeCoach', ' ']\n", "registration_types must hold non-empty"),
        ("privacy_min_group = '5'\n", "privacy_min_group must be a whole number, got '5'"),
        ("privacy_min_group = true\n", "privacy_min_group must be a whole number"),
        ("privacy_min_group = 0\n", "privacy_min_group must be positive"),
        (
            "[password_policy]\nforbid_common = 'no'\n",
            "[password_policy] forbid_common must be true or false",
        ),
        ("[password_policy]\nmin_length = 300\n", "password_policy: min_length must not exceed"),
        ("password_hashing = 'fast'\n", 'must be a profile name: "rfc_9106_low_memory" or'),
        ("password_hashing = 'cheapest'\n", "the cheapest password hashing is for tests only"),
        ("base_url = 'portaal.example.nl'\n", "base_url must be an absolute http(s) URL"),
        ("mail_from = 'OnzeCoach <a@b.nl>'\n", "mail_from must be a bare e-mail address"),
        ("base_url = \n", "is not valid TOML"),
    ],
)
def test_a_bad_file_is_refused_naming_the_key(tmp_path: Path, text: str, message: str) -> None:
    found = refused(tmp_path, text)
    assert message in found
    assert str(tmp_path / "onzecoach.toml") in found


def test_a_file_that_cannot_be_read_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="cannot read the configuration file"):
        read_configuration(tmp_path / "nope.toml", {})


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        (
            "ONZECOACH_PRIVACY_MIN_GROUP",
            "five",
            "ONZECOACH_PRIVACY_MIN_GROUP must be a whole number",
        ),
        ("ONZECOACH_SESSION_LIFETIME", "soon", "ONZECOACH_SESSION_LIFETIME must be a duration"),
        ("ONZECOACH_PASSWORD_POLICY_FORBID_COMMON", "maybe", "must be true or false"),
        ("ONZECOACH_TRAJECTORY_TYPES", "ONC-IND-4", "ONZECOACH_TRAJECTORY_TYPES must be an array"),
        (
            "ONZECOACH_TRAJECTORY_TYPES",
            '[{code = "X", name = "Y"}]',
            "ONZECOACH_TRAJECTORY_TYPES: trajectory_types[0].sessions is missing",
        ),
        ("ONZECOACH_PASSWORD_HASHING", "cheapest", "for tests only"),
        ("ONZECOACH_BASE_URL", "ftp://x.nl", "ONZECOACH_BASE_URL: base_url must be an absolute"),
        ("ONZECOACH_SESION_LIFETIME", "PT1H", "did you mean ONZECOACH_SESSION_LIFETIME?"),
        ("ONZECOACH_SECRETKEY", "x", "did you mean ONZECOACH_SECRET_KEY?"),
    ],
)
def test_a_bad_variable_is_refused_naming_it(variable: str, value: str, message: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        read_configuration(None, {variable: value})
    assert message in str(caught.value)


def test_other_onzecoach_variables_are_left_alone() -> None:
    environ = {
        "ONZECOACH_TEST_POSTGRES_URL": "postgresql://x",
        "ONZECOACH_REQUIRE_BROWSER": "1",
        "ONZECOACH_CHROMIUM": "/usr/bin/chromium",
        "OTHER": "x",
    }
    assert read_configuration(None, environ).values == {}


@pytest.mark.parametrize(
    ("text", "environ"),
    [
        ("secret_key = 'smtp-geheim-smtp-geheim'\n", {}),
        ("secret_key = 12345\n", {}),
        ("[smtp]\npassword = 12345\n", {}),
        ("", {"ONZECOACH_SECRET_KEY": "yubico-geheim-" * 3}),
        (
            "",
            {"ONZECOACH_OLD_SECRET_KEYS": "sms-geheim,,"} | {"ONZECOACH_SECRET_KEY": "sms-geheim"},
        ),
        ("old_secret_keys = ['sms-geheim', 3]\n", {}),
        ("old_secret_keys = 'sms-geheim'\n", {}),
    ],
)
def test_no_error_shows_a_secret(tmp_path: Path, text: str, environ: dict[str, str]) -> None:
    message = refused(tmp_path, text, environ)
    assert "secret_key" in message or "password" in message
    for secret in (*SECRETS, "12345"):
        assert secret not in message
    assert "geheim" not in message


def test_the_cheapest_hashing_is_for_tests_that_ask_for_it() -> None:
    environ = {
        "ONZECOACH_BASE_URL": "https://a.example.nl",
        "ONZECOACH_SECRET_KEY": TEST_SECRET_KEY,
        "ONZECOACH_PASSWORD_HASHING": "cheapest",
    }
    settings = load_settings(None, environ, allow_cheapest_hashing=True)
    assert settings.password_hashing == CHEAPEST


def test_every_key_says_how_it_is_written_and_its_default() -> None:
    keys: dict[str, Any] = {key.name: key for key in CONFIGURATION_KEYS}
    assert keys["smtp_host"].written == "[smtp] host"
    assert keys["smtp_host"].env == "ONZECOACH_SMTP_HOST"
    assert keys["password_policy_min_length"].written == "[password_policy] min_length"
    assert keys["session_idle_timeout"].default_text == '"PT30M"'
    assert keys["invitation_lifetime"].default_text == '"P7D"'
    assert keys["sms_resend_cooldown"].default_text == '"PT1M"'
    assert keys["password_hashing"].default_text == '"rfc_9106_low_memory"'
    assert keys["old_secret_keys"].default_text == "[]"
    assert keys["base_url"].default_text == "required"
    assert keys["database_url"].default_text == "not set"
    assert keys["trajectory_types"].default_text == "ONC-IND-4, ONC-IND-5, ONC-VERL-1"
    assert {key.name for key in CONFIGURATION_KEYS if key.secret} == {
        "secret_key",
        "old_secret_keys",
        "smtp_password",
        "sms_token",
        "yubico_secret",
    }
    # Every Settings field is read: password_policy as one key per rule.
    fields = {key.field for key in CONFIGURATION_KEYS if key.field}
    assert fields == {field.name for field in attrs.fields(Settings)}


def test_a_configuration_can_be_made_directly() -> None:
    configuration = Configuration({"privacy_min_group": 4})
    assert (
        configuration.settings(
            base_url="https://a.example.nl", secret_key=TEST_SECRET_KEY
        ).privacy_min_group
        == 4
    )
