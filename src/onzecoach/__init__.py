"""onzecoach: a typed, framework-free SDK for an employer-side coaching portal.

Start with :class:`Portal`; every error is an :class:`OnzecoachError`.
"""

from onzecoach._version import __version__
from onzecoach.actors import Actor, Role
from onzecoach.clock import SystemClock
from onzecoach.errors import (
    AdapterError,
    CalendarError,
    Conflict,
    DecryptionFailed,
    FieldError,
    InvalidToken,
    MailDeliveryError,
    MfaRequired,
    NotAuthenticated,
    NotFound,
    OnzecoachError,
    PasswordPolicyError,
    PermissionDenied,
    QueryTooShort,
    QuotaExceeded,
    SlotTaken,
    SmsDeliveryError,
    StorageError,
    Throttled,
    ValidationError,
    VerificationFailed,
    YubikeyServiceError,
)
from onzecoach.portal import Portal
from onzecoach.settings import Settings

__all__ = [
    "Actor",
    "AdapterError",
    "CalendarError",
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
    "Portal",
    "QueryTooShort",
    "QuotaExceeded",
    "Role",
    "Settings",
    "SlotTaken",
    "SmsDeliveryError",
    "StorageError",
    "SystemClock",
    "Throttled",
    "ValidationError",
    "VerificationFailed",
    "YubikeyServiceError",
    "__version__",
]
