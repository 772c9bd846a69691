"""The service desk's screens: employers, departments, users, second-factor resets."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from flask import Blueprint, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from flask_portal.app import field, portal, signed_in
from flask_portal.views import coach_forms
from onzecoach import Actor, Conflict, NotFound, Role, Throttled, ValidationError
from onzecoach.accounts import AccountStatus, UserView
from onzecoach.employers import Employer, EmployerPolicy, PolicyField, default_policy
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


# One employer: settings ---------------------------------------------------------------------------

#: The choices of a setting that is on or off, or the portal's default.
CHOICES = {"standaard": None, "ja": True, "nee": False}
#: The policy's settings that are on or off.
SwitchField = Literal["late_cancellations_count", "no_shows_count", "passkey_login"]
SWITCHES: tuple[SwitchField, ...] = ("late_cancellations_count", "no_shows_count", "passkey_login")
_HOURS = "Vul een aantal uren in, zoals 24 of 1,5; leeg voor de standaard van het portaal."
_MONTHS = "Vul een heel aantal maanden in, zoals 24; leeg voor de standaard van het portaal."


@blueprint.get("/werkgevers/<employer_id>/instellingen")
@signed_in(desk=True)
def settings(employer_id: str) -> str:
    return _settings_page(_employer(employer_id))


@blueprint.post("/werkgevers/<employer_id>/instellingen")
@signed_in(desk=True)
def save_settings(employer_id: str) -> str | Response:
    found = _employer(employer_id)
    values = {
        "cancellation_notice": field("cancellation_notice", limit=20).strip(),
        "late_cancellations_count": field("late_cancellations_count", limit=20),
        "no_shows_count": field("no_shows_count", limit=20),
        "passkey_login": field("passkey_login", limit=20),
        "retention_months": field("retention_months", limit=20).strip(),
    }
    errors: dict[str, str] = {}
    reset: list[PolicyField] = []
    months = _months(values["retention_months"])
    if values["retention_months"] and months is None:
        errors["retention_months"] = _MONTHS
    elif months is None:
        reset.append("retention_months")
    notice = _hours(values["cancellation_notice"])
    if values["cancellation_notice"] and notice is None:
        errors["cancellation_notice"] = _HOURS
    elif notice is None:
        reset.append("cancellation_notice")
    switches: dict[SwitchField, bool | None] = {}
    for name in SWITCHES:
        if values[name] not in CHOICES:
            errors[name] = "Kies een van de mogelijkheden."
        switches[name] = CHOICES.get(values[name])
        if switches[name] is None:
            reset.append(name)
    if not errors:
        try:
            portal().admin.set_employer_policy(
                g.actor,
                found.id,
                cancellation_notice=notice,
                late_cancellations_count=switches["late_cancellations_count"],
                no_shows_count=switches["no_shows_count"],
                passkey_login=switches["passkey_login"],
                retention_months=months,
                reset=reset,
            )
        except ValidationError as invalid:
            errors = {name: text for name, text in invalid.errors.items() if name in values}
        else:
            return redirect(url_for("desk.settings", employer_id=found.id, melding="instellingen"))
    return _settings_page(found, errors=errors, values=values)


def _hours(text: str) -> timedelta | None:
    """Hours as the form takes them ("24", "1,5"); ``None`` for nothing or no number. A
    fraction of a minute is left for the portal to refuse."""
    try:
        hours = Decimal(text.replace(",", "."))
    except InvalidOperation:
        return None
    if not hours.is_finite() or abs(hours) > 10_000:
        return None
    return timedelta(seconds=float(hours * 3600))


def _months(text: str) -> int | None:
    """Whole months as the form takes them ("24"); ``None`` for nothing or no number. A
    number out of range is left for the portal to refuse."""
    if not text.isascii() or not text.isdigit() or len(text) > 6:
        return None
    return int(text)


def _hours_text(notice: timedelta) -> str:
    """A notice as the form shows it: "24", "1,5"."""
    hours = Decimal(notice.total_seconds()) / 3600
    return f"{hours.normalize():f}".replace(".", ",")


def _notice_label(notice: timedelta) -> str:
    minutes = notice // timedelta(minutes=1)
    hours, rest = divmod(minutes, 60)
    parts = [f"{hours} uur"] if hours else []
    if rest or not hours:
        parts.append(f"{rest} {'minuut' if rest == 1 else 'minuten'}")
    return " en ".join(parts)


def _settings_page(found: Employer, **context: Any) -> str:
    admin = portal().admin
    policy: EmployerPolicy = admin.employer_policy(g.actor, found.id)
    own = admin.employer_settings(g.actor, found.id)
    defaults = default_policy(portal().settings)
    overridden = set(own.overridden) if own else set()

    def choice(name: str) -> str:
        if name not in overridden:
            return "standaard"
        return "ja" if getattr(policy, name) else "nee"

    values: dict[str, str] = {name: choice(name) for name in SWITCHES}
    values["cancellation_notice"] = (
        _hours_text(policy.cancellation_notice) if "cancellation_notice" in overridden else ""
    )
    values["retention_months"] = (
        str(policy.retention_months) if "retention_months" in overridden else ""
    )
    return render_template(
        "desk/employer.html",
        employer=found,
        tab="instellingen",
        policy=policy,
        notice_label=_notice_label(policy.cancellation_notice),
        default_notice=_notice_label(defaults.cancellation_notice),
        defaults=defaults,
        overridden=overridden,
        updated=dutch_datetime(own.updated_at) if own else None,
        **{"errors": {}, "values": values, **context},
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
