"""Settings: one frozen value holding everything a Portal is configured with.

``read_configuration`` (and its shorthand ``load_settings``) is the one way to make
``Settings`` from a TOML file and ``ONZECOACH_*`` environment variables: the ``onzecoach``
command, its outbox workers and the reference web app all read their configuration through
it, so a setting means the same wherever it is read. docs/cli.md describes the format.
"""

from __future__ import annotations

import difflib
import hashlib
import math
import os
import re
import tomllib
import typing
from collections.abc import Callable, Iterable, Mapping
from datetime import timedelta
from email.headerregistry import Address
from email.utils import parseaddr
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

import argon2
import attrs
import cattrs
from argon2.profiles import CHEAPEST, RFC_9106_LOW_MEMORY
from cattrs.errors import (
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
    IterableValidationNote,
)
from cattrs.gen import make_dict_structure_fn

from onzecoach.catalogues import DEFAULT_TRAJECTORY_TYPES, TrajectoryType
from onzecoach.crypto import CodeHasher, Sealer, code_hasher_for, sealer_for
from onzecoach.passwords import PasswordPolicy

__all__ = [
    "CONFIGURATION_KEYS",
    "CONFIG_ENV",
    "ENV_PREFIX",
    "SECRET_KEY_MIN_BITS",
    "Configuration",
    "ConfigurationError",
    "ConfigurationKey",
    "Settings",
    "estimate_key_bits",
    "load_settings",
    "read_configuration",
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


# Typed converters: with a bare ``tuple`` as converter, type checkers refuse every argument.
def _strings(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _trajectory_type_tuple(value: Iterable[TrajectoryType]) -> tuple[TrajectoryType, ...]:
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

    #: Themes show only for groups of at least this many employees with a held session in
    #: the range, and never per employee: what one person discusses is not the employer's.
    privacy_min_group: int = attrs.field(default=3, validator=_positive)
    #: The longest range a dashboard covers, in months.
    stats_max_months: int = attrs.field(default=120, validator=_positive)

    def trajectory_type(self, code: str) -> TrajectoryType | None:
        return next((t for t in self.trajectory_types if t.code == code), None)

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

ENV_PREFIX: Final = "ONZECOACH_"
#: The environment variable naming the configuration file, when no path is given.
CONFIG_ENV: Final = "ONZECOACH_CONFIG"


class ConfigurationError(ValueError):
    """A configuration that cannot be used. The message names the setting and where it was
    set (the file or the environment variable), and never shows a secret's value."""


class _Invalid(ValueError):
    """A value of the wrong form; the message says what was expected, not what was given."""


def _password_hashing_profiles() -> dict[str, argon2.Parameters]:
    # Imported here: onzecoach.accounts imports this module, so it cannot be imported first.
    from onzecoach.accounts._hashing import OWASP_MINIMUM  # noqa: PLC0415

    return {
        "rfc_9106_low_memory": RFC_9106_LOW_MEMORY,
        "owasp_minimum": OWASP_MINIMUM,
        "cheapest": CHEAPEST,
    }


_DURATION_FORM: Final = (
    "a duration: whole seconds (such as 1800) or ISO 8601 days, hours, minutes and seconds "
    '(such as "PT30M", "PT1H30M" or "P7D")'
)
_TRAJECTORY_TYPE_FORM: Final = (
    "a table with code, name and sessions, and optionally is_extension "
    "([[trajectory_types]] in the file)"
)
#: What a value of each type looks like, for the docs and the errors: (in a few words,
#: what a message says is expected).
_FORMS: Final[dict[Any, tuple[str, str]]] = {
    str: ("text", "text"),
    str | None: ("text", "text"),
    int: ("whole number", "a whole number"),
    bool: ("true or false", "true or false"),
    timedelta: ("duration", _DURATION_FORM),
    tuple[str, ...]: (
        "list of text",
        "a list of text: an array of strings in the file, separated by commas in the environment",
    ),
    tuple[TrajectoryType, ...]: (
        "array of tables",
        "an array of tables ([[trajectory_types]] in the file, a TOML inline array "
        'such as [{code = "X", name = "Y", sessions = 4}] in the environment)',
    ),
    argon2.Parameters: (
        "profile name",
        'a profile name: "rfc_9106_low_memory" or "owasp_minimum"',
    ),
}


def _forms(type_: Any) -> tuple[str, str]:
    return _FORMS[type_]


@attrs.frozen
class ConfigurationKey:
    """One setting as the configuration file and the environment spell it."""

    #: The flat name: ``session_lifetime``, ``smtp_host``, ``password_policy_min_length``.
    name: str
    #: What a value is structured to.
    type: Any
    #: The file's table the key is written in (``[smtp] host``); ``None`` at the top level.
    table: str | None = None
    #: The ``Settings`` field it sets; ``None`` for the adapters' keys (database, SMTP, SMS,
    #: YubiCloud), which the command and the web app read with ``Configuration.get``.
    field: str | None = None
    #: The value when nothing sets it (unless ``required``).
    default: Any = None
    required: bool = False
    #: Never shown, in errors or anywhere else.
    secret: bool = False

    @property
    def env(self) -> str:
        """The environment variable: ``ONZECOACH_`` and the flat name in capitals."""
        return ENV_PREFIX + self.name.upper()

    @property
    def written(self) -> str:
        """The key as the file writes it: ``session_lifetime`` or ``[smtp] host``."""
        if self.table is None:
            return self.name
        return f"[{self.table}] {self.name.removeprefix(self.table + '_')}"

    @property
    def form(self) -> str:
        """The kind of value, in a few words: ``duration``, ``whole number``, ..."""
        return _forms(self.type)[0]

    @property
    def default_text(self) -> str:
        """The default as the file would write it, or ``required`` or ``not set``."""
        if self.required:
            return "required"
        return "not set" if self.default is None else _written(self.default)


def _written(value: Any) -> str:
    """A value as a configuration file writes it (trajectory types by their codes)."""
    text: str
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, timedelta):
        text = f'"{_iso_duration(value)}"'
    elif isinstance(value, argon2.Parameters):
        names = [n for n, p in _password_hashing_profiles().items() if p == value]
        text = f'"{names[0]}"' if names else "custom"
    elif isinstance(value, tuple) and value and all(isinstance(v, TrajectoryType) for v in value):
        text = ", ".join(kind.code for kind in value)
    elif isinstance(value, tuple):
        text = "[" + ", ".join(f'"{item}"' for item in value) + "]"
    elif isinstance(value, str):
        text = f'"{value}"'
    else:
        text = str(value)
    return text


#: attrs' stubs declare ``Factory`` a function, but a default made by it is an instance.
_FACTORY: Final[type[Any]] = type(attrs.Factory(list))


def _configuration_keys() -> tuple[ConfigurationKey, ...]:
    keys = [ConfigurationKey("database_url", str)]
    for field in attrs.fields(Settings):
        if field.name == "password_policy":
            # A table of its own: [password_policy] min_length, or the flat name in the
            # environment (ONZECOACH_PASSWORD_POLICY_MIN_LENGTH), as [smtp] host is.
            for rule in attrs.fields(PasswordPolicy):
                keys.append(
                    ConfigurationKey(
                        f"password_policy_{rule.name}",
                        typing.get_type_hints(PasswordPolicy)[rule.name],
                        table="password_policy",
                        field="password_policy",
                        default=rule.default,
                    )
                )
            continue
        default = field.default
        if isinstance(default, _FACTORY):
            default = default.factory()
        keys.append(
            ConfigurationKey(
                field.name,
                field.type,
                field=field.name,
                default=None if default is attrs.NOTHING else default,
                required=default is attrs.NOTHING,
                secret=field.name in {"secret_key", "old_secret_keys"},
            )
        )
    keys += [
        ConfigurationKey("smtp_host", str, table="smtp"),
        ConfigurationKey("smtp_port", int, table="smtp"),
        ConfigurationKey("smtp_username", str, table="smtp"),
        ConfigurationKey("smtp_password", str, table="smtp", secret=True),
        ConfigurationKey("smtp_security", str, table="smtp", default="starttls"),
        ConfigurationKey("sms_url", str, table="sms"),
        ConfigurationKey("sms_token", str, table="sms", secret=True),
        ConfigurationKey("yubico_client_id", str, table="yubico"),
        ConfigurationKey("yubico_secret", str, table="yubico", secret=True),
    ]
    return tuple(keys)


#: Every key of the configuration: each ``Settings`` field (``password_policy`` as one key
#: per rule) and the adapters' keys, in the order docs/cli.md lists them.
CONFIGURATION_KEYS: Final = _configuration_keys()
_KEYS: Final = {key.name: key for key in CONFIGURATION_KEYS}
_TABLES: Final = frozenset(key.table for key in CONFIGURATION_KEYS if key.table)


@attrs.frozen
class Configuration:
    """What a configuration file and the environment set, each value checked.

    ``settings()`` makes the ``Settings``; ``get`` and ``require`` read any key, the
    adapters' keys (``database_url``, ``smtp_host``, ...) included. Nothing set is shown
    by ``repr``.
    """

    #: The value of every key that was set, by flat name.
    values: Mapping[str, Any] = attrs.field(repr=False)
    #: Where each value came from: a file's path or an environment variable's name.
    sources: Mapping[str, str] = attrs.field(factory=dict)

    def __repr__(self) -> str:
        return f"Configuration(set={sorted(self.values)})"

    def get(self, name: str) -> Any:
        """The value of ``name`` as set, or else its default (``None`` if it has none)."""
        key = _key(name)
        return self.values.get(name, None if key.required else key.default)

    def require(self, name: str) -> Any:
        """The value of ``name``; ``ConfigurationError`` saying how to set it if it is not."""
        value = self.get(name)
        if value is None or value == "":
            key = _key(name)
            raise ConfigurationError(
                f"{name} is not set: put it in the configuration file or set {key.env}."
            )
        return value

    def settings(self, **fallbacks: Any) -> Settings:
        """The ``Settings``; ``fallbacks`` (field values) count where nothing was set.

        ``ConfigurationError`` names a required setting that is not set.
        """
        arguments = dict(fallbacks)
        rules: dict[str, Any] = {}
        for key in CONFIGURATION_KEYS:
            if key.field is None or key.name not in self.values:
                continue
            if key.field == "password_policy":
                rules[key.name.removeprefix("password_policy_")] = self.values[key.name]
            else:
                arguments[key.field] = self.values[key.name]
        if rules:
            arguments["password_policy"] = PasswordPolicy(**rules)
        for key in CONFIGURATION_KEYS:
            if key.required and key.field not in arguments:
                self.require(key.name)
        try:
            return Settings(**arguments)
        except ValueError as exc:
            # Only a fallback can get here: what was set passed the same checks when read.
            raise ConfigurationError(f"invalid setting: {exc}") from None


def _key(name: str) -> ConfigurationKey:
    try:
        return _KEYS[name]
    except KeyError:
        raise ValueError(f"{name!r} is not a configuration key") from None


def load_settings(
    path: str | os.PathLike[str] | None = None,
    environ: Mapping[str, str] | None = None,
    *,
    allow_cheapest_hashing: bool = False,
) -> Settings:
    """The ``Settings`` of a configuration file and the environment; see ``read_configuration``."""
    configuration = read_configuration(path, environ, allow_cheapest_hashing=allow_cheapest_hashing)
    return configuration.settings()


def read_configuration(
    path: str | os.PathLike[str] | None = None,
    environ: Mapping[str, str] | None = None,
    *,
    allow_cheapest_hashing: bool = False,
) -> Configuration:
    """Read the TOML file at ``path``, then ``ONZECOACH_*`` variables of ``environ``.

    Without ``path``, the file named by ``ONZECOACH_CONFIG`` is read, if that is set;
    ``environ`` is ``os.environ`` when not given. A variable wins over the file; an empty
    variable takes the setting back to its default. ``ConfigurationError`` names the first
    problem: an unknown key (or a variable that looks like a misspelt one), a value of the
    wrong form, or one that ``Settings`` refuses. The ``cheapest`` password hashing is
    refused unless ``allow_cheapest_hashing``, which is for tests.
    """
    environ = os.environ if environ is None else environ
    if path is None and environ.get(CONFIG_ENV):
        path = environ[CONFIG_ENV]
    # Each value as given, and who to blame for it in a message.
    given: dict[str, tuple[Any, _Origin]] = {}
    if path is not None:
        for name, (value, written) in _read_file(Path(path)).items():
            given[name] = (value, _Origin(str(path), written))
    _check_variable_names(environ)
    for key in CONFIGURATION_KEYS:
        text = environ.get(key.env)
        if text is None:
            continue
        if not text.strip():
            given.pop(key.name, None)
            continue
        origin = _Origin(None, key.env)
        try:
            given[key.name] = (_from_environment(key.type, text), origin)
        except _Invalid as exc:
            raise ConfigurationError(f"{origin.subject} {exc}{_shown(key, text)}") from None
    values: dict[str, Any] = {}
    for name, (value, origin) in given.items():
        values[name] = _structure(_KEYS[name], value, origin, allow_cheapest_hashing)
    _check_fields(values, {name: origin for name, (_, origin) in given.items()})
    sources = {name: origin.source for name, (_, origin) in given.items()}
    return Configuration(values, sources)


@attrs.frozen
class _Origin:
    """Where a value was set: a file (and the key as written there) or a variable."""

    path: str | None
    written: str

    @property
    def source(self) -> str:
        return self.path if self.path is not None else self.written

    @property
    def subject(self) -> str:
        return self.written if self.path is None else f"{self.path}: {self.written}"


def _read_file(path: Path) -> dict[str, tuple[Any, str]]:
    """Each key of the file by flat name, with the key as the file writes it."""
    try:
        with path.open("rb") as file:
            document = tomllib.load(file)
    except OSError as exc:
        raise ConfigurationError(
            f"cannot read the configuration file {path}: {exc.strerror}"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigurationError(
            f"the configuration file {path} is not valid TOML: {exc}"
        ) from None
    found: dict[str, tuple[Any, str]] = {}

    def put(name: str, value: Any, written: str) -> None:
        if name not in _KEYS:
            candidates = {key.written: key.name for key in CONFIGURATION_KEYS}
            candidates.update({table: table for table in _TABLES})
            close = difflib.get_close_matches(written, candidates, n=1, cutoff=0.7)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ConfigurationError(f"{path}: unknown setting {written!r}{hint}")
        if name in found:
            raise ConfigurationError(
                f"{path}: {written!r} and {found[name][1]!r} are the same setting; keep one"
            )
        found[name] = (value, written)

    for name, value in document.items():
        if name in _TABLES:
            if not isinstance(value, dict):
                raise ConfigurationError(
                    f"{path}: {name} must be a table: a line [{name}] and its keys below it"
                )
            for inner, inner_value in value.items():
                put(f"{name}_{inner}", inner_value, f"[{name}] {inner}")
        else:
            put(name, value, name)
    return found


def _check_variable_names(environ: Mapping[str, str]) -> None:
    """Refuse a variable that looks like a misspelt setting, such as ONZECOACH_SESION_LIFETIME.

    Other ``ONZECOACH_*`` variables are left alone: they may belong to something else.
    """
    known = [key.env.removeprefix(ENV_PREFIX) for key in CONFIGURATION_KEYS]
    for variable in environ:
        if not variable.startswith(ENV_PREFIX) or variable == CONFIG_ENV:
            continue
        rest = variable.removeprefix(ENV_PREFIX)
        if rest in known:
            continue
        close = difflib.get_close_matches(rest, known, n=1, cutoff=0.8)
        if close:
            raise ConfigurationError(
                f"{variable} is not a setting; did you mean {ENV_PREFIX}{close[0]}?"
            )


_TRUE: Final = frozenset({"true", "1", "yes", "on"})
_FALSE: Final = frozenset({"false", "0", "no", "off"})


def _environment_whole_number(text: str) -> int:
    if not re.fullmatch(r"[+-]?[0-9]+", text.strip()):
        raise _Invalid("must be a whole number")
    return int(text)


def _environment_true_or_false(text: str) -> bool:
    word = text.strip().lower()
    if word not in _TRUE | _FALSE:
        raise _Invalid("must be true or false (or 1 or 0, yes or no, on or off)")
    return word in _TRUE


def _environment_duration(text: str) -> int | str:
    stripped = text.strip()
    return int(stripped) if stripped.isdigit() else stripped


def _environment_trajectory_types(text: str) -> Any:
    try:
        return tomllib.loads(f"value = {text}")["value"]
    except tomllib.TOMLDecodeError:
        raise _Invalid(f"must be {_forms(tuple[TrajectoryType, ...])[1]}") from None


#: How a variable's text becomes the value a file would give, to be checked the same way.
_FROM_ENVIRONMENT: Final[dict[Any, Callable[[str], Any]]] = {
    int: _environment_whole_number,
    bool: _environment_true_or_false,
    timedelta: _environment_duration,
    tuple[str, ...]: lambda text: [item.strip() for item in text.split(",") if item.strip()],
    tuple[TrajectoryType, ...]: _environment_trajectory_types,
    argon2.Parameters: str.strip,
}


def _from_environment(type_: Any, text: str) -> Any:
    parse = _FROM_ENVIRONMENT.get(type_)
    return text if parse is None else parse(text)


def _shown(key: ConfigurationKey, value: Any) -> str:
    """The value for a message: never a secret's, nor anything but a short scalar."""
    if key.secret or not isinstance(value, str | int | float | bool):
        return ""
    text = repr(value)
    return f", got {text}" if len(text) <= 80 else ""


def _structure(
    key: ConfigurationKey, value: Any, origin: _Origin, allow_cheapest_hashing: bool
) -> Any:
    try:
        result = _CONVERTER.structure(value, key.type)
    except _Invalid as exc:
        raise ConfigurationError(f"{origin.subject} {exc}{_shown(key, value)}") from None
    except (ClassValidationError, IterableValidationError) as exc:
        problems = cattrs.transform_error(exc, path=key.name, format_exception=_problem)
        sentences = [" ".join(reversed(problem.rsplit(" @ ", 1))) for problem in problems]
        where = origin.path or origin.written
        raise ConfigurationError(f"{where}: " + "; ".join(sentences)) from None
    if result == CHEAPEST and key.type is argon2.Parameters and not allow_cheapest_hashing:
        raise ConfigurationError(
            f"{origin.subject}: the cheapest password hashing is for tests only "
            "(load_settings(..., allow_cheapest_hashing=True)); use rfc_9106_low_memory "
            "or, on a host short of memory, owasp_minimum"
        )
    return result


def _problem(exc: BaseException, type_: type | None) -> str:
    if isinstance(exc, _Invalid):
        return str(exc)
    if isinstance(exc, KeyError):
        return "is missing"
    if isinstance(exc, ForbiddenExtraKeysError):
        return f"has unknown keys: {', '.join(sorted(exc.extra_fields))}"
    return f"is invalid ({type(exc).__name__})"


def _check_fields(values: Mapping[str, Any], origins: Mapping[str, _Origin]) -> None:
    """Each field's own check from ``Settings``, now, so the message can say where it was set.

    The converters are not applied: structuring already gave tuples, and cutting a
    trailing slash off a URL does not change whether it is valid.
    """
    rules = {
        name.removeprefix("password_policy_"): value
        for name, value in values.items()
        if _KEYS[name].field == "password_policy"
    }
    if rules:
        try:
            PasswordPolicy(**rules)
        except ValueError as exc:
            policy_origins = [o for n, o in origins.items() if n.startswith("password_policy_")]
            where = ", ".join(sorted({origin.source for origin in policy_origins}))
            raise ConfigurationError(f"{where}: password_policy: {exc}") from None
    fields = attrs.fields_dict(Settings)
    for name, value in values.items():
        key = _KEYS[name]
        if key.field is None or key.field == "password_policy":
            continue
        validator = fields[key.field].validator
        if validator is None:
            continue
        try:
            validator(None, fields[key.field], value)
        except ValueError as exc:
            # The message names the field already; say where it was set.
            origin = origins[name]
            raise ConfigurationError(f"{origin.path or origin.written}: {exc}") from None


# Durations ---------------------------------------------------------------------------------

_ISO_DURATION: Final = re.compile(
    r"P(?=.)(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?=.)(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?"
)


def _duration(value: Any, _: Any) -> timedelta:
    try:
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return timedelta(seconds=value)
        if isinstance(value, str):
            found = _ISO_DURATION.fullmatch(value)
            if found:
                parts = {unit: float(n) for unit, n in found.groupdict().items() if n}
                return timedelta(**parts)
            if value.startswith("P") and re.search(r"[YM]", value.split("T")[0]):
                raise _Invalid(
                    "must not count years or months, whose length varies: write days, "
                    'such as "P30D"'
                )
    except OverflowError:
        raise _Invalid("is too long a duration") from None
    raise _Invalid(f"must be {_DURATION_FORM}")


def _iso_duration(value: timedelta) -> str:
    """``value`` as ISO 8601, as the file may write it: ``P7D``, ``PT1H30M``."""
    hours, rest = divmod(value.seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    date_part = f"{value.days}D" if value.days else ""
    second_text = (
        f"{seconds}.{value.microseconds:06d}".rstrip("0") if value.microseconds else (str(seconds))
    )
    time_part = "".join(
        f"{amount}{unit}"
        for amount, unit in ((hours, "H"), (minutes, "M"), (second_text, "S"))
        if amount and amount != "0"
    )
    if not date_part and not time_part:
        return "PT0S"
    return f"P{date_part}" + (f"T{time_part}" if time_part else "")


# Structuring -------------------------------------------------------------------------------


def _text(value: Any, _: Any) -> str:
    if not isinstance(value, str):
        raise _Invalid("must be text")
    return value


def _whole_number(value: Any, _: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise _Invalid("must be a whole number")
    return value


def _true_or_false(value: Any, _: Any) -> bool:
    if not isinstance(value, bool):
        raise _Invalid("must be true or false")
    return value


def _profile(value: Any, _: Any) -> argon2.Parameters:
    profiles = _password_hashing_profiles()
    if not isinstance(value, str) or value not in profiles:
        raise _Invalid(f"must be {_forms(argon2.Parameters)[1]}")
    return profiles[value]


def _converter() -> cattrs.Converter:
    """cattrs, strict: no number from text, no list from a string, no unknown keys."""
    converter = cattrs.Converter(forbid_extra_keys=True)
    converter.register_structure_hook(str, _text)
    converter.register_structure_hook(int, _whole_number)
    converter.register_structure_hook(bool, _true_or_false)
    converter.register_structure_hook(timedelta, _duration)
    converter.register_structure_hook(argon2.Parameters, _profile)
    trajectory_type = make_dict_structure_fn(
        TrajectoryType, converter, _cattrs_forbid_extra_keys=True
    )

    def structure_trajectory_type(value: Any, _: Any) -> TrajectoryType:
        if not isinstance(value, dict):
            raise _Invalid(f"must be {_TRAJECTORY_TYPE_FORM}")
        return trajectory_type(value, TrajectoryType)

    converter.register_structure_hook(TrajectoryType, structure_trajectory_type)

    def structure_tuple(value: Any, type_: Any) -> tuple[Any, ...]:
        # Not cattrs' own: that would take a string as a list of its characters.
        if not isinstance(value, list | tuple):
            raise _Invalid(f"must be {_forms(type_)[1]}")
        (item_type, _) = typing.get_args(type_)
        items: list[Any] = []
        errors: list[Exception] = []
        for index, item in enumerate(value):
            try:
                items.append(converter.structure(item, item_type))
            except Exception as exc:  # gathered, and raised together below
                exc.add_note(
                    IterableValidationNote(f"Structuring item @ index {index}", index, item_type)
                )
                errors.append(exc)
        if errors:
            raise IterableValidationError("invalid items", errors, type_)
        return tuple(items)

    is_tuple: Callable[[Any], bool] = lambda type_: typing.get_origin(type_) is tuple  # noqa: E731
    converter.register_structure_hook_func(is_tuple, structure_tuple)
    return converter


_CONVERTER: Final = _converter()
