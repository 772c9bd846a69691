"""The ``onzecoach`` console script: the CLI, or which extra to install when it is missing.

Outside ``onzecoach.cli`` on purpose: that package imports click and rich, so a missing one
would otherwise end the command with a bare ``ModuleNotFoundError``.
"""

from __future__ import annotations

import sys
from typing import Final

__all__ = ["EXTRAS", "main"]

#: The extra that brings each package the command may need.
EXTRAS: Final = {
    "click": "cli",
    "rich": "cli",
    "sqlalchemy": "sql",
    "alembic": "sql",
    "psycopg": "postgres",
    "openpyxl": "xlsx",
    "python_calamine": "xlsx",
    "caldav": "calendar",
    "icalendar": "calendar",
}


def main() -> None:
    try:
        from onzecoach.cli import main as run  # noqa: PLC0415 - only once it is known to load
    except ModuleNotFoundError as missing:
        top = (missing.name or "").partition(".")[0]
        extra = EXTRAS.get(top)
        if extra is None:
            raise
        sys.stderr.write(
            f"onzecoach: the command needs {top}, which is not installed. "
            f"Install the {extra!r} extra: pip install 'onzecoach[{extra}]' "
            "(or 'onzecoach[all]').\n"
        )
        raise SystemExit(2) from None
    run()
