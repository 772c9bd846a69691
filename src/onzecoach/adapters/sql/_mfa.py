"""Second factors, backup codes, login challenges, SMS codes and WebAuthn challenges."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Row

from onzecoach.errors import NotFound
from onzecoach.mfa import (
    BackupCode,
    Factor,
    FactorKind,
    LoginChallengeRecord,
    SmsCode,
    WebAuthnChallenge,
)

from . import _tables as t
from ._base import Repository, structure_row, translate_errors

__all__ = [
    "SqlBackupCodes",
    "SqlChallenges",
    "SqlFactors",
    "SqlSmsCodes",
    "SqlWebAuthnChallenges",
]

_NOW = sa.bindparam("now", type_=t.UtcDateTime())
_YUBIKEY_TAKEN = "yubikey.bound"


def _factor(row: Row[Any]) -> Factor:
    return structure_row(row, Factor)


def _taken(factor: Factor) -> str:
    """The conflict a unique key of ``factor`` raises: its YubiKey's or its credential's."""
    return "webauthn.registered" if factor.kind is FactorKind.WEBAUTHN else _YUBIKEY_TAKEN


_FACTOR_STATE = (
    "confirmed_at",
    "phone",
    "public_id",
    "secret_sealed",
    "credential_id",
    "public_key",
    "sign_count",
    "transports",
    "name",
    "user_handle",
    "last_used_at",
)
# ``last_step`` is left out on purpose: only ``advance_step`` moves it, so that saving a
# factor read before a login cannot set it back and let a used code work again.
_SAVE_FACTOR = (
    t.mfa_factors.update()
    .where(t.mfa_factors.c.id == sa.bindparam("_id"))
    .values({name: sa.bindparam(name) for name in _FACTOR_STATE})
)
_STEP = sa.bindparam("step", type_=sa.BigInteger())
_ADVANCE_STEP = (
    t.mfa_factors.update()
    .where(
        t.mfa_factors.c.id == sa.bindparam("_id"),
        sa.or_(t.mfa_factors.c.last_step.is_(None), t.mfa_factors.c.last_step < _STEP),
    )
    .values(last_step=_STEP)
)
_REPLACE_SECRET = (
    t.mfa_factors.update()
    .where(
        t.mfa_factors.c.id == sa.bindparam("_id"),
        t.mfa_factors.c.secret_sealed == sa.bindparam("_old"),
    )
    .values(secret_sealed=sa.bindparam("_new"))
)
_DELETE_FACTOR = t.mfa_factors.delete().where(t.mfa_factors.c.id == sa.bindparam("_id"))
_DELETE_FACTORS_OF_USER = t.mfa_factors.delete().where(
    t.mfa_factors.c.user_id == sa.bindparam("_user_id")
)


class SqlFactors(Repository):
    def add(self, factor: Factor) -> None:
        self._execute(
            t.mfa_factors.insert(),
            "adding a second factor",
            {
                "id": factor.id,
                "user_id": factor.user_id,
                "kind": factor.kind.value,
                "created_at": factor.created_at,
                "last_step": factor.last_step,
                **self._state(factor),
            },
            conflict=_taken(factor),
        )

    def get(self, factor_id: str) -> Factor | None:
        row = self._execute(
            t.mfa_factors.select().where(t.mfa_factors.c.id == factor_id),
            "reading a second factor",
        ).one_or_none()
        return None if row is None else _factor(row)

    def for_user(self, user_id: str) -> list[Factor]:
        c = t.mfa_factors.c
        rows = self._execute(
            t.mfa_factors.select().where(c.user_id == user_id).order_by(c.created_at, c.id),
            "listing second factors",
        )
        return [_factor(row) for row in rows]

    def by_public_id(self, public_id: str) -> Factor | None:
        row = self._execute(
            t.mfa_factors.select().where(t.mfa_factors.c.public_id == public_id),
            "finding a YubiKey",
        ).one_or_none()
        return None if row is None else _factor(row)

    def by_credential_id(self, credential_id: str) -> Factor | None:
        row = self._execute(
            t.mfa_factors.select().where(t.mfa_factors.c.credential_id == credential_id),
            "finding a security key",
        ).one_or_none()
        return None if row is None else _factor(row)

    def save(self, factor: Factor) -> None:
        result = self._execute(
            _SAVE_FACTOR,
            "updating a second factor",
            {"_id": factor.id, **self._state(factor)},
            conflict=_taken(factor),
        )
        if result.rowcount != 1:
            raise NotFound("factor.not_found")

    def advance_step(self, factor_id: str, step: int) -> bool:
        # One conditional UPDATE: of two logins with one code, the database lets one win.
        result = self._execute(
            _ADVANCE_STEP, "accepting a time step", {"_id": factor_id, "step": step}
        )
        return result.rowcount == 1

    def delete(self, factor_id: str) -> None:
        self._execute(_DELETE_FACTOR, "deleting a second factor", {"_id": factor_id})

    def delete_for_user(self, user_id: str) -> int:
        result = self._execute(
            _DELETE_FACTORS_OF_USER, "deleting second factors", {"_user_id": user_id}
        )
        return result.rowcount

    def with_secrets(self, *, after: str | None, limit: int) -> list[Factor]:
        c = t.mfa_factors.c
        query = t.mfa_factors.select().where(c.secret_sealed.is_not(None))
        if after is not None:
            query = query.where(c.id > after)
        rows = self._execute(query.order_by(c.id).limit(limit), "reading second factors")
        return [_factor(row) for row in rows]

    def replace_secret(self, factor_id: str, *, old: str, new: str) -> bool:
        result = self._execute(
            _REPLACE_SECRET,
            "sealing a secret again",
            {"_id": factor_id, "_old": old, "_new": new},
        )
        return result.rowcount == 1

    @staticmethod
    def _state(factor: Factor) -> dict[str, Any]:
        return {name: getattr(factor, name) for name in _FACTOR_STATE}


def _backup_code(row: Row[Any]) -> BackupCode:
    return structure_row(row, BackupCode)


_DELETE_BACKUP_CODES = t.backup_codes.delete().where(
    t.backup_codes.c.user_id == sa.bindparam("_user_id")
)
_USE_BACKUP_CODE = (
    t.backup_codes.update()
    .where(t.backup_codes.c.id == sa.bindparam("_id"), t.backup_codes.c.used_at.is_(None))
    .values(used_at=_NOW)
)


class SqlBackupCodes(Repository):
    def replace(self, user_id: str, codes: list[BackupCode]) -> None:
        self._execute(_DELETE_BACKUP_CODES, "dropping backup codes", {"_user_id": user_id})
        if not codes:
            return
        # One executemany; ``_execute`` takes a single parameter set.
        with translate_errors("storing backup codes"):
            self._connection.execute(
                t.backup_codes.insert(),
                [
                    {
                        "id": code.id,
                        "user_id": code.user_id,
                        "code_hash": code.code_hash,
                        "created_at": code.created_at,
                        "used_at": code.used_at,
                    }
                    for code in codes
                ],
            )

    def find_unused(self, user_id: str, code_hash: str) -> BackupCode | None:
        c = t.backup_codes.c
        row = self._execute(
            t.backup_codes.select()
            .where(c.user_id == user_id, c.code_hash == code_hash, c.used_at.is_(None))
            .limit(1),
            "finding a backup code",
        ).one_or_none()
        return None if row is None else _backup_code(row)

    def use(self, code_id: str, *, now: datetime) -> bool:
        result = self._execute(
            _USE_BACKUP_CODE, "using a backup code", {"_id": code_id, "now": now}
        )
        return result.rowcount == 1

    def count_unused(self, user_id: str) -> int:
        c = t.backup_codes.c
        count = self._execute(
            sa.select(sa.func.count())
            .select_from(t.backup_codes)
            .where(c.user_id == user_id, c.used_at.is_(None)),
            "counting backup codes",
        ).scalar_one()
        return int(count)


def _challenge(row: Row[Any]) -> LoginChallengeRecord:
    methods = tuple(value for value in row.methods.split(",") if value)
    return structure_row(row, LoginChallengeRecord, methods=methods)


_CONSUME_CHALLENGE = (
    t.login_challenges.update()
    .where(
        t.login_challenges.c.id == sa.bindparam("_id"),
        t.login_challenges.c.used_at.is_(None),
        t.login_challenges.c.expires_at > _NOW,
    )
    .values(used_at=_NOW)
)


class SqlChallenges(Repository):
    def add(self, challenge: LoginChallengeRecord) -> None:
        self._execute(
            t.login_challenges.insert(),
            "starting a login challenge",
            {
                "id": challenge.id,
                "user_id": challenge.user_id,
                "token_hash": challenge.token_hash,
                "methods": ",".join(method.value for method in challenge.methods),
                "created_at": challenge.created_at,
                "expires_at": challenge.expires_at,
                "used_at": challenge.used_at,
                "ip": challenge.ip,
            },
            conflict="login.challenge_exists",
        )

    def find(self, token_hash: str) -> LoginChallengeRecord | None:
        row = self._execute(
            t.login_challenges.select().where(t.login_challenges.c.token_hash == token_hash),
            "reading a login challenge",
        ).one_or_none()
        return None if row is None else _challenge(row)

    def consume(self, challenge_id: str, *, now: datetime) -> bool:
        result = self._execute(
            _CONSUME_CHALLENGE, "completing a login challenge", {"_id": challenge_id, "now": now}
        )
        return result.rowcount == 1


def _sms_code(row: Row[Any]) -> SmsCode:
    return structure_row(row, SmsCode)


_RECORD_TRY = (
    t.sms_codes.update()
    .where(t.sms_codes.c.id == sa.bindparam("_id"))
    .values(tries=t.sms_codes.c.tries + 1)
    .returning(t.sms_codes.c.tries)
)
_USE_SMS_CODE = (
    t.sms_codes.update()
    .where(t.sms_codes.c.id == sa.bindparam("_id"), t.sms_codes.c.used_at.is_(None))
    .values(used_at=_NOW)
)


class SqlSmsCodes(Repository):
    def add(self, code: SmsCode) -> None:
        self._execute(
            t.sms_codes.insert(),
            "storing an SMS code",
            {
                "id": code.id,
                "user_id": code.user_id,
                "ref": code.ref,
                "code_hash": code.code_hash,
                "created_at": code.created_at,
                "expires_at": code.expires_at,
                "tries": code.tries,
                "used_at": code.used_at,
            },
        )

    def latest(self, ref: str) -> SmsCode | None:
        c = t.sms_codes.c
        row = self._execute(
            t.sms_codes.select()
            .where(c.ref == ref)
            .order_by(c.created_at.desc(), c.id.desc())
            .limit(1),
            "reading an SMS code",
        ).one_or_none()
        return None if row is None else _sms_code(row)

    def record_try(self, code_id: str) -> int:
        tries = self._execute(
            _RECORD_TRY, "counting a wrong SMS code", {"_id": code_id}
        ).scalar_one_or_none()
        if tries is None:
            raise NotFound("sms_code.not_found")
        return int(tries)

    def use(self, code_id: str, *, now: datetime) -> bool:
        result = self._execute(_USE_SMS_CODE, "using an SMS code", {"_id": code_id, "now": now})
        return result.rowcount == 1


_USE_WEBAUTHN_CHALLENGE = (
    t.webauthn_challenges.update()
    .where(
        t.webauthn_challenges.c.id == sa.bindparam("_id"),
        t.webauthn_challenges.c.used_at.is_(None),
    )
    .values(used_at=_NOW)
)


class SqlWebAuthnChallenges(Repository):
    def add(self, challenge: WebAuthnChallenge) -> None:
        self._execute(
            t.webauthn_challenges.insert(),
            "storing a WebAuthn challenge",
            {
                "id": challenge.id,
                "ref": challenge.ref,
                "challenge_hash": challenge.challenge_hash,
                "user_id": challenge.user_id,
                "created_at": challenge.created_at,
                "expires_at": challenge.expires_at,
                "used_at": challenge.used_at,
            },
        )

    def unused(self, ref: str) -> WebAuthnChallenge | None:
        c = t.webauthn_challenges.c
        row = self._execute(
            t.webauthn_challenges.select()
            .where(c.ref == ref, c.used_at.is_(None))
            .order_by(c.created_at.desc(), c.id.desc())
            .limit(1),
            "reading a WebAuthn challenge",
        ).one_or_none()
        return None if row is None else structure_row(row, WebAuthnChallenge)

    def use(self, challenge_id: str, *, now: datetime) -> bool:
        result = self._execute(
            _USE_WEBAUTHN_CHALLENGE,
            "using a WebAuthn challenge",
            {"_id": challenge_id, "now": now},
        )
        return result.rowcount == 1

    def delete_spent(self, *, now: datetime) -> int:
        c = t.webauthn_challenges.c
        result = self._execute(
            t.webauthn_challenges.delete().where(
                sa.or_(c.used_at.is_not(None), c.expires_at <= now)
            ),
            "deleting spent WebAuthn challenges",
        )
        return result.rowcount
