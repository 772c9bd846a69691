"""The command's adapters, built from the one configuration of ``onzecoach.settings``.

``read_configuration`` reads the TOML file and the ``ONZECOACH_*`` environment variables
for the command, its outbox workers and the reference web app alike; ``Config`` adds what
only the command builds from it: the storage, and the mail, SMS and YubiCloud adapters.

Nothing here prints or repeats a secret's value: errors name the setting, never what it
was set to.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from onzecoach.configuration import (
    ENV_PREFIX,
    Configuration,
    ConfigurationError,
    read_configuration,
)
from onzecoach.errors import StorageError
from onzecoach.settings import Settings

if TYPE_CHECKING:
    from onzecoach.adapters.sql import SqlStorage
    from onzecoach.ports import CalendarConnector, Mailer, SmsSender, YubikeyVerifier

__all__ = ["Config", "ConfigError", "calendars", "load"]

#: The command's name for a configuration it cannot use (exit code 2).
ConfigError = ConfigurationError


@attrs.frozen
class Config:
    """The configuration as read, and the adapters its connection keys describe."""

    configuration: Configuration

    def settings(self) -> Settings:
        """Every setting, from the same loader as the web app and the workers use."""
        return self.configuration.settings()

    def storage(self) -> SqlStorage:
        from onzecoach.adapters.sql import SqlStorage  # noqa: PLC0415 - needs the sql extra

        url = self.configuration.require("database_url")
        try:
            return SqlStorage(url)
        except StorageError as exc:
            # The adapter's message masks a password in the URL.
            raise ConfigError(f"database_url ({ENV_PREFIX}DATABASE_URL): {exc}") from None

    def mailer(self) -> Mailer:
        """SMTP when ``smtp_host`` is set, otherwise mail is printed on the console."""
        get = self.configuration.get
        if not get("smtp_host"):
            from onzecoach.adapters.console import ConsoleMailer  # noqa: PLC0415

            return ConsoleMailer()
        from onzecoach.adapters.smtp import SmtpMailer  # noqa: PLC0415

        try:
            return SmtpMailer(
                host=get("smtp_host"),
                port=get("smtp_port"),
                security=get("smtp_security"),
                username=get("smtp_username") or None,
                password=get("smtp_password") or None,
            )
        except ValueError as exc:
            raise ConfigError(f"invalid SMTP setting (smtp_*, {ENV_PREFIX}SMTP_*): {exc}") from None

    def sms(self) -> SmsSender | None:
        get = self.configuration.get
        if not get("sms_url"):
            return None
        from onzecoach.adapters.sms_http import HttpSmsGateway  # noqa: PLC0415

        try:
            return HttpSmsGateway(url=get("sms_url"), token=get("sms_token") or None)
        except ValueError as exc:
            raise ConfigError(f"invalid SMS setting (sms_*, {ENV_PREFIX}SMS_*): {exc}") from None

    def yubikey(self) -> YubikeyVerifier | None:
        get, require = self.configuration.get, self.configuration.require
        if not get("yubico_client_id") and not get("yubico_secret"):
            return None
        from onzecoach.adapters.yubico import YubiCloudVerifier  # noqa: PLC0415

        client_id, api_key = require("yubico_client_id"), require("yubico_secret")
        try:
            return YubiCloudVerifier(client_id=client_id, api_key=api_key)
        except ValueError as exc:
            raise ConfigError(
                f"invalid YubiCloud setting (yubico_*, {ENV_PREFIX}YUBICO_*): {exc}"
            ) from None


def calendars() -> CalendarConnector | None:
    """The CalDAV connector to coaches' own calendars, or ``None`` without the ``calendar``
    extra (then no calendar can be linked or pulled)."""
    try:
        from onzecoach.adapters.caldav import CaldavConnector  # noqa: PLC0415
    except ImportError:
        return None
    return CaldavConnector()


def load(path: Path | None, environ: Mapping[str, str]) -> Config:
    """The file's settings (if a path is given, or ``ONZECOACH_CONFIG`` names one),
    overridden by the environment's."""
    return Config(read_configuration(path, environ))
