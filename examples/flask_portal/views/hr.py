"""HR's screens: home, employees, coaching, search, dossier, tasks (manual sections 5 to 8).

Every rule lives in the SDK: a view reads the form, calls ``portal()``, and turns the
answer or the error into a page. Another employer's ids answer ``NotFound`` (the 404 page).
"""

from __future__ import annotations

import io
import itertools
import re
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from flask import Blueprint, g, jsonify, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from flask_portal.app import arg, field, page_number, portal, signed_in
from onzecoach import (
    Actor,
    Conflict,
    NotFound,
    QueryTooShort,
    QuotaExceeded,
    Role,
    ValidationError,
)
from onzecoach.clock import amsterdam
from onzecoach.employees import (
    EMPLOYEE_FORM,
    FIELD_LABELS,
    FIELDS,
    GENDER_LABELS,
    FieldKind,
    ImportReport,
)
from onzecoach.notifications import dutch_date
from onzecoach.search import SearchHit, SearchResult
from onzecoach.tasks import Task
from onzecoach.trajectories import AppointmentMode, AppointmentStatus, TrajectoryStatus

blueprint = Blueprint("hr", __name__)

#: Results per page of the search page; suggestions while typing.
PAGE_SIZE = 20
SUGGESTIONS = 10
#: The longest search text read, the longest id.
QUERY_LIMIT = 100
ID_LIMIT = 100
#: Form fields are cut here; past the SDK's own limits it names them as too long.
FORM_LIMIT = 2000
NOTE_LIMIT = 4000
#: Open tasks on the home page; the rest are on the task page.
HOME_TASKS = 10

APPOINTMENT_STATUS = {status: status.label for status in AppointmentStatus}
APPOINTMENT_MODE = {AppointmentMode.LIVE: "Live", AppointmentMode.ONLINE: "Online"}
#: The form's sections after the registration type, which is chosen on a page before it.
SECTIONS = tuple(
    (section, tuple(fields))
    for section, fields in itertools.groupby(
        (field for field in EMPLOYEE_FORM if field.name != "registration_type"),
        key=lambda field: field.section,
    )
)
#: The input each kind of field is typed in; other kinds are text.
INPUT_TYPES = {FieldKind.DATE: "date", FieldKind.EMAIL: "email", FieldKind.PHONE: "tel"}
#: Fields a phone's keyboard should start in capitals.
CAPITALS = frozenset({"initials", "postcode"})
#: The id of the list of suggestions of a field that has them.
DATALISTS = {"name_infix": "tussenvoegsels"}
INPUT_EXTRA: dict[str, dict[str, str]] = {
    field.name: {
        **({"maxlength": str(field.max_length)} if field.max_length is not None else {}),
        **({"list": DATALISTS[field.name]} if field.suggestions else {}),
        **({"autocapitalize": "characters"} if field.name in CAPITALS else {}),
    }
    for field in EMPLOYEE_FORM
}
_ISO_DAY = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_DUTCH_DAY = re.compile(r"([0-9]{1,2})[-/.]([0-9]{1,2})[-/.]([0-9]{4})")


def _actor() -> Actor:
    actor: Actor = g.actor
    return actor


def _employer_id() -> str:
    # An HR actor always has an employer; ``signed_in(hr=True)`` let only HR in.
    return str(_actor().employer_id)


def _today() -> date:
    return portal().clock.now().astimezone(amsterdam()).date()


def _day(text: str) -> date | None:
    """The day a date field names: ``2026-03-02`` (a date input) or ``02-03-2026`` (typed)."""
    text = text.strip()
    if iso := _ISO_DAY.fullmatch(text):
        year, month, day = (int(part) for part in iso.groups())
    elif dutch := _DUTCH_DAY.fullmatch(text):
        day, month, year = (int(part) for part in dutch.groups())
    else:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


@blueprint.context_processor
def _helpers() -> dict[str, Any]:
    return {
        "datum": dutch_date,
        "field_labels": FIELD_LABELS,
        "gender_labels": GENDER_LABELS,
        "appointment_status": APPOINTMENT_STATUS,
        "appointment_mode": APPOINTMENT_MODE,
        "theme_name": portal().settings.theme_name,
    }


# Home ------------------------------------------------------------------------------------


@blueprint.get("/")
@signed_in()
def home() -> str | Response:
    if _actor().is_service_desk:
        return redirect(url_for("desk.employers"))
    if _actor().role is Role.COACH:
        return redirect(url_for("coach.agenda_page"))
    tasks = portal().tasks.open(_actor())
    shown = tasks[:HOME_TASKS]
    return render_template("hr/home.html", tasks=shown, total_tasks=len(tasks), names=_names(shown))


def _names(tasks: Iterable[Task]) -> dict[str, str]:
    """The display names of the tasks' employees, by id."""
    names: dict[str, str] = {}
    for task in tasks:
        if task.employee_id not in names:
            try:
                names[task.employee_id] = (
                    portal().employees.get(_actor(), task.employee_id).display_name
                )
            except NotFound:
                names[task.employee_id] = "Onbekende werknemer"
    return names


# Search ----------------------------------------------------------------------------------


def _search(text: str, *, page: int = 1, size: int = PAGE_SIZE) -> tuple[SearchResult | None, str]:
    """The results for ``text``, or none and why (nothing typed, too few letters)."""
    if not text.strip():
        return None, ""
    try:
        found = portal().search.employees(_actor(), text, limit=size, offset=(page - 1) * size)
    except QueryTooShort as short:
        return None, short.errors.get("text", str(short))
    return found, ""


@blueprint.get("/zoeken")
@signed_in(hr=True)
def search() -> str:
    text = arg("q", QUERY_LIMIT)
    page = page_number()
    found, problem = _search(text, page=page)
    return render_template("hr/search.html", q=text, found=found, problem=problem, page=page)


@blueprint.get("/zoeken.json")
@signed_in(hr=True)
def search_json() -> Response:
    """Suggestions while typing: the first hits of the same search."""
    text = arg("q", QUERY_LIMIT)
    found, problem = _search(text, size=SUGGESTIONS)
    hits = [_hit(hit) for hit in found.hits] if found else []
    return jsonify(
        hits=hits, total=found.total if found else 0, too_short=found is None, message=problem
    )


def _hit(hit: SearchHit) -> dict[str, str | None]:
    return {
        "employee_id": hit.employee_id,
        "display_name": hit.display_name,
        "birth_date": hit.birth_date.isoformat(),
        "birth_date_text": dutch_date(hit.birth_date),
        "employee_number": hit.employee_number,
        "department": hit.department,
        "url": url_for("hr.dossier", employee_id=hit.employee_id),
    }


# A new employee (manual section 5) ---------------------------------------------------------


@blueprint.route("/werknemers/nieuw", methods=["GET", "POST"])
@signed_in(hr=True)
def new_employee() -> str | Response:
    """First the registration type, then the form; ``Aanmelden`` registers."""
    types = list(portal().settings.registration_types)
    if request.method == "GET":
        chosen = arg("registratietype", 200)
        if chosen not in types:
            error = "Kies een registratietype." if chosen or "verder" in request.args else ""
            preselect = types[0] if len(types) == 1 else ""
            return render_template(
                "hr/new_employee_type.html",
                label=FIELD_LABELS["registration_type"],
                options=[(kind, kind) for kind in types],
                chosen=preselect,
                error=error,
            )
        values = {field.name: field.default or "" for field in EMPLOYEE_FORM}
        values["registration_type"] = chosen
        return _employee_form(values, {})
    values = {name: field(name, limit=FORM_LIMIT) for name in FIELDS}
    data: dict[str, object] = dict(values)
    # A date input sends 2026-03-02; text typed where there is none is the SDK's to read.
    data["birth_date"] = _day(values["birth_date"]) or values["birth_date"]
    try:
        employee = portal().employees.register(_actor(), data)
    except ValidationError as invalid:
        errors = dict(invalid.errors)
    except Conflict as taken:
        errors = {"employee_number": str(taken)}
    else:
        return redirect(url_for("hr.dossier", employee_id=employee.id, melding="werknemer"))
    return _employee_form(values, errors)


def _employee_form(values: dict[str, str], errors: dict[str, str]) -> str:
    departments = portal().admin.departments(_actor(), _employer_id())
    return render_template(
        "hr/new_employee.html",
        values=values,
        errors=errors,
        sections=SECTIONS,
        input_types=INPUT_TYPES,
        input_extra=INPUT_EXTRA,
        departments=[(d.id, d.name) for d in departments],
        datalists=[(DATALISTS[f.name], f.suggestions) for f in EMPLOYEE_FORM if f.suggestions],
    )


# Importing employees from a file -------------------------------------------------------------

#: Errors and changed rows shown on the import page; the counts cover them all.
IMPORT_SHOWN = 200
IMPORT_ACTIONS = {"created": "Nieuw", "updated": "Bijgewerkt"}


@blueprint.route("/werknemers/importeren", methods=["GET", "POST"])
@signed_in(hr=True)
def import_employees() -> str:
    """Upload a CSV or Excel file; "Controleren" is a dry run, "Importeren" saves."""
    report: ImportReport | None = None
    error = ""
    if request.method == "POST":
        upload = request.files.get("bestand")
        if upload is None or not upload.filename:
            error = "Kies een bestand: CSV (UTF-8, met ; of ,) of Excel (.xlsx)."
        else:
            try:
                source = io.BytesIO(upload.read())
            finally:
                upload.close()
            source.name = upload.filename  # its suffix tells CSV from Excel
            report = portal().imports.employees(
                _actor(), source, dry_run=field("actie", limit=20) != "importeren"
            )
    return render_template(
        "hr/import.html",
        report=report,
        error=error,
        shown=IMPORT_SHOWN,
        columns=[(FIELD_LABELS[name], name) for name in FIELDS],
        labels=FIELD_LABELS,
        actions=IMPORT_ACTIONS,
    )


# Starting coaching (manual section 6) -------------------------------------------------------


@blueprint.route("/coaching-starten", methods=["GET", "POST"])
@signed_in(hr=True)
def start_coaching() -> str | Response:
    """Find the employee by name, then choose the start date and the trajectory."""
    types = [kind for kind in portal().trajectories.types() if not kind.is_extension]
    errors: dict[str, str] = {}
    error = ""
    if request.method == "POST":
        employee_id = field("employee_id", limit=ID_LIMIT)
        type_code = field("type_code", limit=200)
        start_text = field("start_date", limit=200)
    else:
        employee_id = arg("employee_id")
        type_code = ""
        start_text = _today().isoformat()
    employee = portal().employees.get(_actor(), employee_id) if employee_id else None
    if request.method == "POST" and employee is None:
        error = "Zoek en kies eerst de werknemer."
    elif request.method == "POST" and employee is not None:
        # No readable date is passed on as none: the SDK names the missing start date.
        start_date: Any = _day(start_text)
        try:
            portal().trajectories.start(
                _actor(), employee.id, type_code=type_code, start_date=start_date
            )
        except ValidationError as invalid:
            errors = dict(invalid.errors)
        except (Conflict, QuotaExceeded) as refused:
            error = str(refused)
        else:
            return redirect(url_for("hr.dossier", employee_id=employee.id, melding="traject"))
    text = arg("q", QUERY_LIMIT) if employee is None else ""
    page = page_number()
    found, problem = _search(text, page=page) if employee is None else (None, "")
    return render_template(
        "hr/start_coaching.html",
        employee=employee,
        type_choices=[(kind.code, kind.name) for kind in types],
        type_code=type_code,
        start_date=start_text,
        errors=errors,
        error=error,
        q=text,
        found=found,
        problem=problem,
        page=page,
    )


# The dossier (manual section 7) --------------------------------------------------------------


@blueprint.get("/werknemers/<employee_id>")
@signed_in(hr=True)
def dossier(employee_id: str) -> str:
    tab = "trajecten" if request.args.get("tab") == "trajecten" else "overzicht"
    found = portal().employees.dossier(_actor(), employee_id)
    open_trajectory = next(
        (row for row in found.trajectories if row.status is not TrajectoryStatus.CLOSED), None
    )
    return render_template(
        "hr/dossier.html", dossier=found, tab=tab, open_trajectory=open_trajectory
    )


@blueprint.post("/trajecten/<trajectory_id>/uitnodiging")
@signed_in(hr=True)
def resend_invitation(trajectory_id: str) -> Response:
    """Send the employee's booking invitation again, now."""
    trajectory = portal().trajectories.get(_actor(), trajectory_id)
    portal().trajectories.resend_invitation(_actor(), trajectory.id)
    return redirect(
        url_for("hr.dossier", employee_id=trajectory.employee_id, melding="uitgenodigd")
    )


@blueprint.get("/nog-niet-ingepland")
@signed_in(hr=True)
def not_booked() -> str:
    """Employees invited a while ago who have not booked yet, each with a resend."""
    waiting = portal().employees.not_booked(_actor())
    days = portal().settings.not_booked_after.days
    return render_template("hr/not_booked.html", rows=waiting, days=days)


@blueprint.post("/nog-niet-ingepland/<trajectory_id>/uitnodiging")
@signed_in(hr=True)
def resend_from_list(trajectory_id: str) -> Response:
    """The resend of the list: back to the list afterwards."""
    trajectory = portal().trajectories.get(_actor(), trajectory_id[:ID_LIMIT])
    portal().trajectories.resend_invitation(_actor(), trajectory.id)
    return redirect(url_for("hr.not_booked", melding="uitgenodigd"))


# Tasks (manual section 8) --------------------------------------------------------------------


@blueprint.get("/taken")
@signed_in(hr=True)
def tasks() -> str:
    return _tasks_page()


def _tasks_page(failed: dict[str, str] | None = None) -> str:
    """The open tasks; with ``?werknemer=`` those of one employee ("takenoverzicht")."""
    employee_id = request.values.get("werknemer", "")[:ID_LIMIT]
    employee = portal().employees.get(_actor(), employee_id) if employee_id else None
    found = portal().tasks.open(_actor())
    if employee is not None:
        found = [task for task in found if task.employee_id == employee.id]
    return render_template(
        "hr/tasks.html", tasks=found, names=_names(found), employee=employee, failed=failed or {}
    )


@blueprint.post("/taken/<task_id>/uitgevoerd")
@signed_in(hr=True)
def complete_task(task_id: str) -> str | Response:
    return _decide(task_id, lambda: portal().tasks.complete(_actor(), task_id))


@blueprint.post("/taken/<task_id>/goedkeuren")
@signed_in(hr=True)
def approve_task(task_id: str) -> str | Response:
    return _decide(task_id, lambda: portal().tasks.approve(_actor(), task_id))


@blueprint.post("/taken/<task_id>/afwijzen")
@signed_in(hr=True)
def decline_task(task_id: str) -> str | Response:
    note = field("note", limit=NOTE_LIMIT)
    return _decide(task_id, lambda: portal().tasks.decline(_actor(), task_id, note=note), note)


def _decide(task_id: str, action: Callable[[], object], note: str = "") -> str | Response:
    try:
        action()
    except ValidationError as invalid:
        message = invalid.errors.get("note") or "; ".join(invalid.errors.values())
        return _tasks_page({"task_id": task_id, "message": message, "note": note})
    except (Conflict, QuotaExceeded) as refused:
        return _tasks_page({"task_id": task_id, "message": str(refused), "note": note})
    employee_id = field("werknemer", limit=ID_LIMIT)
    values: dict[str, Any] = {"melding": "taak"}
    if employee_id:
        values["werknemer"] = employee_id
    return redirect(url_for("hr.tasks", **values))
