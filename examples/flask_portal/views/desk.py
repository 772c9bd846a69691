"""The service desk's screens: employers, departments, users, second-factor resets."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from flask import Blueprint, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from flask_portal.app import field, portal, signed_in
from flask_portal.views import coach_forms
from onzecoach import Actor, Conflict, NotFound, Role, Throttled, ValidationError
from onzecoach.accounts import AccountStatus, UserView
from onzecoach.employers import Employer
from onzecoach.notifications import dutch_datetime

blueprint = Blueprint("desk", __name__, url_prefix="/servicebureau")

STATUSES = {
    AccountStatus.INVITED: "Uitgenodigd",
    AccountStatus.ENROLLING: "Stelt de tweede factor in",
    AccountStatus.ACTIVE: "Actief",
    AccountStatus.DISABLED: "Uitgeschakeld",
}
#: Confirmations this blueprint shows after a redirect, beside the app's ``NOTICES``.
DONE = {
    "ingetrokken": "De uitnodiging is ingetrokken; het account is uitgeschakeld.",
}


# Employers ---------------------------------------------------------------------------------


@blueprint.get("/")
@signed_in(desk=True)
def employers() -> str:
    return _employers_page()


@blueprint.post("/werkgevers")
@signed_in(desk=True)
def create_employer() -> str | Response:
    name = field("name", limit=300)
    try:
        employer = portal().admin.create_employer(g.actor, name)
    except ValidationError as invalid:
        return _employers_page(errors={"name": invalid.errors.get("name", str(invalid))}, name=name)
    except Conflict as taken:
        return _employers_page(errors={"name": str(taken)}, name=name)
    return redirect(url_for("desk.employer", employer_id=employer.id, melding="werkgever"))


def _employers_page(**context: Any) -> str:
    found = portal().admin.employers(g.actor)
    rows = [{"employer": e, "created": dutch_datetime(e.created_at)} for e in found]
    return render_template(
        "desk/employers.html", rows=rows, **{"errors": {}, "name": "", **context}
    )


# One employer: departments ------------------------------------------------------------------


@blueprint.get("/werkgevers/<employer_id>")
@signed_in(desk=True)
def employer(employer_id: str) -> str:
    return _departments_page(_employer(employer_id))


@blueprint.post("/werkgevers/<employer_id>/afdelingen")
@signed_in(desk=True)
def add_department(employer_id: str) -> str | Response:
    found = _employer(employer_id)
    name = field("name", limit=300)
    try:
        portal().admin.add_department(g.actor, found.id, name)
    except ValidationError as invalid:
        return _departments_page(
            found, errors={"name": invalid.errors.get("name", str(invalid))}, name=name
        )
    except Conflict as taken:
        return _departments_page(found, errors={"name": str(taken)}, name=name)
    return redirect(url_for("desk.employer", employer_id=found.id, melding="afdeling"))


def _departments_page(found: Employer, **context: Any) -> str:
    departments = portal().admin.departments(g.actor, found.id)
    return render_template(
        "desk/employer.html",
        employer=found,
        tab="afdelingen",
        departments=departments,
        **{"errors": {}, "name": "", **context},
    )


# One employer: users ---------------------------------------------------------------------------


@blueprint.get("/werkgevers/<employer_id>/gebruikers")
@signed_in(desk=True)
def users(employer_id: str) -> str:
    return _users_page(_employer(employer_id))


@blueprint.post("/werkgevers/<employer_id>/gebruikers")
@signed_in(desk=True)
def invite(employer_id: str) -> str | Response:
    found = _employer(employer_id)
    values = {"email": field("email", limit=320), "username": field("username", limit=200)}
    errors: dict[str, str] = {}
    problem = None
    try:
        portal().admin.invite_user(
            g.actor, found.id, email=values["email"], username=values["username"], role=Role.HR
        )
    except ValidationError as invalid:
        errors = {name: text for name, text in invalid.errors.items() if name in values}
        problem = None if errors else "; ".join(invalid.errors.values())
    except Conflict as taken:
        errors = {"username": str(taken)}
    except Throttled as throttled:
        problem = _refusal(throttled)
    else:
        return redirect(url_for("desk.users", employer_id=found.id, melding="uitgenodigd"))
    return _users_page(found, errors=errors, values=values, problem=problem)


@blueprint.post("/werkgevers/<employer_id>/gebruikers/<user_id>/opnieuw-uitnodigen")
@signed_in(desk=True)
def resend(employer_id: str, user_id: str) -> str | Response:
    found, user = _user(employer_id, user_id)
    try:
        portal().admin.resend_invitation(g.actor, user.id)
    except (Conflict, Throttled) as refused:
        return _users_page(found, problem=_refusal(refused))
    return redirect(url_for("desk.users", employer_id=found.id, melding="uitgenodigd"))


@blueprint.post("/werkgevers/<employer_id>/gebruikers/<user_id>/intrekken")
@signed_in(desk=True)
def revoke(employer_id: str, user_id: str) -> str | Response:
    found, user = _user(employer_id, user_id)
    try:
        portal().admin.revoke_invitation(g.actor, user.id)
    except Conflict as refused:
        return _users_page(found, problem=str(refused))
    return redirect(url_for("desk.users", employer_id=found.id, gedaan="ingetrokken"))


@blueprint.post("/werkgevers/<employer_id>/gebruikers/<user_id>/tweede-factor-resetten")
@signed_in(desk=True)
def reset_factor(employer_id: str, user_id: str) -> Response:
    found, user = _user(employer_id, user_id)
    portal().mfa.reset(g.actor, user.id)
    return redirect(url_for("desk.users", employer_id=found.id, melding="reset"))


def _users_page(found: Employer, **context: Any) -> str:
    accounts = portal().admin.users(g.actor, found.id)
    rows = [
        {
            "user": user,
            "status": STATUSES.get(user.status, str(user.status)),
            "invited": user.status is AccountStatus.INVITED,
            "resettable": user.status in (AccountStatus.ACTIVE, AccountStatus.ENROLLING),
        }
        for user in accounts
    ]
    return render_template(
        "desk/employer.html",
        employer=found,
        tab="gebruikers",
        rows=rows,
        done=DONE.get(request.args.get("gedaan", "")),
        **{"errors": {}, "values": {}, "problem": None, **context},
    )


# Helpers ---------------------------------------------------------------------------------------


def _employer(employer_id: str) -> Employer:
    actor: Actor = g.actor
    return portal().admin.employer(actor, employer_id[:100])


def _user(employer_id: str, user_id: str) -> tuple[Employer, UserView]:
    """The employer and one of its users; ``NotFound`` (404) for a user of another."""
    found = _employer(employer_id)
    for user in portal().admin.users(g.actor, found.id):
        if user.id == user_id:
            return found, user
    raise NotFound("user.not_found")


def _refusal(error: Conflict | Throttled) -> str:
    if isinstance(error, Throttled):
        return f"{error} Dat kan weer na {dutch_datetime(error.retry_at)}."
    return str(error)


# Coaches -------------------------------------------------------------------------------------


@blueprint.get("/coaches")
@signed_in(desk=True)
def coaches() -> str:
    return _coaches_page()


@blueprint.post("/coaches")
@signed_in(desk=True)
def invite_coach() -> str | Response:
    values, data = coach_forms.profile_form(desk=False)
    values["email"] = field("email", limit=320)
    values["username"] = field("username", limit=200)
    errors: dict[str, str] = {}
    problem = None
    try:
        coach = portal().coaches.invite(
            g.actor,
            email=values["email"],
            username=values["username"],
            **data,  # type: ignore[arg-type]  # the SDK checks each field and names it
        )
    except ValidationError as invalid:
        errors = coach_forms.profile_errors(dict(invalid.errors), values)
    except Conflict as taken:
        errors = {"username": str(taken)}
    except Throttled as throttled:
        problem = _refusal(throttled)
    else:
        return redirect(url_for("desk.coach", coach_id=coach.id, melding="coach"))
    return _coaches_page(values=values, errors=errors, problem=problem)


def _coaches_page(**context: Any) -> str:
    found = portal().coaches.list(g.actor)
    return render_template(
        "desk/coaches.html",
        coaches=found,
        **coach_forms.choices(),
        **{
            "values": {"languages": ["nl"], "modes": ["online"]},
            "errors": {},
            "problem": None,
            **context,
        },
    )


@blueprint.route("/coaches/<coach_id>", methods=["GET", "POST"])
@signed_in(desk=True)
def coach(coach_id: str) -> str | Response:
    found = portal().coaches.get(g.actor, coach_id[:100])
    values = coach_forms.profile_values(found.profile)
    errors: dict[str, str] = {}
    if request.method == "POST":
        values, data = coach_forms.profile_form(desk=True)
        try:
            portal().coaches.update_profile(g.actor, found.id, **data)
        except ValidationError as invalid:
            errors = coach_forms.profile_errors(dict(invalid.errors), values)
        else:
            return redirect(url_for("desk.coach", coach_id=found.id, melding="profiel"))
    return render_template(
        "desk/coach.html",
        coach=found,
        tab="profiel",
        values=values,
        errors=errors,
        employer_choices=[(e.id, e.name) for e in portal().admin.employers(g.actor)],
        **coach_forms.choices(),
    )


@blueprint.route("/coaches/<coach_id>/beschikbaarheid", methods=["GET", "POST"])
@signed_in(desk=True)
def coach_availability(coach_id: str) -> str | Response:
    found = portal().coaches.get(g.actor, coach_id[:100])
    values = coach_forms.availability_values(found.availability)
    errors: dict[str, str] = {}
    if request.method == "POST":
        values, data = coach_forms.availability_form()
        try:
            portal().coaches.set_availability(g.actor, found.id, data)
        except ValidationError as invalid:
            errors = coach_forms.availability_errors(dict(invalid.errors))
        else:
            return redirect(
                url_for("desk.coach_availability", coach_id=found.id, melding="beschikbaarheid")
            )
    return render_template(
        "desk/coach.html",
        coach=found,
        tab="beschikbaarheid",
        values=values,
        errors=errors,
        **coach_forms.choices(),
    )


# One employer: its settings --------------------------------------------------------------------

#: A yes-or-no setting as the form sends it: "" follows the portal's default.
CHOICES = {"1": True, "0": False}
POLICY_FLAGS = ("late_cancellations_count", "no_shows_count")


@blueprint.route("/werkgevers/<employer_id>/instellingen", methods=["GET", "POST"])
@signed_in(desk=True)
def policy(employer_id: str) -> str | Response:
    """The employer's cancellation notice, and whether late cancellations and no-shows
    count as used; each field left empty follows the portal's default."""
    found = _employer(employer_id)
    own = portal().admin.employer_settings(g.actor, found.id)
    values = {
        "notice_hours": ""
        if own is None or own.cancellation_notice is None
        else _hours(own.cancellation_notice),
        **{
            name: "" if own is None or getattr(own, name) is None else str(int(getattr(own, name)))
            for name in POLICY_FLAGS
        },
    }
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = {
            "notice_hours": field("notice_hours", limit=20).strip().replace(",", "."),
            **{name: field(name, limit=2) for name in POLICY_FLAGS},
        }
        given: dict[str, Any] = {}
        reset: list[Any] = []
        if values["notice_hours"]:
            given["cancellation_notice"] = _notice(values["notice_hours"])
        else:
            reset.append("cancellation_notice")
        for name in POLICY_FLAGS:
            if values[name] in CHOICES:
                given[name] = CHOICES[values[name]]
            else:
                reset.append(name)
        try:
            portal().admin.set_employer_policy(g.actor, found.id, reset=reset, **given)
        except ValidationError as invalid:
            errors = {
                ("notice_hours" if name == "cancellation_notice" else name): text
                for name, text in invalid.errors.items()
            }
        else:
            return redirect(url_for("desk.policy", employer_id=found.id, melding="instellingen"))
    current = portal().admin.employer_policy(g.actor, found.id)
    return render_template(
        "desk/employer.html",
        employer=found,
        tab="instellingen",
        values=values,
        errors=errors,
        policy=current,
        current_hours=_hours(current.cancellation_notice),
        default_hours=_hours(portal().settings.cancellation_notice),
        default_flags={
            "late_cancellations_count": portal().settings.late_cancellations_count,
            "no_shows_count": portal().settings.no_shows_count,
        },
    )


def _hours(notice: timedelta) -> str:
    hours = notice / timedelta(hours=1)
    return str(int(hours)) if hours == int(hours) else f"{hours:g}"


def _notice(text: str) -> object:
    """Hours as a duration; text that is no number goes to the SDK as it is, to be named."""
    try:
        hours = float(text)
    except ValueError:
        return text
    if not math.isfinite(hours):
        return text
    # Far beyond the SDK's range stays beyond it, without overflowing a timedelta.
    return timedelta(minutes=round(max(min(hours, 1e5), -1e5) * 60))
