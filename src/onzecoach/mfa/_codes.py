"""The codes of the second step: SMS codes, backup codes and authenticator-app codes."""

from __future__ import annotations

import hmac
import re
import secrets
from datetime import datetime

import pyotp

__all__ = [
    "BACKUP_CODE_LENGTH",
    "new_backup_code",
    "new_sms_code",
    "new_totp_secret",
    "normalise_code",
    "totp_match",
    "totp_step",
]

#: Lower-case letters and digits, as the manual tells users, without the look-alikes
#: i, l, o, 0 and 1: 31 symbols, nearly 5 bits each.
CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
BACKUP_CODE_LENGTH = 10  # 49.5 bits
TOTP_PERIOD = 30


def _random_code(length: int) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def new_sms_code(length: int) -> str:
    """A code for an SMS: ``length`` lower-case letters and digits (8 give 39.6 bits)."""
    return _random_code(length)


def new_backup_code() -> str:
    """A backup code of 49.5 bits, grouped for reading: ``abcde-fgh23``."""
    code = _random_code(BACKUP_CODE_LENGTH)
    return f"{code[:5]}-{code[5:]}"


def normalise_code(value: str) -> str:
    """What people type, compared as stored: case, spaces and dashes do not matter."""
    return "".join(ch for ch in value.lower() if ch not in " -\t\n")


def new_totp_secret() -> str:
    """A 160-bit secret in base32, as authenticator apps expect (RFC 4226 advises 160)."""
    return pyotp.random_base32(length=32)


def totp_step(moment: datetime) -> int:
    return int(moment.timestamp()) // TOTP_PERIOD


def totp_match(secret: str, code: str, *, now: datetime, drift: int = 1) -> int | None:
    """The time step whose code equals ``code``, allowing ``drift`` steps either way."""
    # isdigit() alone takes "٣" or "³": only ASCII digits are a code (and compare_digest
    # refuses anything but ASCII text).
    if not (len(code) == 6 and code.isascii() and code.isdigit()):
        return None
    generator = pyotp.TOTP(secret)
    current = totp_step(now)
    found = None
    for step in range(current - drift, current + drift + 1):
        # Compare all candidates, so the time taken does not say which one matched.
        if hmac.compare_digest(generator.generate_otp(step), code):
            found = step
    return found


#: Yubico's modhex: the characters a YubiKey types whatever the keyboard layout.
MODHEX = "cbdefghijklnrtuv"
YUBIKEY_OTP_LENGTH = 44
# Spelled out in both cases: re.IGNORECASE would also take the Kelvin sign for a "k".
_YUBIKEY_OTP = re.compile(f"[{MODHEX}{MODHEX.upper()}]{{{YUBIKEY_OTP_LENGTH}}}")


def is_yubikey_otp(value: str) -> bool:
    """Whether ``value`` has the form of a Yubico OTP: 44 modhex characters, any case.

    Only the form: whether it is genuine and unused, only the validation service knows.
    """
    return _YUBIKEY_OTP.fullmatch(value) is not None


def yubikey_public_id(otp: str) -> str:
    """The first 12 characters: the same for every OTP of one key."""
    return otp[:12]
