"""The storage contract under concurrency: each thread its own storage of one database.

These tests take ``storage_factory`` and give each thread a storage of its own, as separate
processes would have; the rules they race for are kept by the database, not by one
process's locks.
"""

from __future__ import annotations

import functools
from datetime import timedelta

import attrs

from onzecoach import Conflict
from onzecoach.ids import new_id
from onzecoach.mfa import BackupCode
from onzecoach.ports import Storage
from onzecoach.stats import Counters, StatsScope
from onzecoach.testing.contracts._accounts import token
from onzecoach.testing.contracts._builders import (
    T0,
    Background,
    StorageFactory,
    add,
    closed,
    employee,
    in_transaction,
    race,
    stored_employee,
    stored_employer,
    stored_user,
    trajectory,
)
from onzecoach.testing.contracts._mfa import backup_code, factor
from onzecoach.testing.contracts._stats_helpers import (
    ALL,
    add_cells,
    cells_of,
    held,
    series,
    themed_held,
    themes,
    themes_of,
)
from onzecoach.testing.contracts._trajectories import ALREADY_OPEN, NUMBER_TAKEN
from onzecoach.trajectories import Trajectory

__all__ = ["ConcurrencyTests"]

#: How many times each race is run.
ROUNDS = 5


def start(storage: Storage, journey: Trajectory) -> str:
    in_transaction(storage, lambda uow: uow.trajectories.add(journey))
    return journey.id


class ConcurrencyTests:
    """Races between transactions of separate storages made by ``storage_factory``."""

    def test_two_transactions_opening_a_trajectory_for_one_employee_one_wins(
        self,
        storage_factory: StorageFactory,
    ) -> None:
        storages = [storage_factory(), storage_factory()]
        owner = stored_employer(storages[0])
        for _ in range(ROUNDS):
            person = stored_employee(storages[0], owner)
            # Different numbers, so that only the one-open-trajectory rule can refuse.
            journeys = [trajectory(person, 1), trajectory(person, 2)]
            outcomes = race(
                [functools.partial(start, s, j) for s, j in zip(storages, journeys, strict=True)]
            )
            winners = [o for o in outcomes if isinstance(o, str)]
            losers = [o for o in outcomes if isinstance(o, Conflict)]
            assert len(winners) == len(losers) == 1, outcomes
            assert losers[0].code == ALREADY_OPEN
            with storages[1].unit_of_work() as uow:
                [opened] = uow.trajectories.open_for_employee(person.id)
                assert [opened.id] == winners
                assert uow.trajectories.for_employee(person.id) == [opened]

    def test_two_transactions_starting_the_next_trajectory_one_wins(
        self,
        storage_factory: StorageFactory,
    ) -> None:
        storages = [storage_factory(), storage_factory()]
        person = stored_employee(storages[0])
        for number in range(1, ROUNDS + 1):
            # As the service numbers them: both take the next number.
            journeys = [trajectory(person, number), trajectory(person, number)]
            outcomes = race(
                [functools.partial(start, s, j) for s, j in zip(storages, journeys, strict=True)]
            )
            losers = [o for o in outcomes if isinstance(o, Conflict)]
            assert len(losers) == 1, outcomes
            # Both rules are broken; which one a database checks first is its own affair.
            assert losers[0].code in {NUMBER_TAKEN, ALREADY_OPEN}
            with storages[1].unit_of_work() as uow:
                [opened] = uow.trajectories.open_for_employee(person.id)
                uow.trajectories.save(closed(opened))
                uow.commit()

    def test_a_trajectory_read_for_update_loses_no_update(
        self,
        storage_factory: StorageFactory,
    ) -> None:
        storages = [storage_factory(), storage_factory()]
        journey = trajectory(stored_employee(storages[0]))
        add(storages[0], journey)

        def count_one(storage: Storage) -> None:
            with storage.unit_of_work() as uow:
                current = uow.trajectories.get(journey.id, for_update=True)
                assert current is not None
                uow.trajectories.save(attrs.evolve(current, planned=current.planned + 1))
                uow.commit()

        for _ in range(ROUNDS):
            outcomes = race([functools.partial(count_one, s) for s in storages])
            assert outcomes == [None, None]
        with storages[1].unit_of_work() as uow:
            stored = uow.trajectories.get(journey.id)
            assert stored is not None
            assert stored.planned == 2 * ROUNDS

    def test_two_logins_with_one_time_step_one_wins(
        self,
        storage_factory: StorageFactory,
    ) -> None:
        storages = [storage_factory(), storage_factory()]
        owner = stored_user(storages[0])
        totp = factor(owner, secret_sealed="s")
        add(storages[0], totp)

        def login(storage: Storage, step: int) -> bool:
            with storage.unit_of_work() as uow:
                assert uow.factors.get(totp.id) is not None
                accepted = uow.factors.advance_step(totp.id, step)
                uow.commit()
            return accepted

        for step in range(1, ROUNDS + 1):
            outcomes = race([functools.partial(login, s, step) for s in storages])
            assert sorted(outcomes, key=repr) == [False, True], outcomes
        with storages[1].unit_of_work() as uow:
            assert uow.factors.get(totp.id) == attrs.evolve(totp, last_step=ROUNDS)

    def test_two_logins_with_one_backup_code_one_wins(
        self,
        storage_factory: StorageFactory,
    ) -> None:
        storages = [storage_factory(), storage_factory()]
        owner = stored_user(storages[0])
        codes = [backup_code(owner, f"{n}" * 64) for n in range(ROUNDS)]
        in_transaction(storages[0], lambda uow: uow.backup_codes.replace(owner, codes))

        def login(storage: Storage, code: BackupCode) -> bool:
            with storage.unit_of_work() as uow:
                found = uow.backup_codes.find_unused(owner, code.code_hash)
                used = found is not None and uow.backup_codes.use(found.id, now=T0)
                uow.commit()
            return used

        for code in codes:
            outcomes = race([functools.partial(login, s, code) for s in storages])
            assert sorted(outcomes, key=repr) == [False, True], outcomes
        with storages[1].unit_of_work() as uow:
            assert uow.backup_codes.count_unused(owner) == 0

    def test_two_redeemers_of_one_token_one_wins(self, storage_factory: StorageFactory) -> None:
        storages = [storage_factory(), storage_factory()]
        owner = stored_user(storages[0])
        tokens = [token(owner) for _ in range(ROUNDS)]
        add(storages[0], *tokens)
        now = T0 + timedelta(minutes=1)

        def redeem(storage: Storage, token_id: str) -> bool:
            return in_transaction(storage, lambda uow: uow.tokens.consume(token_id, now=now))

        for one in tokens:
            outcomes = race([functools.partial(redeem, s, one.id) for s in storages])
            assert sorted(outcomes, key=repr) == [False, True], outcomes
        with storages[1].unit_of_work() as uow:
            for one in tokens:
                assert uow.tokens.find(one.token_hash, one.purpose) == attrs.evolve(
                    one, used_at=now
                )

    def test_two_transactions_adding_to_the_same_cells_lose_nothing(
        self, storage_factory: StorageFactory
    ) -> None:
        storages = [storage_factory(), storage_factory()]
        owner, dept = new_id(), new_id()
        staff = [new_id(), new_id()]

        def add_one(storage: Storage, person: str) -> None:
            add_cells(
                storage,
                cells_of(owner, dept, person, 202603, themed_held(1)),
                themes_of(owner, dept, 202603, "Stress", 1),
            )

        for _ in range(ROUNDS):
            outcomes = race(
                [functools.partial(add_one, s, p) for s, p in zip(storages, staff, strict=True)]
            )
            assert outcomes == [None, None]
        total = Counters(held=2 * ROUNDS, live=2 * ROUNDS, themed=2 * ROUNDS, people=2 * ROUNDS)
        for scope in (ALL, StatsScope(owner), StatsScope(owner, dept)):
            assert series(storages[1], scope, 202603, 202603) == {202603: total}
            assert themes(storages[1], scope, 202603, 202603) == {"Stress": 2 * ROUNDS}

    def test_an_employee_read_for_update_loses_no_update(
        self, storage_factory: StorageFactory
    ) -> None:
        storages = [storage_factory(), storage_factory()]
        person = employee(stored_employer(storages[0]), job_title="0")
        add(storages[0], person)

        def count_one(storage: Storage) -> None:
            with storage.unit_of_work() as uow:
                current = uow.employees.get(person.id, for_update=True)
                assert current is not None
                title = str(int(current.job_title or "0") + 1)
                uow.employees.save(attrs.evolve(current, job_title=title))
                uow.commit()

        for _ in range(ROUNDS):
            assert race([functools.partial(count_one, s) for s in storages]) == [None, None]
        with storages[1].unit_of_work() as uow:
            stored = uow.employees.get(person.id)
            assert stored is not None
            assert stored.job_title == str(2 * ROUNDS)

    # From ``clear`` to the end of its transaction no other transaction changes cells. Each
    # test gives the other transaction ``PATIENCE`` to get through where it should wait: a
    # broken lock fails the test, a working one costs that long.

    def test_a_writer_that_comes_after_the_clear_waits_for_its_transaction(
        self, storage_factory: StorageFactory
    ) -> None:
        clearing, writing = storage_factory(), storage_factory()
        owner, dept, person = new_id(), new_id(), new_id()
        add_cells(clearing, cells_of(owner, dept, person, 202603, themed_held(1)))
        writer = Background(
            lambda: add_cells(
                writing,
                cells_of(owner, dept, person, 202604, held(2)),
                themes_of(owner, dept, 202604, "Werkdruk", 2),
            )
        )
        with clearing.unit_of_work() as uow:
            uow.stats.clear(owner)
            writer.start()
            assert writer.still_waiting(), "a writer changed cells while a clear was under way"
            # What the rebuild sees: the employer's cells gone, the writer's not there.
            assert uow.stats.series(StatsScope(owner), 202601, 202612) == {}
            uow.commit()
        writer.finish()
        assert series(writing, StatsScope(owner), 202601, 202612) == {202604: held(2)}
        assert themes(writing, StatsScope(owner, dept), 202601, 202612) == {"Werkdruk": 2}

    def test_a_clear_waits_for_the_writers_under_way(self, storage_factory: StorageFactory) -> None:
        clearing, writing = storage_factory(), storage_factory()
        owner, dept, person = new_id(), new_id(), new_id()
        with writing.unit_of_work() as uow:
            uow.stats.add(
                cells_of(owner, dept, person, 202603, themed_held(1)),
                themes_of(owner, dept, 202603, "Stress", 1),
            )
            clear = Background(lambda: in_transaction(clearing, lambda u: u.stats.clear(owner)))
            clear.start()
            assert clear.still_waiting(), "a clear went ahead of a writer under way"
            uow.commit()
        clear.finish()
        # The clear came after the writer: nothing of the employer is left.
        assert series(clearing, StatsScope(owner), 202601, 202612) == {}
        assert themes(clearing, StatsScope(owner), 202601, 202612) == {}
