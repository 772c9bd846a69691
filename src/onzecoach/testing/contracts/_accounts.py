"""The storage contract of accounts: users, one-time tokens, password history, sessions."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import attrs
import pytest

from onzecoach import Conflict, NotFound, Role
from onzecoach.accounts import AccountStatus, OneTimeToken, SessionRecord, TokenPurpose, User
from onzecoach.ids import new_id
from onzecoach.ports import Storage
from onzecoach.testing.contracts._base import StorageTests
from onzecoach.testing.contracts._builders import (
    AMSTERDAM,
    T0,
    add,
    in_transaction,
    stored_employer,
    stored_user,
)

__all__ = ["AccountTests", "token"]


def user(username: str, employer_id: str | None = None, **changes: Any) -> User:
    base = User(
        id=new_id(),
        username=username,
        email=f"{username.casefold()}@example.nl",
        role=Role.HR if employer_id else Role.SERVICE_DESK,
        employer_id=employer_id,
        status=AccountStatus.INVITED,
        created_at=T0,
    )
    return attrs.evolve(base, **changes)


def token(user_id: str | None, **changes: Any) -> OneTimeToken:
    """A usable invitation token of ``user_id``, valid for three days."""
    base = OneTimeToken(
        id=new_id(),
        purpose=TokenPurpose.INVITATION,
        user_id=user_id,
        token_hash=new_id() + new_id(),
        created_at=T0,
        expires_at=T0 + timedelta(days=3),
    )
    return attrs.evolve(base, **changes)


def session(user_id: str, **changes: Any) -> SessionRecord:
    base = SessionRecord(
        id=new_id(),
        user_id=user_id,
        token_hash=new_id() + new_id(),
        created_at=T0,
        last_seen_at=T0,
        expires_at=T0 + timedelta(hours=12),
    )
    return attrs.evolve(base, **changes)


def found(storage: Storage, item: OneTimeToken) -> OneTimeToken | None:
    with storage.unit_of_work() as uow:
        return uow.tokens.find(item.token_hash, item.purpose)


class AccountTests(StorageTests):
    """``uow.users``, ``uow.tokens``, ``uow.password_history`` and ``uow.sessions``."""

    def test_a_user_round_trips_whole(self, storage: Storage) -> None:
        owner = stored_employer(storage)
        changed_at = datetime(2026, 3, 2, 11, 0, 0, 5, tzinfo=AMSTERDAM)
        full = user(
            "anna.hr",
            owner,
            status=AccountStatus.ACTIVE,
            password_hash="$argon2id$v=19$m=8,t=1,p=1$" + "x" * 60,
            password_changed_at=changed_at,
            created_at=datetime(2026, 3, 1, 8, 0, tzinfo=AMSTERDAM),
        )
        bare = user("service.desk")
        add(storage, full, bare)
        with storage.unit_of_work() as uow:
            assert uow.users.get(full.id) == full
            assert uow.users.get(full.id, for_update=True) == full
            assert uow.users.get(bare.id) == bare
            stored = uow.users.get(full.id)
            assert stored is not None
            assert stored.created_at.utcoffset() == timedelta(0)
            assert stored.password_changed_at == changed_at
            assert uow.users.get(new_id()) is None
            assert uow.users.get(new_id(), for_update=True) is None

    def test_a_username_is_unique_whatever_its_case_or_unicode_form(self, storage: Storage) -> None:
        anna = user("Anna.HR")
        add(storage, anna)
        # The full-width letters are the same name once NFKC-normalised.
        for taken in ("anna.hr", "ANNA.hr", "\uff41\uff4e\uff4e\uff41.hr"):
            with pytest.raises(Conflict):
                add(storage, user(taken))
        with storage.unit_of_work() as uow:
            assert uow.users.by_username("anna.HR") == anna
            assert uow.users.by_username("\uff41\uff4e\uff4e\uff41.\uff28\uff32") == anna
            assert uow.users.by_username("anna") is None
            assert uow.users.by_email(anna.email) == [anna]

    def test_by_email_ignores_case_and_lists_the_oldest_first(self, storage: Storage) -> None:
        newer = user("anna.2", email="Anna@Example.NL", created_at=T0 + timedelta(days=1))
        same_time = sorted(
            (user(f"anna.{n}", email="anna@example.nl") for n in (3, 4)), key=lambda u: u.id
        )
        older = user("anna.1", email="ANNA@example.nl", created_at=T0 - timedelta(days=1))
        add(storage, newer, *same_time, older, user("bram"))
        with storage.unit_of_work() as uow:
            assert uow.users.by_email("anna@EXAMPLE.nl") == [older, *same_time, newer]
            assert uow.users.by_email("cees@example.nl") == []

    def test_for_employer_lists_its_users_by_username(self, storage: Storage) -> None:
        ours, theirs = stored_employer(storage), stored_employer(storage)
        staff = [user(name, ours) for name in ("cees", "Anna", "bram")]
        add(storage, *staff, user("dirk", theirs), user("eva"))
        with storage.unit_of_work() as uow:
            assert [u.username for u in uow.users.for_employer(ours)] == ["Anna", "bram", "cees"]
            assert [u.username for u in uow.users.for_employer(theirs)] == ["dirk"]
            assert uow.users.for_employer(new_id()) == []

    def test_save_stores_the_status_the_address_and_the_password(self, storage: Storage) -> None:
        anna = user("anna")
        add(storage, anna)
        changed = attrs.evolve(
            anna,
            status=AccountStatus.ACTIVE,
            email="Anna.Berg@example.nl",
            password_hash="hash-2",
            password_changed_at=T0 + timedelta(hours=1),
        )
        in_transaction(storage, lambda uow: uow.users.save(changed))
        with storage.unit_of_work() as uow:
            assert uow.users.get(anna.id) == changed
            assert uow.users.by_email("anna.berg@example.nl") == [changed]
            assert uow.users.by_email(anna.email) == []
            with pytest.raises(NotFound):
                uow.users.save(user("nobody"))

    def test_a_token_is_found_by_its_hash_and_purpose(self, storage: Storage) -> None:
        owner = stored_user(storage)
        invitation = token(owner, created_at=datetime(2026, 3, 2, 11, 0, tzinfo=AMSTERDAM))
        reset = token(owner, purpose=TokenPurpose.PASSWORD_RESET, used_at=T0, revoked_at=T0)
        nobodys = token(None, purpose=TokenPurpose.ENROLLMENT)
        add(storage, invitation, reset, nobodys)
        with storage.unit_of_work() as uow:
            assert uow.tokens.find(invitation.token_hash, TokenPurpose.INVITATION) == invitation
            assert uow.tokens.find(reset.token_hash, TokenPurpose.PASSWORD_RESET) == reset
            assert uow.tokens.find(nobodys.token_hash, TokenPurpose.ENROLLMENT) == nobodys
            assert uow.tokens.find(invitation.token_hash, TokenPurpose.PASSWORD_RESET) is None
            assert uow.tokens.find("0" * 64, TokenPurpose.INVITATION) is None
        with pytest.raises(Conflict):
            add(storage, token(owner, token_hash=invitation.token_hash))

    def test_a_token_is_consumed_once_and_only_while_usable(self, storage: Storage) -> None:
        owner = stored_user(storage)
        used, expired, revoked, other = (token(owner) for _ in range(4))
        add(storage, used, expired, attrs.evolve(revoked, revoked_at=T0), other)
        now = T0 + timedelta(hours=1)
        with storage.unit_of_work() as uow:
            assert uow.tokens.consume(used.id, now=now)
            assert not uow.tokens.consume(used.id, now=now)
            assert not uow.tokens.consume(expired.id, now=expired.expires_at)
            assert not uow.tokens.consume(revoked.id, now=now)
            assert not uow.tokens.consume(new_id(), now=now)
            uow.commit()
        assert found(storage, used) == attrs.evolve(used, used_at=now)
        assert found(storage, expired) == expired
        with storage.unit_of_work() as uow:
            assert not uow.tokens.consume(used.id, now=now)
            assert uow.tokens.consume(other.id, now=other.expires_at - timedelta(microseconds=1))

    def test_revoke_for_user_revokes_the_usable_tokens_of_the_purpose(
        self, storage: Storage
    ) -> None:
        owner, someone = stored_user(storage), stored_user(storage)
        usable = [token(owner), token(owner)]
        spent = token(owner, used_at=T0)
        expired = token(owner, expires_at=T0 + timedelta(seconds=30))
        reset = token(owner, purpose=TokenPurpose.PASSWORD_RESET)
        theirs = token(someone)
        add(storage, *usable, spent, expired, reset, theirs)
        now = T0 + timedelta(minutes=1)
        with storage.unit_of_work() as uow:
            assert uow.tokens.revoke_for_user(owner, TokenPurpose.INVITATION, now=now) == 2
            assert uow.tokens.revoke_for_user(owner, TokenPurpose.INVITATION, now=now) == 0
            uow.commit()
        for revoked in usable:
            assert found(storage, revoked) == attrs.evolve(revoked, revoked_at=now)
        for untouched in (spent, expired, reset, theirs):
            assert found(storage, untouched) == untouched

    def test_password_history_is_the_newest_first_up_to_the_limit(self, storage: Storage) -> None:
        owner, someone = stored_user(storage), stored_user(storage)
        with storage.unit_of_work() as uow:
            for n in range(4):
                uow.password_history.add(owner, f"hash-{n}", at=T0 + timedelta(days=n))
            uow.password_history.add(someone, "theirs", at=T0)
            uow.commit()
        with storage.unit_of_work() as uow:
            assert uow.password_history.recent(owner, 3) == ["hash-3", "hash-2", "hash-1"]
            assert uow.password_history.recent(owner, 10) == [f"hash-{n}" for n in (3, 2, 1, 0)]
            assert uow.password_history.recent(owner, 0) == []
            assert uow.password_history.recent(someone, 6) == ["theirs"]
            assert uow.password_history.recent(new_id(), 6) == []

    def test_a_session_is_found_by_its_hash_touched_and_ended_once(self, storage: Storage) -> None:
        owner = stored_user(storage)
        mine = session(owner, created_at=datetime(2026, 3, 2, 10, 0, tzinfo=AMSTERDAM))
        add(storage, mine)
        seen, ended = T0 + timedelta(minutes=5), T0 + timedelta(minutes=9)
        with storage.unit_of_work() as uow:
            assert uow.sessions.find(mine.token_hash) == mine
            assert uow.sessions.find("0" * 64) is None
            uow.sessions.touch(mine.id, at=seen)
            uow.sessions.end(mine.id, at=ended)
            uow.sessions.end(mine.id, at=ended + timedelta(minutes=1))  # stays ended then
            uow.sessions.touch(new_id(), at=seen)
            uow.sessions.end(new_id(), at=seen)
            uow.commit()
        with storage.unit_of_work() as uow:
            assert uow.sessions.find(mine.token_hash) == attrs.evolve(
                mine, last_seen_at=seen, ended_at=ended
            )
        with pytest.raises(Conflict):
            add(storage, session(owner, token_hash=mine.token_hash))

    def test_end_all_ends_the_open_sessions_of_the_user(self, storage: Storage) -> None:
        owner, someone = stored_user(storage), stored_user(storage)
        still_open = [session(owner) for _ in range(3)]
        ended = session(owner, ended_at=T0)
        theirs = session(someone)
        add(storage, *still_open, ended, theirs)
        now = T0 + timedelta(hours=1)
        with storage.unit_of_work() as uow:
            assert uow.sessions.end_all(owner, at=now) == 3
            assert uow.sessions.end_all(owner, at=now) == 0
            uow.commit()
        with storage.unit_of_work() as uow:
            for record in still_open:
                assert uow.sessions.find(record.token_hash) == attrs.evolve(record, ended_at=now)
            assert uow.sessions.find(ended.token_hash) == ended
            assert uow.sessions.find(theirs.token_hash) == theirs
