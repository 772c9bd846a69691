"""The retention rule without storage: calendar months, the boundaries, the settings and
an employer's own period."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from onzecoach import Actor, Portal, Role, ValidationError
from onzecoach.actors import SERVICE_DESK
from onzecoach.adapters.memory import MemoryStorage
from onzecoach.errors import PermissionDenied
from onzecoach.privacy import RetentionFacts, RetentionReason, add_months, due
from onzecoach.testing import FrozenClock, RecordingMailer
from support import make_settings

T0 = datetime(2026, 1, 31, 23, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("months", "expected"),
    [
        (1, datetime(2026, 2, 28, 23, 30, tzinfo=UTC)),
        (13, datetime(2027, 2, 28, 23, 30, tzinfo=UTC)),
        (25, datetime(2028, 2, 29, 23, 30, tzinfo=UTC)),  # a leap year
        (2, datetime(2026, 3, 31, 23, 30, tzinfo=UTC)),
        (11, datetime(2026, 12, 31, 23, 30, tzinfo=UTC)),
        (24, datetime(2028, 1, 31, 23, 30, tzinfo=UTC)),
        (-1, datetime(2025, 12, 31, 23, 30, tzinfo=UTC)),
        (-84, datetime(2019, 1, 31, 23, 30, tzinfo=UTC)),
        (0, T0),
    ],
)
def test_months_are_added_as_the_calendar_does(months: int, expected: datetime) -> None:
    assert add_months(T0, months) == expected


def facts(**changes: object) -> RetentionFacts:
    values: dict[str, object] = {
        "employee_id": "e",
        "employer_id": "w",
        "known_since": T0,
        "trajectories": 0,
        "open_trajectories": 0,
        "last_closed_at": None,
    }
    values.update(changes)
    return RetentionFacts(**values)  # type: ignore[arg-type]


def test_without_trajectories_the_period_counts_from_registration() -> None:
    end = add_months(T0, 24)
    assert due(facts(), period_months=24, now=end) is None
    found = due(facts(), period_months=24, now=end + timedelta(microseconds=1))
    assert found is not None
    assert (found.reason, found.since, found.due_at) == (RetentionReason.REGISTERED, T0, end)


def test_with_trajectories_the_period_counts_from_the_last_closing() -> None:
    closed = T0 + timedelta(days=10)
    done = facts(trajectories=2, last_closed_at=closed)
    assert due(done, period_months=6, now=add_months(closed, 6)) is None
    found = due(done, period_months=6, now=add_months(closed, 6) + timedelta(seconds=1))
    assert found is not None
    assert (found.reason, found.since) == (RetentionReason.LAST_TRAJECTORY_CLOSED, closed)
    # An open one keeps the employee, however long ago the others closed.
    running = facts(trajectories=2, open_trajectories=1, last_closed_at=closed)
    assert due(running, period_months=1, now=closed + timedelta(days=3650)) is None


@pytest.mark.parametrize("value", [0, -1, 1201, True, 2.5])
def test_a_retention_setting_out_of_range_is_refused(value: object) -> None:
    for name in ("retention_months", "audit_retention_months"):
        with pytest.raises(ValueError, match=name):
            make_settings(**{name: value})


def test_an_employers_period_is_set_checked_and_reset() -> None:
    portal = Portal(
        storage=MemoryStorage(),
        mailer=RecordingMailer(),
        clock=FrozenClock(T0),
        settings=make_settings(retention_months=18),
    )
    employer = portal.admin.create_employer(SERVICE_DESK, "Acme B.V.").id
    assert portal.admin.employer_policy(SERVICE_DESK, employer).retention_months == 18
    policy = portal.admin.set_employer_policy(SERVICE_DESK, employer, retention_months=6)
    assert policy.retention_months == 6
    for bad, code in ((0, "out_of_range"), (1201, "out_of_range"), (True, "invalid")):
        with pytest.raises(ValidationError) as refused:
            portal.admin.set_employer_policy(SERVICE_DESK, employer, retention_months=bad)
        assert refused.value.codes == {"retention_months": code}
    hr = Actor(user_id="hr", employer_id=employer, role=Role.HR)
    with pytest.raises(PermissionDenied):
        portal.admin.set_employer_policy(hr, employer, retention_months=3)
    with portal.storage.unit_of_work() as uow:
        (entry, *_) = [
            e for e in uow.audit.for_employer(employer) if e.action == "employer.policy_changed"
        ]
    assert entry.details == {"retention_months": 6}
    policy = portal.admin.set_employer_policy(SERVICE_DESK, employer, reset=["retention_months"])
    assert policy.retention_months == 18
