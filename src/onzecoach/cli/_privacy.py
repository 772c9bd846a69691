"""``onzecoach privacy``: keeping erased employees erased."""

from __future__ import annotations

import click

from onzecoach.actors import SERVICE_DESK
from onzecoach.cli._commands import _portal, _state, cli

__all__ = ["privacy"]


@cli.group()
def privacy() -> None:
    """Privacy (AVG): erased employees."""


@privacy.command("reapply")
@click.pass_context
def privacy_reapply(ctx: click.Context) -> None:
    """Erase again every erased employee that a restored backup brought back.

    Run it after restoring a backup taken before an erasure (see docs/privacy.md): the ids
    of erased employees are kept, and each whose data is back is erased again.
    """
    erased = _portal(ctx).privacy.reapply(SERVICE_DESK)
    _state(ctx).out.print(f"Erased again: {erased} employee(s).")
