"""``onzecoach coaches``: the calendar worker."""

from __future__ import annotations

import click

from onzecoach.cli._commands import EXIT_USAGE, _fail, _portal, _state, _Stop, cli

__all__ = ["coaches"]


@cli.group()
def coaches() -> None:
    """Coaches and their own calendars."""


@coaches.command("pull-calendars")
@click.option(
    "--every",
    type=click.FloatRange(min=1),
    default=300.0,
    show_default=True,
    help="Seconds between two pulls.",
)
@click.option("--once", is_flag=True, help="Pull once, then exit (for cron).")
@click.pass_context
def coaches_pull_calendars(ctx: click.Context, every: float, once: bool) -> None:
    """Read the busy times of every coach's linked calendar into the database, until
    stopped by SIGTERM or SIGINT (exit 0); the booking portal offers slots from them.

    A calendar that fails is recorded on its coach (and shown to the service desk); the
    others go on. Needs the calendar extra: pip install 'onzecoach[calendar]'.
    """
    state = _state(ctx)
    portal = _portal(ctx)
    if portal.calendars is None:
        _fail(ctx, "No calendar connector: pip install 'onzecoach[calendar]'.", EXIT_USAGE)
    with _Stop() as stop:
        while True:
            report = portal.coaches.pull_calendars()
            state.err.log(
                f"Pulled {report.calendars} calendar(s): {report.busy_times} busy time(s), "
                f"{report.failed} failed."
            )
            if once or stop.event.wait(every):
                break
