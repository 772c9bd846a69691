"""The second factors' ports: their repositories, and the door to the YubiKey service."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from onzecoach.accounts import AccountRepositories
from onzecoach.audit import AuditRepositories
from onzecoach.employers import EmployerRepositories
from onzecoach.events import UnitOfWork
from onzecoach.mfa._model import (
    BackupCode,
    Factor,
    LoginChallengeRecord,
    SmsCode,
    WebAuthnChallenge,
)
from onzecoach.throttling import ThrottlingRepositories

__all__ = [
    "BackupCodeRepository",
    "ChallengeRepository",
    "FactorRepository",
    "MfaRepositories",
    "MfaUnitOfWork",
    "SmsCodeRepository",
    "WebAuthnChallengeRepository",
    "YubikeyVerifier",
]


class YubikeyVerifier(Protocol):
    def verify(self, otp: str) -> None:
        """Have the validation service check one Yubico OTP (44 modhex characters).

        Returns when the service says OK. Raises ``VerificationFailed`` when the OTP itself
        is refused (code ``yubikey.replayed`` for REPLAYED_OTP, ``yubikey.malformed`` for
        BAD_OTP) and ``YubikeyServiceError`` when the service fails or cannot be trusted.
        """
        ...


class FactorRepository(Protocol):
    def add(self, factor: Factor) -> None:
        """Store a factor; ``Conflict`` when its YubiKey public id is bound already."""
        ...

    def get(self, factor_id: str) -> Factor | None: ...

    def for_user(self, user_id: str) -> list[Factor]:
        """The user's factors, oldest first, confirmed or not."""
        ...

    def by_public_id(self, public_id: str) -> Factor | None: ...

    def by_credential_id(self, credential_id: str) -> Factor | None:
        """The security key with this WebAuthn credential id, of whichever user."""
        ...

    def save(self, factor: Factor) -> None:
        """Store the changed state of a known factor (confirmed_at, phone, secret)."""
        ...

    def advance_step(self, factor_id: str, step: int) -> bool:
        """Set ``last_step`` to ``step`` if it is later than the stored one; ``False`` if not.

        Atomic: of two transactions accepting one time step, exactly one gets ``True``.
        """
        ...

    def delete(self, factor_id: str) -> None: ...

    def delete_for_user(self, user_id: str) -> int: ...

    def with_secrets(self, *, after: str | None, limit: int) -> list[Factor]:
        """Factors holding a sealed secret, by id, the first ``limit`` after ``after``."""
        ...

    def replace_secret(self, factor_id: str, *, old: str, new: str) -> bool:
        """Set the sealed secret to ``new`` if it is still ``old``; ``False`` if not.

        For sealing a secret again under a new key: a secret changed meanwhile (a new
        set-up) is left alone, and nothing else of the factor is written.
        """
        ...


class BackupCodeRepository(Protocol):
    def replace(self, user_id: str, codes: list[BackupCode]) -> None:
        """Drop the user's codes, used or not, and store ``codes``."""
        ...

    def find_unused(self, user_id: str, code_hash: str) -> BackupCode | None: ...

    def use(self, code_id: str, *, now: datetime) -> bool:
        """Mark the code used if it was not; atomic like ``TokenRepository.consume``."""
        ...

    def count_unused(self, user_id: str) -> int: ...


class ChallengeRepository(Protocol):
    def add(self, challenge: LoginChallengeRecord) -> None: ...

    def find(self, token_hash: str) -> LoginChallengeRecord | None: ...

    def consume(self, challenge_id: str, *, now: datetime) -> bool:
        """Mark the challenge used if it is unused and unexpired at ``now``; atomic."""
        ...


class SmsCodeRepository(Protocol):
    def add(self, code: SmsCode) -> None: ...

    def latest(self, ref: str) -> SmsCode | None:
        """The newest code sent for ``ref``."""
        ...

    def record_try(self, code_id: str) -> int:
        """Count one wrong try; return the tries so far. Atomic."""
        ...

    def use(self, code_id: str, *, now: datetime) -> bool:
        """Mark the code used if it was not; atomic."""
        ...


class WebAuthnChallengeRepository(Protocol):
    def add(self, challenge: WebAuthnChallenge) -> None: ...

    def unused(self, ref: str) -> WebAuthnChallenge | None:
        """The challenge of ``ref`` not used yet (a step keeps at most one), else ``None``."""
        ...

    def use(self, challenge_id: str, *, now: datetime) -> bool:
        """Mark the challenge used if it was not; atomic: of two answers, one gets ``True``."""
        ...

    def delete_spent(self, *, now: datetime) -> int:
        """Delete every challenge used, or expired at or before ``now``; how many. For
        retention: neither can be answered any more."""
        ...


class MfaRepositories(Protocol):
    @property
    def factors(self) -> FactorRepository: ...
    @property
    def backup_codes(self) -> BackupCodeRepository: ...
    @property
    def challenges(self) -> ChallengeRepository: ...
    @property
    def sms_codes(self) -> SmsCodeRepository: ...
    @property
    def webauthn_challenges(self) -> WebAuthnChallengeRepository: ...


class MfaUnitOfWork(
    MfaRepositories,
    AccountRepositories,
    EmployerRepositories,
    ThrottlingRepositories,
    AuditRepositories,
    UnitOfWork,
    Protocol,
):
    """What the second factors' and the login's use cases touch in one transaction."""
