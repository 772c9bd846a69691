"""HR's import page: a CSV or Excel file checked first, then imported, with what changed."""

from __future__ import annotations

import io

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from onzecoach import Actor, Role
from onzecoach.actors import SERVICE_DESK
from web.conftest import Web, csrf

HEADER = "Personeelsnummer;Achternaam;Roepnaam;Voorletters;Geslacht;Geboortedatum;E-mail\n"
ANNA = "1001;Berg;Anna;A.;vrouw;12-04-1985;anna@voorbeeld.nl\n"
PIET = "1002;Jansen;Piet;P.;man;01-01-1990;piet@voorbeeld.nl\n"
BAD = "1003;;Kees;K.;robot;01-01-1990;geen-mail\n"


def upload(
    client: FlaskClient, content: bytes, action: str, name: str = "mensen.csv"
) -> TestResponse:
    page = client.get("/werknemers/importeren")
    return client.post(
        "/werknemers/importeren",
        data={"csrf_token": csrf(page), "actie": action, "bestand": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def hr_actor(web: Web) -> Actor:
    (employer,) = [e for e in web.portal.admin.employers(SERVICE_DESK) if e.name == "Acme B.V."]
    return Actor(user_id="hr", employer_id=employer.id, role=Role.HR)


def test_the_page_explains_the_file_and_is_on_the_home_page(hr: FlaskClient) -> None:
    assert "/werknemers/importeren" in hr.get("/").get_data(as_text=True)
    page = hr.get("/werknemers/importeren").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page
    assert "Personeelsnummer" in page
    assert "Controleren" in page


def test_checking_shows_what_would_happen_and_saves_nothing(web: Web, hr: FlaskClient) -> None:
    answer = upload(hr, (HEADER + ANNA + PIET + BAD).encode(), "controleren")
    assert answer.status_code == 200
    page = answer.get_data(as_text=True)
    assert "Controle: er is nog niets opgeslagen" in page
    assert "<dt>Worden toegevoegd</dt><dd>2</dd>" in page
    assert "<dt>Geweigerd</dt><dd>1</dd>" in page
    # The bad row by row number, field label and Dutch message.
    assert "<td>4</td><td>Achternaam</td>" in page
    assert "<td>4</td><td>Geslacht</td>" in page
    assert web.portal.search.employees(hr_actor(web), "ber").total == 0


def test_importing_saves_the_good_rows_and_a_second_run_changes_only_what_differs(
    web: Web, hr: FlaskClient
) -> None:
    answer = upload(hr, (HEADER + ANNA + PIET + BAD).encode(), "importeren")
    page = answer.get_data(as_text=True)
    assert "Import voltooid" in page
    assert "<dt>Toegevoegd</dt><dd>2</dd>" in page
    actor = hr_actor(web)
    assert web.portal.search.employees(actor, "ber").total == 1
    moved = upload(hr, (HEADER + ANNA.replace("Berg", "Bergen") + PIET).encode(), "controleren")
    text = moved.get_data(as_text=True)
    assert "<dt>Worden bijgewerkt</dt><dd>1</dd>" in text
    assert "<dt>Ongewijzigd</dt><dd>1</dd>" in text
    assert "Achternaam: Berg → Bergen" in text


def test_no_file_or_an_unreadable_one_says_so(hr: FlaskClient) -> None:
    page = hr.get("/werknemers/importeren")
    empty = hr.post(
        "/werknemers/importeren",
        data={"csrf_token": csrf(page), "actie": "controleren"},
        content_type="multipart/form-data",
    )
    assert empty.status_code == 200
    assert "Kies een bestand" in empty.get_data(as_text=True)
    broken = upload(hr, b"PK\x03\x04 geen echt Excel-bestand", "controleren", name="x.xlsx")
    assert broken.status_code == 200
    assert "kan niet worden gelezen" in broken.get_data(as_text=True)


def test_a_file_over_a_megabyte_is_taken_on_this_page_only(web: Web, hr: FlaskClient) -> None:
    rows = "".join(
        f"{2000 + n};Berg;Anna;A.;vrouw;12-04-1985;anna{n}@voorbeeld.nl\n" for n in range(20_000)
    )
    content = (HEADER + rows).encode()
    assert len(content) > 1024 * 1024
    answer = upload(hr, content, "controleren")
    answer.request.environ["wsgi.input"].close()  # the test client's spooled request body
    assert answer.status_code == 200
    assert "<dt>Worden toegevoegd</dt><dd>20000</dd>" in answer.get_data(as_text=True)


def test_the_service_desk_does_not_import_here(desk: FlaskClient) -> None:
    assert desk.get("/werknemers/importeren").status_code == 403
