"""The reference web app for a production WSGI server: ``gunicorn flask_portal.wsgi:app``.

Built at import, in each worker, from the configuration in the environment
(``flask_portal.production``): ``ONZECOACH_CONFIG`` names the TOML file, ``ONZECOACH_*``
variables override it, ``ONZECOACH_WEB_PROXIES`` says how many proxies to trust.
"""

from __future__ import annotations

from flask_portal.production import make_app

__all__ = ["app"]

app = make_app()
