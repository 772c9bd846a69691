"""The storage contract of second factors, on every storage (memory, SQLite, PostgreSQL)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, TypeVar

import attrs
import pytest

from onzecoach import Conflict, NotFound, Role
from onzecoach.accounts._model import AccountStatus, User
from onzecoach.ids import new_id
from onzecoach.mfa._model import (
    BackupCode,
    Factor,
    FactorKind,
    LoginChallengeRecord,
    Method,
    SmsCode,
    ThrottleState,
)
from onzecoach.ports import Storage, UnitOfWork
from support import race

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
AMSTERDAM = timezone(timedelta(hours=1))
WINDOW = timedelta(hours=1)

R = TypeVar("R")


def user(storage: Storage) -> str:
    """A stored user (every MFA row refers to one); return its id."""
    user_id = new_id()
    with storage.unit_of_work() as uow:
        uow.users.add(
            User(
                id=user_id,
                username=f"hr.{user_id[-12:]}",
                email=f"{user_id[-12:]}@example.nl",
                role=Role.HR,
                employer_id=None,
                status=AccountStatus.ENROLLING,
                created_at=T0,
            )
        )
        uow.commit()
    return user_id


def factor(user_id: str, kind: FactorKind = FactorKind.TOTP, **changes: Any) -> Factor:
    return attrs.evolve(Factor(id=new_id(), user_id=user_id, kind=kind, created_at=T0), **changes)


def backup_code(user_id: str, code_hash: str, **changes: Any) -> BackupCode:
    base = BackupCode(id=new_id(), user_id=user_id, code_hash=code_hash, created_at=T0)
    return attrs.evolve(base, **changes)


def challenge(user_id: str, **changes: Any) -> LoginChallengeRecord:
    base = LoginChallengeRecord(
        id=new_id(),
        user_id=user_id,
        token_hash=new_id() + new_id(),
        methods=(Method.TOTP, Method.BACKUP_CODE),
        created_at=T0,
        expires_at=T0 + timedelta(minutes=5),
        ip="192.0.2.7",
    )
    return attrs.evolve(base, **changes)


def sms_code(user_id: str, ref: str, **changes: Any) -> SmsCode:
    base = SmsCode(
        id=new_id(),
        user_id=user_id,
        ref=ref,
        code_hash="c" * 64,
        created_at=T0,
        expires_at=T0 + timedelta(minutes=10),
    )
    return attrs.evolve(base, **changes)


def add(storage: Storage, *items: object) -> None:
    with storage.unit_of_work() as uow:
        for item in items:
            if isinstance(item, Factor):
                uow.factors.add(item)
            elif isinstance(item, LoginChallengeRecord):
                uow.challenges.add(item)
            elif isinstance(item, SmsCode):
                uow.sms_codes.add(item)
            else:
                raise TypeError(item)
        uow.commit()


def in_transaction(storage: Storage, action: Callable[[UnitOfWork], R]) -> R:
    """Run ``action`` in a committed unit of work; return what it returned."""
    with storage.unit_of_work() as uow:
        result = action(uow)
        uow.commit()
    return result


class TestFactors:
    def test_every_kind_round_trips_whole(self, storage: Storage) -> None:
        owner = user(storage)
        sms = factor(
            owner,
            FactorKind.SMS,
            phone="+31612345678",
            confirmed_at=datetime(2026, 3, 2, 11, 0, tzinfo=AMSTERDAM),
        )
        totp = factor(owner, secret_sealed="sealed:" + "x" * 300, last_step=2**40 + 7)
        yubikey = factor(
            owner, FactorKind.YUBIKEY, public_id="cccccbdefghi", confirmed_at=T0, last_step=0
        )
        bare = factor(owner)
        add(storage, sms, totp, yubikey, bare)
        with storage.unit_of_work() as uow:
            for expected in (sms, totp, yubikey, bare):
                stored = uow.factors.get(expected.id)
                assert stored == expected
                assert stored.created_at.utcoffset() == timedelta(0)
            stored_sms = uow.factors.get(sms.id)
            assert stored_sms is not None
            assert stored_sms.confirmed_at is not None
            assert stored_sms.confirmed_at.utcoffset() == timedelta(0)
            assert uow.factors.get(new_id()) is None

    def test_for_user_lists_only_the_users_factors_oldest_first(self, storage: Storage) -> None:
        owner, other = user(storage), user(storage)
        newest = factor(owner, created_at=T0 + timedelta(minutes=2))
        same_time = sorted(
            (factor(owner, FactorKind.SMS, phone=f"+3161234567{n}") for n in range(3)),
            key=lambda f: f.id,
        )
        oldest = factor(owner, created_at=T0 - timedelta(days=1))
        add(storage, newest, *same_time, oldest, factor(other))
        with storage.unit_of_work() as uow:
            assert uow.factors.for_user(owner) == [oldest, *same_time, newest]
            assert uow.factors.for_user(new_id()) == []

    def test_by_public_id_finds_the_bound_yubikey(self, storage: Storage) -> None:
        owner = user(storage)
        yubikey = factor(owner, FactorKind.YUBIKEY, public_id="cccccbdefghi")
        add(storage, yubikey, factor(owner), factor(owner))
        with storage.unit_of_work() as uow:
            assert uow.factors.by_public_id("cccccbdefghi") == yubikey
            assert uow.factors.by_public_id("cccccbdefghj") is None

    def test_a_yubikey_binds_to_one_account_only(self, storage: Storage) -> None:
        first, second = user(storage), user(storage)
        add(storage, factor(first, FactorKind.YUBIKEY, public_id="cccccbdefghi"))
        with pytest.raises(Conflict, match="Deze YubiKey is al aan een account gekoppeld"):
            add(storage, factor(second, FactorKind.YUBIKEY, public_id="cccccbdefghi"))
        with storage.unit_of_work() as uow:
            assert uow.factors.for_user(second) == []

    def test_many_factors_go_without_a_public_id(self, storage: Storage) -> None:
        owners = [user(storage) for _ in range(2)]
        add(storage, *(factor(owner) for owner in owners for _ in range(2)))
        with storage.unit_of_work() as uow:
            assert [len(uow.factors.for_user(owner)) for owner in owners] == [2, 2]

    def test_save_stores_the_changed_state(self, storage: Storage) -> None:
        owner = user(storage)
        sms = factor(owner, FactorKind.SMS, phone="+31612345678")
        totp = factor(owner, secret_sealed="old")
        add(storage, sms, totp)
        confirmed_sms = attrs.evolve(sms, phone="+32470123456", confirmed_at=T0)
        confirmed_totp = attrs.evolve(totp, secret_sealed="new", confirmed_at=T0)
        with storage.unit_of_work() as uow:
            uow.factors.save(confirmed_sms)
            uow.factors.save(confirmed_totp)
            uow.commit()
        with storage.unit_of_work() as uow:
            assert uow.factors.get(sms.id) == confirmed_sms
            assert uow.factors.get(totp.id) == confirmed_totp
        unconfirmed = attrs.evolve(confirmed_sms, confirmed_at=None, phone=None)
        in_transaction(storage, lambda uow: uow.factors.save(unconfirmed))
        with storage.unit_of_work() as uow:
            assert uow.factors.get(sms.id) == unconfirmed

    def test_saving_an_unknown_factor_is_not_found(self, storage: Storage) -> None:
        owner = user(storage)
        with storage.unit_of_work() as uow, pytest.raises(NotFound):
            uow.factors.save(factor(owner))

    def test_saving_a_factor_read_before_a_login_keeps_the_accepted_step(
        self, storage: Storage
    ) -> None:
        owner = user(storage)
        totp = factor(owner, secret_sealed="s", last_step=10)
        add(storage, totp)
        assert in_transaction(storage, lambda uow: uow.factors.advance_step(totp.id, 11))
        # ``totp`` still says last_step=10: saving it must not let step 11 work again.
        in_transaction(storage, lambda uow: uow.factors.save(attrs.evolve(totp, confirmed_at=T0)))
        with storage.unit_of_work() as uow:
            stored = uow.factors.get(totp.id)
            assert stored is not None
            assert stored.last_step == 11
            assert stored.confirmed_at == T0
            assert not uow.factors.advance_step(totp.id, 11)

    def test_advance_step_accepts_only_a_later_step(self, storage: Storage) -> None:
        owner = user(storage)
        totp, other = factor(owner), factor(owner)
        add(storage, totp, other)
        with storage.unit_of_work() as uow:
            assert uow.factors.advance_step(totp.id, 100)
            assert not uow.factors.advance_step(totp.id, 100)
            assert not uow.factors.advance_step(totp.id, 99)
            assert uow.factors.advance_step(totp.id, 101)
            assert not uow.factors.advance_step(new_id(), 1)
            uow.commit()
        with storage.unit_of_work() as uow:
            assert uow.factors.get(totp.id) == attrs.evolve(totp, last_step=101)
            assert uow.factors.get(other.id) == other
            assert not uow.factors.advance_step(totp.id, 101)
            assert uow.factors.advance_step(other.id, 0)

    def test_delete_removes_one_factor_and_delete_for_user_all(self, storage: Storage) -> None:
        owner, other = user(storage), user(storage)
        first, second, third = factor(owner), factor(owner), factor(owner)
        kept = factor(other)
        add(storage, first, second, third, kept)
        with storage.unit_of_work() as uow:
            uow.factors.delete(first.id)
            uow.factors.delete(new_id())
            assert uow.factors.get(first.id) is None
            assert uow.factors.for_user(owner) == sorted([second, third], key=lambda f: f.id)
            assert uow.factors.delete_for_user(owner) == 2
            assert uow.factors.delete_for_user(owner) == 0
            uow.commit()
        with storage.unit_of_work() as uow:
            assert uow.factors.for_user(owner) == []
            assert uow.factors.for_user(other) == [kept]

    def test_a_deleted_yubikey_can_be_bound_again(self, storage: Storage) -> None:
        first, second = user(storage), user(storage)
        yubikey = factor(first, FactorKind.YUBIKEY, public_id="cccccbdefghi")
        add(storage, yubikey)
        in_transaction(storage, lambda uow: uow.factors.delete(yubikey.id))
        again = factor(second, FactorKind.YUBIKEY, public_id="cccccbdefghi")
        add(storage, again)
        with storage.unit_of_work() as uow:
            assert uow.factors.by_public_id("cccccbdefghi") == again


class TestBackupCodes:
    def test_replace_stores_the_codes_whole(self, storage: Storage) -> None:
        owner = user(storage)
        fresh = backup_code(owner, "a" * 64, created_at=datetime(2026, 3, 2, 11, tzinfo=AMSTERDAM))
        spent = backup_code(owner, "b" * 64, used_at=datetime(2026, 3, 3, 8, tzinfo=AMSTERDAM))
        in_transaction(storage, lambda uow: uow.backup_codes.replace(owner, [fresh, spent]))
        with storage.unit_of_work() as uow:
            stored = uow.backup_codes.find_unused(owner, "a" * 64)
            assert stored == fresh
            assert stored.created_at.utcoffset() == timedelta(0)
            assert uow.backup_codes.find_unused(owner, "b" * 64) is None
            assert uow.backup_codes.count_unused(owner) == 1

    def test_replace_drops_the_old_codes_used_or_not(self, storage: Storage) -> None:
        owner, other = user(storage), user(storage)
        old = [backup_code(owner, f"{n}" * 64) for n in range(3)]
        theirs = backup_code(other, "0" * 64)
        with storage.unit_of_work() as uow:
            uow.backup_codes.replace(owner, old)
            uow.backup_codes.replace(other, [theirs])
            assert uow.backup_codes.use(old[0].id, now=T0)
            uow.commit()
        new = [backup_code(owner, f"{n}" * 64) for n in range(5, 9)]
        in_transaction(storage, lambda uow: uow.backup_codes.replace(owner, new))
        with storage.unit_of_work() as uow:
            assert uow.backup_codes.count_unused(owner) == 4
            assert uow.backup_codes.find_unused(owner, "1" * 64) is None
            assert uow.backup_codes.find_unused(owner, "5" * 64) == new[0]
            assert not uow.backup_codes.use(old[1].id, now=T0)
            assert uow.backup_codes.find_unused(other, "0" * 64) == theirs
        in_transaction(storage, lambda uow: uow.backup_codes.replace(owner, []))
        with storage.unit_of_work() as uow:
            assert uow.backup_codes.count_unused(owner) == 0
            assert uow.backup_codes.count_unused(other) == 1

    def test_find_unused_matches_the_user_and_the_hash(self, storage: Storage) -> None:
        owner, other = user(storage), user(storage)
        code = backup_code(owner, "a" * 64)
        in_transaction(storage, lambda uow: uow.backup_codes.replace(owner, [code]))
        with storage.unit_of_work() as uow:
            assert uow.backup_codes.find_unused(owner, "a" * 64) == code
            assert uow.backup_codes.find_unused(other, "a" * 64) is None
            assert uow.backup_codes.find_unused(owner, "b" * 64) is None
            assert uow.backup_codes.count_unused(other) == 0

    def test_a_code_is_used_once(self, storage: Storage) -> None:
        owner = user(storage)
        first, second = backup_code(owner, "a" * 64), backup_code(owner, "b" * 64)
        in_transaction(storage, lambda uow: uow.backup_codes.replace(owner, [first, second]))
        used_at = datetime(2026, 3, 2, 12, tzinfo=AMSTERDAM)
        with storage.unit_of_work() as uow:
            assert uow.backup_codes.use(first.id, now=used_at)
            assert not uow.backup_codes.use(first.id, now=used_at + timedelta(seconds=1))
            assert not uow.backup_codes.use(new_id(), now=used_at)
            uow.commit()
        with storage.unit_of_work() as uow:
            assert not uow.backup_codes.use(first.id, now=used_at)
            assert uow.backup_codes.find_unused(owner, "a" * 64) is None
            assert uow.backup_codes.find_unused(owner, "b" * 64) == second
            assert uow.backup_codes.count_unused(owner) == 1


class TestChallenges:
    def test_a_challenge_round_trips_whole(self, storage: Storage) -> None:
        owner = user(storage)
        every_method = challenge(
            owner,
            methods=(Method.YUBIKEY, Method.BACKUP_CODE, Method.SMS, Method.TOTP),
            created_at=datetime(2026, 3, 2, 10, 30, tzinfo=AMSTERDAM),
            expires_at=datetime(2026, 3, 2, 10, 35, tzinfo=AMSTERDAM),
            ip="ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255",
        )
        one_method = challenge(owner, methods=(Method.SMS,), ip=None, used_at=T0)
        add(storage, every_method, one_method)
        with storage.unit_of_work() as uow:
            stored = uow.challenges.find(every_method.token_hash)
            assert stored == every_method
            assert stored.expires_at.utcoffset() == timedelta(0)
            assert uow.challenges.find(one_method.token_hash) == one_method
            assert uow.challenges.find("0" * 64) is None

    def test_the_same_token_twice_conflicts(self, storage: Storage) -> None:
        owner = user(storage)
        first = challenge(owner)
        add(storage, first)
        with pytest.raises(Conflict):
            add(storage, challenge(owner, token_hash=first.token_hash))

    def test_consume_succeeds_once_and_only_before_expiry(self, storage: Storage) -> None:
        owner = user(storage)
        used, expired, other = challenge(owner), challenge(owner), challenge(owner)
        add(storage, used, expired, other)
        now = T0 + timedelta(minutes=1)
        with storage.unit_of_work() as uow:
            assert uow.challenges.consume(used.id, now=now)
            assert not uow.challenges.consume(used.id, now=now)
            assert not uow.challenges.consume(expired.id, now=expired.expires_at)
            assert not uow.challenges.consume(new_id(), now=now)
            uow.commit()
        with storage.unit_of_work() as uow:
            assert uow.challenges.find(used.token_hash) == attrs.evolve(used, used_at=now)
            assert uow.challenges.find(expired.token_hash) == expired
            assert not uow.challenges.consume(used.id, now=now)
            just_before = other.expires_at - timedelta(microseconds=1)
            assert uow.challenges.consume(other.id, now=just_before)


class TestSmsCodes:
    def test_a_code_round_trips_whole(self, storage: Storage) -> None:
        owner = user(storage)
        code = sms_code(
            owner,
            new_id(),
            created_at=datetime(2026, 3, 2, 10, 30, tzinfo=AMSTERDAM),
            tries=2,
            used_at=datetime(2026, 3, 2, 10, 31, tzinfo=AMSTERDAM),
        )
        add(storage, code)
        with storage.unit_of_work() as uow:
            stored = uow.sms_codes.latest(code.ref)
            assert stored == code
            assert stored.used_at is not None
            assert stored.used_at.utcoffset() == timedelta(0)
            assert uow.sms_codes.latest(new_id()) is None

    def test_latest_is_the_newest_for_the_ref(self, storage: Storage) -> None:
        owner = user(storage)
        ref, other_ref = new_id(), new_id()
        older = sms_code(owner, ref, created_at=T0 - timedelta(minutes=1))
        same_time = [sms_code(owner, ref) for _ in range(3)]
        elsewhere = sms_code(owner, other_ref, created_at=T0 + timedelta(minutes=5))
        add(storage, *same_time, older, elsewhere)
        with storage.unit_of_work() as uow:
            assert uow.sms_codes.latest(ref) == max(same_time, key=lambda c: c.id)
            assert uow.sms_codes.latest(other_ref) == elsewhere
        newest = sms_code(owner, ref, created_at=T0 + timedelta(seconds=1))
        add(storage, newest)
        with storage.unit_of_work() as uow:
            assert uow.sms_codes.latest(ref) == newest

    def test_record_try_counts_on_from_the_stored_tries(self, storage: Storage) -> None:
        owner = user(storage)
        fresh, tried = sms_code(owner, new_id()), sms_code(owner, new_id(), tries=3)
        add(storage, fresh, tried)
        with storage.unit_of_work() as uow:
            assert uow.sms_codes.record_try(fresh.id) == 1
            assert uow.sms_codes.record_try(fresh.id) == 2
            assert uow.sms_codes.record_try(tried.id) == 4
            uow.commit()
        with storage.unit_of_work() as uow:
            assert uow.sms_codes.latest(fresh.ref) == attrs.evolve(fresh, tries=2)
            assert uow.sms_codes.record_try(fresh.id) == 3

    def test_a_code_is_used_once(self, storage: Storage) -> None:
        owner = user(storage)
        code = sms_code(owner, new_id())
        add(storage, code)
        used_at = T0 + timedelta(minutes=2)
        with storage.unit_of_work() as uow:
            assert uow.sms_codes.use(code.id, now=used_at)
            assert not uow.sms_codes.use(code.id, now=used_at)
            assert not uow.sms_codes.use(new_id(), now=used_at)
            uow.commit()
        with storage.unit_of_work() as uow:
            assert uow.sms_codes.latest(code.ref) == attrs.evolve(code, used_at=used_at)
            assert not uow.sms_codes.use(code.id, now=used_at + timedelta(minutes=1))


def record_failure(storage: Storage, key: str, now: datetime) -> ThrottleState:
    return in_transaction(
        storage, lambda uow: uow.throttles.record_failure(key, now=now, window=WINDOW)
    )


class TestThrottles:
    def test_an_unknown_key_has_no_state(self, storage: Storage) -> None:
        with storage.unit_of_work() as uow:
            assert uow.throttles.get("user:nobody") is None
            uow.throttles.clear("user:nobody")
            assert uow.throttles.get("user:nobody") is None

    def test_failures_count_within_the_window_and_restart_it_after(self, storage: Storage) -> None:
        key = "ip:192.0.2.7"
        first = record_failure(storage, key, T0)
        assert first == ThrottleState(key, 1, T0, T0, 1)
        second_at = datetime(2026, 3, 2, 10, 50, tzinfo=AMSTERDAM)  # T0 + 20 minutes
        assert record_failure(storage, key, second_at) == ThrottleState(key, 2, second_at, T0, 2)
        last_in_window = T0 + WINDOW - timedelta(microseconds=1)
        assert record_failure(storage, key, last_in_window) == ThrottleState(
            key, 3, last_in_window, T0, 3
        )
        restarted = record_failure(storage, key, T0 + WINDOW)
        assert restarted == ThrottleState(key, 4, T0 + WINDOW, T0 + WINDOW, 1)
        with storage.unit_of_work() as uow:
            stored = uow.throttles.get(key)
            assert stored == restarted
            assert stored.last_failure_at.utcoffset() == timedelta(0)
            assert stored.window_start.utcoffset() == timedelta(0)

    def test_keys_count_apart(self, storage: Storage) -> None:
        record_failure(storage, "user:a", T0)
        record_failure(storage, "user:a", T0)
        assert record_failure(storage, "user:b", T0) == ThrottleState("user:b", 1, T0, T0, 1)
        with storage.unit_of_work() as uow:
            assert uow.throttles.get("user:a") == ThrottleState("user:a", 2, T0, T0, 2)

    def test_clear_forgets_the_failures_but_keeps_the_window_count(self, storage: Storage) -> None:
        key = "user:anna.hr"
        record_failure(storage, key, T0)
        later = T0 + timedelta(minutes=10)
        record_failure(storage, key, later)
        in_transaction(storage, lambda uow: uow.throttles.clear(key))
        with storage.unit_of_work() as uow:
            assert uow.throttles.get(key) == ThrottleState(key, 0, later, T0, 2)
        again = T0 + timedelta(minutes=20)
        assert record_failure(storage, key, again) == ThrottleState(key, 1, again, T0, 3)


class TestRollback:
    def test_leaving_without_commit_discards_every_mfa_write(self, storage: Storage) -> None:
        owner = user(storage)
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
        owner = user(storage)
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


# Concurrency: each thread its own storage, as separate processes would have ----------


ROUNDS = 5


def test_two_logins_with_one_time_step_one_wins(
    storage_factory: Callable[[], Storage],
) -> None:
    storages = [storage_factory(), storage_factory()]
    owner = user(storages[0])
    totp = factor(owner, secret_sealed="s")
    add(storages[0], totp)

    def login(storage: Storage, step: int) -> bool:
        with storage.unit_of_work() as uow:
            assert uow.factors.get(totp.id) is not None
            accepted = uow.factors.advance_step(totp.id, step)
            uow.commit()
        return accepted

    for step in range(1, ROUNDS + 1):
        outcomes = race([functools.partial(login, s, step) for s in storages])
        assert sorted(outcomes, key=repr) == [False, True], outcomes
    with storages[1].unit_of_work() as uow:
        assert uow.factors.get(totp.id) == attrs.evolve(totp, last_step=ROUNDS)


def test_two_logins_with_one_backup_code_one_wins(
    storage_factory: Callable[[], Storage],
) -> None:
    storages = [storage_factory(), storage_factory()]
    owner = user(storages[0])
    codes = [backup_code(owner, f"{n}" * 64) for n in range(ROUNDS)]
    in_transaction(storages[0], lambda uow: uow.backup_codes.replace(owner, codes))

    def login(storage: Storage, code: BackupCode) -> bool:
        with storage.unit_of_work() as uow:
            found = uow.backup_codes.find_unused(owner, code.code_hash)
            used = found is not None and uow.backup_codes.use(found.id, now=T0)
            uow.commit()
        return used

    for code in codes:
        outcomes = race([functools.partial(login, s, code) for s in storages])
        assert sorted(outcomes, key=repr) == [False, True], outcomes
    with storages[1].unit_of_work() as uow:
        assert uow.backup_codes.count_unused(owner) == 0
