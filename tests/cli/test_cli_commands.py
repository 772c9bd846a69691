"""The ``onzecoach`` command through click's CliRunner, on an SQLite file per test.

Each command: its happy path, a bad configuration (exit 2, naming the setting), an
onzecoach error (exit 1, the Dutch message), and ``--help`` on every command and group.
Every command gets every setting of the configuration: a file's ``privacy_min_group``
reaches ``stats export``, its ``registration_types`` the import.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import click
import pyotp
import pytest

from cli_support import Env, register, run
from onzecoach import Actor, Portal, Role
from onzecoach.actors import SERVICE_DESK
from onzecoach.adapters.caldav import CaldavConnector
from onzecoach.cli import EXIT_FAILED, EXIT_OK, EXIT_REFUSED_ROWS, EXIT_USAGE, cli
from onzecoach.cli._config import ConfigError, load
from onzecoach.clock import SystemClock
from onzecoach.notifications import OutboxStatus
from onzecoach.testing import FrozenClock, RecordingMailer, event_ics
from radicale_server import RadicaleServer
from support import NEW_SECRET_KEY, OTHER_SECRET_KEY, TEST_SECRET_KEY


@pytest.fixture
def database(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'portal.db'}"


def every_command(group: click.Group, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    yield path
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from every_command(command, (*path, name))
        else:
            yield (*path, name)


# --help ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", list(every_command(cli)), ids=" ".join)
def test_help_on_every_command_and_group_needs_no_configuration(path: tuple[str, ...]) -> None:
    result = run({}, *path, "--help")
    assert result.exit_code == EXIT_OK, result.output
    assert result.output.startswith("Usage: ")


def test_the_commands_of_the_issue_are_all_there() -> None:
    assert set(every_command(cli)) >= {
        ("db", "upgrade"),
        ("db", "backup"),
        ("employer", "create"),
        ("department", "add"),
        ("user", "invite"),
        ("user", "reset-mfa"),
        ("employees", "import"),
        ("outbox", "run"),
        ("stats", "export"),
        ("stats", "rebuild"),
        ("search", "rebuild"),
        ("keys", "reseal"),
        ("coaches", "pull-calendars"),
        ("privacy", "reapply"),
        ("privacy", "purge"),
    }


def test_the_installed_command_has_no_demo() -> None:
    """Demo data comes from the reference web app (python -m flask_portal seed), which the
    installed package does not contain."""
    assert "demo" not in cli.commands
    assert run({}, "demo", "seed").exit_code == EXIT_USAGE


# configuration ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "missing", ["ONZECOACH_DATABASE_URL", "ONZECOACH_BASE_URL", "ONZECOACH_SECRET_KEY"]
)
def test_a_missing_setting_exits_2_naming_it(env: Env, missing: str) -> None:
    del env[missing]
    result = run(env, "employer", "create", "Voorbeeld B.V.")
    assert result.exit_code == EXIT_USAGE
    assert missing in result.stderr
    assert "Traceback" not in result.output


def test_db_upgrade_needs_only_the_database_url(database: str) -> None:
    result = run({"ONZECOACH_DATABASE_URL": database}, "db", "upgrade")
    assert result.exit_code == EXIT_OK, result.output
    assert "0017" in result.stdout
    assert run({}, "db", "upgrade").exit_code == EXIT_USAGE


@pytest.mark.parametrize(
    ("variable", "value", "named"),
    [
        ("ONZECOACH_SECRET_KEY", "too-short-but-secret", "secret_key"),
        ("ONZECOACH_SECRET_KEY", "s" * 40, "secrets.token_urlsafe(32)"),
        ("ONZECOACH_SESSION_LIFETIME", "twelve hours", "ONZECOACH_SESSION_LIFETIME"),
        ("ONZECOACH_SESION_LIFETIME", "PT12H", "did you mean ONZECOACH_SESSION_LIFETIME"),
        ("ONZECOACH_BASE_URL", "portaal.example.nl", "base_url"),
        ("ONZECOACH_SMTP_PORT", "twenty-five", "ONZECOACH_SMTP_PORT"),
        ("ONZECOACH_SMTP_SECURITY", "maybe", "security"),
        ("ONZECOACH_DATABASE_URL", "mysql://root:hunter2@db/portal", "database_url"),
        ("ONZECOACH_YUBICO_CLIENT_ID", "12345", "yubico_secret"),
    ],
)
def test_a_malformed_setting_exits_2_naming_it_without_its_secret(
    portal: Portal, env: Env, variable: str, value: str, named: str
) -> None:
    env[variable] = value
    env.setdefault("ONZECOACH_SMTP_HOST", "127.0.0.1")
    result = run(env, "employer", "create", "Voorbeeld B.V.")
    assert result.exit_code == EXIT_USAGE
    assert named in result.stderr
    for secret in ("too-short-but-secret", "hunter2", "s" * 40, TEST_SECRET_KEY):
        assert secret not in result.output


def test_the_file_is_read_and_the_environment_overrides_it(tmp_path: Path, database: str) -> None:
    path = tmp_path / "onzecoach.toml"
    path.write_text(
        f'database_url = "{database}"\n'
        'base_url = "https://file.example.nl"\n'
        f'secret_key = "{TEST_SECRET_KEY}"\n'
        'old_secret_keys = ["' + "o" * 32 + '"]\n'
        "[smtp]\n"
        'host = "mail.example.nl"\n'
        "port = 587\n"
        'password = "smtp-secret"\n'
    )
    config = load(path, {"ONZECOACH_BASE_URL": "https://env.example.nl", "OTHER": "x"})
    assert config.configuration.get("base_url") == "https://env.example.nl"
    assert config.configuration.get("smtp_host") == "mail.example.nl"
    assert config.configuration.get("smtp_port") == 587
    # An old key is not checked for strength: a weak one can still be rotated out.
    assert config.settings().old_secret_keys == ("o" * 32,)
    assert config.settings().base_url == "https://env.example.nl"
    assert "smtp-secret" not in repr(config)
    assert TEST_SECRET_KEY not in repr(config)
    from_env = load(None, {"ONZECOACH_OLD_SECRET_KEYS": "a, b,"})
    assert from_env.configuration.get("old_secret_keys") == ("a", "b")


def test_a_command_runs_on_the_file_alone(tmp_path: Path, database: str) -> None:
    path = tmp_path / "onzecoach.toml"
    path.write_text(
        f'database_url = "{database}"\n'
        'base_url = "https://portaal.example.nl"\n'
        f'secret_key = "{TEST_SECRET_KEY}"\n'
    )
    assert run({}, "--config", str(path), "db", "upgrade").exit_code == EXIT_OK
    result = run({"ONZECOACH_CONFIG": str(path)}, "employer", "create", "Voorbeeld B.V.")
    assert result.exit_code == EXIT_OK, result.output
    assert len(result.stdout.strip()) == 32


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('database_url = "x"\ncolour = "blue"\n', "unknown setting 'colour'"),
        ("smtp_port = '25'\n", "smtp_port must be a whole number"),
        ("[smtp]\nport = '25'\n", "[smtp] port must be a whole number"),
        ("[smtp]\nhots = 'x'\n", "unknown setting '[smtp] hots'; did you mean '[smtp] host'?"),
        ("privacy_min_group = 0\n", "privacy_min_group must be positive"),
        ("session_lifetime = '12h'\n", "session_lifetime must be a duration"),
        ("password_hashing = 'cheapest'\n", "for tests only"),
        ("base_url = \n", "not valid TOML"),
    ],
)
def test_a_bad_file_exits_2(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "onzecoach.toml"
    path.write_text(text)
    result = run({}, "--config", str(path), "employer", "create", "X")
    assert result.exit_code == EXIT_USAGE
    assert message in result.stderr
    with pytest.raises(ConfigError):
        load(path, {})


def test_a_config_file_that_does_not_exist_is_a_usage_error(tmp_path: Path) -> None:
    result = run({}, "--config", str(tmp_path / "nope.toml"), "db", "upgrade")
    assert result.exit_code == EXIT_USAGE


# employer, department --------------------------------------------------------------------


def test_employer_create_and_department_add_print_the_ids(portal: Portal, env: Env) -> None:
    created = run(env, "employer", "create", "Voorbeeld B.V.")
    assert created.exit_code == EXIT_OK, created.output
    employer_id = created.stdout.strip()
    assert portal.admin.employer(SERVICE_DESK, employer_id).name == "Voorbeeld B.V."
    added = run(env, "department", "add", employer_id, "Financiën")
    assert added.exit_code == EXIT_OK, added.output
    assert [d.id for d in portal.admin.departments(SERVICE_DESK, employer_id)] == [
        added.stdout.strip()
    ]


def test_a_validation_error_exits_1_naming_the_field_in_dutch(portal: Portal, env: Env) -> None:
    result = run(env, "employer", "create", "  ")
    assert result.exit_code == EXIT_FAILED
    assert result.stderr.startswith("name: ")
    assert "Traceback" not in result.output


def test_an_unknown_employer_exits_1_with_the_dutch_message(portal: Portal, env: Env) -> None:
    result = run(env, "department", "add", "no-such-employer", "ICT")
    assert result.exit_code == EXIT_FAILED
    assert "Werkgever niet gevonden." in result.stderr


# user ------------------------------------------------------------------------------------


def test_user_invite_queues_the_mail_and_prints_the_user_id(portal: Portal, env: Env) -> None:
    employer = portal.admin.create_employer(SERVICE_DESK, "Voorbeeld B.V.")
    result = run(
        env, "user", "invite", employer.id, "--email", "hr@voorbeeld.nl", "--username", "hr.vb"
    )
    assert result.exit_code == EXIT_OK, result.output
    [user] = portal.admin.users(SERVICE_DESK, employer.id)
    assert result.stdout.strip() == user.id
    [queued] = portal.outbox.messages(SERVICE_DESK, kind=None)
    assert queued.status is OutboxStatus.PENDING
    desk = run(
        env, "user", "invite", "--service-desk", "--email", "sd@onzecoach.nl", "--username", "sd1"
    )
    assert desk.exit_code == EXIT_OK, desk.output


def test_user_invite_refuses_a_taken_username(portal: Portal, env: Env) -> None:
    employer = portal.admin.create_employer(SERVICE_DESK, "Voorbeeld B.V.")
    args = ("user", "invite", employer.id, "--email", "hr@voorbeeld.nl", "--username", "hr.vb")
    assert run(env, *args).exit_code == EXIT_OK
    again = run(env, *args)
    assert again.exit_code == EXIT_FAILED
    assert again.stderr.strip()


@pytest.mark.parametrize("extra", [(), ("some-employer", "--service-desk")])
def test_user_invite_wants_an_employer_or_the_service_desk(env: Env, extra: tuple[str]) -> None:
    result = run(env, "user", "invite", *extra, "--email", "a@b.nl", "--username", "ab")
    assert result.exit_code == EXIT_USAGE
    assert "--service-desk" in result.stderr


def test_user_reset_mfa(portal: Portal, env: Env) -> None:
    employer = portal.admin.create_employer(SERVICE_DESK, "Voorbeeld B.V.")
    invitation = portal.admin.invite_user(
        SERVICE_DESK, employer.id, email="hr@voorbeeld.nl", username="hr.vb"
    )
    result = run(env, "user", "reset-mfa", invitation.user_id)
    assert result.exit_code == EXIT_OK, result.output
    unknown = run(env, "user", "reset-mfa", "no-such-user")
    assert unknown.exit_code == EXIT_FAILED
    assert "Gebruiker niet gevonden." in unknown.stderr


# employees import ------------------------------------------------------------------------

HEADER = "employee_number;last_name;given_name;initials;gender;birth_date;email\n"
GOOD = "1001;Jansen;Anna;A.;female;1985-04-12;anna@voorbeeld.nl\n"
BAD = "1002;;Piet;P.;robot;1990-01-01;geen-mail\n"


def test_employees_import_reports_refused_rows_with_exit_3(
    portal: Portal, env: Env, tmp_path: Path
) -> None:
    employer = portal.admin.create_employer(SERVICE_DESK, "Voorbeeld B.V.")
    path = tmp_path / "medewerkers.csv"
    path.write_text(HEADER + GOOD + BAD)
    result = run(env, "employees", "import", str(path), "--employer-id", employer.id)
    assert result.exit_code == EXIT_REFUSED_ROWS, result.output
    assert "created" in result.stdout
    for field in ("last_name", "gender", "email"):
        assert field in result.stdout
    # The good row went in.
    again = run(env, "employees", "import", str(path), "--employer-id", employer.id)
    assert again.exit_code == EXIT_REFUSED_ROWS
    assert "unchanged" in again.stdout


def test_employees_import_dry_run_saves_nothing(portal: Portal, env: Env, tmp_path: Path) -> None:
    employer = portal.admin.create_employer(SERVICE_DESK, "Voorbeeld B.V.")
    path = tmp_path / "medewerkers.csv"
    path.write_text(HEADER + GOOD)
    args = ("employees", "import", str(path), "--employer-id", employer.id, "--batch-size", "1")
    dry = run(env, *args, "--dry-run")
    assert dry.exit_code == EXIT_OK, dry.output
    assert "nothing was saved" in dry.stdout
    real = run(env, *args)
    assert real.exit_code == EXIT_OK, real.output
    second = run(env, *args, "--dry-run")
    assert "unchanged" in second.stdout


def test_employees_import_lists_what_would_change_field_by_field(
    portal: Portal, env: Env, tmp_path: Path
) -> None:
    employer = portal.admin.create_employer(SERVICE_DESK, "Voorbeeld B.V.")
    path = tmp_path / "medewerkers.csv"
    path.write_text(HEADER + GOOD)
    args = ("employees", "import", str(path), "--employer-id", employer.id)
    first = run(env, *args)
    assert "Rows that changed (1 of 1)" in first.stdout
    assert "created" in first.stdout
    path.write_text(HEADER + GOOD.replace("Jansen", "Jansen-Smit") + GOOD.replace("1001", "1003"))
    dry = run(env, *args, "--dry-run")
    assert "Rows that would change (2 of 2)" in dry.stdout
    assert "last_name: 'Jansen' -> 'Jansen-Smit'" in dry.stdout
    assert (
        "Rows that would change" not in run(env, *args, "--dry-run", "--show-changes", "0").stdout
    )
    hr = Actor(user_id="hr", employer_id=employer.id, role=Role.HR)
    (hit,) = portal.search.employees(hr, "jansen").hits
    assert hit.display_name == "Jansen, A. (Anna)"  # the dry runs saved nothing


def test_employees_import_of_an_unusable_file_exits_1(
    portal: Portal, env: Env, tmp_path: Path
) -> None:
    employer = portal.admin.create_employer(SERVICE_DESK, "Voorbeeld B.V.")
    path = tmp_path / "medewerkers.csv"
    path.write_text("kleur;smaak\nrood;zoet\n")
    result = run(env, "employees", "import", str(path), "--employer-id", employer.id)
    assert result.exit_code == EXIT_FAILED
    unknown = run(env, "employees", "import", str(path), "--employer-id", "nope")
    assert unknown.exit_code == EXIT_FAILED
    assert "Werkgever niet gevonden." in unknown.stderr


# outbox run ------------------------------------------------------------------------------


def test_outbox_run_once_sends_what_is_due_and_exits_0(portal: Portal, env: Env) -> None:
    employer = portal.admin.create_employer(SERVICE_DESK, "Voorbeeld B.V.")
    portal.admin.invite_user(SERVICE_DESK, employer.id, email="hr@voorbeeld.nl", username="hr.vb")
    # No SMTP configured: the mail is printed on the console.
    result = run(env, "outbox", "run", "--once")
    assert result.exit_code == EXIT_OK, result.output
    assert "hr@voorbeeld.nl" in result.stdout
    assert "Sent 1" in result.stderr
    [message] = portal.outbox.messages(SERVICE_DESK)
    assert message.status is OutboxStatus.SENT


# stats -----------------------------------------------------------------------------------


@pytest.mark.parametrize("format_", ["csv", "xlsx"])
def test_stats_export_writes_the_file(
    portal: Portal, env: Env, tmp_path: Path, format_: str
) -> None:
    employer = portal.admin.create_employer(SERVICE_DESK, "Voorbeeld B.V.")
    out = tmp_path / f"stats.{format_}"
    result = run(
        env,
        "stats",
        "export",
        "--employer-id",
        employer.id,
        "--from",
        "2026-01",
        "--to",
        "2026-06",
        "--format",
        format_,
        "-o",
        str(out),
    )
    assert result.exit_code == EXIT_OK, result.output
    expected = portal.stats.export(
        SERVICE_DESK,
        format=format_,  # type: ignore[arg-type]
        start=date(2026, 1, 1),
        end=date(2026, 6, 1),
        employer_id=employer.id,
    )
    if format_ == "csv":
        assert out.read_bytes() == expected
    else:
        assert out.read_bytes()[:2] == b"PK"


def test_stats_export_to_stdout_and_its_errors(portal: Portal, env: Env) -> None:
    ok = run(env, "stats", "export", "--from", "2026-01", "--to", "2026-02")
    assert ok.exit_code == EXIT_OK, ok.output
    assert "Alle werkgevers" in ok.stdout
    bad_month = run(env, "stats", "export", "--from", "2026-13", "--to", "2026-02")
    assert bad_month.exit_code == EXIT_USAGE
    assert "YYYY-MM" in bad_month.stderr
    backwards = run(env, "stats", "export", "--from", "2026-05", "--to", "2026-02")
    assert backwards.exit_code == EXIT_FAILED
    unknown = run(
        env, "stats", "export", "--employer-id", "x", "--from", "2026-01", "--to", "2026-02"
    )
    assert unknown.exit_code == EXIT_FAILED
    assert "niet gevonden" in unknown.stderr


def test_stats_rebuild(portal: Portal, env: Env) -> None:
    employer = portal.admin.create_employer(SERVICE_DESK, "Voorbeeld B.V.")
    portal.admin.create_employer(SERVICE_DESK, "Ander B.V.")
    assert "2 employer(s)" in run(env, "stats", "rebuild").stdout
    one = run(env, "stats", "rebuild", "--employer-id", employer.id)
    assert one.exit_code == EXIT_OK
    assert "1 employer(s)" in one.stdout
    unknown = run(env, "stats", "rebuild", "--employer-id", "nope")
    assert unknown.exit_code == EXIT_FAILED
    assert "Werkgever niet gevonden." in unknown.stderr


def test_privacy_reapply_erases_again_what_a_restore_brought_back(portal: Portal, env: Env) -> None:
    employer = portal.admin.create_employer(SERVICE_DESK, "Voorbeeld B.V.")
    hr = Actor(user_id="hr", employer_id=employer.id, role=Role.HR)
    employee = register(portal, hr, "Berg")
    portal.privacy.erase(hr, employee.id, "Verzoek")
    assert "Erased again: 0 employee(s)." in run(env, "privacy", "reapply").stdout
    with portal.storage.unit_of_work() as uow:  # the row as an older backup has it
        uow.employees.save(employee)
        uow.commit()
    done = run(env, "privacy", "reapply")
    assert done.exit_code == EXIT_OK
    assert "Erased again: 1 employee(s)." in done.stdout
    with portal.storage.unit_of_work() as uow:
        erased = uow.employees.get(employee.id)
    assert erased is not None
    assert erased.is_erased
    assert erased.email == ""


def test_search_rebuild_indexes_the_employees_again(portal: Portal, env: Env) -> None:
    employer = portal.admin.create_employer(SERVICE_DESK, "Voorbeeld B.V.")
    hr = Actor(user_id="hr", employer_id=employer.id, role=Role.HR)
    for last in ("Berg", "Bergen"):
        register(portal, hr, last)
    with portal.storage.unit_of_work() as uow:
        uow.search.clear(employer.id)  # as after an upgrade to revision 0005
        uow.commit()
    assert portal.search.employees(hr, "ber").total == 0
    done = run(env, "search", "rebuild")
    assert done.exit_code == EXIT_OK
    assert "Indexed 2 employee(s)." in done.stdout
    assert portal.search.employees(hr, "ber").total == 2
    unknown = run(env, "search", "rebuild", "--employer-id", "nope")
    assert unknown.exit_code == EXIT_FAILED
    assert "Werkgever niet gevonden." in unknown.stderr


def test_keys_reseal_seals_app_secrets_again_under_the_new_key(portal: Portal, env: Env) -> None:
    employer = portal.admin.create_employer(SERVICE_DESK, "Sleutel B.V.")
    portal.admin.invite_user(SERVICE_DESK, employer.id, email="s@example.nl", username="sleutel.hr")
    mailer = RecordingMailer()
    Portal(storage=portal.storage, mailer=mailer, settings=portal.settings).outbox.dispatch_due()
    body = mailer.sent[-1].get_body(("plain",))
    assert body is not None
    link = re.search(r"/registreren/(\S+)", body.get_content())
    assert link is not None
    enrollment = portal.accounts.register(link.group(1), "Koffie-Met-Melk-2026")
    setup = portal.mfa.begin_totp(enrollment.token)
    portal.mfa.confirm_totp(enrollment.token, pyotp.TOTP(setup.secret).now())
    rotated = {
        **env,
        "ONZECOACH_SECRET_KEY": NEW_SECRET_KEY,
        "ONZECOACH_OLD_SECRET_KEYS": TEST_SECRET_KEY,
    }
    portal.admin.invite_user(
        SERVICE_DESK, employer.id, email="t@example.nl", username="tweede.hr"
    )  # queued
    done = run(rotated, "keys", "reseal")
    assert done.exit_code == EXIT_OK
    assert sealed(done.stdout) == {
        "app secret(s)": 1,
        "unsent message(s)": 1,
        "calendar password(s)": 0,
        "coach's note(s)": 0,
    }
    again = run(rotated, "keys", "reseal")
    assert set(sealed(again.stdout).values()) == {0}
    lost = {**env, "ONZECOACH_SECRET_KEY": OTHER_SECRET_KEY}
    warned = run(lost, "keys", "reseal")  # the key that sealed them is not configured
    assert warned.exit_code == EXIT_OK
    assert "Let op: 1 app secret(s) open with no configured key" in warned.stderr
    assert "Let op: 1 unsent message(s) open with no configured key" in warned.stderr


def test_coaches_pull_calendars_reads_a_real_calendar_and_keys_reseal_its_password(
    portal: Portal, env: Env, tmp_path: Path
) -> None:
    coach = portal.coaches.invite(
        SERVICE_DESK,
        email="bas@example.nl",
        username="coach.bas",
        name="Bas Mulder",
        video_url="https://video.example.nl/bas",
    )
    linking = Portal(
        storage=portal.storage,
        mailer=RecordingMailer(),
        settings=portal.settings,
        calendars=CaldavConnector(timeout=5),
    )
    (tmp_path / "radicale").mkdir()
    with RadicaleServer(tmp_path / "radicale") as server:
        account = server.add_calendar("bas", "Radicale-Wachtwoord-1")
        linking.coaches.link_calendar(
            SERVICE_DESK, coach.id, account.url, account.username, account.password
        )
        # The command runs on the system clock.
        start = SystemClock().now().replace(microsecond=0) + timedelta(days=2)
        server.put_raw(
            account, "bezet.ics", event_ics("bezet@ex", start, start + timedelta(hours=1))
        )
        pulled = run(env, "coaches", "pull-calendars", "--once")
        assert pulled.exit_code == EXIT_OK, pulled.output
        assert "Pulled 1 calendar(s): 1 busy time(s), 0 failed." in pulled.stderr

        rotated = {
            **env,
            "ONZECOACH_SECRET_KEY": NEW_SECRET_KEY,
            "ONZECOACH_OLD_SECRET_KEYS": TEST_SECRET_KEY,
        }
        done = run(rotated, "keys", "reseal")
        assert sealed(done.stdout)["calendar password(s)"] == 1
        # The old key is no longer needed for the calendar.
        only_new = {**env, "ONZECOACH_SECRET_KEY": NEW_SECRET_KEY}
        again = run(only_new, "coaches", "pull-calendars", "--once")
        assert "1 busy time(s), 0 failed." in again.stderr
        lost = run({**env, "ONZECOACH_SECRET_KEY": OTHER_SECRET_KEY}, "keys", "reseal")
        assert "Let op: 1 calendar password(s) open with no configured key" in lost.stderr


def sealed(output: str) -> dict[str, int]:
    """What ``keys reseal`` says it sealed again, by kind."""
    assert output.startswith("Sealed again under the current key:"), output
    counts = [line.strip().split(" ", 1) for line in output.splitlines()[1:] if line.strip()]
    return {what: int(count) for count, what in counts}


# every setting reaches every command -----------------------------------------------------


def config_file(tmp_path: Path, database: str, extra: str = "") -> Path:
    path = tmp_path / "onzecoach.toml"
    path.write_text(
        f'database_url = "{database}"\n'
        'base_url = "https://portaal.example.nl"\n'
        f'secret_key = "{TEST_SECRET_KEY}"\n' + extra
    )
    return path


def themed_sessions(portal: Portal, people: int) -> str:
    """An employer whose ``people`` employees each held a session on "Werkdruk" in March 2026."""
    clock = FrozenClock(datetime(2026, 3, 2, 9, tzinfo=UTC))
    setup = Portal(
        storage=portal.storage, mailer=RecordingMailer(), clock=clock, settings=portal.settings
    )
    employer = setup.admin.create_employer(SERVICE_DESK, "Thema B.V.")
    hr = Actor(user_id="hr", employer_id=employer.id, role=Role.HR)
    started = []
    for name in ["Berg", "Dijk", "Smit", "Visser", "Mulder"][:people]:
        employee = register(setup, hr, name, email=f"{name.lower()}@example.nl")
        started.append(
            setup.trajectories.start(
                hr, employee.id, type_code="ONC-IND-4", start_date=date(2026, 3, 2)
            )
        )
    clock.advance(timedelta(days=7))
    for number, trajectory in enumerate(started):
        setup.trajectories.record_appointment(
            SERVICE_DESK,
            trajectory.id,
            external_id=f"thema-{number}",
            starts_at=datetime(2026, 3, 5, 10, tzinfo=UTC),
            status="held",
            mode="live",
            theme="Werkdruk",
        )
    return employer.id


@pytest.mark.parametrize("people", [3, 4])
def test_stats_export_honours_privacy_min_group_from_the_file(
    portal: Portal, env: Env, tmp_path: Path, database: str, people: int
) -> None:
    employer_id = themed_sessions(portal, people)
    args = ("stats", "export", "--employer-id", employer_id, "--from", "2026-03", "--to", "2026-03")
    default = run(env, *args)
    assert default.exit_code == EXIT_OK, default.output
    assert f"Werkdruk: {people}" in default.stdout
    path = config_file(tmp_path, database, "privacy_min_group = 5\n")
    stricter = run({}, "--config", str(path), *args)
    assert stricter.exit_code == EXIT_OK, stricter.output
    assert "Werkdruk" not in stricter.stdout
    assert "minstens 5 werknemers" in stricter.stdout


def test_employees_import_honours_registration_types_from_the_file(
    portal: Portal, env: Env, tmp_path: Path, database: str
) -> None:
    employer = portal.admin.create_employer(SERVICE_DESK, "Voorbeeld B.V.")
    csv = tmp_path / "medewerkers.csv"
    csv.write_text(
        HEADER.replace("\n", ";registration_type\n") + GOOD.replace("\n", ";Werkgeversregeling\n")
    )
    args = ("employees", "import", str(csv), "--employer-id", employer.id)
    refused = run(env, *args)
    assert refused.exit_code == EXIT_REFUSED_ROWS, refused.output
    assert "registration_type" in refused.stdout
    path = config_file(
        tmp_path, database, 'registration_types = ["OnzeCoach", "Werkgeversregeling"]\n'
    )
    accepted = run({}, "--config", str(path), *args)
    assert accepted.exit_code == EXIT_OK, accepted.output
    hr = Actor(user_id="hr", employer_id=employer.id, role=Role.HR)
    (hit,) = portal.search.employees(hr, "jansen").hits
    dossier = portal.employees.dossier(hr, hit.employee_id)
    assert dossier.employee.registration_type == "Werkgeversregeling"


def test_outbox_run_claims_the_configured_batch_size(portal: Portal, env: Env) -> None:
    employer = portal.admin.create_employer(SERVICE_DESK, "Voorbeeld B.V.")
    for number in range(3):
        portal.admin.invite_user(
            SERVICE_DESK, employer.id, email=f"hr{number}@voorbeeld.nl", username=f"hr.vb{number}"
        )
    result = run({**env, "ONZECOACH_OUTBOX_BATCH_SIZE": "2"}, "outbox", "run", "--once")
    assert result.exit_code == EXIT_OK, result.output
    assert "Sent 2 (2 in all)" in result.stderr
    assert "Sent 1 (3 in all)" in result.stderr
