"""The service desk's "Werknemers" tab of an employer: find an employee by three letters,
then act on a request under the AVG (the right of access, erasure): the "Inzage" page, the
download of everything held about the person, and the erasure's confirmation page.

The service desk sees no dossier: a hit shows the name, birth date, personeelsnummer and
department, enough to tell two people apart, and the three actions.
"""

from __future__ import annotations

from flask import Blueprint, g, render_template
from werkzeug.wrappers import Response

from flask_portal.app import arg, page_number, portal, signed_in
from flask_portal.views.hr import PAGE_SIZE, QUERY_LIMIT
from onzecoach import Actor, QueryTooShort
from onzecoach.notifications import dutch_date

blueprint = Blueprint("desk_employees", __name__, url_prefix="/servicebureau")


@blueprint.get("/werkgevers/<employer_id>/werknemers")
@signed_in(desk=True)
def employees(employer_id: str) -> str | Response:
    actor: Actor = g.actor
    employer = portal().admin.employer(actor, employer_id[:100])
    text = arg("q", QUERY_LIMIT)
    page = page_number()
    found, problem = None, ""
    if text.strip():
        try:
            found = portal().search.employees(
                actor, text, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE, employer_id=employer.id
            )
        except QueryTooShort as short:
            problem = short.errors.get("text", str(short))
    return render_template(
        "desk/employer.html",
        employer=employer,
        tab="werknemers",
        q=text,
        found=found,
        problem=problem,
        page=page,
        datum=dutch_date,
    )
