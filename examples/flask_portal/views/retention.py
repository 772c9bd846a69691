"""The service desk's retention page (bewaartermijnen): who is due, the past runs, and a
button to run it now (``portal.privacy.purge_due``)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from flask_portal.app import portal, signed_in
from onzecoach.notifications import dutch_date, dutch_datetime
from onzecoach.privacy import PurgeReport, PurgeRun, RetentionReason

blueprint = Blueprint("retention", __name__, url_prefix="/servicebureau/bewaartermijnen")

REASONS = {
    RetentionReason.LAST_TRAJECTORY_CLOSED: "Laatste traject afgesloten",
    RetentionReason.REGISTERED: "Geregistreerd of laatst geïmporteerd, zonder traject",
}
#: Confirmations after a redirect, by code: the URL carries the code, never text.
DONE = {"uitgevoerd": "De bewaartermijnen zijn toegepast."}


@blueprint.get("/")
@signed_in(desk=True)
def page() -> str:
    report = portal().privacy.purge_due(g.actor, dry_run=True)
    runs = portal().privacy.purge_runs(g.actor, limit=20)
    return render_template(
        "desk/retention.html",
        employers=_due_per_employer(report),
        due=len(report.due),
        cleaned=_cleaned(report),
        runs=[_run(run) for run in runs],
        done=DONE.get(request.args.get("gedaan", "")),
    )


@blueprint.post("/")
@signed_in(desk=True)
def run_now() -> Response:
    portal().privacy.purge_due(g.actor)
    return redirect(url_for("retention.page", gedaan="uitgevoerd"))


def _due_per_employer(report: PurgeReport) -> list[dict[str, Any]]:
    """Per employer (by name): its period and its due employees, by id and reason."""
    names = {e.id: e.name for e in portal().admin.employers(g.actor)}
    groups: list[dict[str, Any]] = []
    for employer_id in report.due_per_employer():
        items = [item for item in report.due if item.employer_id == employer_id]
        groups.append(
            {
                "id": employer_id,
                "name": names.get(employer_id, employer_id),
                "months": items[0].period_months,
                "rows": [
                    {
                        "employee_id": item.employee_id,
                        "reason": REASONS[item.reason],
                        "since": dutch_date(item.since.date()),
                        "due_at": dutch_date(item.due_at.date()),
                    }
                    for item in items
                ],
            }
        )
    return sorted(groups, key=lambda group: str(group["name"]).casefold())


def _cleaned(report: PurgeReport | PurgeRun) -> list[tuple[str, int]]:
    cleaned = report.cleaned
    return [
        ("Auditregels ouder dan hun bewaartermijn", cleaned.audit_entries),
        ("Verlopen links (uitnodiging, wachtwoordherstel)", cleaned.links),
        ("Beëindigde of verlopen sessies", cleaned.sessions),
        ("Gebruikte of verlopen beveiligingssleutel-uitdagingen", cleaned.webauthn_challenges),
        ("Inhoud van verstuurde berichten", cleaned.outbox_bodies),
    ]


def _run(run: PurgeRun) -> dict[str, Any]:
    return {
        "at": dutch_datetime(run.at),
        "due": run.due,
        "erased": run.erased,
        "cleaned": run.cleaned.total,
    }
