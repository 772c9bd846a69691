"""Employers and departments through ``portal.admin``, on every storage adapter."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onzecoach import (
    Actor,
    Conflict,
    NotFound,
    OnzecoachError,
    PermissionDenied,
    Portal,
    Role,
    ValidationError,
)
from onzecoach.actors import SERVICE_DESK
from onzecoach.testing import FrozenClock


def test_creating_an_employer_tidies_its_name_and_audits_it(
    portal: Portal, clock: FrozenClock
) -> None:
    employer = portal.admin.create_employer(SERVICE_DESK, "  Acme\u00a0  Zorg   B.V. ")
    assert employer.name == "Acme Zorg B.V."
    assert employer.created_at == clock.now()
    assert portal.admin.employer(SERVICE_DESK, employer.id) == employer
    with portal.storage.unit_of_work() as uow:
        (entry,) = uow.audit.for_subject("employer", employer.id)
    assert (entry.action, entry.actor_role, entry.at) == (
        "employer.created",
        Role.SERVICE_DESK,
        clock.now(),
    )
    assert entry.details == {"name": "Acme Zorg B.V."}


def test_a_department_belongs_to_an_existing_employer(portal: Portal) -> None:
    acme = portal.admin.create_employer(SERVICE_DESK, "Acme")
    finance = portal.admin.add_department(SERVICE_DESK, acme.id, "Financiën")
    ict = portal.admin.add_department(SERVICE_DESK, acme.id, "ICT")
    assert portal.admin.departments(SERVICE_DESK, acme.id) == [finance, ict]
    with portal.storage.unit_of_work() as uow:
        assert [e.action for e in uow.audit.for_employer(acme.id)] == [
            "department.created",
            "department.created",
            "employer.created",
        ]


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("", "required"),
        ("   ", "required"),
        ("x" * 201, "too_long"),
        ("Acme\x00", "invalid_characters"),
        (None, "invalid"),
    ],
)
def test_a_bad_name_is_a_validation_error_naming_the_field(
    portal: Portal, name: object, code: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        portal.admin.create_employer(SERVICE_DESK, name)  # type: ignore[arg-type]
    assert raised.value.codes == {"name": code}
    assert raised.value.errors["name"]
    with pytest.raises(ValidationError):
        portal.admin.add_department(SERVICE_DESK, "whatever", name)  # type: ignore[arg-type]
    assert portal.admin.employers(SERVICE_DESK) == []


@pytest.mark.parametrize("employer_id", ["0" * 32, "no such id", "", None, 42])
def test_an_unknown_employer_is_not_found(portal: Portal, employer_id: object) -> None:
    with pytest.raises(NotFound, match="Werkgever"):
        portal.admin.add_department(SERVICE_DESK, employer_id, "HR")  # type: ignore[arg-type]
    with pytest.raises(NotFound):
        portal.admin.departments(SERVICE_DESK, employer_id)  # type: ignore[arg-type]
    with pytest.raises(NotFound):
        portal.admin.employer(SERVICE_DESK, employer_id)  # type: ignore[arg-type]


def test_duplicate_names_conflict_and_write_nothing(portal: Portal) -> None:
    acme = portal.admin.create_employer(SERVICE_DESK, "Acme")
    portal.admin.add_department(SERVICE_DESK, acme.id, "HR")
    with pytest.raises(Conflict):
        portal.admin.create_employer(SERVICE_DESK, "ACME")
    with pytest.raises(Conflict):
        portal.admin.add_department(SERVICE_DESK, acme.id, "hr")
    other = portal.admin.create_employer(SERVICE_DESK, "Other")
    portal.admin.add_department(
        SERVICE_DESK, other.id, "HR"
    )  # the same name at another employer is fine
    with portal.storage.unit_of_work() as uow:
        assert len(uow.audit.for_employer(acme.id)) == 2


def test_hr_users_see_their_own_employer_only_and_cannot_administer(portal: Portal) -> None:
    acme, other = (
        portal.admin.create_employer(SERVICE_DESK, "Acme"),
        portal.admin.create_employer(SERVICE_DESK, "Other"),
    )
    portal.admin.add_department(SERVICE_DESK, other.id, "Geheim")
    hr = Actor(user_id="u1", employer_id=acme.id, role=Role.HR)
    assert portal.admin.employer(hr, acme.id) == acme
    assert portal.admin.departments(hr, acme.id) == []
    with pytest.raises(NotFound):
        portal.admin.employer(hr, other.id)
    with pytest.raises(NotFound):
        portal.admin.departments(hr, other.id)
    for call in (
        lambda: portal.admin.create_employer(hr, "Nieuw"),
        lambda: portal.admin.add_department(hr, acme.id, "Nieuw"),
        lambda: portal.admin.employers(hr),
    ):
        with pytest.raises(PermissionDenied):
            call()


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.one_of(st.text(max_size=250), st.none(), st.integers(), st.binary(max_size=5)))
def test_any_input_gives_an_employer_or_an_onzecoach_error_and_never_half_a_write(
    portal: Portal, name: object
) -> None:
    before = len(portal.admin.employers(SERVICE_DESK))
    try:
        employer = portal.admin.create_employer(SERVICE_DESK, name)  # type: ignore[arg-type]
    except (ValidationError, Conflict):
        assert len(portal.admin.employers(SERVICE_DESK)) == before
    except OnzecoachError as exc:  # pragma: no cover - the assertion explains
        pytest.fail(f"unexpected {exc!r}")
    else:
        assert isinstance(name, str)
        assert employer.name == " ".join(employer.name.split())
        assert portal.admin.employer(SERVICE_DESK, employer.id) == employer
