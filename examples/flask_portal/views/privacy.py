"""The dossier's privacy screens (AVG): the "Inzage" tab, who read or changed the dossier,
and the download of everything held about the employee (``portal.privacy``).

HR reaches them from the dossier; another employer's employee answers 404 as the dossier
does. The export is a download, not a page: it is audited by the SDK, and never cached
(``Cache-Control: no-store``), since it holds the person's data.
"""

from __future__ import annotations

from flask import Blueprint, g, render_template
from werkzeug.wrappers import Response

from flask_portal.app import portal, signed_in
from onzecoach import Actor

blueprint = Blueprint("privacy", __name__)

#: The archive's name: nothing of the person in it, which a download folder or a mail
#: attachment would show.
ARCHIVE_NAME = "persoonsgegevens.zip"
#: How long an id in a path may be before it is no id at all.
ID_LIMIT = 64


@blueprint.get("/werknemers/<employee_id>/inzage")
@signed_in(hr=True)
def access_log(employee_id: str) -> str:
    """Every read and change of the dossier, newest first: when, who (role and
    organisation) and what."""
    actor: Actor = g.actor
    employee = portal().employees.get(actor, employee_id[:ID_LIMIT])
    entries = portal().privacy.access_log(actor, employee.id)
    return render_template("privacy/access_log.html", employee=employee, entries=entries)


@blueprint.get("/werknemers/<employee_id>/gegevens-export")
@signed_in(hr=True)
def export(employee_id: str) -> Response:
    """The archive of everything held about the employee: a JSON file and a readable page."""
    actor: Actor = g.actor
    data = portal().privacy.export(actor, employee_id[:ID_LIMIT])
    return Response(
        data.archive(),
        mimetype="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="{ARCHIVE_NAME}"',
            "Cache-Control": "no-store",
        },
    )
