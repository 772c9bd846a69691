"""The right of access (``portal.privacy.export``) and who read a dossier
(``portal.privacy.access_log``) on every storage: the export holds every row that mentions
the person and nobody else's data; only HR of the employer and the service desk get it."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, timedelta
from typing import Any

import attrs
import pytest

from booking_support import add_coach, booking_link, hr_of
from onzecoach import Actor, Portal
from onzecoach.actors import SERVICE_DESK
from onzecoach.clock import amsterdam
from onzecoach.errors import NotFound, PermissionDenied
from onzecoach.privacy import EXPORT_SCHEMA, EXPORT_VERSION, PersonalData
from onzecoach.testing import FrozenClock, RecordingMailer
from storage_snapshot import rows


@attrs.frozen
class Person:
    employee_id: str
    #: Values nobody else has: names, contact details, the note, the request, the external id.
    markers: tuple[str, ...]
    note: str
    token: str


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
    invitation go out, book a session with a note and a request for an extension, and have
    an outside booking system record an appointment."""
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
    coach_id, coach_actor = coach
    slot = portal.booking.slots(token, coach_id, days=14)[0]
    booked = portal.booking.book(token, coach_id=coach_id, starts_at=slot.starts_at, mode="live")
    note = f"Notitie{tag} over het gesprek"
    portal.coaching.write_note(coach_actor, booked.id, note)
    portal.coaching.request_extension(coach_actor, booked.id, note=f"Verlenging{tag} graag")
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
        employee.employee_number,
        employee.street,
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
    # The statistics per employee: counts of the sessions the export lists one by one.
    "stats_cells",
    "stats_children",
    "stats_employee_groups",
}


def test_the_export_holds_every_row_that_mentions_the_person(
    portal: Portal, two_people: tuple[Actor, tuple[str, Actor], Person, Person]
) -> None:
    _, _, one, _ = two_people
    export = portal.privacy.export(SERVICE_DESK, one.employee_id)
    document, _ = opened(export.archive())
    assert document["schema"] == EXPORT_SCHEMA
    assert document["version"] == EXPORT_VERSION
    records = {
        document["employee"]["id"],
        *(t["id"] for t in document["trajectories"]),
        *(a["id"] for a in document["appointments"]),
        *(t["id"] for t in document["tasks"]),
        *(m["id"] for m in document["messages"]),
    }
    noted = {a["id"] for a in document["appointments"] if a["note"]}
    logged = [(e["subject_id"], e["action"]) for e in document["access_log"]]
    # The person's ids, as the storage itself tells them (not as the export does).
    ids = {one.employee_id}
    with portal.storage.unit_of_work() as uow:
        for trajectory in uow.trajectories.for_employee(one.employee_id):
            ids.add(trajectory.id)
            ids.update(a.id for a in uow.appointments.for_trajectory(trajectory.id))
        ids.update(t.id for t in uow.tasks.for_employee(one.employee_id))
        ids.update(m.id for i in list(ids) for m in uow.outbox.list(reference=i, limit=1000))
    assert ids == records

    audited = []
    uncovered = []
    for table, key, text in rows(portal.storage):
        if not any(i in text for i in ids) or table in DERIVED:
            continue
        if "audit" in table:
            audited.append(text)
            if not any(s in text and f"'{a}'" in text for s, a in logged):
                uncovered.append((table, text))
        elif table in {"notes", "session_notes"}:
            if key not in noted:
                uncovered.append((table, text))
        elif key not in records and not any(text.endswith(f"{i!r})") for i in records):
            # (An index row of the memory storage is keyed by something else and names one
            # of the person's records as its value.)
            uncovered.append((table, text))
    assert uncovered == []
    assert len(audited) == len(logged)


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
    assert [t.number for t in export.trajectories] == [1]
    booked = next(a for a in export.appointments if a.mode == "live")
    assert (booked.coach, booked.status, booked.note) == ("Coach Vermeulen", "planned", None)
    [task] = export.tasks
    assert task.note == "Verlengingkwibus graag"
    invitation = next(m for m in export.messages if m.kind == "booking_invitation")
    assert invitation.to_employee
    assert invitation.recipient == "mail.kwibus@example.nl"
    assert invitation.sent_at is not None
    assert all(m.recipient is None for m in export.messages if not m.to_employee)


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
