"""``onzecoach privacy``: keeping erased employees erased, and retention."""

from __future__ import annotations

import os
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from onzecoach.actors import SERVICE_DESK
from onzecoach.cli._commands import _portal, _progress_bar, _state, cli
from onzecoach.errors import ValidationError
from onzecoach.privacy import (
    ErasedEmployee,
    PurgeReport,
    RetentionReason,
    erasure_list_json,
    merge_erasures,
    read_erasure_list,
)

__all__ = ["privacy", "read_list"]

_WHY = {
    RetentionReason.LAST_TRAJECTORY_CLOSED: "last closed",
    RetentionReason.REGISTERED: "registered",
}


@cli.group()
def privacy() -> None:
    """Privacy (AVG): erased employees and retention."""


@privacy.command("reapply")
@click.option(
    "--list",
    "list_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A list file (`privacy erasures export`) to merge into the database's list first.",
)
@click.pass_context
def privacy_reapply(ctx: click.Context, list_path: Path | None) -> None:
    """Erase again every erased employee that a restored backup brought back.

    Run it after restoring a backup taken before an erasure (see docs/privacy.md): the ids
    of erased employees are kept, and each whose data is back is erased again. A backup
    lists only the erasures made before it: give --list with the file kept outside.
    """
    listed = [] if list_path is None else read_list(list_path)
    erased = _portal(ctx).privacy.reapply(SERVICE_DESK, listed=listed)
    _state(ctx).out.print(f"Erased again: {erased} employee(s).")


# The list of erased employees, kept outside the database ------------------------------------


def read_list(path: Path) -> list[ErasedEmployee]:
    """The erased employees a list file holds; a file that is none fails with its name."""
    try:
        return read_erasure_list(path.read_bytes())
    except OSError as exc:
        raise click.FileError(str(path), hint=exc.strerror) from exc
    except ValidationError as exc:
        raise click.FileError(str(path), hint=exc.errors["listed"]) from exc


@privacy.group("erasures")
def privacy_erasures() -> None:
    """The list of erased employees, kept outside the database for restores."""


@privacy_erasures.command("export")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def privacy_erasures_export(ctx: click.Context, path: Path) -> None:
    """Write the list of erased employees to PATH as JSON: ids, employer ids and times.

    Nothing in it names a person: keep it beside the backups (or off the database's host)
    and export again after every erasure, so that `privacy reapply --list PATH` after a
    restore knows them all. An existing list at PATH is merged in, never shrunk: a list
    exported from a restored database that lacks later erasures loses none of them.
    """
    state = _state(ctx)
    portal = _portal(ctx)
    database = portal.privacy.erasures(SERVICE_DESK)
    earlier = read_list(path) if path.exists() else []
    known = {item.employee_id for item in database}
    missing = [item for item in earlier if item.employee_id not in known]
    listed = merge_erasures(database, earlier)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        partial.write_bytes(erasure_list_json(listed, exported_at=portal.clock.now()))
        partial.replace(path)
    except OSError as exc:
        raise click.FileError(str(path), hint=exc.strerror) from exc
    finally:
        partial.unlink(missing_ok=True)
    state.out.print(f"Listed {len(listed)} erased employee(s) in {path}.", soft_wrap=True)
    if missing:
        state.err.print(
            f"{len(missing)} of them are in {path} but not in the database's list: run "
            f"`onzecoach privacy reapply --list {path}`.",
            soft_wrap=True,
        )


@privacy.command("export")
@click.argument("employee_id")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def privacy_export(ctx: click.Context, employee_id: str, path: Path) -> None:
    """Write everything held about employee EMPLOYEE_ID to PATH as a zip file (AVG art. 15
    and 20): the data as JSON and as a page to read, coaches' notes included.

    The export is audited (`privacy.exported`). The command prints no name, only the id;
    the file holds personal data, so hand it over and delete it. PATH is written under a
    temporary name first: an error leaves no half file.
    """
    state = _state(ctx)
    data = _portal(ctx).privacy.export(SERVICE_DESK, employee_id)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        with partial.open("wb") as file:
            data.write_archive(file)
        partial.replace(path)
    except OSError as exc:
        raise click.FileError(str(path), hint=exc.strerror) from exc
    finally:
        partial.unlink(missing_ok=True)
    state.out.print(
        f"Wrote everything held about employee {employee_id} to {path}.", soft_wrap=True
    )


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
