"""What both web recipes share: one Portal per process, models as JSON, errors as problems.

docs/web-frameworks.md shows it in parts; ``web_fastapi.py`` and ``web_flask.py`` use it.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC
from email.utils import format_datetime
from typing import Any

from cattrs.preconf.json import make_converter

from onzecoach import OnzecoachError, Portal, Throttled, ValidationError
from onzecoach.adapters.smtp import SmtpMailer
from onzecoach.adapters.sql import SqlStorage
from onzecoach.configuration import read_configuration


# --8<-- [start:portal]
def build_portal() -> Portal:
    """The process's one Portal, from the configuration file and ``ONZECOACH_*`` variables.

    Call it once, at start-up: a Portal and its adapters are shared by every thread, and
    the storage keeps the process's connection pool.
    """
    configuration = read_configuration()  # the file ONZECOACH_CONFIG names, then variables
    storage = SqlStorage(configuration.require("database_url"))
    storage.upgrade()  # creates or migrates the schema; safe at every start
    return Portal(
        storage=storage,
        mailer=SmtpMailer(
            host=configuration.require("smtp_host"),
            port=configuration.get("smtp_port"),
            security=configuration.get("smtp_security"),
            username=configuration.get("smtp_username"),
            password=configuration.get("smtp_password"),
        ),
        settings=configuration.settings(),  # what load_settings() returns
    )


# --8<-- [end:portal]


# --8<-- [start:token]
def bearer_token(authorization: str | None) -> str:
    """The session token of an ``Authorization: Bearer ...`` header, or ``""``.

    ``portal.auth.authenticate("")`` answers ``NotAuthenticated`` as for an ended session.
    """
    scheme, _, token = (authorization or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


# --8<-- [end:token]


# --8<-- [start:json]
#: Models to JSON-ready data: attrs classes become objects, tuples and frozensets lists,
#: dates and datetimes ISO 8601 strings. The SDK's enums are string enums: they pass
#: through, and JSON writes their values ("female", "held", "hr").
converter = make_converter()


def to_json(model: object) -> Any:
    """A model the SDK returned (or a list of them) as data for ``json.dumps``.

    Only fields travel, not properties: ``Trajectory.status`` is computed, so send the
    dossier's ``TrajectoryRow``, which holds it as a field.
    """
    return converter.unstructure(model)


# --8<-- [end:json]


# --8<-- [start:problem]
#: The prefix of every problem ``type``; the code after it is listed in docs/errors.md.
PROBLEM_TYPE = "urn:onzecoach:error:"


def problem(error: OnzecoachError) -> tuple[dict[str, Any], int, dict[str, str]]:
    """An RFC 9457 problem body, the HTTP status and any headers for an onzecoach error."""
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE + error.code,
        "title": error.text,  # the Dutch text, without an adapter's technical detail
        "status": error.http_status,
        "code": error.code,
    }
    headers: dict[str, str] = {}
    if isinstance(error, ValidationError):
        body["errors"] = [
            {"field": item.field, "code": item.code, "message": item.message}
            for item in error.details
        ]
    if isinstance(error, Throttled):
        body["retry_at"] = error.retry_at.isoformat()
        headers["Retry-After"] = format_datetime(error.retry_at.astimezone(UTC), usegmt=True)
    return body, error.http_status, headers


# --8<-- [end:problem]


# --8<-- [start:thread]
def dispatch_in_thread(portal: Portal, stop: threading.Event, *, idle: float = 5.0) -> None:
    """Send due mail and SMS until ``stop`` is set; run it in one daemon thread per process.

    ``onzecoach outbox run`` in a process of its own is the better home: see the page.
    """
    while not stop.is_set():
        try:
            sent = portal.outbox.dispatch_due()
        except OnzecoachError:  # the database is away: try again after a pause
            logging.getLogger(__name__).exception("outbox dispatch failed")
            sent = 0
        if sent == 0:
            stop.wait(idle)


# --8<-- [end:thread]
