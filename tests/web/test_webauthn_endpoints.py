"""The JSON endpoints of security keys and passkeys, driven by the software authenticator.

What the browser's script does (static/webauthn.js) done by hand: the options from one
endpoint, ``SoftKey`` in the browser's place, its answer to the other.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from onzecoach import Role
from onzecoach.actors import SERVICE_DESK
from softkey import SoftKey
from support import make_settings
from web.conftest import PASSWORD, Web, csrf, post, sign_in, sign_up

ORIGIN = "http://localhost"
DATA_CSRF = re.compile(r'data-csrf="([^"]+)"')


def page_token(client: FlaskClient, url: str) -> str:
    """The token the page hands its script (data-csrf)."""
    found = DATA_CSRF.search(client.get(url).get_data(as_text=True))
    assert found, url
    return found.group(1)


def call(
    client: FlaskClient, url: str, token: str | None, body: dict[str, Any] | None = None
) -> TestResponse:
    headers = {"X-CSRF-Token": token} if token is not None else {}
    return client.post(url, json=body or {}, headers=headers)


def error_of(answer: TestResponse) -> dict[str, Any]:
    body = answer.get_json()
    assert isinstance(body, dict), answer.get_data(as_text=True)
    found: dict[str, Any] = body["error"]
    return found


def invite(web: Web, username: str = "key.user") -> FlaskClient:
    """A new user registered by the invitation link, in the wizard's first step."""
    employer = web.portal.admin.create_employer(SERVICE_DESK, f"{username} B.V.").id
    web.portal.admin.invite_user(
        SERVICE_DESK, employer, email=f"{username}@example.nl", username=username, role=Role.HR
    )
    client = web.client()
    answer = post(
        client, f"/registreren/{web.last_link()}", {"password": PASSWORD, "repeat": PASSWORD}
    )
    assert answer.headers["Location"] == "/tweede-factor/webauthn"
    return client


def enrol(client: FlaskClient, key: SoftKey, name: str = "YubiKey 5") -> TestResponse:
    """The wizard's key step, as the script runs it; the answer of the finish endpoint."""
    token = page_token(client, "/tweede-factor/webauthn")
    options = call(client, "/tweede-factor/webauthn/opties.json", token)
    assert options.status_code == 200, options.get_data(as_text=True)
    answer = key.create(options.get_data(as_text=True), origin=ORIGIN)
    return call(
        client,
        "/tweede-factor/webauthn/koppelen.json",
        token,
        {"credential": json.loads(answer), "name": name},
    )


def registered_with_key(web: Web, key: SoftKey, username: str = "key.user") -> FlaskClient:
    client = invite(web, username)
    assert enrol(client, key).status_code == 200
    done = post(client, "/tweede-factor/webauthn", {"action": "done"})
    assert "Je back-up codes" in done.get_data(as_text=True)
    return client


def second_step(web: Web, username: str) -> FlaskClient:
    client = web.client()
    answer = post(client, "/inloggen", {"username": username, "password": PASSWORD})
    assert "m=webauthn" in answer.headers["Location"]
    return client


# The wizard ---------------------------------------------------------------------------------


def test_the_wizard_offers_a_key_first_and_keeps_it(web: Web) -> None:
    client = invite(web)
    page = client.get("/tweede-factor/webauthn").get_data(as_text=True)
    assert "Naam van de sleutel" in page
    assert "Hiervoor is JavaScript nodig" in page  # hidden by the script, which runs it
    assert "<script src=" in page
    assert "<script>" not in page  # no inline script: the CSP stays as it is
    key = SoftKey()
    kept = enrol(client, key, "Laptop")
    assert kept.status_code == 200
    assert kept.get_json()["key"]["name"] == "Laptop"
    done = post(client, "/tweede-factor/webauthn", {"action": "done"})
    assert len(re.findall(r"<li>", done.get_data(as_text=True))) >= 10  # the backup codes


def test_the_options_are_the_sdks_w3c_json(web: Web) -> None:
    client = invite(web)
    token = page_token(client, "/tweede-factor/webauthn")
    options = call(client, "/tweede-factor/webauthn/opties.json", token).get_json()
    assert options["rp"]["id"] == "localhost"
    assert options["challenge"]
    assert options["user"]["name"] == "key.user"


def test_skipping_the_key_goes_on_to_sms(web: Web) -> None:
    client = invite(web)
    answer = post(client, "/tweede-factor/webauthn", {"action": "skip"})
    assert answer.headers["Location"] == "/tweede-factor/sms"


# CSRF and origin --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/tweede-factor/webauthn/opties.json",
        "/tweede-factor/webauthn/koppelen.json",
        "/inloggen/webauthn/opties.json",
        "/inloggen/webauthn.json",
        "/inloggen/passkey/opties.json",
        "/inloggen/passkey.json",
    ],
)
def test_every_json_endpoint_needs_the_csrf_header(web: Web, url: str) -> None:
    client = invite(web)
    token = page_token(client, "/tweede-factor/webauthn")
    missing = call(client, url, None)
    assert missing.status_code == 400
    assert error_of(missing)["code"] == "http.csrf"
    wrong = call(client, url, token[:-2] + "00")
    assert wrong.status_code == 400
    # The token in a form field does not stand in for the header of a JSON request.
    body = client.post(url, json={"csrf_token": token})
    assert body.status_code == 400


def test_a_json_request_from_another_origin_is_refused(web: Web) -> None:
    client = invite(web)
    token = page_token(client, "/tweede-factor/webauthn")
    answer = client.post(
        "/tweede-factor/webauthn/opties.json",
        json={},
        headers={"X-CSRF-Token": token, "Origin": "https://evil.example"},
    )
    assert answer.status_code == 400
    assert error_of(answer)["code"] == "http.origin"
    own = client.post(
        "/tweede-factor/webauthn/opties.json",
        json={},
        headers={"X-CSRF-Token": token, "Origin": "http://localhost"},
    )
    assert own.status_code == 200


# Refusals: the SDK's code and Dutch text --------------------------------------------------------


def test_a_key_without_a_name_names_the_field(web: Web) -> None:
    client = invite(web)
    answer = enrol(client, SoftKey(), "   ")
    assert answer.status_code == 422
    error = error_of(answer)
    assert error["field"] == "name"
    assert error["code"] == "validation.invalid"
    assert error["text"]


def test_an_unreadable_answer_is_refused_in_dutch(web: Web) -> None:
    client = invite(web)
    token = page_token(client, "/tweede-factor/webauthn")
    call(client, "/tweede-factor/webauthn/opties.json", token)
    answer = call(
        client, "/tweede-factor/webauthn/koppelen.json", token, {"credential": "x", "name": "a"}
    )
    assert answer.status_code == 401
    assert error_of(answer) == {
        "code": "webauthn.malformed",
        "text": "Het antwoord van je beveiligingssleutel is onleesbaar. Probeer het opnieuw.",
    }


def test_a_key_from_another_site_is_refused(web: Web) -> None:
    client = invite(web)
    token = page_token(client, "/tweede-factor/webauthn")
    options = call(client, "/tweede-factor/webauthn/opties.json", token).get_data(as_text=True)
    answer = SoftKey().create(options, origin="https://evil.example")
    refused = call(
        client,
        "/tweede-factor/webauthn/koppelen.json",
        token,
        {"credential": json.loads(answer), "name": "Sleutel"},
    )
    assert refused.status_code == 401
    assert error_of(refused)["code"] == "webauthn.mismatch"


def test_without_a_setup_the_page_is_told_to_start_again(web: Web) -> None:
    client = web.client()
    token = csrf(client.get("/inloggen"))
    answer = call(client, "/tweede-factor/webauthn/opties.json", token)
    assert answer.status_code == 410
    assert answer.get_json()["restart"] == "/inloggen"
    assert error_of(answer)["text"]


# The second step of a login -------------------------------------------------------------------


def test_a_key_signs_in_as_a_code_does(web: Web) -> None:
    key = SoftKey()
    registered_with_key(web, key)
    client = second_step(web, "key.user")
    page = client.get("/inloggen/code?m=webauthn&m=backup_code").get_data(as_text=True)
    assert page.index("Beveiligingssleutel of passkey gebruiken") < page.index('name="code"')
    token = page_token(client, "/inloggen/code?m=webauthn")
    options = call(client, "/inloggen/webauthn/opties.json", token)
    assert options.status_code == 200
    assertion = key.get(options.get_data(as_text=True), origin=ORIGIN)
    answer = call(client, "/inloggen/webauthn.json", token, {"credential": json.loads(assertion)})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.get_json() == {"next": "/"}
    assert client.get_cookie("oc_session") is not None
    assert client.get_cookie("oc_login") is None
    assert client.get("/account/").status_code == 200


def test_another_key_is_refused_and_counts_as_a_failure(web: Web) -> None:
    registered_with_key(web, SoftKey())
    client = second_step(web, "key.user")
    token = page_token(client, "/inloggen/code?m=webauthn")
    options = call(client, "/inloggen/webauthn/opties.json", token).get_data(as_text=True)
    stranger = SoftKey()
    stranger.user_handle = None
    answer = call(
        client,
        "/inloggen/webauthn.json",
        token,
        {"credential": json.loads(stranger.get(options, origin=ORIGIN))},
    )
    assert answer.status_code == 401
    assert error_of(answer) == {
        "code": "webauthn.wrong_key",
        "text": "Deze beveiligingssleutel hoort niet bij je account.",
    }
    assert client.get_cookie("oc_session") is None


def test_a_user_without_a_key_gets_no_options(web: Web) -> None:
    sign_up(web, username="app.user")
    client = web.client()
    post(client, "/inloggen", {"username": "app.user", "password": PASSWORD})
    token = csrf(client.get("/inloggen/code?m=totp"))
    answer = call(client, "/inloggen/webauthn/opties.json", token)
    assert answer.status_code == 422
    assert error_of(answer)["field"] == "method"


def test_the_second_step_without_a_login_says_the_same_for_anyone(web: Web) -> None:
    registered_with_key(web, SoftKey())
    answers = []
    for username in ("key.user", "niemand"):
        client = web.client()
        post(client, "/inloggen", {"username": username, "password": "fout-wachtwoord"})
        token = csrf(client.get("/inloggen"))
        answer = call(client, "/inloggen/webauthn/opties.json", token)
        answers.append((answer.status_code, answer.get_json()))
    assert answers[0] == answers[1]
    assert answers[0][0] == 410


# The account page ---------------------------------------------------------------------------


def signed_in_with_key(web: Web, key: SoftKey) -> FlaskClient:
    registered_with_key(web, key)
    client = second_step(web, "key.user")
    token = page_token(client, "/inloggen/code?m=webauthn")
    options = call(client, "/inloggen/webauthn/opties.json", token).get_data(as_text=True)
    answer = call(
        client,
        "/inloggen/webauthn.json",
        token,
        {"credential": json.loads(key.get(options, origin=ORIGIN))},
    )
    assert answer.status_code == 200
    return client


def test_the_account_page_lists_keys_and_renames_them(web: Web) -> None:
    client = signed_in_with_key(web, SoftKey())
    page = client.get("/account/").get_data(as_text=True)
    assert "YubiKey 5" in page
    assert "Laatst gebruikt" in page
    assert "Sleutel toevoegen" in page
    key_id = re.search(r'data-key="([^"]+)"', page)
    assert key_id
    renamed = post(
        client,
        f"/account/sleutels/{key_id.group(1)}/naam",
        {"name": "Sleutelbos"},
        page="/account/",
    )
    assert renamed.status_code == 302
    after = client.get(renamed.headers["Location"]).get_data(as_text=True)
    assert "Sleutelbos" in after
    assert "De naam van de sleutel is opgeslagen." in after
    empty = post(
        client, f"/account/sleutels/{key_id.group(1)}/naam", {"name": ""}, page="/account/"
    )
    assert empty.status_code == 200
    assert 'class="error"' in empty.get_data(as_text=True)
    other = post(client, "/account/sleutels/onbekend/naam", {"name": "x"}, page="/account/")
    assert other.status_code == 404


def test_the_last_key_cannot_be_removed(web: Web) -> None:
    client = signed_in_with_key(web, SoftKey())
    page = client.get("/account/").get_data(as_text=True)
    key_id = re.search(r'data-key="([^"]+)"', page)
    assert key_id
    assert "Je enige methode" in page
    refused = post(
        client,
        f"/account/tweede-factor/{key_id.group(1)}/verwijderen",
        {"password": PASSWORD},
        page="/account/",
    )
    assert "Je laatste methode kun je niet verwijderen" in refused.get_data(as_text=True)


def test_an_hr_user_with_an_app_sees_no_keys_yet(web: Web) -> None:
    client = sign_in(web, "hr.acme", sign_up(web))
    page = client.get("/account/").get_data(as_text=True)
    assert "Je hebt nog geen beveiligingssleutel of passkey." in page


def test_the_same_key_twice_is_a_conflict(web: Web) -> None:
    key = SoftKey()
    client = signed_in_with_key(web, key)
    start = post(
        client,
        "/account/tweede-factor/toevoegen",
        {"step": "webauthn", "password": PASSWORD},
        page="/account/",
    )
    assert start.headers["Location"] == "/tweede-factor/webauthn"
    again = enrol(client, key, "Nog eens")
    assert again.status_code == 409
    assert error_of(again) == {
        "code": "webauthn.registered",
        "text": "Deze beveiligingssleutel is al gekoppeld.",
    }


def test_a_second_key_from_the_account_page_and_the_first_removed(web: Web) -> None:
    client = signed_in_with_key(web, SoftKey())
    post(
        client,
        "/account/tweede-factor/toevoegen",
        {"step": "webauthn", "password": PASSWORD},
        page="/account/",
    )
    assert enrol(client, SoftKey(), "Telefoon").status_code == 200
    done = post(client, "/tweede-factor/webauthn", {"action": "done"})
    assert "Je tweede factor is ingesteld" in done.get_data(as_text=True)
    page = client.get("/account/").get_data(as_text=True)
    first, _ = re.findall(r'data-key="([^"]+)"', page)
    removed = post(
        client,
        f"/account/tweede-factor/{first}/verwijderen",
        {"password": PASSWORD},
        page="/account/",
    )
    assert removed.status_code == 302
    session = client.get_cookie("oc_session")
    assert session is not None
    actor = web.portal.auth.authenticate(session.value)
    assert [view.name for view in web.portal.mfa.methods(actor)] == ["Telefoon"]


# A passkey alone ----------------------------------------------------------------------------


def allow_passkeys(web: Web, username: str = "key.user", *, allowed: bool = True) -> None:
    employer = next(e.id for e in web.portal.admin.employers(SERVICE_DESK) if username in e.name)
    web.portal.admin.set_employer_policy(SERVICE_DESK, employer, passkey_login=allowed)


def passkey_sign_in(web: Web, key: SoftKey) -> TestResponse:
    """The login page's "Inloggen met passkey", as the script runs it."""
    client = web.client()
    # The form's token, the same: the endpoint answers whether or not the page offers it.
    token = csrf(client.get("/inloggen"))
    options = call(client, "/inloggen/passkey/opties.json", token)
    assert options.status_code == 200, options.get_data(as_text=True)
    assertion = key.get(options.get_data(as_text=True), origin=ORIGIN)
    return call(client, "/inloggen/passkey.json", token, {"credential": json.loads(assertion)})


def test_the_login_page_offers_a_passkey_only_where_allowed(web: Web) -> None:
    registered_with_key(web, SoftKey(verifies_user=True))
    assert "Inloggen met passkey" not in web.client().get("/inloggen").get_data(as_text=True)
    allow_passkeys(web)
    page = web.client().get("/inloggen").get_data(as_text=True)
    assert "Inloggen met passkey" in page
    assert "Voor inloggen met een passkey is JavaScript nodig" in page


def test_a_passkey_signs_in_alone_where_the_employer_allows_it(web: Web) -> None:
    key = SoftKey(verifies_user=True)
    registered_with_key(web, key)
    allow_passkeys(web)
    answer = passkey_sign_in(web, key)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.get_json() == {"next": "/"}
    cookies = answer.headers.getlist("Set-Cookie")
    assert any(c.startswith("oc_session=") and "HttpOnly" in c for c in cookies)
    assert any(c.startswith("oc_passkey=;") for c in cookies)  # the ceremony's token spent


def test_the_passkey_options_ask_for_no_username_and_name_no_key(web: Web) -> None:
    registered_with_key(web, SoftKey(verifies_user=True))
    allow_passkeys(web)
    answers = []
    for username in ("key.user", "niemand"):
        client = web.client()
        token = page_token(client, "/inloggen")
        options = client.post(
            "/inloggen/passkey/opties.json",
            json={"username": username},
            headers={"X-CSRF-Token": token},
        )
        assert options.status_code == 200
        body = options.get_json()
        assert body["userVerification"] == "required"
        answers.append(body.get("allowCredentials", []))
        cookie = options.headers["Set-Cookie"]
        assert cookie.startswith("oc_passkey=")
        assert "HttpOnly" in cookie
    assert answers == [[], []]


def test_a_passkey_where_the_employer_does_not_allow_it_is_refused_in_dutch(web: Web) -> None:
    key = SoftKey(verifies_user=True)
    registered_with_key(web, key)
    registered_with_key(web, SoftKey(verifies_user=True), "other.user")
    allow_passkeys(web, "other.user")  # the login page offers it; this user's employer not
    answer = passkey_sign_in(web, key)
    assert answer.status_code == 401
    assert error_of(answer) == {
        "code": "webauthn.passkey_not_allowed",
        "text": "Inloggen met alleen een passkey is voor jouw account niet aangezet. "
        "Log in met je inlognaam en wachtwoord; daarna kun je je sleutel gebruiken.",
    }
    assert answer.headers.get("Set-Cookie", "").find("oc_session=") == -1


def test_a_passkey_without_user_verification_is_refused_in_dutch(web: Web) -> None:
    key = SoftKey()
    registered_with_key(web, key)
    allow_passkeys(web)
    answer = passkey_sign_in(web, key)
    assert answer.status_code == 401
    error = error_of(answer)
    assert error["code"] == "webauthn.user_not_verified"
    assert "vingerafdruk, gezicht of pincode" in error["text"]


def test_an_unknown_passkey_is_refused_like_a_wrong_key(web: Web) -> None:
    registered_with_key(web, SoftKey(verifies_user=True))
    allow_passkeys(web)
    stranger = SoftKey(verifies_user=True)
    stranger.user_handle = "AAAA"
    answer = passkey_sign_in(web, stranger)
    assert answer.status_code == 401
    assert error_of(answer)["code"].startswith("webauthn.")
    assert error_of(answer)["text"]


def test_a_passkey_answer_without_its_options_starts_again(web: Web) -> None:
    client = web.client()
    token = csrf(client.get("/inloggen"))
    answer = call(client, "/inloggen/passkey.json", token, {"credential": {}})
    assert answer.status_code == 410
    assert answer.get_json()["restart"] == "/inloggen"


def desk_with_key(web: Web, key: SoftKey) -> None:
    web.portal.admin.invite_user(
        SERVICE_DESK, None, email="desk@example.nl", username="desk.key", role=Role.SERVICE_DESK
    )
    client = web.client()
    post(client, f"/registreren/{web.last_link()}", {"password": PASSWORD, "repeat": PASSWORD})
    assert enrol(client, key).status_code == 200
    post(client, "/tweede-factor/webauthn", {"action": "done"})


def test_the_service_desk_needs_the_portals_setting_for_a_passkey(web: Web) -> None:
    key = SoftKey(verifies_user=True)
    desk_with_key(web, key)
    refused = passkey_sign_in(web, key)
    assert error_of(refused)["code"] == "webauthn.passkey_not_allowed"


@pytest.mark.parametrize(
    "settings", [make_settings(base_url=ORIGIN, staff_passkey_login=True)], ids=["staff"]
)
def test_the_service_desk_signs_in_with_a_passkey_where_the_portal_allows_it(web: Web) -> None:
    key = SoftKey(verifies_user=True)
    desk_with_key(web, key)
    assert "Inloggen met passkey" in web.client().get("/inloggen").get_data(as_text=True)
    answer = passkey_sign_in(web, key)
    assert answer.get_json() == {"next": "/servicebureau/"}
