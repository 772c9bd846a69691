"""Second factors and login: SMS, authenticator app, YubiKey, backup codes, throttling."""

from onzecoach.crypto import ResealReport
from onzecoach.mfa._auth import AuthService
from onzecoach.mfa._model import (
    BackupCode,
    Factor,
    FactorKind,
    LoginChallenge,
    LoginChallengeRecord,
    Method,
    SmsCode,
    ThrottleState,
    TotpSetup,
)
from onzecoach.mfa._service import MfaService

__all__ = [
    "AuthService",
    "BackupCode",
    "Factor",
    "FactorKind",
    "LoginChallenge",
    "LoginChallengeRecord",
    "Method",
    "MfaService",
    "ResealReport",
    "SmsCode",
    "ThrottleState",
    "TotpSetup",
]
