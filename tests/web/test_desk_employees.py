"""The service desk's "Werknemers" tab: an employee found by three letters, and the
requests under the AVG from there: the "Inzage" page, the export and the erasure."""

from __future__ import annotations

import io
import json
import re
import zipfile

from flask.testing import FlaskClient

from onzecoach.actors import SERVICE_DESK
from onzecoach.employees import Employee
from onzecoach.ids import new_id
from web.conftest import Web, csrf, sign_in, sign_up
from web.test_hr import employee, text


def tab(found: Employee, query: str = "", page: int | None = None) -> str:
    url = f"/servicebureau/werkgevers/{found.employer_id}/werknemers"
    params = [f"q={query}"] if query else []
    if page is not None:
        params.append(f"pagina={page}")
    return url + ("?" + "&".join(params) if params else "")


def rows(page: str) -> list[str]:
    """The employee ids of the result rows, in order."""
    return re.findall(r'<tr data-employee="([^"]+)">', page)


def test_the_tab_finds_an_employee_by_three_letters_with_the_three_requests(
    web: Web, desk: FlaskClient
) -> None:
    anna = employee(web, employee_number="P-12")
    employee(web, last_name="Jansen", given_name="Kees", email="kees@example.nl")
    other = employee(web, "Other B.V.", email="anna@other.nl")  # the same name elsewhere
    page = desk.get(tab(anna))
    assert page.status_code == 200
    assert 'aria-current="page">Werknemers<' in text(page)
    assert rows(text(page)) == []  # nothing asked, nothing listed
    found = text(desk.get(tab(anna, "ber")))
    assert rows(found) == [anna.id]
    assert other.id not in found
    assert f'<th scope="row">{anna.display_name}</th>' in found
    assert "12 april 1985" in found
    assert "P-12" in found
    assert f'href="/werknemers/{anna.id}/inzage"' in found
    assert f'action="/werknemers/{anna.id}/gegevens-export"' in found
    assert f'href="/werknemers/{anna.id}/verwijderen"' in found
    assert f'href="/werknemers/{anna.id}"' not in found  # the desk opens no dossier


def test_fewer_than_three_letters_are_named_and_nothing_is_listed(
    web: Web, desk: FlaskClient
) -> None:
    anna = employee(web)
    found = text(desk.get(tab(anna, "be")))
    assert 'id="e-q"' in found
    assert 'aria-invalid="true"' in found
    assert rows(found) == []


def test_results_come_in_pages_of_twenty(web: Web, desk: FlaskClient) -> None:
    made = [
        employee(web, given_name=f"Anna{chr(97 + n)}", email=f"anna{n}@example.nl")
        for n in range(23)
    ]
    first = text(desk.get(tab(made[0], "ber")))
    second = text(desk.get(tab(made[0], "ber", page=2)))
    assert len(rows(first)) == 20
    assert len(rows(second)) == 3
    assert "Pagina 2 van 2" in second
    assert 'href="{}" rel="next"'.format(tab(made[0], "ber", page=2).replace("&", "&amp;")) in first
    assert (
        'href="{}" rel="prev"'.format(tab(made[0], "ber", page=1).replace("&", "&amp;")) in second
    )
    assert set(rows(first)) | set(rows(second)) == {person.id for person in made}


def test_the_desk_downloads_the_export_and_reads_the_inzage(web: Web, desk: FlaskClient) -> None:
    anna = employee(web)
    listing = desk.get(tab(anna, "ber"))
    answer = desk.post(f"/werknemers/{anna.id}/gegevens-export", data={"csrf_token": csrf(listing)})
    answer.get_data()
    answer.close()  # as a WSGI server does: the spooled archive is closed
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-store"
    with zipfile.ZipFile(io.BytesIO(answer.data)) as archive:
        document = json.loads(archive.read("persoonsgegevens.json"))
    assert document["employee"]["given_name"] == "Anna"
    # The person's own request: the coaches' notes and the themes are theirs too, which
    # HR's download leaves out.
    assert document["includes_notes"] is True
    inzage = desk.get(f"/werknemers/{anna.id}/inzage")
    assert inzage.status_code == 200
    assert f'href="{tab(anna)}"' in text(inzage)
    assert 'href="/werknemers/' + anna.id + '"' not in text(inzage)
    actions = [entry.action for entry in web.portal.privacy.access_log(SERVICE_DESK, anna.id)]
    assert "privacy.exported" in actions


def test_an_erasure_from_the_tab_returns_to_it_and_the_person_is_not_found_again(
    web: Web, desk: FlaskClient
) -> None:
    anna = employee(web)
    confirm = desk.get(f"/werknemers/{anna.id}/verwijderen")
    assert f'href="{tab(anna)}"' in text(confirm)  # back, without erasing
    done = desk.post(
        f"/werknemers/{anna.id}/verwijderen",
        data={"csrf_token": csrf(confirm), "reason": "Verzoek van de werknemer"},
    )
    assert done.headers["Location"] == tab(anna) + "?melding=verwijderd"
    assert "De werknemer is verwijderd." in text(desk.get(done.headers["Location"]))
    assert rows(text(desk.get(tab(anna, "ber")))) == []


def test_hr_and_strangers_do_not_reach_the_tab(web: Web) -> None:
    hr = sign_in(web, "hr.acme", sign_up(web))
    anna = employee(web)
    assert hr.get(tab(anna, "ber")).status_code == 403
    answer = web.client().get(tab(anna, "ber"))
    assert answer.status_code == 302
    assert "/inloggen" in answer.headers["Location"]


def test_an_unknown_employer_is_not_found(web: Web, desk: FlaskClient) -> None:
    assert desk.get(f"/servicebureau/werkgevers/{new_id()}/werknemers").status_code == 404
    assert desk.get("/servicebureau/werkgevers/geen-id/werknemers?q=ber").status_code == 404
