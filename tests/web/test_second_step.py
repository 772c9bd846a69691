"""The second step offers only the user's own methods; a reused app code says so."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
from flask.testing import FlaskClient

from onzecoach import Role
from onzecoach.actors import SERVICE_DESK
from softkey import SoftKey
from web.conftest import PASSWORD, Web, csrf, post, sign_up
from web.test_webauthn_endpoints import registered_with_key

OPTION = re.compile(r'<option value="([a-z_]+)"')


def to_second_step(web: Web, username: str) -> tuple[FlaskClient, str]:
    client = web.client()
    answer = post(client, "/inloggen", {"username": username, "password": PASSWORD})
    assert answer.status_code == 302
    return client, answer.headers["Location"]


def test_the_page_offers_the_challenges_methods_only(web: Web) -> None:
    sign_up(web)
    # What the SDK says this user has: the app and backup codes.
    challenge = web.portal.auth.login("hr.acme", PASSWORD)
    assert {m.value for m in challenge.methods} == {"totp", "backup_code"}
    client, location = to_second_step(web, "hr.acme")
    page = client.get(location).get_data(as_text=True)
    assert OPTION.findall(page) == ["totp", "backup_code"]
    assert "Vul de code in van je authenticatie-app of een back-up code." in page
    for absent in ("SMS", "YubiKey", "Beveiligingssleutel"):
        assert absent not in page, absent


def test_a_key_user_sees_the_key_and_backup_codes_only(web: Web) -> None:
    registered_with_key(web, SoftKey())
    client, location = to_second_step(web, "key.user")
    page = client.get(location).get_data(as_text=True)
    assert "Beveiligingssleutel of passkey gebruiken" in page
    # One code method: no choice to make, the method travels in the form.
    assert OPTION.findall(page) == []
    assert '<input type="hidden" name="method" value="backup_code">' in page
    assert "Vul de code in van een back-up code." in page
    assert "SMS" not in page
    assert "authenticatie-app" not in page


def test_an_sms_user_is_offered_sms_and_a_new_one(web: Web) -> None:
    employer = web.portal.admin.create_employer(SERVICE_DESK, "Sms B.V.").id
    web.portal.admin.invite_user(
        SERVICE_DESK, employer, email="s@example.nl", username="sms.user", role=Role.HR
    )
    client = web.client()
    post(client, f"/registreren/{web.last_link()}", {"password": PASSWORD, "repeat": PASSWORD})
    sent = post(client, "/tweede-factor/sms", {"action": "send", "phone": "06 12345678"})
    code = re.search(r"code is (\w+)\.", web.sms.sent[-1].text)
    assert code
    done = client.post(
        "/tweede-factor/sms",
        data={"csrf_token": csrf(sent), "action": "confirm", "code": code.group(1)},
    )
    assert "back-up codes" in done.get_data(as_text=True)
    client, location = to_second_step(web, "sms.user")
    page = client.get(location).get_data(as_text=True)
    assert OPTION.findall(page) == ["sms", "backup_code"]
    assert "Stuur een nieuwe SMS" in page
    assert "authenticatie-app" not in page


def test_a_reused_app_code_says_to_wait_for_the_next_one(web: Web) -> None:
    secret = sign_up(web)
    web.clock.advance(timedelta(seconds=31))
    code = pyotp.TOTP(secret).at(web.clock.now())
    first, location = to_second_step(web, "hr.acme")
    answer = post(first, location, {"method": "totp", "code": code, "action": "verify"})
    assert answer.status_code == 302
    again, location = to_second_step(web, "hr.acme")
    answer = post(again, location, {"method": "totp", "code": code, "action": "verify"})
    text = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert "al gebruikt" in text
    assert "wacht op de volgende code" in text.lower()
    assert "klopt niet" not in text
