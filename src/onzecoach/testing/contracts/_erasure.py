"""The storage contract of what an erasure (``portal.privacy``) asks of the repositories:
the list of erased employees, tombstones left out of lists, an appointment's external id
replaced, outbox messages emptied and audit details redacted."""

from __future__ import annotations

from datetime import timedelta

import attrs
import pytest

from onzecoach import NotFound
from onzecoach.audit import REDACTED
from onzecoach.ids import new_id
from onzecoach.notifications import OutboxStatus
from onzecoach.ports import Storage
from onzecoach.privacy import ErasedEmployee
from onzecoach.tasks import TaskStatus
from onzecoach.testing.contracts._audit import audit_entry
from onzecoach.testing.contracts._base import StorageTests
from onzecoach.testing.contracts._builders import (
    T0,
    add,
    appointment,
    refused,
    stored_employee,
    stored_employer,
    task,
    trajectory,
)
from onzecoach.testing.contracts._outbox import SEALED_ATTACHMENTS, claim, message

__all__ = ["ErasureTests"]


class ErasureTests(StorageTests):
    """``uow.erasures``, and what the other repositories do for an erasure."""

    def test_erased_employees_are_listed_by_id_and_keep_their_first_time(
        self, storage: Storage
    ) -> None:
        owner = new_id()
        listed = sorted(
            (ErasedEmployee(employee_id=new_id(), employer_id=owner, erased_at=T0) for _ in "abc"),
            key=lambda e: e.employee_id,
        )
        with storage.unit_of_work() as uow:
            for erased in reversed(listed):
                uow.erasures.add(erased)
            uow.erasures.add(attrs.evolve(listed[0], erased_at=T0 + timedelta(days=1)))
            uow.commit()
        with storage.unit_of_work() as uow:
            assert uow.erasures.get(listed[0].employee_id) == listed[0]
            assert uow.erasures.get(new_id()) is None
            assert uow.erasures.page(after=None, limit=10) == listed
            assert uow.erasures.page(after=listed[0].employee_id, limit=1) == [listed[1]]
            assert uow.erasures.page(after=listed[2].employee_id, limit=10) == []

    def test_an_erased_employee_is_left_out_of_the_employers_list(self, storage: Storage) -> None:
        owner = stored_employer(storage)
        kept = stored_employee(storage, owner)
        gone = stored_employee(storage, owner, employee_number="E-17")
        tombstone = gone.erased(now=T0 + timedelta(days=1))
        with storage.unit_of_work() as uow:
            uow.employees.save(tombstone)
            uow.commit()
        with storage.unit_of_work() as uow:
            assert uow.employees.for_employer(owner) == [kept]
            assert uow.employees.get(gone.id) == tombstone
            assert uow.employees.by_numbers(owner, ["E-17"]) == {}
        # Its number is free again.
        stored_employee(storage, owner, employee_number="E-17")

    def test_an_appointments_external_id_is_replaced(self, storage: Storage) -> None:
        owner = stored_employer(storage)
        journey = trajectory(stored_employee(storage, owner))
        first, second = appointment(journey, "booking-1"), appointment(journey, "booking-2")
        add(storage, journey, first, second)
        with storage.unit_of_work() as uow:
            uow.appointments.replace_external_id(first.id, "erased-1")
            uow.commit()
        with storage.unit_of_work() as uow:
            assert uow.appointments.get(first.id) == attrs.evolve(first, external_id="erased-1")
            assert uow.appointments.by_external_id(owner, "booking-1") is None
            assert uow.appointments.by_external_id(owner, "erased-1") == uow.appointments.get(
                first.id
            )
        taken = refused(
            storage, lambda uow: uow.appointments.replace_external_id(first.id, "booking-2")
        )
        assert taken == "appointment.exists"
        with pytest.raises(NotFound), storage.unit_of_work() as uow:
            uow.appointments.replace_external_id(new_id(), "x")

    def test_every_task_of_an_employee_is_listed_newest_first(self, storage: Storage) -> None:
        owner = stored_employer(storage)
        person = stored_employee(storage, owner)
        journey = trajectory(person)
        older = task(journey, created_at=T0)
        newer = task(journey, created_at=T0 + timedelta(hours=1))
        elsewhere = trajectory(stored_employee(storage, owner))
        add(storage, journey, elsewhere, older, newer, task(elsewhere))
        with storage.unit_of_work() as uow:
            uow.tasks.save(attrs.evolve(older, status=TaskStatus.DONE, completed_at=T0))
            uow.commit()
        with storage.unit_of_work() as uow:
            assert [t.id for t in uow.tasks.for_employee(person.id)] == [newer.id, older.id]
            assert uow.tasks.for_employee(new_id()) == []

    def test_emptied_messages_keep_nothing_of_their_recipient(self, storage: Storage) -> None:
        pending = message(attachments=SEALED_ATTACHMENTS, last_error="550 anna@example.nl")
        sent = message(status=OutboxStatus.SENT, sent_at=T0)
        other = message()
        add(storage, pending, sent, other)
        with storage.unit_of_work() as uow:
            assert uow.outbox.empty([pending.id, sent.id, new_id()]) == 2
            assert uow.outbox.empty([]) == 0
            uow.commit()
        with storage.unit_of_work() as uow:
            emptied = uow.outbox.get(pending.id)
            assert emptied == pending.emptied()
            assert emptied is not None
            assert (emptied.recipient, emptied.subject, emptied.text) == ("", "", "")
            assert (emptied.html, emptied.attachments, emptied.last_error) == (None, None, None)
            assert emptied.status is OutboxStatus.SUPPRESSED
            assert uow.outbox.get(sent.id) == sent.emptied()
            assert sent.emptied().status is OutboxStatus.SENT
            assert uow.outbox.get(other.id) == other
        assert [m.id for m in claim(storage)] == [other.id]

    def test_redact_replaces_the_details_of_one_subjects_entries(self, storage: Storage) -> None:
        erased, kept = new_id(), new_id()
        entries = [audit_entry(erased), audit_entry(kept), audit_entry(erased, action="x.y")]
        add(storage, *entries)
        with storage.unit_of_work() as uow:
            assert uow.audit.redact("employer", [erased], keep=["ok"]) == 2
            assert uow.audit.redact("employee", [erased]) == 0
            assert uow.audit.redact("employer", []) == 0
            uow.commit()
        with storage.unit_of_work() as uow:
            found = uow.audit.for_subject("employer", erased)
            assert [e.action for e in found] == ["employer.created", "x.y"]
            assert [e.at for e in found] == [entries[0].at, entries[2].at]
            assert [dict(e.details) for e in found] == [
                {"name": REDACTED, "nested": {"list": REDACTED}, "ok": True}
            ] * 2
            assert uow.audit.for_subject("employer", kept) == [entries[1]]

    def test_a_redaction_rolled_back_leaves_the_entries(self, storage: Storage) -> None:
        entry = audit_entry(new_id())
        add(storage, entry)
        with storage.unit_of_work() as uow:
            uow.audit.redact("employer", [entry.subject_id])
        with storage.unit_of_work() as uow:
            assert uow.audit.for_subject("employer", entry.subject_id) == [entry]
