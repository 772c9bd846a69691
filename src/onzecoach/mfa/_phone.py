"""Mobile numbers as the manual asks for them: with a country code, Dutch 06 numbers too."""

from __future__ import annotations

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

from onzecoach.errors import FieldError

__all__ = ["check_mobile", "phone_hint"]

_MOBILE = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}


def check_mobile(field: str, value: object, *, region: str = "NL") -> str | FieldError:
    """The number in E.164 ("+31612345678"), or the rule it breaks, in Dutch.

    "06 12345678", "+31 6 12345678", "0031 6 12345678" and "+31 (0)6 12345678" are all the
    same Dutch mobile number; a number abroad needs its country code.
    """
    if not isinstance(value, str) or not value.strip():
        return FieldError.of(field, "required", key="mobile.required")
    text = value.strip()
    # "+31 (0)6 ..." writes the trunk zero in brackets; it is not dialled.
    text = text.replace("(0)", "")
    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException:
        return FieldError.of(field, "invalid", key="mobile.invalid")
    if not phonenumbers.is_valid_number(number):
        return FieldError.of(field, "invalid", key="mobile.invalid")
    if phonenumbers.number_type(number) not in _MOBILE:
        return FieldError.of(field, "not_mobile", key="mobile.not_mobile")
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def phone_hint(e164: str) -> str:
    """The last two digits, for a screen that says where the code went."""
    return e164[-2:]
