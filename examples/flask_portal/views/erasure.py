"""Erasing an employee (AVG art. 17) from the dossier.

A button on the dossier leads to a confirmation page that names the person, asks for the
reason and says what happens; ``portal.privacy.erase`` does the rest. HR erases its own
employer's employees, the service desk any (from an employer's "Werknemers" tab);
another employer's id answers 404, as everywhere.
"""

from __future__ import annotations

from flask import Blueprint, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from flask_portal.app import field, portal, signed_in
from onzecoach import Actor, ValidationError
from onzecoach.notifications import dutch_date
from onzecoach.privacy import MAX_REASON_LENGTH

blueprint = Blueprint("erasure", __name__)

#: The longest id read; the reason is cut here, past the SDK's limit, which names it.
ID_LIMIT = 100
REASON_LIMIT = 4 * MAX_REASON_LENGTH


@blueprint.route("/werknemers/<employee_id>/verwijderen", methods=["GET", "POST"])
@signed_in(staff=True)
def erase(employee_id: str) -> str | Response:
    """The confirmation page; its form erases the employee, then back to the list."""
    actor: Actor = g.actor
    employee = portal().employees.get(actor, employee_id[:ID_LIMIT])
    if actor.is_service_desk:
        back = url_for("desk_employees.employees", employer_id=employee.employer_id)
        done = url_for(
            "desk_employees.employees", employer_id=employee.employer_id, melding="verwijderd"
        )
    else:
        back = url_for("hr.dossier", employee_id=employee.id)
        done = url_for("hr.search", melding="verwijderd")
    reason = ""
    errors: dict[str, str] = {}
    if request.method == "POST":
        reason = field("reason", limit=REASON_LIMIT)
        try:
            portal().privacy.erase(actor, employee.id, reason)
        except ValidationError as invalid:
            errors = dict(invalid.errors)
        else:
            return redirect(done)
    return render_template(
        "hr/erase.html",
        employee=employee,
        birth_date=dutch_date(employee.birth_date),
        reason=reason,
        errors=errors,
        back=back,
        max_length=MAX_REASON_LENGTH,
    )
