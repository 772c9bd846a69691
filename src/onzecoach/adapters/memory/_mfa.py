"""Second factors: factors, backup codes, login challenges, SMS codes and WebAuthn
challenges."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import attrs

from onzecoach.errors import Conflict, NotFound
from onzecoach.mfa import BackupCode, Factor, LoginChallengeRecord, SmsCode, WebAuthnChallenge

if TYPE_CHECKING:
    from onzecoach.adapters.memory._storage import MemoryUnitOfWork

__all__ = [
    "MemoryBackupCodes",
    "MemoryChallenges",
    "MemoryFactors",
    "MemorySmsCodes",
    "MemoryWebAuthnChallenges",
    "MfaTables",
]


@attrs.define
class MfaTables:
    """Factors, backup codes, login challenges, SMS codes and WebAuthn challenges."""

    factors: dict[str, Factor] = attrs.Factory(dict)
    backup_codes: dict[str, BackupCode] = attrs.Factory(dict)
    challenges: dict[str, LoginChallengeRecord] = attrs.Factory(dict)
    challenge_by_hash: dict[str, str] = attrs.Factory(dict)
    sms_codes: dict[str, SmsCode] = attrs.Factory(dict)
    webauthn_challenges: dict[str, WebAuthnChallenge] = attrs.Factory(dict)


class MemoryFactors:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    @property
    def _tables(self) -> MfaTables:
        return self._uow.tables(MfaTables)

    def add(self, factor: Factor) -> None:
        tables = self._tables
        if factor.public_id is not None and self.by_public_id(factor.public_id) is not None:
            raise Conflict("yubikey.bound")
        if factor.credential_id is not None and self.by_credential_id(factor.credential_id):
            raise Conflict("webauthn.registered")
        self._uow.put(tables.factors, factor.id, factor)

    def get(self, factor_id: str) -> Factor | None:
        return self._tables.factors.get(factor_id)

    def for_user(self, user_id: str) -> list[Factor]:
        found = [f for f in self._tables.factors.values() if f.user_id == user_id]
        return sorted(found, key=lambda f: (f.created_at, f.id))

    def by_public_id(self, public_id: str) -> Factor | None:
        found = (f for f in self._tables.factors.values() if f.public_id == public_id)
        return next(found, None)

    def by_credential_id(self, credential_id: str) -> Factor | None:
        found = (f for f in self._tables.factors.values() if f.credential_id == credential_id)
        return next(found, None)

    def save(self, factor: Factor) -> None:
        tables = self._tables
        stored = tables.factors.get(factor.id)
        if stored is None:
            raise NotFound("factor.not_found")
        if factor.public_id is not None and factor.public_id != stored.public_id:
            holder = self.by_public_id(factor.public_id)
            if holder is not None and holder.id != factor.id:
                raise Conflict("yubikey.bound")
        if factor.credential_id is not None and factor.credential_id != stored.credential_id:
            holder = self.by_credential_id(factor.credential_id)
            if holder is not None and holder.id != factor.id:
                raise Conflict("webauthn.registered")
        # Only advance_step moves last_step: a copy read earlier must not put it back.
        self._uow.put(tables.factors, factor.id, attrs.evolve(factor, last_step=stored.last_step))

    def advance_step(self, factor_id: str, step: int) -> bool:
        factor = self._tables.factors.get(factor_id)
        if factor is None or (factor.last_step is not None and factor.last_step >= step):
            return False
        self._uow.put(self._tables.factors, factor_id, attrs.evolve(factor, last_step=step))
        return True

    def delete(self, factor_id: str) -> None:
        self._uow.discard(self._tables.factors, factor_id)

    def delete_for_user(self, user_id: str) -> int:
        doomed = [f.id for f in self.for_user(user_id)]
        for factor_id in doomed:
            self.delete(factor_id)
        return len(doomed)

    def with_secrets(self, *, after: str | None, limit: int) -> list[Factor]:
        found = sorted(
            (
                f
                for f in self._tables.factors.values()
                if f.secret_sealed is not None and (after is None or f.id > after)
            ),
            key=lambda f: f.id,
        )
        return found[:limit]

    def replace_secret(self, factor_id: str, *, old: str, new: str) -> bool:
        factor = self._tables.factors.get(factor_id)
        if factor is None or factor.secret_sealed != old:
            return False
        self._uow.put(self._tables.factors, factor_id, attrs.evolve(factor, secret_sealed=new))
        return True


class MemoryBackupCodes:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    @property
    def _tables(self) -> MfaTables:
        return self._uow.tables(MfaTables)

    def replace(self, user_id: str, codes: list[BackupCode]) -> None:
        tables = self._tables
        for old in [c.id for c in tables.backup_codes.values() if c.user_id == user_id]:
            self._uow.discard(tables.backup_codes, old)
        for code in codes:
            self._uow.put(tables.backup_codes, code.id, code)

    def find_unused(self, user_id: str, code_hash: str) -> BackupCode | None:
        found = (
            c
            for c in self._tables.backup_codes.values()
            if c.user_id == user_id and c.code_hash == code_hash and c.used_at is None
        )
        return next(found, None)

    def use(self, code_id: str, *, now: datetime) -> bool:
        code = self._tables.backup_codes.get(code_id)
        if code is None or code.used_at is not None:
            return False
        self._uow.put(self._tables.backup_codes, code_id, attrs.evolve(code, used_at=now))
        return True

    def count_unused(self, user_id: str) -> int:
        codes = self._tables.backup_codes.values()
        return sum(1 for c in codes if c.user_id == user_id and c.used_at is None)


class MemoryChallenges:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    @property
    def _tables(self) -> MfaTables:
        return self._uow.tables(MfaTables)

    def add(self, challenge: LoginChallengeRecord) -> None:
        tables = self._tables
        if challenge.token_hash in tables.challenge_by_hash:
            raise Conflict("login.challenge_exists")
        self._uow.put(tables.challenges, challenge.id, challenge)
        self._uow.put(tables.challenge_by_hash, challenge.token_hash, challenge.id)

    def find(self, token_hash: str) -> LoginChallengeRecord | None:
        tables = self._tables
        challenge_id = tables.challenge_by_hash.get(token_hash)
        return None if challenge_id is None else tables.challenges[challenge_id]

    def consume(self, challenge_id: str, *, now: datetime) -> bool:
        challenge = self._tables.challenges.get(challenge_id)
        if challenge is None or challenge.used_at is not None or now >= challenge.expires_at:
            return False
        self._uow.put(self._tables.challenges, challenge_id, attrs.evolve(challenge, used_at=now))
        return True


class MemorySmsCodes:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    @property
    def _tables(self) -> MfaTables:
        return self._uow.tables(MfaTables)

    def add(self, code: SmsCode) -> None:
        if code.id in self._tables.sms_codes:
            raise Conflict("sms_code.exists")
        self._uow.put(self._tables.sms_codes, code.id, code)

    def latest(self, ref: str) -> SmsCode | None:
        found = [c for c in self._tables.sms_codes.values() if c.ref == ref]
        return max(found, key=lambda c: (c.created_at, c.id), default=None)

    def record_try(self, code_id: str) -> int:
        code = self._tables.sms_codes.get(code_id)
        if code is None:
            raise NotFound("sms_code.not_found")
        self._uow.put(self._tables.sms_codes, code_id, attrs.evolve(code, tries=code.tries + 1))
        return code.tries + 1

    def use(self, code_id: str, *, now: datetime) -> bool:
        code = self._tables.sms_codes.get(code_id)
        if code is None or code.used_at is not None:
            return False
        self._uow.put(self._tables.sms_codes, code_id, attrs.evolve(code, used_at=now))
        return True


class MemoryWebAuthnChallenges:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    @property
    def _tables(self) -> MfaTables:
        return self._uow.tables(MfaTables)

    def add(self, challenge: WebAuthnChallenge) -> None:
        if challenge.id in self._tables.webauthn_challenges:
            raise Conflict("webauthn_challenge.exists")
        self._uow.put(self._tables.webauthn_challenges, challenge.id, challenge)

    def unused(self, ref: str) -> WebAuthnChallenge | None:
        found = [
            c
            for c in self._tables.webauthn_challenges.values()
            if c.ref == ref and c.used_at is None
        ]
        return max(found, key=lambda c: (c.created_at, c.id), default=None)

    def use(self, challenge_id: str, *, now: datetime) -> bool:
        challenge = self._tables.webauthn_challenges.get(challenge_id)
        if challenge is None or challenge.used_at is not None:
            return False
        self._uow.put(
            self._tables.webauthn_challenges, challenge_id, attrs.evolve(challenge, used_at=now)
        )
        return True

    def delete_spent(self, *, now: datetime) -> int:
        challenges = self._tables.webauthn_challenges
        spent = [c.id for c in challenges.values() if c.used_at is not None or c.expires_at <= now]
        for challenge_id in spent:
            self._uow.discard(challenges, challenge_id)
        return len(spent)
