"""Employees, trajectories, appointments, the booking invitation and tasks, on every storage."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onzecoach import (
    Actor,
    Conflict,
    NotFound,
    OnzecoachError,
    Portal,
    QuotaExceeded,
    Role,
    StorageError,
    ValidationError,
)
from onzecoach.actors import SERVICE_DESK
from onzecoach.ports import Storage
from onzecoach.tasks import Decision, TaskStatus
from onzecoach.testing import FrozenClock, RecordingMailer
from onzecoach.trajectories import (
    BOOKING_INVITATION,
    BOOKING_NUDGE,
    AppointmentMode,
    AppointmentStatus,
    TrajectoryStatus,
)
from support import BrokenStorage, make_settings

ANNA: dict[str, object] = {
    "employee_number": "1001",
    "last_name": "Berg",
    "name_infix": "van den",
    "given_name": "Anna",
    "initials": "am",
    "gender": "vrouw",
    "birth_date": date(1985, 4, 12),
    "email": "anna.berg@example.nl",
    "phone": "06 12345678",
    "street": "Sterkstraat",
    "house_number": "28",
    "postcode": "3833lb",
    "city": "Leusden",
    "country": "NL",
    "job_title": "Adviseur",
    "cost_centre": "KP-100",
    "po_number": "PO-7",
    "registration_type": "OnzeCoach",
}


def hr_of(portal: Portal, name: str) -> Actor:
    employer = portal.admin.create_employer(SERVICE_DESK, name)
    return Actor(user_id=f"hr-{employer.id[-8:]}", employer_id=employer.id, role=Role.HR)


def today(portal: Portal) -> date:
    return portal.clock.now().date()


def test_register_normalises_the_form_and_keeps_history(portal: Portal) -> None:
    hr = hr_of(portal, "Acme")
    employee = portal.employees.register(hr, dict(ANNA))
    assert employee.initials == "A.M."
    assert employee.postcode == "3833 LB"
    assert employee.phone == "+31612345678"
    assert employee.name_infix == "van den"
    assert employee.display_name == "Berg, van den, A.M. (Anna)"
    with pytest.raises(Conflict, match="1001"):
        portal.employees.register(hr, {**ANNA, "email": "ander@example.nl"})
    updated = portal.employees.update(hr, employee.id, {"city": "Amersfoort"})
    assert updated.city == "Amersfoort"
    with portal.storage.unit_of_work() as uow:
        history = uow.audit.for_subject("employee", employee.id)
    assert [e.action for e in history] == ["employee.registered", "employee.updated"]
    assert history[1].details["changes"] == {"city": ["Leusden", "Amersfoort"]}


def test_a_department_must_be_the_employers_own(portal: Portal) -> None:
    hr = hr_of(portal, "Acme")
    assert hr.employer_id is not None
    own = portal.admin.add_department(SERVICE_DESK, hr.employer_id, "HR")
    other = portal.admin.add_department(
        SERVICE_DESK, portal.admin.create_employer(SERVICE_DESK, "Ander").id, "HR"
    )
    with pytest.raises(ValidationError) as bad:
        portal.employees.register(hr, {**ANNA, "department_id": other.id})
    assert set(bad.value.errors) == {"department_id"}
    # Named with every other bad field at once, for a department unknown or not an id.
    for wrong in (other.id, "geen-id"):
        with pytest.raises(ValidationError) as several:
            portal.employees.register(
                hr, {**ANNA, "department_id": wrong, "last_name": "", "postcode": "12"}
            )
        assert set(several.value.errors) == {"department_id", "last_name", "postcode"}
    employee = portal.employees.register(hr, {**ANNA, "department_id": own.id})
    assert portal.employees.dossier(hr, employee.id).department == own


# Must hold 1: the booking invitation ---------------------------------------------------------


def test_a_start_that_read_the_employee_before_an_erasure_is_refused(portal: Portal) -> None:
    """``start`` checks the employee before it writes, and on SQLite and PostgreSQL alike
    an erasure may commit in between: the employee's lock, taken before the write, reads
    the employee again, and an erased one gets no trajectory."""
    hr = hr_of(portal, "Acme")
    registered = portal.employees.register(hr, dict(ANNA))
    with portal.storage.unit_of_work() as uow:
        before = uow.employees.get(registered.id)  # as the start's check read it
    assert before is not None
    assert not before.is_erased
    starter = portal.trajectories._starter
    kind = starter.checked("ONC-IND-4", today(portal))
    portal.privacy.erase(hr, registered.id, "Verzoek van de werknemer")
    evented = portal.trajectories._storage  # with the events the start emits
    with pytest.raises(NotFound), evented.unit_of_work() as started:
        starter.start(started, hr, before, kind, today(portal))
    with portal.storage.unit_of_work() as uow:
        assert uow.trajectories.for_employee(registered.id) == []


def test_starting_sends_the_booking_invitation_once_after_the_delay(
    portal: Portal, mailer: RecordingMailer, clock: FrozenClock
) -> None:
    hr = hr_of(portal, "Acme")
    employee = portal.employees.register(hr, dict(ANNA))
    trajectory = portal.trajectories.start(
        hr, employee.id, type_code="ONC-IND-4", start_date=today(portal)
    )
    assert trajectory.status is TrajectoryStatus.STARTED
    assert portal.outbox.dispatch_due() == 0
    dossier = portal.employees.dossier(hr, employee.id)
    assert dossier.invitation is not None
    assert dossier.invitation.status == "due"
    clock.advance(portal.settings.invitation_delay - timedelta(seconds=1))
    assert portal.outbox.dispatch_due() == 0
    clock.advance(timedelta(seconds=1))
    assert portal.outbox.dispatch_due() == 1
    assert portal.outbox.dispatch_due() == 0
    (mail,) = mailer.sent
    assert mail["To"] == "anna.berg@example.nl"
    text = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    link = re.search(r"(https://\S+/planningsagenda/)(\S+)", text)
    assert link
    assert link.group(1) == f"{portal.settings.effective_booking_url}/"
    assert len(link.group(2)) >= 22
    assert "Anna" in text
    invitation = portal.employees.dossier(hr, employee.id).invitation
    assert invitation is not None
    assert invitation.status == "sent"
    assert invitation.sent_at == clock.now()

    portal.trajectories.resend_invitation(hr, trajectory.id)
    assert portal.outbox.dispatch_due() == 1  # a resend goes at once
    again = mailer.sent[-1].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert link.group(2) not in again


def test_a_resend_before_the_delay_replaces_the_waiting_invitation(
    portal: Portal, mailer: RecordingMailer, clock: FrozenClock
) -> None:
    hr = hr_of(portal, "Acme")
    employee = portal.employees.register(hr, dict(ANNA))
    trajectory = portal.trajectories.start(
        hr, employee.id, type_code="ONC-IND-4", start_date=today(portal)
    )
    portal.trajectories.resend_invitation(hr, trajectory.id)
    assert portal.outbox.dispatch_due() == 1
    clock.advance(portal.settings.invitation_delay * 2)
    # The first invitation, with its dead link, never goes out.
    assert portal.outbox.dispatch_due() == 0
    assert len(mailer.sent) == 1
    statuses = sorted(
        m.status.value for m in portal.outbox.messages(SERVICE_DESK, kind=BOOKING_INVITATION)
    )
    assert statuses == ["sent", "suppressed"]
    # The reminder to book goes once, after the new invitation, the first one's is withdrawn.
    nudges = portal.outbox.messages(SERVICE_DESK, kind=BOOKING_NUDGE)
    assert sorted(m.status.value for m in nudges) == ["pending", "suppressed"]


# Must hold 2: appointments -------------------------------------------------------------------


def test_four_held_appointments_complete_a_four_session_trajectory(portal: Portal) -> None:
    hr = hr_of(portal, "Acme")
    employee = portal.employees.register(hr, dict(ANNA))
    trajectory = portal.trajectories.start(
        hr, employee.id, type_code="ONC-IND-4", start_date=today(portal)
    )
    base = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
    for n in range(4):
        portal.trajectories.record_appointment(
            SERVICE_DESK,
            trajectory.id,
            external_id=f"pa-{n}",
            starts_at=base + timedelta(weeks=n),
            status="planned",
            mode="online" if n % 2 else "live",
            theme="Werkdruk",
        )
    running = portal.trajectories.get(hr, trajectory.id)
    assert running.status is TrajectoryStatus.RUNNING
    assert running.percentage == 0
    with pytest.raises(QuotaExceeded):
        portal.trajectories.record_appointment(
            SERVICE_DESK,
            trajectory.id,
            external_id="pa-4",
            starts_at=base,
            status="planned",
            mode="live",
        )
    for n in range(4):
        portal.trajectories.record_appointment(
            SERVICE_DESK,
            trajectory.id,
            external_id=f"pa-{n}",
            starts_at=base + timedelta(weeks=n),
            status="held",
            mode="online" if n % 2 else "live",
            theme="Werkdruk",
        )
    done = portal.trajectories.get(hr, trajectory.id)
    assert done.percentage == 100
    assert done.status is TrajectoryStatus.CLOSED
    assert done.status.label == "Traject afgesloten"
    assert done.end_date == date(2026, 3, 31)
    assert done.duration_days == (date(2026, 3, 31) - done.start_date).days
    with pytest.raises(QuotaExceeded):
        portal.trajectories.record_appointment(
            SERVICE_DESK,
            trajectory.id,
            external_id="pa-5",
            starts_at=base,
            status="planned",
            mode="live",
        )

    with portal.storage.unit_of_work() as uow:
        before = len(uow.audit.for_subject("trajectory", trajectory.id))
    same = portal.trajectories.record_appointment(
        SERVICE_DESK,
        trajectory.id,
        external_id="pa-3",
        starts_at=base + timedelta(weeks=3),
        status="held",
        mode="online",
        theme="Werkdruk",
    )
    with portal.storage.unit_of_work() as uow:
        assert len(uow.audit.for_subject("trajectory", trajectory.id)) == before
        assert uow.appointments.by_external_id(trajectory.employer_id, "pa-3") == same
    rows = portal.employees.dossier(hr, employee.id).trajectories
    assert [len(r.appointments) for r in rows] == [4]
    assert rows[0].status_label == "Traject afgesloten"


def test_one_open_trajectory_per_employee_and_no_direct_extension(portal: Portal) -> None:
    hr = hr_of(portal, "Acme")
    employee = portal.employees.register(hr, dict(ANNA))
    with pytest.raises(ValidationError) as extension:
        portal.trajectories.start(hr, employee.id, type_code="ONC-VERL-1", start_date=today(portal))
    assert set(extension.value.errors) == {"type_code"}
    with pytest.raises(ValidationError) as bad:
        portal.trajectories.start(hr, employee.id, type_code="NOPE", start_date="morgen")  # type: ignore[arg-type]
    assert set(bad.value.errors) == {"type_code", "start_date"}
    first = portal.trajectories.start(
        hr, employee.id, type_code="ONC-IND-5", start_date=today(portal)
    )
    with pytest.raises(Conflict):
        portal.trajectories.start(hr, employee.id, type_code="ONC-IND-4", start_date=today(portal))
    portal.trajectories.close(hr, first.id)
    second = portal.trajectories.start(
        hr, employee.id, type_code="ONC-IND-4", start_date=today(portal)
    )
    assert second.number == 2
    assert [r.number for r in portal.employees.dossier(hr, employee.id).trajectories] == [2, 1]


# Must hold 3: tasks --------------------------------------------------------------------------


def test_an_extension_request_is_a_task_of_that_employer_only(
    portal: Portal, mailer: RecordingMailer, clock: FrozenClock
) -> None:
    hr, other = hr_of(portal, "Acme"), hr_of(portal, "Ander")
    employee = portal.employees.register(hr, dict(ANNA))
    trajectory = portal.trajectories.start(
        hr, employee.id, type_code="ONC-IND-4", start_date=today(portal)
    )
    task = portal.trajectories.request_extension(
        SERVICE_DESK, trajectory.id, note="Nog één gesprek nodig."
    )
    assert portal.tasks.open(hr) == [task]
    assert portal.tasks.open(other) == []
    assert portal.employees.dossier(hr, employee.id).open_tasks == (task,)
    portal.tasks.complete(hr, task.id)
    assert portal.tasks.open(hr) == []
    with pytest.raises(Conflict):
        portal.tasks.complete(hr, task.id)

    # Approving starts the 1-session extension at once, beside the running trajectory; it
    # shares that trajectory's booking link, so no second invitation goes out.
    second = portal.trajectories.request_extension(SERVICE_DESK, trajectory.id, note="Verlenging")
    done = portal.tasks.approve(hr, second.id)
    assert done.status is TaskStatus.DONE
    assert done.decision is Decision.APPROVED
    assert done.extension_trajectory_id is not None
    extension = portal.trajectories.get(hr, done.extension_trajectory_id)
    assert extension.type_code == "ONC-VERL-1"
    assert extension.parent_id == trajectory.id
    assert extension.sessions == 1
    assert extension.is_open
    assert portal.trajectories.get(hr, trajectory.id).is_open
    rows = portal.employees.dossier(hr, employee.id).trajectories
    assert [(r.number, r.is_extension, r.parent_id) for r in rows] == [
        (2, True, trajectory.id),
        (1, False, None),
    ]
    assert portal.tasks.open(hr) == []
    # One extension at a time.
    third = portal.trajectories.request_extension(SERVICE_DESK, trajectory.id, note="Nog een")
    with pytest.raises(Conflict):
        portal.tasks.approve(hr, third.id)
    assert [t.id for t in portal.tasks.open(hr)] == [third.id]
    clock.advance(portal.settings.invitation_delay)
    portal.outbox.dispatch_due()
    assert [m["To"] for m in mailer.sent].count("anna.berg@example.nl") == 1

    third = portal.trajectories.request_extension(
        SERVICE_DESK, extension.id, note="Nog meer", sessions=1
    )
    portal.tasks.decline(hr, third.id, note="Niet nodig.")
    assert portal.tasks.get(hr, third.id).decision_note == "Niet nodig."


# Must hold 4: tenant isolation ---------------------------------------------------------------


def test_an_extension_beside_its_trajectory_takes_the_sessions_after_the_trajectorys(
    portal: Portal, clock: FrozenClock
) -> None:
    hr = hr_of(portal, "Acme")
    booking = Actor.integration("planningsagenda", [hr.employer_id or ""])
    person = portal.employees.register(hr, dict(ANNA))
    first = portal.trajectories.start(
        hr, person.id, type_code="ONC-IND-4", start_date=today(portal)
    )

    def report(number: int, status: str, *, naming: str = first.id) -> str:
        appointment = portal.trajectories.record_appointment(
            booking,
            naming,
            external_id=f"PA-{number}",
            starts_at=clock.now() + timedelta(days=7 * number),
            status=AppointmentStatus(status),
            mode=AppointmentMode.LIVE,
        )
        return appointment.trajectory_id

    assert [report(n, "held") for n in range(2)] == [first.id, first.id]
    assert report(2, "planned") == first.id
    task = portal.trajectories.request_extension(booking, first.id, note="Nog een gesprek")
    done = portal.tasks.approve(hr, task.id)
    extension = portal.trajectories.get(hr, done.extension_trajectory_id or "")
    assert (extension.parent_id, extension.sessions, extension.is_open) == (first.id, 1, True)

    # Whichever the booking side names: the trajectory first, then its extension.
    assert report(3, "planned", naming=extension.id) == first.id
    assert report(4, "planned") == extension.id
    with pytest.raises(QuotaExceeded):
        report(5, "planned")
    # A cancellation frees a session of the trajectory: the next booking takes it.
    report(2, "cancelled")
    assert report(6, "planned", naming=extension.id) == first.id

    # The trajectory closes when its own sessions are held, the extension after.
    report(3, "held")
    report(6, "held")
    assert portal.trajectories.get(hr, first.id).status is TrajectoryStatus.CLOSED
    assert portal.trajectories.get(hr, extension.id).is_open
    report(4, "held")
    assert portal.trajectories.get(hr, extension.id).status is TrajectoryStatus.CLOSED

    rows = portal.employees.dossier(hr, person.id).trajectories
    assert [(r.type_code, r.held, r.percentage, r.parent_id) for r in rows] == [
        ("ONC-VERL-1", 1, 100, first.id),
        ("ONC-IND-4", 4, 100, None),
    ]
    # The statistics count two trajectories, the extension as an extension.
    board = portal.stats.dashboard(hr, start=today(portal), end=today(portal) + timedelta(days=90))
    assert (board.trajectories_started, board.extensions_started) == (2, 1)
    assert (board.trajectories_completed, board.held_sessions) == (2, 5)


def test_another_employers_ids_are_not_found(portal: Portal) -> None:
    a, b = hr_of(portal, "Acme"), hr_of(portal, "Beta")
    employee = portal.employees.register(a, dict(ANNA))
    trajectory = portal.trajectories.start(
        a, employee.id, type_code="ONC-IND-4", start_date=today(portal)
    )
    task = portal.trajectories.request_extension(SERVICE_DESK, trajectory.id, note="x")
    for attempt in (
        lambda: portal.employees.dossier(b, employee.id),
        lambda: portal.employees.get(b, employee.id),
        lambda: portal.employees.update(b, employee.id, {"city": "Utrecht"}),
        lambda: portal.trajectories.start(
            b, employee.id, type_code="ONC-IND-4", start_date=today(portal)
        ),
        lambda: portal.trajectories.get(b, trajectory.id),
        lambda: portal.trajectories.close(b, trajectory.id),
        lambda: portal.trajectories.resend_invitation(b, trajectory.id),
        lambda: portal.tasks.complete(b, task.id),
        lambda: portal.tasks.approve(b, task.id),
        lambda: portal.tasks.decline(b, task.id),
        lambda: portal.tasks.get(b, task.id),
    ):
        with pytest.raises(NotFound):
            attempt()
    assert portal.tasks.open(b) == []


ACTIONS = st.lists(
    st.tuples(
        st.sampled_from(["register", "start", "extend", "dossier", "complete", "close"]),
        st.booleans(),
        st.integers(0, 5),
    ),
    max_size=12,
)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(actions=ACTIONS)
def test_random_actions_of_two_employers_never_cross(
    portal: Portal, actions: list[tuple[str, bool, int]]
) -> None:
    """Two HR users act at random; each sees exactly its own things, the other's are NotFound."""
    actors = (
        hr_of(portal, f"A {uuid.uuid4().hex}"),
        hr_of(portal, f"B {uuid.uuid4().hex}"),
    )
    owned: dict[bool, dict[str, list[str]]] = {
        side: {"employee": [], "trajectory": [], "task": []} for side in (False, True)
    }
    for action, side, pick in actions:
        me, them = actors[side], actors[not side]
        mine = owned[side]
        try:
            if action == "register":
                e = portal.employees.register(me, {**ANNA, "employee_number": None})
                mine["employee"].append(e.id)
            elif action == "start" and mine["employee"]:
                t = portal.trajectories.start(
                    me,
                    mine["employee"][pick % len(mine["employee"])],
                    type_code="ONC-IND-4",
                    start_date=today(portal),
                )
                mine["trajectory"].append(t.id)
            elif action == "extend" and mine["trajectory"]:
                task = portal.trajectories.request_extension(
                    SERVICE_DESK, mine["trajectory"][pick % len(mine["trajectory"])], note="x"
                )
                mine["task"].append(task.id)
            elif action == "dossier" and mine["employee"]:
                portal.employees.dossier(me, mine["employee"][pick % len(mine["employee"])])
            elif action == "complete" and mine["task"]:
                portal.tasks.complete(me, mine["task"][pick % len(mine["task"])])
            elif action == "close" and mine["trajectory"]:
                portal.trajectories.close(me, mine["trajectory"][pick % len(mine["trajectory"])])
        except Conflict:
            pass
        # Whatever happened, the other employer sees none of it.
        for employee_id in mine["employee"]:
            with pytest.raises(NotFound):
                portal.employees.dossier(them, employee_id)
        for trajectory_id in mine["trajectory"]:
            with pytest.raises(NotFound):
                portal.trajectories.get(them, trajectory_id)
        for task_id in mine["task"]:
            with pytest.raises(NotFound):
                portal.tasks.get(them, task_id)
        assert {t.id for t in portal.tasks.open(them)} <= set(owned[not side]["task"])


# Must hold 5: random input registers or is refused, never half --------------------------------

FIELD_VALUES = st.one_of(st.none(), st.text(max_size=40), st.integers(), st.dates(), st.booleans())


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.dictionaries(st.sampled_from([*ANNA, "extra"]), FIELD_VALUES, max_size=8))
def test_random_fields_register_or_raise_validation_error_and_write_nothing(
    portal: Portal, data: dict[str, object]
) -> None:
    hr = Actor(user_id="hr", employer_id=None, role=Role.SERVICE_DESK)
    employer = portal.admin.create_employer(
        SERVICE_DESK, f"E {len(portal.admin.employers(SERVICE_DESK))}"
    )
    with portal.storage.unit_of_work() as uow:
        before = len(uow.audit.for_employer(employer.id))
    try:
        portal.employees.register(
            hr, {**ANNA, "employee_number": None, **data}, employer_id=employer.id
        )
    except ValidationError:
        with portal.storage.unit_of_work() as uow:
            assert len(uow.audit.for_employer(employer.id)) == before
            assert uow.employees.for_employer(employer.id) == []
    except OnzecoachError as exc:  # pragma: no cover - the assertion explains
        pytest.fail(f"unexpected {exc!r}")


# Must hold 6: a failure in the middle of start leaves nothing -------------------------------------


def test_a_failing_outbox_write_leaves_no_trajectory_and_no_message(
    storage: Storage, mailer: RecordingMailer, clock: FrozenClock
) -> None:
    healthy = Portal(storage=storage, mailer=mailer, clock=clock, settings=make_settings())
    hr = hr_of(healthy, "Acme")
    employee = healthy.employees.register(hr, dict(ANNA))
    broken = Portal(
        storage=BrokenStorage(storage, "outbox", "add"),
        mailer=mailer,
        clock=clock,
        settings=make_settings(),
    )
    with pytest.raises(StorageError):
        broken.trajectories.start(hr, employee.id, type_code="ONC-IND-4", start_date=today(healthy))
    assert healthy.employees.dossier(hr, employee.id).trajectories == ()
    assert healthy.outbox.messages(SERVICE_DESK) == []
    healthy.trajectories.start(hr, employee.id, type_code="ONC-IND-4", start_date=today(healthy))


def test_bad_appointment_reports_name_every_field(portal: Portal) -> None:
    hr = hr_of(portal, "Acme")
    employee = portal.employees.register(hr, dict(ANNA))
    trajectory = portal.trajectories.start(
        hr, employee.id, type_code="ONC-IND-4", start_date=today(portal)
    )
    with pytest.raises(ValidationError) as bad:
        portal.trajectories.record_appointment(
            SERVICE_DESK,
            trajectory.id,
            external_id="",
            starts_at=datetime(2026, 1, 1),  # noqa: DTZ001 - naive on purpose
            status="weg",  # type: ignore[arg-type]
            mode="tv",  # type: ignore[arg-type]
        )
    assert set(bad.value.errors) == {"external_id", "starts_at", "status", "mode"}
    with pytest.raises(NotFound):
        portal.trajectories.record_appointment(
            SERVICE_DESK,
            "0" * 32,
            external_id="x",
            starts_at=datetime(2026, 1, 1, tzinfo=UTC),
            status="held",
            mode="live",
        )
