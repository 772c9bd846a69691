"""The reference web app as a production WSGI server runs it (``flask_portal.wsgi``).

The Portal is built from the one configuration (``--config`` is not available here:
``ONZECOACH_CONFIG`` names the TOML file, ``ONZECOACH_*`` variables override it), as the
``onzecoach`` command and its workers build theirs. It migrates nothing: run
``onzecoach db upgrade`` once per deploy, before the servers start.

Behind a reverse proxy, ``ONZECOACH_WEB_PROXIES`` says how many proxies set
``X-Forwarded-For``, ``-Proto`` and ``-Host`` (0 by default: trust none). The client's address
then comes from the header that the last of them set, never from a value further left that
the client could have written; login throttling counts per that address.

Each gunicorn worker imports this module after the fork (no ``preload_app``), so every
worker has its own database engine and connection pool.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from flask_portal import create_app
from flask_portal.observability import log_as_json
from onzecoach.assembly import assemble
from onzecoach.configuration import ConfigurationError

__all__ = ["PROXIES_ENV", "make_app", "proxies"]

PROXIES_ENV = "ONZECOACH_WEB_PROXIES"


def proxies(environ: Mapping[str, str]) -> int:
    """How many reverse proxies to trust, from ``ONZECOACH_WEB_PROXIES`` (0 to 5)."""
    raw = environ.get(PROXIES_ENV, "").strip() or "0"
    if not raw.isascii() or not raw.isdigit() or int(raw) > 5:
        raise ConfigurationError(f"{PROXIES_ENV} must be a whole number from 0 to 5")
    return int(raw)


def make_app(environ: Mapping[str, str] | None = None) -> Flask:
    """The production app: no development pages, Secure cookies, the configured adapters."""
    environ = os.environ if environ is None else environ
    trusted = proxies(environ)
    log_as_json()
    portal = assemble(None, environ).portal()
    app = create_app(portal, development=False)
    if trusted:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=trusted, x_proto=trusted, x_host=trusted
        )
    return app
