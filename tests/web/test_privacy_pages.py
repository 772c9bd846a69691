"""The dossier's privacy screens: the download of the employee's data and the "Inzage" tab."""

from __future__ import annotations

import io
import json
import zipfile

from flask.testing import FlaskClient

from onzecoach.actors import SERVICE_DESK
from web.conftest import Web, sign_in, sign_up
from web.test_hr import employee, text


def test_the_dossier_offers_the_export_and_the_inzage_tab(web: Web, hr: FlaskClient) -> None:
    person = employee(web)
    body = text(hr.get(f"/werknemers/{person.id}"))
    assert f'href="/werknemers/{person.id}/gegevens-export"' in body
    assert "Gegevens exporteren" in body
    assert f'href="/werknemers/{person.id}/inzage">Inzage</a>' in body


def test_the_export_downloads_the_archive_uncached(web: Web, hr: FlaskClient) -> None:
    person = employee(web)
    answer = hr.get(f"/werknemers/{person.id}/gegevens-export")
    assert answer.status_code == 200
    assert answer.mimetype == "application/zip"
    assert answer.headers["Cache-Control"] == "no-store"
    assert answer.headers["Content-Disposition"] == 'attachment; filename="persoonsgegevens.zip"'
    with zipfile.ZipFile(io.BytesIO(answer.data)) as archive:
        document = json.loads(archive.read("persoonsgegevens.json"))
        page = archive.read("persoonsgegevens.html").decode()
    assert (document["employee"]["name_infix"], document["employee"]["last_name"]) == (
        "van den",
        "Berg",
    )
    assert document["includes_notes"] is False
    assert document["made_by"] == "HR, Acme B.V."
    assert "Persoonsgegevens van Anna van den Berg" in page


def test_the_inzage_tab_lists_the_reads_newest_first(web: Web, hr: FlaskClient) -> None:
    person = employee(web)
    hr.get(f"/werknemers/{person.id}")
    hr.get(f"/werknemers/{person.id}/gegevens-export")
    page = hr.get(f"/werknemers/{person.id}/inzage")
    body = text(page)
    assert page.status_code == 200
    assert 'aria-current="page">Inzage</a>' in body
    rows = body[body.index('<table id="inzage"') :]
    exported = rows.index("Gegevens geëxporteerd")
    read = rows.index("Dossier ingezien")
    registered = rows.index("Werknemer geregistreerd")
    assert exported < read < registered
    assert "HR, Acme B.V." in rows
    # Opening the tab is not itself a read.
    again = text(hr.get(f"/werknemers/{person.id}/inzage"))
    assert again.count("Dossier ingezien") == body.count("Dossier ingezien")


def test_another_employers_employee_has_no_export_and_no_inzage(web: Web, hr: FlaskClient) -> None:
    theirs = employee(web, "Ander B.V.", email="piet@example.nl")
    for url in (f"/werknemers/{theirs.id}/gegevens-export", f"/werknemers/{theirs.id}/inzage"):
        assert hr.get(url).status_code == 404, url
    assert hr.get(f"/werknemers/{'x' * 500}/inzage").status_code == 404
    # The refused download was no export.
    log = web.portal.privacy.access_log(SERVICE_DESK, theirs.id)
    assert "privacy.exported" not in [entry.action for entry in log]


def test_the_service_desk_and_strangers_are_refused(web: Web) -> None:
    sign_up(web)
    person = employee(web)
    desk = sign_in(web, "desk.user", sign_up(web, employer=None, username="desk.user"))
    for url in (f"/werknemers/{person.id}/gegevens-export", f"/werknemers/{person.id}/inzage"):
        assert desk.get(url).status_code == 403, url
        answer = web.client().get(url)
        assert answer.status_code == 302
        assert "/inloggen" in answer.headers["Location"]
