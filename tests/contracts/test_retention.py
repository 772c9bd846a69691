"""Retention (``portal.privacy.purge_due``) on every storage, with a frozen clock: exactly the
employees past their employer's period are erased, the dry run lists the same and changes
nothing, and a run stopped halfway and run again finishes with nothing done twice."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from typing import Any

import attrs
import pytest

# An implementation of calendar months of its own, to check the portal's by.
from dateutil.relativedelta import relativedelta  # type: ignore[import-untyped]
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from booking_support import hr_of, person
from onzecoach import Actor, Portal, Role
from onzecoach.actors import SERVICE_DESK
from onzecoach.employees import Employee
from onzecoach.errors import NotFound, PermissionDenied
from onzecoach.notifications import OutboxStatus
from onzecoach.privacy import DueEmployee, PrivacyService, PurgeReport, RetentionReason
from onzecoach.privacy._retention import Retention
from onzecoach.testing import FrozenClock
from onzecoach.testing.contracts._mfa import webauthn_challenge
from storage_snapshot import snapshot

SECOND = timedelta(seconds=1)
DAY = timedelta(days=1)


def register(portal: Portal, hr: Actor, n: int = 0) -> str:
    return portal.employees.register(hr, person(n)).id


def closed_trajectory(portal: Portal, clock: FrozenClock, hr: Actor, n: int = 0) -> str:
    """An employee whose one trajectory HR starts and closes today; their id."""
    employee_id = register(portal, hr, n)
    today = clock.now().date()
    started = portal.trajectories.start(hr, employee_id, type_code="ONC-IND-4", start_date=today)
    portal.trajectories.close(hr, started.id)
    return employee_id


def erased_ids(report: PurgeReport) -> set[str]:
    return {item.employee_id for item in report.due}


def privacy_erased_entries(portal: Portal, employee_id: str) -> int:
    with portal.storage.unit_of_work() as uow:
        entries = uow.audit.for_subject("employee", employee_id)
    return sum(entry.action == "privacy.erased" for entry in entries)


def is_erased(portal: Portal, employee_id: str) -> bool:
    with portal.storage.unit_of_work() as uow:
        found = uow.employees.get(employee_id)
    assert found is not None
    return found.is_erased


@attrs.frozen
class Scene:
    """Two employers: ``short`` keeps people 6 months, ``default`` the portal's 24."""

    default: Actor
    short: Actor
    never: str  # default: registered at T0, no trajectory
    closed: str  # default: trajectory closed a day after T0
    running: str  # default: trajectory open
    reopened: str  # default: trajectory completed, then opened again by a correction
    imported: str  # default: registered by an import at T0, named again 3 months on
    short_never: str  # short: registered at T0
    short_closed: str  # short: trajectory closed a day after T0
    start: datetime


def import_row(portal: Portal, hr: Actor) -> None:
    """Import one employee (number R-1), the same every time."""
    text = io.StringIO()
    writer = csv.writer(text, delimiter=";", lineterminator="\r\n")
    writer.writerow(
        [
            "Personeelsnummer",
            "Achternaam",
            "Roepnaam",
            "Voorletters",
            "Geslacht",
            "Geboortedatum",
            "E-mail",
        ]
    )
    writer.writerow(["R-1", "Import", "Ida", "I.", "vrouw", "12-04-1985", "ida@example.nl"])
    report = portal.imports.employees(hr, text.getvalue().encode())
    assert not report.errors


@pytest.fixture
def scene(portal: Portal, clock: FrozenClock) -> Scene:
    start = clock.now()
    default, short = hr_of(portal), hr_of(portal)
    assert short.employer_id is not None
    portal.admin.set_employer_policy(SERVICE_DESK, short.employer_id, retention_months=6)
    never = register(portal, default, 1)
    running = register(portal, default, 2)
    portal.trajectories.start(
        default, running, type_code="ONC-IND-4", start_date=clock.now().date()
    )
    reopened = register(portal, default, 3)
    journey = portal.trajectories.start(
        default, reopened, type_code="ONC-IND-4", start_date=clock.now().date()
    )
    import_row(portal, default)
    short_never = register(portal, short, 4)
    clock.advance(DAY)
    closed = closed_trajectory(portal, clock, default, 5)
    short_closed = closed_trajectory(portal, clock, short, 6)
    integration = Actor.integration("planner", [default.employer_id or ""])
    for i in range(4):
        portal.trajectories.record_appointment(
            integration,
            journey.id,
            external_id=f"A-{i}",
            starts_at=clock.now() - timedelta(hours=i + 1),
            status="held",
            mode="live",
        )
    assert not portal.trajectories.get(default, journey.id).is_open
    clock.advance(DAY)
    portal.trajectories.record_appointment(
        integration,
        journey.id,
        external_id="A-0",
        starts_at=clock.now() - DAY - timedelta(hours=1),
        status="cancelled",
        mode="live",
    )
    assert portal.trajectories.get(default, journey.id).is_open
    clock.set(start + relativedelta(months=3))
    import_row(portal, default)
    with portal.storage.unit_of_work() as uow:
        assert default.employer_id is not None
        imported = next(
            e.id
            for e in uow.employees.for_employer(default.employer_id)
            if e.employee_number == "R-1"
        )
    return Scene(
        default=default,
        short=short,
        never=never,
        closed=closed,
        running=running,
        reopened=reopened,
        imported=imported,
        short_never=short_never,
        short_closed=short_closed,
        start=start,
    )


def due_at(portal: Portal, clock: FrozenClock, moment: datetime) -> set[str]:
    clock.set(moment)
    return erased_ids(portal.privacy.purge_due(SERVICE_DESK, dry_run=True))


def test_each_employee_is_due_just_after_their_period_and_not_at_it(
    portal: Portal, clock: FrozenClock, scene: Scene
) -> None:
    start = scene.start
    six, two_years = relativedelta(months=6), relativedelta(months=24)
    assert due_at(portal, clock, start + six) == set()
    assert due_at(portal, clock, start + six + SECOND) == {scene.short_never}
    assert due_at(portal, clock, start + DAY + six) == {scene.short_never}
    assert due_at(portal, clock, start + DAY + six + SECOND) == {
        scene.short_never,
        scene.short_closed,
    }
    short_ones = {scene.short_never, scene.short_closed}
    assert due_at(portal, clock, start + two_years) == short_ones
    assert due_at(portal, clock, start + two_years + SECOND) == {scene.never, *short_ones}
    assert due_at(portal, clock, start + DAY + two_years + SECOND) == {
        scene.never,
        scene.closed,
        *short_ones,
    }
    # Named again by an import three months on: its period counts from there.
    named = start + relativedelta(months=3) + two_years
    assert scene.imported not in due_at(portal, clock, named)
    everyone = due_at(portal, clock, named + SECOND)
    assert everyone == {scene.never, scene.closed, scene.imported, *short_ones}
    # An open trajectory, and one a correction opened again, keep their employee.
    assert {scene.running, scene.reopened}.isdisjoint(due_at(portal, clock, named + 100 * DAY))


def test_the_report_says_why_and_since_when_and_the_run_erases_exactly_those(
    portal: Portal, clock: FrozenClock, scene: Scene
) -> None:
    clock.set(scene.start + relativedelta(months=24) + DAY + SECOND)
    report = portal.privacy.purge_due(SERVICE_DESK)
    assert not report.dry_run
    by_id = {item.employee_id: item for item in report.due}
    assert set(by_id) == {scene.never, scene.closed, scene.short_never, scene.short_closed}
    assert report.erased == 4
    closed = by_id[scene.short_closed]
    assert closed.reason is RetentionReason.LAST_TRAJECTORY_CLOSED
    assert (closed.since, closed.period_months) == (scene.start + DAY, 6)
    assert closed.due_at == scene.start + DAY + relativedelta(months=6)
    never = by_id[scene.never]
    assert never.reason is RetentionReason.REGISTERED
    assert (never.since, never.period_months) == (scene.start, 24)
    assert report.due_per_employer() == {scene.default.employer_id: 2, scene.short.employer_id: 2}
    # Nothing personal in the report: ids, reasons and times only.
    assert "Berg" not in repr(report)
    for employee_id in by_id:
        assert is_erased(portal, employee_id)
        assert privacy_erased_entries(portal, employee_id) == 1
    for kept in (scene.running, scene.reopened, scene.imported):
        assert not is_erased(portal, kept)
        assert privacy_erased_entries(portal, kept) == 0
    # The run is audited with its counts.
    (run,) = portal.privacy.purge_runs(SERVICE_DESK)
    assert (run.at, run.due, run.erased) == (clock.now(), 4, 4)
    # A second run finds nobody.
    again = portal.privacy.purge_due(SERVICE_DESK)
    assert (again.due, again.erased) == ((), 0)
    assert [r.erased for r in portal.privacy.purge_runs(SERVICE_DESK)] == [0, 4]


def test_the_dry_run_lists_the_same_and_changes_nothing(
    portal: Portal, clock: FrozenClock, scene: Scene
) -> None:
    # Something for the clean-up too: a link that expires, mail that was sent, a challenge.
    portal.admin.invite_user(
        SERVICE_DESK, scene.default.employer_id, email="hr@example.nl", username="hr.nieuw"
    )
    portal.outbox.dispatch_due()
    with portal.storage.unit_of_work() as uow:
        uow.webauthn_challenges.add(webauthn_challenge("ref", expires_at=clock.now()))
        uow.commit()
    clock.set(scene.start + relativedelta(months=24) + DAY + SECOND)
    before = snapshot(portal.storage)
    dry = portal.privacy.purge_due(SERVICE_DESK, dry_run=True)
    assert snapshot(portal.storage) == before
    assert dry.dry_run
    assert dry.erased == 0
    assert dry.cleaned.links >= 1
    assert dry.cleaned.outbox_bodies >= 1
    assert dry.cleaned.webauthn_challenges == 1
    assert portal.privacy.purge_runs(SERVICE_DESK) == []
    real = portal.privacy.purge_due(SERVICE_DESK)
    assert real.due == dry.due
    assert real.erased == len(dry.due)
    # The erasures empty their people's mail themselves, before the clean-up comes to it.
    assert attrs.evolve(real.cleaned, outbox_bodies=0) == attrs.evolve(dry.cleaned, outbox_bodies=0)
    assert 0 < real.cleaned.outbox_bodies < dry.cleaned.outbox_bodies
    assert snapshot(portal.storage) != before
    with portal.storage.unit_of_work() as uow:
        sent = uow.outbox.list(status=OutboxStatus.SENT, limit=1000)
    assert sent
    assert all(m.text == "" and m.html is None and m.attachments is None for m in sent)
    assert all(m.sent_at is not None and m.kind for m in sent)


def test_a_run_stopped_halfway_and_run_again_does_nothing_twice(
    portal: Portal, clock: FrozenClock, scene: Scene, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock.set(scene.start + relativedelta(months=24) + DAY + SECOND)
    due = erased_ids(portal.privacy.purge_due(SERVICE_DESK, dry_run=True))
    assert len(due) == 4
    real = PrivacyService._erase
    done: list[str] = []

    def stops_after_two(
        self: PrivacyService, uow: Any, actor: Actor, employee: Employee, **kw: Any
    ) -> None:
        if len(done) == 2:
            raise RuntimeError("the job was stopped")
        real(self, uow, actor, employee, **kw)
        done.append(employee.id)

    monkeypatch.setattr(PrivacyService, "_erase", stops_after_two)
    with pytest.raises(RuntimeError):
        portal.privacy.purge_due(SERVICE_DESK)
    monkeypatch.undo()
    assert {e for e in due if is_erased(portal, e)} == set(done)
    # No run was audited: the stopped one did not finish.
    assert portal.privacy.purge_runs(SERVICE_DESK) == []
    report = portal.privacy.purge_due(SERVICE_DESK)
    assert erased_ids(report) == due - set(done)
    assert report.erased == 2
    for employee_id in due:
        assert is_erased(portal, employee_id)
        assert privacy_erased_entries(portal, employee_id) == 1
    with portal.storage.unit_of_work() as uow:
        listed = uow.erasures.page(after=None, limit=100)
    assert sorted(e.employee_id for e in listed) == sorted(due)


def test_an_employee_who_starts_coaching_after_the_listing_is_kept(
    portal: Portal, clock: FrozenClock, scene: Scene, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock.set(scene.start + relativedelta(months=24) + DAY + SECOND)
    listing = Retention._due

    def then_coaching_starts(self: Retention, now: datetime) -> list[DueEmployee]:
        listed = listing(self, now)
        # Between the listing and its turn, HR starts coaching for one who was due.
        portal.trajectories.start(
            scene.default, scene.never, type_code="ONC-IND-4", start_date=now.date()
        )
        return listed

    monkeypatch.setattr(Retention, "_due", then_coaching_starts)
    run = portal.privacy.purge_due(SERVICE_DESK)
    assert scene.never in erased_ids(run)
    assert run.erased == len(run.due) - 1
    assert not is_erased(portal, scene.never)
    assert privacy_erased_entries(portal, scene.never) == 0


def test_old_audit_entries_go_after_their_own_period(
    portal: Portal, clock: FrozenClock, scene: Scene
) -> None:
    assert scene.default.employer_id is not None
    with portal.storage.unit_of_work() as uow:
        assert uow.audit.for_employer(scene.default.employer_id)
    clock.set(scene.start + relativedelta(months=84) + relativedelta(months=4))
    report = portal.privacy.purge_due(SERVICE_DESK)
    assert report.cleaned.audit_entries > 0
    with portal.storage.unit_of_work() as uow:
        left = uow.audit.for_employer(scene.default.employer_id, limit=1000)
    # Only what this run wrote (its erasures) is left of the employer's entries.
    assert {entry.action for entry in left} == {"privacy.erased"}
    assert all(entry.at == clock.now() for entry in left)
    (run,) = portal.privacy.purge_runs(SERVICE_DESK)
    assert run.cleaned.audit_entries == report.cleaned.audit_entries


def test_only_the_service_desk_runs_retention(portal: Portal) -> None:
    hr = hr_of(portal)
    with pytest.raises(PermissionDenied):
        portal.privacy.purge_due(hr, dry_run=True)
    with pytest.raises(PermissionDenied):
        portal.privacy.purge_runs(hr)
    # A coach is not told the operation exists at all.
    coach = Actor(user_id="coach-1", employer_id=None, role=Role.COACH)
    with pytest.raises(NotFound):
        portal.privacy.purge_due(coach)


# The property: the erased set is the one an oracle computes ---------------------------------


def _oracle(anchors: dict[str, datetime | None], months: int, now: datetime) -> set[str]:
    """Who is due: ``None`` for an open trajectory; else past the anchor plus the months."""
    return {
        employee_id
        for employee_id, anchor in anchors.items()
        if anchor is not None and now > anchor + relativedelta(months=months)
    }


@pytest.fixture
def fresh_portals(portal: Portal, clock: FrozenClock) -> tuple[Portal, FrozenClock]:
    return portal, clock


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    months=st.integers(min_value=1, max_value=30),
    people=st.lists(
        st.tuples(st.sampled_from(["never", "closed", "open"]), st.integers(0, 60)),
        min_size=1,
        max_size=4,
    ),
    wait_days=st.integers(min_value=0, max_value=1000),
)
def test_the_erased_set_is_the_one_the_rule_gives(
    fresh_portals: tuple[Portal, FrozenClock],
    months: int,
    people: list[tuple[str, int]],
    wait_days: int,
) -> None:
    portal, clock = fresh_portals
    hr = hr_of(portal)
    assert hr.employer_id is not None
    portal.admin.set_employer_policy(SERVICE_DESK, hr.employer_id, retention_months=months)
    anchors: dict[str, datetime | None] = {}
    for n, (kind, days) in enumerate(people):
        clock.advance(timedelta(days=days, minutes=7))
        if kind == "never":
            employee_id = register(portal, hr, n)
            anchors[employee_id] = clock.now()
        elif kind == "closed":
            employee_id = closed_trajectory(portal, clock, hr, n)
            anchors[employee_id] = clock.now()
        else:
            employee_id = register(portal, hr, n)
            portal.trajectories.start(
                hr, employee_id, type_code="ONC-IND-4", start_date=clock.now().date()
            )
            anchors[employee_id] = None
    clock.advance(timedelta(days=wait_days, seconds=1))
    expected = _oracle(anchors, months, clock.now())
    report = portal.privacy.purge_due(SERVICE_DESK)
    mine = {i.employee_id for i in report.due if i.employer_id == hr.employer_id}
    assert mine == expected
    assert {e for e in anchors if is_erased(portal, e)} == expected
