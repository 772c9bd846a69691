"""The storage contract: every adapter (memory, SQLite, PostgreSQL) behaves the same."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import attrs
import pytest

from onzecoach import Conflict, NotFound, Role
from onzecoach.audit import AuditEntry
from onzecoach.employers import Department, Employer
from onzecoach.ids import new_id
from onzecoach.notifications import Channel, OutboxMessage, OutboxStatus
from onzecoach.ports import Storage

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def employer(name: str = "Acme B.V.") -> Employer:
    return Employer(id=new_id(), name=name, created_at=T0)


def message(*, not_before: datetime = T0, **changes: Any) -> OutboxMessage:
    base = OutboxMessage(
        id=new_id(),
        channel=Channel.EMAIL,
        recipient="anna@example.nl",
        subject="Onderwerp",
        text="Tekst met een link https://portaal.example.nl/x/abc",
        html="<p>Tekst</p>",
        created_at=T0,
        not_before=not_before,
        kind="test",
        reference=new_id(),
        employer_id=None,
        message_id="<1@example.nl>",
    )
    return attrs.evolve(base, **changes)


def add(storage: Storage, *items: object) -> None:
    with storage.unit_of_work() as uow:
        for item in items:
            if isinstance(item, Employer):
                uow.employers.add(item)
            elif isinstance(item, Department):
                uow.departments.add(item)
            elif isinstance(item, OutboxMessage):
                uow.outbox.add(item)
            elif isinstance(item, AuditEntry):
                uow.audit.append(item)
            else:
                raise TypeError(item)
        uow.commit()


class TestUnitOfWork:
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
            uow.audit.append(audit(acme.id))
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


class TestEmployers:
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
        amsterdam = timezone(timedelta(hours=1))
        acme = attrs.evolve(employer(), created_at=datetime(2026, 1, 5, 10, 0, tzinfo=amsterdam))
        add(storage, acme)
        with storage.unit_of_work() as uow:
            stored = uow.employers.get(acme.id)
        assert stored is not None
        assert stored.created_at == acme.created_at
        assert stored.created_at.utcoffset() == timedelta(0)


class TestDepartments:
    def test_belong_to_their_employer_sorted_by_name(self, storage: Storage) -> None:
        acme, other = employer("Acme"), employer("Other")
        add(storage, acme, other)
        sales = Department(id=new_id(), employer_id=acme.id, name="Verkoop", created_at=T0)
        admin = Department(id=new_id(), employer_id=acme.id, name="administratie", created_at=T0)
        elsewhere = Department(id=new_id(), employer_id=other.id, name="Verkoop", created_at=T0)
        add(storage, sales, admin, elsewhere)
        with storage.unit_of_work() as uow:
            assert uow.departments.for_employer(acme.id) == [admin, sales]
            assert uow.departments.get(elsewhere.id) == elsewhere
            assert uow.departments.for_employer(new_id()) == []

    def test_name_is_unique_within_the_employer(self, storage: Storage) -> None:
        acme = employer()
        add(storage, acme)
        add(storage, Department(id=new_id(), employer_id=acme.id, name="HR", created_at=T0))
        with pytest.raises(Conflict, match="afdeling"):
            add(storage, Department(id=new_id(), employer_id=acme.id, name="hr", created_at=T0))


def audit(employer_id: str, *, action: str = "employer.created", at: datetime = T0) -> AuditEntry:
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


class TestAudit:
    def test_entries_round_trip_with_their_details(self, storage: Storage) -> None:
        entry = audit(new_id())
        add(storage, entry)
        with storage.unit_of_work() as uow:
            assert uow.audit.for_subject("employer", entry.subject_id) == [entry]

    def test_orders(self, storage: Storage) -> None:
        employer_id = new_id()
        entries = [audit(employer_id, action=f"step.{i}", at=T0 + timedelta(i)) for i in range(5)]
        add(storage, *entries)
        with storage.unit_of_work() as uow:
            assert uow.audit.for_subject("employer", employer_id) == entries
            assert uow.audit.for_employer(employer_id, limit=3) == entries[::-1][:3]

    def test_append_many_appends_each_in_order(self, storage: Storage) -> None:
        employer_id = new_id()
        first = audit(employer_id, action="step.0")
        entries = [audit(employer_id, action=f"step.{i}", at=T0 + timedelta(i)) for i in (1, 2, 3)]
        with storage.unit_of_work() as uow:
            uow.audit.append(first)
            uow.audit.append_many(entries)
            uow.audit.append_many([])
            uow.commit()
        with storage.unit_of_work() as uow:
            assert uow.audit.for_subject("employer", employer_id) == [first, *entries]


class TestOutbox:
    def test_a_message_round_trips_whole(self, storage: Storage) -> None:
        mail = message(html=None, employer_id=new_id(), reference=None, message_id=None)
        sms = message(channel=Channel.SMS, subject="", html=None, recipient="+31612345678")
        add(storage, mail, sms)
        with storage.unit_of_work() as uow:
            assert uow.outbox.get(mail.id) == mail
            assert uow.outbox.get(sms.id) == sms
            assert uow.outbox.get(new_id()) is None

    def test_claim_takes_due_messages_in_order_up_to_the_limit(self, storage: Storage) -> None:
        later = message(not_before=T0 + timedelta(minutes=5))
        due = [message(not_before=T0 - timedelta(minutes=m)) for m in (1, 3, 2)]
        add(storage, later, *due)
        lease = T0 + timedelta(minutes=5)
        with storage.unit_of_work() as uow:
            claimed = uow.outbox.claim_due(now=T0, lease_until=lease, limit=2)
            uow.commit()
        assert [m.id for m in claimed] == [due[1].id, due[2].id]
        assert all(m.status is OutboxStatus.SENDING for m in claimed)
        assert all(m.attempts == 1 and m.locked_until == lease for m in claimed)
        with storage.unit_of_work() as uow:
            assert uow.outbox.get(due[1].id) == claimed[0]
            rest = uow.outbox.claim_due(now=T0, lease_until=lease, limit=10)
        assert [m.id for m in rest] == [due[0].id]

    def test_a_claimed_message_returns_only_after_its_lease(self, storage: Storage) -> None:
        mail = message()
        add(storage, mail)
        lease = T0 + timedelta(minutes=5)
        with storage.unit_of_work() as uow:
            assert len(uow.outbox.claim_due(now=T0, lease_until=lease, limit=5)) == 1
            uow.commit()
        with storage.unit_of_work() as uow:
            just_before = lease - timedelta(seconds=1)
            assert uow.outbox.claim_due(now=just_before, lease_until=lease, limit=5) == []
            again = uow.outbox.claim_due(
                now=lease, lease_until=lease + timedelta(minutes=5), limit=5
            )
            uow.commit()
        assert [(m.id, m.attempts) for m in again] == [(mail.id, 2)]

    @pytest.mark.parametrize("status", [OutboxStatus.SENT, OutboxStatus.DEAD])
    def test_sent_and_dead_messages_are_never_claimed(
        self, storage: Storage, status: OutboxStatus
    ) -> None:
        mail = message()
        add(storage, mail)
        with storage.unit_of_work() as uow:
            uow.outbox.save(attrs.evolve(mail, status=status, sent_at=T0, last_error="x"))
            uow.commit()
        with storage.unit_of_work() as uow:
            far = T0 + timedelta(days=365)
            assert uow.outbox.claim_due(now=far, lease_until=far, limit=5) == []
            assert uow.outbox.get(mail.id) == attrs.evolve(
                mail, status=status, sent_at=T0, last_error="x"
            )

    def test_list_filters_newest_first(self, storage: Storage) -> None:
        reference = new_id()
        first = message(reference=reference, kind="invitation")
        second = message(reference=reference, kind="invitation", created_at=T0 + timedelta(1))
        other = message(kind="reminder")
        add(storage, first, second, other)
        with storage.unit_of_work() as uow:
            assert uow.outbox.list(reference=reference) == [second, first]
            assert uow.outbox.list(kind="reminder") == [other]
            assert uow.outbox.list(status=OutboxStatus.SENT) == []
            assert len(uow.outbox.list(status=OutboxStatus.PENDING, limit=2)) == 2

    def test_saving_an_unknown_message_is_not_found(self, storage: Storage) -> None:
        with storage.unit_of_work() as uow, pytest.raises(NotFound):
            uow.outbox.save(message())

    def test_the_same_id_twice_conflicts(self, storage: Storage) -> None:
        mail = message()
        add(storage, mail)
        with pytest.raises(Conflict):
            add(storage, mail)
