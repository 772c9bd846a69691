"""Configuration: ``Settings`` (and the adapters' keys) from a TOML file and the environment.

``read_configuration`` (and its shorthand ``load_settings``) is the one way to make
``Settings`` from a TOML file and ``ONZECOACH_*`` environment variables: the ``onzecoach``
command, its outbox workers and the reference web app all read their configuration through
it, so a setting means the same wherever it is read. docs/cli.md describes the format.
"""

from __future__ import annotations

import difflib
import os
import tomllib
import typing
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any, Final

import argon2
import attrs
import cattrs
from argon2.profiles import CHEAPEST
from cattrs.errors import (
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
)

from onzecoach._configuration_values import (
    CONVERTER,
    Invalid,
    forms,
    from_environment,
    iso_duration,
    password_hashing_profiles,
)
from onzecoach.catalogues import Theme, TrajectoryType
from onzecoach.passwords import PasswordPolicy
from onzecoach.settings import Settings

__all__ = [
    "CONFIGURATION_KEYS",
    "CONFIG_ENV",
    "ENV_PREFIX",
    "Configuration",
    "ConfigurationError",
    "ConfigurationKey",
    "load_settings",
    "read_configuration",
]

ENV_PREFIX: Final = "ONZECOACH_"
#: The environment variable naming the configuration file, when no path is given.
CONFIG_ENV: Final = "ONZECOACH_CONFIG"


class ConfigurationError(ValueError):
    """A configuration that cannot be used. The message names the setting and where it was
    set (the file or the environment variable), and never shows a secret's value."""


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
        return forms(self.type)[0]

    @property
    def default_text(self) -> str:
        """The default as the file would write it, or ``required`` or ``not set``."""
        if self.required:
            return "required"
        return "not set" if self.default is None else _written(self.default)


def _written(value: Any) -> str:
    """A value as a configuration file writes it (trajectory types and themes by their codes)."""
    text: str
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, timedelta):
        text = f'"{iso_duration(value)}"'
    elif isinstance(value, argon2.Parameters):
        names = [n for n, p in password_hashing_profiles().items() if p == value]
        text = f'"{names[0]}"' if names else "custom"
    elif isinstance(value, tuple) and value and all(isinstance(v, TrajectoryType) for v in value):
        text = ", ".join(kind.code for kind in value)
    elif isinstance(value, tuple) and value and all(isinstance(v, Theme) for v in value):
        text = ", ".join(theme.code for theme in value)
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
            given[key.name] = (from_environment(key.type, text), origin)
        except Invalid as exc:
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
        result = CONVERTER.structure(value, key.type)
    except Invalid as exc:
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
    if isinstance(exc, Invalid):
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
