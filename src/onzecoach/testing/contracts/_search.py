"""The storage contract of the dossier search's index (``uow.search``)."""

from __future__ import annotations

import random
import threading
from datetime import date

import attrs
import pytest

from onzecoach import Conflict, NotFound
from onzecoach.employees import Employee, EmployeeDetails, Gender
from onzecoach.ids import new_id
from onzecoach.ports import Storage
from onzecoach.search import matches, name_tokens, query_words, sort_key
from onzecoach.testing.contracts._base import StorageTests
from onzecoach.testing.contracts._builders import T0, in_transaction, stored_employer

__all__ = ["SearchIndexTests", "ids", "indexed", "person", "search"]


def person(
    employer_id: str,
    last_name: str,
    given_name: str,
    name_infix: str | None = None,
    employee_number: str | None = None,
) -> Employee:
    details = EmployeeDetails(
        last_name=last_name,
        given_name=given_name,
        initials=f"{given_name[0]}.",
        gender=Gender.OTHER,
        birth_date=date(1980, 1, 1),
        email="iemand@example.nl",
        registration_type="OnzeCoach",
        employee_number=employee_number,
        name_infix=name_infix,
    )
    return Employee.create(id=new_id(), employer_id=employer_id, details=details, now=T0)


def indexed(storage: Storage, *people: Employee, bulk: bool = False) -> None:
    """Store the employees and index them, in one committed transaction.

    ``bulk`` takes the bulk import's way: ``add_many`` and ``index_new`` for them all.
    """
    with storage.unit_of_work() as uow:
        if bulk:
            uow.employees.add_many(people)
            uow.search.index_new(people)
        else:
            for employee in people:
                uow.employees.add(employee)
                uow.search.index(employee)
        uow.commit()


def reindexed(storage: Storage, employee: Employee) -> None:
    with storage.unit_of_work() as uow:
        uow.search.index(employee)
        uow.commit()


def search(
    storage: Storage, employer_id: str, text: str, *, limit: int = 100, offset: int = 0
) -> tuple[list[str], int]:
    """``uow.search.query`` for what a user typed."""
    words = query_words(text)
    with storage.unit_of_work() as uow:
        return uow.search.query(employer_id, words, limit=limit, offset=offset)


def found(storage: Storage, employer_id: str, text: str) -> list[str]:
    """The ids of every employee found (within the first 100)."""
    hits, total = search(storage, employer_id, text)
    assert total == len(hits)
    return hits


def ids(*people: Employee) -> list[str]:
    return [employee.id for employee in people]


class SearchIndexTests(StorageTests):
    """``uow.search``: matching, order and paging, changes, concurrent renames, deletions."""

    def test_three_letters_find_every_employee_with_a_token_so_started(
        self, storage: Storage
    ) -> None:
        owner = stored_employer(storage)
        anna = person(owner, "Berg", "Anna")
        cees = person(owner, "Bergen", "Cees")
        jan = person(owner, "Jansen", "Jan")
        indexed(storage, anna, cees, jan)
        assert found(storage, owner, "ber") == ids(anna, cees)
        assert found(storage, owner, "JAN") == ids(jan)
        assert found(storage, owner, "ann") == ids(anna)
        assert found(storage, owner, "xyz") == []

    def test_a_longer_word_narrows_to_the_tokens_it_starts(self, storage: Storage) -> None:
        owner = stored_employer(storage)
        anna = person(owner, "Berg", "Anna")
        cees = person(owner, "Bergen", "Cees")
        indexed(storage, anna, cees)
        assert found(storage, owner, "berg") == ids(anna, cees)
        assert found(storage, owner, "berge") == ids(cees)
        assert found(storage, owner, "bergen") == ids(cees)
        assert found(storage, owner, "bergens") == []
        assert found(storage, owner, "anna") == ids(anna)

    def test_every_word_must_start_a_token(self, storage: Storage) -> None:
        owner = stored_employer(storage)
        anna = person(owner, "Berg", "Anna")
        bert = person(owner, "Berg", "Bert")
        jan = person(owner, "Jansen-de Vries", "Jan")
        indexed(storage, anna, bert, jan)
        assert found(storage, owner, "anna berg") == ids(anna)
        assert found(storage, owner, "berg bert") == ids(bert)
        # Each word on its own: "b" starts Anna's "berg" as well.
        assert found(storage, owner, "ber b") == ids(anna, bert)
        assert found(storage, owner, "jan vri") == ids(jan)
        assert found(storage, owner, "jan de v") == ids(jan)
        assert found(storage, owner, "jan ber") == []
        # A word typed twice is one word, on the three-letter path too.
        assert found(storage, owner, "ber ber") == ids(anna, bert)

    def test_a_word_may_start_any_part_of_a_double_surname_or_the_whole(
        self, storage: Storage
    ) -> None:
        owner = stored_employer(storage)
        jan = person(owner, "Jansen-de Vries", "Jan")
        hondt = person(owner, "d'Hondt", "Hélène")
        indexed(storage, jan, hondt)
        for text in ("jan", "jansen", "vri", "vries", "jansendevr"):
            assert found(storage, owner, text) == ids(jan)
        for text in ("dho", "hon", "hondt", "hel", "helene"):
            assert found(storage, owner, text) == ids(hondt)

    def test_employee_numbers_are_tokens(self, storage: Storage) -> None:
        owner = stored_employer(storage)
        anna = person(owner, "Berg", "Anna", employee_number="1001")
        bert = person(owner, "Berg", "Bert", employee_number="A1002")
        indexed(storage, anna, bert)
        assert found(storage, owner, "100") == ids(anna)
        assert found(storage, owner, "1001") == ids(anna)
        assert found(storage, owner, "a10") == ids(bert)
        assert found(storage, owner, "a1002 bert") == ids(bert)

    def test_the_name_infix_is_no_token(self, storage: Storage) -> None:
        owner = stored_employer(storage)
        anna = person(owner, "Berg", "Anna", "van den")
        indexed(storage, anna)
        assert found(storage, owner, "ber") == ids(anna)
        assert found(storage, owner, "van den ber") == ids(anna)
        assert found(storage, owner, "van") == []
        assert found(storage, owner, "den") == []

    def test_case_and_diacritics_fold_away(self, storage: Storage) -> None:
        owner = stored_employer(storage)
        ozdemir = person(owner, "Özdemir", "Gülsen")
        indexed(storage, ozdemir)
        for text in ("ozd", "Özd", "OZDEMIR", "gul", "gül", "Gülsen Özdemir"):
            assert found(storage, owner, text) == ids(ozdemir)

    def test_names_of_a_hundred_letters_that_fold_to_more_are_found(self, storage: Storage) -> None:
        # A Hangul syllable folds to three letters: tokens and the sort key outgrow the
        # 100 and 400 characters a column may hold.
        owner = stored_employer(storage)
        long_name = "한" * 60 + "국" * 40
        long = person(owner, long_name, "김" * 100, "van den")
        other = person(owner, long_name, "김" * 99 + "가")
        indexed(storage, long, other)
        assert found(storage, owner, "한") == ids(other, long)
        assert found(storage, owner, "한한한") == ids(other, long)
        assert found(storage, owner, long_name[:33]) == ids(other, long)
        assert found(storage, owner, "김" * 34) == ids(other, long)
        assert found(storage, owner, "김" * 32 + "가") == []
        assert found(storage, owner, "한" * 60 + "국") == ids(other, long)

    def test_results_come_by_surname_then_infix_then_given_name(self, storage: Storage) -> None:
        owner = stored_employer(storage)
        van_den_anna = person(owner, "Berg", "Anna", "van den")
        bert = person(owner, "Berg", "Bert")
        van_cees = person(owner, "Berg", "Cees", "van")
        anna = person(owner, "Berg", "Anna")
        bergen = person(owner, "Bergen", "Aad", "van")
        ozdemir = person(owner, "Özberg", "Zoë")
        indexed(storage, van_den_anna, bert, van_cees, anna, bergen, ozdemir)
        in_order = ids(anna, bert, van_cees, van_den_anna, bergen)
        assert found(storage, owner, "ber") == in_order  # the three-letter path
        assert found(storage, owner, "berg") == in_order  # the path of longer words
        assert found(storage, owner, "a ber") == ids(anna, van_den_anna, bergen)
        assert found(storage, owner, "zoe") == ids(ozdemir)

    def test_equal_names_come_in_id_order(self, storage: Storage) -> None:
        owner = stored_employer(storage)
        twins = [person(owner, "Visser", "Sem") for _ in range(4)]
        indexed(storage, *twins)
        assert found(storage, owner, "vis") == sorted(ids(*twins))
        assert found(storage, owner, "sem visser") == sorted(ids(*twins))

    @pytest.mark.parametrize("text", ["jan", "jans", "jan j"])
    def test_limit_and_offset_page_through_the_results_and_total_counts_them_all(
        self, storage: Storage, text: str
    ) -> None:
        owner = stored_employer(storage)
        people = [person(owner, f"Jansen{letter}", "Jan") for letter in "gfedcba"]
        indexed(storage, *people, person(owner, "Visser", "Sem"))
        in_order = ids(*reversed(people))
        assert search(storage, owner, text, limit=3) == (in_order[:3], 7)
        assert search(storage, owner, text, limit=3, offset=3) == (in_order[3:6], 7)
        assert search(storage, owner, text, limit=3, offset=6) == (in_order[6:], 7)
        assert search(storage, owner, text, limit=3, offset=7) == ([], 7)
        assert search(storage, owner, text, limit=1, offset=100) == ([], 7)
        assert search(storage, owner, text, limit=100) == (in_order, 7)

    def test_an_employee_with_two_tokens_so_started_counts_once(self, storage: Storage) -> None:
        owner = stored_employer(storage)
        jan = person(owner, "Jansen", "Jannie", employee_number="JAN01")
        indexed(storage, jan)
        assert search(storage, owner, "jan") == (ids(jan), 1)
        assert search(storage, owner, "jann") == (ids(jan), 1)
        assert search(storage, owner, "jan j") == (ids(jan), 1)

    def test_other_employers_employees_are_never_found(self, storage: Storage) -> None:
        ours, theirs = stored_employer(storage), stored_employer(storage)
        anna = person(ours, "Berg", "Anna", employee_number="1001")
        indexed(storage, anna, person(theirs, "Berg", "Anna", employee_number="1001"))
        for text in ("ber", "berg", "anna berg", "100"):
            assert search(storage, ours, text) == (ids(anna), 1)
        assert search(storage, stored_employer(storage), "ber") == ([], 0)
        assert search(storage, "no such employer", "berg") == ([], 0)

    def test_indexing_again_replaces_what_the_index_held(self, storage: Storage) -> None:
        owner = stored_employer(storage)
        anna = person(owner, "Berg", "Anna", employee_number="1001")
        indexed(storage, anna)
        renamed = attrs.evolve(anna, last_name="Visser", name_infix="de", employee_number=None)
        with storage.unit_of_work() as uow:
            uow.employees.save(renamed)
            uow.search.index(renamed)
            uow.commit()
        for text in ("ber", "berg", "100", "anna berg"):
            assert search(storage, owner, text) == ([], 0)
        for text in ("vis", "visser", "anna vis", "ann"):
            assert search(storage, owner, text) == (ids(anna), 1)

    def test_indexing_an_unchanged_employee_again_changes_nothing(self, storage: Storage) -> None:
        owner = stored_employer(storage)
        anna = person(owner, "Berg", "Anna")
        bert = person(owner, "Bergman", "Bert")
        indexed(storage, anna, bert)
        for employee in (anna, attrs.evolve(anna, city="Utrecht"), anna):
            reindexed(storage, employee)
        assert search(storage, owner, "ber") == (ids(anna, bert), 2)
        assert search(storage, owner, "berg") == (ids(anna, bert), 2)

    def test_a_changed_infix_moves_the_employee_in_the_order(self, storage: Storage) -> None:
        owner = stored_employer(storage)
        anna = person(owner, "Berg", "Anna", "van den")
        bert = person(owner, "Berg", "Bert")
        indexed(storage, anna, bert)
        assert found(storage, owner, "ber") == ids(bert, anna)
        plain = attrs.evolve(anna, name_infix=None)
        reindexed(storage, plain)
        assert found(storage, owner, "ber") == ids(anna, bert)
        assert found(storage, owner, "berg") == ids(anna, bert)

    def test_a_name_changed_back_and_forth_is_counted_once(self, storage: Storage) -> None:
        owner = stored_employer(storage)
        anna = person(owner, "Berg", "Anna")
        indexed(storage, anna)
        for last_name in ("Bergen", "Visser", "Berg", "Bergman", "Berg"):
            reindexed(storage, attrs.evolve(anna, last_name=last_name))
        assert search(storage, owner, "ber") == (ids(anna), 1)
        assert search(storage, owner, "vis") == ([], 0)
        assert search(storage, owner, "ann") == (ids(anna), 1)

    def test_a_removed_employee_is_not_found(self, storage: Storage) -> None:
        owner = stored_employer(storage)
        anna = person(owner, "Berg", "Anna")
        bert = person(owner, "Berg", "Bert")
        indexed(storage, anna, bert)
        in_transaction(storage, lambda uow: uow.search.remove(anna.id))
        assert search(storage, owner, "ber") == (ids(bert), 1)
        assert search(storage, owner, "berg") == (ids(bert), 1)
        assert search(storage, owner, "ann") == ([], 0)
        # Removing again, or an employee never indexed, is no error.
        in_transaction(storage, lambda uow: uow.search.remove(anna.id))
        in_transaction(storage, lambda uow: uow.search.remove("no such employee"))
        assert search(storage, owner, "ber") == (ids(bert), 1)
        # And the employee can come back.
        reindexed(storage, anna)
        assert search(storage, owner, "ber") == (ids(anna, bert), 2)

    def test_rollback_discards_what_was_indexed_and_removed(self, storage: Storage) -> None:
        owner = stored_employer(storage)
        anna = person(owner, "Berg", "Anna")
        indexed(storage, anna)
        bert = person(owner, "Berg", "Bert")
        with storage.unit_of_work() as uow:
            uow.employees.add(bert)
            uow.search.index(bert)
            uow.search.index(attrs.evolve(anna, last_name="Visser"))
            assert uow.search.query(owner, ["ber"], limit=10, offset=0) == (ids(bert), 1)
        with storage.unit_of_work() as uow:
            uow.search.remove(anna.id)
            assert uow.search.query(owner, ["ber"], limit=10, offset=0) == ([], 0)
            uow.rollback()
        for text in ("ber", "berg", "anna"):
            assert search(storage, owner, text) == (ids(anna), 1)
        assert search(storage, owner, "vis") == ([], 0)

    def test_a_rollback_forgets_what_was_indexed_before_it_and_the_block_goes_on(
        self, storage: Storage
    ) -> None:
        owner = stored_employer(storage)
        anna = person(owner, "Berg", "Anna")
        indexed(storage, anna)
        bram = person(owner, "Bergen", "Bram")
        cees = person(owner, "Jansen", "Cees")
        with storage.unit_of_work() as uow:
            uow.employees.add(bram)
            uow.search.index(bram)
            uow.search.remove(anna.id)
            uow.rollback()  # nothing searched before it
            uow.employees.add(cees)
            uow.search.index(cees)
            uow.commit()
        for text in ("ber", "ann"):  # anna's counts, neither raised by bram nor dropped
            assert search(storage, owner, text) == (ids(anna), 1)
        assert search(storage, owner, "jan") == (ids(cees), 1)

    def test_rollback_discards_what_was_indexed_in_bulk(self, storage: Storage) -> None:
        owner = stored_employer(storage)
        anna = person(owner, "Berg", "Anna")
        indexed(storage, anna)
        newcomers = [person(owner, "Bergen", "Cees"), person(owner, "Jansen", "Bert")]
        with storage.unit_of_work() as uow:
            uow.employees.add_many(newcomers)
            uow.search.index_new(newcomers)
            assert uow.search.query(owner, ["ber"], limit=10, offset=0)[1] == 3
        assert search(storage, owner, "ber") == (ids(anna), 1)
        assert search(storage, owner, "jan") == ([], 0)
        indexed(storage, *newcomers, bulk=True)  # and then again, for good
        assert search(storage, owner, "ber") == (ids(anna, *newcomers), 3)

    def test_concurrent_renames_keep_the_counts_right(self, storage: Storage) -> None:
        # The renames share prefixes, so on PostgreSQL the transactions change the same
        # count rows at once: they must queue, not deadlock, and lose no change. Two
        # threads also rename one shared employee, whose entries must not double up.
        owner = stored_employer(storage)
        surnames = ("Berg", "Bergen", "Bergman", "Jansen", "Janssen", "Visser", "Vissers")
        people = [person(owner, "Smit", "Sem") for _ in range(9)]
        indexed(storage, *people)
        latest = dict.fromkeys(ids(*people), "Smit")
        shared = people[-1]
        failures: list[BaseException] = []
        record = threading.Lock()

        def rename(mine: list[Employee], seed: int) -> None:
            pick = random.Random(seed)
            try:
                for _ in range(12):
                    employee = pick.choice(mine)
                    renamed = attrs.evolve(employee, last_name=pick.choice(surnames))
                    with storage.unit_of_work() as uow:
                        uow.search.index(renamed)
                        uow.commit()
                    if employee is not shared:
                        latest[employee.id] = renamed.last_name
            except BaseException as exc:
                with record:
                    failures.append(exc)

        threads = [
            threading.Thread(target=rename, args=([*people[i * 2 : i * 2 + 2], shared], i))
            for i in range(4)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failures == []
        # The shared employee has whichever name was indexed last: the longest that
        # finds it (the others that do are prefixes of it, and the scan below checks them).
        latest[shared.id] = max(
            (name for name in (*surnames, "Smit") if shared.id in found(storage, owner, name)),
            key=len,
        )
        for text in ("ber", "jan", "vis", "smi", "sem", "berg", "vissers"):
            expected = sorted(
                (e for e in people if matches(name_tokens(latest[e.id], "Sem"), [text])),
                key=lambda e: sort_key(latest[e.id], None, "Sem", e.id),
            )
            assert search(storage, owner, text) == (ids(*expected), len(expected)), text

    def test_a_deleted_employee_is_gone_with_its_number_and_index(self, storage: Storage) -> None:
        owner = stored_employer(storage)
        anna = person(owner, "Berg", "Anna", employee_number="1001")
        indexed(storage, anna)
        with storage.unit_of_work() as uow:
            uow.search.remove(anna.id)
            uow.employees.delete(anna.id)
            uow.commit()
        with storage.unit_of_work() as uow:
            assert uow.employees.get(anna.id) is None
            assert uow.employees.for_employer(owner) == []
        assert search(storage, owner, "ber") == ([], 0)
        assert search(storage, owner, "berg") == ([], 0)
        # The number is free again.
        indexed(storage, person(owner, "Visser", "Sem", employee_number="1001"))

    def test_deleting_an_unknown_employee_is_not_found(self, storage: Storage) -> None:
        with (
            pytest.raises(NotFound, check=lambda error: error.code == "employee.not_found"),
            storage.unit_of_work() as uow,
        ):
            uow.employees.delete("no such employee")

    def test_a_rolled_back_delete_keeps_the_employee_and_its_number(self, storage: Storage) -> None:
        owner = stored_employer(storage)
        anna = person(owner, "Berg", "Anna", employee_number="1001")
        indexed(storage, anna)
        with storage.unit_of_work() as uow:
            uow.search.remove(anna.id)
            uow.employees.delete(anna.id)
        with storage.unit_of_work() as uow:
            assert uow.employees.get(anna.id) == anna
            with pytest.raises(NotFound):
                uow.employees.delete("no such employee")
        assert search(storage, owner, "100") == (ids(anna), 1)
        with pytest.raises(Conflict, match="1001"), storage.unit_of_work() as uow:
            uow.employees.add(person(owner, "Visser", "Sem", employee_number="1001"))
