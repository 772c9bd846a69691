"""Erasing an employee from the dossier: the button, the confirmation page that names the
person and asks for the reason, the erasure, and who may."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from onzecoach.actors import SERVICE_DESK
from onzecoach.employees import Employee
from web.conftest import Web, csrf, post, sign_in, sign_up
from web.test_hr import actor, employee, trajectory


def person(web: Web, employer: str = "Acme B.V.") -> Employee:
    return employee(
        web,
        employer,
        last_name="Wijnands",
        given_name="Mirjam",
        initials="M.",
        employee_number="P-4711",
        birth_date="1979-11-23",
        email="mirjam.wijnands@example.nl",
    )


def page_url(found: Employee) -> str:
    return f"/werknemers/{found.id}/verwijderen"


def text(answer: object) -> str:
    return answer.get_data(as_text=True)  # type: ignore[attr-defined, no-any-return]


def test_the_dossier_leads_to_a_confirmation_that_names_the_person_and_says_what_happens(
    web: Web, hr: FlaskClient
) -> None:
    found = person(web)
    dossier = text(hr.get(f"/werknemers/{found.id}"))
    assert f'href="{page_url(found)}"' in dossier
    assert "Werknemer verwijderen (AVG)" in dossier

    page = hr.get(page_url(found))

    assert page.status_code == 200
    shown = text(page)
    assert "Wijnands, M. (Mirjam)" in shown
    assert "P-4711" in shown
    assert "23 november 1979" in shown
    for consequence in (
        "worden afgezegd",
        "Alle persoonsgegevens worden gewist",
        "De statistieken blijven bewaard",
        "Dit kan niet ongedaan worden gemaakt.",
    ):
        assert consequence in shown
    assert 'name="reason"' in shown
    assert 'name="csrf_token"' in shown


def test_hr_erases_and_is_sent_back_to_the_list_and_the_dossier_is_gone(
    web: Web, hr: FlaskClient
) -> None:
    found = person(web)
    trajectory(web, found)
    kept = employee(web, last_name="Blijft", email="blijft@example.nl")
    assert f"/werknemers/{found.id}" in text(hr.get("/zoeken?q=Wijnands"))

    done = post(hr, page_url(found), {"reason": "Verzoek van de werknemer"})

    assert done.status_code == 302
    assert done.headers["Location"] == "/zoeken?melding=verwijderd"
    listed = text(hr.get(done.headers["Location"]))
    assert "De werknemer is verwijderd." in listed
    assert hr.get(f"/werknemers/{found.id}").status_code == 404
    assert hr.get(page_url(found)).status_code == 404
    assert f"/werknemers/{found.id}" not in text(hr.get("/zoeken?q=Wijnands"))
    assert web.portal.search.employees(actor(web), "Wijnands").total == 0
    assert hr.get(f"/werknemers/{kept.id}").status_code == 200
    with web.portal.storage.unit_of_work() as uow:
        tombstone = uow.employees.get(found.id)
    assert tombstone is not None
    assert tombstone.is_erased


def test_an_empty_or_too_long_reason_is_named_in_dutch_and_nothing_is_erased(
    web: Web, hr: FlaskClient
) -> None:
    found = person(web)
    for reason, message in (
        ("", "Geef de reden van het verwijderen."),
        ("   ", "Geef de reden van het verwijderen."),
        ("x" * 501, "Een reden heeft hoogstens 500 tekens."),
    ):
        answer = post(hr, page_url(found), {"reason": reason})
        assert answer.status_code == 200
        shown = text(answer)
        assert re.search(rf'<p class="error" id="e-reason">{re.escape(message)}</p>', shown)
        assert 'aria-invalid="true"' in shown
        assert "Wijnands, M. (Mirjam)" in shown
    assert hr.get(f"/werknemers/{found.id}").status_code == 200


def test_a_post_without_the_csrf_token_is_refused_and_erases_nothing(
    web: Web, hr: FlaskClient
) -> None:
    found = person(web)
    refused = hr.post(page_url(found), data={"reason": "Verzoek"})
    assert refused.status_code == 400
    forged = hr.post(page_url(found), data={"reason": "Verzoek", "csrf_token": "x" * 64})
    assert forged.status_code == 400
    assert hr.get(f"/werknemers/{found.id}").status_code == 200


def test_another_employers_hr_gets_404_and_erases_nothing(web: Web, hr: FlaskClient) -> None:
    found = person(web)
    other = sign_in(web, "hr.ander", sign_up(web, employer="Ander B.V.", username="hr.ander"))
    assert other.get(page_url(found)).status_code == 404
    token = csrf(other.get("/zoeken"))
    answer = other.post(page_url(found), data={"csrf_token": token, "reason": "Verzoek"})
    assert answer.status_code == 404
    assert "Wijnands" not in text(answer)
    assert hr.get(f"/werknemers/{found.id}").status_code == 200


def test_the_service_desk_erases_by_the_page_and_is_sent_to_the_employers_employees(
    web: Web, desk: FlaskClient
) -> None:
    found = person(web)
    page = desk.get(page_url(found))
    assert page.status_code == 200
    assert "Wijnands, M. (Mirjam)" in text(page)
    done = desk.post(page_url(found), data={"csrf_token": csrf(page), "reason": "Verzoek"})
    assert done.status_code == 302
    assert (
        done.headers["Location"]
        == f"/servicebureau/werkgevers/{found.employer_id}/werknemers?melding=verwijderd"
    )
    assert "De werknemer is verwijderd." in text(desk.get(done.headers["Location"]))
    assert desk.get(page_url(found)).status_code == 404
    assert [e.employee_id for e in web.portal.privacy.erasures(SERVICE_DESK)] == [found.id]


def test_signed_out_the_page_asks_for_a_login(web: Web) -> None:
    found = person(web)
    answer = web.client().get(page_url(found))
    assert answer.status_code == 302
    assert "/inloggen" in answer.headers["Location"]
