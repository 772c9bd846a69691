"""The storage contract of the outbox: queued mail and SMS, claimed by the dispatchers."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import attrs
import pytest

from onzecoach import Conflict, NotFound
from onzecoach.ids import new_id
from onzecoach.notifications import Channel, OutboxBacklog, OutboxMessage, OutboxStatus
from onzecoach.ports import Storage
from onzecoach.testing.contracts._base import StorageTests
from onzecoach.testing.contracts._builders import T0, add, in_transaction

__all__ = ["OutboxTests", "message"]

LEASE = T0 + timedelta(minutes=5)
#: What the outbox stores for a mail's attachments: one sealed value (the storage never
#: opens it). Long, as an invitation's sealed ICS is.
SEALED_ATTACHMENTS = "v1.0123abcd." + "QUJD" * 600


def message(*, not_before: datetime = T0, **changes: Any) -> OutboxMessage:
    """A pending mail, due at ``not_before``; its bodies as the outbox seals them."""
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


def claim(storage: Storage, *, now: datetime = T0, lease: datetime = LEASE) -> list[OutboxMessage]:
    return in_transaction(
        storage, lambda uow: uow.outbox.claim_due(now=now, lease_until=lease, limit=10)
    )


class OutboxTests(StorageTests):
    """``uow.outbox``."""

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
        with storage.unit_of_work() as uow:
            claimed = uow.outbox.claim_due(now=T0, lease_until=LEASE, limit=2)
            uow.commit()
        assert [m.id for m in claimed] == [due[1].id, due[2].id]
        assert all(m.status is OutboxStatus.SENDING for m in claimed)
        assert all(m.attempts == 1 and m.locked_until == LEASE for m in claimed)
        with storage.unit_of_work() as uow:
            assert uow.outbox.get(due[1].id) == claimed[0]
            rest = uow.outbox.claim_due(now=T0, lease_until=LEASE, limit=10)
        assert [m.id for m in rest] == [due[0].id]

    def test_a_claimed_message_returns_only_after_its_lease(self, storage: Storage) -> None:
        mail = message()
        add(storage, mail)
        assert len(claim(storage)) == 1
        with storage.unit_of_work() as uow:
            just_before = LEASE - timedelta(seconds=1)
            assert uow.outbox.claim_due(now=just_before, lease_until=LEASE, limit=5) == []
            again = uow.outbox.claim_due(
                now=LEASE, lease_until=LEASE + timedelta(minutes=5), limit=5
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

    def test_saving_a_message_writes_its_state_not_its_bodies(self, storage: Storage) -> None:
        mail = message()
        add(storage, mail)
        changed = attrs.evolve(mail, attempts=3, text="ander", html=None, subject="Ander")
        in_transaction(storage, lambda uow: uow.outbox.save(changed))
        with storage.unit_of_work() as uow:
            assert uow.outbox.get(mail.id) == attrs.evolve(mail, attempts=3)

    def test_finish_stores_the_outcome_while_the_claim_holds(self, storage: Storage) -> None:
        mail = message()
        add(storage, mail)
        [claimed] = claim(storage)
        sent = attrs.evolve(
            claimed, status=OutboxStatus.SENT, sent_at=T0, locked_until=None, text="ander"
        )
        assert in_transaction(storage, lambda uow: uow.outbox.finish(sent, claimed_until=LEASE))
        with storage.unit_of_work() as uow:
            assert uow.outbox.get(mail.id) == attrs.evolve(sent, text=mail.text)
            # Finished is no longer claimed: a second outcome of the same claim is refused.
            assert not uow.outbox.finish(claimed, claimed_until=LEASE)

    def test_finish_records_nothing_once_another_claim_took_over(self, storage: Storage) -> None:
        mail = message()
        add(storage, mail)
        [first] = claim(storage)
        later = LEASE + timedelta(minutes=5)
        [second] = claim(storage, now=LEASE, lease=later)
        dead = attrs.evolve(first, status=OutboxStatus.DEAD, last_error="te laat")
        with storage.unit_of_work() as uow:
            assert not uow.outbox.finish(dead, claimed_until=LEASE)
            assert not uow.outbox.finish(message(), claimed_until=LEASE)  # never stored
            uow.commit()
        with storage.unit_of_work() as uow:
            assert uow.outbox.get(mail.id) == second
            assert not uow.outbox.finish(second, claimed_until=LEASE)  # not this claim

    def test_unsent_page_goes_through_what_is_not_sent_by_id(self, storage: Storage) -> None:
        messages = sorted((message() for _ in range(5)), key=lambda m: m.id)
        add(storage, *messages)
        with storage.unit_of_work() as uow:
            uow.outbox.save(attrs.evolve(messages[1], status=OutboxStatus.SENT, sent_at=T0))
            uow.outbox.save(attrs.evolve(messages[2], status=OutboxStatus.DEAD))
            uow.commit()
        [sending] = in_transaction(
            storage, lambda uow: uow.outbox.claim_due(now=T0, lease_until=LEASE, limit=1)
        )
        unsent = [m.id for m in messages if m.id != messages[1].id]
        assert sending.id in unsent
        with storage.unit_of_work() as uow:
            first = list(uow.outbox.unsent_page(after=None, limit=2))
            rest = list(uow.outbox.unsent_page(after=first[-1].id, limit=10))
            assert list(uow.outbox.unsent_page(after=unsent[-1], limit=10)) == []
            assert [m.id for m in first + rest] == unsent
            assert uow.outbox.get(sending.id) in first + rest

    def test_replace_bodies_only_replaces_what_it_was_told(self, storage: Storage) -> None:
        mail = message()
        add(storage, mail)
        bodies = (mail.text, mail.html, None)
        with storage.unit_of_work() as uow:
            assert not uow.outbox.replace_bodies(
                mail.id, old=("v1.x.y", None, None), new=("a", "b", None)
            )
            assert not uow.outbox.replace_bodies(
                mail.id, old=(mail.text, mail.html, "v1.x.y"), new=("a", "b", None)
            )
            assert not uow.outbox.replace_bodies(new_id(), old=bodies, new=("a", "b", None))
            assert uow.outbox.replace_bodies(mail.id, old=bodies, new=("a", None, None))
            uow.commit()
        with storage.unit_of_work() as uow:
            assert uow.outbox.get(mail.id) == attrs.evolve(mail, text="a", html=None)

    def test_a_messages_attachments_round_trip(self, storage: Storage) -> None:
        mail = message(attachments=SEALED_ATTACHMENTS)
        add(storage, mail)
        with storage.unit_of_work() as uow:
            assert uow.outbox.get(mail.id) == mail
            [listed] = uow.outbox.list(reference=mail.reference)
            assert listed.attachments == SEALED_ATTACHMENTS
            [claimed] = uow.outbox.claim_due(now=T0, lease_until=LEASE, limit=1)
            uow.commit()
        assert claimed.attachments == SEALED_ATTACHMENTS
        with storage.unit_of_work() as uow:
            [unsent] = uow.outbox.unsent_page(after=None, limit=1)
        assert unsent.attachments == SEALED_ATTACHMENTS

    def test_saving_or_finishing_a_message_leaves_its_attachments(self, storage: Storage) -> None:
        mail = message(attachments=SEALED_ATTACHMENTS)
        add(storage, mail)
        [claimed] = claim(storage)
        sent = attrs.evolve(
            claimed, status=OutboxStatus.SENT, sent_at=T0, locked_until=None, attachments=None
        )
        with storage.unit_of_work() as uow:
            uow.outbox.save(attrs.evolve(claimed, attachments="ander"))
            assert uow.outbox.finish(sent, claimed_until=LEASE)
            uow.commit()
        with storage.unit_of_work() as uow:
            assert uow.outbox.get(mail.id) == attrs.evolve(sent, attachments=SEALED_ATTACHMENTS)

    def test_replace_bodies_replaces_the_attachments_only_while_unchanged(
        self, storage: Storage
    ) -> None:
        mail = message(attachments=SEALED_ATTACHMENTS)
        add(storage, mail)
        bodies = (mail.text, mail.html, SEALED_ATTACHMENTS)
        with storage.unit_of_work() as uow:
            # A message without attachments is not the one with them.
            assert not uow.outbox.replace_bodies(
                mail.id, old=(mail.text, mail.html, None), new=("a", "b", "c")
            )
            assert uow.outbox.replace_bodies(mail.id, old=bodies, new=(mail.text, mail.html, "c"))
            # The first replacement changed the attachments: the same old values no longer fit.
            assert not uow.outbox.replace_bodies(mail.id, old=bodies, new=("a", "b", "d"))
            uow.commit()
        with storage.unit_of_work() as uow:
            assert uow.outbox.get(mail.id) == attrs.evolve(mail, attachments="c")

    def test_the_backlog_counts_what_waits_and_since_when(self, storage: Storage) -> None:
        with storage.unit_of_work() as uow:
            assert uow.outbox.backlog(now=T0) == OutboxBacklog(pending=0, due=0, sending=0)
        earliest = T0 - timedelta(hours=2, microseconds=7)
        waiting = [
            message(not_before=earliest),
            message(not_before=T0 - timedelta(minutes=1)),
            message(not_before=T0),  # due exactly now
            message(not_before=T0 + timedelta(minutes=1)),  # not yet
        ]
        done = [
            message(not_before=earliest - timedelta(days=1), status=OutboxStatus.SENT),
            message(not_before=earliest - timedelta(days=1), status=OutboxStatus.DEAD),
            message(not_before=earliest - timedelta(days=1), status=OutboxStatus.SUPPRESSED),
        ]
        add(storage, *waiting, *done)
        with storage.unit_of_work() as uow:
            assert uow.outbox.backlog(now=T0) == OutboxBacklog(
                pending=4, due=3, sending=0, oldest_due_at=earliest
            )
        claimed = claim(storage, now=T0)
        assert len(claimed) == 3
        with storage.unit_of_work() as uow:
            backlog = uow.outbox.backlog(now=T0)
        assert backlog == OutboxBacklog(pending=1, due=0, sending=3)
        with storage.unit_of_work() as uow:
            later = uow.outbox.backlog(now=T0 + timedelta(minutes=1))
        assert later.due == 1
        assert later.oldest_due_at == T0 + timedelta(minutes=1)
        assert later.oldest_due_at is not None
        assert later.oldest_due_at.utcoffset() == timedelta(0)
