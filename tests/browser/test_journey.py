"""The manual's journey in a real browser, each step's screenshot kept as an artifact."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pyotp

from browser.conftest import Live, Shots

PASSWORD = "Zonnig-Weer-2026!"


def register_with_totp(live: Live, page: Any, shots: Shots, username: str) -> str:
    """Open the invitation link, choose a password, set up the app; the TOTP secret."""
    page.goto(f"{live.url}/registreren/{live.last_link()}")
    shots("registreren")
    page.locator("#f-password").fill("kort")
    assert page.locator("li[data-rule=too_short]").get_attribute("class") == "bad"
    page.locator("#f-password").fill(PASSWORD)
    assert page.locator("li[data-rule=too_short]").get_attribute("class") == "ok"
    page.locator("#f-repeat").fill(PASSWORD)
    page.get_by_role("button", name="Opslaan").click()
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


def log_in(live: Live, page: Any, shots: Shots, username: str, secret: str) -> None:
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


def test_register_set_up_the_app_log_out_and_in(live: Live, page: Any, shots: Shots) -> None:
    employer = live.portal.admin.create_employer("Acme B.V.").id
    live.portal.admin.invite_user(employer, email="hr@example.nl", username="hr.acme")
    secret = register_with_totp(live, page, shots, "hr.acme")
    page.get_by_role("link", name="Naar inloggen").click()
    log_in(live, page, shots, "hr.acme", secret)
    shots("home")
    page.get_by_role("button", name="Uitloggen").click()
    assert re.search(r"/inloggen", page.url)
    assert page.get_by_text("Je bent uitgelogd.").is_visible()


def test_a_wrong_code_and_a_weak_password_say_what_is_wrong(
    live: Live, page: Any, shots: Shots
) -> None:
    employer = live.portal.admin.create_employer("Fout B.V.").id
    live.portal.admin.invite_user(employer, email="f@example.nl", username="fout.user")
    page.goto(f"{live.url}/registreren/{live.last_link()}")
    page.locator("#f-password").fill("alleenkleineletters")
    page.locator("#f-repeat").fill("alleenkleineletters")
    page.get_by_role("button", name="Opslaan").click()
    assert page.get_by_text("Dit wachtwoord voldoet niet").is_visible()
    shots("zwak-wachtwoord")
    page.locator("#f-password").fill(PASSWORD)
    page.locator("#f-repeat").fill(PASSWORD)
    page.get_by_role("button", name="Opslaan").click()
    page.get_by_role("button", name="Geen SMS bevestiging gebruiken").click()
    page.get_by_role("button", name="Overslaan").click()
    page.locator("#f-code").fill("000000")
    page.get_by_role("button", name="Bevestigen").click()
    assert page.get_by_text("Deze code klopt niet").is_visible()
    shots("verkeerde-code")
