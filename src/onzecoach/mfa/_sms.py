"""SMS codes: sent at once for a step (``ref``), checked once, a wrong try counted."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from onzecoach.errors import SmsDeliveryError, Throttled, VerificationFailed
from onzecoach.ids import new_id
from onzecoach.mfa import _codes as codes
from onzecoach.mfa._model import SmsCode
from onzecoach.notifications import dutch_datetime

if TYPE_CHECKING:
    from onzecoach.mfa._ports import MfaUnitOfWork as UnitOfWork
    from onzecoach.notifications import SmsSender
    from onzecoach.settings import Settings

__all__ = ["check_sms_code", "send_code"]


def check_sms_code(
    uow: UnitOfWork, record: SmsCode | None, code: object, settings: Settings, *, now: datetime
) -> VerificationFailed | None:
    """Use ``record`` if ``code`` matches; else the failure to report (a wrong try counts)."""
    if record is None or record.used_at is not None:
        return VerificationFailed("sms.not_requested")
    if now >= record.expires_at:
        return VerificationFailed("sms.expired")
    if record.tries >= settings.sms_code_tries:
        return VerificationFailed("sms.too_many_tries")
    typed = codes.normalise_code(code) if isinstance(code, str) else ""
    if not settings.code_hasher.matches(typed, record.code_hash):
        uow.sms_codes.record_try(record.id)
        return VerificationFailed("code.mismatch")
    if not uow.sms_codes.use(record.id, now=now):
        return VerificationFailed("sms.used")
    return None


def send_code(
    uow: UnitOfWork,
    sms: SmsSender | None,
    settings: Settings,
    *,
    user_id: str,
    ref: str,
    phone: str,
    now: datetime,
) -> None:
    """Store a new SMS code for ``ref`` and send it at once: a person is waiting for it.

    Raises ``Throttled`` within ``Settings.sms_resend_cooldown`` of the previous code, and
    ``SmsDeliveryError`` when the gateway fails (the caller's transaction then rolls back).
    """
    previous = uow.sms_codes.latest(ref)
    if previous is not None and now < previous.created_at + settings.sms_resend_cooldown:
        again = previous.created_at + settings.sms_resend_cooldown
        raise Throttled("sms.resend_wait", retry_at=again)
    if sms is None:
        raise SmsDeliveryError("no SmsSender is configured on this Portal", permanent=True)
    code = codes.new_sms_code(settings.sms_code_length)
    record = SmsCode(
        id=new_id(),
        user_id=user_id,
        ref=ref,
        code_hash=settings.code_hasher.hash(code),
        created_at=now,
        expires_at=now + settings.sms_code_lifetime,
    )
    uow.sms_codes.add(record)
    until = dutch_datetime(record.expires_at).split(" om ")[1]
    sms.send(
        phone,
        f"Je OnzeCoach-code is {code}. Geldig tot {until}. Deel deze code met niemand.",
    )
