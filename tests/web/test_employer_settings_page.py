"""The service desk's page of an employer's settings (.../werkgevers/<id>/instellingen)."""

from __future__ import annotations

import re
from datetime import timedelta

from flask.testing import FlaskClient

from onzecoach.actors import SERVICE_DESK
from onzecoach.employers import EmployerPolicy
from web.conftest import Web, csrf, post


def settings_url(employer: str) -> str:
    return f"/servicebureau/werkgevers/{employer}/instellingen"


def selected(page: str, name: str) -> str:
    field = page.split(f'id="f-{name}"', 1)[1].split("</select>", 1)[0]
    found = re.search(r'<option value="([a-z]+)" selected>', field)
    assert found, field
    return found.group(1)


def test_the_page_shows_the_defaults_and_saves_an_override(web: Web, desk: FlaskClient) -> None:
    employer = web.portal.admin.create_employer(SERVICE_DESK, "Acme B.V.").id
    page = desk.get(settings_url(employer))
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "tot 24 uur voor het gesprek (standaard van het portaal)" in text
    assert 'aria-current="page">Instellingen</a>' in text
    assert selected(text, "late_cancellations_count") == "standaard"
    assert "Standaard van het portaal (ja)" in text
    assert 'for="f-cancellation_notice"' in text
    assert "style=" not in text

    answer = post(
        desk,
        settings_url(employer),
        {
            "cancellation_notice": "1,5",
            "late_cancellations_count": "nee",
            "no_shows_count": "standaard",
            "passkey_login": "standaard",
        },
    )
    assert answer.status_code == 302
    assert answer.headers["Location"] == f"{settings_url(employer)}?melding=instellingen"
    assert web.portal.admin.employer_policy(SERVICE_DESK, employer) == EmployerPolicy(
        timedelta(minutes=90), False, True, passkey_login=False
    )
    shown = desk.get(answer.headers["Location"]).get_data(as_text=True)
    assert "De instellingen van de werkgever zijn opgeslagen." in shown
    assert "tot 1 uur en 30 minuten voor het gesprek</dd>" in shown
    assert 'value="1,5"' in shown
    assert selected(shown, "late_cancellations_count") == "nee"
    assert selected(shown, "no_shows_count") == "standaard"

    # Back to the defaults: an empty notice and "standaard" everywhere.
    reset = post(
        desk,
        settings_url(employer),
        {
            "cancellation_notice": "",
            "late_cancellations_count": "standaard",
            "no_shows_count": "ja",
            "passkey_login": "standaard",
        },
    )
    assert reset.status_code == 302
    own = web.portal.admin.employer_settings(SERVICE_DESK, employer)
    assert own is not None
    assert own.overridden == ("no_shows_count",)


def test_a_bad_value_is_named_next_to_its_field_and_nothing_is_saved(
    web: Web, desk: FlaskClient
) -> None:
    employer = web.portal.admin.create_employer(SERVICE_DESK, "Acme B.V.").id
    for notice, message in (
        ("400", "tot en met 14 dagen"),
        ("-1", "tot en met 14 dagen"),
        ("0,001", "hele minuten"),
        ("een dag", "Vul een aantal uren in"),
        ("nan", "Vul een aantal uren in"),
    ):
        answer = post(
            desk,
            settings_url(employer),
            {
                "cancellation_notice": notice,
                "late_cancellations_count": "ja",
                "no_shows_count": "nee",
                "passkey_login": "nee",
            },
        )
        assert answer.status_code == 200, notice
        text = answer.get_data(as_text=True)
        assert message in text, notice
        assert 'id="f-cancellation_notice" name="cancellation_notice"' in text
        assert 'aria-invalid="true" aria-describedby="e-cancellation_notice"' in text
        assert f'value="{notice}"' in text
    odd = post(
        desk,
        settings_url(employer),
        {"cancellation_notice": "", "late_cancellations_count": "misschien"},
    )
    assert odd.status_code == 200
    text = odd.get_data(as_text=True)
    assert 'aria-invalid="true" aria-describedby="e-late_cancellations_count"' in text
    assert 'aria-describedby="e-no_shows_count"' in text
    assert web.portal.admin.employer_settings(SERVICE_DESK, employer) is None


def test_passkey_sign_in_is_allowed_per_employer(web: Web, desk: FlaskClient) -> None:
    employer = web.portal.admin.create_employer(SERVICE_DESK, "Acme B.V.").id
    text = desk.get(settings_url(employer)).get_data(as_text=True)
    assert "Inloggen met alleen een passkey</dt>" in text
    assert "niet toegestaan (standaard van het portaal)" in text
    assert selected(text, "passkey_login") == "standaard"
    assert not web.portal.auth.passkey_offered()
    answer = post(
        desk,
        settings_url(employer),
        {
            "cancellation_notice": "",
            "late_cancellations_count": "standaard",
            "no_shows_count": "standaard",
            "passkey_login": "ja",
        },
    )
    assert answer.status_code == 302
    assert web.portal.admin.employer_policy(SERVICE_DESK, employer).passkey_login
    shown = desk.get(answer.headers["Location"]).get_data(as_text=True)
    assert selected(shown, "passkey_login") == "ja"
    assert "<dd>toegestaan</dd>" in shown
    # The login page offers it now that an employer allows it.
    assert web.portal.auth.passkey_offered()
    assert "Inloggen met passkey" in web.client().get("/inloggen").get_data(as_text=True)


def test_hr_and_strangers_cannot_reach_the_page(
    web: Web, hr: FlaskClient, desk: FlaskClient
) -> None:
    employer = next(e.id for e in web.portal.admin.employers(SERVICE_DESK) if e.name == "Acme B.V.")
    assert hr.get(settings_url(employer)).status_code == 403
    token = csrf(hr.get("/account/"))
    refused = hr.post(
        settings_url(employer),
        data={"csrf_token": token, "cancellation_notice": "1", "no_shows_count": "nee"},
    )
    assert refused.status_code == 403
    assert web.portal.admin.employer_settings(SERVICE_DESK, employer) is None
    assert desk.get(settings_url("bestaat-niet")).status_code == 404
    assert desk.get(settings_url("x" * 5000)).status_code == 404
