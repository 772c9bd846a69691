"""The storage contract of transactions: all of a unit of work, or none of it."""

from __future__ import annotations

import threading
from datetime import timedelta

import attrs
import pytest

from onzecoach.ids import new_id
from onzecoach.mfa import FactorKind
from onzecoach.ports import Storage
from onzecoach.tasks import TaskStatus
from onzecoach.testing.contracts._audit import audit_entry
from onzecoach.testing.contracts._base import StorageTests
from onzecoach.testing.contracts._builders import (
    T0,
    add,
    appointment,
    closed,
    employee,
    in_transaction,
    stored_employee,
    stored_employer,
    stored_user,
    task,
    trajectory,
)
from onzecoach.testing.contracts._employers import employer
from onzecoach.testing.contracts._mfa import backup_code, challenge, factor, sms_code
from onzecoach.testing.contracts._outbox import message
from onzecoach.testing.contracts._throttling import WINDOW
from onzecoach.throttling import ThrottleState
from onzecoach.trajectories import AppointmentStatus

__all__ = ["TransactionTests"]


class TransactionTests(StorageTests):
    """``commit``, ``rollback`` and leaving a unit of work without either, over every repository."""

    def test_commit_keeps_every_write(self, storage: Storage) -> None:
        acme, mail = employer(), message()
        add(storage, acme, mail)
        with storage.unit_of_work() as uow:
            assert uow.employers.get(acme.id) == acme
            assert uow.outbox.get(mail.id) == mail

    def test_leaving_without_commit_rolls_back_every_write(self, storage: Storage) -> None:
        acme, mail = employer(), message()
        with storage.unit_of_work() as uow:
            uow.employers.add(acme)
            uow.outbox.add(mail)
            uow.audit.append(audit_entry(acme.id))
            assert uow.employers.get(acme.id) == acme  # visible inside the transaction
        with storage.unit_of_work() as uow:
            assert uow.employers.get(acme.id) is None
            assert uow.outbox.get(mail.id) is None
            assert uow.audit.for_employer(acme.id) == []

    def test_an_exception_rolls_back(self, storage: Storage) -> None:
        acme = employer()

        def fail_midway() -> None:
            with storage.unit_of_work() as uow:
                uow.employers.add(acme)
                raise RuntimeError("midway")

        with pytest.raises(RuntimeError, match="midway"):
            fail_midway()
        with storage.unit_of_work() as uow:
            assert uow.employers.list() == []

    def test_explicit_rollback_discards_and_the_block_goes_on(self, storage: Storage) -> None:
        first, second = employer("Eerste"), employer("Tweede")
        with storage.unit_of_work() as uow:
            uow.employers.add(first)
            uow.rollback()
            uow.employers.add(second)
            uow.commit()
        with storage.unit_of_work() as uow:
            assert [e.name for e in uow.employers.list()] == ["Tweede"]

    def test_concurrent_writers_all_land(self, storage: Storage) -> None:
        names = [f"Werkgever {i:02d}" for i in range(24)]
        errors: list[BaseException] = []

        def write(chunk: list[str]) -> None:
            try:
                for name in chunk:
                    add(storage, employer(name))
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=write, args=(names[i::4],)) for i in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        with storage.unit_of_work() as uow:
            assert [e.name for e in uow.employers.list()] == names

    def test_leaving_without_commit_discards_every_coaching_write(self, storage: Storage) -> None:
        owner = stored_employer(storage)
        person = stored_employee(storage, owner, employee_number="1")
        journey = trajectory(person)
        made = appointment(journey, "booking-1")
        asked = task(journey)
        add(storage, journey, made, asked)

        newcomer = employee(owner, employee_number="2")
        with storage.unit_of_work() as uow:
            uow.employees.add(newcomer)
            uow.employees.save(attrs.evolve(person, employee_number="3", last_name="Anders"))
            uow.trajectories.save(closed(journey))
            uow.trajectories.add(trajectory(person, 2))
            uow.appointments.save(attrs.evolve(made, status=AppointmentStatus.CANCELLED))
            uow.appointments.add(appointment(journey, "booking-2"))
            uow.tasks.save(attrs.evolve(asked, status=TaskStatus.DONE))
            uow.tasks.add(task(journey))
            assert uow.employees.get(newcomer.id) == newcomer  # visible inside

        with storage.unit_of_work() as uow:
            assert uow.employees.get(newcomer.id) is None
            assert uow.employees.for_employer(owner) == [person]
            assert uow.trajectories.for_employee(person.id) == [journey]
            assert uow.trajectories.open_for_employee(person.id) == [journey]
            assert uow.appointments.for_trajectory(journey.id) == [made]
            assert uow.appointments.by_external_id(owner, "booking-2") is None
            assert uow.tasks.open_for_employee(person.id) == [asked]
        # The rolled-back number and trajectory number are free again.
        add(storage, employee(owner, employee_number="3"), closed(trajectory(person, 2)))

    def test_explicit_rollback_discards_a_trajectory_and_the_unit_goes_on(
        self, storage: Storage
    ) -> None:
        person = stored_employee(storage)
        journey = trajectory(person)
        with storage.unit_of_work() as uow:
            uow.trajectories.add(journey)
            uow.rollback()
            assert uow.trajectories.get(journey.id) is None
            uow.trajectories.add(journey)
            uow.commit()
        with storage.unit_of_work() as uow:
            assert uow.trajectories.open_for_employee(person.id) == [journey]

    def test_leaving_without_commit_discards_every_mfa_write(self, storage: Storage) -> None:
        owner = stored_user(storage)
        kept_factor = factor(owner, last_step=5)
        kept_code = backup_code(owner, "a" * 64)
        kept_sms = sms_code(owner, new_id())
        kept_challenge = challenge(owner)
        with storage.unit_of_work() as uow:
            uow.factors.add(kept_factor)
            uow.backup_codes.replace(owner, [kept_code])
            uow.sms_codes.add(kept_sms)
            uow.challenges.add(kept_challenge)
            uow.throttles.record_failure("user:x", now=T0, window=WINDOW)
            uow.commit()

        new_factor = factor(owner, FactorKind.YUBIKEY, public_id="cccccbdefghi")
        new_challenge = challenge(owner)
        with storage.unit_of_work() as uow:
            uow.factors.add(new_factor)
            assert uow.factors.advance_step(kept_factor.id, 6)
            uow.factors.save(attrs.evolve(kept_factor, confirmed_at=T0))
            uow.backup_codes.replace(owner, [backup_code(owner, "b" * 64)])
            uow.sms_codes.add(sms_code(owner, kept_sms.ref, created_at=T0 + timedelta(1)))
            assert uow.sms_codes.record_try(kept_sms.id) == 1
            assert uow.sms_codes.use(kept_sms.id, now=T0)
            uow.challenges.add(new_challenge)
            assert uow.challenges.consume(kept_challenge.id, now=T0)
            uow.throttles.record_failure("user:x", now=T0, window=WINDOW)
            uow.throttles.record_failure("user:y", now=T0, window=WINDOW)
            assert uow.factors.get(new_factor.id) == new_factor  # visible inside

        with storage.unit_of_work() as uow:
            assert uow.factors.for_user(owner) == [kept_factor]
            assert uow.factors.by_public_id("cccccbdefghi") is None
            assert uow.backup_codes.find_unused(owner, "a" * 64) == kept_code
            assert uow.backup_codes.count_unused(owner) == 1
            assert uow.sms_codes.latest(kept_sms.ref) == kept_sms
            assert uow.challenges.find(kept_challenge.token_hash) == kept_challenge
            assert uow.challenges.find(new_challenge.token_hash) is None
            assert uow.throttles.get("user:x") == ThrottleState("user:x", 1, T0, T0, 1)
            assert uow.throttles.get("user:y") is None

    def test_explicit_rollback_undoes_the_atomic_operations(self, storage: Storage) -> None:
        owner = stored_user(storage)
        totp, code = factor(owner), backup_code(owner, "a" * 64)
        add(storage, totp)
        in_transaction(storage, lambda uow: uow.backup_codes.replace(owner, [code]))
        with storage.unit_of_work() as uow:
            assert uow.factors.advance_step(totp.id, 7)
            assert uow.backup_codes.use(code.id, now=T0)
            uow.rollback()
            assert uow.factors.advance_step(totp.id, 7)
            assert uow.backup_codes.use(code.id, now=T0)
            uow.commit()
        with storage.unit_of_work() as uow:
            assert not uow.factors.advance_step(totp.id, 7)
            assert not uow.backup_codes.use(code.id, now=T0)
