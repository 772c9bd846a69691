"""Signing in with a passkey alone: a discoverable WebAuthn credential with user
verification, which is something the user has and something they are or know.

Whether a user may is their employer's policy (``EmployerPolicy.passkey_login``) for HR,
and ``Settings.staff_passkey_login`` for the service desk and coaches; both are off by
default. The policy is applied after the assertion is verified, so that only the key's
holder learns that the key is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import attrs
import webauthn
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url, parse_authenticator_data
from webauthn.helpers.exceptions import InvalidAuthenticationResponse
from webauthn.helpers.structs import AuthenticationCredential, UserVerificationRequirement

from onzecoach.accounts import AccountStatus, Session, User
from onzecoach.actors import Role
from onzecoach.audit import AuditEntry, audit_entry
from onzecoach.crypto import hash_token, new_token
from onzecoach.employers import employer_policy
from onzecoach.errors import VerificationFailed
from onzecoach.mfa import _webauthn as wa
from onzecoach.mfa._model import Factor, FactorKind, PasskeyChallenge
from onzecoach.mfa._throttle import LoginThrottle

if TYPE_CHECKING:
    from datetime import datetime

    from onzecoach.clock import Clock
    from onzecoach.events import Transactions
    from onzecoach.mfa._ports import MfaUnitOfWork as UnitOfWork
    from onzecoach.settings import Settings

__all__ = ["PasskeySignIn", "check_counter", "user_entry"]

StartSession = Callable[["UnitOfWork", User, "datetime"], Session]


def user_entry(user: User, action: str, *, at: datetime, **details: object) -> AuditEntry:
    """An audit entry of ``user`` about their own account."""
    return audit_entry(
        user.actor,
        action,
        at=at,
        employer_id=user.employer_id,
        subject_type="user",
        subject_id=user.id,
        **details,
    )


def _ref(token: str) -> str:
    return hash_token(f"passkey:{token}")


def check_counter(
    uow: UnitOfWork, key: Factor, user: User, presented: int, *, now: datetime
) -> VerificationFailed | None:
    """Refuse a signature counter that did not go up, and audit it as a possibly cloned
    key; else keep the new counter and the key's last use. An authenticator that counts
    nothing (always 0) passes.

    The key is read again: the caller holds the account's lock (its throttle) by now, so
    a sign-in with the same key that committed meanwhile has left its counter behind."""
    key = uow.factors.get(key.id) or key
    count = key.sign_count or 0
    if (count or presented) and presented <= count:
        uow.audit.append(
            user_entry(
                user,
                "mfa.webauthn_counter_backwards",
                at=now,
                factor_id=key.id,
                stored=count,
                presented=presented,
            )
        )
        return VerificationFailed("webauthn.counter_backwards")
    uow.factors.save(attrs.evolve(key, sign_count=presented, last_used_at=now))
    return None


@attrs.frozen
class _Answer:
    credential: AuthenticationCredential
    challenge: bytes
    credential_id: str


class PasskeySignIn:
    """The ceremony behind ``portal.auth.begin_passkey`` and ``finish_passkey``."""

    def __init__(
        self,
        *,
        storage: Transactions[UnitOfWork],
        clock: Clock,
        settings: Settings,
        throttle: LoginThrottle,
        start_session: StartSession,
    ) -> None:
        self._storage = storage
        self._clock = clock
        self._settings = settings
        self._throttle = throttle
        self._start_session = start_session

    def offered(self) -> bool:
        """Whether anyone at all may sign in with a passkey alone."""
        if self._settings.staff_passkey_login or self._settings.passkey_login:
            return True
        with self._storage.unit_of_work() as uow:
            return uow.employer_settings.any_passkey_login()

    def allowed(self, uow: UnitOfWork, user: User) -> bool:
        """Whether ``user`` may sign in with a passkey alone."""
        if user.role is Role.HR and user.employer_id is not None:
            return employer_policy(uow, user.employer_id, self._settings).passkey_login
        if user.role in {Role.SERVICE_DESK, Role.COACH}:
            return self._settings.staff_passkey_login
        return False

    def begin(self, *, ip: str | None = None) -> PasskeyChallenge:
        now = self._clock.now()
        ip_key = self._throttle.ip_key(ip)
        rp_id, _ = wa.relying_party(self._settings.base_url)
        options = webauthn.generate_authentication_options(
            rp_id=rp_id,
            timeout=int(wa.CHALLENGE_LIFETIME.total_seconds() * 1000),
            user_verification=UserVerificationRequirement.REQUIRED,
        )
        token = new_token()
        with self._storage.unit_of_work() as uow:
            self._throttle.check_ip(uow, ip_key, now=now)
            wa.store_challenge(uow, self._settings, None, _ref(token), options.challenge, now=now)
            uow.commit()
        return PasskeyChallenge(
            token=token,
            options=webauthn.options_to_json(options),
            expires_at=now + wa.CHALLENGE_LIFETIME,
        )

    def finish(self, token: str, response_json: str, *, ip: str | None = None) -> Session:
        now = self._clock.now()
        ip_key = self._throttle.ip_key(ip)
        answer = _parsed(response_json)
        with self._storage.unit_of_work() as uow:
            self._throttle.check_ip(uow, ip_key, now=now)
            key = None if answer is None else uow.factors.by_credential_id(answer.credential_id)
            user = None if key is None else uow.users.get(key.user_id)
            account_key = None if user is None else self._throttle.account_key(user.username)
            failures = 0
            if account_key is not None:
                state, _ = self._throttle.check(uow, account_key, None, now=now)
                failures = 0 if state is None else state.failures
            failure = self._refusal(uow, token, answer, key, user, now=now)
            if failure is None and user is not None and not self.allowed(uow, user):
                # The assertion was the key's own: refused by policy, not counted as a guess.
                uow.audit.append(
                    user_entry(
                        user,
                        "auth.passkey_refused",
                        at=now,
                    )
                )
                uow.commit()
                raise VerificationFailed("webauthn.passkey_not_allowed")
            if failure is not None or user is None:
                self._throttle.failed(uow, account_key, ip_key, now=now)
                uow.commit()
                raise failure or VerificationFailed("webauthn.mismatch")
            if failures and account_key is not None:
                self._throttle.succeeded(uow, account_key)
            session = self._start_session(uow, user, now)
            uow.audit.append(
                user_entry(
                    user,
                    "auth.signed_in",
                    at=now,
                    method="passkey",
                )
            )
            uow.commit()
        return session

    def _refusal(  # noqa: PLR0911 - one return per refusal
        self,
        uow: UnitOfWork,
        token: object,
        answer: _Answer | None,
        key: Factor | None,
        user: User | None,
        *,
        now: datetime,
    ) -> VerificationFailed | None:
        if answer is None:
            return VerificationFailed("webauthn.malformed")
        if not isinstance(token, str) or not token:
            return VerificationFailed("webauthn.challenge_used")
        failure = wa.spend_challenge(uow, self._settings, _ref(token), answer.challenge, now=now)
        if failure is not None:
            return failure
        if (
            key is None
            or user is None
            or key.kind is not FactorKind.WEBAUTHN
            or not key.confirmed
            or key.public_key is None
            or user.status is not AccountStatus.ACTIVE
        ):
            return VerificationFailed("webauthn.wrong_key")
        handle = answer.credential.response.user_handle
        if handle is None or bytes_to_base64url(handle) != key.user_handle:
            return VerificationFailed("webauthn.wrong_key")
        rp_id, origin = wa.relying_party(self._settings.base_url)
        try:
            verified = webauthn.verify_authentication_response(
                credential=answer.credential,
                expected_challenge=answer.challenge,
                expected_rp_id=rp_id,
                expected_origin=origin,
                credential_public_key=base64url_to_bytes(key.public_key),
                credential_current_sign_count=0,
            )
        except InvalidAuthenticationResponse:
            return VerificationFailed("webauthn.mismatch")
        if not verified.user_verified:
            # Checked once the signature is the key's: a passkey alone needs the user's
            # fingerprint, face or PIN, not only their touch.
            return VerificationFailed("webauthn.user_not_verified")
        return check_counter(uow, key, user, verified.new_sign_count, now=now)


def _parsed(response_json: object) -> _Answer | None:
    try:
        credential = wa.parse_assertion(response_json)
        challenge = wa.challenge_of(credential.response.client_data_json)
        parse_authenticator_data(credential.response.authenticator_data)
    except Exception:
        return None
    return _Answer(
        credential=credential,
        challenge=challenge,
        credential_id=bytes_to_base64url(credential.raw_id),
    )
