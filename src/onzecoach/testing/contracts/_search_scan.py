"""The storage contract of the dossier search's index against a plain scan, by hypothesis."""

from __future__ import annotations

from collections.abc import Sequence

import attrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onzecoach.employees import Employee
from onzecoach.ports import Storage
from onzecoach.search import fold_words, matches, name_tokens, query_words, sort_key
from onzecoach.testing.contracts._base import StorageTests
from onzecoach.testing.contracts._builders import stored_employer
from onzecoach.testing.contracts._search import ids, indexed, person, search

__all__ = ["SearchScanTests"]


LAST_NAMES = (
    "Berg",
    "Bergen",
    "Bergman",
    "Jansen",
    "Janssen",
    "Jansen-de Vries",
    "Vries",
    "d'Hondt",
    "Özdemir",
    "Öztürk",
    "Visser",
    "Smit",
    "Smits",
    "Meijer",
    "Çelik",
    "Hoek",
    "Hoekstra",
    "Dijk",
    "Vanderlinden",
    "Hoek-Hoekstra",
    "Bergman-Berg",
)
INFIXES = (None, "van", "van den", "van der", "de", "in 't", "'t")
GIVEN_NAMES = (
    "Anna",
    "Ans",
    "Jan",
    "Jannie",
    "Hélène",
    "Gülsen",
    "Bert",
    "Berend",
    "Søren",
    "Zoë",
    "Sem",
)
NUMBERS = (None, None, "1001", "1002", "10021", "A12", "B-7")

names = st.tuples(
    st.sampled_from(LAST_NAMES),
    st.sampled_from(INFIXES),
    st.sampled_from(GIVEN_NAMES),
    st.sampled_from(NUMBERS),
)
ALL_WORDS = sorted(
    {word for name in (*LAST_NAMES, *GIVEN_NAMES) for word in fold_words(name)}
    | {"1001", "10021", "a12", "b7", "van", "den", "de", "t"}
)


@st.composite
def _typed(draw: st.DrawFn) -> str:
    words = draw(st.lists(st.sampled_from(ALL_WORDS), min_size=1, max_size=3))
    return " ".join(word[: draw(st.integers(min_value=1, max_value=len(word)))] for word in words)


#: What a user might type: beginnings of one to three words of the names, 3+ letters.
texts = _typed().filter(lambda text: sum(len(word) for word in fold_words(text)) >= 3)


def scanned(people: Sequence[Employee], employer_id: str, words: Sequence[str]) -> list[Employee]:
    """The employees a search must find, by a plain scan."""
    hits = [
        e
        for e in people
        if e.employer_id == employer_id
        and matches(name_tokens(e.last_name, e.given_name, e.employee_number), words)
    ]
    return sorted(hits, key=lambda e: sort_key(e.last_name, e.name_infix, e.given_name, e.id))


class SearchScanTests(StorageTests):
    """``uow.search`` against a plain scan of what was indexed."""

    @settings(
        max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(
        staff=st.lists(st.tuples(names, st.booleans()), min_size=1, max_size=12),
        renames=st.lists(st.tuples(st.integers(min_value=0), names), max_size=3),
        removals=st.lists(st.integers(min_value=0), max_size=2),
        queries=st.lists(texts, min_size=1, max_size=5),
        bulk=st.booleans(),
    )
    def test_the_index_finds_what_a_plain_scan_finds(
        self,
        storage: Storage,
        *,
        bulk: bool,
        staff: list[tuple[tuple[str, str | None, str, str | None], bool]],
        renames: list[tuple[int, tuple[str, str | None, str, str | None]]],
        removals: list[int],
        queries: list[str],
    ) -> None:
        ours, theirs = stored_employer(storage), stored_employer(storage)
        people = [
            person(theirs if second else ours, last, given, infix, _unique(number, i))
            for i, ((last, infix, given, number), second) in enumerate(staff)
        ]
        indexed(storage, *people, bulk=bulk)
        with storage.unit_of_work() as uow:
            for at, (last, infix, given, number) in renames:
                i = at % len(people)
                people[i] = attrs.evolve(
                    people[i],
                    last_name=last,
                    name_infix=infix,
                    given_name=given,
                    employee_number=_unique(number, i),
                )
                uow.search.index(people[i])
            for at in removals:
                if people:
                    uow.search.remove(people.pop(at % len(people)).id)
            uow.commit()
        for text in queries:
            words = query_words(text)
            for employer_id in (ours, theirs):
                expected = ids(*scanned(people, employer_id, words))
                for limit, offset in ((100, 0), (1, 0), (2, 1), (3, 2), (5, 20)):
                    assert search(storage, employer_id, text, limit=limit, offset=offset) == (
                        expected[offset : offset + limit],
                        len(expected),
                    ), (text, words)


def _unique(number: str | None, i: int) -> str | None:
    """The i-th employee's number, unique in its employer as ``add`` demands."""
    return None if number is None else f"{number}.{i}"
