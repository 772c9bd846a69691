"""The dossier's privacy screens: the download of the employee's data and the "Inzage" tab."""

from __future__ import annotations

import io
import json
import zipfile

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from onzecoach.actors import SERVICE_DESK
from web.conftest import Web, csrf, sign_up
from web.test_hr import employee, text


def download(client: FlaskClient, employee_id: str, *, page: str | None = None) -> TestResponse:
    """The export, as the dossier's form asks for it: a POST with the page's CSRF token."""
    token = csrf(client.get(page or f"/werknemers/{employee_id}"))
    answer = client.post(f"/werknemers/{employee_id}/gegevens-export", data={"csrf_token": token})
    answer.get_data()
    answer.close()  # as a WSGI server does: the spooled archive is closed
    return answer


def test_the_dossier_offers_the_export_and_the_inzage_tab(web: Web, hr: FlaskClient) -> None:
    person = employee(web)
    for url in (f"/werknemers/{person.id}", f"/werknemers/{person.id}/inzage"):
        body = text(hr.get(url))
        assert f'method="post" action="/werknemers/{person.id}/gegevens-export"' in body, url
        assert 'type="submit">Gegevens exporteren</button>' in body, url
        assert f'href="/werknemers/{person.id}/inzage"' in body, url


def test_the_export_is_a_post_with_the_csrf_token(web: Web, hr: FlaskClient) -> None:
    """A GET (a link, a prefetch) makes no export, and neither does a forged form."""
    person = employee(web)
    url = f"/werknemers/{person.id}/gegevens-export"
    assert hr.get(url).status_code == 405
    assert hr.post(url, data={}).status_code in {400, 403}
    assert hr.post(url, data={"csrf_token": "vervalst"}).status_code in {400, 403}
    log = web.portal.privacy.access_log(SERVICE_DESK, person.id)
    assert "privacy.exported" not in [entry.action for entry in log]


def test_the_export_downloads_the_archive_uncached(web: Web, hr: FlaskClient) -> None:
    person = employee(web)
    answer = download(hr, person.id)
    assert answer.status_code == 200
    assert answer.mimetype == "application/zip"
    assert answer.headers["Cache-Control"] == "no-store"
    assert answer.headers["Content-Disposition"] == "attachment; filename=persoonsgegevens.zip"
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
    assert download(hr, person.id).status_code == 200  # opens the dossier for the form
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
    ours = employee(web)
    token = csrf(hr.get(f"/werknemers/{ours.id}"))
    assert hr.get(f"/werknemers/{theirs.id}/inzage").status_code == 404
    # Anything that is not an id is no employee: not even an id with more after it.
    for bad in (f"{ours.id}rommel", ours.id[:-1], "x" * 500):
        assert hr.get(f"/werknemers/{bad}/inzage").status_code == 404, bad
    for who in (theirs.id, f"{ours.id}rommel", "x" * 500):
        url = f"/werknemers/{who}/gegevens-export"
        assert hr.post(url, data={"csrf_token": token}).status_code == 404, who
    # The refused download was no export.
    log = web.portal.privacy.access_log(SERVICE_DESK, theirs.id)
    assert "privacy.exported" not in [entry.action for entry in log]


def test_strangers_are_refused(web: Web) -> None:
    sign_up(web)
    person = employee(web)
    inzage = f"/werknemers/{person.id}/inzage"
    answer = web.client().get(inzage)
    assert answer.status_code == 302
    assert "/inloggen" in answer.headers["Location"]
    export = f"/werknemers/{person.id}/gegevens-export"
    assert web.client().post(export, data={}).status_code in {302, 400, 403}
    assert "privacy.exported" not in [
        entry.action for entry in web.portal.privacy.access_log(SERVICE_DESK, person.id)
    ]
