"""After signing in, a deep link returns to where the user was going: a path of this app only."""

from __future__ import annotations

import json
from datetime import timedelta

import pyotp
import pytest
from flask.testing import FlaskClient

from softkey import SoftKey
from web.conftest import PASSWORD, Web, csrf, post, sign_up
from web.test_webauthn_endpoints import (
    ORIGIN,
    allow_passkeys,
    call,
    invite,
    page_token,
    registered_with_key,
)

WANTED = "/zoeken?q=jan"


def visit_signed_out(client: FlaskClient, path: str = WANTED) -> str:
    """A signed-out visit to ``path``; the login page it was sent to."""
    answer = client.get(path)
    assert answer.status_code == 302
    location = answer.headers["Location"]
    assert location.startswith("/inloggen?next=")
    client.get(location)
    return location


def code_step(web: Web, client: FlaskClient, secret: str, username: str = "hr.acme") -> str:
    """Password and app code through the forms; where the login sends the user."""
    answer = post(client, "/inloggen", {"username": username, "password": PASSWORD})
    assert answer.status_code == 302
    web.clock.advance(timedelta(seconds=31))
    code = pyotp.TOTP(secret).at(web.clock.now())
    answer = post(client, "/inloggen/code", {"method": "totp", "code": code, "action": "verify"})
    assert answer.status_code == 302, answer.get_data(as_text=True)
    return answer.headers["Location"]


def test_the_login_keeps_the_page_asked_for(web: Web) -> None:
    client = web.client()
    location = visit_signed_out(client)
    assert location == "/inloggen?next=/zoeken?q%3Djan"
    assert client.get_cookie("oc_next") is not None


def test_the_code_form_returns_to_the_page_asked_for(web: Web) -> None:
    secret = sign_up(web)
    client = web.client()
    visit_signed_out(client)
    assert code_step(web, client, secret) == WANTED
    assert client.get_cookie("oc_next") is None  # used once
    assert client.get(WANTED).status_code == 200


def test_without_a_deep_link_the_user_goes_home(web: Web) -> None:
    secret = sign_up(web)
    assert code_step(web, web.client(), secret) == "/"


def test_a_signed_in_user_sent_to_the_login_goes_on(web: Web) -> None:
    secret = sign_up(web)
    client = web.client()
    code_step(web, client, secret)
    assert client.get("/inloggen?next=/taken").headers["Location"] == "/taken"
    assert client.get("/inloggen?next=//evil.example").headers["Location"] == "/"


def test_a_security_key_returns_to_the_page_asked_for(web: Web) -> None:
    key = SoftKey()
    registered_with_key(web, key)
    client = web.client()
    visit_signed_out(client, "/account/")
    answer = post(client, "/inloggen", {"username": "key.user", "password": PASSWORD})
    assert answer.status_code == 302
    token = page_token(client, "/inloggen/code?m=webauthn")
    options = call(client, "/inloggen/webauthn/opties.json", token)
    assertion = key.get(options.get_data(as_text=True), origin=ORIGIN)
    answer = call(client, "/inloggen/webauthn.json", token, {"credential": json.loads(assertion)})
    assert answer.get_json() == {"next": "/account/"}


def test_a_passkey_alone_returns_to_the_page_asked_for(web: Web) -> None:
    key = SoftKey(verifies_user=True)
    registered_with_key(web, key)
    allow_passkeys(web)
    client = web.client()
    visit_signed_out(client, "/account/")
    token = csrf(client.get("/inloggen"))
    options = call(client, "/inloggen/passkey/opties.json", token)
    assertion = key.get(options.get_data(as_text=True), origin=ORIGIN)
    answer = call(client, "/inloggen/passkey.json", token, {"credential": json.loads(assertion)})
    assert answer.get_json() == {"next": "/account/"}


def test_the_wizard_then_the_login_return_to_the_page_asked_for(web: Web) -> None:
    client = invite(web)  # registered: the wizard's first step
    visit_signed_out(client, "/taken")
    # The login of a user without a second factor opens the wizard; its end, the codes.
    answer = post(client, "/inloggen", {"username": "key.user", "password": PASSWORD})
    assert answer.headers["Location"] == "/tweede-factor/webauthn"
    page = client.get("/tweede-factor/app")
    secret = page.get_data(as_text=True).split('id="totp-secret">')[1].split("<")[0]
    code = pyotp.TOTP(secret).at(web.clock.now())
    done = client.post(
        "/tweede-factor/app", data={"csrf_token": csrf(page), "action": "confirm", "code": code}
    )
    assert "Je back-up codes" in done.get_data(as_text=True)
    assert code_step(web, client, secret, "key.user") == "/taken"


@pytest.mark.parametrize(
    "wanted",
    [
        "https://evil.example/",
        "http://localhost/zoeken",
        "//evil.example/",
        "///evil.example/",
        "/\\evil.example",
        "\\\\evil.example",
        "/%2F%2Fevil.example",
        "/%2f%2fevil.example",
        "/%252F%252Fevil.example",
        "/%5Cevil.example",
        "javascript:alert(1)",
        "data:text/html,x",
        "zoeken",
        "/zoeken\r\nSet-Cookie: x=y",
        "/zoeken%0d%0aSet-Cookie:%20x=y",
        "/\tevil.example",
        "/%09/evil.example",
        "/bestaat-niet",
        "/uitloggen",
        "/inloggen",
        "/static/app.css",
        "/zoeken#fragment",
        "",
    ],
)
def test_a_deep_link_off_this_app_goes_home(web: Web, wanted: str) -> None:
    secret = sign_up(web)
    client = web.client()
    client.get("/inloggen", query_string={"next": wanted})
    assert client.get_cookie("oc_next") is None
    # A planted cookie is checked again when it is used.
    client.set_cookie("oc_next", wanted)
    assert code_step(web, client, secret) == "/"


def test_a_refused_link_forgets_an_earlier_one(web: Web) -> None:
    secret = sign_up(web)
    client = web.client()
    visit_signed_out(client)
    client.get("/inloggen", query_string={"next": "//evil.example"})
    assert code_step(web, client, secret) == "/"
