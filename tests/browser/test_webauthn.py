"""Security keys and passkeys in Chromium, with the DevTools Protocol's virtual authenticator.

The app runs on ``http://localhost:PORT`` (conftest.py): browsers offer WebAuthn over
plain http on localhost only. Every page on the way is checked with axe-core.
"""

from __future__ import annotations

from typing import Any

import attrs
import pytest

from browser.conftest import Live, Shots
from browser.flows import PASSWORD
from onzecoach.actors import SERVICE_DESK

#: With and without user verification (a PIN, a fingerprint): a second factor either way.
VERIFICATION = pytest.mark.parametrize("verified", [True, False], ids=["uv", "zonder-uv"])


@attrs.frozen
class VirtualKey:
    """One virtual authenticator in the page's browser, through the DevTools Protocol."""

    cdp: Any
    id: str

    def credentials(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.cdp.send(
            "WebAuthn.getCredentials", {"authenticatorId": self.id}
        )["credentials"]
        return found

    def set_verified(self, verified: bool) -> None:
        self.cdp.send(
            "WebAuthn.setUserVerified", {"authenticatorId": self.id, "isUserVerified": verified}
        )

    def remove(self) -> None:
        self.cdp.send("WebAuthn.removeVirtualAuthenticator", {"authenticatorId": self.id})


def virtual_key(
    page: Any, *, verified: bool = True, cdp: Any = None, present: bool = True
) -> VirtualKey:
    """A platform authenticator that holds passkeys, as a laptop's; it answers at once,
    or (``present=False``) never: nobody touches it."""
    raw = page._page  # the Playwright page under WatchedPage
    if cdp is None:
        cdp = raw.context.new_cdp_session(raw)
        cdp.send("WebAuthn.enable")
    options = {
        "protocol": "ctap2",
        "transport": "internal",
        "hasResidentKey": True,
        "hasUserVerification": verified,
        "isUserVerified": verified,
        "automaticPresenceSimulation": present,
    }
    added = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": options})
    return VirtualKey(cdp, added["authenticatorId"])


def invite(live: Live, username: str = "hr.sleutel") -> str:
    employer = live.portal.admin.create_employer(SERVICE_DESK, "Sleutel B.V.").id
    live.portal.admin.invite_user(
        SERVICE_DESK, employer, email=f"{username}@example.nl", username=username
    )
    return employer


def register_with_key(live: Live, page: Any, name: str) -> None:
    """Open the invitation, choose a password and keep a key in the wizard's first step."""
    page.goto(f"{live.url}/registreren/{live.last_link()}")
    page.locator("#f-password").fill(PASSWORD)
    page.locator("#f-repeat").fill(PASSWORD)
    page.get_by_role("button", name="Opslaan").click()
    page.get_by_role("heading", name="Tweede factor: beveiligingssleutel of passkey").wait_for()
    assert not page.get_by_text("Hiervoor is JavaScript nodig").is_visible()
    page.get_by_label("Naam van de sleutel").fill(name)
    page.get_by_role("button", name="Sleutel of passkey koppelen").click()
    page.locator("#backup-codes").wait_for()


def sign_in_with_key(live: Live, page: Any, username: str) -> None:
    page.goto(f"{live.url}/inloggen")
    page.locator("#f-username").fill(username)
    page.locator("#f-password").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen", exact=True).click()
    page.get_by_role("button", name="Beveiligingssleutel of passkey gebruiken").click()
    page.get_by_role("button", name="Uitloggen").wait_for()


@VERIFICATION
def test_a_key_from_the_wizard_signs_in_and_the_account_page_replaces_it(
    live: Live, page: Any, shots: Shots, verified: bool
) -> None:
    invite(live)
    first = virtual_key(page, verified=verified)
    register_with_key(live, page, "Laptop")
    shots("back-up-codes")
    assert len(first.credentials()) == 1
    page.get_by_role("link", name="Naar inloggen").click()
    sign_in_with_key(live, page, "hr.sleutel")
    shots("ingelogd")

    # A second key, on a new device; then the first one goes.
    page.get_by_role("link", name="Account").click()
    keys = page.locator("#keys")
    assert "Laptop" in keys.inner_text()
    assert "nog niet" not in keys.inner_text()  # used to sign in just now
    first.remove()
    second = virtual_key(page, verified=verified, cdp=first.cdp)
    page.locator("#f-key-password").fill(PASSWORD)
    page.get_by_role("button", name="Sleutel toevoegen").click()
    page.get_by_label("Naam van de sleutel").fill("Telefoon")
    page.get_by_role("button", name="Sleutel of passkey koppelen").click()
    page.get_by_text("Je tweede factor is ingesteld.").wait_for()
    page.get_by_role("link", name="Terug naar je account").click()
    assert keys.locator("tbody tr").count() == 2
    shots("twee-sleutels")
    row = keys.locator("tr", has_text="Laptop")
    row.get_by_label("Je wachtwoord, ter bevestiging").fill(PASSWORD)
    row.get_by_role("button", name="Laptop verwijderen").click()
    page.get_by_text("Je tweede factor is bijgewerkt.").wait_for()
    assert keys.locator("tbody tr").count() == 1
    assert "Telefoon" in keys.inner_text()
    assert len(second.credentials()) == 1

    page.get_by_role("button", name="Uitloggen").click()
    sign_in_with_key(live, page, "hr.sleutel")


def test_a_cancelled_key_says_so_in_dutch(live: Live, page: Any, shots: Shots) -> None:
    invite(live)
    key = virtual_key(page)
    register_with_key(live, page, "Laptop")
    page.goto(f"{live.url}/inloggen")
    page.locator("#f-username").fill("hr.sleutel")
    page.locator("#f-password").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen", exact=True).click()
    key.remove()
    virtual_key(page, cdp=key.cdp)  # a key that does not hold this account's credential
    page.get_by_role("button", name="Beveiligingssleutel of passkey gebruiken").click()
    status = page.locator("[data-webauthn-status]")
    status.locator(".error").wait_for()
    shots("geannuleerd")
    assert "geannuleerd, niet toegestaan of duurde te lang" in status.inner_text()
    assert status.get_attribute("aria-live") == "assertive"
    # The other methods stay: the code form is still there, and the button works again.
    assert page.locator("#f-code").is_visible()
    assert page.get_by_role("button", name="Beveiligingssleutel of passkey gebruiken").is_enabled()


def test_a_key_registered_twice_is_named(live: Live, page: Any) -> None:
    invite(live)
    key = virtual_key(page)
    register_with_key(live, page, "Laptop")
    page.get_by_role("link", name="Naar inloggen").click()
    sign_in_with_key(live, page, "hr.sleutel")
    page.get_by_role("link", name="Account").click()
    page.locator("#f-key-password").fill(PASSWORD)
    page.get_by_role("button", name="Sleutel toevoegen").click()
    page.get_by_label("Naam van de sleutel").fill("Nog eens")
    page.get_by_role("button", name="Sleutel of passkey koppelen").click()
    status = page.locator("[data-webauthn-status] .error")
    status.wait_for()
    assert "al geregistreerd" in status.inner_text()
    assert len(key.credentials()) == 1


def test_a_browser_without_webauthn_offers_the_other_methods(live: Live, page: Any) -> None:
    invite(live)
    page.context.add_init_script(script="delete window.PublicKeyCredential;")
    page.goto(f"{live.url}/registreren/{live.last_link()}")
    page.locator("#f-password").fill(PASSWORD)
    page.locator("#f-repeat").fill(PASSWORD)
    page.get_by_role("button", name="Opslaan").click()
    page.get_by_text("Deze browser ondersteunt geen beveiligingssleutels of passkeys").wait_for()
    assert page.get_by_role("button", name="Sleutel of passkey koppelen").is_disabled()
    page.get_by_role("button", name="Geen beveiligingssleutel of passkey gebruiken").click()
    page.get_by_role("heading", name="Tweede factor: SMS").wait_for()


def test_a_key_needs_a_name_first(live: Live, page: Any) -> None:
    invite(live)
    key = virtual_key(page)
    page.goto(f"{live.url}/registreren/{live.last_link()}")
    page.locator("#f-password").fill(PASSWORD)
    page.locator("#f-repeat").fill(PASSWORD)
    page.get_by_role("button", name="Opslaan").click()
    page.get_by_role("button", name="Sleutel of passkey koppelen").click()
    page.get_by_text("Vul een naam in voor de sleutel").wait_for()
    assert page.get_by_label("Naam van de sleutel").get_attribute("aria-invalid") == "true"
    assert key.credentials() == []


def test_a_browser_without_the_json_helpers_gets_the_same(live: Live, page: Any) -> None:
    """The script's own base64url coding, where the browser has no toJSON() and no
    parse...FromJSON() (browsers before 2024)."""
    invite(live)
    page.context.add_init_script(
        script="delete PublicKeyCredential.prototype.toJSON;"
        "delete PublicKeyCredential.parseCreationOptionsFromJSON;"
        "delete PublicKeyCredential.parseRequestOptionsFromJSON;"
    )
    key = virtual_key(page)
    register_with_key(live, page, "Oude browser")
    assert len(key.credentials()) == 1
    page.get_by_role("link", name="Naar inloggen").click()
    assert page.evaluate("() => typeof PublicKeyCredential.prototype.toJSON") == "undefined"
    sign_in_with_key(live, page, "hr.sleutel")


def test_a_key_nobody_touches_times_out_in_dutch(live: Live, page: Any) -> None:
    invite(live)
    key = virtual_key(page)
    register_with_key(live, page, "Laptop")
    page.goto(f"{live.url}/inloggen")
    page.locator("#f-username").fill("hr.sleutel")
    page.locator("#f-password").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen", exact=True).click()
    page.clock.install()
    key.remove()
    virtual_key(page, cdp=key.cdp, present=False)
    with page.expect_response("**/inloggen/webauthn/opties.json"):
        page.get_by_role("button", name="Beveiligingssleutel of passkey gebruiken").click()
    page.get_by_text("Volg de aanwijzingen van je browser of sleutel.").wait_for()
    page.clock.fast_forward("05:01")  # past the options' 5 minutes
    status = page.locator("[data-webauthn-status] .error")
    status.wait_for()
    assert "Dat duurde te lang (time-out)" in status.inner_text()


# A passkey alone --------------------------------------------------------------------------------


def allow_passkeys(live: Live, employer: str, *, allowed: bool = True) -> None:
    live.portal.admin.set_employer_policy(SERVICE_DESK, employer, passkey_login=allowed)


def passkey_refusal(live: Live, page: Any) -> str:
    """Click "Inloggen met passkey" on the login page; the message the page then shows."""
    page.goto(f"{live.url}/inloggen")
    page.get_by_role("button", name="Inloggen met passkey").click()
    status = page.locator("[data-webauthn-status] .error")
    status.wait_for()
    text: str = status.inner_text()
    assert page.url.endswith("/inloggen")
    return text


def test_a_passkey_signs_in_alone_and_is_renamed(live: Live, page: Any, shots: Shots) -> None:
    employer = invite(live)
    key = virtual_key(page)
    register_with_key(live, page, "Laptop")
    assert key.credentials()[0]["isResidentCredential"]
    allow_passkeys(live, employer)
    page.goto(f"{live.url}/inloggen")
    shots("inloggen-met-passkey")
    page.get_by_role("button", name="Inloggen met passkey").click()
    page.get_by_role("button", name="Uitloggen").wait_for()
    page.get_by_role("link", name="Account").click()
    row = page.locator("#keys tr", has_text="Laptop")
    row.get_by_label("Nieuwe naam").fill("Werklaptop")
    row.get_by_role("button", name="Laptop: naam wijzigen").click()
    page.get_by_text("De naam van de sleutel is opgeslagen.").wait_for()
    assert "Werklaptop" in page.locator("#keys").inner_text()
    shots("hernoemd")


def test_a_passkey_the_employer_does_not_allow_is_refused_in_dutch(
    live: Live, page: Any, shots: Shots
) -> None:
    invite(live)
    virtual_key(page)
    register_with_key(live, page, "Laptop")
    other = live.portal.admin.create_employer(SERVICE_DESK, "Wel B.V.").id
    allow_passkeys(live, other)  # the login page offers it; this user's employer does not
    text = passkey_refusal(live, page)
    shots("niet-toegestaan")
    assert text == (
        "Inloggen met alleen een passkey is voor jouw account niet aangezet. "
        "Log in met je inlognaam en wachtwoord; daarna kun je je sleutel gebruiken."
    )
    # The password and the key as a second factor still work.
    sign_in_with_key(live, page, "hr.sleutel")


def test_a_key_without_user_verification_is_no_passkey(live: Live, page: Any) -> None:
    """The second factor works (test above); a passkey alone needs the fingerprint or PIN
    the key cannot give, and the browser refuses before anything reaches the portal."""
    employer = invite(live)
    virtual_key(page, verified=False)
    register_with_key(live, page, "Oude sleutel")
    allow_passkeys(live, employer)
    text = passkey_refusal(live, page)
    assert "Een passkey moet bevestigen dat jij het bent" in text
    assert "log in met je inlognaam en wachtwoord" in text


def test_a_key_on_another_address_than_the_portals_is_explained(live: Live, page: Any) -> None:
    """On 127.0.0.1 the relying party (localhost, from the base URL) does not match: the
    browser refuses with a SecurityError, and the page says where keys do work."""
    invite(live)
    virtual_key(page)
    elsewhere = live.url.replace("localhost", "127.0.0.1")
    page.goto(f"{elsewhere}/registreren/{live.last_link()}")
    page.locator("#f-password").fill(PASSWORD)
    page.locator("#f-repeat").fill(PASSWORD)
    page.get_by_role("button", name="Opslaan").click()
    page.get_by_label("Naam van de sleutel").fill("Laptop")
    page.get_by_role("button", name="Sleutel of passkey koppelen").click()
    status = page.locator("[data-webauthn-status] .error")
    status.wait_for()
    assert "alleen via https of op localhost" in status.inner_text()
