"""The second step as a person sees it: only their own methods, and a reused app code
that says to wait for the next one."""

from __future__ import annotations

from typing import Any

import pyotp

from browser.conftest import Live, open_page
from browser.flows import PASSWORD, log_in, no_shots, register_with_totp
from onzecoach.actors import SERVICE_DESK


def test_an_app_user_sees_the_app_and_backup_codes_and_a_reused_code_says_so(
    browser: Any, live: Live
) -> None:
    employer = live.portal.admin.create_employer(SERVICE_DESK, "Acme B.V.").id
    live.portal.admin.invite_user(SERVICE_DESK, employer, email="hr@example.nl", username="hr.acme")
    with open_page(browser) as page:
        secret = register_with_totp(live, page, no_shots, "hr.acme")
        log_in(live, page, no_shots, "hr.acme", secret)
    used = pyotp.TOTP(secret).at(live.clock.now())  # the code log_in just used
    with open_page(browser) as page:
        page.goto(f"{live.url}/inloggen")
        page.locator("#f-username").fill("hr.acme")
        page.locator("#f-password").fill(PASSWORD)
        page.get_by_role("button", name="Inloggen").click()
        options = page.locator("#f-method option").all_inner_texts()
        assert options == ["Code uit de authenticatie-app", "Back-up code"]
        assert not page.get_by_role("button", name="Stuur een nieuwe SMS").count()
        assert not page.get_by_text("Beveiligingssleutel of passkey gebruiken").count()
        page.locator("#f-method").select_option("totp")
        page.locator("#f-code").fill(used)
        page.get_by_role("button", name="Inloggen").click()
        alert = page.get_by_role("alert")
        assert "al gebruikt" in alert.inner_text()
        assert "wacht op de volgende code" in alert.inner_text().lower()
