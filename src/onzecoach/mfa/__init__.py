"""Second factors and login: SMS, authenticator app, YubiKey, backup codes, throttling."""

from onzecoach.crypto import ResealReport
from onzecoach.mfa._auth import AuthService, MethodName
from onzecoach.mfa._codes import MODHEX, is_yubikey_otp
from onzecoach.mfa._model import (
    BackupCode,
    BackupCodes,
    Factor,
    FactorKind,
    FactorView,
    LoginChallenge,
    LoginChallengeRecord,
    Method,
    PasskeyChallenge,
    SmsCode,
    TotpSetup,
    WebAuthnChallenge,
)
from onzecoach.mfa._ports import (
    BackupCodeRepository,
    ChallengeRepository,
    FactorRepository,
    MfaRepositories,
    MfaUnitOfWork,
    SmsCodeRepository,
    WebAuthnChallengeRepository,
    YubikeyVerifier,
)
from onzecoach.mfa._service import MfaService
from onzecoach.throttling import ThrottleState

__all__ = [
    "MODHEX",
    "AuthService",
    "BackupCode",
    "BackupCodeRepository",
    "BackupCodes",
    "ChallengeRepository",
    "Factor",
    "FactorKind",
    "FactorRepository",
    "FactorView",
    "LoginChallenge",
    "LoginChallengeRecord",
    "Method",
    "MethodName",
    "MfaRepositories",
    "MfaService",
    "MfaUnitOfWork",
    "PasskeyChallenge",
    "ResealReport",
    "SmsCode",
    "SmsCodeRepository",
    "ThrottleState",
    "TotpSetup",
    "WebAuthnChallenge",
    "WebAuthnChallengeRepository",
    "YubikeyVerifier",
    "is_yubikey_otp",
]
