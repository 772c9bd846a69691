"""The storage contract of employers and their departments."""

from __future__ import annotations

from datetime import datetime, timedelta

import attrs
import pytest

from onzecoach import Conflict
from onzecoach.employers import Department, Employer, EmployerSettings
from onzecoach.ids import new_id
from onzecoach.ports import Storage
from onzecoach.testing.contracts._base import StorageTests
from onzecoach.testing.contracts._builders import AMSTERDAM, T0, add

__all__ = ["EmployerTests", "employer"]


def employer(name: str = "Acme B.V.") -> Employer:
    return Employer(id=new_id(), name=name, created_at=T0)


def department(employer_id: str, name: str) -> Department:
    return Department(id=new_id(), employer_id=employer_id, name=name, created_at=T0)


class EmployerTests(StorageTests):
    """``uow.employers`` and ``uow.departments``."""

    def test_list_is_sorted_by_name_case_insensitively(self, storage: Storage) -> None:
        add(storage, employer("bèta"), employer("Alfa"), employer("Gamma"), employer("beta"))
        with storage.unit_of_work() as uow:
            assert [e.name for e in uow.employers.list()] == ["Alfa", "beta", "bèta", "Gamma"]

    def test_name_is_unique_case_insensitively(self, storage: Storage) -> None:
        add(storage, employer("Acme B.V."))
        with pytest.raises(Conflict, match="werkgever"):
            add(storage, employer("ACME  b.v."))
        with storage.unit_of_work() as uow:
            assert len(uow.employers.list()) == 1

    def test_unknown_id_is_none(self, storage: Storage) -> None:
        with storage.unit_of_work() as uow:
            assert uow.employers.get(new_id()) is None
            assert uow.employers.get("not an id at all") is None

    def test_times_come_back_as_the_same_instant_in_utc(self, storage: Storage) -> None:
        acme = attrs.evolve(employer(), created_at=datetime(2026, 1, 5, 10, 0, tzinfo=AMSTERDAM))
        add(storage, acme)
        with storage.unit_of_work() as uow:
            stored = uow.employers.get(acme.id)
        assert stored is not None
        assert stored.created_at == acme.created_at
        assert stored.created_at.utcoffset() == timedelta(0)

    def test_an_employer_read_for_update_is_the_one_stored(self, storage: Storage) -> None:
        acme = employer()
        add(storage, acme)
        with storage.unit_of_work() as uow:
            assert uow.employers.get(acme.id, for_update=True) == acme
            assert uow.employers.get(new_id(), for_update=True) is None

    def test_departments_belong_to_their_employer_sorted_by_name(self, storage: Storage) -> None:
        acme, other = employer("Acme"), employer("Other")
        add(storage, acme, other)
        sales = department(acme.id, "Verkoop")
        admin = department(acme.id, "administratie")
        elsewhere = department(other.id, "Verkoop")
        add(storage, sales, admin, elsewhere)
        with storage.unit_of_work() as uow:
            assert uow.departments.for_employer(acme.id) == [admin, sales]
            assert uow.departments.get(elsewhere.id) == elsewhere
            assert uow.departments.for_employer(new_id()) == []

    def test_a_department_name_is_unique_within_the_employer(self, storage: Storage) -> None:
        acme = employer()
        add(storage, acme)
        add(storage, department(acme.id, "HR"))
        with pytest.raises(Conflict, match="afdeling"):
            add(storage, department(acme.id, "hr"))

    def test_an_employers_settings_are_kept_and_replaced(self, storage: Storage) -> None:
        acme, other = employer("Acme"), employer("Other")
        add(storage, acme, other)
        with storage.unit_of_work() as uow:
            assert uow.employer_settings.get(acme.id) is None
        own = EmployerSettings(
            employer_id=acme.id,
            updated_at=datetime(2026, 1, 5, 10, 0, tzinfo=AMSTERDAM),
            cancellation_notice=timedelta(hours=48, minutes=30),
            no_shows_count=False,
        )
        with storage.unit_of_work() as uow:
            uow.employer_settings.save(own)
            uow.commit()
        with storage.unit_of_work() as uow:
            assert uow.employer_settings.get(acme.id) == own
            assert uow.employer_settings.get(other.id) is None
        # Saved again: replaced whole, a field back to None (the portal's default) too.
        changed = attrs.evolve(
            own, updated_at=T0, cancellation_notice=None, late_cancellations_count=False
        )
        with storage.unit_of_work() as uow:
            uow.employer_settings.save(changed)
            uow.commit()
        with storage.unit_of_work() as uow:
            stored = uow.employer_settings.get(acme.id)
            assert stored == changed
            assert stored is not None
            assert stored.updated_at.utcoffset() == timedelta(0)

    def test_settings_not_committed_are_not_kept(self, storage: Storage) -> None:
        acme = employer()
        add(storage, acme)
        with storage.unit_of_work() as uow:
            uow.employer_settings.save(
                EmployerSettings(employer_id=acme.id, updated_at=T0, no_shows_count=False)
            )
        with storage.unit_of_work() as uow:
            assert uow.employer_settings.get(acme.id) is None

    def test_whether_any_employer_allows_passkeys_alone(self, storage: Storage) -> None:
        acme, other = employer("Acme"), employer("Other")
        add(storage, acme, other)
        with storage.unit_of_work() as uow:
            assert not uow.employer_settings.any_passkey_login()
            uow.employer_settings.save(
                EmployerSettings(employer_id=acme.id, updated_at=T0, passkey_login=False)
            )
            uow.employer_settings.save(
                EmployerSettings(employer_id=other.id, updated_at=T0, no_shows_count=False)
            )
            assert not uow.employer_settings.any_passkey_login()
            uow.employer_settings.save(
                EmployerSettings(employer_id=other.id, updated_at=T0, passkey_login=True)
            )
            assert uow.employer_settings.any_passkey_login()
            assert uow.employer_settings.get(other.id) == EmployerSettings(
                employer_id=other.id, updated_at=T0, passkey_login=True
            )
