"""The manual's journey in a real browser, each step's screenshot kept as an artifact.

Every page on the way is checked with axe-core by the ``page`` fixture (conftest.py).
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pyotp

from browser.conftest import Live, Shots
from browser.flows import PASSWORD, desk_user, log_in, register_with_totp, sms_code
from onzecoach import Actor, Role
from onzecoach.actors import SERVICE_DESK


def test_register_set_up_the_app_log_out_and_in(live: Live, page: Any, shots: Shots) -> None:
    employer = live.portal.admin.create_employer(SERVICE_DESK, "Acme B.V.").id
    live.portal.admin.invite_user(SERVICE_DESK, employer, email="hr@example.nl", username="hr.acme")
    secret = register_with_totp(live, page, shots, "hr.acme")
    page.get_by_role("link", name="Naar inloggen").click()
    log_in(live, page, shots, "hr.acme", secret)
    shots("home")
    page.get_by_role("button", name="Uitloggen").click()
    assert re.search(r"/inloggen", page.url)
    assert page.get_by_text("Je bent uitgelogd.").is_visible()


def test_a_wrong_code_and_a_weak_password_say_what_is_wrong(
    live: Live, page: Any, shots: Shots
) -> None:
    employer = live.portal.admin.create_employer(SERVICE_DESK, "Fout B.V.").id
    live.portal.admin.invite_user(
        SERVICE_DESK, employer, email="f@example.nl", username="fout.user"
    )
    link = f"{live.url}/registreren/{live.last_link()}"
    page.goto(link)
    rule = page.locator("li[data-rule=contains_username]")
    page.locator("#f-password").fill("Mijn-FOUT.USER-2026")
    assert rule.get_attribute("class") == "bad"  # the username, in any case
    page.locator("#f-password").fill("alleenkleineletters")
    assert rule.get_attribute("class") == "ok"
    page.locator("#f-repeat").fill("alleenkleineletters")
    page.get_by_role("button", name="Opslaan").click()
    assert page.get_by_text("Dit wachtwoord voldoet niet").is_visible()
    shots("zwak-wachtwoord")
    page.locator("#f-password").fill(PASSWORD)
    page.locator("#f-repeat").fill(PASSWORD)
    page.get_by_role("button", name="Opslaan").click()
    page.get_by_role("button", name="Geen SMS bevestiging gebruiken").click()
    page.get_by_role("button", name="Overslaan").click()
    page.locator("#f-code").fill("000000")
    page.get_by_role("button", name="Bevestigen").click()
    assert page.get_by_text("Deze code klopt niet").is_visible()
    shots("verkeerde-code")
    page.goto(link)  # used now
    assert page.get_by_text("Deze link is verlopen of al gebruikt.").is_visible()
    shots("link-gebruikt")


def test_the_journey_of_the_manual(live: Live, page: Any, shots: Shots) -> None:
    """The service desk invites; HR registers and logs in, adds an employee, starts
    coaching, finds the dossier by three letters, completes a task, reads the statistics."""
    desk_user(live)
    page.goto(f"{live.url}/inloggen")
    page.locator("#f-username").fill("desk.user")
    page.locator("#f-password").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.locator("#f-code").fill(sms_code(live))  # the SMS went out at once
    page.get_by_role("button", name="Inloggen").click()
    page.locator("#f-name").fill("Reis B.V.")
    page.get_by_role("button", name="Werkgever aanmaken").click()
    assert page.get_by_role("heading", name="Reis B.V.").is_visible()
    page.locator("#f-name").fill("Klantenservice")
    page.get_by_role("button", name="Afdeling toevoegen").click()
    page.get_by_role("link", name="Gebruikers").click()
    page.locator("#f-email").fill("reis@example.nl")
    page.locator("#f-username").fill("hr.reis")
    shots("servicebureau-uitnodigen")
    page.get_by_role("button", name="Uitnodiging versturen").click()
    assert page.get_by_text("De uitnodiging is verstuurd.").is_visible()
    page.get_by_role("button", name="Uitloggen").click()
    employer = next(
        e.id for e in live.portal.admin.employers(SERVICE_DESK) if e.name == "Reis B.V."
    )

    secret = register_with_totp(live, page, shots, "hr.reis")
    log_in(live, page, shots, "hr.reis", secret)

    # Werknemer toevoegen: the registration type first, then the form.
    page.get_by_role("link", name="Werknemer toevoegen").click()
    page.get_by_role("button", name="Verder met registratie").click()
    shots("werknemer-formulier")
    page.get_by_role("button", name="Aanmelden").click()
    # Missing required fields: the browser holds the form and points at the first one.
    assert page.locator("#f-last_name").evaluate("field => field.validity.valueMissing")
    assert page.get_by_role("button", name="Aanmelden").is_visible()
    shots("werknemer-ontbrekend")
    page.locator("#f-last_name").fill("Bergen")
    page.locator("#f-name_infix").fill("van den")
    page.locator("#f-given_name").fill("Anna")
    page.locator("#f-initials").fill("am")
    page.locator("#f-gender").select_option("female")
    page.locator("#f-birth_date").fill("1985-04-12")
    page.locator("#f-email").fill("anna@example.nl")
    page.locator("#f-department_id").select_option(label="Klantenservice")
    page.get_by_role("button", name="Aanmelden").click()
    assert page.get_by_text("De werknemer is toegevoegd.").is_visible()
    shots("dossier-nieuw")

    # Coaching starten from the dossier: today is the default start date.
    page.get_by_role("link", name="Coaching starten").first.click()
    page.locator("#f-type_code").select_option("ONC-IND-4")
    shots("coaching-starten")
    page.get_by_role("button", name="Starten").click()
    assert page.get_by_text("Het coachtraject is gestart").is_visible()

    # Find the dossier by typing three letters; the results come while typing.
    page.get_by_role("link", name="Home").click()
    page.locator("#f-q").press_sequentially("ber", delay=50)
    hit = page.locator("#zoek-resultaten a").first
    hit.wait_for()
    shots("zoeken")
    hit.click()
    page.get_by_role("link", name="Trajectendossier").click()
    shots("trajectendossier")
    assert page.get_by_text("ONC - individuele coaching (4 gesprekken)").first.is_visible()

    # The booking side asks for an extension; HR marks the task done.
    hr = Actor(user_id=None, employer_id=employer, role=Role.HR)
    found = live.portal.search.employees(hr, "ber").hits[0]
    trajectory = live.portal.employees.dossier(hr, found.employee_id)
    live.portal.trajectories.request_extension(
        SERVICE_DESK, trajectory.trajectories[0].id, note="Eén extra"
    )
    page.goto(f"{live.url}/taken")
    shots("taken")
    page.get_by_role("button", name="Uitgevoerd").click()
    assert page.get_by_text("De taak is afgehandeld.").is_visible()

    # Another request, approved while the trajectory runs: the extension starts beside it,
    # and the trajectory tab shows both.
    live.portal.trajectories.request_extension(
        SERVICE_DESK, trajectory.trajectories[0].id, note="Nog één gesprek"
    )
    page.goto(f"{live.url}/taken")
    page.get_by_role("button", name="Verlenging goedkeuren").click()
    assert page.get_by_text("De taak is afgehandeld.").is_visible()
    page.goto(f"{live.url}/werknemers/{found.employee_id}?tab=trajecten")
    shots("verlenging")
    assert page.get_by_text("ONC - verlenging individuele coaching (1 gesprek)").first.is_visible()
    assert page.get_by_text("ONC - individuele coaching (4 gesprekken)").first.is_visible()
    journeys = live.portal.employees.dossier(hr, found.employee_id).trajectories
    assert [(row.is_extension, row.status_label) for row in journeys] == [
        (True, "Traject gestart"),
        (False, "Traject gestart"),
    ]

    # Statistics: a held session reported today shows in the figures and the chart.
    live.portal.trajectories.record_appointment(
        SERVICE_DESK,
        trajectory.trajectories[0].id,
        external_id="pa-1",
        starts_at=live.clock.now(),
        status="held",
        mode="online",
        theme="Werkdruk",
    )
    page.get_by_role("link", name="Statistieken").click()
    page.wait_for_function(
        "() => window.Chart && Chart.getChart(document.getElementById('chart-modes'))"
    )
    board = live.portal.stats.dashboard(hr, start=date(2025, 4, 1), end=date(2026, 3, 31))
    assert board.held_sessions == 1
    # What Chart.js drew is what the dashboard says, month by month and by mode.
    drawn_months = page.evaluate(
        "Chart.getChart(document.getElementById('chart-months')).data.datasets[0].data"
    )
    assert drawn_months == list(board.sessions_per_month.values())
    drawn_modes = page.evaluate(
        "Chart.getChart(document.getElementById('chart-modes')).data.datasets[0].data"
    )
    assert drawn_modes == [board.live_sessions, board.online_sessions]
    assert page.get_by_role("link", name="Klantenservice").first.is_visible()
    shots("statistieken")

    # Werknemers importeren: check the file first, then import it.
    rows = (
        "Personeelsnummer;Achternaam;Roepnaam;Voorletters;Geslacht;Geboortedatum;E-mail;Afdeling\n"
        "7001;Visser;Sanne;S.;vrouw;01-02-1990;sanne@example.nl;Klantenservice\n"
        "7002;;Kees;K.;robot;01-02-1990;kees@example.nl;Klantenservice\n"
    )
    file = {"name": "mensen.csv", "mimeType": "text/csv", "buffer": rows.encode()}
    page.get_by_role("link", name="Home").click()
    page.get_by_role("link", name="Werknemers importeren").click()
    page.locator("#f-bestand").set_input_files(file)
    page.get_by_role("button", name="Controleren").click()
    page.get_by_text("Controle: er is nog niets opgeslagen").wait_for()
    assert page.get_by_role("cell", name="Achternaam", exact=True).is_visible()  # row 3
    shots("importeren-controle")
    assert live.portal.search.employees(hr, "vis").total == 0
    page.locator("#f-bestand").set_input_files(file)
    page.get_by_role("button", name="Importeren").click()
    page.get_by_text("Import voltooid").wait_for()
    assert live.portal.search.employees(hr, "vis").total == 1


def test_usable_at_phone_width_and_with_the_keyboard(live: Live, page: Any, shots: Shots) -> None:
    employer = live.portal.admin.create_employer(SERVICE_DESK, "Klein B.V.").id
    live.portal.admin.invite_user(SERVICE_DESK, employer, email="k@example.nl", username="hr.klein")
    secret = register_with_totp(live, page, shots, "hr.klein")
    # The login with the keyboard alone: tab from field to field, Enter submits.
    page.goto(f"{live.url}/inloggen")
    page.locator("#f-username").focus()
    page.keyboard.type("hr.klein")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.locator("#f-method").wait_for()
    live.clock.advance(timedelta(seconds=31))
    page.locator("#f-method").select_option("totp")
    page.locator("#f-code").focus()
    page.keyboard.type(pyotp.TOTP(secret).at(live.clock.now()))
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Uitloggen").wait_for()
    page.set_viewport_size({"width": 375, "height": 800})
    for path in (
        "/",
        "/werknemers/nieuw?registratietype=OnzeCoach&verder=1",
        "/coaching-starten",
        "/taken",
        "/statistieken/",
        "/account/",
    ):
        page.goto(f"{live.url}{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, (path, width)
        unlabelled = page.evaluate(
            """[...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
                .filter(el => !el.labels || el.labels.length === 0)
                .filter(el => !el.getAttribute('aria-label')).map(el => el.name)"""
        )
        assert unlabelled == [], (path, unlabelled)
    shots("telefoon-statistieken")
