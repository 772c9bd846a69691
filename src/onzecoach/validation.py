"""Field checks shared by several features. Each returns the tidy value or a FieldError."""

from __future__ import annotations

import email_validator

from onzecoach.errors import FieldError

__all__ = ["check_email"]

EMAIL_MAX = 254


def check_email(field: str, value: object) -> str | FieldError:
    """A syntactically valid address (no DNS lookup), its domain normalised."""
    if not isinstance(value, str) or not value.strip():
        return FieldError(field, "required", "Vul een e-mailadres in.")
    try:
        result = email_validator.validate_email(
            value.strip(), check_deliverability=False, allow_smtputf8=True
        )
    except email_validator.EmailNotValidError:
        return FieldError(field, "invalid", "Vul een geldig e-mailadres in, zoals naam@bedrijf.nl.")
    if len(result.normalized) > EMAIL_MAX:
        return FieldError(field, "too_long", f"Een e-mailadres heeft hoogstens {EMAIL_MAX} tekens.")
    return result.normalized
