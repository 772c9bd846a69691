"""Accounts: invitations, registration, passwords, resets and sessions."""

from onzecoach.accounts._hashing import CHEAPEST, OWASP_MINIMUM, RFC_9106_LOW_MEMORY, PasswordHasher
from onzecoach.accounts._invitations import InvitationService
from onzecoach.accounts._model import (
    AccountStatus,
    Enrollment,
    Invitation,
    LinkStatus,
    OneTimeToken,
    Session,
    SessionRecord,
    TokenPurpose,
    User,
    username_key,
)
from onzecoach.accounts._service import AccountService
from onzecoach.passwords import PasswordPolicy

__all__ = [
    "CHEAPEST",
    "OWASP_MINIMUM",
    "RFC_9106_LOW_MEMORY",
    "AccountService",
    "AccountStatus",
    "Enrollment",
    "Invitation",
    "InvitationService",
    "LinkStatus",
    "OneTimeToken",
    "PasswordHasher",
    "PasswordPolicy",
    "Session",
    "SessionRecord",
    "TokenPurpose",
    "User",
    "username_key",
]
