"""The employee's PlanningsAgenda: the link in the invitation mail, without an account.

The link's token is the only credential; the SDK checks it on every call (``InvalidToken``
for a link that is unknown or whose trajectory is closed: a friendly page, 404;
``Throttled``: 429, as everywhere).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from flask_portal.app import field, portal
from flask_portal.views import agenda
from onzecoach import Conflict, InvalidToken, NotFound, QuotaExceeded, ValidationError
from onzecoach.booking import BookedSession, BookingContext
from onzecoach.catalogues import LANGUAGES
from onzecoach.coaches import Mode
from onzecoach.errors import SlotTaken
from onzecoach.trajectories import AppointmentStatus

blueprint = Blueprint("booking", __name__, url_prefix="/planningsagenda")

MODES = {Mode.LIVE.value: "Live, op een locatie", Mode.ONLINE.value: "Online, via video"}
#: How far ahead the week navigation goes; the coach's own horizon decides what is free.
MAX_WEEKS_AHEAD = 52
ID_LIMIT = 100


@blueprint.context_processor
def _helpers() -> dict[str, Any]:
    token = (request.view_args or {}).get("token")
    return {
        "public_page": True,
        # Where an error page of the link leads back to.
        "home_url": url_for("booking.overview", token=token) if isinstance(token, str) else None,
        "modes": MODES,
        "languages": LANGUAGES,
        "themes": portal().settings.themes,
        "theme_names": {theme.code: theme.name for theme in portal().settings.themes},
        "status_labels": {status: status.label for status in AppointmentStatus},
    }


@blueprint.errorhandler(InvalidToken)
def _invalid(_: InvalidToken) -> tuple[str, int]:
    return render_template("booking/invalid.html"), 404


# The overview --------------------------------------------------------------------------------


@blueprint.get("/<token>")
def overview(token: str) -> str:
    context = portal().booking.open(token)
    return _overview_page(token, context, _filters(context), {})


def _overview_page(
    token: str, context: BookingContext, filters: dict[str, str], errors: dict[str, str]
) -> str:
    upcoming = _upcoming(context)
    return render_template(
        "booking/overview.html",
        token=token,
        booking=context,
        upcoming=upcoming,
        past=[s for s in context.booked if s not in upcoming],
        filters=filters,
        errors=errors,
    )


def _upcoming(context: BookingContext) -> list[BookedSession]:
    return [s for s in context.booked if s.status is AppointmentStatus.PLANNED]


def _filters(context: BookingContext) -> dict[str, str]:
    """The search form's values: from the URL, the employee's postcode by default."""
    return {
        "vorm": _arg("vorm", 10),
        "taal": _arg("taal", 10),
        "thema": _arg("thema", 64),
        "postcode": _arg("postcode", 10) or (context.postcode or ""),
    }


# Coaches that fit ------------------------------------------------------------------------------


@blueprint.get("/<token>/coaches")
def coaches(token: str) -> str:
    context = portal().booking.open(token)
    filters = _filters(context)
    errors: dict[str, str] = {}
    found = []
    if not filters["vorm"]:
        errors["vorm"] = "Kies of je live of online met de coach wilt praten."
    else:
        try:
            found = portal().booking.coaches(
                token,
                mode=filters["vorm"],
                language=filters["taal"] or None,
                specialism=filters["thema"] or None,
                postcode=filters["postcode"] if filters["vorm"] == Mode.LIVE.value else None,
            )
        except ValidationError as invalid:
            errors = _named(invalid.errors)
    if errors:
        return _overview_page(token, context, filters, errors)
    return render_template(
        "booking/coaches.html", token=token, booking=context, filters=filters, coaches=found
    )


#: The search form's field for each of the SDK's fields.
FILTER_FIELDS = {"mode": "vorm", "language": "taal", "specialism": "thema", "postcode": "postcode"}


def _named(errors: Mapping[str, str]) -> dict[str, str]:
    return {FILTER_FIELDS.get(name, "vorm"): text for name, text in errors.items()}


# A coach's slots, and booking one ---------------------------------------------------------------


@blueprint.get("/<token>/coaches/<coach_id>")
def slots(token: str, coach_id: str) -> str:
    return _slots_page(token, coach_id[:ID_LIMIT])


@blueprint.post("/<token>/boeken")
def book(token: str) -> str | Response:
    coach_id = field("coach_id", limit=ID_LIMIT)
    chosen = _moment(field("starts_at", limit=40))
    problem = ""
    errors: dict[str, str] = {}
    try:
        if chosen is None:
            errors["starts_at"] = "Kies een tijd."
        else:
            session = portal().booking.book(
                token, coach_id=coach_id, starts_at=chosen, mode=field("vorm", limit=10)
            )
            return redirect(url_for("booking.confirmation", token=token, appointment_id=session.id))
    except SlotTaken as taken:
        problem = str(taken)
    except QuotaExceeded as full:
        problem = str(full)
    except ValidationError as invalid:
        errors = {"starts_at": "; ".join(invalid.errors.values())}
    return _slots_page(token, coach_id, problem=problem, errors=errors)


def _slots_page(
    token: str,
    coach_id: str,
    *,
    problem: str = "",
    errors: dict[str, str] | None = None,
) -> str:
    context = portal().booking.open(token)
    mode = _arg("vorm", 10) or field("vorm", limit=10) or Mode.ONLINE.value
    start, week = _week()
    found = portal().booking.slots(token, coach_id, start=start, days=7)
    offers = portal().booking.coaches(token, mode=mode) if mode in MODES else []
    offer = next((c for c in offers if c.id == coach_id), None)
    return render_template(
        "booking/slots.html",
        token=token,
        booking=context,
        coach_id=coach_id,
        coach_name=offer.name if offer else (found[0].coach_name if found else ""),
        offer=offer,
        mode=mode,
        days=agenda.by_day(found, start, 7),
        week=week,
        problem=problem,
        errors=errors or {},
        action=url_for("booking.book", token=token),
        moving=None,
        week_url=lambda day: url_for(
            "booking.slots", token=token, coach_id=coach_id, vorm=mode, vanaf=day.isoformat()
        ),
    )


def _week() -> tuple[date, agenda.Week]:
    today = agenda.today()
    # The week in the URL, or (a form sent back with an error) the week it was sent from.
    start = agenda.day_arg(_arg("vanaf", 10) or field("vanaf", limit=10)) or today
    start = min(max(start, today), today + timedelta(weeks=MAX_WEEKS_AHEAD))
    return start, agenda.Week(
        start=start,
        previous=max(start - timedelta(days=7), today) if start > today else None,
        following=start + timedelta(days=7)
        if start + timedelta(days=7) <= today + timedelta(weeks=MAX_WEEKS_AHEAD)
        else None,
    )


@blueprint.get("/<token>/afspraken/<appointment_id>")
def confirmation(token: str, appointment_id: str) -> str:
    context = portal().booking.open(token)
    session = _session(context, appointment_id)
    return render_template(
        "booking/confirmation.html", token=token, booking=context, session=session
    )


# Moving and cancelling ----------------------------------------------------------------------


@blueprint.route("/<token>/afspraken/<appointment_id>/verzetten", methods=["GET", "POST"])
def reschedule(token: str, appointment_id: str) -> str | Response:
    context = portal().booking.open(token)
    session = _session(context, appointment_id)
    problem = ""
    errors: dict[str, str] = {}
    if request.method == "POST":
        chosen = _moment(field("starts_at", limit=40))
        if chosen is None:
            errors["starts_at"] = "Kies een tijd."
        else:
            try:
                moved = portal().booking.reschedule(token, session.id, starts_at=chosen)
            except (SlotTaken, Conflict) as refused:
                problem = str(refused)
            except ValidationError as invalid:
                errors = {"starts_at": "; ".join(invalid.errors.values())}
            else:
                return redirect(
                    url_for(
                        "booking.confirmation",
                        token=token,
                        appointment_id=moved.id,
                        melding="verzet",
                    )
                )
    start, week = _week()
    found = portal().booking.slots(token, session.coach_id, start=start, days=7)
    return render_template(
        "booking/slots.html",
        token=token,
        booking=context,
        coach_id=session.coach_id,
        coach_name=session.coach_name,
        offer=None,
        mode=session.mode.value,
        days=agenda.by_day(found, start, 7),
        week=week,
        problem=problem,
        errors=errors,
        action=url_for("booking.reschedule", token=token, appointment_id=session.id),
        moving=session,
        week_url=lambda day: url_for(
            "booking.reschedule", token=token, appointment_id=session.id, vanaf=day.isoformat()
        ),
    )


@blueprint.route("/<token>/afspraken/<appointment_id>/afzeggen", methods=["GET", "POST"])
def cancel(token: str, appointment_id: str) -> str | Response:
    context = portal().booking.open(token)
    session = _session(context, appointment_id)
    problem = ""
    if request.method == "POST":
        try:
            portal().booking.cancel(token, session.id)
        except Conflict as refused:
            problem = str(refused)
        else:
            return redirect(url_for("booking.overview", token=token, melding="afgezegd"))
    notice_hours = int(context.cancellation_notice / timedelta(hours=1))
    return render_template(
        "booking/cancel.html",
        token=token,
        booking=context,
        session=session,
        notice_hours=notice_hours,
        problem=problem,
    )


# Helpers ------------------------------------------------------------------------------------


def _session(context: BookingContext, appointment_id: str) -> BookedSession:
    for session in context.booked:
        if session.id == appointment_id:
            return session
    raise NotFound("appointment.not_found")


def _moment(text: str) -> datetime | None:
    """A slot's start as the form sends it (ISO 8601 with its offset)."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.utcoffset() is not None else None


def _arg(name: str, limit: int) -> str:
    value = request.args.get(name, "")
    return value[:limit] if isinstance(value, str) else ""
