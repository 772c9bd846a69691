"""Steps several browser tests take: registering, logging in, a service-desk account."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pyotp

from browser.conftest import Live
from onzecoach import Role
from onzecoach.actors import SERVICE_DESK

PASSWORD = "Zonnig-Weer-2026!"

#: A screenshot step (``Shots``), or nothing.
Shot = Callable[[str], None]


def no_shots(_: str) -> None:
    """For a test that keeps no screenshots."""


def register_with_totp(live: Live, page: Any, shots: Shot, username: str) -> str:
    """Open the invitation link, choose a password, set up the app; the TOTP secret."""
    page.goto(f"{live.url}/registreren/{live.last_link()}")
    shots("registreren")
    page.locator("#f-password").fill("kort")
    assert page.locator("li[data-rule=too_short]").get_attribute("class") == "bad"
    page.locator("#f-password").fill(PASSWORD)
    assert page.locator("li[data-rule=too_short]").get_attribute("class") == "ok"
    page.locator("#f-repeat").fill(PASSWORD)
    page.get_by_role("button", name="Opslaan").click()
    page.get_by_role("button", name="Geen beveiligingssleutel of passkey gebruiken").click()
    page.get_by_role("button", name="Geen SMS bevestiging gebruiken").click()
    page.get_by_role("button", name="Ik heb geen YubiKey").click()
    shots("app-instellen")
    secret: str = page.locator("#totp-secret").inner_text()
    page.locator("#f-code").fill(pyotp.TOTP(secret).at(live.clock.now()))
    page.get_by_role("button", name="Bevestigen").click()
    assert page.locator("#backup-codes li").count() == live.portal.settings.backup_code_count
    shots("back-up-codes")
    assert username
    return secret


def log_in(live: Live, page: Any, shots: Shot, username: str, secret: str) -> None:
    page.goto(f"{live.url}/inloggen")
    page.locator("#f-username").fill(username)
    page.locator("#f-password").fill(PASSWORD)
    shots("inloggen")
    page.get_by_role("button", name="Inloggen").click()
    live.clock.advance(timedelta(seconds=31))  # a new time step: codes are never reused
    page.locator("#f-method").select_option("totp")
    page.locator("#f-code").fill(pyotp.TOTP(secret).at(live.clock.now()))
    shots("tweede-stap")
    page.get_by_role("button", name="Inloggen").click()
    assert page.get_by_role("button", name="Uitloggen").is_visible()


def desk_user(live: Live) -> None:
    """A service-desk account with SMS as its second factor, set up through the SDK."""
    live.portal.admin.invite_user(
        SERVICE_DESK, None, email="desk@example.nl", username="desk.user", role=Role.SERVICE_DESK
    )
    enrollment = live.portal.accounts.register(live.last_link(), PASSWORD)
    live.portal.mfa.begin_sms(enrollment.token, "06 12345678")
    live.portal.mfa.confirm_sms(enrollment.token, sms_code(live))
    live.portal.mfa.finish(enrollment.token)


def sms_code(live: Live) -> str:
    found = re.search(r"code is (\w+)\.", live.sms.sent[-1].text)
    assert found
    return found.group(1)


#: Monday to Friday, 09:00 to 17:00, hour sessions: the coach of the browser tests.
COACH_HOURS = {
    "weekly": {
        day: [["09:00", "17:00"]]
        for day in ("monday", "tuesday", "wednesday", "thursday", "friday")
    },
    "session_minutes": 60,
}


def coach_user(live: Live, username: str = "coach.bos", name: str = "Coach Bos") -> str:
    """A coach with weekday hours and an account with SMS as its second factor, set up
    through the SDK; the coach's id."""
    coach = live.portal.coaches.invite(
        SERVICE_DESK,
        email=f"{username}@example.nl",
        username=username,
        name=name,
        bio="Twintig jaar ervaring met werkdruk en loopbaanvragen.",
        modes=["live", "online"],
        video_url="https://video.example.nl/bos",
        locations=[{"city": "Utrecht", "postcode": "3511"}],
        specialisms=["werkdruk", "loopbaan"],
    )
    live.portal.coaches.set_availability(SERVICE_DESK, coach.id, COACH_HOURS)
    enrollment = live.portal.accounts.register(live.last_link(), PASSWORD)
    live.portal.mfa.begin_sms(enrollment.token, "06 87654321")
    live.portal.mfa.confirm_sms(enrollment.token, sms_code(live))
    live.portal.mfa.finish(enrollment.token)
    return coach.id


def log_in_by_sms(live: Live, page: Any, username: str) -> None:
    """Log in with the password and the SMS code that goes out at once."""
    page.goto(f"{live.url}/inloggen")
    page.locator("#f-username").fill(username)
    page.locator("#f-password").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.locator("#f-code").fill(sms_code(live))
    page.get_by_role("button", name="Inloggen").click()
    page.get_by_role("button", name="Uitloggen").wait_for()


def booking_token(live: Live, address: str) -> str:
    """The token of the newest booking invitation mailed to ``address``."""
    live.portal.outbox.dispatch_due()
    for mail in reversed(live.mailer.to(address)):
        part = mail.get_body(preferencelist=("plain",))
        found = re.search(r"/planningsagenda/(\S+)", part.get_content() if part else "")
        if found:
            return found.group(1)
    raise AssertionError(f"no booking invitation to {address}")
