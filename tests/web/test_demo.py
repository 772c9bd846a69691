"""The demo data of ``make demo``: made through the SDK, and its logins work."""

from __future__ import annotations

import re
from datetime import date

from flask_portal import create_app
from flask_portal.demo import seed

from onzecoach import Portal
from onzecoach.actors import SERVICE_DESK
from onzecoach.adapters.memory import MemoryStorage
from onzecoach.testing import RecordingMailer, RecordingSms
from support import make_settings
from web.conftest import post


def test_a_printed_demo_login_reaches_home_through_its_second_factor() -> None:
    storage, settings = MemoryStorage(), make_settings(base_url="http://localhost")
    logins = seed(storage, settings, employees=60, appointments=400, today=date(2026, 3, 2))
    assert {login.role for login in logins} == {"HR", "servicebureau"}
    sms = RecordingSms()
    portal = Portal(storage=storage, mailer=RecordingMailer(), sms=sms, settings=settings)
    client = create_app(portal, development=True, sms_box=sms).test_client()
    hr = next(login for login in logins if login.role == "HR")
    answer = post(client, "/inloggen", {"username": hr.username, "password": hr.password})
    assert answer.status_code == 302
    code = re.search(r"code is (\w+)\.", sms.sent[-1].text)
    assert code
    answer = post(
        client,
        answer.headers["Location"],
        {"method": "sms", "code": code.group(1), "action": "verify"},
    )
    assert answer.status_code == 302
    assert client.get("/").status_code == 200
    # Two years of history went through the rollups: the dashboard has it.
    board = portal.stats.dashboard(SERVICE_DESK, start=date(2024, 3, 1), end=date(2026, 3, 31))
    assert board.held_sessions > 200
    assert board.trajectories_started > 50
    assert len([m for m, n in board.sessions_per_month.items() if n]) > 20
