"""The ``onzecoach`` command (needs the ``cli`` extra: click and rich).

Configuration comes from a TOML file (``--config`` or ``ONZECOACH_CONFIG``) and
``ONZECOACH_*`` environment variables; see docs/cli.md. Exit codes: 0 done, 1 the
operation failed, 2 bad usage or configuration, 3 ``employees import`` refused rows.
"""

from onzecoach.cli import (
    _coaches,  # noqa: F401 - registers the coaches group
    _outbox,  # noqa: F401 - registers the outbox group
    _privacy,  # noqa: F401 - registers the privacy group
    _restore,  # noqa: F401 - registers `db restore`
)
from onzecoach.cli._commands import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_REFUSED_ROWS,
    EXIT_USAGE,
    cli,
    main,
)

__all__ = ["EXIT_FAILED", "EXIT_OK", "EXIT_REFUSED_ROWS", "EXIT_USAGE", "cli", "main"]
