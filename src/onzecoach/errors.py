"""Every exception onzecoach raises.

One tree; catch the branch you can handle::

    OnzecoachError                  never raised directly
    ├── ValidationError             bad input; .errors: field -> Dutch message; .codes
    │   ├── PasswordPolicyError     .violations: codes such as "too_short", "reused"
    │   └── QueryTooShort           a search needs at least 3 letters
    ├── InvalidToken                unknown, used or expired link, challenge or session
    ├── VerificationFailed          a password or second-factor code that does not match
    ├── Throttled                   too many tries; .retry_at says when to try again
    ├── MfaRequired                 a second factor must be set up first
    ├── NotAuthenticated            no valid session
    ├── PermissionDenied            the actor's role may not do this
    ├── NotFound                    no such thing, or not the actor's to see
    ├── Conflict                    it exists already, or the state forbids the change
    ├── QuotaExceeded               more sessions than the trajectory holds
    ├── DecryptionFailed            sealed data altered, or sealed with a key not configured
    └── AdapterError                the outside world failed
        ├── StorageError            the database
        ├── MailDeliveryError       the mail server; .permanent: retrying will not help
        ├── SmsDeliveryError        the SMS gateway; .permanent: retrying will not help
        └── YubikeyServiceError     the YubiKey validation service failed or was not trusted

Messages never carry a secret (token, password, code): they are safe to log.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:
    from onzecoach.results import Enrollment

__all__ = [
    "AdapterError",
    "Conflict",
    "DecryptionFailed",
    "FieldError",
    "InvalidToken",
    "MailDeliveryError",
    "MfaRequired",
    "NotAuthenticated",
    "NotFound",
    "OnzecoachError",
    "PasswordPolicyError",
    "PermissionDenied",
    "QueryTooShort",
    "QuotaExceeded",
    "SmsDeliveryError",
    "StorageError",
    "Throttled",
    "ValidationError",
    "VerificationFailed",
    "YubikeyServiceError",
]


class OnzecoachError(Exception):
    """The base of every onzecoach error. Never raised directly."""


@attrs.frozen
class FieldError:
    """One rule one field broke: a stable ``code`` for programs, a Dutch ``message`` for people."""

    field: str
    code: str
    message: str


class ValidationError(OnzecoachError):
    """Input that breaks one or more rules; every bad field is named at once.

    ``errors`` maps each field to its Dutch message and ``codes`` maps it to a stable code.
    Where one field breaks several rules, the first is reported per field; ``details``
    keeps all of them in order.
    """

    def __init__(self, details: Iterable[FieldError]) -> None:
        self.details: tuple[FieldError, ...] = tuple(details)
        if not self.details:
            raise ValueError("a ValidationError needs at least one FieldError")
        errors: dict[str, str] = {}
        codes: dict[str, str] = {}
        for item in self.details:
            errors.setdefault(item.field, item.message)
            codes.setdefault(item.field, item.code)
        self.errors: Mapping[str, str] = errors
        self.codes: Mapping[str, str] = codes
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))

    @classmethod
    def single(cls, field: str, code: str, message: str) -> ValidationError:
        return cls([FieldError(field, code, message)])


class PasswordPolicyError(ValidationError):
    """A password that breaks the policy; ``violations`` lists every rule broken."""

    def __init__(self, details: Iterable[FieldError]) -> None:
        super().__init__(details)
        self.violations: tuple[str, ...] = tuple(item.code for item in self.details)


class QueryTooShort(ValidationError):
    """A search text with fewer letters than the minimum."""


class InvalidToken(OnzecoachError):
    """An unknown, used or expired link, challenge or session token."""


class VerificationFailed(OnzecoachError):
    """A password or second-factor code that does not match.

    ``reason`` says why, for programs: ``"mismatch"`` (the default), ``"expired"``,
    ``"replayed"``, ``"used"``, ``"wrong_key"`` (a YubiKey not bound to the account),
    ``"malformed"`` or ``"too_many_tries"``.
    """

    def __init__(self, message: str, *, reason: str = "mismatch") -> None:
        super().__init__(message)
        self.reason = reason


class Throttled(OnzecoachError):
    """Too many attempts; try again at ``retry_at`` (UTC)."""

    def __init__(self, message: str, *, retry_at: datetime) -> None:
        super().__init__(message)
        self.retry_at = retry_at


class MfaRequired(OnzecoachError):
    """A second factor has to be set up (or confirmed) before this step.

    Raised by a login with the right password for an account whose second factor is not
    set up (yet, or again after a reset): ``enrollment`` then carries the ``Enrollment``
    whose token continues the setup.
    """

    def __init__(self, message: str, *, enrollment: Enrollment | None = None) -> None:
        super().__init__(message)
        self.enrollment = enrollment


class NotAuthenticated(OnzecoachError):
    """No valid session."""


class PermissionDenied(OnzecoachError):
    """The actor's role does not allow this action.

    Never raised for another employer's data: that answers ``NotFound``.
    """


class NotFound(OnzecoachError):
    """No such object, or not one the actor may see."""


class Conflict(OnzecoachError):
    """The object exists already, or its state does not allow the change."""


class QuotaExceeded(OnzecoachError):
    """More appointments than the trajectory's sessions."""


class DecryptionFailed(OnzecoachError):
    """Sealed data that does not open: altered, or sealed with a key no longer configured."""


class AdapterError(OnzecoachError):
    """An adapter could not reach or use the outside world."""


class StorageError(AdapterError):
    """The database failed or is misconfigured."""


class _DeliveryError(AdapterError):
    """``unreachable``: the server could not be reached, timed out or dropped the
    connection, so the next message would fare the same; the outbox leaves the rest of the
    batch for that channel waiting instead of paying a timeout for each."""

    def __init__(self, message: str, *, permanent: bool = False, unreachable: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.unreachable = unreachable


class MailDeliveryError(_DeliveryError):
    """The mail server refused or could not be reached; ``permanent`` means retrying is futile."""


class SmsDeliveryError(_DeliveryError):
    """The SMS gateway refused or could not be reached; ``permanent`` means retrying is futile."""


class YubikeyServiceError(AdapterError):
    """The YubiKey validation service could not answer, or its answer cannot be trusted.

    ``status`` holds the service's status word where it gave one (``"BAD_SIGNATURE"``,
    ``"NO_SUCH_CLIENT"``, ``"BACKEND_ERROR"``, ...), or ``None`` (unreachable, a response
    whose signature or echo does not check out).
    """

    def __init__(self, message: str, *, status: str | None = None) -> None:
        super().__init__(message)
        self.status = status
