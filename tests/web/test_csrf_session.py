"""Once signed in, the CSRF token is bound to the session: a planted cookie passes no more."""

from __future__ import annotations

from flask.testing import FlaskClient

from web.conftest import PASSWORD, Web, csrf, post, sign_in, sign_up


def planted_pair(web: Web) -> tuple[str, str]:
    """A valid ``oc_csrf`` cookie and its token, as anyone gets them from the login page."""
    stranger = web.client()
    token = csrf(stranger.get("/inloggen"))
    cookie = stranger.get_cookie("oc_csrf")
    assert cookie is not None
    return cookie.value, token


def test_a_planted_cookie_and_its_token_are_refused_once_signed_in(
    web: Web, hr: FlaskClient
) -> None:
    cookie, token = planted_pair(web)
    hr.set_cookie("oc_csrf", cookie)
    answer = hr.post("/uitloggen", data={"csrf_token": token})
    assert answer.status_code == 400
    json = hr.post("/tweede-factor/webauthn/opties.json", json={}, headers={"X-CSRF-Token": token})
    assert json.status_code == 400
    assert hr.get("/account/").status_code == 200  # still signed in


def test_the_same_pair_still_works_signed_out(web: Web) -> None:
    sign_up(web)
    cookie, token = planted_pair(web)
    client = web.client()
    client.set_cookie("oc_csrf", cookie)
    answer = client.post(
        "/inloggen", data={"csrf_token": token, "username": "hr.acme", "password": PASSWORD}
    )
    assert answer.status_code == 302  # the double-submit cookie of signed-out forms


def test_a_real_form_of_a_signed_in_page_works(web: Web, hr: FlaskClient) -> None:
    page = hr.get("/account/")
    token = csrf(page)
    assert hr.post("/uitloggen", data={"csrf_token": token}).status_code == 302
    assert hr.get("/account/").status_code == 302


def test_a_new_sign_in_makes_the_old_token_fail(web: Web) -> None:
    secret = sign_up(web)
    client = sign_in(web, "hr.acme", secret)
    old = csrf(client.get("/account/"))
    assert post(client, "/uitloggen", {}).status_code == 302
    # Signed in again in the same browser: a new session, new tokens.
    again = sign_in(web, "hr.acme", secret)
    session = again.get_cookie("oc_session")
    assert session is not None
    client.set_cookie("oc_session", session.value)
    assert client.get("/account/").status_code == 200
    assert client.post("/uitloggen", data={"csrf_token": old}).status_code == 400
    fresh = csrf(client.get("/account/"))
    assert fresh != old
    assert client.post("/uitloggen", data={"csrf_token": fresh}).status_code == 302


def test_the_login_pages_token_fails_once_signed_in(web: Web) -> None:
    secret = sign_up(web)
    client = web.client()
    before = csrf(client.get("/inloggen"))
    signed_in = sign_in(web, "hr.acme", secret)
    session = signed_in.get_cookie("oc_session")
    assert session is not None
    client.set_cookie("oc_session", session.value)
    assert client.post("/uitloggen", data={"csrf_token": before}).status_code == 400


def test_an_expired_session_sends_its_form_to_the_login(web: Web, hr: FlaskClient) -> None:
    token = csrf(hr.get("/account/"))
    session = hr.get_cookie("oc_session")
    assert session is not None
    web.portal.auth.logout(session.value)  # ended elsewhere: the cookie is stale
    answer = hr.post("/account/wachtwoord", data={"csrf_token": token})
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/inloggen")
    # The login page that follows has a token of its own for the signed-out form.
    assert post(hr, "/inloggen", {"username": "x", "password": "y"}).status_code == 200
