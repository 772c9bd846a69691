"""The dossier's privacy screens (AVG): the "Inzage" tab, who read or changed the dossier,
and the download of everything held about the employee (``portal.privacy``).

HR reaches them from the dossier, the service desk from an employer's "Werknemers" tab
(``desk_employees``), for a request that came to it; another employer's employee answers
404 to HR as the dossier does, and so does anything in the path that is not an id. The
export is a form's POST (it is audited by the SDK, so a link or a prefetch must not make
one; the CSRF token guards it) whose answer is the download, never cached
(``Cache-Control: no-store``), since it holds the person's data. The service desk's
download holds the coaches' notes and the sessions' themes too; HR's leaves them out.
"""

from __future__ import annotations

from flask import Blueprint, abort, g, render_template, send_file
from werkzeug.wrappers import Response

from flask_portal.app import portal, signed_in
from onzecoach import Actor
from onzecoach.ids import is_id

blueprint = Blueprint("privacy", __name__)

#: The archive's name: nothing of the person in it, which a download folder or a mail
#: attachment would show.
ARCHIVE_NAME = "persoonsgegevens.zip"


def _employee_id(value: str) -> str:
    """The id in the path; anything else is no employee: 404."""
    if not is_id(value):
        abort(404)
    return value


@blueprint.get("/werknemers/<employee_id>/inzage")
@signed_in(staff=True)
def access_log(employee_id: str) -> str:
    """Every read and change of the dossier, newest first: when, who (role and
    organisation) and what."""
    actor: Actor = g.actor
    employee = portal().employees.get(actor, _employee_id(employee_id))
    entries = portal().privacy.access_log(actor, employee.id)
    return render_template("privacy/access_log.html", employee=employee, entries=entries)


@blueprint.post("/werknemers/<employee_id>/gegevens-export")
@signed_in(staff=True)
def export(employee_id: str) -> Response:
    """The archive of everything held about the employee: a JSON file and a readable page."""
    actor: Actor = g.actor
    data = portal().privacy.export(actor, _employee_id(employee_id))
    answer = send_file(
        data.spooled_archive(),
        mimetype="application/zip",
        as_attachment=True,
        download_name=ARCHIVE_NAME,
    )
    answer.headers["Cache-Control"] = "no-store"
    return answer
