"""The reference web app: every screen of the manual, in Dutch, over ``onzecoach.Portal``.

``create_app(portal)`` builds it; ``python -m flask_portal`` from ``examples/`` (``make demo``) runs
it on an embedded SQLite database with demo data.
"""

from flask_portal.app import create_app

__all__ = ["create_app"]
