"""HR's screens: home, the employee form, starting coaching, search, the dossier, tasks."""

from __future__ import annotations

import functools
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from onzecoach import Actor, Role
from onzecoach.actors import SERVICE_DESK
from onzecoach.employees import EMPLOYEE_FORM, Employee, FieldKind
from onzecoach.tasks import Decision, Task, TaskStatus
from onzecoach.trajectories import Trajectory
from web.conftest import Web, csrf, post, sign_in, sign_up

FORM = {
    "registration_type": "OnzeCoach",
    "employee_number": "P-100",
    "last_name": "van den Berg",
    "name_infix": "",
    "given_name": "Anna",
    "initials": "am",
    "gender": "female",
    "birth_date": "1985-04-12",
    "country": "NL",
    "postcode": "3833lb",
    "house_number": "28",
    "street": "Sterkstraat",
    "city": "Leusden",
    "email": "anna@example.nl",
    "phone": "06 12345678",
    "department_id": "",
    "job_title": "Planner",
    "cost_centre": "KP-1",
    "po_number": "",
}
NEW = "/werknemers/nieuw"


def actor(web: Web, employer: str = "Acme B.V.") -> Actor:
    """An HR actor of ``employer`` (made when it does not exist yet), for setting up."""
    found = next((e for e in web.portal.admin.employers(SERVICE_DESK) if e.name == employer), None)
    employer_id = found.id if found else web.portal.admin.create_employer(SERVICE_DESK, employer).id
    return Actor(user_id=None, employer_id=employer_id, role=Role.HR)


def employee(web: Web, employer: str = "Acme B.V.", **fields: str) -> Employee:
    data: dict[str, object] = {
        "last_name": "van den Berg",
        "given_name": "Anna",
        "initials": "A.M.",
        "gender": "female",
        "birth_date": "1985-04-12",
        "email": "anna@example.nl",
        **fields,
    }
    return web.portal.employees.register(actor(web, employer), data)


def trajectory(web: Web, person: Employee, code: str = "ONC-IND-4") -> Trajectory:
    return web.portal.trajectories.start(
        actor(web), person.id, type_code=code, start_date=date(2026, 3, 2)
    )


def extension_request(web: Web, person: Employee, *, close: bool = True) -> Task:
    """A trajectory (closed, every session held, unless ``close`` is false) and a request."""
    started = trajectory(web, person)
    if close:
        for number in range(started.sessions):
            web.portal.trajectories.record_appointment(
                SERVICE_DESK,
                started.id,
                external_id=f"{started.id}-{number}",
                starts_at=datetime(2026, 3, 3 + number, 13, 0, tzinfo=UTC),
                status="held",
                mode="live",
            )
    return web.portal.trajectories.request_extension(
        SERVICE_DESK, started.id, note="Nog één gesprek nodig."
    )


def text(page: TestResponse) -> str:
    return page.get_data(as_text=True)


def fine(page: TestResponse) -> None:
    """Not a crash: no 5xx and no trace."""
    assert page.status_code < 500, (page.status_code, text(page)[:300])
    assert "Traceback" not in text(page)


# Home ---------------------------------------------------------------------------------------------


def test_home_has_the_tiles_the_search_bar_and_the_open_tasks(web: Web, hr: FlaskClient) -> None:
    empty = text(hr.get("/"))
    assert "Werknemer toevoegen" in empty
    assert "Coaching starten" in empty
    assert "Er zijn geen taken om uit te voeren." in empty
    task = extension_request(web, employee(web))
    page = hr.get("/")
    body = text(page)
    assert page.status_code == 200
    assert 'action="/zoeken"' in body
    assert 'data-live-search="/zoeken.json"' in body
    assert '<script src="/static/hr.js" defer></script>' in body
    assert "Verzoek tot verlenging: Berg, van den, A.M. (Anna)" in body
    assert f"/taken?werknemer={task.employee_id}#taak-{task.id}" in body
    script = hr.get("/static/hr.js")
    script.close()
    assert script.status_code == 200


def test_the_service_desk_is_sent_to_its_own_home(desk: FlaskClient) -> None:
    home = desk.get("/")
    assert home.status_code == 302
    assert home.headers["Location"].endswith("/servicebureau/")
    assert desk.get(NEW).status_code == 403
    assert desk.get("/zoeken.json?q=ber").status_code == 403


def test_hr_pages_need_a_login(web: Web) -> None:
    client = web.client()
    for url in ("/", NEW, "/coaching-starten", "/zoeken?q=ber", "/taken"):
        answer = client.get(url)
        assert answer.status_code == 302, url
        assert answer.headers["Location"].startswith("/inloggen")
    # The JSON for the search-as-you-type says so in JSON.
    assert client.get("/zoeken.json?q=ber").status_code == 401


# A new employee -----------------------------------------------------------------------------------


def test_the_form_starts_with_the_registration_type(hr: FlaskClient) -> None:
    first = text(hr.get(NEW))
    assert "Registratietype" in first
    assert '<option value="OnzeCoach" selected>OnzeCoach</option>' in first
    assert "Verder met registratie" in first
    assert "Annuleren" in first
    unknown = text(hr.get(f"{NEW}?registratietype=Iets+anders&verder=1"))
    assert "Kies een registratietype." in unknown
    assert 'name="last_name"' not in unknown
    form = text(hr.get(f"{NEW}?registratietype=OnzeCoach&verder=1"))
    assert 'name="registration_type" value="OnzeCoach"' in form
    labels = re.findall(r'<label for="f-(\w+)">([^<]+)', form)
    assert [name for name, _ in labels] == [
        "employee_number",
        "last_name",
        "name_infix",
        "given_name",
        "initials",
        "gender",
        "birth_date",
        "country",
        "postcode",
        "house_number",
        "street",
        "city",
        "email",
        "phone",
        "department_id",
        "job_title",
        "cost_centre",
        "po_number",
    ]
    for required in ("Achternaam", "Roepnaam", "Voorletters", "Geslacht", "Geboortedatum"):
        assert f'{required} <span class="required" aria-hidden="true">*</span>' in form
    assert 'Personeelsnummer <span class="required"' not in form
    assert 'type="date"' in form
    assert '<option value="female">Vrouw</option>' in form
    assert '<datalist id="tussenvoegsels">' in form


def test_the_form_is_drawn_from_the_sdks_catalogue(hr: FlaskClient) -> None:
    form = text(hr.get(f"{NEW}?registratietype=OnzeCoach&verder=1"))
    labels = dict(
        re.findall(r'<label for="f-(\w+)">([^<]+?)(?: <span class="required"|</label>)', form)
    )
    starred = set(re.findall(r'<label for="f-(\w+)">[^<]+ <span class="required"', form))
    fields = [field for field in EMPLOYEE_FORM if field.name != "registration_type"]
    assert labels == {field.name: field.label for field in fields}
    assert starred == {field.name for field in fields if field.required}
    for field in fields:
        if field.hint:
            assert f'<p class="hint" id="h-{field.name}">{field.hint}</p>' in form
        if field.max_length and field.kind is not FieldKind.CHOICE:
            assert re.search(rf'id="f-{field.name}"[^>]* maxlength="{field.max_length}"', form)
        for choice in field.choices:
            assert f'<option value="{choice.value}">{choice.label}</option>' in form
        for suggestion in field.suggestions:
            assert f'<option value="{suggestion}"></option>' in form.replace("&#39;", "'")
    assert re.search(r'id="f-country"[^>]* value="NL"', form)


def test_registering_an_employee_opens_the_dossier(web: Web, hr: FlaskClient) -> None:
    department = web.portal.admin.add_department(
        SERVICE_DESK, actor(web).employer_id or "", "Planning"
    )
    page = f"{NEW}?registratietype=OnzeCoach"
    form_page = text(hr.get(page))
    assert f'<option value="{department.id}">Planning</option>' in form_page
    answer = post(hr, NEW, {**FORM, "department_id": department.id}, page=page)
    assert answer.status_code == 302, text(answer)
    location = answer.headers["Location"]
    assert location.endswith("?melding=werknemer")
    dossier = hr.get(location)
    body = text(dossier)
    assert "De werknemer is toegevoegd." in body
    assert "Berg, van den, A.M. (Anna)" in body
    assert "Planning" in body
    assert "3833 LB Leusden" in body
    assert "+31612345678" in body
    found = web.portal.search.employees(actor(web), "berg")
    assert [hit.employee_number for hit in found.hits] == ["P-100"]
    assert found.hits[0].birth_date == date(1985, 4, 12)


def test_missing_fields_are_named_and_what_was_typed_stays(web: Web, hr: FlaskClient) -> None:
    page = f"{NEW}?registratietype=OnzeCoach"
    answer = post(
        hr,
        NEW,
        {**FORM, "last_name": "", "given_name": "", "initials": "", "gender": "", "birth_date": ""},
        page=page,
    )
    body = text(answer)
    assert answer.status_code == 200
    assert "Controleer de velden hieronder" in body
    for message in (
        "Vul de achternaam in.",
        "Vul de roepnaam in.",
        "Vul de voorletters in.",
        "Kies een geslacht.",
        "Vul de geboortedatum in.",
    ):
        assert body.count(message) == 2, message  # in the summary and at the field
    assert 'id="e-last_name"' in body
    assert 'aria-invalid="true" aria-describedby="e-given_name"' in body
    assert 'value="anna@example.nl"' in body
    assert 'value="Sterkstraat"' in body
    assert 'value="P-100"' in body
    assert 'name="registration_type" value="OnzeCoach"' in body
    assert csrf(answer)
    assert web.portal.search.employees(actor(web), "anna").total == 0


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("2023-02-30", "Deze geboortedatum bestaat niet"),
        ("morgen", "Vul de geboortedatum in als DD-MM-JJJJ"),
        ("2030-01-01", "De geboortedatum kan niet in de toekomst liggen."),
        ("1850-01-01", "De geboortedatum kan niet vóór 01-01-1900 liggen."),
    ],
)
def test_a_bad_birth_date_is_an_error_at_its_field(
    hr: FlaskClient, typed: str, message: str
) -> None:
    answer = post(hr, NEW, {**FORM, "birth_date": typed}, page=f"{NEW}?registratietype=OnzeCoach")
    body = text(answer)
    assert answer.status_code == 200
    error = re.search(r'<p class="error" id="e-birth_date">([^<]+)</p>', body)
    assert error
    assert message in error.group(1)
    assert f'value="{typed}"' in body


def test_a_typed_dutch_birth_date_is_read_too(web: Web, hr: FlaskClient) -> None:
    answer = post(hr, NEW, {**FORM, "birth_date": "12-04-1985"}, page=f"{NEW}?registratietype=x")
    assert answer.status_code == 302
    hit = web.portal.search.employees(actor(web), "berg").hits[0]
    assert hit.birth_date == date(1985, 4, 12)


def test_a_taken_employee_number_is_shown_at_that_field(web: Web, hr: FlaskClient) -> None:
    employee(web, employee_number="P-100", last_name="Jansen", email="jan@example.nl")
    answer = post(hr, NEW, FORM, page=f"{NEW}?registratietype=OnzeCoach")
    body = text(answer)
    assert answer.status_code == 200
    error = re.search(r'<p class="error" id="e-employee_number">([^<]+)</p>', body)
    assert error
    assert "P-100" in error.group(1)
    assert web.portal.search.employees(actor(web), "berg").total == 0


def test_another_employers_department_is_refused(web: Web, hr: FlaskClient) -> None:
    theirs = web.portal.admin.add_department(
        SERVICE_DESK, actor(web, "Beta B.V.").employer_id or "", "Geheim"
    )
    answer = post(
        hr, NEW, {**FORM, "department_id": theirs.id}, page=f"{NEW}?registratietype=OnzeCoach"
    )
    body = text(answer)
    assert answer.status_code == 200
    assert "Kies een afdeling van deze werkgever." in body
    assert "Geheim" not in body
    assert web.portal.search.employees(actor(web), "berg").total == 0


# Starting coaching --------------------------------------------------------------------------------


def test_starting_coaching_offers_today_and_the_types(web: Web, hr: FlaskClient) -> None:
    person = employee(web)
    page = f"/coaching-starten?employee_id={person.id}"
    body = text(hr.get(page))
    assert "Berg, van den, A.M. (Anna)" in body
    assert 'name="start_date" type="date" value="2026-03-02"' in body
    assert '<option value="ONC-IND-4">ONC - individuele coaching (4 gesprekken)</option>' in body
    assert '<option value="ONC-IND-5">ONC - individuele coaching (5 gesprekken)</option>' in body
    assert "ONC-VERL-1" not in body
    answer = post(
        hr, "/coaching-starten", {"employee_id": person.id, "type_code": "ONC-IND-5",
                                  "start_date": "2026-03-02"}, page=page,
    )  # fmt: skip
    assert answer.status_code == 302
    assert answer.headers["Location"] == f"/werknemers/{person.id}?melding=traject"
    assert "Het coachtraject is gestart." in text(hr.get(answer.headers["Location"]))
    (row,) = web.portal.employees.dossier(actor(web), person.id).trajectories
    assert (row.type_code, row.start_date) == ("ONC-IND-5", date(2026, 3, 2))
    again = post(
        hr, "/coaching-starten", {"employee_id": person.id, "type_code": "ONC-IND-4",
                                  "start_date": "02-03-2026"}, page=page,
    )  # fmt: skip
    assert again.status_code == 200
    assert "Deze werknemer heeft al een lopend traject." in text(again)


def test_today_is_the_day_in_amsterdam(web: Web) -> None:
    web.clock.set(datetime(2026, 3, 2, 23, 15, tzinfo=UTC))  # 00:15 on 3 March in Amsterdam
    client = sign_in(web, "hr.acme", sign_up(web))
    person = employee(web)
    body = text(client.get(f"/coaching-starten?employee_id={person.id}"))
    assert 'name="start_date" type="date" value="2026-03-03"' in body


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"type_code": "", "start_date": "2026-03-02"}, "Kies een traject."),
        ({"type_code": "ONC-IND-4", "start_date": ""}, "Kies een startdatum."),
        ({"type_code": "ONC-IND-4", "start_date": "2026-02-30"}, "Kies een startdatum."),
        ({"type_code": "ONC-IND-4", "start_date": "2030-01-01"}, "binnen een jaar van vandaag"),
        ({"type_code": "ONC-VERL-1", "start_date": "2026-03-02"}, "Een verlenging start je door"),
    ],
)
def test_starting_coaching_names_what_is_wrong(
    web: Web, hr: FlaskClient, fields: dict[str, str], message: str
) -> None:
    person = employee(web)
    page = f"/coaching-starten?employee_id={person.id}"
    answer = post(hr, "/coaching-starten", {"employee_id": person.id, **fields}, page=page)
    assert answer.status_code == 200
    assert message in text(answer)
    assert f'value="{fields["start_date"]}"' in text(answer)
    assert web.portal.employees.dossier(actor(web), person.id).trajectories == ()


def test_starting_coaching_begins_with_finding_the_employee(web: Web, hr: FlaskClient) -> None:
    person = employee(web)
    start = text(hr.get("/coaching-starten"))
    assert "Zoek het dossier van de werknemer" in start
    assert 'data-link="/coaching-starten?employee_id="' in start
    found = text(hr.get("/coaching-starten?q=ber"))
    assert f'href="/coaching-starten?employee_id={person.id}"' in found
    short = text(hr.get("/coaching-starten?q=be"))
    assert "Typ minimaal 3 letters" in short
    unchosen = post(hr, "/coaching-starten", {"type_code": "ONC-IND-4"})
    assert unchosen.status_code == 200
    assert "Zoek en kies eerst de werknemer." in text(unchosen)


def test_another_employers_employee_cannot_start_coaching(web: Web, hr: FlaskClient) -> None:
    theirs = employee(web, "Beta B.V.", last_name="Bergman", email="b@example.nl")
    assert hr.get(f"/coaching-starten?employee_id={theirs.id}").status_code == 404
    answer = post(
        hr, "/coaching-starten",
        {"employee_id": theirs.id, "type_code": "ONC-IND-4", "start_date": "2026-03-02"},
        page="/coaching-starten",
    )  # fmt: skip
    assert answer.status_code == 404
    assert web.portal.employees.dossier(actor(web, "Beta B.V."), theirs.id).trajectories == ()


# Search -------------------------------------------------------------------------------------------


def test_search_suggestions_as_json(web: Web, hr: FlaskClient) -> None:
    ours = employee(web, employee_number="P-7")
    employee(web, "Beta B.V.", last_name="Bergman", given_name="Bert", email="b@example.nl")
    short = hr.get("/zoeken.json?q=be")
    assert short.status_code == 200
    assert short.json == {
        "hits": [],
        "total": 0,
        "too_short": True,
        "message": "Typ minimaal 3 letters van de voornaam of achternaam.",
    }
    assert hr.get("/zoeken.json").json["hits"] == []  # type: ignore[index]
    found = hr.get("/zoeken.json?q=ber")
    assert found.headers["Content-Type"] == "application/json"
    assert found.json == {
        "hits": [
            {
                "employee_id": ours.id,
                "display_name": "Berg, van den, A.M. (Anna)",
                "birth_date": "1985-04-12",
                "birth_date_text": "12 april 1985",
                "employee_number": "P-7",
                "department": None,
                "url": f"/werknemers/{ours.id}",
            }
        ],
        "total": 1,
        "too_short": False,
        "message": "",
    }
    assert hr.get("/zoeken.json?q=bert").json["total"] == 0  # type: ignore[index]


def test_the_search_page_works_without_javascript_and_pages(web: Web, hr: FlaskClient) -> None:
    for number in range(25):
        employee(web, last_name="Bakker", given_name=f"Kim{chr(97 + number)}",
                 email=f"kim{number}@example.nl")  # fmt: skip
    employee(web, "Beta B.V.", last_name="Bakkerman", email="b@example.nl")
    first = text(hr.get("/zoeken?q=bak"))
    assert "25 werknemers gevonden." in first
    assert '<th scope="col">Geboortedatum</th>' in first
    assert first.count('href="/werknemers/') == 20
    assert "Pagina 1 van 2" in first
    assert 'href="/zoeken?q=bak&amp;pagina=2"' in first
    assert "Bakkerman" not in first
    second = text(hr.get("/zoeken?q=bak&pagina=2"))
    assert second.count('href="/werknemers/') == 5
    assert 'href="/zoeken?q=bak&amp;pagina=1"' in second
    assert "Volgende" not in second
    beyond = text(hr.get("/zoeken?q=bak&pagina=999999999"))
    assert "Geen werknemers gevonden op deze pagina." in beyond
    assert "Pagina 1 van 2" in text(hr.get("/zoeken?q=bak&pagina=nul"))
    short = text(hr.get("/zoeken?q=ba"))
    assert "Typ minimaal 3 letters van de voornaam of achternaam." in short
    assert 'value="ba"' in short
    nothing = text(hr.get("/zoeken?q=xyz"))
    assert "Geen werknemers gevonden." in nothing


# The dossier --------------------------------------------------------------------------------------


def test_the_dossier_overview(web: Web, hr: FlaskClient) -> None:
    department = web.portal.admin.add_department(
        SERVICE_DESK, actor(web).employer_id or "", "Hoofdkantoor"
    )
    person = employee(
        web, department_id=department.id, job_title="Planner", phone="0612345678",
        street="Sterkstraat", house_number="28", postcode="3833LB", city="Leusden",
    )  # fmt: skip
    empty = text(hr.get(f"/werknemers/{person.id}"))
    assert "Er is nog geen coachtraject gestart." in empty
    assert "Er is nog geen uitnodiging" in empty
    assert "Uitnodiging opnieuw versturen" not in empty
    extension_request(web, person, close=False)
    page = hr.get(f"/werknemers/{person.id}")
    body = text(page)
    assert page.status_code == 200
    assert 'aria-current="page">Overzicht</a>' in body
    assert "Recente trajecten" in body
    assert "ONC - individuele coaching (4 gesprekken)" in body
    assert "Traject gestart" in body
    assert "anna@example.nl" in body
    assert "+31612345678" in body
    assert "Sterkstraat 28, 3833 LB Leusden, NL" in body
    assert "Hoofdkantoor" in body
    assert "Planner" in body
    assert "Verzoek tot verlenging" in body
    assert "wordt verstuurd vanaf 2 maart 2026 om 12:30" in body  # two hours on, Amsterdam
    assert f'href="/coaching-starten?employee_id={person.id}"' in body
    assert "Uitnodiging opnieuw versturen" in body


def test_the_trajectory_tab_lists_trajectories_and_appointments(web: Web, hr: FlaskClient) -> None:
    person = employee(web)
    started = trajectory(web, person)
    record = functools.partial(web.portal.trajectories.record_appointment, SERVICE_DESK, started.id)
    record(
        external_id="a1",
        starts_at=datetime(2026, 3, 10, 13, 0, tzinfo=UTC),
        status="held",
        mode="live",
        theme="Werkdruk",
        coach="Bas Mulder",
    )
    record(
        external_id="a2",
        starts_at=datetime(2026, 7, 1, 8, 45, tzinfo=UTC),
        status="planned",
        mode="online",
    )
    page = hr.get(f"/werknemers/{person.id}?tab=trajecten")
    body = text(page)
    assert page.status_code == 200
    assert 'aria-current="page">Trajectendossier</a>' in body
    headings = re.findall(r'<th scope="col"[^>]*>([^<]+)</th>', body)
    assert headings[:9] == [
        "Nr.", "Protocol", "Startdatum", "Einddatum", "Duur", "Percentage", "Status",
        "Planning", "Classificatie",
    ]  # fmt: skip
    assert "2 maart 2026" in body
    assert "N.v.t." in body
    assert "25%" in body
    assert "Traject loopt" in body
    assert "10 maart 2026 om 14:00" in body  # 13:00 UTC is 14:00 in winter
    assert "1 juli 2026 om 10:45" in body  # and 08:45 UTC 10:45 in summer
    assert "Gehouden" in body
    assert "Gepland" in body
    assert "Live" in body
    assert "Online" in body
    assert "Werkdruk" not in body  # what one person talks about is not the employer's
    assert "1 van 4 gesprekken gehouden, 1 gepland." in body
    other_tab = text(hr.get(f"/werknemers/{person.id}?tab=iets"))
    assert 'aria-current="page">Overzicht</a>' in other_tab


def test_a_closed_trajectory_shows_its_end_and_duration(web: Web, hr: FlaskClient) -> None:
    person = employee(web)
    started = trajectory(web, person)
    web.clock.advance(timedelta(minutes=5))
    web.portal.trajectories.close(actor(web), started.id)
    body = text(hr.get(f"/werknemers/{person.id}?tab=trajecten"))
    assert "Traject afgesloten" in body
    assert "0 dagen" in body
    overview = text(hr.get(f"/werknemers/{person.id}"))
    assert "Uitnodiging opnieuw versturen" not in overview


def test_another_employers_dossier_is_not_found(web: Web, hr: FlaskClient) -> None:
    theirs = employee(web, "Beta B.V.", last_name="Bergman", email="b@example.nl")
    for url in (f"/werknemers/{theirs.id}", f"/werknemers/{theirs.id}?tab=trajecten",
                "/werknemers/bestaat-niet"):  # fmt: skip
        answer = hr.get(url)
        assert answer.status_code == 404, url
        assert "Niet gevonden" in text(answer)
        assert "Bergman" not in text(answer)


def test_resending_the_booking_invitation(web: Web, hr: FlaskClient) -> None:
    person = employee(web)
    started = trajectory(web, person)
    web.clock.advance(timedelta(minutes=1))
    answer = post(hr, f"/trajecten/{started.id}/uitnodiging", {}, page=f"/werknemers/{person.id}")
    assert answer.status_code == 302
    assert answer.headers["Location"] == f"/werknemers/{person.id}?melding=uitgenodigd"
    assert web.portal.outbox.dispatch_due() == 1  # the new one is due now, the first later
    assert [m["To"] for m in web.mailer.sent][-1] == "anna@example.nl"
    assert "is verstuurd op" in text(hr.get(f"/werknemers/{person.id}"))
    theirs = employee(web, "Beta B.V.", last_name="Bergman", email="b@example.nl")
    their_trajectory = web.portal.trajectories.start(
        actor(web, "Beta B.V."), theirs.id, type_code="ONC-IND-4", start_date=date(2026, 3, 2)
    )
    refused = post(hr, f"/trajecten/{their_trajectory.id}/uitnodiging", {}, page="/")
    assert refused.status_code == 404


# Tasks --------------------------------------------------------------------------------------------


def test_a_task_is_marked_done(web: Web, hr: FlaskClient) -> None:
    task = extension_request(web, employee(web))
    page = f"/taken?werknemer={task.employee_id}"
    body = text(hr.get(page))
    assert "Takenoverzicht: Berg, van den, A.M. (Anna)" in body
    assert "Nog één gesprek nodig." in body
    answer = post(hr, f"/taken/{task.id}/uitgevoerd", {"werknemer": task.employee_id}, page=page)
    assert answer.status_code == 302
    assert answer.headers["Location"] == f"/taken?melding=taak&werknemer={task.employee_id}"
    assert "De taak is afgehandeld." in text(hr.get(answer.headers["Location"]))
    assert web.portal.tasks.open(actor(web)) == []
    done = web.portal.tasks.get(actor(web), task.id)
    assert (done.status, done.decision) == (TaskStatus.DONE, None)
    twice = post(hr, f"/taken/{task.id}/uitgevoerd", {}, page="/taken")
    assert twice.status_code == 200
    assert "Deze taak is al afgehandeld." in text(twice)


def test_an_extension_is_approved(web: Web, hr: FlaskClient) -> None:
    person = employee(web)
    task = extension_request(web, person)
    answer = post(hr, f"/taken/{task.id}/goedkeuren", {}, page="/taken")
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/taken?melding=taak"
    rows = web.portal.employees.dossier(actor(web), person.id).trajectories
    assert [row.type_code for row in rows] == ["ONC-VERL-1", "ONC-IND-4"]
    assert web.portal.tasks.get(actor(web), task.id).decision is Decision.APPROVED


def test_an_extension_starts_beside_the_running_trajectory_once(web: Web, hr: FlaskClient) -> None:
    person = employee(web)
    task = extension_request(web, person, close=False)
    answer = post(hr, f"/taken/{task.id}/goedkeuren", {}, page="/taken")
    assert answer.status_code == 302
    rows = web.portal.employees.dossier(actor(web), person.id).trajectories
    assert [(row.type_code, row.status_label) for row in rows] == [
        ("ONC-VERL-1", "Traject gestart"),
        ("ONC-IND-4", "Traject gestart"),
    ]
    dossier = text(hr.get(f"/werknemers/{person.id}?tab=trajecten"))
    assert "ONC - verlenging individuele coaching (1 gesprek)" in dossier
    # A second extension cannot start while the first runs: the page says why.
    again = web.portal.trajectories.request_extension(SERVICE_DESK, rows[1].id, note="Nog een")
    refused = post(hr, f"/taken/{again.id}/goedkeuren", {}, page="/taken")
    assert refused.status_code == 200
    assert "Deze werknemer heeft al een lopend traject." in text(refused)
    assert [t.id for t in web.portal.tasks.open(actor(web))] == [again.id]


def test_an_extension_is_declined_with_a_note(web: Web, hr: FlaskClient) -> None:
    task = extension_request(web, employee(web))
    too_long = post(hr, f"/taken/{task.id}/afwijzen", {"note": "x" * 3000}, page="/taken")
    assert too_long.status_code == 200
    assert "hoogstens 2000 tekens" in text(too_long)
    assert f'aria-describedby="e-note-{task.id}"' in text(too_long)
    answer = post(hr, f"/taken/{task.id}/afwijzen", {"note": "Budget is op."}, page="/taken")
    assert answer.status_code == 302
    declined = web.portal.tasks.get(actor(web), task.id)
    assert (declined.decision, declined.decision_note) == (Decision.DECLINED, "Budget is op.")
    assert len(web.portal.employees.dossier(actor(web), task.employee_id).trajectories) == 1


def test_another_employers_task_is_not_found(web: Web, hr: FlaskClient) -> None:
    theirs = employee(web, "Beta B.V.", last_name="Bergman", email="b@example.nl")
    started = web.portal.trajectories.start(
        actor(web, "Beta B.V."), theirs.id, type_code="ONC-IND-4", start_date=date(2026, 3, 2)
    )
    task = web.portal.trajectories.request_extension(SERVICE_DESK, started.id, note="")
    assert "Bergman" not in text(hr.get("/taken"))
    for action in ("uitgevoerd", "goedkeuren", "afwijzen"):
        answer = post(hr, f"/taken/{task.id}/{action}", {"note": "nee"}, page="/taken")
        assert answer.status_code == 404, action
    assert hr.get(f"/taken?werknemer={theirs.id}").status_code == 404
    assert web.portal.tasks.get(actor(web, "Beta B.V."), task.id).status is TaskStatus.OPEN


# Hostile input ------------------------------------------------------------------------------------


def test_hostile_input_never_crashes(web: Web, hr: FlaskClient) -> None:
    person = employee(web)
    task = extension_request(web, person, close=False)
    open_trajectory = web.portal.employees.dossier(actor(web), person.id).trajectories[0]
    theirs = employee(web, "Beta B.V.", last_name="Bergman", email="b@example.nl")
    huge = "é" * 10_000
    token = csrf(hr.get("/"))
    posts = [
        NEW,
        "/coaching-starten",
        f"/taken/{task.id}/uitgevoerd",
        f"/taken/{task.id}/goedkeuren",
        f"/taken/{task.id}/afwijzen",
        f"/trajecten/{open_trajectory.id}/uitnodiging",
    ]
    forms: list[dict[str, object]] = [
        {},
        dict.fromkeys(FORM, huge),
        dict.fromkeys(FORM, "\x00\u202e<script>"),
        {"employee_id": person.id, "type_code": huge, "start_date": huge},
        {"employee_id": [person.id, theirs.id], "start_date": "9999-99-99", "werknemer": huge},
        {"employee_id": huge, "note": huge, "birth_date": "0000-00-00"},
    ]
    for url in posts:
        # No token, a forged one: refused before the view runs.
        assert hr.post(url, data={"note": "x"}).status_code == 400, url
        assert hr.post(url, data={"csrf_token": "0" * 64}).status_code == 400, url
        for form in forms:
            fine(hr.post(url, data={"csrf_token": token, **form}))
        # Wrong methods.
        assert hr.put(url).status_code == 405, url
        assert hr.delete(url).status_code == 405, url
    for url in posts[2:]:
        assert hr.get(url).status_code == 405, url
    gets = [
        "/",
        f"/zoeken?q={huge}",
        "/zoeken?q=%00%00%00",
        "/zoeken?q=ber&pagina=-1",
        "/zoeken?q=ber&pagina=" + "9" * 5000,
        f"/zoeken.json?q={huge}",
        "/zoeken.json?q=ber&q=ann",
        f"{NEW}?registratietype={huge}",
        f"/coaching-starten?employee_id={huge}",
        f"/coaching-starten?q={huge}&pagina=x",
        f"/werknemers/{huge}",
        f"/werknemers/{person.id}?tab={huge}",
        f"/taken?werknemer={huge}",
        "/taken?werknemer=",
    ]
    for url in gets:
        fine(hr.get(url))
    for url in (f"/werknemers/{theirs.id}", f"/coaching-starten?employee_id={theirs.id}"):
        assert hr.get(url).status_code == 404
    assert hr.post("/zoeken", data={"csrf_token": token}).status_code == 405
    assert hr.post(f"/werknemers/{person.id}", data={"csrf_token": token}).status_code == 405
    assert web.portal.search.employees(actor(web), "ber").total == 1  # nothing more was made
