"""The manual's journey in a real browser, each step's screenshot kept as an artifact.

Every page on the way is checked with axe-core by the ``page`` fixture (conftest.py).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pyotp

from browser.conftest import PHONE, Live, Shots, open_page
from browser.flows import (
    PASSWORD,
    booking_token,
    coach_user,
    desk_user,
    log_in,
    log_in_by_sms,
    register_with_totp,
    sms_code,
)
from onzecoach import Actor, Role
from onzecoach.actors import SERVICE_DESK
from onzecoach.clock import amsterdam
from onzecoach.trajectories import AppointmentStatus


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
    page.get_by_role("button", name="Geen beveiligingssleutel of passkey gebruiken").click()
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


def test_the_whole_loop_start_book_hold_and_the_dashboard_counts_it(
    live: Live, page: Any, shots: Shots, browser: Any
) -> None:
    """HR starts coaching; the invitation on /dev/berichten; the employee books; a booking
    over the quota is refused; a cancellation before and one after the notice; the coach
    signs in and reports the session held with a theme; HR's dashboard counts it."""
    employer = live.portal.admin.create_employer(SERVICE_DESK, "Lus B.V.").id
    live.portal.admin.invite_user(SERVICE_DESK, employer, email="hr@lus.nl", username="hr.lus")
    secret = register_with_totp(live, page, shots, "hr.lus")
    coach = coach_user(live)
    hr = Actor(user_id=None, employer_id=employer, role=Role.HR)
    employee = live.portal.employees.register(
        hr,
        {
            "last_name": "Jansen",
            "given_name": "Eva",
            "initials": "E",
            "gender": "female",
            "birth_date": date(1990, 5, 1),
            "email": "eva@lus.nl",
            "phone": "06 12345678",
            "postcode": "3833LB",
            "registration_type": "OnzeCoach",
        },
    ).id

    # HR starts coaching and sends the invitation now.
    log_in(live, page, shots, "hr.lus", secret)
    page.goto(f"{live.url}/coaching-starten?employee_id={employee}")
    page.locator("#f-type_code").select_option("ONC-IND-4")
    page.get_by_role("button", name="Starten").click()
    page.get_by_text("Het coachtraject is gestart").wait_for()
    page.get_by_role("button", name="Uitnodiging opnieuw versturen").click()
    page.get_by_text("De uitnodiging is verstuurd.").wait_for()
    live.portal.outbox.dispatch_due()
    page.goto(f"{live.url}/dev/berichten")
    mail = page.locator(".mail", has_text="eva@lus.nl").first.inner_text()
    found = re.search(r"(https?://\S+/planningsagenda/\S+)", mail)
    assert found
    shots("uitnodiging")

    day = live.clock.now().astimezone(amsterdam()).date() + timedelta(days=2)  # Wednesday
    thursday = day + timedelta(days=1)

    def slot(on: date, hour: int) -> datetime:
        return datetime.combine(on, time(hour), tzinfo=amsterdam())

    with open_page(browser, PHONE) as employee_page:
        employee_shots = Shots(employee_page, f"{shots.folder.name}-werknemer")
        # The employee books from the link: online, a coach, a time.
        employee_page.goto(found.group(1))
        employee_page.get_by_role("heading", name="Hallo Eva").wait_for()
        employee_shots("planningsagenda")
        employee_page.get_by_label("Online, via video").check()
        employee_page.get_by_role("button", name="Coaches zoeken").click()
        employee_shots("coaches")
        employee_page.get_by_role("link", name="Tijden van Coach Bos").click()
        employee_page.get_by_role("link", name="Volgende week").wait_for()
        employee_shots("tijden")
        wanted = slot(day, 10).astimezone(UTC).isoformat()
        employee_page.locator(f'input[name=starts_at][value="{wanted}"]').check()
        employee_page.get_by_role("button", name="Afspraak maken").click()
        employee_page.get_by_role("heading", name="Je afspraak staat").wait_for()
        employee_shots("bevestiging")
        token = found.group(1).rsplit("/", 1)[-1]
        (first,) = live.portal.booking.open(token).booked

        # Three more fill the quota: a fifth is refused, with the number left.
        for hour in (9, 10, 11):
            live.portal.booking.book(
                token, coach_id=coach, starts_at=slot(thursday, hour), mode="online"
            )
        employee_page.goto(
            f"{live.url}/planningsagenda/{token}/coaches/{coach}"
            f"?vorm=online&vanaf={thursday.isoformat()}"
        )
        later = slot(thursday, 14).astimezone(UTC).isoformat()
        employee_page.locator(f'input[name=starts_at][value="{later}"]').check()
        employee_page.get_by_role("button", name="Afspraak maken").click()
        employee_page.get_by_text("nog in te plannen: 0").wait_for()
        employee_shots("quotum-op")
        assert live.portal.booking.open(token).sessions_left == 0

        # Cancelling before the notice: no warning; the session is free again.
        booked = {s.starts_at: s.id for s in live.portal.booking.open(token).booked}
        eleven = booked[slot(thursday, 11)]
        employee_page.goto(f"{live.url}/planningsagenda/{token}")
        employee_page.locator(f"#afspraak-{eleven}").get_by_role("link", name="Afzeggen").click()
        assert employee_page.locator("#te-laat").count() == 0
        employee_page.get_by_role("button", name="Gesprek afzeggen").click()
        employee_page.get_by_text("Het gesprek is afgezegd.").wait_for()
        assert live.portal.booking.open(token).sessions_left == 1

        # The reminder goes out 24 hours before the first session.
        live.clock.set(first.starts_at - timedelta(hours=24))
        live.portal.outbox.dispatch_due()
        assert [m for m in live.mailer.to("eva@lus.nl") if "Herinnering" in str(m["Subject"])]

        # Cancelling after the notice warns that it counts as used.
        nine = booked[slot(thursday, 9)]
        live.clock.set(slot(thursday, 7))
        employee_page.goto(f"{live.url}/planningsagenda/{token}/afspraken/{nine}/afzeggen")
        employee_page.locator("#te-laat").wait_for()
        employee_shots("te-laat-afzeggen")
        employee_page.get_by_role("button", name="Gesprek afzeggen").click()
        employee_page.get_by_text("Het gesprek is afgezegd.").wait_for()
    statuses = {s.id: s.status for s in live.portal.booking.open(token).booked}
    assert statuses[eleven] is AppointmentStatus.CANCELLED
    assert statuses[nine] is AppointmentStatus.LATE_CANCELLED

    # The coach signs in and reports Wednesday's session held, with its theme.
    with open_page(browser) as coach_page:
        log_in_by_sms(live, coach_page, "coach.bos")
        assert coach_page.url.endswith("/coach/agenda")
        coach_page.goto(f"{live.url}/coach/agenda?weergave=dag&datum={day.isoformat()}")
        coach_shots = Shots(coach_page, f"{shots.folder.name}-coach")
        coach_shots("agenda")
        coach_page.get_by_role("link", name=re.compile("10:00-11:00 Eva")).click()
        coach_page.get_by_role("radio", name="Gehouden").check()
        coach_page.locator("#f-theme").select_option(label="Werkdruk")
        coach_page.get_by_role("button", name="Melden").click()
        coach_page.get_by_text("Het gesprek is gemeld.").wait_for()
        coach_shots("gemeld")
        assert coach_page.locator("#status").inner_text() == "Gehouden"
        # HR's pages are not the coach's.
        assert coach_page.goto(f"{live.url}/statistieken/").status == 404

    # HR's dashboard counts it.
    log_in(live, page, shots, "hr.lus", secret)
    page.get_by_role("link", name="Statistieken").click()
    held = page.locator("#figures [data-figure=held_sessions]").first.inner_text()
    late = page.locator("#figures [data-figure=late_cancelled_sessions]").first.inner_text()
    shots("dashboard-na-de-lus")
    assert (held, late) == ("1", "1")
    board = live.portal.stats.dashboard(hr, start=day.replace(day=1), end=thursday)
    assert (board.held_sessions, board.late_cancelled_sessions) == (1, 1)


def test_an_employee_books_with_the_keyboard_alone(live: Live, page: Any) -> None:
    employer = live.portal.admin.create_employer(SERVICE_DESK, "Toets B.V.").id
    coach = coach_user(live)
    hr = Actor(user_id=None, employer_id=employer, role=Role.HR)
    employee = live.portal.employees.register(
        hr,
        {
            "last_name": "Smit",
            "given_name": "Ilse",
            "initials": "I",
            "gender": "female",
            "birth_date": date(1988, 2, 3),
            "email": "ilse@toets.nl",
            "registration_type": "OnzeCoach",
        },
    ).id
    today = live.clock.now().astimezone(amsterdam()).date()
    trajectory = live.portal.trajectories.start(
        hr, employee, type_code="ONC-IND-4", start_date=today
    )
    live.portal.trajectories.resend_invitation(hr, trajectory.id)
    token = booking_token(live, "ilse@toets.nl")
    page.set_viewport_size(PHONE)
    page.goto(f"{live.url}/planningsagenda/{token}")
    # The mode with the arrow keys, the search by Enter.
    page.locator("#f-vorm").focus()
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")  # online
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Coaches die bij je passen").wait_for()
    assert "vorm=online" in page.url
    link = page.get_by_role("link", name="Tijden van Coach Bos")
    link.focus()
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Afspraak maken").wait_for()
    # The first free time, then Tab to the button (the times are one group) and Enter.
    first = page.locator("input[name=starts_at]").first
    first.focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Afspraak maken"
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Je afspraak staat").wait_for()
    (booked,) = live.portal.booking.open(token).booked
    assert booked.coach_id == coach
