from __future__ import annotations

import enum
from collections.abc import Iterator
from datetime import datetime
from typing import overload

import attrs

from onzecoach.clock import optional_utc, utc
from onzecoach.results import OneTimeResult
from onzecoach.throttling import ThrottleState

__all__ = [
    "BackupCode",
    "BackupCodes",
    "Factor",
    "FactorKind",
    "FactorView",
    "LoginChallenge",
    "LoginChallengeRecord",
    "Method",
    "SmsCode",
    "ThrottleState",
    "TotpSetup",
]


class FactorKind(enum.StrEnum):
    SMS = "sms"
    TOTP = "totp"
    YUBIKEY = "yubikey"
    WEBAUTHN = "webauthn"


class Method(enum.StrEnum):
    """How a login's second step is answered."""

    SMS = "sms"
    TOTP = "totp"
    YUBIKEY = "yubikey"
    BACKUP_CODE = "backup_code"
    WEBAUTHN = "webauthn"


@attrs.frozen
class Factor:
    """A second factor of one user; usable once ``confirmed_at`` is set.

    Per kind: ``phone`` (E.164) for SMS, ``secret_sealed`` and ``last_step`` for an
    authenticator app (the secret sealed with ``Settings.secret_key``; the last time step
    accepted, so no code works twice), ``public_id`` for a YubiKey.
    """

    id: str
    user_id: str
    kind: FactorKind
    created_at: datetime = attrs.field(converter=utc)
    confirmed_at: datetime | None = attrs.field(default=None, converter=optional_utc)
    phone: str | None = None
    public_id: str | None = None
    secret_sealed: str | None = attrs.field(default=None, repr=False)
    last_step: int | None = None
    # A security key or passkey (WebAuthn): the credential id and its public key (COSE),
    # base64url; the signature counter; the transports the browser named, comma separated;
    # the name the user gave; the random user handle (base64url, never a name or address).
    credential_id: str | None = None
    public_key: str | None = None
    sign_count: int | None = None
    transports: str | None = None
    name: str | None = None
    user_handle: str | None = None
    last_used_at: datetime | None = attrs.field(default=None, converter=optional_utc)

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None

    def view(self) -> FactorView:
        return FactorView(
            id=self.id,
            kind=self.kind,
            created_at=self.created_at,
            confirmed_at=self.confirmed_at,
            phone=self.phone,
            public_id=self.public_id,
            name=self.name,
            last_used_at=self.last_used_at,
        )


@attrs.frozen
class FactorView:
    """A second factor as the account page shows it: the kind, when, and which phone or
    YubiKey; never the authenticator app's secret."""

    id: str
    kind: FactorKind
    created_at: datetime
    confirmed_at: datetime | None
    phone: str | None = None
    public_id: str | None = None
    #: A security key's name and last use.
    name: str | None = None
    last_used_at: datetime | None = None

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None


@attrs.frozen
class BackupCodes(OneTimeResult):
    """Backup codes, shown this once: the portal keeps only keyed hashes of them.

    Iterates, indexes and counts like the list of codes it holds.
    """

    codes: tuple[str, ...] = attrs.field(repr=False)

    def __iter__(self) -> Iterator[str]:
        return iter(self.codes)

    def __len__(self) -> int:
        return len(self.codes)

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[str, ...]: ...
    def __getitem__(self, index: int | slice) -> str | tuple[str, ...]:
        return self.codes[index]

    def __bool__(self) -> bool:
        return bool(self.codes)


@attrs.frozen
class BackupCode:
    """One backup code, stored as a keyed hash; ``used_at`` once it served a login."""

    id: str
    user_id: str
    code_hash: str = attrs.field(repr=False)
    created_at: datetime = attrs.field(converter=utc)
    used_at: datetime | None = attrs.field(default=None, converter=optional_utc)


@attrs.frozen
class SmsCode:
    """A code sent by SMS for ``ref`` (a factor being set up, or a login challenge)."""

    id: str
    user_id: str
    ref: str
    code_hash: str = attrs.field(repr=False)
    created_at: datetime = attrs.field(converter=utc)
    expires_at: datetime = attrs.field(converter=utc)
    tries: int = 0
    used_at: datetime | None = attrs.field(default=None, converter=optional_utc)


@attrs.frozen
class WebAuthnChallenge:
    """A WebAuthn challenge for ``ref``, the step it belongs to (an enrolment, a login's
    second step, a passkey sign-in), kept as a keyed hash; ``user_id`` is ``None`` for a
    passkey sign-in, whose user is known only from the answer."""

    id: str
    ref: str
    challenge_hash: str = attrs.field(repr=False)
    created_at: datetime = attrs.field(converter=utc)
    expires_at: datetime = attrs.field(converter=utc)
    user_id: str | None = None
    used_at: datetime | None = attrs.field(default=None, converter=optional_utc)


@attrs.frozen
class PasskeyChallenge(OneTimeResult):
    """What ``portal.auth.begin_passkey`` answers: the options for
    ``navigator.credentials.get()`` as the W3C JSON, and the token to pass back with the
    browser's answer to ``finish_passkey``."""

    token: str = attrs.field(repr=False)
    options: str
    expires_at: datetime


@attrs.frozen
class LoginChallengeRecord:
    """The stored half of a login's second step: the token only as its hash."""

    id: str
    user_id: str
    token_hash: str = attrs.field(repr=False)
    methods: tuple[Method, ...]
    created_at: datetime = attrs.field(converter=utc)
    expires_at: datetime = attrs.field(converter=utc)
    used_at: datetime | None = attrs.field(default=None, converter=optional_utc)
    ip: str | None = None


@attrs.frozen
class LoginChallenge(OneTimeResult):
    """What ``portal.auth.login`` answers: pass ``token`` to ``send_sms`` and ``verify``."""

    token: str = attrs.field(repr=False)
    methods: tuple[Method, ...]
    expires_at: datetime
    #: The last digits of the phone the SMS code goes to, for the screen ("eindigt op 78").
    phone_hint: str | None = None


@attrs.frozen
class TotpSetup(OneTimeResult):
    """An authenticator app to be confirmed: the secret, its ``otpauth://`` URI and QR code."""

    secret: str = attrs.field(repr=False)
    provisioning_uri: str = attrs.field(repr=False)
    qr_svg: str = attrs.field(repr=False)
