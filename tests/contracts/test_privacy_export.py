"""The right of access (``portal.privacy.export``) and who read a dossier
(``portal.privacy.access_log``) on every storage: the export holds every row that mentions
the person and nobody else's data; only HR of the employer and the service desk get it."""

from __future__ import annotations

import enum
import io
import json
import re
import secrets
import zipfile
from collections.abc import Iterator, Mapping
from datetime import date, datetime, timedelta
from typing import Any

import attrs
import pytest

from booking_support import add_coach, booking_link, hr_of
from onzecoach import Actor, Portal
from onzecoach.actors import SERVICE_DESK
from onzecoach.clock import amsterdam
from onzecoach.coaches import CalendarLink, calendar_context
from onzecoach.errors import DecryptionFailed, NotFound, PermissionDenied
from onzecoach.ids import is_id
from onzecoach.privacy import EXPORT_SCHEMA, EXPORT_VERSION, PersonalData
from onzecoach.testing import FrozenClock, RecordingMailer, RecordingSms
from storage_snapshot import Record, records


@attrs.frozen
class Person:
    employee_id: str
    #: Values nobody else has: names, contact details (the former ones too), the request,
    #: the external id.
    markers: tuple[str, ...]
    note: str
    token: str
    #: The address the invitation went to, changed afterwards.
    old_email: str
    old_street: str
    held_id: str


def link_calendar(portal: Portal, coach_id: str) -> None:
    """Give the coach a calendar of their own: each session is then written to it."""
    now = portal.clock.now()
    with portal.storage.unit_of_work() as uow:
        coach = uow.coaches.get(coach_id)
        assert coach is not None
        if coach.calendar is None:
            link = CalendarLink(
                url="https://agenda.example.nl/coach/",
                username="coach",
                password_sealed=portal.settings.sealer.seal(
                    "Agenda-Wachtwoord-1", context=calendar_context(coach_id)
                ),
                linked_at=now,
            )
            uow.coaches.save(attrs.evolve(coach, calendar=link))
        uow.commit()


def enrol(
    portal: Portal,
    clock: FrozenClock,
    mailer: RecordingMailer,
    hr: Actor,
    coach: tuple[str, Actor],
    *,
    tag: str,
    birth_date: date,
    phone: str,
) -> Person:
    """Register a person whose every value carries ``tag``, start coaching, have the
    invitation go out, change their address and street, book a session (its mails go to
    the new address, and to the coach's calendar) with a note, a request for an extension
    that HR approves, hold it with a theme, and have an outside booking system record an
    appointment."""
    details = {
        "last_name": f"Achter{tag}",
        "given_name": f"Roep{tag}",
        "initials": "Q.X.",
        "gender": "vrouw",
        "birth_date": birth_date,
        "email": f"mail.{tag}@example.nl",
        "employee_number": f"PN{tag}",
        "phone": phone,
        "street": f"Straat{tag}",
        "house_number": "12",
        "city": f"Stad{tag}",
        "job_title": f"Functie{tag}",
        "registration_type": "OnzeCoach",
    }
    employee = portal.employees.register(hr, details)
    today = clock.now().astimezone(amsterdam()).date()
    trajectory = portal.trajectories.start(hr, employee.id, type_code="ONC-IND-5", start_date=today)
    clock.advance(portal.settings.invitation_delay)
    portal.outbox.dispatch_due()
    token = booking_link(mailer, employee.email)
    # The person moves and takes a new address: the old values stay in the audit log.
    employee = portal.employees.update(
        hr, employee.id, {"email": f"nieuw.{tag}@example.nl", "street": f"Laan{tag}"}
    )
    coach_id, coach_actor = coach
    link_calendar(portal, coach_id)
    slot = portal.booking.slots(token, coach_id, days=14)[0]
    booked = portal.booking.book(token, coach_id=coach_id, starts_at=slot.starts_at, mode="live")
    note = f"Notitie{tag} over het gesprek"
    portal.coaching.write_note(coach_actor, booked.id, note)
    task = portal.coaching.request_extension(coach_actor, booked.id, note=f"Verlenging{tag} graag")
    portal.tasks.approve(hr, task.id)
    clock.set(booked.ends_at)
    portal.coaching.report(coach_actor, booked.id, status="held", theme="werkdruk")
    portal.trajectories.record_appointment(
        Actor.integration("planner", [hr.employer_id or ""]),
        trajectory.id,
        external_id=f"EXT{tag}",
        starts_at=slot.starts_at + timedelta(days=14),
        status="planned",
        mode="online",
    )
    portal.outbox.dispatch_due()
    portal.employees.dossier(hr, employee.id)
    markers = (
        employee.last_name,
        employee.given_name,
        employee.email,
        f"mail.{tag}@example.nl",
        employee.employee_number,
        employee.street,
        f"Straat{tag}",
        employee.city,
        employee.job_title,
        employee.phone,
        birth_date.isoformat(),
        f"EXT{tag}",
        f"Verlenging{tag}",
    )
    return Person(
        employee_id=employee.id,
        markers=tuple(str(m).casefold() for m in markers),
        note=note.casefold(),
        token=token,
        old_email=f"mail.{tag}@example.nl",
        old_street=f"Straat{tag}",
        held_id=booked.id,
    )


def opened(archive: bytes) -> tuple[dict[str, Any], str]:
    """The archive's JSON document and HTML page."""
    with zipfile.ZipFile(io.BytesIO(archive)) as files:
        assert sorted(files.namelist()) == ["persoonsgegevens.html", "persoonsgegevens.json"]
        document = json.loads(files.read("persoonsgegevens.json"))
        page = files.read("persoonsgegevens.html").decode()
    return document, page


def text_of(archive: bytes) -> str:
    document, page = opened(archive)
    return (json.dumps(document, ensure_ascii=False) + page).casefold()


@pytest.fixture
def two_people(
    portal: Portal, clock: FrozenClock, mailer: RecordingMailer
) -> tuple[Actor, tuple[str, Actor], Person, Person]:
    hr = hr_of(portal)
    coach = add_coach(portal, "Coach Vermeulen")
    one = enrol(
        portal,
        clock,
        mailer,
        hr,
        coach,
        tag="kwibus",
        birth_date=date(1971, 3, 9),
        phone="0611112222",
    )
    other = enrol(
        portal,
        clock,
        mailer,
        hr,
        coach,
        tag="zwoeger",
        birth_date=date(1982, 7, 21),
        phone="0633334444",
    )
    return hr, coach, one, other


# Must hold 3 -------------------------------------------------------------------------------


def test_the_export_holds_the_person_and_nobody_else(
    portal: Portal, two_people: tuple[Actor, tuple[str, Actor], Person, Person]
) -> None:
    hr, _, one, other = two_people

    by_hr = portal.privacy.export(hr, one.employee_id)
    own = portal.privacy.export(SERVICE_DESK, one.employee_id)

    for export in (by_hr, own):
        held = text_of(export.archive())
        assert [m for m in one.markers if m not in held] == []
        assert [m for m in other.markers if m in held] == []
        assert other.note not in held
        assert other.employee_id not in held
        # The booking link's one-time token never leaves the portal.
        assert one.token.casefold() not in held
        assert "[link weggelaten]" in held
        assert "coach vermeulen" in held
    # The coach's note: in the person's own export (the service desk's), never in HR's.
    assert one.note not in text_of(by_hr.archive())
    assert one.note in text_of(own.archive())
    assert not by_hr.includes_notes
    assert own.includes_notes


#: Tables that hold the person's ids but no data of their own: what the export holds
#: elsewhere, counted (statistics) or indexed (search) for the portal's own use.
DERIVED = {
    # The search index: the person's names, folded, to find them; the export holds the names.
    "search_tokens",
    "search_prefixes",
    "search_prefix_counts",
    "search",
    "_shelves",
    "_entries",
    # The statistics per employee: counts of the sessions the export lists one by one.
    "stats_cells",
    "stats_children",
    "stats_employee_groups",
}
#: Columns of the person's rows whose values are not the person's data, each for a reason.
NOT_PERSONAL = {
    # The tenant: the employer's name is in the export, its id is the portal's own key.
    "employer_id",
    "employer_ids",
    # The coach (by id and account): the export names the coach, their account is theirs.
    "coach_id",
    "completed_by",
    "actor_id",
    # A mail's HTML repeats its text (which the export holds); its Message-ID header and
    # the calendar file attached (the session's time and coach, listed in the export) are
    # the mail system's.
    "html",
    "message_id",
    "attachments",
    # The sending machinery: which worker holds a message, and its last delivery error.
    "claimed_by",
    "last_error",
    # What the employee's search and sort use: the names again, folded.
    "sort_name",
    "search_name",
    # The booking link's token is a secret (stored hashed); the export leaves it out.
    "token_hash",
    "link_token_hash",
}
_SEALED = re.compile(r"^v1\.[0-9a-f]{8}\.")
#: A secret's hash (the booking link's token, kept to look the link up): never exported.
_HASH = re.compile(r"^[0-9a-f]{64}$")
_LINK = re.compile(r"https?://")


def _texts(value: Any) -> list[str]:  # noqa: PLR0911 - one answer per kind of value
    """The text a stored value holds: a string (a JSON document's leaves for a JSON text,
    as the SQL storage keeps the audit's details), an ISO date; nothing for numbers, flags
    and times (the export gives times in UTC with a ``Z``)."""
    if isinstance(value, bool | int | float | datetime) or value is None:
        return []
    if isinstance(value, date):
        return [value.isoformat()]
    if isinstance(value, enum.Enum):
        return [str(value.value)]
    if isinstance(value, bytes):
        return [value.decode("utf-8", "replace")]
    if isinstance(value, tuple | list | frozenset | set):  # an index's key of several values
        return [text for inner in value for text in _texts(inner)]
    if isinstance(value, Mapping):  # a JSON column, read
        return [text for inner in value.values() for text in _texts(inner)]
    text = str(value)
    if text[:1] in "[{":
        try:
            document = json.loads(text)
        except ValueError:
            return [text]
        return [leaf for _, leaf in _json_leaves(document)]
    return [text]


def _json_leaves(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _json_leaves(inner, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for inner in value:
            yield from _json_leaves(inner, path)
    elif isinstance(value, str):
        yield path, value


def _opened(portal: Portal, value: str, record: Record) -> str:
    """A sealed value opened under whichever context of its row fits."""
    keys = [v for _, v in record.values if isinstance(v, str) and is_id(v)]
    for context in ("outbox", "session-note", "calendar", "coach-calendar"):
        for key in keys:
            try:
                return portal.settings.sealer.open(value, context=f"{context}:{key}")
            except DecryptionFailed:
                continue
    raise AssertionError(f"no context of its row opens a sealed value: {record.table}")


def the_persons_rows(portal: Portal, employee_id: str) -> list[Record]:
    """The person's rows, from the raw dump alone: a row is theirs when one of its values
    is one of their ids, starting from the employee's; the id of a row that is theirs is
    theirs too (their trajectories, sessions, tasks, messages, ...). An index points at
    rows without being one, so its key is followed no further."""
    dump = [r for r in records(portal.storage) if r.table not in DERIVED]
    ids = {employee_id}
    theirs: dict[int, Record] = {}
    grown = True
    while grown:
        grown = False
        for number, record in enumerate(dump):
            if number in theirs or not any(
                isinstance(v, str) and v in ids for _, v in record.values
            ):
                continue
            theirs[number] = record
            grown = True
            if record.is_entity and isinstance(record.key, str):
                ids.add(record.key)
    return list(theirs.values())


def exported_texts(document: dict[str, Any]) -> str:
    """Every text of the JSON document, a line each (a message's text as its lines)."""
    return "\n".join(leaf for _, leaf in _json_leaves(document)).casefold()


def missing_values(portal: Portal, person: list[Record], held: str) -> list[tuple[str, str, str]]:
    """Each value of the person's rows that the export does not hold: (table, column,
    value). A sealed value counts opened, line by line, but for the lines with a link
    (the export leaves links out)."""
    missing = []
    for record in person:
        for column, value in record.values:
            name = column.rsplit(".", 1)[-1]
            if name in NOT_PERSONAL or column in NOT_PERSONAL:
                continue
            for stored in _texts(value):
                text = _opened(portal, stored, record) if _SEALED.match(stored) else stored
                for line in (raw.strip() for raw in text.splitlines()):
                    if not line or is_id(line) or _HASH.match(line) or _LINK.search(line):
                        continue
                    if line.casefold() not in held:
                        missing.append((record.table, column, line))
    return missing


def test_the_export_holds_every_row_that_mentions_the_person(
    portal: Portal, two_people: tuple[Actor, tuple[str, Actor], Person, Person]
) -> None:
    _, _, one, other = two_people
    export = portal.privacy.export(SERVICE_DESK, one.employee_id)
    document, _ = opened(export.archive())
    assert document["schema"] == EXPORT_SCHEMA
    assert document["version"] == EXPORT_VERSION
    held = exported_texts(document)

    person = the_persons_rows(portal, one.employee_id)
    tables = {r.table for r in person}
    # The walk reached every kind of row the scenario made, on every storage.
    for kind in ("employee", "trajector", "appointment", "task", "outbox", "audit", "note"):
        assert any(kind in t for t in tables), (kind, sorted(tables))
    # The walk stays with the person: nothing of the other one is among their rows.
    assert not any(
        m in str(value).casefold() for r in person for _, value in r.values for m in other.markers
    )
    missing = missing_values(portal, person, held)
    assert missing == [], "\n".join(map(str, missing))

    # Every row that holds one of the person's values (opened) is theirs, or derived.
    stray = []
    for record in records(portal.storage):
        if record.table in DERIVED or record in person:
            continue
        texts = [
            _opened(portal, t, record) if _SEALED.match(t) else t
            for _, v in record.values
            for t in _texts(v)
        ]
        if any(m in t.casefold() for t in texts for m in one.markers):
            stray.append(record.table)
    assert stray == []

    # The person's former address and street (the audit log keeps them) are in it.
    assert one.old_email in held
    assert one.old_street.casefold() in held
    # The theme of the session held is in the service desk's export.
    assert "werkdruk" in held


def test_the_every_row_check_sees_a_value_left_out(
    portal: Portal, two_people: tuple[Actor, tuple[str, Actor], Person, Person]
) -> None:
    """The check above fails when the export drops a value: here, the audit's details, a
    session's theme and the messages' recipients."""
    _, _, one, _ = two_people
    document, _ = opened(portal.privacy.export(SERVICE_DESK, one.employee_id).archive())
    person = the_persons_rows(portal, one.employee_id)
    for entry in document["access_log"]:
        entry["details"] = {}
    for appointment in document["appointments"]:
        appointment["theme"] = None
    for message in document["messages"]:
        message["recipient"] = None
    missing = {
        (table, value.casefold())
        for table, _, value in missing_values(portal, person, exported_texts(document))
    }
    assert any(value == one.old_street.casefold() for _, value in missing), missing
    assert any(value == one.old_email for _, value in missing), missing
    assert any(value == "werkdruk" for _, value in missing), missing


def test_hr_never_sees_a_sessions_theme(
    portal: Portal, two_people: tuple[Actor, tuple[str, Actor], Person, Person]
) -> None:
    """The dossier leaves themes out (what one person discusses is not the employer's):
    HR's export does too; the person's own (the service desk's) holds it."""
    hr, _, one, _ = two_people
    by_hr = portal.privacy.export(hr, one.employee_id)
    own = portal.privacy.export(SERVICE_DESK, one.employee_id)
    assert [a.theme for a in by_hr.appointments] == [None, None]
    assert [a.theme for a in own.appointments if a.id == one.held_id] == ["Werkdruk"]
    assert "werkdruk" not in text_of(by_hr.archive())
    assert "werkdruk" in text_of(own.archive())


def test_who_may_export_and_read_the_access_log(
    portal: Portal, two_people: tuple[Actor, tuple[str, Actor], Person, Person]
) -> None:
    hr, (_, coach), one, _ = two_people
    stranger = hr_of(portal)
    integration = Actor.integration("planner", [hr.employer_id or ""])
    for call in (portal.privacy.export, portal.privacy.access_log):
        with pytest.raises(NotFound) as caught:
            call(stranger, one.employee_id)
        assert caught.value.code == "employee.not_found"
        # A coach is refused as everywhere in HR's work: the operation is not there for them.
        with pytest.raises(NotFound) as caught:
            call(coach, one.employee_id)
        assert caught.value.code == "access.not_found"
        with pytest.raises(PermissionDenied):
            call(integration, one.employee_id)
        with pytest.raises(NotFound):
            call(hr, "not-an-id")
    # None of the refusals was audited as an export.
    assert "privacy.exported" not in [
        e.action for e in portal.privacy.access_log(hr, one.employee_id)
    ]


def test_the_export_is_audited_without_anything_personal(
    portal: Portal, clock: FrozenClock, two_people: tuple[Actor, tuple[str, Actor], Person, Person]
) -> None:
    hr, _, one, _ = two_people
    clock.advance(timedelta(minutes=5))
    export = portal.privacy.export(hr, one.employee_id)
    assert export.made_at == clock.now()
    assert export.access_log[0].action == "privacy.exported"
    with portal.storage.unit_of_work() as uow:
        entry = uow.audit.for_subject("employee", one.employee_id)[-1]
    assert entry.action == "privacy.exported"
    assert entry.actor_id == hr.user_id
    assert dict(entry.details) == {"includes_notes": False}


def test_an_erased_person_has_no_export(
    portal: Portal, two_people: tuple[Actor, tuple[str, Actor], Person, Person]
) -> None:
    hr, _, one, _ = two_people
    portal.privacy.erase(hr, one.employee_id, "Verzoek")
    for actor in (hr, SERVICE_DESK):
        with pytest.raises(NotFound):
            portal.privacy.export(actor, one.employee_id)
        with pytest.raises(NotFound):
            portal.privacy.access_log(actor, one.employee_id)


# Who read a dossier --------------------------------------------------------------------------


def test_the_access_log_lists_every_read_and_change_newest_first(
    portal: Portal, clock: FrozenClock, two_people: tuple[Actor, tuple[str, Actor], Person, Person]
) -> None:
    hr, _, one, other = two_people
    clock.advance(timedelta(hours=1))
    portal.employees.dossier(SERVICE_DESK, one.employee_id)
    clock.advance(timedelta(hours=1))
    portal.employees.dossier(hr, one.employee_id)

    log = portal.privacy.access_log(hr, one.employee_id)

    times = [e.at for e in log]
    assert times == sorted(times, reverse=True)
    with portal.storage.unit_of_work() as uow:
        employer = uow.employers.get(hr.employer_id or "")
    assert employer is not None
    first, second = log[0], log[1]
    assert (first.action, first.label, first.reader) == (
        "dossier.read",
        "Dossier ingezien",
        f"HR, {employer.name}",
    )
    assert (second.action, second.reader) == ("dossier.read", "Servicedesk")
    actions = {e.action for e in log}
    assert {
        "employee.registered",
        "trajectory.started",
        "booking.booked",
        "appointment.recorded",
        "task.created",
    } <= actions
    # Staff appear by role and organisation, never by their account.
    assert not any((hr.user_id or "?") in e.reader for e in log)
    # Reading the log is not itself a read of the dossier.
    assert len(portal.privacy.access_log(hr, one.employee_id)) == len(log)
    # The other person's dossier has its own log.
    others = portal.privacy.access_log(SERVICE_DESK, other.employee_id)
    assert {e.subject_id for e in others}.isdisjoint({e.subject_id for e in log})


def test_the_export_is_a_typed_record(
    portal: Portal, two_people: tuple[Actor, tuple[str, Actor], Person, Person]
) -> None:
    hr, _, one, _ = two_people
    export = portal.privacy.export(hr, one.employee_id)
    assert isinstance(export, PersonalData)
    assert export.employee["last_name"] == "Achterkwibus"
    assert export.employee["birth_date"] == date(1971, 3, 9)
    with pytest.raises(TypeError):
        export.employee["last_name"] = "Anders"  # type: ignore[index]
    # Newest first: the extension HR approved, then the trajectory it extends.
    extension, first = export.trajectories
    assert (extension.number, first.number) == (2, 1)
    assert (extension.is_extension, extension.parent_id) == (True, first.id)
    held = next(a for a in export.appointments if a.id == one.held_id)
    assert (held.coach, held.status, held.theme, held.note) == (
        "Coach Vermeulen",
        "held",
        None,
        None,
    )
    [task] = export.tasks
    assert (task.note, task.decision) == ("Verlengingkwibus graag", "approved")


def test_messages_to_the_person_keep_the_address_they_went_to(
    portal: Portal, two_people: tuple[Actor, tuple[str, Actor], Person, Person]
) -> None:
    """What a message is decides whether it went to the person, not today's address: the
    invitation went to the address they had then."""
    hr, _, one, _ = two_people
    export = portal.privacy.export(hr, one.employee_id)
    by_kind: dict[str, set[tuple[bool, str | None]]] = {}
    for message in export.messages:
        by_kind.setdefault(message.kind, set()).add((message.to_employee, message.recipient))
    assert by_kind["booking_invitation"] == {(True, one.old_email)}
    assert by_kind["booking.session"] == {(True, "nieuw.kwibus@example.nl")}
    assert by_kind["booking.reminder"] == {
        (True, "nieuw.kwibus@example.nl"),
        (True, "+31611112222"),
    }
    assert by_kind["calendar.put"] == {(False, None)}
    page = export.as_html()
    assert "iemand anders dan de werknemer" in page


def test_the_access_log_holds_what_changed_about_the_person(
    portal: Portal, two_people: tuple[Actor, tuple[str, Actor], Person, Person]
) -> None:
    hr, _, one, _ = two_people
    export = portal.privacy.export(hr, one.employee_id)
    [updated] = [e for e in export.access_log if e.action == "employee.updated"]
    assert dict(updated.details) == {
        "changes": {
            "email": [one.old_email, "nieuw.kwibus@example.nl"],
            "street": [one.old_street, "Laankwibus"],
        }
    }
    readers = {e.reader for e in export.access_log if e.action == "appointment.recorded"}
    assert readers == {"Koppeling planner"}
    assert {e.subject_type for e in export.access_log} == {"employee", "trajectory", "task"}


def test_an_erasure_keeps_what_an_export_recorded(
    portal: Portal, two_people: tuple[Actor, tuple[str, Actor], Person, Person]
) -> None:
    hr, _, one, _ = two_people
    portal.privacy.export(SERVICE_DESK, one.employee_id)
    portal.privacy.erase(hr, one.employee_id, "Verzoek")
    with portal.storage.unit_of_work() as uow:
        entries = uow.audit.for_subject("employee", one.employee_id)
    exported = next(e for e in entries if e.action == "privacy.exported")
    assert dict(exported.details) == {"includes_notes": True}


def test_a_text_no_key_opens_any_more_does_not_stop_the_export(
    portal: Portal,
    clock: FrozenClock,
    two_people: tuple[Actor, tuple[str, Actor], Person, Person],
) -> None:
    """After the key is rotated out (and not kept among the old keys), the messages and the
    note sealed with it read as unreadable; everything else still goes out."""
    _, _, one, _ = two_people
    rotated = Portal(
        storage=portal.storage,
        mailer=RecordingMailer(),
        sms=RecordingSms(),
        clock=clock,
        settings=attrs.evolve(portal.settings, secret_key=secrets.token_urlsafe(32)),
    )
    export = rotated.privacy.export(SERVICE_DESK, one.employee_id)
    assert export.employee["last_name"] == "Achterkwibus"
    texts = {m.text for m in export.messages if m.text}
    assert texts == {"[tekst niet meer te openen]"}
    held = next(a for a in export.appointments if a.id == one.held_id)
    assert held.note == "[tekst niet meer te openen]"
    assert "[tekst niet meer te openen]" in text_of(export.archive())


def test_entries_of_one_moment_are_listed_newest_written_first(
    portal: Portal, clock: FrozenClock
) -> None:
    """The clock may not move between two writes; the log's own order then decides, across
    the employee and their trajectories."""
    hr = hr_of(portal)
    employee = portal.employees.register(
        hr,
        {
            "last_name": "Gelijk",
            "given_name": "Tijd",
            "initials": "T.",
            "gender": "man",
            "birth_date": date(1990, 1, 1),
            "email": "tijd@example.nl",
        },
    )
    today = clock.now().astimezone(amsterdam()).date()
    portal.trajectories.start(hr, employee.id, type_code="ONC-IND-4", start_date=today)
    portal.employees.dossier(hr, employee.id)
    log = portal.privacy.access_log(hr, employee.id)
    assert [e.action for e in log] == ["dossier.read", "trajectory.started", "employee.registered"]
