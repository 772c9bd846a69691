"""Every route, with hostile input: never a 500, never another employer's data.

The crawl signs in as HR of one employer while another employer, with a department, an
employee, a trajectory and a task, exists beside it. Each route is called with every method,
with and without a CSRF token, with missing, huge and odd fields, and with the ids of both
employers in its path and query.
"""

from __future__ import annotations

import random
from datetime import date
from itertools import product

import pytest
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from onzecoach import Actor, Role
from onzecoach.actors import SERVICE_DESK
from web.conftest import Web, csrf

SECRET_NAMES = ("Geheim B.V.", "Verborgenheid", "Zwijgzaam")
#: "²" passes str.isdigit() but not int(); the rest are the usual suspects.
NASTY = [
    "²",
    "١٢",
    "",
    "x" * 10_000,
    "\x00",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "../../etc",
    "9" * 40,
]


@pytest.fixture
def other(web: Web) -> dict[str, str]:
    """Another employer's ids, whose names must never show."""
    portal = web.portal
    employer = portal.admin.create_employer(SERVICE_DESK, SECRET_NAMES[0]).id
    department = portal.admin.add_department(SERVICE_DESK, employer, SECRET_NAMES[1]).id
    actor = Actor(user_id=None, employer_id=employer, role=Role.HR)
    employee = portal.employees.register(
        actor,
        {
            "last_name": SECRET_NAMES[2],
            "given_name": "Gert",
            "initials": "G",
            "gender": "man",
            "birth_date": date(1980, 1, 1),
            "email": "gert@example.nl",
            "department_id": department,
            "registration_type": "OnzeCoach",
        },
    ).id
    trajectory = portal.trajectories.start(
        actor, employee, type_code="ONC-IND-4", start_date=date(2026, 3, 2)
    ).id
    task = portal.trajectories.request_extension(SERVICE_DESK, trajectory, note="geheim").id
    user = portal.admin.invite_user(
        SERVICE_DESK, employer, email="o@example.nl", username="other.hr"
    ).user_id
    portal.outbox.dispatch_due()  # its invitation must not be the newest mail a sign-up reads
    return {
        "employer": employer,
        "department": department,
        "employee": employee,
        "trajectory": trajectory,
        "task": task,
        "user": user,
    }


@pytest.mark.parametrize("who", ["anonymous", "hr", "desk"])
def test_no_route_answers_500_or_shows_another_employer(
    web: Web, other: dict[str, str], who: str, request: pytest.FixtureRequest
) -> None:
    client: FlaskClient = web.client() if who == "anonymous" else request.getfixturevalue(who)
    rng = random.Random(7)
    values = [*other.values(), *NASTY, "nope"]
    # Logging out would end the crawl's session; it is crawled last.
    rules = sorted(
        (r for r in web.app.url_map.iter_rules() if r.endpoint != "static"),
        key=lambda r: r.endpoint == "auth.logout",
    )
    assert len(rules) > 20
    token = csrf(client.get("/inloggen" if who == "anonymous" else "/account/"))
    seen = 0
    for rule in rules:
        for value, method in product(values, METHODS):
            url = rule.rule
            for argument in rule.arguments:
                url = url.replace(f"<{argument}>", value or "x")
            fields: list[tuple[str, str]] = [
                (name, rng.choice(NASTY + values)) for name in rng.sample(_FIELDS, 8)
            ]
            fields += [(fields[0][0], "again")]  # a field twice
            if rng.random() < 0.8:
                fields.append(("csrf_token", token))
            query = [(name, rng.choice(values)) for name in rng.sample(_PARAMS, 4)]
            kind = rng.choice(["form", "json", "multipart"])
            if kind == "json":
                answer = client.open(url, method=method, json=dict(fields), query_string=query)
            else:
                answer = client.open(
                    url,
                    method=method,
                    data=MultiDict(fields),
                    query_string=query,
                    content_type="multipart/form-data" if kind == "multipart" else None,
                )
            seen += 1
            body = answer.get_data(as_text=True)
            assert answer.status_code < 500, (who, method, url, query, answer.status_code)
            # The service desk sees every employer; anyone else must never see this one. The
            # development page lists every mail sent: it exists only on a developer's machine.
            if (
                who != "desk"
                and not rule.endpoint.startswith("dev.")
                and ((answer.mimetype or "").startswith("text/") or answer.is_json)
            ):
                for name in SECRET_NAMES:
                    assert name not in body, (who, method, url, query)
    assert seen > 500


METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS")


def test_the_crawl_keeps_its_session_until_it_logs_out(web: Web, hr: FlaskClient) -> None:
    token = csrf(hr.get("/account/"))
    for value in NASTY:
        hr.post("/account/", data={"csrf_token": token, "action": value, "current": value})
    assert hr.get("/").status_code == 200


_FIELDS = [
    "username", "password", "repeat", "code", "method", "action", "phone", "otp", "q",
    "last_name", "given_name", "initials", "gender", "birth_date", "email", "department_id",
    "employee_id", "type_code", "start_date", "note", "name", "current", "new", "format",
    "registration_type", "employee_number", "postcode", "country", "what", "factor_id",
]  # fmt: skip
_PARAMS = [
    "q", "pagina", "van", "tot", "afdeling", "werknemer", "werkgever", "sortering",
    "per_pagina", "employee_id", "tab", "melding", "registratietype", "verder", "m",
]  # fmt: skip
