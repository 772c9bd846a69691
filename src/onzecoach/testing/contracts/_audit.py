"""The storage contract of the audit trail."""

from __future__ import annotations

from datetime import datetime, timedelta

from onzecoach import Role
from onzecoach.audit import AuditEntry
from onzecoach.ids import new_id
from onzecoach.ports import Storage
from onzecoach.testing.contracts._base import StorageTests
from onzecoach.testing.contracts._builders import T0, add

__all__ = ["AuditTests", "audit_entry"]


def audit_entry(
    employer_id: str, *, action: str = "employer.created", at: datetime = T0
) -> AuditEntry:
    """An entry about the employer, whose details nest and hold text beyond ASCII."""
    return AuditEntry(
        at=at,
        actor_id=None,
        actor_role=Role.SERVICE_DESK,
        action=action,
        employer_id=employer_id,
        subject_type="employer",
        subject_id=employer_id,
        details={"name": "Café Ødegaard", "nested": {"list": [1, 2, None]}, "ok": True},
    )


class AuditTests(StorageTests):
    """``uow.audit``."""

    def test_entries_round_trip_with_their_details(self, storage: Storage) -> None:
        entry = audit_entry(new_id())
        add(storage, entry)
        with storage.unit_of_work() as uow:
            assert uow.audit.for_subject("employer", entry.subject_id) == [entry]

    def test_orders(self, storage: Storage) -> None:
        employer_id = new_id()
        entries = [
            audit_entry(employer_id, action=f"step.{i}", at=T0 + timedelta(i)) for i in range(5)
        ]
        add(storage, *entries)
        with storage.unit_of_work() as uow:
            assert uow.audit.for_subject("employer", employer_id) == entries
            assert uow.audit.for_employer(employer_id, limit=3) == entries[::-1][:3]

    def test_append_many_appends_each_in_order(self, storage: Storage) -> None:
        employer_id = new_id()
        first = audit_entry(employer_id, action="step.0")
        entries = [
            audit_entry(employer_id, action=f"step.{i}", at=T0 + timedelta(i)) for i in (1, 2, 3)
        ]
        with storage.unit_of_work() as uow:
            uow.audit.append(first)
            uow.audit.append_many(entries)
            uow.audit.append_many([])
            uow.commit()
        with storage.unit_of_work() as uow:
            assert uow.audit.for_subject("employer", employer_id) == [first, *entries]
