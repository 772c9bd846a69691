"""The service desk's retention page (bewaartermijnen): the past runs, who is due when asked,
and a button to run it now (``portal.privacy.purge_due``)."""

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
#: The due employees listed per employer; the rest are counted.
SHOWN = 50
#: Confirmations after a redirect, by code: the URL carries the code, never text.
DONE = {"uitgevoerd": "De bewaartermijnen zijn toegepast."}


@blueprint.get("/")
@signed_in(desk=True)
def page() -> str:
    """The past runs; with ``controleren=1``, also who is due now. That check is a dry run
    over every employee (about 1.2 s per 100,000 on SQLite), so it waits to be asked."""
    runs = portal().privacy.purge_runs(g.actor, limit=20)
    checked = request.args.get("controleren") == "1"
    report = portal().privacy.purge_due(g.actor, dry_run=True) if checked else None
    return render_template(
        "desk/retention.html",
        checked=checked,
        employers=[] if report is None else _due_per_employer(report),
        due=0 if report is None else len(report.due),
        cleaned=[] if report is None else _cleaned(report),
        runs=[_run(run) for run in runs],
        done=DONE.get(request.args.get("gedaan", "")),
    )


@blueprint.post("/")
@signed_in(desk=True)
def run_now() -> Response:
    portal().privacy.purge_due(g.actor)
    return redirect(url_for("retention.page", gedaan="uitgevoerd"))


def _due_per_employer(report: PurgeReport) -> list[dict[str, Any]]:
    """Per employer (by name): its period, how many are due, and the first ``SHOWN`` of
    them by id and reason (a first run after years can find thousands)."""
    names = {e.id: e.name for e in portal().admin.employers(g.actor)}
    groups: dict[str, dict[str, Any]] = {}
    for item in report.due:
        group = groups.get(item.employer_id)
        if group is None:
            group = groups[item.employer_id] = {
                "id": item.employer_id,
                "name": names.get(item.employer_id, item.employer_id),
                "months": item.period_months,
                "count": 0,
                "rows": [],
            }
        group["count"] += 1
        if len(group["rows"]) < SHOWN:
            group["rows"].append(
                {
                    "employee_id": item.employee_id,
                    "reason": REASONS[item.reason],
                    "since": dutch_date(item.since.date()),
                    "due_at": dutch_date(item.due_at.date()),
                }
            )
    return sorted(groups.values(), key=lambda group: str(group["name"]).casefold())


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
