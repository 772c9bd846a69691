"""Dossier search through the public API, on every storage adapter."""

from __future__ import annotations

import threading
import time
from datetime import date

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onzecoach import Actor, NotFound, Portal, QueryTooShort, Role
from onzecoach.actors import SERVICE_DESK
from onzecoach.search import matches, name_tokens, query_words, sort_key
from support import race


def hr_of(portal: Portal, name: str) -> Actor:
    employer = portal.admin.create_employer(SERVICE_DESK, name)
    return Actor(user_id=f"hr-{employer.id[-8:]}", employer_id=employer.id, role=Role.HR)


def add(
    portal: Portal, actor: Actor, last: str, given: str, infix: str | None = None, **extra: object
) -> str:
    data: dict[str, object] = {
        "last_name": last,
        "name_infix": infix,
        "given_name": given,
        "initials": given[0],
        "gender": "other",
        "birth_date": date(1980, 1, 1),
        "email": "x@example.nl",
        **extra,
    }
    return portal.employees.register(actor, data).id


def names(portal: Portal, actor: Actor, text: str) -> list[str]:
    return [hit.display_name for hit in portal.search.employees(actor, text).hits]


@pytest.fixture
def staff(portal: Portal) -> Actor:
    hr = hr_of(portal, "Acme")
    assert hr.employer_id is not None
    sales = portal.admin.add_department(SERVICE_DESK, hr.employer_id, "Verkoop")
    add(portal, hr, "Berg", "Anna", "van den", department_id=sales.id, employee_number="1001")
    add(portal, hr, "Berg", "Bert")
    add(portal, hr, "Bergen", "Cees", "van")
    add(portal, hr, "Jansen-de Vries", "Jan")
    add(portal, hr, "d'Hondt", "Hélène")
    add(portal, hr, "Özdemir", "Gülsen")
    add(portal, hr, "Vanderlinden", "Vera")
    return hr


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ber", ["Berg, B. (Bert)", "Berg, van den, A. (Anna)", "Bergen, van, C. (Cees)"]),
        ("van den ber", ["Berg, B. (Bert)", "Berg, van den, A. (Anna)", "Bergen, van, C. (Cees)"]),
        ("BERG", ["Berg, B. (Bert)", "Berg, van den, A. (Anna)", "Bergen, van, C. (Cees)"]),
        ("jan ber", []),
        ("jan", ["Jansen-de Vries, J. (Jan)"]),
        ("vri", ["Jansen-de Vries, J. (Jan)"]),
        ("hon", ["d'Hondt, H. (Hélène)"]),
        ("dho", ["d'Hondt, H. (Hélène)"]),
        ("hel", ["d'Hondt, H. (Hélène)"]),
        ("ozd", ["Özdemir, G. (Gülsen)"]),
        ("gül", ["Özdemir, G. (Gülsen)"]),
        ("van", ["Vanderlinden, V. (Vera)"]),  # not every "van ..."
        ("100", ["Berg, van den, A. (Anna)"]),
        ("anna berg", ["Berg, van den, A. (Anna)"]),
    ],
)
def test_dutch_names_are_found_as_people_type_them(
    portal: Portal, staff: Actor, text: str, expected: list[str]
) -> None:
    assert names(portal, staff, text) == expected


def test_hits_carry_what_the_list_shows_and_paging_counts_all(portal: Portal, staff: Actor) -> None:
    result = portal.search.employees(staff, "ber", limit=2)
    assert result.total == 3
    assert [h.display_name for h in result.hits] == ["Berg, B. (Bert)", "Berg, van den, A. (Anna)"]
    anna = result.hits[1]
    assert (anna.initials, anna.birth_date, anna.employee_number, anna.department) == (
        "A.",
        date(1980, 1, 1),
        "1001",
        "Verkoop",
    )
    second = portal.search.employees(staff, "ber", limit=2, offset=2)
    assert [h.display_name for h in second.hits] == ["Bergen, van, C. (Cees)"]
    assert second.total == 3


@pytest.mark.parametrize("text", ["", "be", "  a b ", "--", "van"[:2]])
def test_fewer_than_three_letters_is_too_short(portal: Portal, staff: Actor, text: str) -> None:
    with pytest.raises(QueryTooShort):
        portal.search.employees(staff, text)


def test_only_the_actors_employer_is_searched(portal: Portal, staff: Actor) -> None:
    other = hr_of(portal, "Ander")
    add(portal, other, "Berger", "Otto")
    assert names(portal, other, "ber") == ["Berger, O. (Otto)"]
    assert "Berger, O. (Otto)" not in names(portal, staff, "ber")
    desk = Actor(user_id=None, employer_id=None, role=Role.SERVICE_DESK)
    assert other.employer_id is not None
    with pytest.raises(NotFound):
        portal.search.employees(desk, "ber")
    assert [
        h.display_name
        for h in portal.search.employees(desk, "ber", employer_id=other.employer_id).hits
    ] == ["Berger, O. (Otto)"]


def test_an_update_or_removal_shows_in_the_very_next_search(portal: Portal, staff: Actor) -> None:
    bert = portal.search.employees(staff, "bert").hits[0].employee_id
    portal.employees.update(staff, bert, {"last_name": "Smit"})
    assert names(portal, staff, "bert") == ["Smit, B. (Bert)"]
    assert names(portal, staff, "berg") == ["Berg, van den, A. (Anna)", "Bergen, van, C. (Cees)"]
    portal.employees.remove(staff, bert)
    assert names(portal, staff, "smi") == []
    assert portal.search.employees(staff, "ber").total == 2


POOL_LAST = [
    "Berg",
    "Bergen",
    "Jansen",
    "Jansen-de Vries",
    "de Jong",
    "Özdemir",
    "d'Hondt",
    "Bakker",
    "Visser",
    "Smit",
    "Vries",
]
POOL_GIVEN = ["Anna", "Jan", "Hélène", "Gülsen", "Bert", "Sanne", "Jansje", "Bas"]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    people=st.lists(
        st.tuples(
            st.sampled_from(POOL_LAST),
            st.sampled_from(POOL_GIVEN),
            st.sampled_from([None, "van", "van den", "de"]),
        ),
        min_size=1,
        max_size=12,
    ),
    probe=st.tuples(st.integers(0, 11), st.integers(3, 7), st.booleans(), st.integers(0, 3)),
)
def test_the_index_answers_as_a_plain_scan_would(
    portal: Portal, people: list[tuple[str, str, str | None]], probe: tuple[int, int, bool, int]
) -> None:
    hr = hr_of(portal, f"Werkgever {len(portal.admin.employers(SERVICE_DESK))}")
    made = []
    for last, given_name, infix in people:
        employee_id = add(portal, hr, last, given_name, infix)
        employee = portal.employees.get(hr, employee_id)
        made.append(employee)
    pick, length, use_given, offset = probe
    person = made[pick % len(made)]
    text = (person.given_name if use_given else person.last_name)[:length]
    try:
        words = query_words(text)
    except QueryTooShort:
        return
    expected = sorted(
        sort_key(e.last_name, e.name_infix, e.given_name, e.id)
        for e in made
        if matches(name_tokens(e.last_name, e.given_name, e.employee_number), words)
    )
    result = portal.search.employees(hr, text, limit=3, offset=offset)
    assert result.total == len(expected)
    assert [h.employee_id for h in result.hits] == [
        k.rsplit("\x01", 1)[1] for k in expected[offset : offset + 3]
    ]


def test_an_employee_number_with_a_dash_is_found_as_typed(portal: Portal) -> None:
    hr = hr_of(portal, "Nummers")
    add(portal, hr, "Smit", "Sanne", employee_number="P-0042")
    for text in ("P-0042", "p0042", "0042", "p-004"):
        assert names(portal, hr, text) == ["Smit, S. (Sanne)"], text


# rebuilding the index ----------------------------------------------------------------------

QUERIES = ("ber", "berg", "van den ber", "jan", "vri", "hon", "gül", "van", "100", "anna berg")


def results(portal: Portal, actor: Actor) -> dict[str, tuple[list[str], int]]:
    found = {}
    for text in QUERIES:
        result = portal.search.employees(actor, text, limit=2, offset=1)
        found[text] = ([hit.employee_id for hit in result.hits], result.total)
    return found


def cleared(portal: Portal, employer_id: str) -> None:
    with portal.storage.unit_of_work() as uow:
        uow.search.clear(employer_id)
        uow.commit()


def test_a_rebuild_gives_back_exactly_the_index_that_writes_kept(
    portal: Portal, staff: Actor
) -> None:
    other = hr_of(portal, "Ander")
    add(portal, other, "Berg", "Berend")
    assert staff.employer_id is not None
    assert other.employer_id is not None
    before, theirs = results(portal, staff), results(portal, other)
    cleared(portal, staff.employer_id)
    assert all(total == 0 for _, total in results(portal, staff).values())
    assert results(portal, other) == theirs  # only the one employer is cleared

    assert portal.search.rebuild(SERVICE_DESK, employer_id=staff.employer_id) == 7
    assert results(portal, staff) == before
    assert (
        portal.search.rebuild(SERVICE_DESK) == 8
    )  # every employer; a rebuilt index stays the same
    assert results(portal, staff) == before
    assert results(portal, other) == theirs


def test_a_rebuild_is_audited_per_employer(portal: Portal, staff: Actor) -> None:
    assert staff.employer_id is not None
    portal.search.rebuild(SERVICE_DESK, employer_id=staff.employer_id)
    with portal.storage.unit_of_work() as uow:
        entries = uow.audit.for_subject("employer", staff.employer_id)
    rebuilt = [entry for entry in entries if entry.action == "search.rebuilt"]
    assert [dict(entry.details) for entry in rebuilt] == [{"employees": 7}]


def test_only_the_service_desk_rebuilds_and_only_known_employers(
    portal: Portal, staff: Actor
) -> None:
    with pytest.raises(NotFound):
        portal.search.rebuild(staff, employer_id=staff.employer_id)
    with pytest.raises(NotFound):
        portal.search.rebuild(SERVICE_DESK, employer_id="nope")


def test_renames_racing_a_rebuild_leave_the_index_as_the_table_says(
    portal: Portal, staff: Actor
) -> None:
    assert staff.employer_id is not None
    people = [hit.employee_id for hit in portal.search.employees(staff, "ber").hits]
    renames = [
        (
            lambda person=person, name=name: portal.employees.update(
                staff, person, {"last_name": name}
            )
        )
        for person, name in zip(people, ("Jansen", "Bakker", "Berkhout"), strict=True)
    ]
    outcomes = race([*renames[:2], lambda: portal.search.rebuild(SERVICE_DESK), renames[2]])
    assert not [outcome for outcome in outcomes if isinstance(outcome, BaseException)]
    after = results(portal, staff)
    cleared(portal, staff.employer_id)
    portal.search.rebuild(SERVICE_DESK, employer_id=staff.employer_id)
    assert results(portal, staff) == after
    assert names(portal, staff, "bak") == ["Bakker, van den, A. (Anna)"]


def test_a_writer_of_several_employees_in_id_order_does_not_deadlock_a_rebuild(
    portal: Portal, staff: Actor
) -> None:
    """As the bulk import writes: the first employee indexed and held, then a rebuild
    starts and locks the employer's employees in id order, then the second employee."""
    assert staff.employer_id is not None
    hits = portal.search.employees(staff, "ber").hits
    people = [portal.employees.get(staff, hit.employee_id) for hit in hits[:2]]
    first, second = sorted(people, key=lambda person: person.id)
    holding = threading.Event()
    outcomes: dict[str, object] = {}

    def writer() -> None:
        try:
            with portal.storage.unit_of_work() as uow:
                for n, person in enumerate((first, second)):
                    renamed = attrs.evolve(person, last_name=person.last_name + "s")
                    uow.employees.save(renamed)
                    uow.search.index(renamed)
                    if n == 0:
                        holding.set()
                        time.sleep(0.5)  # the rebuild starts meanwhile
                uow.commit()
            outcomes["writer"] = "ok"
        except Exception as exc:
            outcomes["writer"] = exc

    def rebuild() -> None:
        holding.wait(5)
        try:
            outcomes["rebuild"] = portal.search.rebuild(SERVICE_DESK, employer_id=staff.employer_id)
        except Exception as exc:
            outcomes["rebuild"] = exc

    threads = [threading.Thread(target=writer), threading.Thread(target=rebuild)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert outcomes == {"writer": "ok", "rebuild": 7}
    assert {
        hit.display_name.split(",")[0] for hit in portal.search.employees(staff, "ber").hits
    } >= {
        first.last_name + "s",
        second.last_name + "s",
    }
