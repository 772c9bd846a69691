"""The storage contract of the task inbox."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import attrs
import pytest

from onzecoach import NotFound
from onzecoach.ids import new_id
from onzecoach.ports import Storage
from onzecoach.tasks import Decision, TaskKind, TaskStatus
from onzecoach.testing.contracts._base import StorageTests
from onzecoach.testing.contracts._builders import (
    AMSTERDAM,
    T0,
    add,
    closed,
    in_transaction,
    refused,
    stored_employee,
    stored_employer,
    task,
    trajectory,
)

__all__ = ["TaskTests"]

TASK_EXISTS = "task.exists"


class TaskTests(StorageTests):
    """``uow.tasks``."""

    def test_every_field_round_trips_whole(self, storage: Storage) -> None:
        person = stored_employee(storage)
        parent, extension = closed(trajectory(person, 1)), trajectory(person, 2)
        open_task = task(parent, note="", sessions=2)
        done = task(
            parent,
            note="Nog één gesprek, graag.",
            created_at=datetime(2026, 3, 2, 11, 0, tzinfo=AMSTERDAM),
            status=TaskStatus.DONE,
            completed_at=datetime(2026, 3, 4, 9, 0, 0, 1, tzinfo=AMSTERDAM),
            completed_by=new_id(),
            decision=Decision.APPROVED,
            decision_note="Akkoord.",
            extension_trajectory_id=extension.id,
        )
        add(storage, parent, extension, open_task, done)
        with storage.unit_of_work() as uow:
            assert uow.tasks.get(open_task.id) == open_task
            assert uow.tasks.get(done.id) == done
            stored = uow.tasks.get(done.id)
            assert stored is not None
            assert stored.completed_at == datetime(2026, 3, 4, 8, 0, 0, 1, tzinfo=UTC)
            assert stored.kind is TaskKind.EXTENSION_REQUEST
            assert stored.status is TaskStatus.DONE
            assert stored.decision is Decision.APPROVED
            assert uow.tasks.get(new_id()) is None

    def test_save_stores_the_outcome(self, storage: Storage) -> None:
        journey = trajectory(stored_employee(storage))
        asked = task(journey)
        add(storage, journey, asked)
        declined = attrs.evolve(
            asked,
            status=TaskStatus.DONE,
            completed_at=T0 + timedelta(days=1),
            completed_by=new_id(),
            decision=Decision.DECLINED,
            decision_note="Niet nodig.",
        )
        in_transaction(storage, lambda uow: uow.tasks.save(declined))
        with storage.unit_of_work() as uow:
            assert uow.tasks.get(asked.id) == declined

    def test_saving_an_unknown_task_is_not_found(self, storage: Storage) -> None:
        journey = trajectory(stored_employee(storage))
        add(storage, journey)
        with (
            pytest.raises(NotFound, check=lambda error: error.code == "task.not_found"),
            storage.unit_of_work() as uow,
        ):
            uow.tasks.save(task(journey))

    def test_the_same_task_twice_conflicts(self, storage: Storage) -> None:
        journey = trajectory(stored_employee(storage))
        asked = task(journey)
        add(storage, journey, asked)
        again = attrs.evolve(asked, note="Anders")
        assert refused(storage, lambda uow: uow.tasks.add(again)) == TASK_EXISTS
        with storage.unit_of_work() as uow:
            assert uow.tasks.get(asked.id) == asked

    def test_open_tasks_are_listed_newest_first(self, storage: Storage) -> None:
        owner, other = stored_employer(storage), stored_employer(storage)
        person, colleague = stored_employee(storage, owner), stored_employee(storage, owner)
        mine, theirs = trajectory(person), trajectory(colleague)
        elsewhere = trajectory(stored_employee(storage, other))
        oldest = task(mine, created_at=T0 - timedelta(days=1))
        same_time = sorted((task(mine) for _ in range(3)), key=lambda t: t.id, reverse=True)
        newest = task(theirs, created_at=T0 + timedelta(days=1))
        done = task(mine, created_at=T0 + timedelta(days=2), status=TaskStatus.DONE)
        add(storage, mine, theirs, elsewhere, oldest, *same_time, newest, done, task(elsewhere))
        with storage.unit_of_work() as uow:
            assert uow.tasks.open_for_employer(owner) == [newest, *same_time, oldest]
            assert uow.tasks.open_for_employee(person.id) == [*same_time, oldest]
            assert uow.tasks.open_for_employee(colleague.id) == [newest]
            assert len(uow.tasks.open_for_employer(other)) == 1
            assert uow.tasks.open_for_employer(new_id()) == []
            assert uow.tasks.open_for_employee(new_id()) == []
