"""The demo of ``make demo``: its data is made through the SDK, its logins work, it starts
with no configuration, takes the configuration's settings, and seeds a database on its own."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import urllib.request
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask_portal import create_app
from flask_portal.__main__ import main as demo_main
from flask_portal.__main__ import public_host, settings_for
from flask_portal.demo import seed

from onzecoach import Portal
from onzecoach.actors import SERVICE_DESK
from onzecoach.adapters.memory import MemoryStorage
from onzecoach.adapters.sql import SqlStorage
from onzecoach.configuration import read_configuration
from onzecoach.testing import RecordingMailer, RecordingSms
from support import TEST_SECRET_KEY, make_settings
from web.conftest import post

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_a_printed_demo_login_reaches_home_through_its_second_factor() -> None:
    storage, settings = MemoryStorage(), make_settings(base_url="http://localhost")
    logins = seed(storage, settings, employees=60, appointments=400, today=date(2026, 3, 2))
    assert {login.role for login in logins} == {"HR", "servicebureau", "coach"}
    sms = RecordingSms()
    portal = Portal(storage=storage, mailer=RecordingMailer(), sms=sms, settings=settings)
    app = create_app(portal, development=True, sms_box=sms)
    for role, home in (("HR", "/"), ("coach", "/coach/agenda")):
        client = app.test_client()
        login = next(login for login in logins if login.role == role)
        answer = post(client, "/inloggen", {"username": login.username, "password": login.password})
        assert answer.status_code == 302
        code = re.search(r"code is (\w+)\.", sms.sent[-1].text)
        assert code
        answer = post(
            client,
            answer.headers["Location"],
            {"method": "sms", "code": code.group(1), "action": "verify"},
        )
        assert answer.status_code == 302
        assert client.get(home).status_code == 200
    # The coaches have their hours: the coach who signs in takes bookings from now on.
    coaches = portal.coaches.list(SERVICE_DESK)
    assert len(coaches) == 5
    assert all(coach.availability.to_data()["weekly"]["monday"] for coach in coaches)
    # Two years of history went through the rollups: the dashboard has it.
    board = portal.stats.dashboard(SERVICE_DESK, start=date(2024, 3, 1), end=date(2026, 3, 31))
    assert board.held_sessions > 200
    assert board.trajectories_started > 50
    assert len([m for m, n in board.sessions_per_month.items() if n]) > 20


# The demo's entry point: python -m flask_portal [seed] ---------------------------------


def without_configuration() -> dict[str, str]:
    """This process's environment without any ONZECOACH_ setting."""
    return {k: v for k, v in os.environ.items() if not k.startswith("ONZECOACH_")}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_the_demo_starts_with_no_configuration_at_all(tmp_path: Path) -> None:
    port = free_port()
    folder = tmp_path / ".demo"
    command = [sys.executable, "-m", "flask_portal", "--folder", str(folder), "--port", str(port)]
    small = ["--employees", "12", "--appointments", "9"]
    with subprocess.Popen(
        [*command, *small],
        cwd=EXAMPLES,
        env=without_configuration(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    ) as demo:
        try:
            assert demo.stdout is not None
            printed = ""
            while "inlognaam hr.vandijk" not in printed:  # the last login printed
                line = demo.stdout.readline()
                assert line, f"the demo stopped: {printed}"
                printed += line
            # The base URL names localhost (WebAuthn's rule); the server binds 127.0.0.1.
            with urllib.request.urlopen(f"http://localhost:{port}/inloggen", timeout=10) as page:
                assert page.status == 200
        finally:
            demo.terminate()
    assert f"draait op http://localhost:{port}/inloggen" in printed
    assert "inlognaam hr.lindendaal" in printed
    assert (folder / "secret_key").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize(
    ("host", "named"),
    [
        ("127.0.0.1", "localhost"),
        ("0.0.0.0", "localhost"),  # noqa: S104 - what the demo binds is not the question
        ("demo.example.nl", "demo.example.nl"),
    ],
)
def test_the_demo_names_this_machine_localhost(host: str, named: str) -> None:
    assert public_host(host) == named


def test_the_demo_takes_the_settings_from_the_configuration(tmp_path: Path) -> None:
    folder = tmp_path / ".demo"
    folder.mkdir()
    bare = settings_for(read_configuration(None, {}), folder, "http://127.0.0.1:5000")
    assert bare.base_url == "http://127.0.0.1:5000"
    assert bare.secret_key == (folder / "secret_key").read_text()
    assert settings_for(read_configuration(None, {}), folder, "http://x.nl").secret_key == (
        bare.secret_key
    )
    path = tmp_path / "onzecoach.toml"
    path.write_text(
        'base_url = "https://demo.example.nl"\n'
        f'secret_key = "{TEST_SECRET_KEY}"\n'
        "privacy_min_group = 5\n"
        'session_idle_timeout = "PT15M"\n'
    )
    environ = {"ONZECOACH_PRIVACY_MIN_GROUP": "6"}
    configured = settings_for(read_configuration(path, environ), folder, "http://127.0.0.1:5000")
    assert configured.base_url == "https://demo.example.nl"
    assert configured.secret_key == TEST_SECRET_KEY
    assert configured.privacy_min_group == 6
    assert configured.session_idle_timeout == timedelta(minutes=15)


def seed_environment(database: Path) -> dict[str, str]:
    return {
        "ONZECOACH_DATABASE_URL": f"sqlite:///{database}",
        "ONZECOACH_BASE_URL": "https://demo.example.nl",
        "ONZECOACH_SECRET_KEY": TEST_SECRET_KEY,
        "ONZECOACH_PASSWORD_HASHING": "owasp_minimum",
    }


def test_seed_fills_an_empty_database_and_prints_the_logins(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "portal.db"
    environ = seed_environment(database)
    args = ["seed", "--employees", "12", "--appointments", "20"]
    assert demo_main(args, environ) == 0
    printed = capsys.readouterr().out
    assert "inlognaam hr.lindendaal" in printed
    assert "wachtwoord Demo-Portaal-2026!" in printed
    storage = SqlStorage(f"sqlite:///{database}")
    try:
        portal = Portal(storage=storage, mailer=RecordingMailer(), settings=make_settings())
        assert len(portal.admin.employers(SERVICE_DESK)) == 3
    finally:
        storage.close()
    # Only into an empty database: a second run changes nothing.
    assert demo_main(args, environ) == 1
    assert "not empty" in capsys.readouterr().out


@pytest.mark.parametrize("missing", ["ONZECOACH_DATABASE_URL", "ONZECOACH_SECRET_KEY"])
def test_seed_without_a_setting_exits_2_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], missing: str
) -> None:
    environ = seed_environment(tmp_path / "portal.db")
    del environ[missing]
    assert demo_main(["seed"], environ) == 2
    assert missing in capsys.readouterr().err
