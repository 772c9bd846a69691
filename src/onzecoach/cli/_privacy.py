"""``onzecoach privacy``: keeping erased employees erased, and retention."""

from __future__ import annotations

import click
from rich.console import Console
from rich.table import Table

from onzecoach.actors import SERVICE_DESK
from onzecoach.cli._commands import _portal, _progress_bar, _state, cli
from onzecoach.privacy import PurgeReport, RetentionReason

__all__ = ["privacy"]

_WHY = {
    RetentionReason.LAST_TRAJECTORY_CLOSED: "last closed",
    RetentionReason.REGISTERED: "registered",
}


@cli.group()
def privacy() -> None:
    """Privacy (AVG): erased employees and retention."""


@privacy.command("reapply")
@click.pass_context
def privacy_reapply(ctx: click.Context) -> None:
    """Erase again every erased employee that a restored backup brought back.

    Run it after restoring a backup taken before an erasure (see docs/privacy.md): the ids
    of erased employees are kept, and each whose data is back is erased again.
    """
    erased = _portal(ctx).privacy.reapply(SERVICE_DESK)
    _state(ctx).out.print(f"Erased again: {erased} employee(s).")


@privacy.command("purge")
@click.option(
    "--dry-run", is_flag=True, help="List who is due and count what would go; change nothing."
)
@click.pass_context
def privacy_purge(ctx: click.Context, *, dry_run: bool) -> None:
    """Erase every employee past their employer's retention period, and clean up.

    The clean-up drops audit entries past their own period, deletes expired links,
    sessions and WebAuthn challenges, and empties the bodies of mail sent long enough ago.
    Each employee is erased in a transaction of its own: a run that stops halfway can be
    run again. Schedule it daily (see docs/privacy.md).
    """
    state = _state(ctx)
    portal = _portal(ctx)
    with _progress_bar(state.err, "Erasing") as progress:
        report = portal.privacy.purge_due(SERVICE_DESK, dry_run=dry_run, progress=progress)
    _print_purge(state.out, report)


def _print_purge(out: Console, report: PurgeReport) -> None:
    """Who is due (ids, why, since when: nothing personal), then what went or would go."""
    verb = "would go" if report.dry_run else "went"
    out.print(f"Employees past their retention period: {len(report.due)}", soft_wrap=True)
    for employer_id, count in report.due_per_employer().items():
        due = Table(title=f"Employer {employer_id} ({count})")
        due.add_column("employee", no_wrap=True)
        due.add_column("why")
        due.add_column("since", no_wrap=True)
        due.add_column("months", justify="right")
        for item in report.due:
            if item.employer_id == employer_id:
                due.add_row(
                    item.employee_id,
                    _WHY[item.reason],
                    item.since.date().isoformat(),
                    str(item.period_months),
                )
        out.print(due)
    summary = Table(title=f"What {verb}" + (" (dry run)" if report.dry_run else ""))
    summary.add_column("what")
    summary.add_column("count", justify="right")
    cleaned = report.cleaned
    for label, count in (
        ("employees erased", len(report.due) if report.dry_run else report.erased),
        ("audit entries", cleaned.audit_entries),
        ("expired links", cleaned.links),
        ("sessions", cleaned.sessions),
        ("WebAuthn challenges", cleaned.webauthn_challenges),
        ("sent mail bodies", cleaned.outbox_bodies),
    ):
        summary.add_row(label, str(count))
    out.print(summary)
    if report.dry_run:
        out.print("Dry run: nothing was changed.", soft_wrap=True)
