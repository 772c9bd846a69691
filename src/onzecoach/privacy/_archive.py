"""What a person's export holds (AVG art. 15 and 20), and the archive it becomes.

``PersonalData`` is the typed export; ``PersonalData.as_json()`` its machine-readable form
(schema ``EXPORT_SCHEMA``, version ``EXPORT_VERSION``, every field described in
docs/privacy.md), ``PersonalData.as_html()`` a page a person can read, and
``PersonalData.archive()`` both in one zip file.
"""

from __future__ import annotations

import enum
import html
import io
import json
import tempfile
import types
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import IO, Any, Final

import attrs
from attrs import AttrsInstance

from onzecoach.actors import Role
from onzecoach.clock import amsterdam, utc
from onzecoach.employees import FIELD_LABELS, GENDER_LABELS, Gender
from onzecoach.privacy._labels import (
    DECISION_LABELS,
    HTML_LABELS,
    MODE_LABELS,
    SOMEONE_ELSE,
    TASK_STATUS_LABELS,
)
from onzecoach.trajectories import TrajectoryStatus

__all__ = [
    "EXPORT_SCHEMA",
    "EXPORT_VERSION",
    "HTML_NAME",
    "JSON_NAME",
    "AccessEntry",
    "ExportedAppointment",
    "ExportedMessage",
    "ExportedTask",
    "ExportedTrajectory",
    "PersonalData",
]

#: The name of the JSON document's schema, and its version: a field added keeps the
#: version, a field renamed or removed raises it.
EXPORT_SCHEMA: Final = "onzecoach.personal-data"
EXPORT_VERSION: Final = 1
#: The files in the archive.
JSON_NAME: Final = "persoonsgegevens.json"
HTML_NAME: Final = "persoonsgegevens.html"
#: Up to this size an archive is built in memory, past it in a temporary file.
_SPOOL_BYTES = 8 * 1024 * 1024


def _frozen(mapping: Mapping[str, Any]) -> Mapping[str, Any]:
    """A read-only copy: a frozen record's mapping cannot change under it."""
    return types.MappingProxyType(dict(mapping))


@attrs.frozen(kw_only=True)
class AccessEntry:
    """One read or change of the dossier: when, who (a role and an organisation, never a
    person's name) and what (an audited action and its Dutch label)."""

    at: datetime = attrs.field(converter=utc)
    action: str
    label: str
    reader: str
    role: Role | None
    #: What the entry is about: ``employee``, ``trajectory`` or ``task``.
    subject_type: str
    subject_id: str
    #: What the entry recorded (JSON values): an ``employee.updated`` keeps the old and new
    #: value of every field it changed. Only entries about the person's own records are
    #: listed, so these are the person's data.
    details: Mapping[str, Any] = attrs.field(factory=dict, converter=_frozen)


@attrs.frozen(kw_only=True)
class ExportedTrajectory:
    id: str
    number: int
    type_code: str
    type_name: str
    sessions: int
    is_extension: bool
    parent_id: str | None
    start_date: date
    end_date: date | None
    status: str
    closed_reason: str | None
    classification: str | None
    held: int
    planned: int
    created_at: datetime = attrs.field(converter=utc)


@attrs.frozen(kw_only=True)
class ExportedAppointment:
    id: str
    trajectory_id: str
    starts_at: datetime = attrs.field(converter=utc)
    ends_at: datetime | None
    status: str
    status_label: str
    mode: str
    #: The theme the coach reported: only in the export the service desk makes.
    theme: str | None
    coach: str | None
    location: str | None
    external_id: str
    #: The coach's note on the session: only in the export the service desk makes.
    note: str | None
    created_at: datetime = attrs.field(converter=utc)


@attrs.frozen(kw_only=True)
class ExportedTask:
    id: str
    trajectory_id: str
    kind: str
    kind_label: str
    note: str
    sessions: int
    status: str
    decision: str | None
    decision_note: str | None
    created_at: datetime = attrs.field(converter=utc)
    completed_at: datetime | None


@attrs.frozen(kw_only=True)
class ExportedMessage:
    """A mail, text message or calendar write about the person, with its links left out."""

    id: str
    channel: str
    kind: str
    #: The person's address or number the message went to (also a former one); ``None``
    #: for a message to someone else (the coach's calendar), whose address is not the
    #: person's data.
    recipient: str | None
    to_employee: bool
    subject: str
    text: str
    status: str
    reference: str | None
    created_at: datetime = attrs.field(converter=utc)
    sent_at: datetime | None


@attrs.frozen(kw_only=True)
class PersonalData:
    """Everything the portal holds about one employee (``portal.privacy.export``)."""

    made_at: datetime = attrs.field(converter=utc)
    #: Who made the export, as the access log names readers: "HR, <employer>", "Servicedesk".
    made_by: str
    #: Whether the coaches' notes and the sessions' themes are in it (the service desk's
    #: export, see docs/privacy.md).
    includes_notes: bool
    employee_id: str
    employer: str
    department: str | None
    #: The employee's details, by field name (``onzecoach.employees.FIELDS``); read-only.
    employee: Mapping[str, Any] = attrs.field(converter=_frozen)
    registered_at: datetime = attrs.field(converter=utc)
    updated_at: datetime = attrs.field(converter=utc)
    trajectories: tuple[ExportedTrajectory, ...]
    appointments: tuple[ExportedAppointment, ...]
    tasks: tuple[ExportedTask, ...]
    messages: tuple[ExportedMessage, ...]
    #: Newest first.
    access_log: tuple[AccessEntry, ...]

    @property
    def display_name(self) -> str:
        parts = (self.employee.get("given_name"), self.employee.get("name_infix"))
        names = [p for p in (*parts, self.employee.get("last_name")) if p]
        return " ".join(str(n) for n in names)

    def as_json(self) -> dict[str, Any]:
        """The export as JSON values (schema ``EXPORT_SCHEMA`` version ``EXPORT_VERSION``)."""
        return {
            "schema": EXPORT_SCHEMA,
            "version": EXPORT_VERSION,
            "made_at": _value(self.made_at),
            "made_by": self.made_by,
            "includes_notes": self.includes_notes,
            "employee": {
                "id": self.employee_id,
                "employer": self.employer,
                "department": self.department,
                "registered_at": _value(self.registered_at),
                "updated_at": _value(self.updated_at),
                **{key: _value(value) for key, value in self.employee.items()},
            },
            "trajectories": [_record(t) for t in self.trajectories],
            "appointments": [_record(a) for a in self.appointments],
            "tasks": [_record(t) for t in self.tasks],
            "messages": [_record(m) for m in self.messages],
            "access_log": [_record(e) for e in self.access_log],
        }

    def archive(self) -> bytes:
        """One zip file: ``persoonsgegevens.json`` and ``persoonsgegevens.html``."""
        buffer = io.BytesIO()
        self.write_archive(buffer)
        return buffer.getvalue()

    def write_archive(self, file: IO[bytes]) -> None:
        """Write the zip file of ``archive()`` into ``file`` (a binary file open for
        writing), each member compressed."""
        stamp = self.made_at.astimezone(amsterdam()).timetuple()[:6]
        with zipfile.ZipFile(file, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, text in ((JSON_NAME, self._json_text), (HTML_NAME, self.as_html)):
                # A ZipInfo carries its own compression: without it, writestr stores.
                member = zipfile.ZipInfo(name, date_time=stamp)
                member.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(member, text().encode())

    def _json_text(self) -> str:
        return json.dumps(self.as_json(), ensure_ascii=False, indent=2)

    def spooled_archive(self) -> IO[bytes]:
        """The archive in a temporary file (in memory while small), rewound: to stream a
        download without holding it twice. The caller closes it."""
        spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES)  # noqa: SIM115
        try:
            self.write_archive(spool)
            spool.seek(0)
        except BaseException:
            spool.close()
            raise
        return spool

    def as_html(self) -> str:
        """A page a person can read, in Dutch; every value escaped."""
        label = HTML_LABELS
        employee_rows = [
            (label["employer"], self.employer),
            (label["department"], self.department),
            *((FIELD_LABELS.get(k, k), _shown(v)) for k, v in self.employee.items()),
            (label["registered_at"], _shown(self.registered_at)),
        ]
        parts = [
            "<!doctype html>",
            '<html lang="nl"><head><meta charset="utf-8">',
            f"<title>{_e(label['title'].format(name=self.display_name))}</title>",
            "<style>body{font-family:sans-serif;max-width:60rem;margin:2rem auto}"
            "table{border-collapse:collapse}th,td{border:1px solid #999;padding:.3rem;"
            "text-align:left;vertical-align:top}pre{white-space:pre-wrap}</style>",
            "</head><body><main>",
            f"<h1>{_e(label['title'].format(name=self.display_name))}</h1>",
            "<p>"
            + _e(label["intro"].format(made_at=_shown(self.made_at), json_name=JSON_NAME))
            + "</p>",
            f"<p>{_e(label['made_by'])}: {_e(self.made_by)}. "
            + _e(label["notes_included" if self.includes_notes else "notes_left_out"])
            + ".</p>",
            f"<h2>{_e(label['employee'])}</h2>",
            _pairs(employee_rows),
            _section(
                "trajectories",
                ("number", "type", "start_date", "end_date", "status"),
                (
                    (t.number, t.type_name, t.start_date, t.end_date, _status(t.status))
                    for t in self.trajectories
                ),
            ),
            _section(
                "appointments",
                ("starts_at", "coach", "mode", "status", "theme", "location", "note"),
                (
                    (
                        a.starts_at,
                        a.coach,
                        MODE_LABELS.get(a.mode, a.mode),
                        a.status_label,
                        a.theme,
                        a.location,
                        a.note,
                    )
                    for a in self.appointments
                ),
                skip=() if self.includes_notes else ("theme", "note"),
            ),
            _section(
                "tasks",
                ("kind", "created_at", "sessions", "body", "status", "decision", "decision_note"),
                (
                    (
                        t.kind_label,
                        t.created_at,
                        t.sessions,
                        t.note,
                        TASK_STATUS_LABELS.get(t.status, t.status),
                        None if t.decision is None else DECISION_LABELS.get(t.decision),
                        t.decision_note,
                    )
                    for t in self.tasks
                ),
            ),
            _section(
                "messages",
                ("sent_at", "recipient", "subject", "body"),
                (
                    (
                        m.sent_at or label["not_sent"],
                        m.recipient if m.to_employee else SOMEONE_ELSE,
                        m.subject,
                        _Pre(m.text),
                    )
                    for m in self.messages
                ),
            ),
            _section(
                "access_log",
                ("at", "reader", "action", "changes"),
                ((e.at, e.reader, e.label, _details(e.details)) for e in self.access_log),
            ),
            "</main></body></html>",
        ]
        return "\n".join(parts) + "\n"


@attrs.frozen
class _Pre:
    """Text shown with its line breaks."""

    text: str


def _status(value: str) -> str:
    try:
        return TrajectoryStatus(value).label
    except ValueError:
        return value


def _details(details: Mapping[str, Any]) -> _Pre:
    """An audit entry's details, a line per key: ``field: ["old", "new"]``."""
    return _Pre(
        "\n".join(
            f"{key}: {json.dumps(_value(value), ensure_ascii=False)}"
            for key, value in details.items()
        )
    )


def _value(value: object) -> Any:
    if isinstance(value, Mapping):
        return {str(key): _value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_value(item) for item in value]
    if isinstance(value, datetime):
        return utc(value).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def _record(record: AttrsInstance) -> dict[str, Any]:
    return {key: _value(value) for key, value in attrs.asdict(record, recurse=False).items()}


def _shown(value: object) -> str:
    """A value as the page shows it: local times, Dutch dates and labels, nothing for none."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(amsterdam()).strftime("%d-%m-%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d-%m-%Y")
    if isinstance(value, Gender):
        return GENDER_LABELS[value]
    if isinstance(value, bool):
        return "ja" if value else "nee"
    return str(value)


def _e(text: object) -> str:
    return html.escape(_shown(text))


def _cell(value: object) -> str:
    if isinstance(value, _Pre):
        return f"<td><pre>{html.escape(value.text)}</pre></td>"
    return f"<td>{_e(value)}</td>"


def _pairs(rows: Iterable[tuple[str, object]]) -> str:
    body = "".join(f'<tr><th scope="row">{_e(k)}</th>{_cell(v)}</tr>' for k, v in rows)
    return f"<table>{body}</table>"


def _section(
    key: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    skip: Sequence[str] = (),
) -> str:
    kept = [i for i, column in enumerate(columns) if column not in skip]
    heading = f"<h2>{_e(HTML_LABELS[key])}</h2>"
    listed = [[row[i] for i in kept] for row in rows]
    if not listed:
        return f"{heading}<p>{_e(HTML_LABELS['none'])}</p>"
    head = "".join(f'<th scope="col">{_e(HTML_LABELS[columns[i]])}</th>' for i in kept)
    body = "".join("<tr>" + "".join(_cell(v) for v in row) + "</tr>" for row in listed)
    return f"{heading}<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
