from __future__ import annotations

import functools
from datetime import datetime
from typing import TYPE_CHECKING

import attrs
import pyotp
import segno
import webauthn
from webauthn.helpers import bytes_to_base64url
from webauthn.helpers.exceptions import InvalidRegistrationResponse
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from onzecoach.access import load, require_actor, require_service_desk
from onzecoach.accounts import AccountStatus, TokenPurpose, User, find_usable, issue
from onzecoach.actors import Actor
from onzecoach.audit import audit_entry
from onzecoach.crypto import ResealReport
from onzecoach.errors import (
    Conflict,
    DecryptionFailed,
    FieldError,
    InvalidToken,
    MfaRequired,
    NotAuthenticated,
    NotFound,
    ValidationError,
    VerificationFailed,
    YubikeyServiceError,
)
from onzecoach.ids import is_id, new_id
from onzecoach.mfa import _codes as codes
from onzecoach.mfa import _webauthn as wa
from onzecoach.mfa._model import (
    BackupCode,
    BackupCodes,
    Factor,
    FactorKind,
    FactorView,
    TotpSetup,
)
from onzecoach.mfa._phone import check_mobile
from onzecoach.mfa._sms import check_sms_code, send_code
from onzecoach.results import Enrollment

if TYPE_CHECKING:
    from onzecoach.clock import Clock
    from onzecoach.crypto import Sealer
    from onzecoach.events import Transactions
    from onzecoach.mfa._ports import MfaUnitOfWork as UnitOfWork
    from onzecoach.mfa._ports import YubikeyVerifier
    from onzecoach.notifications import SmsSender
    from onzecoach.settings import Settings

__all__ = ["MfaService", "reseal_secret", "totp_context"]


def totp_context(factor_id: str) -> str:
    """What an authenticator secret's sealing is bound to: its own factor."""
    return f"totp:{factor_id}"


class MfaService:
    """Setting up and managing second factors (``portal.mfa``).

    The setup calls take the enrollment token that ``portal.accounts.register`` (or
    ``setup_token`` for a signed-in user) handed out; ``finish`` closes the setup.
    """

    def __init__(
        self,
        *,
        storage: Transactions[UnitOfWork],
        clock: Clock,
        settings: Settings,
        sms: SmsSender | None,
        yubikey: YubikeyVerifier | None,
    ) -> None:
        self._storage = storage
        self._clock = clock
        self._settings = settings
        self._sms = sms
        self._yubikey = yubikey

    # SMS ---------------------------------------------------------------------------------

    def begin_sms(self, enrollment_token: str, phone: str) -> str:
        """Send a code to ``phone``; return the number as used (E.164).

        Dutch numbers may be given as 06..., +31 6... or 0031 6...; others need their
        country code. A landline is refused: it cannot receive an SMS.
        """
        number = check_mobile("phone", phone)
        if isinstance(number, FieldError):
            raise ValidationError([number])
        now = self._clock.now()
        with self._storage.unit_of_work() as uow:
            user = self._enrolling(uow, enrollment_token, now=now)
            pending = self._pending(uow, user, FactorKind.SMS)
            if pending is None:
                pending = Factor(id=new_id(), user_id=user.id, kind=FactorKind.SMS, created_at=now)
                uow.factors.add(attrs.evolve(pending, phone=number))
            elif pending.phone != number:
                uow.factors.save(attrs.evolve(pending, phone=number))
            send_code(
                uow,
                self._sms,
                self._settings,
                user_id=user.id,
                ref=pending.id,
                phone=number,
                now=now,
            )
            uow.commit()
        return number

    def confirm_sms(self, enrollment_token: str, code: str) -> None:
        """Confirm the phone with the code it received (3 tries, 10 minutes)."""
        now = self._clock.now()
        with self._storage.unit_of_work() as uow:
            user = self._enrolling(uow, enrollment_token, now=now)
            pending = self._pending(uow, user, FactorKind.SMS)
            record = None if pending is None else uow.sms_codes.latest(pending.id)
            failure = check_sms_code(uow, record, code, self._settings, now=now)
            if failure is None and pending is not None:
                self._confirm(uow, user, pending, now=now)
            uow.commit()
        if failure is not None:
            raise failure

    # Authenticator app -------------------------------------------------------------------

    def begin_totp(self, enrollment_token: str, *, again: bool = False) -> TotpSetup:
        """A new 160-bit secret, its ``otpauth://`` URI and QR code, to scan with the app.

        With ``again``, the secret not yet confirmed, if there is one: a page shown again
        (a reload, a wrong code) must not replace a QR code the user has already scanned.
        """
        now = self._clock.now()
        with self._storage.unit_of_work() as uow:
            user = self._enrolling(uow, enrollment_token, now=now)
            pending = self._pending(uow, user, FactorKind.TOTP)
            if again and pending is not None and pending.secret_sealed is not None:
                secret = self._settings.sealer.open(
                    pending.secret_sealed, context=totp_context(pending.id)
                )
            else:
                secret = codes.new_totp_secret()
                for stale in uow.factors.for_user(user.id):
                    if stale.kind is FactorKind.TOTP and not stale.confirmed:
                        uow.factors.delete(stale.id)
                factor_id = new_id()
                sealed = self._settings.sealer.seal(secret, context=totp_context(factor_id))
                uow.factors.add(
                    Factor(
                        id=factor_id,
                        user_id=user.id,
                        kind=FactorKind.TOTP,
                        created_at=now,
                        secret_sealed=sealed,
                    )
                )
                uow.commit()
        uri = pyotp.TOTP(secret).provisioning_uri(
            name=user.username, issuer_name=self._settings.totp_issuer
        )
        qr_svg = segno.make_qr(uri, error="m").svg_inline(scale=5, title="QR-code voor je app")
        return TotpSetup(secret=secret, provisioning_uri=uri, qr_svg=qr_svg)

    def confirm_totp(self, enrollment_token: str, code: str) -> None:
        """Confirm the app with a code it shows; that code cannot sign in afterwards."""
        now = self._clock.now()
        with self._storage.unit_of_work() as uow:
            user = self._enrolling(uow, enrollment_token, now=now)
            pending = self._pending(uow, user, FactorKind.TOTP)
            if pending is None or pending.secret_sealed is None:
                raise MfaRequired("mfa.app_not_begun")
            secret = self._settings.sealer.open(
                pending.secret_sealed, context=totp_context(pending.id)
            )
            step = codes.totp_match(secret, code if isinstance(code, str) else "", now=now)
            if step is None or not uow.factors.advance_step(pending.id, step):
                raise VerificationFailed("totp.mismatch")
            self._confirm(uow, user, pending, now=now)
            uow.commit()

    # YubiKey -----------------------------------------------------------------------------

    def add_yubikey(self, enrollment_token: str, otp: str) -> None:
        """Bind a YubiKey: touch it to type an OTP; its first 12 characters identify it."""
        raw = otp.strip() if isinstance(otp, str) else ""
        if not codes.is_yubikey_otp(raw):
            raise VerificationFailed("yubikey.malformed")
        typed = raw.lower()
        now = self._clock.now()
        with self._storage.unit_of_work() as uow:
            self._enrolling(uow, enrollment_token, now=now)
        self._verifier().verify(typed)
        with self._storage.unit_of_work() as uow:
            user = self._enrolling(uow, enrollment_token, now=now)
            factor = Factor(
                id=new_id(),
                user_id=user.id,
                kind=FactorKind.YUBIKEY,
                created_at=now,
                public_id=codes.yubikey_public_id(typed),
            )
            uow.factors.add(factor)
            self._confirm(uow, user, factor, now=now)
            uow.commit()

    # Security key or passkey (WebAuthn) -------------------------------------------------

    def begin_webauthn(self, enrollment_token: str) -> str:
        """The options for ``navigator.credentials.create()``, as the W3C JSON: the relying
        party ``Settings.base_url``'s host, a random user handle (one per user), the keys
        registered already excluded, a challenge for this enrollment (5 minutes, once)."""
        now = self._clock.now()
        with self._storage.unit_of_work() as uow:
            enrollment = find_usable(uow, enrollment_token, TokenPurpose.ENROLLMENT, now=now)
            user = self._user(uow, enrollment.user_id)
            keys = wa.keys(uow.factors.for_user(user.id))
            pending = self._pending(uow, user, FactorKind.WEBAUTHN)
            handle = next((k.user_handle for k in keys if k.user_handle), None)
            if pending is None:
                pending = Factor(
                    id=new_id(),
                    user_id=user.id,
                    kind=FactorKind.WEBAUTHN,
                    created_at=now,
                    user_handle=handle or wa.new_user_handle(),
                )
                uow.factors.add(pending)
            handle = handle or pending.user_handle or wa.new_user_handle()
            rp_id, _ = wa.relying_party(self._settings.base_url)
            options = webauthn.generate_registration_options(
                rp_id=rp_id,
                rp_name=self._settings.totp_issuer,
                user_name=user.username,
                user_id=webauthn.base64url_to_bytes(handle),
                timeout=int(wa.CHALLENGE_LIFETIME.total_seconds() * 1000),
                exclude_credentials=wa.descriptors(
                    [k.credential_id for k in keys if k.credential_id]
                ),
                # A passkey where the authenticator can keep one, so that it may later sign
                # in alone where that is allowed; a plain security key works as well.
                authenticator_selection=AuthenticatorSelectionCriteria(
                    resident_key=ResidentKeyRequirement.PREFERRED,
                    user_verification=UserVerificationRequirement.PREFERRED,
                ),
            )
            wa.store_challenge(
                uow, self._settings, user.id, enrollment.id, options.challenge, now=now
            )
            uow.commit()
        return webauthn.options_to_json(options)

    def finish_webauthn(self, enrollment_token: str, response_json: str, name: str) -> FactorView:
        """Verify the browser's answer to ``begin_webauthn``; keep the key as ``name``.

        ``VerificationFailed`` (``webauthn.*``) for a refused answer, ``Conflict`` for a key
        the user has already."""
        label = wa.key_name(name)
        credential = wa.parse_attestation(response_json)
        answered = wa.challenge_of(credential.response.client_data_json)
        rp_id, origin = wa.relying_party(self._settings.base_url)
        now = self._clock.now()
        with self._storage.unit_of_work() as uow:
            enrollment = find_usable(uow, enrollment_token, TokenPurpose.ENROLLMENT, now=now)
            user = self._user(uow, enrollment.user_id)
            failure = wa.spend_challenge(uow, self._settings, enrollment.id, answered, now=now)
            if failure is None:
                try:
                    verified = webauthn.verify_registration_response(
                        credential=credential,
                        expected_challenge=answered,
                        expected_rp_id=rp_id,
                        expected_origin=origin,
                    )
                except InvalidRegistrationResponse:
                    failure = VerificationFailed("webauthn.mismatch")
            if failure is not None:
                uow.commit()
                raise failure
            credential_id = bytes_to_base64url(verified.credential_id)
            if uow.factors.by_credential_id(credential_id) is not None:
                uow.commit()  # the answer spent its challenge, as every answer does
                raise Conflict("webauthn.registered")
            pending = self._pending(uow, user, FactorKind.WEBAUTHN)
            if pending is None:
                raise VerificationFailed("webauthn.challenge_used")
            factor = attrs.evolve(
                pending,
                credential_id=credential_id,
                public_key=bytes_to_base64url(verified.credential_public_key),
                sign_count=verified.sign_count,
                transports=wa.transports_of(credential),
                name=label,
            )
            uow.factors.save(factor)
            self._confirm(uow, user, factor, now=now)
            uow.commit()
        return attrs.evolve(factor, confirmed_at=now).view()

    # Finishing and backup codes ------------------------------------------------------------

    def finish(self, enrollment_token: str) -> BackupCodes:
        """Close the setup; return the backup codes, which are shown this once.

        Needs at least one confirmed method (``MfaRequired`` otherwise). A signed-in user
        who added a method keeps the backup codes they have, and gets none.
        """
        now = self._clock.now()
        with self._storage.unit_of_work() as uow:
            enrollment = find_usable(uow, enrollment_token, TokenPurpose.ENROLLMENT, now=now)
            user = self._user(uow, enrollment.user_id)
            if not any(f.confirmed for f in uow.factors.for_user(user.id)):
                raise MfaRequired("mfa.confirm_first")
            if not uow.tokens.consume(enrollment.id, now=now):
                raise tokens_invalid()
            backup = BackupCodes(())
            if user.status is AccountStatus.ENROLLING:
                backup = self._new_backup_codes(uow, user, now=now)
                uow.users.save(attrs.evolve(user, status=AccountStatus.ACTIVE))
                self._audit(uow, user.actor, "mfa.enrolled", user, now=now)
            uow.commit()
        return backup

    def regenerate_backup_codes(self, actor: Actor) -> BackupCodes:
        """A new set of backup codes for the signed-in user; the old set stops working."""
        now = self._clock.now()
        with self._storage.unit_of_work() as uow:
            user = self._signed_in(uow, actor)
            fresh = self._new_backup_codes(uow, user, now=now)
            self._audit(uow, actor, "mfa.backup_codes_regenerated", user, now=now)
            uow.commit()
        return fresh

    def backup_codes_left(self, actor: Actor) -> int:
        """How many of the signed-in actor's backup codes are still unused."""
        with self._storage.unit_of_work() as uow:
            return uow.backup_codes.count_unused(self._signed_in(uow, actor).id)

    # Signed in ------------------------------------------------------------------------------

    def setup_token(self, actor: Actor) -> Enrollment:
        """An enrollment for a signed-in user who adds a method (then ``finish``)."""
        now = self._clock.now()
        with self._storage.unit_of_work() as uow:
            user = self._signed_in(uow, actor)
            secret, token = issue(
                uow,
                TokenPurpose.ENROLLMENT,
                user.id,
                now=now,
                lifetime=self._settings.enrollment_lifetime,
            )
            uow.commit()
        return Enrollment(
            token=secret, user_id=user.id, username=user.username, expires_at=token.expires_at
        )

    def methods(self, actor: Actor) -> list[FactorView]:
        """The signed-in user's confirmed methods, oldest first."""
        with self._storage.unit_of_work() as uow:
            user = self._signed_in(uow, actor)
            return [f.view() for f in uow.factors.for_user(user.id) if f.confirmed]

    def remove_method(self, actor: Actor, factor_id: str) -> None:
        """Remove one of the user's methods; never the last one."""
        now = self._clock.now()
        with self._storage.unit_of_work() as uow:
            user = self._signed_in(uow, actor)
            mine = [f for f in uow.factors.for_user(user.id) if f.confirmed]
            if not isinstance(factor_id, str) or factor_id not in {f.id for f in mine}:
                raise NotFound("factor.not_found")
            if len(mine) == 1:
                raise Conflict("factor.last")
            uow.factors.delete(factor_id)
            self._audit(uow, actor, "mfa.method_removed", user, now=now)
            uow.commit()

    def rename_key(self, actor: Actor, factor_id: str, name: str) -> FactorView:
        """Give one of the user's security keys another name (1 to 64 characters)."""
        label = wa.key_name(name)
        now = self._clock.now()
        with self._storage.unit_of_work() as uow:
            user = self._signed_in(uow, actor)
            key = next(
                (
                    f
                    for f in wa.keys(uow.factors.for_user(user.id))
                    if isinstance(factor_id, str) and f.id == factor_id
                ),
                None,
            )
            if key is None:
                raise NotFound("factor.not_found")
            renamed = attrs.evolve(key, name=label)
            if renamed != key:
                uow.factors.save(renamed)
                self._audit(uow, actor, "mfa.key_renamed", user, now=now)
            uow.commit()
        return renamed.view()

    def reset(self, actor: Actor, user_id: str) -> None:
        """The service desk's reset: every method and backup code goes, every session ends.

        The next login with the password leads to a new setup (``MfaRequired`` carrying
        an ``Enrollment``).
        """
        require_service_desk(actor)
        now = self._clock.now()
        with self._storage.unit_of_work() as uow:
            # Locked: the account is written back whole, over no password change.
            user = load(
                user_id, functools.partial(uow.users.get, for_update=True), missing="user.not_found"
            )
            uow.factors.delete_for_user(user.id)
            uow.backup_codes.replace(user.id, [])
            uow.sessions.end_all(user.id, at=now)
            uow.tokens.revoke_for_user(user.id, TokenPurpose.ENROLLMENT, now=now)
            if user.status is AccountStatus.ACTIVE:
                uow.users.save(attrs.evolve(user, status=AccountStatus.ENROLLING))
            self._audit(uow, actor, "mfa.reset", user, now=now)
            uow.commit()

    # Key rotation -----------------------------------------------------------------------

    def reseal(self, actor: Actor, *, batch_size: int = 500) -> ResealReport:
        """Seal every authenticator-app secret sealed under an old key again under the
        current ``Settings.secret_key``.

        The step of a key rotation after which the old key is no longer needed for app
        secrets (``docs/operations.md``); logins do the same for their own secret. A
        secret that no configured key opens is left as it is and counted as
        ``unreadable``: its user needs a reset. Each batch is its own transaction;
        audited as ``mfa.resealed``.
        """
        require_service_desk(actor)
        sealer = self._settings.sealer
        resealed = unreadable = 0
        after: str | None = None
        while True:
            with self._storage.unit_of_work() as uow:
                page = uow.factors.with_secrets(after=after, limit=batch_size)
                if not page:
                    break
                after = page[-1].id
                for factor in page:
                    if factor.secret_sealed is None:
                        continue
                    try:
                        if reseal_secret(uow, sealer, factor.id, factor.secret_sealed):
                            resealed += 1
                    except DecryptionFailed:
                        unreadable += 1
                uow.commit()
        with self._storage.unit_of_work() as uow:
            uow.audit.append(
                audit_entry(
                    actor,
                    "mfa.resealed",
                    at=self._clock.now(),
                    employer_id=None,
                    subject_type="key",
                    subject_id="secret_key",
                    secrets=resealed,
                    unreadable=unreadable,
                )
            )
            uow.commit()
        return ResealReport(resealed=resealed, unreadable=unreadable)

    # Helpers --------------------------------------------------------------------------------

    def _verifier(self) -> YubikeyVerifier:
        if self._yubikey is None:
            raise YubikeyServiceError("no YubikeyVerifier is configured on this Portal")
        return self._yubikey

    def _enrolling(self, uow: UnitOfWork, secret: str, *, now: datetime) -> User:
        enrollment = find_usable(uow, secret, TokenPurpose.ENROLLMENT, now=now)
        return self._user(uow, enrollment.user_id)

    @staticmethod
    def _user(uow: UnitOfWork, user_id: str | None) -> User:
        user = None if user_id is None else uow.users.get(user_id)
        if user is None or user.status not in {AccountStatus.ENROLLING, AccountStatus.ACTIVE}:
            raise tokens_invalid()
        return user

    @staticmethod
    def _signed_in(uow: UnitOfWork, actor: Actor) -> User:
        # Locked, so that two changes to one account's methods or codes take turns (two
        # removals at once could otherwise leave no method at all).
        require_actor(actor)
        user = uow.users.get(actor.user_id, for_update=True) if is_id(actor.user_id) else None
        if user is None or not user.signed_in_as(actor):
            raise NotAuthenticated("session.required")
        return user

    @staticmethod
    def _pending(uow: UnitOfWork, user: User, kind: FactorKind) -> Factor | None:
        pending = [f for f in uow.factors.for_user(user.id) if f.kind is kind and not f.confirmed]
        return pending[-1] if pending else None

    def _confirm(self, uow: UnitOfWork, user: User, factor: Factor, *, now: datetime) -> None:
        current = uow.factors.get(factor.id) or factor
        uow.factors.save(attrs.evolve(current, confirmed_at=now))
        if factor.kind not in {FactorKind.YUBIKEY, FactorKind.WEBAUTHN}:
            # One phone and one app per account: a new one replaces the old.
            for old in uow.factors.for_user(user.id):
                if old.kind is factor.kind and old.id != factor.id:
                    uow.factors.delete(old.id)
        self._audit(uow, user.actor, f"mfa.{factor.kind.value}_added", user, now=now)

    def _new_backup_codes(self, uow: UnitOfWork, user: User, *, now: datetime) -> BackupCodes:
        fresh = [codes.new_backup_code() for _ in range(self._settings.backup_code_count)]
        hasher = self._settings.code_hasher
        uow.backup_codes.replace(
            user.id,
            [
                BackupCode(
                    id=new_id(),
                    user_id=user.id,
                    code_hash=hasher.hash(codes.normalise_code(code)),
                    created_at=now,
                )
                for code in fresh
            ],
        )
        return BackupCodes(tuple(fresh))

    def _audit(
        self, uow: UnitOfWork, actor: Actor | None, action: str, user: User, *, now: datetime
    ) -> None:
        uow.audit.append(
            audit_entry(
                actor,
                action,
                at=now,
                employer_id=user.employer_id,
                subject_type="user",
                subject_id=user.id,
            )
        )


def reseal_secret(uow: UnitOfWork, sealer: Sealer, factor_id: str, sealed: str) -> bool:
    """Seal an app secret again under the current key if an old one sealed it.

    ``True`` when it was sealed again; ``False`` when it is current already or changed
    meanwhile. ``DecryptionFailed`` when no configured key opens it.
    """
    fresh = sealer.renewed(sealed, context=totp_context(factor_id))
    return fresh is not None and uow.factors.replace_secret(factor_id, old=sealed, new=fresh)


def tokens_invalid() -> InvalidToken:
    return InvalidToken("link.invalid")
