"""Outside development every cookie is a ``__Host-`` cookie; development keeps plain names."""

from __future__ import annotations

from datetime import timedelta

import pyotp
from flask import Flask
from flask.testing import FlaskClient
from flask_portal import create_app
from werkzeug.test import TestResponse

from onzecoach import Role
from onzecoach.actors import SERVICE_DESK
from web.conftest import CSRF, PASSWORD, Web, sign_up

HTTPS = "https://localhost"


class Recorder:
    """A production client over https that keeps every Set-Cookie it is sent."""

    def __init__(self, app: Flask) -> None:
        self.client: FlaskClient = app.test_client()
        self.set: list[str] = []

    def keep(self, answer: TestResponse) -> TestResponse:
        self.set.extend(answer.headers.getlist("Set-Cookie"))
        return answer

    def get(self, url: str) -> TestResponse:
        return self.keep(self.client.get(url, base_url=HTTPS))

    def post(self, url: str, data: dict[str, str], page: str | None = None) -> TestResponse:
        found = CSRF.search(self.get(page or url).get_data(as_text=True))
        assert found
        return self.keep(
            self.client.post(url, data={"csrf_token": found.group(1), **data}, base_url=HTTPS)
        )

    def names(self) -> set[str]:
        return {cookie.split("=", 1)[0] for cookie in self.set}


def production(web: Web) -> Recorder:
    return Recorder(create_app(web.portal, development=False))


def test_every_cookie_of_a_sign_in_is_a_host_cookie(web: Web) -> None:
    secret = sign_up(web)
    browser = production(web)
    assert browser.get("/account/").headers["Location"] == "/inloggen?next=/account/"
    browser.get("/inloggen?next=/account/")
    answer = browser.post("/inloggen", {"username": "hr.acme", "password": PASSWORD})
    assert answer.status_code == 302
    web.clock.advance(timedelta(seconds=31))
    code = pyotp.TOTP(secret).at(web.clock.now())
    answer = browser.post(
        answer.headers["Location"], {"method": "totp", "code": code, "action": "verify"}
    )
    assert answer.headers["Location"] == "/account/"
    assert browser.get("/account/").status_code == 200  # the __Host- session is read back
    assert browser.post("/uitloggen", {}, page="/account/").status_code == 302
    assert browser.get("/account/").status_code == 302
    assert browser.names() == {
        "__Host-oc_csrf",
        "__Host-oc_next",
        "__Host-oc_login",
        "__Host-oc_session",
    }
    for cookie in browser.set:
        attributes = [part.strip().lower() for part in cookie.split(";")[1:]]
        assert "secure" in attributes, cookie
        assert "path=/" in attributes, cookie
        assert not any(part.startswith("domain") for part in attributes), cookie


def test_the_wizard_and_a_passkey_use_host_cookies_too(web: Web) -> None:
    employer = web.portal.admin.create_employer(SERVICE_DESK, "Acme B.V.").id
    web.portal.admin.invite_user(
        SERVICE_DESK, employer, email="n@example.nl", username="new.user", role=Role.HR
    )
    browser = production(web)
    answer = browser.post(
        f"/registreren/{web.last_link()}", {"password": PASSWORD, "repeat": PASSWORD}
    )
    assert answer.status_code == 302
    assert browser.get("/tweede-factor/webauthn").status_code == 200  # the setup is read back
    token = CSRF.search(browser.get("/inloggen").get_data(as_text=True))
    assert token
    browser.keep(
        browser.client.post(
            "/inloggen/passkey/opties.json",
            json={},
            headers={"X-CSRF-Token": token.group(1)},
            base_url=HTTPS,
        )
    )
    assert {"__Host-oc_enroll", "__Host-oc_passkey"} <= browser.names()
    assert all(name.startswith("__Host-") for name in browser.names())


def test_a_plain_named_session_is_not_read_in_production(web: Web) -> None:
    secret = sign_up(web)
    web.clock.advance(timedelta(seconds=31))
    challenge = web.portal.auth.login("hr.acme", PASSWORD)
    code = pyotp.TOTP(secret).at(web.clock.now())
    session = web.portal.auth.verify(challenge.token, code, method="totp")
    browser = production(web)
    browser.client.set_cookie("oc_session", session.token, domain="localhost")
    assert browser.get("/account/").status_code == 302
    browser.client.set_cookie("__Host-oc_session", session.token, domain="localhost")
    assert browser.get("/account/").status_code == 200


def test_developmentkeeps_the_plain_names(web: Web) -> None:
    sign_up(web)
    client = web.client()
    answer = client.get("/inloggen?next=/account/")
    names = {cookie.split("=", 1)[0] for cookie in answer.headers.getlist("Set-Cookie")}
    assert names == {"oc_csrf", "oc_next"}
    assert not any("Secure" in cookie for cookie in answer.headers.getlist("Set-Cookie"))
