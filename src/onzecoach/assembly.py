"""A Portal with the adapters a configuration describes, for every process of a portal.

``read_configuration`` reads the TOML file and the ``ONZECOACH_*`` environment variables;
``Assembly`` builds from it what the ``onzecoach`` command, its outbox and calendar workers
and a WSGI server (``examples/flask_portal/wsgi.py``) each run on: the storage, and the
mail, SMS and YubiCloud adapters, chosen by the connection keys.

    from onzecoach.assembly import assemble

    portal = assemble().portal()

Nothing here prints or repeats a secret's value: errors name the setting, never what it
was set to. Each adapter's package is imported only when the configuration asks for it.
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
from onzecoach.portal import Portal
from onzecoach.settings import Settings

if TYPE_CHECKING:
    from onzecoach.adapters.sql import SqlStorage
    from onzecoach.ports import CalendarConnector, Mailer, SmsSender, YubikeyVerifier

__all__ = ["Assembly", "assemble", "calendars"]


@attrs.frozen
class Assembly:
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
            raise ConfigurationError(f"database_url ({ENV_PREFIX}DATABASE_URL): {exc}") from None

    def portal(self) -> Portal:
        """A Portal on the configured database with the configured adapters. Opens no
        connection and migrates nothing: run ``onzecoach db upgrade`` at each deploy."""
        return Portal(
            storage=self.storage(),
            mailer=self.mailer(),
            sms=self.sms(),
            yubikey=self.yubikey(),
            settings=self.settings(),
            calendars=calendars(),
        )

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
            raise ConfigurationError(
                f"invalid SMTP setting (smtp_*, {ENV_PREFIX}SMTP_*): {exc}"
            ) from None

    def sms(self) -> SmsSender | None:
        get = self.configuration.get
        if not get("sms_url"):
            return None
        from onzecoach.adapters.sms_http import HttpSmsGateway  # noqa: PLC0415

        try:
            return HttpSmsGateway(url=get("sms_url"), token=get("sms_token") or None)
        except ValueError as exc:
            raise ConfigurationError(
                f"invalid SMS setting (sms_*, {ENV_PREFIX}SMS_*): {exc}"
            ) from None

    def yubikey(self) -> YubikeyVerifier | None:
        get, require = self.configuration.get, self.configuration.require
        if not get("yubico_client_id") and not get("yubico_secret"):
            return None
        from onzecoach.adapters.yubico import YubiCloudVerifier  # noqa: PLC0415

        client_id, api_key = require("yubico_client_id"), require("yubico_secret")
        try:
            return YubiCloudVerifier(client_id=client_id, api_key=api_key)
        except ValueError as exc:
            raise ConfigurationError(
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


def assemble(path: str | Path | None = None, environ: Mapping[str, str] | None = None) -> Assembly:
    """The file's settings (if a path is given, or ``ONZECOACH_CONFIG`` names one),
    overridden by the ``ONZECOACH_*`` variables of ``environ`` (``os.environ`` when not
    given)."""
    return Assembly(read_configuration(path, environ))
