"""The service desk's retention page (/servicebureau/bewaartermijnen/): who is due per
employer (a dry run, when asked), the past runs, and the button that runs it now."""

from __future__ import annotations

import re
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta  # type: ignore[import-untyped]
from flask.testing import FlaskClient

from booking_support import person
from onzecoach import Actor, Role
from onzecoach.actors import SERVICE_DESK
from web.conftest import Web, csrf, sign_in, sign_up

PAGE = "/servicebureau/bewaartermijnen/"
CHECK = PAGE + "?controleren=1"


def employees(web: Web) -> tuple[str, str, str]:
    """Two employers, one keeping people 6 months; an employee of each registered now,
    and one of the first in coaching. The employer ids and the first's employee's id."""
    acme = web.portal.admin.create_employer(SERVICE_DESK, "Acme B.V.").id
    short = web.portal.admin.create_employer(SERVICE_DESK, "Kort B.V.").id
    web.portal.admin.set_employer_policy(SERVICE_DESK, short, retention_months=6)
    hr_acme = Actor(user_id="hr-acme", employer_id=acme, role=Role.HR)
    hr_short = Actor(user_id="hr-kort", employer_id=short, role=Role.HR)
    due = web.portal.employees.register(hr_acme, person(1, last_name="Bergmans")).id
    web.portal.employees.register(hr_short, person(2))
    coached = web.portal.employees.register(hr_acme, person(3)).id
    web.portal.trajectories.start(
        hr_acme, coached, type_code="ONC-IND-4", start_date=web.clock.now().date()
    )
    return acme, short, due


def desk_later(web: Web, months: int, username: str = "desk.user") -> FlaskClient:
    """The clock ``months`` on; a service-desk user signed in then."""
    web.clock.set(web.clock.now() + relativedelta(months=months, days=1))
    return sign_in(web, username, sign_up(web, employer=None, username=username))


def test_the_page_lists_who_is_due_per_employer_without_names(web: Web) -> None:
    acme, short, due = employees(web)
    desk = desk_later(web, 7)
    page = desk.get(CHECK)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Nu te verwijderen (1)" in text
    assert f'data-employer="{short}"' in text
    assert f'data-employer="{acme}"' not in text
    assert "Kort B.V.: bewaartermijn 6 maanden" in text
    assert "Geregistreerd of laatst geïmporteerd, zonder traject" in text
    assert "De bewaartermijnen zijn nog niet eerder toegepast." in text
    assert 'href="/servicebureau/bewaartermijnen/"' in text  # in the menu
    # Nobody's name.
    assert "Berg" not in text
    # Looking changes nothing.
    assert not web.portal.employees.dossier(SERVICE_DESK, due).employee.is_erased

    later = desk_later(web, 18, "desk.later")
    text = later.get(CHECK).get_data(as_text=True)
    assert "Nu te verwijderen (2)" in text
    assert f'data-employee="{due}"' in text
    assert "Acme B.V.: bewaartermijn 24 maanden" in text


def test_the_page_checks_who_is_due_only_when_asked(
    web: Web, monkeypatch: pytest.MonkeyPatch
) -> None:
    employees(web)
    desk = desk_later(web, 25)
    purge_due = web.portal.privacy.purge_due
    dry_runs: list[bool] = []

    def counted(*args: Any, **kwargs: Any) -> Any:
        dry_runs.append(kwargs.get("dry_run", False))
        return purge_due(*args, **kwargs)

    monkeypatch.setattr(web.portal.privacy, "purge_due", counted)
    text = desk.get(PAGE).get_data(as_text=True)
    assert dry_runs == []
    assert "Nu te verwijderen (" not in text
    assert '<input type="hidden" name="controleren" value="1">' in text
    assert "Nu te verwijderen (2)" in desk.get(CHECK).get_data(as_text=True)
    assert dry_runs == [True]


def test_the_button_runs_it_and_the_run_is_listed(web: Web) -> None:
    _, _, due = employees(web)
    desk = desk_later(web, 25)
    page = desk.get(PAGE)
    answer = desk.post(PAGE, data={"csrf_token": csrf(page)})
    assert answer.status_code == 302
    assert answer.headers["Location"] == f"{PAGE}?gedaan=uitgevoerd"
    with web.portal.storage.unit_of_work() as uow:
        found = uow.employees.get(due)
    assert found is not None
    assert found.is_erased
    text = desk.get(answer.headers["Location"]).get_data(as_text=True)
    assert "De bewaartermijnen zijn toegepast." in text
    assert "Er is nu niemand aan de beurt." in desk.get(CHECK).get_data(as_text=True)
    (run,) = web.portal.privacy.purge_runs(SERVICE_DESK)
    assert (run.due, run.erased) == (2, 2)
    runs = text.split('id="runs"', 1)[1].split("</table>", 1)[0]
    assert "<td>2</td>" in runs


def test_the_button_needs_the_csrf_token(web: Web) -> None:
    _, _, due = employees(web)
    desk = desk_later(web, 25)
    refused = desk.post(PAGE, data={})
    assert refused.status_code == 400
    assert web.portal.privacy.purge_runs(SERVICE_DESK) == []
    assert not web.portal.employees.dossier(SERVICE_DESK, due).employee.is_erased


def test_hr_may_not_see_or_run_it(web: Web, hr: FlaskClient) -> None:
    assert hr.get(PAGE).status_code == 403
    page = hr.get("/")
    assert hr.post(PAGE, data={"csrf_token": csrf(page)}).status_code == 403
    assert web.portal.privacy.purge_runs(SERVICE_DESK) == []
    assert "Bewaartermijnen" not in page.get_data(as_text=True)


def test_the_employers_settings_show_its_retention_period(web: Web) -> None:
    _, short, _ = employees(web)
    desk = desk_later(web, 0)
    text = desk.get(f"/servicebureau/werkgevers/{short}/instellingen").get_data(as_text=True)
    assert "<dd>6 maanden na het laatste coachtraject</dd>" in text


def test_the_service_desk_sets_an_employers_retention_period(web: Web) -> None:
    acme, _, _ = employees(web)
    desk = desk_later(web, 0)
    url = f"/servicebureau/werkgevers/{acme}/instellingen"
    form = {
        "cancellation_notice": "",
        "late_cancellations_count": "standaard",
        "no_shows_count": "standaard",
        "passkey_login": "standaard",
    }
    refused = desk.post(
        url, data={"csrf_token": csrf(desk.get(url)), **form, "retention_months": "2,5"}
    )
    assert refused.status_code == 200
    assert "Vul een heel aantal maanden in" in refused.get_data(as_text=True)
    out_of_range = desk.post(
        url, data={"csrf_token": csrf(desk.get(url)), **form, "retention_months": "0"}
    )
    assert "Kies een bewaartermijn van 1 tot en met 1200 maanden." in out_of_range.get_data(
        as_text=True
    )
    saved = desk.post(
        url, data={"csrf_token": csrf(desk.get(url)), **form, "retention_months": "9"}
    )
    assert saved.status_code == 302
    assert web.portal.admin.employer_policy(SERVICE_DESK, acme).retention_months == 9
    assert 'value="9"' in desk.get(url).get_data(as_text=True)
    desk.post(url, data={"csrf_token": csrf(desk.get(url)), **form, "retention_months": ""})
    assert web.portal.admin.employer_policy(SERVICE_DESK, acme).retention_months == 24


def test_a_long_list_shows_the_first_fifty_per_employer_and_counts_the_rest(web: Web) -> None:
    acme = web.portal.admin.create_employer(SERVICE_DESK, "Acme B.V.").id
    hr = Actor(user_id="hr-acme", employer_id=acme, role=Role.HR)
    registered = [web.portal.employees.register(hr, person(n)).id for n in range(53)]
    desk = desk_later(web, 25)
    text = desk.get(CHECK).get_data(as_text=True)
    assert "Nu te verwijderen (53)" in text
    assert "Acme B.V.: bewaartermijn 24 maanden (53)" in text
    listed = re.findall(r'<tr data-employee="([^"]+)">', text)
    assert len(listed) == 50
    assert set(listed) <= set(registered)
    assert 'data-more="3"' in text
    assert "En nog 3 van deze werkgever, die hier niet staan." in text
    # The button runs them all, not only those shown.
    answer = desk.post(PAGE, data={"csrf_token": csrf(desk.get(PAGE))})
    assert answer.status_code == 302
    (run,) = web.portal.privacy.purge_runs(SERVICE_DESK)
    assert (run.due, run.erased) == (53, 53)
