"""``onzecoach privacy purge``: retention from the command line, on an SQLite file.

The command runs on the system clock; the employees are registered by a Portal whose
clock stands years back, so that they are past their period now.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from cli_support import Env, register, run
from onzecoach import Actor, Portal, Role
from onzecoach.actors import SERVICE_DESK
from onzecoach.adapters.sql import SqlStorage
from onzecoach.cli import EXIT_OK, EXIT_USAGE
from onzecoach.testing import FrozenClock, RecordingMailer
from support import make_settings

LONG_AGO = datetime(2020, 1, 6, 9, 0, tzinfo=UTC)


@pytest.fixture
def portal(env: Env) -> Iterator[Portal]:
    """A Portal on the command's database whose clock stands in 2020."""
    assert run(env, "db", "upgrade").exit_code == EXIT_OK
    storage = SqlStorage(env["ONZECOACH_DATABASE_URL"])
    yield Portal(
        storage=storage,
        mailer=RecordingMailer(),
        clock=FrozenClock(LONG_AGO),
        settings=make_settings(),
    )
    storage.close()


def test_purge_lists_who_is_due_in_a_dry_run_then_erases_them(portal: Portal, env: Env) -> None:
    employer = portal.admin.create_employer(SERVICE_DESK, "Voorbeeld B.V.")
    hr = Actor(user_id="hr", employer_id=employer.id, role=Role.HR)
    due = register(portal, hr, "Oudenaarde").id
    # An open trajectory keeps its employee, however long ago it started.
    kept = register(portal, hr, "Blijvers").id
    portal.trajectories.start(hr, kept, type_code="ONC-IND-4", start_date=LONG_AGO.date())

    dry = run(env, "privacy", "purge", "--dry-run")
    assert dry.exit_code == EXIT_OK, dry.output
    assert due in dry.stdout
    assert kept not in dry.stdout
    assert "registered" in dry.stdout
    assert "Dry run: nothing was changed." in dry.stdout
    # Ids only: no name of anyone.
    assert "Oudenaarde" not in dry.output
    with portal.storage.unit_of_work() as uow:
        still = uow.employees.get(due)
    assert still is not None
    assert not still.is_erased

    done = run(env, "privacy", "purge")
    assert done.exit_code == EXIT_OK, done.output
    assert due in done.stdout
    assert "What went" in done.stdout
    assert "Dry run" not in done.stdout
    with portal.storage.unit_of_work() as uow:
        gone, stays = uow.employees.get(due), uow.employees.get(kept)
        runs = uow.audit.for_subject("privacy", "retention")
    assert gone is not None
    assert gone.is_erased
    assert stays is not None
    assert not stays.is_erased
    assert [(e.action, e.details["erased"]) for e in runs] == [("privacy.purged", 1)]

    again = run(env, "privacy", "purge")
    assert again.exit_code == EXIT_OK
    assert due not in again.stdout
    assert "Employees past their retention period: 0" in again.stdout


def test_purge_needs_the_configuration(env: Env) -> None:
    del env["ONZECOACH_SECRET_KEY"]
    result = run(env, "privacy", "purge", "--dry-run")
    assert result.exit_code == EXIT_USAGE
    assert "ONZECOACH_SECRET_KEY" in result.stderr
