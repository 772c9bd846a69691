"""Account settings (password, second factors, backup codes) and the service desk's screens."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask.testing import FlaskClient

from onzecoach import Actor
from onzecoach.accounts import AccountStatus, PasswordPolicy
from onzecoach.actors import SERVICE_DESK
from support import make_settings
from web.conftest import PASSWORD, Web, csrf, post

NEW_PASSWORD = "Regen-Buien-2027?"


def actor_of(web: Web, client: FlaskClient) -> Actor:
    cookie = client.get_cookie("oc_session")
    assert cookie is not None
    return web.portal.auth.authenticate(cookie.value)


def employer_named(web: Web, name: str) -> str:
    return next(e.id for e in web.portal.admin.employers(SERVICE_DESK) if e.name == name)


# Password ---------------------------------------------------------------------------------------


def test_the_account_page_shows_factors_codes_and_the_rules(web: Web, hr: FlaskClient) -> None:
    page = hr.get("/account/")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Wachtwoord wijzigen" in text
    assert "Minimaal 12 karakters." in text
    assert "Authenticatie-app" in text
    count = web.portal.settings.backup_code_count
    assert f"Je hebt nog <strong>{count}</strong> ongebruikte back-up codes." in text
    assert "Je enige methode" in text  # the last method has no remove button
    assert "style=" not in text
    assert not re.search(r"<script>", text)


@pytest.mark.parametrize(
    "settings",
    [make_settings(base_url="http://localhost", password_policy=PasswordPolicy(min_length=14))],
)
def test_the_account_page_lists_the_configured_policys_rules(hr: FlaskClient) -> None:
    text = hr.get("/account/").get_data(as_text=True)
    rules = text.split('id="rules"')[1].split("</ul>", maxsplit=1)[0]
    assert '<li data-rule="too_short" class="bad">Minimaal 14 karakters.</li>' in rules
    assert 'minlength="14"' in text
    short = "Regen-Buien-2"  # 13 characters, enough for the default policy
    answer = post(
        hr, "/account/wachtwoord", {"current": PASSWORD, "new": short, "repeat": short},
        page="/account/",
    )  # fmt: skip
    summary = answer.get_data(as_text=True).split('class="error-summary"')[1].split("</div>")[0]
    assert "Minimaal 14 karakters." in summary


def test_a_weak_password_is_refused_with_the_rules_it_breaks(hr: FlaskClient) -> None:
    answer = post(
        hr, "/account/wachtwoord", {"current": PASSWORD, "new": "kort", "repeat": "kort"},
        page="/account/",
    )  # fmt: skip
    assert answer.status_code == 200
    text = answer.get_data(as_text=True)
    assert "Je wachtwoord is niet gewijzigd" in text
    summary = text.split('class="error-summary"')[1].split("</div>")[0]
    assert "Minimaal 12 karakters." in summary
    assert "Minimaal 3 van de 4" in summary
    assert hr.get("/account/").status_code == 200  # still signed in

    named = post(
        hr, "/account/wachtwoord",
        {"current": PASSWORD, "new": "hr.acme-Zonnig-2026!", "repeat": "hr.acme-Zonnig-2026!"},
        page="/account/",
    )  # fmt: skip
    assert "De inlognaam mag er niet in zitten." in named.get_data(as_text=True)
    same = post(
        hr, "/account/wachtwoord", {"current": PASSWORD, "new": PASSWORD, "repeat": PASSWORD},
        page="/account/",
    )  # fmt: skip
    assert "laatste 6 gebruikte wachtwoorden" in same.get_data(as_text=True)


def test_a_wrong_current_password_or_a_mismatch_says_so(hr: FlaskClient) -> None:
    wrong = post(
        hr, "/account/wachtwoord",
        {"current": "Verkeerd-2026!!", "new": NEW_PASSWORD, "repeat": NEW_PASSWORD},
        page="/account/",
    )  # fmt: skip
    assert "Je huidige wachtwoord klopt niet." in wrong.get_data(as_text=True)
    mismatch = post(
        hr, "/account/wachtwoord", {"current": PASSWORD, "new": NEW_PASSWORD, "repeat": "x"},
        page="/account/",
    )  # fmt: skip
    assert "niet gelijk" in mismatch.get_data(as_text=True)
    empty = post(hr, "/account/wachtwoord", {}, page="/account/")
    assert empty.status_code == 200
    assert "Vul je huidige wachtwoord in." in empty.get_data(as_text=True)


def test_too_many_wrong_current_passwords_are_throttled(hr: FlaskClient) -> None:
    data = {"current": "Verkeerd-2026!!", "new": NEW_PASSWORD, "repeat": NEW_PASSWORD}
    for _ in range(5):
        post(hr, "/account/wachtwoord", data, page="/account/")
    answer = post(hr, "/account/wachtwoord", data, page="/account/")
    assert answer.status_code == 200
    assert "Te veel pogingen" in answer.get_data(as_text=True)


def test_a_new_password_ends_every_session(web: Web, hr: FlaskClient) -> None:
    other_session = web.client()
    other_session.set_cookie("oc_session", hr.get_cookie("oc_session").value)  # type: ignore[union-attr]
    answer = post(
        hr, "/account/wachtwoord",
        {"current": PASSWORD, "new": NEW_PASSWORD, "repeat": NEW_PASSWORD},
        page="/account/",
    )  # fmt: skip
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/inloggen?melding=wachtwoord"
    assert hr.get_cookie("oc_session") is None
    notice = hr.get("/inloggen?melding=wachtwoord")
    assert "Je wachtwoord is gewijzigd." in notice.get_data(as_text=True)
    assert hr.get("/account/").status_code == 302
    assert other_session.get("/account/").status_code == 302
    old = post(web.client(), "/inloggen", {"username": "hr.acme", "password": PASSWORD})
    assert "klopt niet" in old.get_data(as_text=True)
    new = post(web.client(), "/inloggen", {"username": "hr.acme", "password": NEW_PASSWORD})
    assert new.status_code == 302
    assert new.headers["Location"].startswith("/inloggen/code")


# Second factors and backup codes --------------------------------------------------------------


def test_the_last_factor_cannot_be_removed(web: Web, hr: FlaskClient) -> None:
    actor = actor_of(web, hr)
    (only,) = web.portal.mfa.methods(actor)
    answer = post(
        hr,
        f"/account/tweede-factor/{only.id}/verwijderen",
        {"password": PASSWORD},
        page="/account/",
    )
    assert answer.status_code == 200
    assert "Je laatste methode kun je niet verwijderen" in answer.get_data(as_text=True)
    assert [f.id for f in web.portal.mfa.methods(actor)] == [only.id]
    unknown = post(
        hr,
        "/account/tweede-factor/onbekend/verwijderen",
        {"password": PASSWORD},
        page="/account/",
    )
    assert unknown.status_code == 404


def test_adding_a_factor_runs_the_wizard_and_then_one_can_go(web: Web, hr: FlaskClient) -> None:
    actor = actor_of(web, hr)
    start = post(
        hr,
        "/account/tweede-factor/toevoegen",
        {"step": "sms", "password": PASSWORD},
        page="/account/",
    )
    assert start.status_code == 302
    assert start.headers["Location"] == "/tweede-factor/sms"
    assert hr.get_cookie("oc_enroll") is not None
    sent = post(hr, "/tweede-factor/sms", {"action": "send", "phone": "+31 6 12345678"})
    assert "+31612345678" in sent.get_data(as_text=True)
    code = re.search(r"code is (\w+)\.", web.sms.sent[-1].text)
    assert code
    done = hr.post(
        "/tweede-factor/sms",
        data={"csrf_token": csrf(sent), "action": "confirm", "code": code.group(1)},
    )
    assert "back-up codes blijven dezelfde" in done.get_data(as_text=True)
    factors = web.portal.mfa.methods(actor)
    assert len(factors) == 2
    page = hr.get("/account/").get_data(as_text=True)
    assert "SMS" in page
    assert "eindigt op 78" in page
    assert page.count(">Verwijderen</button>") == 2
    totp = next(f for f in factors if f.kind == "totp")
    removed = post(
        hr,
        f"/account/tweede-factor/{totp.id}/verwijderen",
        {"password": PASSWORD},
        page="/account/",
    )
    assert removed.status_code == 302
    assert removed.headers["Location"] == "/account/?melding=factor"
    assert [f.kind for f in web.portal.mfa.methods(actor)] == ["sms"]
    # Another user's factor is not found.
    assert "Je tweede factor is bijgewerkt." in hr.get("/account/?melding=factor").get_data(
        as_text=True
    )


@pytest.mark.parametrize(
    ("step", "where"), [("app", "/tweede-factor/app"), ("iets", "/tweede-factor/webauthn")]
)
def test_adding_a_factor_starts_at_the_chosen_step(hr: FlaskClient, step: str, where: str) -> None:
    answer = post(
        hr,
        "/account/tweede-factor/toevoegen",
        {"step": step, "password": PASSWORD},
        page="/account/",
    )
    assert answer.headers["Location"] == where


def test_new_backup_codes_are_shown_once_and_replace_the_old(web: Web, hr: FlaskClient) -> None:
    actor = actor_of(web, hr)
    web.clock.advance(timedelta(seconds=1))
    answer = post(hr, "/account/back-up-codes", {"password": PASSWORD}, page="/account/")
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-store"
    codes = re.findall(
        r"<li>([^<]+)</li>", answer.get_data(as_text=True).split('id="backup-codes"')[1]
    )
    count = web.portal.settings.backup_code_count
    assert len(codes) == count
    assert web.portal.mfa.backup_codes_left(actor) == count
    again = hr.get("/account/").get_data(as_text=True)
    assert codes[0] not in again  # shown only once
    # A new code works for a login's second step.
    client = web.client()
    post(client, "/inloggen", {"username": "hr.acme", "password": PASSWORD})
    login = post(
        client, "/inloggen/code", {"method": "backup_code", "code": codes[0], "action": "verify"}
    )
    assert login.status_code == 302
    assert web.portal.mfa.backup_codes_left(actor) == count - 1


def test_the_service_desk_has_account_settings_too(desk: FlaskClient) -> None:
    page = desk.get("/account/")
    assert page.status_code == 200
    assert "Wachtwoord wijzigen" in page.get_data(as_text=True)


# The service desk -------------------------------------------------------------------------------


def test_hr_users_get_the_forbidden_page_on_every_desk_page(web: Web, hr: FlaskClient) -> None:
    employer = employer_named(web, "Acme B.V.")
    user = web.portal.admin.users(SERVICE_DESK, employer)[0].id
    token = csrf(hr.get("/account/"))
    for url in ("/servicebureau/", f"/servicebureau/werkgevers/{employer}",
                f"/servicebureau/werkgevers/{employer}/gebruikers"):  # fmt: skip
        answer = hr.get(url)
        assert answer.status_code == 403, url
        assert "Geen toegang" in answer.get_data(as_text=True)
    for url in (
        "/servicebureau/werkgevers",
        f"/servicebureau/werkgevers/{employer}/afdelingen",
        f"/servicebureau/werkgevers/{employer}/gebruikers",
        f"/servicebureau/werkgevers/{employer}/gebruikers/{user}/opnieuw-uitnodigen",
        f"/servicebureau/werkgevers/{employer}/gebruikers/{user}/intrekken",
        f"/servicebureau/werkgevers/{employer}/gebruikers/{user}/tweede-factor-resetten",
    ):
        answer = hr.post(url, data={"csrf_token": token, "name": "X", "email": "x@example.nl"})
        assert answer.status_code == 403, url
    assert web.portal.admin.departments(SERVICE_DESK, employer) == []
    assert len(web.portal.admin.employers(SERVICE_DESK)) == 1
    assert "Werkgevers" not in hr.get("/").get_data(as_text=True)


def test_signed_out_visitors_go_to_the_login(web: Web) -> None:
    client = web.client()
    for url in ("/servicebureau/", "/account/"):
        answer = client.get(url)
        assert answer.status_code == 302
        assert answer.headers["Location"] == "/inloggen"


def test_the_desk_creates_an_employer_and_adds_departments(web: Web, desk: FlaskClient) -> None:
    answer = post(
        desk, "/servicebureau/werkgevers", {"name": "  Nieuw   B.V. "}, page="/servicebureau/"
    )
    assert answer.status_code == 302
    employer = employer_named(web, "Nieuw B.V.")
    assert answer.headers["Location"] == f"/servicebureau/werkgevers/{employer}?melding=werkgever"
    listing = desk.get("/servicebureau/").get_data(as_text=True)
    assert "Nieuw B.V." in listing
    page = desk.get(answer.headers["Location"]).get_data(as_text=True)
    assert "De werkgever is aangemaakt." in page
    assert "nog geen afdelingen" in page

    url = f"/servicebureau/werkgevers/{employer}"
    added = post(desk, f"{url}/afdelingen", {"name": "Financiën"}, page=url)
    assert added.status_code == 302
    assert added.headers["Location"] == f"{url}?melding=afdeling"
    assert [d.name for d in web.portal.admin.departments(SERVICE_DESK, employer)] == ["Financiën"]
    shown = desk.get(added.headers["Location"]).get_data(as_text=True)
    assert "De afdeling is toegevoegd." in shown
    assert "<li>Financiën</li>" in shown

    twice = post(desk, f"{url}/afdelingen", {"name": "financiën"}, page=url)
    assert twice.status_code == 200
    assert "heeft al een afdeling" in twice.get_data(as_text=True)
    empty = post(desk, f"{url}/afdelingen", {"name": "   "}, page=url)
    assert "Vul een naam in." in empty.get_data(as_text=True)
    assert 'aria-invalid="true"' in empty.get_data(as_text=True)
    duplicate = post(
        desk, "/servicebureau/werkgevers", {"name": "nieuw b.v."}, page="/servicebureau/"
    )
    assert duplicate.status_code == 200
    assert "Er bestaat al een werkgever" in duplicate.get_data(as_text=True)
    missing = post(desk, "/servicebureau/werkgevers", {}, page="/servicebureau/")
    assert "Vul een naam in." in missing.get_data(as_text=True)
    huge = post(desk, "/servicebureau/werkgevers", {"name": "x" * 100_000}, page="/servicebureau/")
    assert huge.status_code == 200
    assert "hoogstens 200 tekens" in huge.get_data(as_text=True)
    assert len(web.portal.admin.employers(SERVICE_DESK)) == 1


def test_the_desk_invites_a_user_who_gets_the_mail(web: Web, desk: FlaskClient) -> None:
    employer = web.portal.admin.create_employer(SERVICE_DESK, "Mail B.V.").id
    url = f"/servicebureau/werkgevers/{employer}/gebruikers"
    answer = post(desk, url, {"email": "nieuw@example.nl", "username": "nieuw.hr"})
    assert answer.status_code == 302
    assert answer.headers["Location"] == f"{url}?melding=uitgenodigd"
    web.portal.outbox.dispatch_due()
    mail = web.mailer.sent[-1]
    assert mail["To"] == "nieuw@example.nl"
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None
    assert "/registreren/" in body.get_content()
    (user,) = web.portal.admin.users(SERVICE_DESK, employer)
    assert user.username == "nieuw.hr"
    assert user.status is AccountStatus.INVITED
    assert user.employer_id == employer
    page = desk.get(answer.headers["Location"]).get_data(as_text=True)
    assert "De uitnodiging is verstuurd." in page
    assert "Uitgenodigd" in page
    assert "Opnieuw uitnodigen" in page

    # The link works: the invitee registers.
    client = web.client()
    registered = post(
        client, f"/registreren/{web.last_link()}", {"password": PASSWORD, "repeat": PASSWORD}
    )
    assert registered.headers["Location"].startswith("/tweede-factor/")


def test_an_invitation_with_bad_details_names_each_field(web: Web, desk: FlaskClient) -> None:
    employer = web.portal.admin.create_employer(SERVICE_DESK, "Fout B.V.").id
    url = f"/servicebureau/werkgevers/{employer}/gebruikers"
    bad = post(desk, url, {"email": "geen-adres", "username": "a b"})
    assert bad.status_code == 200
    text = bad.get_data(as_text=True)
    assert 'id="e-email"' in text
    assert 'id="e-username"' in text
    assert 'value="geen-adres"' in text  # what was typed stays
    missing = post(desk, url, {})
    assert missing.status_code == 200
    assert 'id="e-email"' in missing.get_data(as_text=True)
    huge = post(desk, url, {"email": "x" * 100_000, "username": "y" * 100_000})
    assert huge.status_code == 200
    assert web.portal.admin.users(SERVICE_DESK, employer) == []
    # A taken username.
    post(desk, url, {"email": "een@example.nl", "username": "dubbel"})
    taken = post(desk, url, {"email": "twee@example.nl", "username": "Dubbel"})
    assert taken.status_code == 200
    assert "al in gebruik" in taken.get_data(as_text=True)


def test_too_many_invitations_to_one_address_are_throttled(web: Web, desk: FlaskClient) -> None:
    employer = web.portal.admin.create_employer(SERVICE_DESK, "Vol B.V.").id
    url = f"/servicebureau/werkgevers/{employer}/gebruikers"
    limit = web.portal.settings.account_mail_limit
    for n in range(limit):
        assert (
            post(desk, url, {"email": "vol@example.nl", "username": f"vol{n}"}).status_code == 302
        )
    answer = post(desk, url, {"email": "vol@example.nl", "username": "vol.extra"})
    assert answer.status_code == 200
    text = answer.get_data(as_text=True)
    assert "Er zijn net al uitnodigingen naar dit adres gestuurd." in text
    assert "Dat kan weer na" in text


def test_resend_and_revoke_an_invitation(web: Web, desk: FlaskClient) -> None:
    employer = web.portal.admin.create_employer(SERVICE_DESK, "Weer B.V.").id
    invitation = web.portal.admin.invite_user(
        SERVICE_DESK, employer, email="w@example.nl", username="weer"
    )
    first = web.last_link()
    url = f"/servicebureau/werkgevers/{employer}/gebruikers"
    user_url = f"{url}/{invitation.user_id}"
    resent = post(desk, f"{user_url}/opnieuw-uitnodigen", {}, page=url)
    assert resent.status_code == 302
    assert resent.headers["Location"] == f"{url}?melding=uitgenodigd"
    second = web.last_link()
    assert second != first
    revoked = post(desk, f"{user_url}/intrekken", {}, page=url)
    assert revoked.status_code == 302
    page = desk.get(revoked.headers["Location"]).get_data(as_text=True)
    assert "De uitnodiging is ingetrokken" in page
    assert "Uitgeschakeld" in page
    assert web.portal.admin.users(SERVICE_DESK, employer)[0].status is AccountStatus.DISABLED
    again = post(desk, f"{user_url}/opnieuw-uitnodigen", {}, page=url)
    assert again.status_code == 200
    assert "al geregistreerd of is uitgeschakeld" in again.get_data(as_text=True)
    twice = post(desk, f"{user_url}/intrekken", {}, page=url)
    assert twice.status_code == 200
    # The link is dead.
    dead = web.client().get(f"/registreren/{second}")
    assert dead.status_code == 410
    assert "verlopen of al gebruikt" in dead.get_data(as_text=True)


def test_the_desk_resets_a_users_second_factor(
    web: Web, hr: FlaskClient, desk: FlaskClient
) -> None:
    employer = employer_named(web, "Acme B.V.")
    actor = actor_of(web, hr)
    url = f"/servicebureau/werkgevers/{employer}/gebruikers"
    page = desk.get(url).get_data(as_text=True)
    assert "hr.acme" in page
    assert "Actief" in page
    answer = post(desk, f"{url}/{actor.user_id}/tweede-factor-resetten", {}, page=url)
    assert answer.status_code == 302
    assert answer.headers["Location"] == f"{url}?melding=reset"
    assert "De tweede factor van de gebruiker is gereset." in desk.get(
        answer.headers["Location"]
    ).get_data(as_text=True)
    assert hr.get("/account/").status_code == 302  # every session ended
    (user,) = web.portal.admin.users(SERVICE_DESK, employer)
    assert user.status is AccountStatus.ENROLLING
    login = post(web.client(), "/inloggen", {"username": "hr.acme", "password": PASSWORD})
    assert login.headers["Location"].startswith("/tweede-factor/")  # a new setup


def test_ids_of_another_employer_or_nobody_are_not_found(web: Web, desk: FlaskClient) -> None:
    mine = web.portal.admin.create_employer(SERVICE_DESK, "Mijn B.V.").id
    other = web.portal.admin.create_employer(SERVICE_DESK, "Ander B.V.").id
    stranger = web.portal.admin.invite_user(
        SERVICE_DESK, other, email="a@example.nl", username="ander"
    )
    url = f"/servicebureau/werkgevers/{mine}/gebruikers/{stranger.user_id}"
    page = f"/servicebureau/werkgevers/{mine}/gebruikers"
    for action in ("opnieuw-uitnodigen", "intrekken", "tweede-factor-resetten"):
        assert post(desk, f"{url}/{action}", {}, page=page).status_code == 404
    assert web.portal.admin.users(SERVICE_DESK, other)[0].status is AccountStatus.INVITED
    for path in ("", "/gebruikers"):
        assert desk.get(f"/servicebureau/werkgevers/bestaat-niet{path}").status_code == 404
        assert desk.get(f"/servicebureau/werkgevers/{'x' * 5000}{path}").status_code == 404
    missing = post(
        desk, "/servicebureau/werkgevers/bestaat-niet/afdelingen", {"name": "X"},
        page="/servicebureau/",
    )  # fmt: skip
    assert missing.status_code == 404


# Hostile requests -------------------------------------------------------------------------------


def test_forms_without_a_token_are_refused(web: Web, hr: FlaskClient, desk: FlaskClient) -> None:
    employer = employer_named(web, "Acme B.V.")
    hr.get("/account/")
    for url in (
        "/account/wachtwoord",
        "/account/back-up-codes",
        "/account/tweede-factor/toevoegen",
        "/account/tweede-factor/x/verwijderen",
    ):
        answer = hr.post(
            url, data={"current": PASSWORD, "new": NEW_PASSWORD, "repeat": NEW_PASSWORD}
        )
        assert answer.status_code == 400, url
        forged = hr.post(url, data={"csrf_token": "0" * 64})
        assert forged.status_code == 400, url
    desk.get("/servicebureau/")
    for url in (
        "/servicebureau/werkgevers",
        f"/servicebureau/werkgevers/{employer}/afdelingen",
        f"/servicebureau/werkgevers/{employer}/gebruikers",
    ):
        assert desk.post(url, data={"name": "Zonder token"}).status_code == 400, url
    other_site = desk.post(
        "/servicebureau/werkgevers",
        data={"csrf_token": csrf(desk.get("/servicebureau/")), "name": "Vals B.V."},
        headers={"Origin": "https://kwaadwillend.example"},
    )
    assert other_site.status_code == 400
    assert len(web.portal.admin.employers(SERVICE_DESK)) == 1
    assert web.portal.admin.departments(SERVICE_DESK, employer) == []


def test_wrong_methods_and_odd_input_never_fail(
    web: Web, hr: FlaskClient, desk: FlaskClient
) -> None:
    employer = employer_named(web, "Acme B.V.")
    token = csrf(hr.get("/account/"))
    for url in (
        "/account/wachtwoord",
        "/account/back-up-codes",
        "/account/tweede-factor/toevoegen",
    ):
        assert hr.get(url).status_code == 405, url
    assert hr.put("/account/", data={"csrf_token": token}).status_code == 405
    assert hr.delete("/account/tweede-factor/x/verwijderen").status_code in (400, 405)
    odd = hr.post(
        "/account/wachtwoord",
        data={
            "csrf_token": token,
            "current": ["a", "b"],
            "new": "\x00" * 50,
            "repeat": "\x00" * 50,
        },
    )
    assert odd.status_code == 200
    long = hr.post(
        "/account/wachtwoord",
        data={"csrf_token": token, "current": "x" * 200_000, "new": "y" * 200_000, "repeat": "y"},
    )
    assert long.status_code == 200
    too_big = hr.post("/account/wachtwoord", data={"csrf_token": token, "new": "z" * 2_000_000})
    assert too_big.status_code in (400, 413)
    desk_token = csrf(desk.get("/servicebureau/"))
    for url in ("/servicebureau/werkgevers", f"/servicebureau/werkgevers/{employer}/afdelingen"):
        assert desk.get(url).status_code == 405, url
        weird = desk.post(url, data={"csrf_token": desk_token, "name": "\u202e\u0000evil"})
        assert weird.status_code == 200, url
        assert "ongeldige tekens" in weird.get_data(as_text=True)
    invite = desk.post(
        f"/servicebureau/werkgevers/{employer}/gebruikers",
        data={"csrf_token": desk_token, "email": "=cmd|' /C calc'!A0", "username": "<script>"},
    )
    assert invite.status_code == 200
    assert "<script>" not in invite.get_data(as_text=True).split("<body>")[1].split("</main>")[0]
    for answer in (odd, long, weird, invite):
        assert "Er ging iets mis" not in answer.get_data(as_text=True)


def test_the_desk_pages_follow_the_house_rules(web: Web, desk: FlaskClient) -> None:
    employer = web.portal.admin.create_employer(SERVICE_DESK, "Regels B.V.").id
    web.portal.admin.invite_user(SERVICE_DESK, employer, email="r@example.nl", username="regels")
    for url in (
        "/servicebureau/",
        f"/servicebureau/werkgevers/{employer}",
        f"/servicebureau/werkgevers/{employer}/gebruikers",
        "/account/",
    ):
        text = desk.get(url).get_data(as_text=True)
        assert "style=" not in text, url
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), url
        assert not re.search(r"\son[a-z]+=", text), url
        ids = set(re.findall(r'<label for="([^"]+)"', text))
        for control in re.findall(r"<(?:input|select|textarea)\b([^>]*)>", text):
            if 'type="hidden"' in control:
                continue
            found = re.search(r'id="([^"]+)"', control)
            assert found, (url, control)
            assert found.group(1) in ids, (url, control)
        assert 'method="post"' in text
        assert text.count('name="csrf_token"') == text.count('method="post"'), url


def test_changing_how_one_signs_in_asks_for_the_password_again(web: Web, hr: FlaskClient) -> None:
    actor = actor_of(web, hr)
    left = web.portal.mfa.backup_codes_left(actor)
    for url, data in (
        ("/account/back-up-codes", {}),
        ("/account/back-up-codes", {"password": "Verkeerd-2026!!"}),
        ("/account/tweede-factor/toevoegen", {"step": "sms", "password": "nope"}),
    ):
        answer = post(hr, url, data, page="/account/")
        assert answer.status_code == 200, url
        assert "Je wachtwoord klopt niet" in answer.get_data(as_text=True)
    assert web.portal.mfa.backup_codes_left(actor) == left
    assert hr.get_cookie("oc_enroll") is None
