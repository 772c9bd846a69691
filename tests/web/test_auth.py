"""The login, registration and second-factor screens, and the app's security basics."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest
from flask.testing import FlaskClient

from onzecoach.accounts import PasswordPolicy
from onzecoach.actors import SERVICE_DESK
from support import make_settings
from web.conftest import PASSWORD, Web, csrf, post, sign_in, sign_up

#: A policy other than the default, to tell the portal's numbers from copied ones.
STRICT = PasswordPolicy(min_length=14, history=2, min_classes=4, forbid_common=False)


def test_the_whole_way_from_invitation_to_home_and_out(web: Web) -> None:
    secret = sign_up(web)
    client = sign_in(web, "hr.acme", secret)
    home = client.get("/")
    assert home.status_code == 200
    assert "Uitloggen" in home.get_data(as_text=True)
    out = post(client, "/uitloggen", {}, page="/")
    assert out.status_code == 302
    assert client.get("/").status_code == 302  # back to the login


def test_every_page_carries_the_security_headers(web: Web) -> None:
    page = web.client().get("/inloggen")
    assert page.status_code == 200
    headers = page.headers
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cache-Control"] == "no-store"
    assert "<script>" not in page.get_data(as_text=True)


def test_a_form_without_its_token_is_refused(web: Web) -> None:
    client = web.client()
    client.get("/inloggen")
    answer = client.post("/inloggen", data={"username": "x", "password": "y"})
    assert answer.status_code == 400
    assert "Ongeldig verzoek" in answer.get_data(as_text=True)
    forged = client.post(
        "/inloggen", data={"username": "x", "password": "y", "csrf_token": "0" * 64}
    )
    assert forged.status_code == 400


def test_the_session_cookie_holds_only_the_session_token(web: Web) -> None:
    secret = sign_up(web)
    client = sign_in(web, "hr.acme", secret)
    cookie = client.get_cookie("oc_session")
    assert cookie is not None
    assert cookie.http_only
    assert cookie.same_site == "Lax"
    assert client.get_cookie("session") is None  # no Flask session at all
    web.portal.auth.authenticate(cookie.value)


def test_cookies_are_secure_outside_development(web: Web) -> None:
    from flask_portal import create_app  # noqa: PLC0415

    app = create_app(web.portal, development=False)
    page = app.test_client().get("/inloggen", base_url="https://portaal.example.nl")
    cookie = page.headers["Set-Cookie"]
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert page.headers["Strict-Transport-Security"]
    assert "/dev/berichten" not in [r.rule for r in app.url_map.iter_rules()]


def test_wrong_password_and_wrong_code_say_so_without_detail(web: Web) -> None:
    secret = sign_up(web)
    client = web.client()
    wrong = post(client, "/inloggen", {"username": "hr.acme", "password": "Verkeerd-2026!!"})
    assert "klopt niet" in wrong.get_data(as_text=True)
    unknown = post(client, "/inloggen", {"username": "niemand", "password": "Verkeerd-2026!!"})
    assert "klopt niet" in unknown.get_data(as_text=True)
    post(client, "/inloggen", {"username": "hr.acme", "password": PASSWORD})
    bad = post(client, "/inloggen/code", {"method": "totp", "code": "000000", "action": "verify"})
    assert "klopt niet" in bad.get_data(as_text=True)
    web.clock.advance(timedelta(seconds=31))
    good = post(
        client,
        "/inloggen/code",
        {"method": "totp", "code": pyotp.TOTP(secret).at(web.clock.now()), "action": "verify"},
    )
    assert good.status_code == 302


def test_a_weak_password_is_refused_with_the_rules_it_breaks(web: Web) -> None:
    employer = web.portal.admin.create_employer(SERVICE_DESK, "Zwak B.V.").id
    web.portal.admin.invite_user(SERVICE_DESK, employer, email="z@example.nl", username="zwak")
    client = web.client()
    token = web.last_link()
    page = post(client, f"/registreren/{token}", {"password": "kort", "repeat": "kort"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Minimaal 12 karakters." in text
    assert "voldoet niet" in text
    mismatch = post(client, f"/registreren/{token}", {"password": PASSWORD, "repeat": "x"})
    assert "niet gelijk" in mismatch.get_data(as_text=True)


def rules_listed(html: str) -> list[tuple[str, str]]:
    """The rules the page lists above the form, as (code, text)."""
    listed = html.split('id="rules"')[1].split("</ul>", maxsplit=1)[0]
    return re.findall(r'<li data-rule="([a-z_]+)" class="bad">([^<]*)</li>', listed)


@pytest.mark.parametrize("settings", [make_settings(base_url="http://localhost")])
def test_the_registration_page_lists_the_default_policys_rules(web: Web) -> None:
    employer = web.portal.admin.create_employer(SERVICE_DESK, "Regel B.V.").id
    web.portal.admin.invite_user(SERVICE_DESK, employer, email="r@example.nl", username="regel")
    html = web.client().get(f"/registreren/{web.last_link()}").get_data(as_text=True)
    assert rules_listed(html) == [
        ("too_short", "Minimaal 12 karakters."),
        ("contains_username", "De inlognaam mag er niet in zitten."),
        ("reused", "Niet hetzelfde als de laatste 6 gebruikte wachtwoorden."),
        ("too_few_classes", "Minimaal 3 van de 4: kleine letters, hoofdletters, cijfers, tekens."),
        ("common", "Geen bekend of makkelijk te raden wachtwoord."),
    ]
    assert 'minlength="12" data-min-classes="3"' in html


@pytest.mark.parametrize(
    "settings", [make_settings(base_url="http://localhost", password_policy=STRICT)]
)
def test_the_registration_page_lists_the_configured_policys_rules(web: Web) -> None:
    employer = web.portal.admin.create_employer(SERVICE_DESK, "Streng B.V.").id
    web.portal.admin.invite_user(SERVICE_DESK, employer, email="s@example.nl", username="streng")
    client = web.client()
    token = web.last_link()
    html = client.get(f"/registreren/{token}").get_data(as_text=True)
    assert rules_listed(html) == [
        ("too_short", "Minimaal 14 karakters."),
        ("contains_username", "De inlognaam mag er niet in zitten."),
        ("reused", "Niet hetzelfde als de laatste 2 gebruikte wachtwoorden."),
        ("too_few_classes", "Alle 4: kleine letters, hoofdletters, cijfers, tekens."),
    ]
    assert 'minlength="14" data-min-classes="4"' in html

    # Long enough for the default policy, with 3 groups: this one refuses it, in its words.
    refused = post(
        client, f"/registreren/{token}", {"password": "zonnig-weer1", "repeat": "zonnig-weer1"}
    )
    summary = refused.get_data(as_text=True).split('class="error-summary"')[1].split("</div>")[0]
    assert "Minimaal 14 karakters." in summary
    assert "Alle 4: kleine letters" in summary
    assert "Minimaal 12" not in summary


@pytest.mark.parametrize(
    "settings", [make_settings(base_url="http://localhost", password_policy=STRICT)]
)
def test_a_password_too_long_and_weak_hears_both(web: Web) -> None:
    employer = web.portal.admin.create_employer(SERVICE_DESK, "Lang B.V.").id
    web.portal.admin.invite_user(SERVICE_DESK, employer, email="l@example.nl", username="lang")
    client = web.client()
    token = web.last_link()
    long = "a" * (STRICT.max_length + 1)
    refused = post(client, f"/registreren/{token}", {"password": long, "repeat": long})
    summary = refused.get_data(as_text=True).split('class="error-summary"')[1].split("</div>")[0]
    assert f"Het wachtwoord mag maximaal {STRICT.max_length} tekens lang zijn." in summary
    assert "Alle 4: kleine letters" in summary


def test_the_registration_page_names_the_account_and_a_dead_link_says_so_at_once(
    web: Web,
) -> None:
    employer = web.portal.admin.create_employer(SERVICE_DESK, "Link B.V.").id
    web.portal.admin.invite_user(SERVICE_DESK, employer, email="l@example.nl", username="link.hr")
    client = web.client()
    token = web.last_link()
    page = client.get(f"/registreren/{token}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Inlognaam: <strong>link.hr</strong>" in text
    assert 'data-username="link.hr"' in text
    login_page = client.get("/inloggen")
    post(client, f"/registreren/{token}", {"password": PASSWORD, "repeat": PASSWORD})
    for url in (f"/registreren/{token}", "/registreren/onzin", "/wachtwoord-herstellen/onzin"):
        dead = web.client().get(url)
        assert dead.status_code == 410, url
        assert "verlopen of al gebruikt" in dead.get_data(as_text=True)
        assert 'type="password"' not in dead.get_data(as_text=True)
    # A form posted to a dead link changes nothing and says the same.
    late = client.post(
        f"/registreren/{token}",
        data={"csrf_token": csrf(login_page), "password": PASSWORD, "repeat": PASSWORD},
    )
    assert late.status_code == 410
    assert "Neem contact op met OnzeCoach" in late.get_data(as_text=True)


def test_a_reset_link_names_the_account_and_is_dead_once_used(web: Web) -> None:
    sign_up(web)
    client = web.client()
    post(client, "/inloggegevens-vergeten", {"what": "wachtwoord", "username": "hr.acme"})
    web.portal.outbox.dispatch_due()
    token = web.last_link()
    page = client.get(f"/wachtwoord-herstellen/{token}")
    assert page.status_code == 200
    assert "Inlognaam: <strong>hr.acme</strong>" in page.get_data(as_text=True)
    new = "Nieuw-Wachtwoord-2026!"
    done = post(client, f"/wachtwoord-herstellen/{token}", {"password": new, "repeat": new})
    assert done.status_code == 302
    dead = client.get(f"/wachtwoord-herstellen/{token}")
    assert dead.status_code == 410
    assert "Nieuwe link aanvragen" in dead.get_data(as_text=True)


def test_sms_is_sent_at_once_when_it_is_the_users_method(web: Web) -> None:
    employer = web.portal.admin.create_employer(SERVICE_DESK, "Sms B.V.").id
    web.portal.admin.invite_user(SERVICE_DESK, employer, email="s@example.nl", username="sms.user")
    client = web.client()
    post(client, f"/registreren/{web.last_link()}", {"password": PASSWORD, "repeat": PASSWORD})
    sent = post(client, "/tweede-factor/sms", {"action": "send", "phone": "06 12345678"})
    assert "+31612345678" in sent.get_data(as_text=True)
    code = re.search(r"code is (\w+)\.", web.sms.sent[-1].text)
    assert code
    done = client.post(
        "/tweede-factor/sms",
        data={"csrf_token": csrf(sent), "action": "confirm", "code": code.group(1)},
    )
    assert "back-up codes" in done.get_data(as_text=True)
    before = len(web.sms.sent)
    login = web.client()
    post(login, "/inloggen", {"username": "sms.user", "password": PASSWORD})
    assert len(web.sms.sent) == before + 1


def test_skipping_every_factor_asks_for_one(web: Web) -> None:
    employer = web.portal.admin.create_employer(SERVICE_DESK, "Geen B.V.").id
    web.portal.admin.invite_user(SERVICE_DESK, employer, email="g@example.nl", username="geen")
    client = web.client()
    post(client, f"/registreren/{web.last_link()}", {"password": PASSWORD, "repeat": PASSWORD})
    for step in ("webauthn", "sms", "yubikey", "app"):
        answer = post(client, f"/tweede-factor/{step}", {"action": "skip"})
    assert "minstens één tweede factor" in answer.get_data(as_text=True)


def test_forgotten_details_answer_the_same_for_known_and_unknown(web: Web) -> None:
    sign_up(web)
    client = web.client()
    known = post(client, "/inloggegevens-vergeten", {"what": "wachtwoord", "username": "hr.acme"})
    unknown = post(client, "/inloggegevens-vergeten", {"what": "wachtwoord", "username": "nope"})
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"]


def test_errors_are_dutch_pages_without_a_trace(web: Web, hr: FlaskClient) -> None:
    missing = hr.get("/bestaat-niet")
    assert missing.status_code == 404
    assert "Niet gevonden" in missing.get_data(as_text=True)
    wrong_method = hr.put("/inloggen")
    assert wrong_method.status_code == 405
    assert "Traceback" not in wrong_method.get_data(as_text=True)


def test_the_development_page_lists_mails_and_sms(web: Web) -> None:
    sign_up(web)
    page = web.client().get("/dev/berichten")
    assert page.status_code == 200
    assert "Verstuurde berichten" in page.get_data(as_text=True)


def test_logging_out_ends_a_half_done_factor_setup(web: Web, hr: FlaskClient) -> None:
    started = post(
        hr,
        "/account/tweede-factor/toevoegen",
        {"step": "sms", "password": PASSWORD},
        page="/account/",
    )
    assert started.status_code == 302
    assert hr.get_cookie("oc_enroll") is not None
    post(hr, "/uitloggen", {}, page="/")
    assert hr.get_cookie("oc_enroll") is None
    assert hr.get("/tweede-factor/sms").status_code == 302  # back to the login


def test_a_wrong_sms_code_keeps_the_code_form(web: Web) -> None:
    employer = web.portal.admin.create_employer(SERVICE_DESK, "Typo B.V.").id
    web.portal.admin.invite_user(SERVICE_DESK, employer, email="t@example.nl", username="typo")
    client = web.client()
    post(client, f"/registreren/{web.last_link()}", {"password": PASSWORD, "repeat": PASSWORD})
    sent = post(client, "/tweede-factor/sms", {"action": "send", "phone": "06 12345678"})
    wrong = client.post(
        "/tweede-factor/sms",
        data={
            "csrf_token": csrf(sent),
            "action": "confirm",
            "code": "zzzzzzzz",
            "phone": "+31612345678",
        },
    )
    text = wrong.get_data(as_text=True)
    assert "klopt niet" in text
    assert 'name="code"' in text  # the code form again, not the phone form


def test_the_second_step_offers_sms_only_to_sms_users(web: Web) -> None:
    sign_up(web)
    client = web.client()
    answer = post(client, "/inloggen", {"username": "hr.acme", "password": PASSWORD})
    page = client.get(answer.headers["Location"])
    assert "Stuur een nieuwe SMS" not in page.get_data(as_text=True)
    forced = client.post(
        answer.headers["Location"], data={"csrf_token": csrf(page), "action": "sms"}
    )
    assert forced.status_code == 200
    assert "geen SMS ingesteld" in forced.get_data(as_text=True)


def test_a_wrong_method_says_which_are_allowed(web: Web) -> None:
    answer = web.client().put("/inloggen")
    assert answer.status_code == 405
    assert set(answer.headers["Allow"].split(", ")) >= {"GET", "POST"}


def test_behind_a_tls_proxy_the_configured_origin_is_ours(web: Web) -> None:
    client = web.client()
    page = client.get("/inloggen")
    answer = client.post(
        "/inloggen",
        data={"csrf_token": csrf(page), "username": "x", "password": "y"},
        headers={"Origin": "http://localhost"},
    )
    assert answer.status_code == 200  # the settings' base URL: accepted
    other = client.post(
        "/inloggen",
        data={"csrf_token": csrf(page), "username": "x", "password": "y"},
        headers={"Origin": "https://evil.example"},
    )
    assert other.status_code == 400


def test_a_yubikey_service_that_is_missing_is_said_in_dutch(web: Web) -> None:
    employer = web.portal.admin.create_employer(SERVICE_DESK, "Yubi B.V.").id
    web.portal.admin.invite_user(SERVICE_DESK, employer, email="y@example.nl", username="yubi")
    client = web.client()
    post(client, f"/registreren/{web.last_link()}", {"password": PASSWORD, "repeat": PASSWORD})
    answer = post(
        client,
        "/tweede-factor/yubikey",
        {"action": "confirm", "otp": "cccccbhuinjdhvrjgvjcgvdrrbgbnchkgjfkncvjtcnl"},
    )
    assert answer.status_code == 200
    assert "YubiKey kan nu niet worden gecontroleerd" in answer.get_data(as_text=True)


def test_reloading_the_app_step_keeps_the_scanned_qr_code(web: Web) -> None:
    employer = web.portal.admin.create_employer(SERVICE_DESK, "Herlaad B.V.").id
    web.portal.admin.invite_user(SERVICE_DESK, employer, email="h@example.nl", username="herlaad")
    client = web.client()
    post(client, f"/registreren/{web.last_link()}", {"password": PASSWORD, "repeat": PASSWORD})
    secret = re.compile(r'id="totp-secret">([A-Z2-7]+)<')

    def shown(url: str) -> str:
        found = secret.search(client.get(url).get_data(as_text=True))
        assert found
        return found.group(1)

    first = shown("/tweede-factor/app")
    assert shown("/tweede-factor/app") == first
    assert shown("/tweede-factor/app?nieuw=1") != first


def test_a_signed_out_script_gets_401_not_the_login_page(web: Web) -> None:
    answer = web.client().get("/zoeken.json?q=abc")
    assert answer.status_code == 401
    assert answer.is_json
