"""The search index's tables without foreign keys (revision 0017): what the upgrade
keeps, what a downgrade restores, and that nothing of a removed employee stays behind."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from cli_support import register
from onzecoach import Actor, Portal, Role
from onzecoach.actors import SERVICE_DESK
from onzecoach.adapters.sql import SqlStorage
from onzecoach.adapters.sql import _tables as tables
from onzecoach.adapters.sql._storage import MIGRATIONS
from onzecoach.employees import Employee
from onzecoach.employers import Employer
from onzecoach.ids import new_id
from onzecoach.search import query_words
from onzecoach.testing import FrozenClock, RecordingMailer
from support import employee, make_settings

START = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
INDEX = ("onzecoach_search_tokens", "onzecoach_search_prefixes")
#: The foreign key each index table had up to revision 0016.
KEYED = {table: [(["employee_id"], "onzecoach_employees", "CASCADE")] for table in INDEX}


@pytest.fixture
def storage(empty_url: str) -> Iterator[SqlStorage]:
    made = SqlStorage(empty_url)
    yield made
    made.close()


def downgrade(storage: SqlStorage, revision: str) -> None:
    """Alembic's downgrade, on the storage's connection as ``SqlStorage.upgrade`` runs."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with storage.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def indexed_people(storage: SqlStorage) -> tuple[str, Employee, Employee]:
    owner = Employer(id=new_id(), name="Werkgever", created_at=START)
    anna = employee(owner.id)
    bram = employee(owner.id, last_name="Bergman", given_name="Bram")
    with storage.unit_of_work() as uow:
        uow.employers.add(owner)
        for one in (anna, bram):
            uow.employees.add(one)
            uow.search.index(one)
        uow.commit()
    return owner.id, anna, bram


def found(storage: SqlStorage, employer_id: str, text: str) -> tuple[list[str], int]:
    with storage.unit_of_work() as uow:
        return uow.search.query(employer_id, query_words(text), limit=10, offset=0)


def keys_of(storage: SqlStorage) -> dict[str, list[tuple[list[str], str, str | None]]]:
    """Each index table's foreign keys: columns, the table referred to, on delete."""
    with storage.engine.connect() as connection:
        inspector = sa.inspect(connection)
        return {
            table: [
                (
                    key["constrained_columns"],
                    key["referred_table"],
                    (key.get("options") or {}).get("ondelete"),
                )
                for key in inspector.get_foreign_keys(table)
            ]
            for table in INDEX
        }


def without_rowid(storage: SqlStorage) -> dict[str, bool]:
    with storage.engine.connect() as connection:
        return {
            table: "WITHOUT ROWID"
            in connection.execute(
                sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :name"),
                {"name": table},
            ).scalar_one()
            for table in INDEX
        }


def rows_of(storage: SqlStorage, employee_id: str) -> tuple[int, int]:
    """How many token and prefix rows the index holds for the employee."""
    with storage.engine.connect() as connection:
        token_rows, prefix_rows = (
            connection.execute(
                sa.select(sa.func.count())
                .select_from(table)
                .where(table.c.employee_id == employee_id)
            ).scalar_one()
            for table in (tables.search_tokens, tables.search_prefixes)
        )
    return token_rows, prefix_rows


def test_upgrading_0016_keeps_the_index_and_drops_its_foreign_keys(storage: SqlStorage) -> None:
    storage.upgrade("0016")
    employer_id, anna, bram = indexed_people(storage)
    assert keys_of(storage) == KEYED
    storage.upgrade()
    assert keys_of(storage) == {table: [] for table in INDEX}
    if storage.dialect == "sqlite":
        assert without_rowid(storage) == dict.fromkeys(INDEX, True)
    # Every row kept: both found by prefix and by word, in order, with the counts.
    assert found(storage, employer_id, "ber") == ([anna.id, bram.id], 2)
    assert found(storage, employer_id, "bergm") == ([bram.id], 1)
    assert found(storage, employer_id, "ann") == ([anna.id], 1)


def test_downgrading_0017_drops_rows_of_missing_employees_and_restores_the_keys(
    storage: SqlStorage,
) -> None:
    storage.upgrade()
    employer_id, anna, bram = indexed_people(storage)
    with storage.engine.begin() as connection:  # gone without taking its index rows out
        connection.execute(tables.employees.delete().where(tables.employees.c.id == bram.id))
    assert rows_of(storage, bram.id) == (2, 2)  # tokens bergman, bram; prefixes ber, bra
    downgrade(storage, "0016")
    assert storage.schema_revision() == "0016"
    assert keys_of(storage) == KEYED
    if storage.dialect == "sqlite":
        assert without_rowid(storage) == dict.fromkeys(INDEX, True)
    assert rows_of(storage, bram.id) == (0, 0)
    assert rows_of(storage, anna.id) == (2, 2)
    storage.upgrade()
    assert found(storage, employer_id, "ann") == ([anna.id], 1)
    # The prefixes counted again: "ber" counted Bram's row too until the downgrade.
    assert found(storage, employer_id, "ber") == ([anna.id], 1)
    assert found(storage, employer_id, "bra") == ([], 0)


def test_an_employee_removed_or_erased_leaves_no_rows_in_the_index(storage: SqlStorage) -> None:
    storage.upgrade()
    portal = Portal(
        storage=storage,
        mailer=RecordingMailer(),
        clock=FrozenClock(START),
        settings=make_settings(),
    )
    employer = portal.admin.create_employer(SERVICE_DESK, "Werkgever")
    hr = Actor(user_id="hr", employer_id=employer.id, role=Role.HR)
    anna = register(portal, hr, "Berg")
    bram = register(portal, hr, "Bergman", email="bram@example.nl")
    assert rows_of(storage, anna.id) == (2, 2)
    portal.employees.remove(hr, anna.id)
    portal.privacy.erase(SERVICE_DESK, bram.id, "Verzoek van de medewerker.")
    assert rows_of(storage, anna.id) == (0, 0)
    assert rows_of(storage, bram.id) == (0, 0)
    assert portal.search.employees(hr, "ber").total == 0
