"""The command's configuration: a TOML file, then ``ONZECOACH_*`` environment variables.

Every setting has one flat name (``smtp_host``). In the file it is a top-level key or, for
the grouped ones, a key of its table (``[smtp] host = ...``); in the environment it is
``ONZECOACH_`` and the name in capitals (``ONZECOACH_SMTP_HOST``). The environment wins.

Nothing here prints or repeats a secret's value: errors name the setting, never what it
was set to.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from onzecoach.errors import StorageError
from onzecoach.settings import Settings

if TYPE_CHECKING:
    from onzecoach.adapters.sql import SqlStorage
    from onzecoach.ports import Mailer, SmsSender, YubikeyVerifier

__all__ = ["ENV_PREFIX", "SETTINGS", "Config", "ConfigError", "env_name", "load"]

ENV_PREFIX = "ONZECOACH_"

#: Every setting: its flat name and the type a file may give it.
SETTINGS: Mapping[str, type] = {
    "database_url": str,
    "base_url": str,
    "secret_key": str,
    "old_secret_keys": list,
    "mail_from": str,
    "smtp_host": str,
    "smtp_port": int,
    "smtp_username": str,
    "smtp_password": str,
    "smtp_security": str,
    "sms_url": str,
    "sms_token": str,
    "yubico_client_id": str,
    "yubico_secret": str,
}
#: The settings whose values are never shown.
SECRETS = frozenset(
    {"secret_key", "old_secret_keys", "smtp_password", "sms_token", "yubico_secret"}
)
#: The tables a file may group settings in: ``[smtp] host`` is ``smtp_host``.
_TABLES = ("smtp", "sms", "yubico")


class ConfigError(Exception):
    """Missing or malformed configuration; the message names the setting."""


def env_name(setting: str) -> str:
    return ENV_PREFIX + setting.upper()


def _describe(setting: str) -> str:
    return f"{setting} ({env_name(setting)})"


@attrs.frozen
class Config:
    """The settings as given; ``values`` maps each flat name that was set to its value."""

    values: Mapping[str, Any] = attrs.field(repr=False)
    #: Where each value came from, for messages: a file path or an environment variable.
    sources: Mapping[str, str] = attrs.field(factory=dict)

    def __repr__(self) -> str:
        return f"Config(set={sorted(self.values)})"

    def get(self, setting: str) -> Any:
        return self.values.get(setting)

    def require(self, setting: str) -> Any:
        value = self.values.get(setting)
        if value is None or value == "":
            raise ConfigError(
                f"{_describe(setting)} is not set: put it in the configuration file "
                f"or set {env_name(setting)}."
            )
        return value

    # Building the pieces --------------------------------------------------------------

    def storage(self) -> SqlStorage:
        from onzecoach.adapters.sql import SqlStorage  # noqa: PLC0415 - needs the sql extra

        url = self.require("database_url")
        try:
            return SqlStorage(url)
        except StorageError as exc:
            # The adapter's message masks a password in the URL.
            raise ConfigError(f"{_describe('database_url')}: {exc}") from None

    def settings(self) -> Settings:
        values: dict[str, Any] = {
            "base_url": self.require("base_url"),
            "secret_key": self.require("secret_key"),
            "old_secret_keys": tuple(self.get("old_secret_keys") or ()),
        }
        if self.get("mail_from"):
            values["mail_from"] = self.get("mail_from")
        try:
            return Settings(**values)
        except ValueError as exc:
            # Settings' messages name the field and never echo a key.
            raise ConfigError(f"invalid setting: {exc}") from None

    def mailer(self) -> Mailer:
        """SMTP when ``smtp_host`` is set, otherwise mail is printed on the console."""
        if not self.get("smtp_host"):
            from onzecoach.adapters.console import ConsoleMailer  # noqa: PLC0415

            return ConsoleMailer()
        from onzecoach.adapters.smtp import SmtpMailer  # noqa: PLC0415

        try:
            return SmtpMailer(
                host=self.require("smtp_host"),
                port=self.get("smtp_port"),
                security=self.get("smtp_security") or "starttls",
                username=self.get("smtp_username") or None,
                password=self.get("smtp_password") or None,
            )
        except ValueError as exc:
            raise ConfigError(f"invalid SMTP setting (smtp_*, {ENV_PREFIX}SMTP_*): {exc}") from None

    def sms(self) -> SmsSender | None:
        if not self.get("sms_url"):
            return None
        from onzecoach.adapters.sms_http import HttpSmsGateway  # noqa: PLC0415

        try:
            return HttpSmsGateway(url=self.require("sms_url"), token=self.get("sms_token") or None)
        except ValueError as exc:
            raise ConfigError(f"invalid SMS setting (sms_*, {ENV_PREFIX}SMS_*): {exc}") from None

    def yubikey(self) -> YubikeyVerifier | None:
        client_id, secret = self.get("yubico_client_id"), self.get("yubico_secret")
        if not client_id and not secret:
            return None
        from onzecoach.adapters.yubico import YubiCloudVerifier  # noqa: PLC0415

        try:
            return YubiCloudVerifier(
                client_id=self.require("yubico_client_id"), api_key=self.require("yubico_secret")
            )
        except ValueError as exc:
            raise ConfigError(
                f"invalid YubiCloud setting (yubico_*, {ENV_PREFIX}YUBICO_*): {exc}"
            ) from None


def load(path: Path | None, environ: Mapping[str, str]) -> Config:
    """The file's settings (if a path is given), overridden by the environment's."""
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    if path is not None:
        for setting, value in _read_file(path).items():
            values[setting] = value
            sources[setting] = str(path)
    for setting in SETTINGS:
        name = env_name(setting)
        if name in environ:
            values[setting] = _from_env(setting, environ[name])
            sources[setting] = name
    return Config(values, sources)


def _read_file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as file:
            document = tomllib.load(file)
    except OSError as exc:
        raise ConfigError(f"cannot read the configuration file {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"the configuration file {path} is not valid TOML: {exc}") from None
    flat: dict[str, Any] = {}
    for key, value in document.items():
        if key in _TABLES and isinstance(value, dict):
            for inner, inner_value in value.items():
                flat[f"{key}_{inner}"] = inner_value
        else:
            flat[key] = value
    for setting, value in flat.items():
        expected = SETTINGS.get(setting)
        if expected is None:
            raise ConfigError(f"{path}: unknown setting {setting!r}")
        if not isinstance(value, expected) or isinstance(value, bool):
            raise ConfigError(f"{path}: {setting} must be a {_type_name(expected)}")
        if isinstance(value, list) and not all(isinstance(item, str) for item in value):
            raise ConfigError(f"{path}: {setting} must be a list of strings")
    return flat


def _from_env(setting: str, raw: str) -> Any:
    expected = SETTINGS[setting]
    if expected is int:
        try:
            return int(raw)
        except ValueError:
            raise ConfigError(f"{env_name(setting)} must be a whole number") from None
    if expected is list:
        return [item.strip() for item in raw.split(",") if item.strip()]
    return raw


def _type_name(expected: type) -> str:
    return {str: "string", int: "whole number", list: "list of strings"}[expected]
