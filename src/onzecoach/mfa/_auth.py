from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal, NoReturn

import attrs
import webauthn
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url, parse_authenticator_data
from webauthn.helpers.exceptions import InvalidAuthenticationResponse

from onzecoach.accounts import (
    AccountStatus,
    PasswordVerifier,
    Session,
    SessionRecord,
    TokenPurpose,
    User,
    check_username,
    issue,
)
from onzecoach.actors import Actor
from onzecoach.crypto import hash_token, new_token, token_matches
from onzecoach.errors import (
    InvalidToken,
    MfaRequired,
    NotAuthenticated,
    ValidationError,
    VerificationFailed,
    YubikeyServiceError,
)
from onzecoach.ids import new_id
from onzecoach.mfa import _codes as codes
from onzecoach.mfa import _webauthn as wa
from onzecoach.mfa._model import (
    Factor,
    FactorKind,
    LoginChallenge,
    LoginChallengeRecord,
    Method,
    PasskeyChallenge,
)
from onzecoach.mfa._passkey import PasskeySignIn, check_counter, user_entry
from onzecoach.mfa._phone import phone_hint
from onzecoach.mfa._service import reseal_secret, totp_context
from onzecoach.mfa._sms import check_sms_code, send_code
from onzecoach.mfa._throttle import LoginThrottle
from onzecoach.results import Enrollment

if TYPE_CHECKING:
    from onzecoach.clock import Clock
    from onzecoach.events import Transactions
    from onzecoach.mfa._ports import MfaUnitOfWork as UnitOfWork
    from onzecoach.mfa._ports import YubikeyVerifier
    from onzecoach.notifications import SmsSender
    from onzecoach.settings import Settings

__all__ = ["AuthService", "MethodName"]

#: The methods of the second step by their values, as a form or a JSON body sends them.
MethodName = Literal["sms", "totp", "yubikey", "backup_code", "webauthn"]

_EXPIRED = "session.expired"
# Recording every request's time would make each page view a write; once a minute is
# precise enough for a 30-minute idle timeout.
_TOUCH_EVERY = timedelta(minutes=1)


_WRONG_LOGIN = "login.mismatch"
_NOT_SET_UP = "mfa.not_set_up"
_FACTOR_METHODS = {
    FactorKind.SMS: Method.SMS,
    FactorKind.TOTP: Method.TOTP,
    FactorKind.YUBIKEY: Method.YUBIKEY,
    FactorKind.WEBAUTHN: Method.WEBAUTHN,
}


def _webauthn_ref(challenge_id: str) -> str:
    """The WebAuthn challenge's step: derived from the login's, apart from its SMS codes."""
    return hash_token(f"webauthn:{challenge_id}")[:32]


@attrs.frozen
class _Attempt:
    challenge: LoginChallengeRecord
    user: User
    factors: list[Factor]
    account_key: str
    ip_key: str | None
    #: Failures in a row so far for the account, so that a success clears only what is there.
    failures: int


class AuthService:
    """Signing in and sessions (``portal.auth``).

    A login is two steps: ``login`` checks the username and password and answers a
    challenge naming the user's methods; ``verify`` checks the code from SMS, app,
    YubiKey, a security key's answer or a backup code and opens the session. Where
    allowed, a passkey alone signs in (``begin_passkey``, ``finish_passkey``). Failures
    count per username and per IP address (``LoginThrottle``); an unknown username costs
    the same argon2 work.
    """

    def __init__(
        self,
        *,
        storage: Transactions[UnitOfWork],
        clock: Clock,
        settings: Settings,
        passwords: PasswordVerifier,
        sms: SmsSender | None = None,
        yubikey: YubikeyVerifier | None = None,
    ) -> None:
        self._storage = storage
        self._clock = clock
        self._settings = settings
        self._passwords = passwords
        self._sms = sms
        self._yubikey = yubikey
        self._throttle = LoginThrottle(settings)
        self._passkeys = PasskeySignIn(
            storage=storage,
            clock=clock,
            settings=settings,
            throttle=self._throttle,
            start_session=lambda uow, user, now: self._start_session(uow, user, now=now),
        )

    # Step one ----------------------------------------------------------------------------

    def login(self, username: str, password: str, *, ip: str | None = None) -> LoginChallenge:
        """Check username and password; answer the challenge for the second step.

        A wrong username or password answers ``VerificationFailed`` (one message for
        both); too many failures ``Throttled``. An account whose second factor is not set
        up answers ``MfaRequired`` carrying a fresh ``Enrollment``.
        """
        now = self._clock.now()
        name = username.strip() if isinstance(username, str) else ""
        account_key, ip_key = self._throttle.account_key(name), self._throttle.ip_key(ip)
        with self._storage.unit_of_work() as uow:
            before, _ = self._throttle.check(uow, account_key, ip_key, now=now, lock_ip=False)
            # The account's failure is counted before the password is checked, so that
            # parallel tries cannot all pass its throttle before any of them has failed;
            # it is taken back on success. The address's count (a cap per hour) follows the
            # outcome.
            self._throttle.failed(uow, account_key, None, now=now)
            # A name no account can have is looked up nowhere: it fails as an unknown one.
            lookup = check_username(name)
            user = uow.users.by_username(lookup) if isinstance(lookup, str) else None
            uow.commit()
        if user is None or user.status not in {AccountStatus.ACTIVE, AccountStatus.ENROLLING}:
            # The same argon2 work as a real check, so the time says nothing either.
            self._passwords.burn(password)
            self._fail(None, ip_key, VerificationFailed(_WRONG_LOGIN), now=now)
        try:
            self._passwords.verify(user, password)
        except VerificationFailed:
            self._fail(None, ip_key, VerificationFailed(_WRONG_LOGIN), now=now)

        with self._storage.unit_of_work() as uow:
            self._throttle.released(uow, account_key, before)
            factors = [f for f in uow.factors.for_user(user.id) if f.confirmed]
            if user.status is AccountStatus.ENROLLING or not factors:
                secret, enrollment = issue(
                    uow,
                    TokenPurpose.ENROLLMENT,
                    user.id,
                    now=now,
                    lifetime=self._settings.enrollment_lifetime,
                )
                uow.commit()
                raise MfaRequired(
                    _NOT_SET_UP,
                    enrollment=Enrollment(
                        token=secret,
                        user_id=user.id,
                        username=user.username,
                        expires_at=enrollment.expires_at,
                    ),
                )
            methods = tuple(dict.fromkeys(_FACTOR_METHODS[f.kind] for f in factors))
            if uow.backup_codes.count_unused(user.id):
                methods += (Method.BACKUP_CODE,)
            secret = new_token()
            record = LoginChallengeRecord(
                id=new_id(),
                user_id=user.id,
                token_hash=hash_token(secret),
                methods=methods,
                created_at=now,
                expires_at=now + self._settings.login_challenge_lifetime,
                ip=ip,
            )
            uow.challenges.add(record)
            uow.commit()
        phone = next((f.phone for f in factors if f.kind is FactorKind.SMS), None)
        return LoginChallenge(
            token=secret,
            methods=methods,
            expires_at=record.expires_at,
            phone_hint=None if phone is None else phone_hint(phone),
        )

    def send_sms(self, challenge_token: str) -> None:
        """Send the login code by SMS at once; ``SmsDeliveryError`` if the gateway fails."""
        now = self._clock.now()
        with self._storage.unit_of_work() as uow:
            challenge = self._challenge(uow, challenge_token, now=now)
            user = uow.users.get(challenge.user_id)
            if user is None or user.status is not AccountStatus.ACTIVE:
                raise InvalidToken("login.challenge_expired")
            phone = next(
                (
                    f.phone
                    for f in uow.factors.for_user(challenge.user_id)
                    if f.kind is FactorKind.SMS and f.confirmed and f.phone
                ),
                None,
            )
            if Method.SMS not in challenge.methods or phone is None:
                raise ValidationError.single("method", "unavailable", key="method.unavailable.sms")
            send_code(
                uow,
                self._sms,
                self._settings,
                user_id=challenge.user_id,
                ref=challenge.id,
                phone=phone,
                now=now,
            )
            uow.commit()

    def webauthn_options(self, challenge_token: str) -> str:
        """The options for ``navigator.credentials.get()`` as the W3C JSON: the user's
        security keys, and a challenge bound to this login that expires in 5 minutes.

        Answer with ``verify(challenge_token, response_json, method="webauthn")``.
        """
        now = self._clock.now()
        with self._storage.unit_of_work() as uow:
            challenge = self._challenge(uow, challenge_token, now=now)
            user = uow.users.get(challenge.user_id)
            if user is None or user.status is not AccountStatus.ACTIVE:
                raise InvalidToken("login.challenge_expired")
            keys = [
                f.credential_id
                for f in uow.factors.for_user(user.id)
                if f.kind is FactorKind.WEBAUTHN and f.confirmed and f.credential_id
            ]
            if Method.WEBAUTHN not in challenge.methods or not keys:
                raise ValidationError.single("method", "unavailable")
            rp_id, _ = wa.relying_party(self._settings.base_url)
            options = webauthn.generate_authentication_options(
                rp_id=rp_id,
                timeout=int(wa.CHALLENGE_LIFETIME.total_seconds() * 1000),
                allow_credentials=wa.descriptors(keys),
            )
            wa.store_challenge(
                uow,
                self._settings,
                user.id,
                _webauthn_ref(challenge.id),
                options.challenge,
                now=now,
            )
            uow.commit()
        return webauthn.options_to_json(options)

    # A passkey alone -----------------------------------------------------------------------

    def passkey_offered(self) -> bool:
        """Whether the login page offers "Inloggen met passkey": when any employer allows
        it (``EmployerPolicy.passkey_login``) or the portal does for its staff
        (``Settings.staff_passkey_login``)."""
        return self._passkeys.offered()

    def begin_passkey(self, *, ip: str | None = None) -> PasskeyChallenge:
        """Options for ``navigator.credentials.get()`` with no username: any of the
        portal's discoverable credentials, user verification required, a challenge that
        expires in 5 minutes. Answer with ``finish_passkey(challenge.token, ...)``."""
        return self._passkeys.begin(ip=ip)

    def finish_passkey(self, token: str, response_json: str, *, ip: str | None = None) -> Session:
        """Sign in with the browser's answer to ``begin_passkey``; open the session.

        ``VerificationFailed`` (``webauthn.*``) for a refused answer, which counts towards
        throttling like a wrong code; ``webauthn.passkey_not_allowed`` for a user whose
        employer (or, for the service desk and coaches, the portal) does not allow a
        passkey alone, once the answer is known to be their key's.
        """
        return self._passkeys.finish(token, response_json, ip=ip)

    # Step two ----------------------------------------------------------------------------

    def verify(self, challenge_token: str, code: str, *, method: Method | MethodName) -> Session:
        """Check the second step's ``code`` by ``method``; open and return the session.

        ``method`` is a ``Method`` or its value: ``"sms"``, ``"totp"``, ``"yubikey"``,
        ``"webauthn"`` (``code`` is then the browser's answer to ``webauthn_options``, as
        JSON) or ``"backup_code"``. Every code works once: a TOTP time step, an SMS code, a
        YubiKey OTP, a WebAuthn challenge and a backup code are spent in the same
        transaction that opens the session.
        """
        chosen = _method(method)
        typed = code.strip() if isinstance(code, str) else ""
        now = self._clock.now()
        if chosen is Method.YUBIKEY:
            # Asked outside any transaction: the validation service may take seconds.
            with self._storage.unit_of_work() as uow:
                attempt = self._attempt(uow, challenge_token, chosen, now=now)
            self._check_yubikey(typed, attempt, now=now)

        # One transaction reads, spends the code and opens the session: a code that two
        # requests present at once is spent by one of them only.
        with self._storage.unit_of_work() as uow:
            attempt = self._attempt(uow, challenge_token, chosen, now=now)
            failure = self._spend(uow, chosen, typed, attempt, now=now)
            if failure is None:
                user = attempt.user
                if not uow.challenges.consume(attempt.challenge.id, now=now):
                    raise InvalidToken("login.challenge_used")
                if attempt.failures:
                    self._throttle.succeeded(uow, attempt.account_key)
                session = self._start_session(uow, user, now=now)
                uow.audit.append(
                    user_entry(
                        user,
                        "auth.signed_in",
                        at=now,
                        method=chosen.value,
                    )
                )
            else:
                self._throttle.failed(uow, attempt.account_key, attempt.ip_key, now=now)
            uow.commit()
        if failure is not None:
            raise failure
        return session

    def _attempt(
        self, uow: UnitOfWork, challenge_token: str, method: Method, *, now: datetime
    ) -> _Attempt:
        """The challenge and its user, once the throttle and the method allow a try."""
        challenge = self._challenge(uow, challenge_token, now=now)
        user = uow.users.get(challenge.user_id)
        if user is None or user.status is not AccountStatus.ACTIVE:
            raise InvalidToken("login.challenge_expired")
        account_key = self._throttle.account_key(user.username)
        ip_key = self._throttle.ip_key(challenge.ip)
        # The address was checked and counted at login; the code's tries count per account.
        account_state, _ = self._throttle.check(uow, account_key, ip_key, now=now, lock_ip=False)
        if method not in challenge.methods:
            raise ValidationError.single("method", "unavailable")
        return _Attempt(
            challenge=challenge,
            user=user,
            factors=[f for f in uow.factors.for_user(user.id) if f.confirmed],
            account_key=account_key,
            ip_key=ip_key,
            failures=0 if account_state is None else account_state.failures,
        )

    def _spend(
        self, uow: UnitOfWork, method: Method, code: str, attempt: _Attempt, *, now: datetime
    ) -> VerificationFailed | None:
        """Use up the code in ``uow``; or the failure to report."""
        if method is Method.TOTP:
            return self._spend_totp(uow, code, attempt.factors, now=now)
        if method is Method.SMS:
            record = uow.sms_codes.latest(attempt.challenge.id)
            return check_sms_code(uow, record, code, self._settings, now=now)
        if method is Method.BACKUP_CODE:
            return self._spend_backup_code(uow, code, attempt.user, now=now)
        if method is Method.WEBAUTHN:
            return self._spend_webauthn(uow, code, attempt, now=now)
        return None  # a YubiKey OTP was checked before this transaction

    def _spend_webauthn(
        self, uow: UnitOfWork, response_json: str, attempt: _Attempt, *, now: datetime
    ) -> VerificationFailed | None:
        try:
            credential = wa.parse_assertion(response_json)
            answered = wa.challenge_of(credential.response.client_data_json)
            parse_authenticator_data(credential.response.authenticator_data)
        except VerificationFailed as malformed:
            return malformed
        except Exception:
            return VerificationFailed("webauthn.malformed")
        failure = wa.spend_challenge(
            uow, self._settings, _webauthn_ref(attempt.challenge.id), answered, now=now
        )
        if failure is not None:
            return failure
        credential_id = bytes_to_base64url(credential.raw_id)
        key = next(
            (
                f
                for f in attempt.factors
                if f.kind is FactorKind.WEBAUTHN and f.credential_id == credential_id
            ),
            None,
        )
        if key is None or key.public_key is None:
            return VerificationFailed("webauthn.wrong_key")
        rp_id, origin = wa.relying_party(self._settings.base_url)
        try:
            # The counter is compared below, once the signature is known to be the key's.
            verified = webauthn.verify_authentication_response(
                credential=credential,
                expected_challenge=answered,
                expected_rp_id=rp_id,
                expected_origin=origin,
                credential_public_key=base64url_to_bytes(key.public_key),
                credential_current_sign_count=0,
            )
        except InvalidAuthenticationResponse:
            return VerificationFailed("webauthn.mismatch")
        return check_counter(uow, key, attempt.user, verified.new_sign_count, now=now)

    def _spend_totp(
        self, uow: UnitOfWork, code: str, factors: list[Factor], *, now: datetime
    ) -> VerificationFailed | None:
        app = next((f for f in factors if f.kind is FactorKind.TOTP), None)
        if app is None or app.secret_sealed is None:
            return VerificationFailed("code.mismatch")
        secret = self._settings.sealer.open(app.secret_sealed, context=totp_context(app.id))
        step = codes.totp_match(secret, code, now=now)
        if step is None:
            return VerificationFailed("code.mismatch")
        if not uow.factors.advance_step(app.id, step):
            return VerificationFailed("totp.replayed")
        # After a key rotation each login seals its own secret under the new key.
        reseal_secret(uow, self._settings.sealer, app.id, app.secret_sealed)
        return None

    def _spend_backup_code(
        self, uow: UnitOfWork, code: str, user: User, *, now: datetime
    ) -> VerificationFailed | None:
        typed = codes.normalise_code(code)
        for candidate in self._settings.code_hasher.candidates(typed):
            found = uow.backup_codes.find_unused(user.id, candidate)
            if found is not None:
                if uow.backup_codes.use(found.id, now=now):
                    return None
                return VerificationFailed("backup_code.used")
        return VerificationFailed("code.mismatch")

    def _check_yubikey(self, otp: str, attempt: _Attempt, *, now: datetime) -> None:
        failure: VerificationFailed | None = None
        if not codes.is_yubikey_otp(otp):
            failure = VerificationFailed("yubikey.malformed")
        elif codes.yubikey_public_id(otp.lower()) not in {
            f.public_id for f in attempt.factors if f.kind is FactorKind.YUBIKEY
        }:
            failure = VerificationFailed("yubikey.wrong_key")
        elif self._yubikey is None:
            raise YubikeyServiceError("no YubikeyVerifier is configured on this Portal")
        else:
            try:
                self._yubikey.verify(otp.lower())
            except VerificationFailed as refused:
                failure = refused
        if failure is not None:
            self._fail(attempt.account_key, attempt.ip_key, failure, now=now)

    def _fail(
        self,
        account_key: str | None,
        ip_key: str | None,
        failure: VerificationFailed,
        *,
        now: datetime,
    ) -> NoReturn:
        if account_key is not None or ip_key is not None:
            with self._storage.unit_of_work() as uow:
                self._throttle.failed(uow, account_key, ip_key, now=now)
                uow.commit()
        raise failure

    @staticmethod
    def _challenge(uow: UnitOfWork, secret: object, *, now: datetime) -> LoginChallengeRecord:
        record = (
            uow.challenges.find(hash_token(secret)) if isinstance(secret, str) and secret else None
        )
        if (
            record is None
            or not isinstance(secret, str)
            or not token_matches(secret, record.token_hash)
            or record.used_at is not None
            or now >= record.expires_at
        ):
            raise InvalidToken("login.challenge_expired")
        return record

    # Sessions ----------------------------------------------------------------------------

    def _start_session(self, uow: UnitOfWork, user: User, *, now: datetime) -> Session:
        """Open a session for ``user`` inside the caller's transaction."""
        secret = new_token()
        record = SessionRecord(
            id=new_id(),
            user_id=user.id,
            token_hash=hash_token(secret),
            created_at=now,
            last_seen_at=now,
            expires_at=now + self._settings.session_lifetime,
        )
        uow.sessions.add(record)
        return Session(
            token=secret, user_id=user.id, actor=user.actor, expires_at=record.expires_at
        )

    def authenticate(self, session_token: str) -> Actor:
        """The actor behind a session token, or ``NotAuthenticated``.

        A session ends after ``Settings.session_idle_timeout`` without use and after
        ``Settings.session_lifetime`` in any case.
        """
        if not isinstance(session_token, str) or not session_token:
            raise NotAuthenticated(_EXPIRED)
        now = self._clock.now()
        with self._storage.unit_of_work() as uow:
            session = uow.sessions.find(hash_token(session_token))
            if (
                session is None
                or not token_matches(session_token, session.token_hash)
                or session.ended_at is not None
                or now >= session.expires_at
                or now - session.last_seen_at >= self._settings.session_idle_timeout
            ):
                raise NotAuthenticated(_EXPIRED)
            user = uow.users.get(session.user_id)
            if user is None or user.status is not AccountStatus.ACTIVE:
                raise NotAuthenticated(_EXPIRED)
            if now - session.last_seen_at >= _TOUCH_EVERY:
                uow.sessions.touch(session.id, at=now)
                uow.commit()
        return user.actor

    def logout(self, session_token: str) -> None:
        """End the session; an unknown or ended one is left as it is."""
        if not isinstance(session_token, str) or not session_token:
            return
        with self._storage.unit_of_work() as uow:
            session = uow.sessions.find(hash_token(session_token))
            if session is not None and token_matches(session_token, session.token_hash):
                uow.sessions.end(session.id, at=self._clock.now())
                uow.commit()


def _method(value: object) -> Method:
    if isinstance(value, str):
        try:
            return Method(value)
        except ValueError:
            pass
    raise ValidationError.single("method", "invalid")
