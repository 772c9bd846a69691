"""The storage contract of second factors: factors, backup codes, login challenges, SMS codes
and WebAuthn challenges."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import attrs
import pytest

from onzecoach import Conflict, NotFound
from onzecoach.ids import new_id
from onzecoach.mfa import (
    BackupCode,
    Factor,
    FactorKind,
    LoginChallengeRecord,
    Method,
    SmsCode,
    WebAuthnChallenge,
)
from onzecoach.ports import Storage
from onzecoach.testing.contracts._base import StorageTests
from onzecoach.testing.contracts._builders import AMSTERDAM, T0, add, in_transaction, stored_user

__all__ = ["MfaTests", "backup_code", "challenge", "factor", "sms_code", "webauthn_challenge"]


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


def webauthn_challenge(ref: str, **changes: Any) -> WebAuthnChallenge:
    base = WebAuthnChallenge(
        id=new_id(),
        ref=ref,
        challenge_hash="w" * 64,
        created_at=T0,
        expires_at=T0 + timedelta(minutes=5),
    )
    return attrs.evolve(base, **changes)


def security_key(user_id: str, credential_id: str, **changes: Any) -> Factor:
    return factor(
        user_id,
        FactorKind.WEBAUTHN,
        credential_id=credential_id,
        public_key="pQECAyYgASFYI" + "A" * 60,
        sign_count=2**33 + 1,
        transports="internal,hybrid",
        name="Laptop van Anna",
        user_handle="h" * 43,
        confirmed_at=T0,
        **changes,
    )


class MfaTests(StorageTests):
    """``uow.factors``, ``uow.backup_codes``, ``uow.challenges``, ``uow.sms_codes`` and
    ``uow.webauthn_challenges``."""

    def test_every_kind_round_trips_whole(self, storage: Storage) -> None:
        owner = stored_user(storage)
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
        owner, other = stored_user(storage), stored_user(storage)
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
        owner = stored_user(storage)
        yubikey = factor(owner, FactorKind.YUBIKEY, public_id="cccccbdefghi")
        add(storage, yubikey, factor(owner), factor(owner))
        with storage.unit_of_work() as uow:
            assert uow.factors.by_public_id("cccccbdefghi") == yubikey
            assert uow.factors.by_public_id("cccccbdefghj") is None

    def test_a_yubikey_binds_to_one_account_only(self, storage: Storage) -> None:
        first, second = stored_user(storage), stored_user(storage)
        add(storage, factor(first, FactorKind.YUBIKEY, public_id="cccccbdefghi"))
        with pytest.raises(Conflict, check=lambda error: error.code == "yubikey.bound"):
            add(storage, factor(second, FactorKind.YUBIKEY, public_id="cccccbdefghi"))
        with storage.unit_of_work() as uow:
            assert uow.factors.for_user(second) == []

    def test_many_factors_go_without_a_public_id(self, storage: Storage) -> None:
        owners = [stored_user(storage) for _ in range(2)]
        add(storage, *(factor(owner) for owner in owners for _ in range(2)))
        with storage.unit_of_work() as uow:
            assert [len(uow.factors.for_user(owner)) for owner in owners] == [2, 2]

    def test_saving_a_factor_stores_its_changed_state(self, storage: Storage) -> None:
        owner = stored_user(storage)
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
        owner = stored_user(storage)
        with storage.unit_of_work() as uow, pytest.raises(NotFound):
            uow.factors.save(factor(owner))

    def test_saving_a_factor_read_before_a_login_keeps_the_accepted_step(
        self, storage: Storage
    ) -> None:
        owner = stored_user(storage)
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
        owner = stored_user(storage)
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
        owner, other = stored_user(storage), stored_user(storage)
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
        first, second = stored_user(storage), stored_user(storage)
        yubikey = factor(first, FactorKind.YUBIKEY, public_id="cccccbdefghi")
        add(storage, yubikey)
        in_transaction(storage, lambda uow: uow.factors.delete(yubikey.id))
        again = factor(second, FactorKind.YUBIKEY, public_id="cccccbdefghi")
        add(storage, again)
        with storage.unit_of_work() as uow:
            assert uow.factors.by_public_id("cccccbdefghi") == again

    def test_replacing_backup_codes_stores_them_whole(self, storage: Storage) -> None:
        owner = stored_user(storage)
        fresh = backup_code(owner, "a" * 64, created_at=datetime(2026, 3, 2, 11, tzinfo=AMSTERDAM))
        spent = backup_code(owner, "b" * 64, used_at=datetime(2026, 3, 3, 8, tzinfo=AMSTERDAM))
        in_transaction(storage, lambda uow: uow.backup_codes.replace(owner, [fresh, spent]))
        with storage.unit_of_work() as uow:
            stored = uow.backup_codes.find_unused(owner, "a" * 64)
            assert stored == fresh
            assert stored.created_at.utcoffset() == timedelta(0)
            assert uow.backup_codes.find_unused(owner, "b" * 64) is None
            assert uow.backup_codes.count_unused(owner) == 1

    def test_replacing_backup_codes_drops_the_old_used_or_not(self, storage: Storage) -> None:
        owner, other = stored_user(storage), stored_user(storage)
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

    def test_an_unused_backup_code_is_found_by_user_and_hash(self, storage: Storage) -> None:
        owner, other = stored_user(storage), stored_user(storage)
        code = backup_code(owner, "a" * 64)
        in_transaction(storage, lambda uow: uow.backup_codes.replace(owner, [code]))
        with storage.unit_of_work() as uow:
            assert uow.backup_codes.find_unused(owner, "a" * 64) == code
            assert uow.backup_codes.find_unused(other, "a" * 64) is None
            assert uow.backup_codes.find_unused(owner, "b" * 64) is None
            assert uow.backup_codes.count_unused(other) == 0

    def test_a_backup_code_is_used_once(self, storage: Storage) -> None:
        owner = stored_user(storage)
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

    def test_a_challenge_round_trips_whole(self, storage: Storage) -> None:
        owner = stored_user(storage)
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

    def test_the_same_challenge_token_twice_conflicts(self, storage: Storage) -> None:
        owner = stored_user(storage)
        first = challenge(owner)
        add(storage, first)
        with pytest.raises(Conflict):
            add(storage, challenge(owner, token_hash=first.token_hash))

    def test_a_challenge_is_consumed_once_and_only_before_expiry(self, storage: Storage) -> None:
        owner = stored_user(storage)
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

    def test_an_sms_code_round_trips_whole(self, storage: Storage) -> None:
        owner = stored_user(storage)
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

    def test_the_latest_sms_code_is_the_newest_for_the_ref(self, storage: Storage) -> None:
        owner = stored_user(storage)
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

    def test_an_sms_code_counts_its_tries_on_from_the_stored_ones(self, storage: Storage) -> None:
        owner = stored_user(storage)
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

    def test_an_sms_code_is_used_once(self, storage: Storage) -> None:
        owner = stored_user(storage)
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

    # Security keys and their challenges -------------------------------------------------

    def test_a_security_key_round_trips_and_is_found_by_its_credential(
        self, storage: Storage
    ) -> None:
        owner, other = stored_user(storage), stored_user(storage)
        credential = "Q" * 1300  # a credential id may be up to 1023 bytes, base64url
        key = security_key(
            owner, credential, last_used_at=datetime(2026, 3, 2, 9, 0, tzinfo=AMSTERDAM)
        )
        add(storage, key, security_key(other, "other-credential"), factor(owner))
        with storage.unit_of_work() as uow:
            assert uow.factors.get(key.id) == key
            assert uow.factors.by_credential_id(credential) == key
            assert uow.factors.by_credential_id("Q" * 1299) is None

    def test_a_credential_belongs_to_one_key(self, storage: Storage) -> None:
        first, second = stored_user(storage), stored_user(storage)
        add(storage, security_key(first, "shared"))
        with pytest.raises(Conflict, check=lambda error: error.code == "webauthn.registered"):
            add(storage, security_key(second, "shared"))
        pending = factor(second, FactorKind.WEBAUTHN)
        add(storage, pending)
        with pytest.raises(Conflict, check=lambda error: error.code == "webauthn.registered"):
            in_transaction(
                storage,
                lambda uow: uow.factors.save(attrs.evolve(pending, credential_id="shared")),
            )
        with storage.unit_of_work() as uow:
            assert uow.factors.get(pending.id) == pending

    def test_a_webauthn_challenge_round_trips_with_or_without_its_user(
        self, storage: Storage
    ) -> None:
        owner = stored_user(storage)
        mine = webauthn_challenge(
            new_id(), user_id=owner, created_at=datetime(2026, 3, 2, 10, 30, tzinfo=AMSTERDAM)
        )
        anyones = webauthn_challenge("p" * 64)
        add(storage, mine, anyones)
        with storage.unit_of_work() as uow:
            assert uow.webauthn_challenges.unused(mine.ref) == mine
            assert uow.webauthn_challenges.unused(anyones.ref) == anyones
            assert uow.webauthn_challenges.unused(new_id()) is None
            stored = uow.webauthn_challenges.unused(mine.ref)
            assert stored is not None
            assert stored.expires_at.utcoffset() == timedelta(0)

    def test_the_unused_webauthn_challenge_is_found_beside_used_ones(
        self, storage: Storage
    ) -> None:
        ref = new_id()
        # Used ones made at the same time and later: only the unused one is the step's.
        used = [webauthn_challenge(ref, used_at=T0) for _ in range(3)]
        later = webauthn_challenge(ref, created_at=T0 + timedelta(seconds=1), used_at=T0)
        open_one = webauthn_challenge(ref)
        add(storage, *used, later, open_one, webauthn_challenge(new_id()))
        with storage.unit_of_work() as uow:
            assert uow.webauthn_challenges.unused(ref) == open_one
            assert uow.webauthn_challenges.use(open_one.id, now=T0)
            assert uow.webauthn_challenges.unused(ref) is None

    def test_a_webauthn_challenge_is_used_once(self, storage: Storage) -> None:
        made = webauthn_challenge(new_id())
        add(storage, made)
        used_at = T0 + timedelta(seconds=30)
        with storage.unit_of_work() as uow:
            assert uow.webauthn_challenges.use(made.id, now=used_at)
            assert not uow.webauthn_challenges.use(made.id, now=used_at)
            assert not uow.webauthn_challenges.use(new_id(), now=used_at)
        # Not committed: still unused.
        with storage.unit_of_work() as uow:
            assert uow.webauthn_challenges.unused(made.ref) == made
            assert uow.webauthn_challenges.use(made.id, now=used_at)
            uow.commit()
        with storage.unit_of_work() as uow:
            assert uow.webauthn_challenges.unused(made.ref) is None
            assert not uow.webauthn_challenges.use(made.id, now=used_at)
