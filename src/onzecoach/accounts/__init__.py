"""Accounts: invitations, registration, passwords, resets and sessions."""

from onzecoach.accounts._hashing import CHEAPEST, OWASP_MINIMUM, RFC_9106_LOW_MEMORY, PasswordHasher
from onzecoach.accounts._invitations import InvitationService
from onzecoach.accounts._model import (
    AccountStatus,
    Invitation,
    LinkStatus,
    OneTimeToken,
    Session,
    SessionRecord,
    TokenPurpose,
    User,
    UserView,
    check_username,
    username_key,
)
from onzecoach.accounts._passwords import PasswordVerifier
from onzecoach.accounts._ports import (
    AccountRepositories,
    AccountUnitOfWork,
    PasswordHistoryRepository,
    SessionRepository,
    TokenRepository,
    UserRepository,
)
from onzecoach.accounts._service import AccountService
from onzecoach.accounts._tokens import find_usable, issue
from onzecoach.passwords import PasswordPolicy, PasswordRule
from onzecoach.results import Enrollment

__all__ = [
    "CHEAPEST",
    "OWASP_MINIMUM",
    "RFC_9106_LOW_MEMORY",
    "AccountRepositories",
    "AccountService",
    "AccountStatus",
    "AccountUnitOfWork",
    "Enrollment",
    "Invitation",
    "InvitationService",
    "LinkStatus",
    "OneTimeToken",
    "PasswordHasher",
    "PasswordHistoryRepository",
    "PasswordPolicy",
    "PasswordRule",
    "PasswordVerifier",
    "Session",
    "SessionRecord",
    "SessionRepository",
    "TokenPurpose",
    "TokenRepository",
    "User",
    "UserRepository",
    "UserView",
    "check_username",
    "find_usable",
    "issue",
    "username_key",
]
