"""Settings: one frozen value holding everything a Portal is configured with.

``onzecoach.configuration`` makes ``Settings`` from a TOML file and ``ONZECOACH_*``
environment variables, the one way the ``onzecoach`` command, its outbox workers and the
reference web app read their configuration.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable
from datetime import timedelta
from email.headerregistry import Address
from email.utils import parseaddr
from typing import Any, Final
from urllib.parse import urlsplit

import argon2
import attrs
from argon2.profiles import RFC_9106_LOW_MEMORY

from onzecoach.catalogues import (
    DEFAULT_THEMES,
    DEFAULT_TRAJECTORY_TYPES,
    THEME_CODE_PATTERN,
    Theme,
    TrajectoryType,
    theme_key,
)
from onzecoach.crypto import CodeHasher, Sealer, code_hasher_for, sealer_for
from onzecoach.passwords import PasswordPolicy

__all__ = [
    "MAX_CANCELLATION_NOTICE",
    "MAX_RETENTION_MONTHS",
    "SECRET_KEY_MIN_BITS",
    "Settings",
    "estimate_key_bits",
]


def _absolute_http_url(_: Any, attribute: attrs.Attribute[Any], value: str | None) -> None:
    if value is None:
        return
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ValueError(f"{attribute.name} must be an absolute http(s) URL, got {value!r}")
    if parts.query or parts.fragment:
        raise ValueError(f"{attribute.name} must not carry a query or fragment, got {value!r}")


def _mail_address(_: Any, attribute: attrs.Attribute[Any], value: str) -> None:
    _, address = parseaddr(value)
    if address != value or "@" not in value or value.startswith("@") or value.endswith("@"):
        raise ValueError(f"{attribute.name} must be a bare e-mail address, got {value!r}")


def _positive(_: Any, attribute: attrs.Attribute[Any], value: int) -> None:
    if value <= 0:
        raise ValueError(f"{attribute.name} must be positive, got {value!r}")


def _positive_duration(_: Any, attribute: attrs.Attribute[Any], value: timedelta) -> None:
    if value <= timedelta(0):
        raise ValueError(f"{attribute.name} must be positive, got {value!r}")


#: The least estimated strength of ``secret_key``, in bits: the AES-256-GCM and HMAC-SHA256
#: keys are derived from it, so a key easier to guess than this is the weakest link.
SECRET_KEY_MIN_BITS: Final = 128
#: How much of a key is examined. zxcvbn's time grows faster than the length (about 30 ms
#: at 43 characters, 110 ms at 64) and it refuses more than 72; a key's prefix is a lower
#: bound of the key, since guessing the key means guessing its prefix too. Fewer than 64
#: would leave ``secrets.token_hex(32)`` too close to the bound: zxcvbn finds dates and
#: runs among its digits.
_EXAMINED_CHARACTERS: Final = 64
_KEY_ADVICE: Final = "make one with: python -c 'import secrets; print(secrets.token_urlsafe(32))'"
#: Estimates already made, by the key's SHA-256, so that the same key in many Settings
#: (every ``attrs.evolve``, every test) is examined once without keeping the key itself.
_KNOWN_BITS: dict[bytes, float] = {}


def estimate_key_bits(key: str) -> float:
    """How hard ``key`` is to guess, in bits: a cautious estimate, not a measurement.

    zxcvbn finds what an attacker tries first (words, names, repeats, sequences, dates,
    keyboard walks) and rates each such part. It rates the other characters as if each
    were one of 10, which would make a random key of 43 characters fail now and then; here
    each counts instead as one of the key's distinct characters, the simple bound that
    also catches a long key over a tiny alphabet. zxcvbn looks at the whole and, since a
    phrase of common words fools its search for the best split, word by word as well; the
    lower of the two counts. Only the first 64 characters are examined.
    """
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).digest()
    known = _KNOWN_BITS.get(digest)
    if known is None:
        examined = key[:_EXAMINED_CHARACTERS]
        distinct = len(set(examined))
        per_character = math.log2(distinct) if distinct > 1 else 0.0
        known = _rate(examined, per_character)
        words = [part for part in re.split(r"([\W_]+)", examined) if part]
        if len(words) > 1:
            known = min(known, sum(_rate(word, per_character) for word in words))
        if len(_KNOWN_BITS) >= 256:
            _KNOWN_BITS.clear()
        _KNOWN_BITS[digest] = known
    return known


def _rate(text: str, per_character: float) -> float:
    # Imported on first use: zxcvbn builds its dictionaries at import, about 0.1 s.
    from zxcvbn import zxcvbn  # type: ignore[import-untyped]  # noqa: PLC0415

    if not text:
        return 0.0
    bits = 0.0
    for match in zxcvbn(text)["sequence"]:
        if match["pattern"] == "bruteforce":
            bits += len(match["token"]) * per_character
        else:
            bits += float(match["guesses_log10"]) * math.log2(10)
    return bits


def _secret_key(_: Any, attribute: attrs.Attribute[Any], value: str) -> None:
    # The messages never show the key, nor anything of it.
    if not isinstance(value, str):
        raise ValueError(f"{attribute.name} must be a string; {_KEY_ADVICE}")
    bits = estimate_key_bits(value)
    if bits < SECRET_KEY_MIN_BITS:
        raise ValueError(
            f"{attribute.name} is too easy to guess: about {bits:.0f} bits, at least "
            f"{SECRET_KEY_MIN_BITS} needed (a random key, not words, repeats or keyboard "
            f"runs); {_KEY_ADVICE}"
        )


def _old_secret_keys(_: Any, attribute: attrs.Attribute[Any], value: tuple[str, ...]) -> None:
    # No strength check: a weak key must stay usable until it has been rotated out.
    for key in value:
        if not isinstance(key, str) or not key:
            raise ValueError(f"{attribute.name} must hold non-empty strings")


def _texts(_: Any, attribute: attrs.Attribute[Any], value: tuple[str, ...]) -> None:
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise ValueError(f"{attribute.name} must hold non-empty strings, got {item!r}")


def _trajectory_types(
    _: Any, attribute: attrs.Attribute[Any], value: tuple[TrajectoryType, ...]
) -> None:
    seen: set[str] = set()
    for index, kind in enumerate(value):
        where = f"{attribute.name}[{index}]"
        if not isinstance(kind, TrajectoryType):
            raise ValueError(f"{where} must be a TrajectoryType, got {type(kind).__name__}")
        if not kind.code.strip() or not kind.name.strip():
            raise ValueError(f"{where} needs a code and a name")
        if kind.sessions <= 0:
            raise ValueError(f"{where}.sessions must be positive, got {kind.sessions!r}")
        if kind.code in seen:
            # ``Settings.trajectory_type(code)`` would find only the first.
            raise ValueError(f"{where}.code {kind.code!r} is used twice")
        seen.add(kind.code)


#: The start of the UIDs of the portal's own calendar events.
_UID_PREFIX: Final = "onzecoach-"
_DOMAIN: Final = re.compile(r"(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?")


def _uid_domain(_: Any, attribute: attrs.Attribute[Any], value: str | None) -> None:
    if value is not None and (not isinstance(value, str) or not _DOMAIN.fullmatch(value)):
        raise ValueError(f"{attribute.name} must be a domain name such as portaal.example.nl")


#: The longest cancellation notice an employer may ask of its employees.
MAX_CANCELLATION_NOTICE: Final = timedelta(days=14)
#: The longest theme code and name (the stored theme's column holds 100 characters).
_THEME_CODE_MAX = 64
_THEME_NAME_MAX = 100


def _cancellation_notice(_: Any, attribute: attrs.Attribute[Any], value: timedelta) -> None:
    if not timedelta(0) <= value <= MAX_CANCELLATION_NOTICE:
        raise ValueError(f"{attribute.name} must be between 0 and 14 days, got {value!r}")
    if value % timedelta(minutes=1):
        raise ValueError(f"{attribute.name} must be whole minutes, got {value!r}")


#: The longest retention period an employer may have, in months (a century).
MAX_RETENTION_MONTHS: Final = 1200


def _retention_months(_: Any, attribute: attrs.Attribute[Any], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{attribute.name} must be a whole number of months, got {value!r}")
    if not 1 <= value <= MAX_RETENTION_MONTHS:
        raise ValueError(
            f"{attribute.name} must be between 1 and {MAX_RETENTION_MONTHS} months, got {value!r}"
        )


def _themes(_: Any, attribute: attrs.Attribute[Any], value: tuple[Theme, ...]) -> None:
    # Every code and name must name one theme only, or ``find_theme`` would guess.
    keys: dict[str, str] = {}
    for index, theme in enumerate(value):
        where = f"{attribute.name}[{index}]"
        if not isinstance(theme, Theme):
            raise ValueError(f"{where} must be a Theme, got {type(theme).__name__}")
        if len(theme.code) > _THEME_CODE_MAX or not THEME_CODE_PATTERN.fullmatch(theme.code):
            raise ValueError(
                f"{where}.code must be lower-case ASCII words joined by '-' (at most "
                f"{_THEME_CODE_MAX} characters), got {theme.code!r}"
            )
        name = theme_key(theme.name) if isinstance(theme.name, str) else ""
        if not name or len(theme.name) > _THEME_NAME_MAX or not theme.name.isprintable():
            raise ValueError(f"{where}.name must be printable text of 1 to {_THEME_NAME_MAX}")
        for key in dict.fromkeys((theme.code, name)):
            if key in keys:
                raise ValueError(f"{where} is named {key!r} as {keys[key]} is: keep one")
            keys[key] = where


# Typed converters: with a bare ``tuple`` as converter, type checkers refuse every argument.
def _strings(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _trajectory_type_tuple(value: Iterable[TrajectoryType]) -> tuple[TrajectoryType, ...]:
    return tuple(value)


def _theme_tuple(value: Iterable[Theme]) -> tuple[Theme, ...]:
    return tuple(value)


def _without_trailing_slash(url: str) -> str:
    return url.rstrip("/")


def _optional_without_trailing_slash(url: str | None) -> str | None:
    return None if url is None else url.rstrip("/")


@attrs.frozen(kw_only=True)
class Settings:
    """How a Portal behaves. ``base_url`` and ``secret_key`` are required.

    Links in mails are absolute URLs under ``base_url``; the employee's booking invitation
    points under ``booking_url``. ``secret_key`` seals what is kept to be read back later
    (queued mail holding a one-time link); keep it secret and the same on every server.
    To rotate it, put the old key in ``old_secret_keys`` until what it sealed is gone.
    """

    base_url: str = attrs.field(validator=_absolute_http_url, converter=_without_trailing_slash)
    secret_key: str = attrs.field(repr=False, validator=_secret_key)
    old_secret_keys: tuple[str, ...] = attrs.field(
        default=(), repr=False, converter=_strings, validator=_old_secret_keys
    )
    booking_url: str | None = attrs.field(
        default=None, validator=_absolute_http_url, converter=_optional_without_trailing_slash
    )

    #: Envelope and header sender of every mail.
    mail_from: str = attrs.field(default="noreply@onzecoach.nl", validator=_mail_address)
    mail_from_name: str = "OnzeCoach"
    #: How people reach the service desk; printed in the footer of every mail.
    service_desk_email: str = attrs.field(default="info@onzecoach.nl", validator=_mail_address)
    service_desk_phone: str = "085-3030231"

    #: Tries before a message is kept as dead with its last error.
    outbox_max_attempts: int = attrs.field(default=8, validator=_positive)
    #: Wait after the first failed try; doubles after every next failure.
    outbox_retry_base: timedelta = attrs.field(
        default=timedelta(minutes=1), validator=_positive_duration
    )
    #: The longest wait between two tries.
    outbox_retry_max: timedelta = attrs.field(
        default=timedelta(hours=6), validator=_positive_duration
    )
    #: How long a dispatcher owns a claimed message; after that another may take it over.
    #: Keep it well above the mail and SMS adapters' timeouts.
    outbox_lease: timedelta = attrs.field(
        default=timedelta(minutes=5), validator=_positive_duration
    )
    #: Messages claimed per round of ``dispatch_due``.
    outbox_batch_size: int = attrs.field(default=50, validator=_positive)

    #: How long an invitation link works.
    invitation_lifetime: timedelta = attrs.field(
        default=timedelta(days=7), validator=_positive_duration
    )
    #: How long a password-reset link works.
    password_reset_lifetime: timedelta = attrs.field(
        default=timedelta(hours=1), validator=_positive_duration
    )
    #: How long, after registering, the second factor may be set up.
    enrollment_lifetime: timedelta = attrs.field(
        default=timedelta(hours=2), validator=_positive_duration
    )
    #: A session ends after this long without use...
    session_idle_timeout: timedelta = attrs.field(
        default=timedelta(minutes=30), validator=_positive_duration
    )
    #: ...and after this long in any case.
    session_lifetime: timedelta = attrs.field(
        default=timedelta(hours=12), validator=_positive_duration
    )
    #: At most this many account mails (invitation, reset link, username) per address...
    account_mail_limit: int = attrs.field(default=3, validator=_positive)
    #: ...in this window, so that nobody can flood an inbox through the portal.
    account_mail_window: timedelta = attrs.field(
        default=timedelta(hours=1), validator=_positive_duration
    )
    password_policy: PasswordPolicy = attrs.Factory(PasswordPolicy)
    #: argon2id parameters; ``onzecoach.accounts.CHEAPEST`` is for tests only.
    password_hashing: argon2.Parameters = RFC_9106_LOW_MEMORY

    #: Name shown in authenticator apps above the codes.
    totp_issuer: str = "OnzeCoach"
    #: Characters in an SMS code (lower-case letters and digits, 5 bits each).
    sms_code_length: int = attrs.field(default=8, validator=_positive)
    #: How long an SMS code works.
    sms_code_lifetime: timedelta = attrs.field(
        default=timedelta(minutes=10), validator=_positive_duration
    )
    #: Wrong tries allowed per SMS code.
    sms_code_tries: int = attrs.field(default=3, validator=_positive)
    #: The wait before another SMS code can be sent for the same step.
    sms_resend_cooldown: timedelta = attrs.field(
        default=timedelta(seconds=60), validator=_positive_duration
    )
    #: Backup codes handed out at once; 1 gives the manual's single code.
    backup_code_count: int = attrs.field(default=10, validator=_positive)
    #: How long the second step of a login may take.
    login_challenge_lifetime: timedelta = attrs.field(
        default=timedelta(minutes=5), validator=_positive_duration
    )
    #: Failed tries per account without delay; after these the delay starts...
    login_free_failures: int = attrs.field(default=4, validator=_positive)
    #: ...at this, doubling with every next failure...
    login_delay_base: timedelta = attrs.field(
        default=timedelta(seconds=1), validator=_positive_duration
    )
    #: ...up to this.
    login_delay_max: timedelta = attrs.field(
        default=timedelta(minutes=15), validator=_positive_duration
    )
    #: At most this many failures per account in ``login_failure_window`` (OWASP ASVS 2.2.1).
    login_max_failures: int = attrs.field(default=100, validator=_positive)
    #: At most this many failures from one IP address in ``login_failure_window``.
    login_ip_max_failures: int = attrs.field(default=300, validator=_positive)
    login_failure_window: timedelta = attrs.field(
        default=timedelta(hours=1), validator=_positive_duration
    )

    #: The registration types (registratietype) an employee can be registered with.
    registration_types: tuple[str, ...] = attrs.field(
        default=("OnzeCoach",),
        converter=_strings,
        validator=[attrs.validators.min_len(1), _texts],
    )
    #: The trajectory types (protocollen) that can be started.
    trajectory_types: tuple[TrajectoryType, ...] = attrs.field(
        default=DEFAULT_TRAJECTORY_TYPES,
        converter=_trajectory_type_tuple,
        validator=[attrs.validators.min_len(1), _trajectory_types],
    )
    #: The employee's booking invitation goes out this long after the start: the manual
    #: promises it "within a few hours", which leaves HR time to correct a mistake.
    invitation_delay: timedelta = attrs.field(
        default=timedelta(hours=2), validator=attrs.validators.ge(timedelta(0))
    )
    #: The PlanningsAgenda: a reminder to book goes to an employee who has not booked this
    #: long after coaching started; HR's list "Nog niet ingepland" shows whoever has not
    #: booked this long after their invitation; a session's reminder goes this long before.
    booking_nudge_after: timedelta = attrs.field(
        default=timedelta(days=5), validator=attrs.validators.ge(timedelta(0))
    )
    not_booked_after: timedelta = attrs.field(
        default=timedelta(days=7), validator=attrs.validators.ge(timedelta(0))
    )
    booking_reminder_before: timedelta = attrs.field(
        default=timedelta(hours=24), validator=attrs.validators.ge(timedelta(0))
    )
    #: Requests one booking link may make per minute before it is throttled.
    booking_link_limit: int = attrs.field(default=120, validator=_positive)

    #: Themes show only for groups of at least this many employees with a held session in
    #: the range, and never per employee: what one person discusses is not the employer's.
    privacy_min_group: int = attrs.field(default=3, validator=_positive)
    #: The longest range a dashboard covers, in months.
    stats_max_months: int = attrs.field(default=120, validator=_positive)

    #: The domain of the UIDs of the events the portal writes into coaches' calendars
    #: (``onzecoach-<appointment id>@<domain>``), by which it knows them when it reads the
    #: calendars back; ``base_url``'s host when not set. Keep it once events are written.
    calendar_uid_domain: str | None = attrs.field(default=None, validator=_uid_domain)
    # What an employer's settings may override (``portal.admin.set_employer_policy``); these
    # are the portal's defaults.
    #: Until this long before a session the employee may cancel or move it; later is a
    #: late cancellation. Whole minutes, at most 14 days.
    cancellation_notice: timedelta = attrs.field(
        default=timedelta(hours=24), validator=_cancellation_notice
    )
    #: Whether a late cancellation uses one of the trajectory's sessions.
    late_cancellations_count: bool = attrs.field(
        default=True, validator=attrs.validators.instance_of(bool)
    )
    #: Whether a session the employee did not come to (no-show) uses one.
    no_shows_count: bool = attrs.field(default=True, validator=attrs.validators.instance_of(bool))
    #: Whether an employer's HR contacts may sign in with a passkey alone (a discoverable
    #: WebAuthn credential with user verification); off unless an employer allows it.
    passkey_login: bool = attrs.field(default=False, validator=attrs.validators.instance_of(bool))
    #: The same for the service desk and the coaches, portal-wide; off by default.
    staff_passkey_login: bool = attrs.field(
        default=False, validator=attrs.validators.instance_of(bool)
    )
    #: Retention (bewaartermijn, ``portal.privacy.purge_due``): an employee is erased this
    #: many months after their last trajectory closed with none open, or, without any
    #: trajectory, after they were registered or last named by an import. An employer's
    #: settings may set their own; whole months, 1 to 1200.
    retention_months: int = attrs.field(default=24, validator=_retention_months)
    #: Audit entries are dropped this many months after they were written.
    audit_retention_months: int = attrs.field(default=84, validator=_retention_months)
    #: The bodies of sent mail and SMS are emptied this long after sending; who, what kind
    #: and when stay.
    outbox_body_retention: timedelta = attrs.field(
        default=timedelta(days=30), validator=_positive_duration
    )
    #: The themes (thema's) a session can have, which the statistics count.
    themes: tuple[Theme, ...] = attrs.field(
        default=DEFAULT_THEMES,
        converter=_theme_tuple,
        validator=[attrs.validators.min_len(1), _themes],
    )

    def trajectory_type(self, code: str) -> TrajectoryType | None:
        return next((t for t in self.trajectory_types if t.code == code), None)

    def theme_name(self, stored: str) -> str:
        """A stored theme as people read it: a code's name in ``themes``, and a free text
        from before the catalogue (or a code no longer in it) as it is."""
        return next((t.name for t in self.themes if t.code == stored), stored)

    @property
    def sealer(self) -> Sealer:
        return sealer_for(self.secret_key, self.old_secret_keys)

    @property
    def code_hasher(self) -> CodeHasher:
        return code_hasher_for(self.secret_key, self.old_secret_keys)

    @property
    def effective_booking_url(self) -> str:
        return self.booking_url or f"{self.base_url}/planningsagenda"

    @property
    def mail_sender(self) -> Address:
        username, domain = self.mail_from.rsplit("@", 1)
        return Address(self.mail_from_name, username, domain)

    def link(self, *segments: str) -> str:
        """An absolute URL under ``base_url``."""
        return "/".join([self.base_url, *(segment.strip("/") for segment in segments)])

    @property
    def effective_calendar_uid_domain(self) -> str:
        return (self.calendar_uid_domain or urlsplit(self.base_url).hostname or "").lower()

    def portal_uid(self, appointment_id: str) -> str:
        """The UID of the calendar event the portal writes for an appointment."""
        return f"{_UID_PREFIX}{appointment_id}@{self.effective_calendar_uid_domain}"

    def is_portal_uid(self, uid: str) -> bool:
        """Whether a calendar event's UID is one ``portal_uid`` made: the portal's own event."""
        prefix, _, domain = uid.rpartition("@")
        return (
            prefix.startswith(_UID_PREFIX)
            and len(prefix) > len(_UID_PREFIX)
            and domain.lower() == self.effective_calendar_uid_domain
        )

    def retry_delay(self, attempts: int) -> timedelta:
        """The wait after ``attempts`` failed tries: base x 2^(attempts - 1), capped."""
        if attempts < 1:
            return timedelta(0)
        # Cap the exponent so the multiplication cannot overflow timedelta.
        delay = self.outbox_retry_base * (1 << min(attempts - 1, 32))
        return min(delay, self.outbox_retry_max)


# The types of the fields, not the strings ``from __future__ import annotations`` leaves,
# for the loader below.
attrs.resolve_types(Settings)


# Reading the configuration ---------------------------------------------------------------
