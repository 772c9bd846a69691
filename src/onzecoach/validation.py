"""Field checks shared by several features. Each returns the tidy value or a FieldError."""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Final, TypeGuard

import email_validator
from email_validator.rfc_constants import CASE_INSENSITIVE_MAILBOX_NAMES

from onzecoach.errors import FieldError

__all__ = ["check_email", "is_printable"]

EMAIL_MAX = 254

#: The characters RFC 5322 allows unquoted before the @-sign, periods apart.
_ATEXT: Final = r"A-Za-z0-9!#$%&'*+/=?^_`{|}~-"
#: An address in its everyday form: a dot-atom of at most 64 characters before the @-sign,
#: letters, digits and inner hyphens in each label after it, and a top-level domain of
#: letters. Anything else is left to ``email_validator``.
_PLAIN_EMAIL: Final = re.compile(
    rf"(?=[^@]{{1,64}}@)[{_ATEXT}]+(?:\.[{_ATEXT}]+)*"
    r"@((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63})"
)
#: Mailbox names that RFC 2142 makes case-insensitive, and so written in lower case.
_CASE_INSENSITIVE_MAILBOXES: Final = frozenset(CASE_INSENSITIVE_MAILBOX_NAMES)


def check_email(field: str, value: object) -> str | FieldError:
    """A syntactically valid address (no DNS lookup), its domain normalised."""
    if isinstance(value, str):
        plain = _plain_email(value.strip())
        if plain is not None:
            return plain
    return _check_email_slow(field, value)


def _plain_email(text: str) -> str | None:
    """``text`` as ``email_validator`` normalises it, if it is an everyday ASCII address.

    ``None`` for every other address, valid or not: ``_check_email_slow`` judges those.
    """
    if len(text) > EMAIL_MAX or not text.isascii():
        return None
    match = _PLAIN_EMAIL.fullmatch(text)
    if match is None:
        return None
    domain = match[1].lower()
    # Labels with "--" may be Punycode or reserved (RFC 5890); special-use names are refused.
    special = _special_use_suffixes(tuple(email_validator.SPECIAL_USE_DOMAIN_NAMES))
    if "--" in domain or f".{domain}".endswith(special):
        return None
    local = text[: match.start(1) - 1]
    if local.lower() in _CASE_INSENSITIVE_MAILBOXES:
        local = local.lower()
    return f"{local}@{domain}"


@functools.lru_cache(maxsize=4)
def _special_use_suffixes(names: tuple[str, ...]) -> tuple[str, ...]:
    """Each special-use domain name after a period: a domain is one, or under one, if it ends so."""
    return tuple(f".{name}" for name in names)


def _check_email_slow(field: str, value: object) -> str | FieldError:
    """``check_email`` for every address, by ``email_validator`` itself."""
    if not isinstance(value, str) or not value.strip():
        return FieldError.of(field, "required", key="email.required")
    try:
        result = email_validator.validate_email(
            value.strip(), check_deliverability=False, allow_smtputf8=True
        )
    except email_validator.EmailNotValidError:
        return FieldError.of(field, "invalid", key="email.invalid")
    if len(result.normalized) > EMAIL_MAX:
        return FieldError.of(field, "too_long", key="email.too_long", max_length=EMAIL_MAX)
    return result.normalized


def is_printable(value: object, *, max_length: int) -> TypeGuard[str]:
    """Whether ``value`` is text of at most ``max_length`` characters without control,
    format, private-use or unassigned characters or lone surrogates (spaces pass).

    What every free-text field must be before it reaches a database: a NUL fails
    PostgreSQL's driver and a lone surrogate every UTF-8 encoder.
    """
    return (
        isinstance(value, str)
        and len(value) <= max_length
        and (
            (value.isascii() and value.isprintable())
            or not any(
                unicodedata.category(char)[0] == "C" and not char.isspace() for char in value
            )
        )
    )
