"""The storage contract of what retention (``portal.privacy.purge_due``) asks of the
repositories: the facts it decides by, an import's mark, and the bulk clean-ups."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import attrs

from onzecoach.ids import new_id
from onzecoach.notifications import OutboxMessage, OutboxStatus
from onzecoach.ports import Storage
from onzecoach.privacy import RetentionFacts
from onzecoach.testing.contracts._accounts import session, token
from onzecoach.testing.contracts._audit import audit_entry
from onzecoach.testing.contracts._base import StorageTests
from onzecoach.testing.contracts._builders import (
    T0,
    add,
    closed,
    extension_of,
    in_transaction,
    read,
    stored_employee,
    stored_employer,
    stored_user,
    trajectory,
)
from onzecoach.testing.contracts._mfa import webauthn_challenge
from onzecoach.testing.contracts._outbox import SEALED_ATTACHMENTS, message

__all__ = ["RetentionTests"]

DAY = timedelta(days=1)


class RetentionTests(StorageTests):
    """``uow.erasures.retention_facts``, ``uow.employees.mark_named`` and the clean-ups."""

    def test_retention_facts_count_trajectories_and_leave_out_the_erased(
        self, storage: Storage
    ) -> None:
        owner = stored_employer(storage)
        never = stored_employee(storage, owner)
        done = stored_employee(storage, owner)
        running = stored_employee(storage, owner)
        gone = stored_employee(storage, owner)
        first = closed(trajectory(done), closed_at=T0 + 3 * DAY)
        second = closed(trajectory(done, 2), closed_at=T0 + 9 * DAY)
        parent = closed(trajectory(running), closed_at=T0 + 5 * DAY)
        add(storage, first, second, parent, extension_of(parent, 2))
        in_transaction(storage, lambda uow: uow.employees.save(gone.erased(now=T0 + DAY)))
        facts = read(storage, lambda uow: uow.erasures.retention_facts(after=None, limit=10))
        assert facts == sorted(
            [
                RetentionFacts(
                    employee_id=never.id,
                    employer_id=owner,
                    known_since=T0,
                    trajectories=0,
                    open_trajectories=0,
                    last_closed_at=None,
                ),
                RetentionFacts(
                    employee_id=done.id,
                    employer_id=owner,
                    known_since=T0,
                    trajectories=2,
                    open_trajectories=0,
                    last_closed_at=T0 + 9 * DAY,
                ),
                RetentionFacts(
                    employee_id=running.id,
                    employer_id=owner,
                    known_since=T0,
                    trajectories=2,
                    open_trajectories=1,
                    last_closed_at=T0 + 5 * DAY,
                ),
            ],
            key=lambda f: f.employee_id,
        )
        ids = [f.employee_id for f in facts]
        page = read(storage, lambda uow: uow.erasures.retention_facts(after=ids[0], limit=1))
        assert [f.employee_id for f in page] == [ids[1]]
        assert read(storage, lambda uow: uow.erasures.retention_facts(after=ids[2], limit=5)) == []

    def test_mark_named_sets_only_the_time_and_counts_from_the_later(
        self, storage: Storage
    ) -> None:
        owner = stored_employer(storage)
        named = stored_employee(storage, owner)
        other = stored_employee(storage, owner)
        later = T0 + 40 * DAY
        in_transaction(
            storage, lambda uow: uow.employees.mark_named([named.id, new_id()], at=later)
        )
        found = read(storage, lambda uow: uow.employees.get_many([named.id, other.id]))
        assert found == {named.id: attrs.evolve(named, last_named_at=later), other.id: other}
        assert found[named.id].known_since == later
        facts = read(storage, lambda uow: uow.erasures.retention_facts(after=None, limit=10))
        assert {f.employee_id: f.known_since for f in facts} == {named.id: later, other.id: T0}

    def test_audit_entries_before_a_time_are_dropped(self, storage: Storage) -> None:
        owner = new_id()
        old = [audit_entry(owner, action=f"old.{i}", at=T0 - DAY * (i + 1)) for i in range(3)]
        kept = [audit_entry(owner, action="at.limit", at=T0), audit_entry(owner, at=T0 + DAY)]
        add(storage, *old, *kept)
        assert in_transaction(storage, lambda uow: uow.audit.drop_before(T0)) == 3
        assert read(storage, lambda uow: uow.audit.for_subject("employer", owner)) == kept
        assert in_transaction(storage, lambda uow: uow.audit.drop_before(T0)) == 0

    def test_expired_links_are_deleted_used_or_not(self, storage: Storage) -> None:
        user_id = stored_user(storage)
        expired = token(user_id, expires_at=T0 - DAY)
        used = token(user_id, expires_at=T0, used_at=T0 - DAY)
        usable = token(user_id, expires_at=T0 + timedelta(seconds=1))
        used_not_expired = token(user_id, used_at=T0 - DAY)
        add(storage, expired, used, usable, used_not_expired)
        assert in_transaction(storage, lambda uow: uow.tokens.delete_expired(now=T0)) == 2
        with storage.unit_of_work() as uow:
            assert uow.tokens.find(expired.token_hash, expired.purpose) is None
            assert uow.tokens.find(used.token_hash, used.purpose) is None
            assert uow.tokens.find(usable.token_hash, usable.purpose) == usable
        assert (
            read(
                storage,
                lambda uow: uow.tokens.find(used_not_expired.token_hash, used_not_expired.purpose),
            )
            == used_not_expired
        )
        # Its hash is free again.
        add(storage, attrs.evolve(token(user_id), token_hash=expired.token_hash))

    def test_ended_expired_and_idle_sessions_are_deleted(self, storage: Storage) -> None:
        user_id = stored_user(storage)
        idle_since = T0 - timedelta(minutes=30)
        ended = session(user_id, ended_at=T0 - DAY)
        expired = session(user_id, expires_at=T0)
        idle = session(user_id, last_seen_at=idle_since)
        alive = session(user_id, last_seen_at=idle_since + timedelta(seconds=1))
        add(storage, ended, expired, idle, alive)
        deleted = in_transaction(
            storage, lambda uow: uow.sessions.delete_ended(now=T0, idle_since=idle_since)
        )
        assert deleted == 3
        with storage.unit_of_work() as uow:
            assert [uow.sessions.find(s.token_hash) for s in (ended, expired, idle)] == [None] * 3
        assert read(storage, lambda uow: uow.sessions.find(alive.token_hash)) == alive

    def test_spent_and_expired_webauthn_challenges_are_deleted(self, storage: Storage) -> None:
        spent = webauthn_challenge("ref-spent", used_at=T0 - DAY)
        expired = webauthn_challenge("ref-expired", expires_at=T0)
        open_one = webauthn_challenge("ref-open", expires_at=T0 + timedelta(seconds=1))
        add(storage, spent, expired, open_one)
        assert (
            in_transaction(storage, lambda uow: uow.webauthn_challenges.delete_spent(now=T0)) == 2
        )
        assert read(storage, lambda uow: uow.webauthn_challenges.unused("ref-expired")) is None
        assert read(storage, lambda uow: uow.webauthn_challenges.use(spent.id, now=T0)) is False
        assert read(storage, lambda uow: uow.webauthn_challenges.unused("ref-open")) == open_one

    def test_the_bodies_of_messages_sent_before_a_time_are_emptied(self, storage: Storage) -> None:
        def sent(at: datetime, **changes: Any) -> OutboxMessage:
            return message(status=OutboxStatus.SENT, sent_at=at, **changes)

        old = sent(T0 - DAY, attachments=SEALED_ATTACHMENTS)
        old_sms = sent(T0 - DAY, html=None)
        recent = sent(T0)
        pending = message(created_at=T0 - 9 * DAY)
        dead = message(status=OutboxStatus.DEAD, created_at=T0 - 9 * DAY)
        add(storage, old, old_sms, recent, pending, dead)
        emptied = in_transaction(storage, lambda uow: uow.outbox.empty_sent_bodies(sent_before=T0))
        assert emptied == 2
        with storage.unit_of_work() as uow:
            for item in (old, old_sms):
                found = uow.outbox.get(item.id)
                assert found == attrs.evolve(item, text="", html=None, attachments=None)
            for item in (recent, pending, dead):
                assert uow.outbox.get(item.id) == item
        # Done once: nothing is left to empty.
        assert (
            in_transaction(storage, lambda uow: uow.outbox.empty_sent_bodies(sent_before=T0)) == 0
        )

    def test_a_clean_up_rolled_back_leaves_everything(self, storage: Storage) -> None:
        user_id = stored_user(storage)
        link = token(user_id, expires_at=T0 - DAY)
        entry = audit_entry(new_id(), at=T0 - DAY)
        add(storage, link, entry)
        with storage.unit_of_work() as uow:
            assert uow.tokens.delete_expired(now=T0) == 1
            assert uow.audit.drop_before(T0) == 1
        assert read(storage, lambda uow: uow.tokens.find(link.token_hash, link.purpose)) == link
        assert read(storage, lambda uow: uow.audit.for_subject("employer", entry.subject_id)) == [
            entry
        ]
