"""The coach's workspace: the agenda, a session (report, note, cancel, move, extension),
the profile, the availability, the calendar link and the private feed.

Only a signed-in coach reaches these pages (``signed_in(coach=True)``: anyone else gets
404); the SDK gives a coach their own sessions only (another's answers ``NotFound``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import Blueprint, Response, abort, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from flask_portal.app import field, portal, signed_in
from flask_portal.views import agenda, coach_forms
from onzecoach import Actor, Conflict, InvalidToken, ValidationError
from onzecoach.errors import CalendarError, SlotTaken
from onzecoach.trajectories import AppointmentStatus

blueprint = Blueprint("coach", __name__)

ID_LIMIT = 100
NOTE_LIMIT = 12_000
#: What a coach can report of a session that began.
OUTCOMES = {"held": "Gehouden", "no_show": "Niet verschenen"}
REPORTABLE = (AppointmentStatus.PLANNED, AppointmentStatus.HELD, AppointmentStatus.NO_SHOW)
MAX_WEEKS = 104


def _actor() -> Actor:
    actor: Actor = g.actor
    return actor


@blueprint.context_processor
def _helpers() -> dict[str, Any]:
    return {
        "status_labels": {status: status.label for status in AppointmentStatus},
        "theme_names": {theme.code: theme.name for theme in portal().settings.themes},
        **coach_forms.choices(),
    }


# The agenda -----------------------------------------------------------------------------------


@blueprint.get("/coach/agenda")
@signed_in(coach=True)
def agenda_page() -> str:
    """Per day (``?weergave=dag``) or per week (from Monday); ``?datum=`` picks the date."""
    per_day = request.args.get("weergave") == "dag"
    today = agenda.today()
    chosen = agenda.day_arg(request.args.get("datum", "")[:10]) or today
    chosen = min(
        max(chosen, today - timedelta(weeks=MAX_WEEKS)), today + timedelta(weeks=MAX_WEEKS)
    )
    start = chosen if per_day else chosen - timedelta(days=chosen.weekday())
    days = 1 if per_day else 7
    sessions = portal().coaching.agenda(_actor(), start=start, days=days)
    return render_template(
        "coach/agenda.html",
        per_day=per_day,
        start=start,
        end=start + timedelta(days=days - 1),
        days=agenda.by_day(sessions, start, days),
        previous=start - timedelta(days=days),
        following=start + timedelta(days=days),
        today=today,
        view="dag" if per_day else "week",
    )


# One session ----------------------------------------------------------------------------------


@blueprint.get("/coach/sessies/<appointment_id>")
@signed_in(coach=True)
def session(appointment_id: str) -> str:
    return _session_page(appointment_id[:ID_LIMIT])


def _session_page(appointment_id: str, **context: Any) -> str:
    found = portal().coaching.session(_actor(), appointment_id)
    note = context.pop("note", None)
    return render_template(
        "coach/session.html",
        session=found,
        begun=found.starts_at <= portal().clock.now(),
        reportable=found.status in REPORTABLE,
        planned=found.status is AppointmentStatus.PLANNED,
        note=portal().coaching.note(_actor(), found.id) if note is None else note,
        outcomes=OUTCOMES,
        **{"errors": {}, "problem": "", "values": {}, **context},
    )


@blueprint.post("/coach/sessies/<appointment_id>/melden")
@signed_in(coach=True)
def report(appointment_id: str) -> str | BaseResponse:
    values = {"status": field("status", limit=20), "theme": field("theme", limit=64)}
    status: Any = values["status"]  # the SDK names one it does not know
    try:
        portal().coaching.report(
            _actor(), appointment_id, status=status, theme=values["theme"] or None
        )
    except ValidationError as invalid:
        errors = {name if name in values else "status": t for name, t in invalid.errors.items()}
    except Conflict as refused:
        return _session_page(appointment_id[:ID_LIMIT], problem=str(refused), values=values)
    else:
        return redirect(url_for("coach.session", appointment_id=appointment_id, melding="gemeld"))
    return _session_page(appointment_id[:ID_LIMIT], errors=errors, values=values)


@blueprint.post("/coach/sessies/<appointment_id>/notitie")
@signed_in(coach=True)
def write_note(appointment_id: str) -> str | BaseResponse:
    text = field("note", limit=NOTE_LIMIT)
    try:
        portal().coaching.write_note(_actor(), appointment_id, text)
    except ValidationError as invalid:
        message = "; ".join(invalid.errors.values())
        return _session_page(appointment_id[:ID_LIMIT], errors={"note": message}, note=text)
    return redirect(url_for("coach.session", appointment_id=appointment_id, melding="notitie"))


@blueprint.post("/coach/sessies/<appointment_id>/afzeggen")
@signed_in(coach=True)
def cancel(appointment_id: str) -> str | BaseResponse:
    try:
        portal().coaching.cancel(_actor(), appointment_id)
    except Conflict as refused:
        return _session_page(appointment_id[:ID_LIMIT], problem=str(refused))
    return redirect(url_for("coach.session", appointment_id=appointment_id, melding="afgezegd"))


@blueprint.post("/coach/sessies/<appointment_id>/verlenging")
@signed_in(coach=True)
def request_extension(appointment_id: str) -> str | BaseResponse:
    values = {"reason": field("reason", limit=NOTE_LIMIT), "sessions": field("sessions", limit=3)}
    sessions = (
        int(values["sessions"])
        if values["sessions"].isascii() and values["sessions"].isdigit()
        else 0
    )
    try:
        portal().coaching.request_extension(
            _actor(), appointment_id, note=values["reason"], sessions=sessions
        )
    except ValidationError as invalid:
        errors = {
            ("reason" if name == "note" else "sessions"): t for name, t in invalid.errors.items()
        }
        return _session_page(appointment_id[:ID_LIMIT], errors=errors, values=values)
    except Conflict as refused:
        return _session_page(appointment_id[:ID_LIMIT], problem=str(refused), values=values)
    return redirect(url_for("coach.session", appointment_id=appointment_id, melding="verlenging"))


@blueprint.route("/coach/sessies/<appointment_id>/verzetten", methods=["GET", "POST"])
@signed_in(coach=True)
def move(appointment_id: str) -> str | BaseResponse:
    found = portal().coaching.session(_actor(), appointment_id[:ID_LIMIT])
    problem = ""
    errors: dict[str, str] = {}
    if request.method == "POST":
        chosen = _moment(field("starts_at", limit=40))
        if chosen is None:
            errors["starts_at"] = "Kies een tijd."
        else:
            try:
                portal().coaching.move(_actor(), found.id, starts_at=chosen)
            except (SlotTaken, Conflict) as refused:
                problem = str(refused)
            except ValidationError as invalid:
                errors = {"starts_at": "; ".join(invalid.errors.values())}
            else:
                return redirect(url_for("coach.session", appointment_id=found.id, melding="verzet"))
    today = agenda.today()
    start = agenda.day_arg(request.values.get("vanaf", "")[:10]) or today
    start = min(max(start, today), today + timedelta(weeks=MAX_WEEKS))
    slots = portal().coaching.free_slots(_actor(), found.id, start=start, days=7)
    return render_template(
        "coach/move.html",
        session=found,
        days=agenda.by_day(slots, start, 7),
        week=agenda.Week(
            start=start,
            previous=max(start - timedelta(days=7), today) if start > today else None,
            following=start + timedelta(days=7),
        ),
        problem=problem,
        errors=errors,
    )


def _moment(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.utcoffset() is not None else None


# The profile and the availability ---------------------------------------------------------


@blueprint.route("/coach/profiel", methods=["GET", "POST"])
@signed_in(coach=True)
def profile() -> str | BaseResponse:
    me = portal().coaches.me(_actor())
    errors: dict[str, str] = {}
    values = coach_forms.profile_values(me.profile)
    if request.method == "POST":
        values, data = coach_forms.profile_form(desk=False)
        try:
            portal().coaches.update_profile(_actor(), me.id, **data)
        except ValidationError as invalid:
            errors = coach_forms.profile_errors(dict(invalid.errors), values)
        else:
            return redirect(url_for("coach.profile", melding="profiel"))
    return render_template("coach/profile.html", values=values, errors=errors)


@blueprint.route("/coach/beschikbaarheid", methods=["GET", "POST"])
@signed_in(coach=True)
def availability() -> str | BaseResponse:
    me = portal().coaches.me(_actor())
    errors: dict[str, str] = {}
    values = coach_forms.availability_values(me.availability)
    if request.method == "POST":
        values, data = coach_forms.availability_form()
        try:
            portal().coaches.set_availability(_actor(), me.id, data)
        except ValidationError as invalid:
            errors = coach_forms.availability_errors(dict(invalid.errors))
        else:
            return redirect(url_for("coach.availability", melding="beschikbaarheid"))
    return render_template("coach/availability.html", values=values, errors=errors)


# The calendar link and the private feed ------------------------------------------------------


@blueprint.route("/coach/agendakoppeling", methods=["GET", "POST"])
@signed_in(coach=True)
def calendar() -> str | BaseResponse:
    me = portal().coaches.me(_actor())
    errors: dict[str, str] = {}
    problem = ""
    values = {"url": "", "username": ""}
    if request.method == "POST":
        values = {"url": field("url", limit=600), "username": field("username", limit=600)}
        try:
            portal().coaches.link_calendar(
                _actor(), me.id, values["url"], values["username"], field("password", limit=600)
            )
        except ValidationError as invalid:
            errors = dict(invalid.errors)
        except (CalendarError, Conflict) as failed:
            problem = (
                str(failed)
                if isinstance(failed, Conflict)
                else "De agenda reageert nu niet. Probeer het later opnieuw."
            )
        else:
            return redirect(url_for("coach.calendar", melding="agenda"))
    return _calendar_page(values=values, errors=errors, problem=problem)


def _calendar_page(**context: Any) -> str:
    me = portal().coaches.me(_actor())
    return render_template(
        "coach/calendar.html",
        coach=me,
        **{"values": {}, "errors": {}, "problem": "", "feed_url": None, **context},
    )


@blueprint.post("/coach/agendakoppeling/ontkoppelen")
@signed_in(coach=True)
def unlink_calendar() -> BaseResponse:
    me = portal().coaches.me(_actor())
    portal().coaches.unlink_calendar(_actor(), me.id)
    return redirect(url_for("coach.calendar", melding="ontkoppeld"))


@blueprint.post("/coach/agenda-feed/vernieuwen")
@signed_in(coach=True)
def rotate_feed() -> str:
    """A new feed URL, shown on this page this once (only its hash is kept)."""
    me = portal().coaches.me(_actor())
    url = portal().coaches.rotate_feed(_actor(), me.id)
    return _calendar_page(feed_url=url)


@blueprint.post("/coach/agenda-feed/intrekken")
@signed_in(coach=True)
def revoke_feed() -> BaseResponse:
    me = portal().coaches.me(_actor())
    portal().coaches.revoke_feed(_actor(), me.id)
    return redirect(url_for("coach.calendar", melding="feed-ingetrokken"))


@blueprint.get("/agenda-feed/<token>")
def feed(token: str) -> Response:
    """The private ICS feed a calendar app subscribes to: no login, the token is the key."""
    try:
        body = portal().coaching.feed(token[:200])
    except InvalidToken:
        abort(404)
    return Response(body, mimetype="text/calendar", headers={"Cache-Control": "no-store"})
