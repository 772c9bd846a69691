"""Erasing an employee from the dossier in a real browser: the button, the confirmation
that names the person, the reason the portal asks for, and the person gone from search."""

from __future__ import annotations

from datetime import date
from typing import Any

from browser.conftest import Live, open_page
from browser.flows import log_in, no_shots, register_with_totp
from onzecoach import Actor, Role
from onzecoach.actors import SERVICE_DESK


def test_hr_erases_from_the_dossier_and_the_person_is_gone_from_search(
    browser: Any, live: Live
) -> None:
    portal = live.portal
    employer = portal.admin.create_employer(SERVICE_DESK, "Acme B.V.").id
    hr = Actor(user_id=None, employer_id=employer, role=Role.HR)
    people = {}
    for last, number in (("Wijnands", "P-4711"), ("Wijnberg", "P-4712")):
        people[last] = portal.employees.register(
            hr,
            {
                "last_name": last,
                "given_name": "Mirjam",
                "initials": "M",
                "gender": "female",
                "birth_date": date(1979, 11, 23),
                "email": f"{last.lower()}@example.nl",
                "employee_number": number,
                "registration_type": "OnzeCoach",
            },
        ).id
        portal.trajectories.start(
            hr, people[last], type_code="ONC-IND-4", start_date=live.clock.now().date()
        )
    portal.admin.invite_user(SERVICE_DESK, employer, email="hr@example.nl", username="hr.acme")
    with open_page(browser) as page:
        secret = register_with_totp(live, page, no_shots, "hr.acme")
        log_in(live, page, no_shots, "hr.acme", secret)
        page.goto(f"{live.url}/zoeken?q=wijn")
        page.get_by_role("link", name="Wijnands, M. (Mirjam)").click()
        page.get_by_role("link", name="Werknemer verwijderen (AVG)").click()

        named = page.locator("#te-verwijderen").inner_text()
        assert "Wijnands, M. (Mirjam)" in named
        assert "P-4711" in named
        assert "23 november 1979" in named
        assert "Dit kan niet ongedaan worden gemaakt." in page.locator("#gevolgen").inner_text()
        # Only spaces: the browser lets it through, the portal names the field.
        page.get_by_label("Reden van het verwijderen").fill("   ")
        page.get_by_role("button", name="Definitief verwijderen").click()
        assert page.locator("#e-reason").inner_text() == "Geef de reden van het verwijderen."
        page.get_by_label("Reden van het verwijderen").fill("Verzoek van de werknemer")
        page.get_by_role("button", name="Definitief verwijderen").click()

        page.get_by_text("De werknemer is verwijderd.").wait_for()
        assert page.url.startswith(f"{live.url}/zoeken")
        page.locator("#f-q").fill("wijn")
        page.get_by_role("button", name="Zoeken").click()
        page.get_by_role("link", name="Wijnberg, M. (Mirjam)").wait_for()
        assert page.get_by_role("link", name="Wijnands, M. (Mirjam)").count() == 0
        answer = page.goto(f"{live.url}/werknemers/{people['Wijnands']}")
        assert answer.status == 404
