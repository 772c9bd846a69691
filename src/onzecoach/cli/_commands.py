"""The ``onzecoach`` command: click groups and commands over one Portal built from the config."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from types import FrameType
from typing import IO, TYPE_CHECKING, Any, NoReturn, cast

import attrs
import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from onzecoach.actors import SERVICE_DESK, Role
from onzecoach.cli._config import Config, ConfigError, calendars, load
from onzecoach.employees import ImportReport
from onzecoach.errors import OnzecoachError, ValidationError
from onzecoach.portal import Portal

if TYPE_CHECKING:
    from onzecoach.stats import ExportFormat

__all__ = ["EXIT_FAILED", "EXIT_OK", "EXIT_REFUSED_ROWS", "EXIT_USAGE", "cli", "main"]

EXIT_OK = 0
#: The operation failed: an onzecoach error (not found, conflict, invalid input, ...).
EXIT_FAILED = 1
#: Bad usage or configuration: a missing option, a setting not set or malformed.
EXIT_USAGE = 2
#: ``employees import``: the file was read, but some rows were refused.
EXIT_REFUSED_ROWS = 3

_MONTH = "%Y-%m"


@attrs.define
class _State:
    """What one invocation shares: the config file's path, the consoles, the Portal once built."""

    config_path: Path | None
    out: Console
    err: Console
    portal: Portal | None = None

    def config(self) -> Config:
        return load(self.config_path, os.environ)


def _state(ctx: click.Context) -> _State:
    state = ctx.find_object(_State)
    if state is None:  # only when a command is invoked without the root group
        raise click.UsageError("run this command through `onzecoach`")
    return state


def _portal(ctx: click.Context) -> Portal:
    """The Portal of this invocation, built once from the configuration."""
    state = _state(ctx)
    if state.portal is None:
        config = state.config()
        settings = config.settings()
        mailer, sms, yubikey = config.mailer(), config.sms(), config.yubikey()
        storage = config.storage()
        ctx.find_root().call_on_close(storage.close)
        state.portal = Portal(
            storage=storage,
            mailer=mailer,
            sms=sms,
            yubikey=yubikey,
            settings=settings,
            calendars=calendars(),
        )
    return state.portal


def _fail(ctx: click.Context, message: str, code: int) -> NoReturn:
    _state(ctx).err.print(Text(message, style="red"), soft_wrap=True)
    ctx.exit(code)


class _Root(click.Group):
    """Turns expected errors into a message on stderr and an exit code, without a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ConfigError as exc:
            _fail(ctx, f"Configuration: {exc}", EXIT_USAGE)
        except ValidationError as exc:
            # Every bad field, each with its Dutch message.
            lines = [f"{field}: {message}" for field, message in exc.errors.items()]
            _fail(ctx, "\n".join(lines), EXIT_FAILED)
        except OnzecoachError as exc:
            _fail(ctx, str(exc) or type(exc).__name__, EXIT_FAILED)


@click.group(cls=_Root, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    envvar="ONZECOACH_CONFIG",
    help="A TOML configuration file (or ONZECOACH_CONFIG). ONZECOACH_* variables override it.",
)
@click.version_option(package_name="onzecoach")
@click.pass_context
def cli(ctx: click.Context, config_path: Path | None) -> None:
    """Operate an OnzeCoach portal: database, employers, users, imports, outbox, statistics.

    Exit codes: 0 done; 1 the operation failed; 2 bad usage or configuration;
    3 `employees import` refused some rows. See docs/cli.md.
    """
    ctx.obj = _State(
        config_path=config_path, out=Console(), err=Console(stderr=True, log_path=False)
    )


# db ---------------------------------------------------------------------------------------


@cli.group()
def db() -> None:
    """The database schema."""


@db.command("upgrade")
@click.pass_context
def db_upgrade(ctx: click.Context) -> None:
    """Create or migrate the schema to the newest version; safe to run at every deploy."""
    state = _state(ctx)
    storage = state.config().storage()
    try:
        storage.upgrade()
        revision = storage.schema_revision()
    finally:
        storage.close()
    state.out.print(f"Schema at revision {revision}.")


@db.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--overwrite", is_flag=True, help="Replace PATH if it exists.")
@click.pass_context
def db_backup(ctx: click.Context, path: Path, overwrite: bool) -> None:
    """Copy the SQLite database to PATH while the portal runs: one consistent copy,
    checked before it takes PATH's name. PostgreSQL: use pg_dump (docs/deployment.md)."""
    state = _state(ctx)
    storage = state.config().storage()
    try:
        report = storage.backup(path, overwrite=overwrite)
    finally:
        storage.close()
    state.out.print(
        f"Copied to {report.path}: {report.size:,} bytes, schema at revision "
        f"{report.revision}, in {report.seconds:.1f} s."
    )


# employer, department ---------------------------------------------------------------------


@cli.group()
def employer() -> None:
    """Employers (werkgevers)."""


@employer.command("create")
@click.argument("name")
@click.pass_context
def employer_create(ctx: click.Context, name: str) -> None:
    """Create an employer called NAME and print its id."""
    created = _portal(ctx).admin.create_employer(SERVICE_DESK, name)
    click.echo(created.id)


@cli.group()
def department() -> None:
    """Departments (afdelingen) of an employer."""


@department.command("add")
@click.argument("employer_id")
@click.argument("name")
@click.pass_context
def department_add(ctx: click.Context, employer_id: str, name: str) -> None:
    """Add a department called NAME to EMPLOYER_ID and print its id."""
    added = _portal(ctx).admin.add_department(SERVICE_DESK, employer_id, name)
    click.echo(added.id)


# user ------------------------------------------------------------------------------------


@cli.group()
def user() -> None:
    """User accounts: invitations and second-factor resets."""


@user.command("invite")
@click.argument("employer_id", required=False)
@click.option("--service-desk", is_flag=True, help="Invite a service-desk user (no employer).")
@click.option("--email", required=True, help="Where the one-time registration link goes.")
@click.option("--username", required=True, help="The login name (inlognaam).")
@click.pass_context
def user_invite(
    ctx: click.Context, employer_id: str | None, service_desk: bool, email: str, username: str
) -> None:
    """Invite an HR user of EMPLOYER_ID (or, with --service-desk, a service-desk user).

    The invitation mail is queued in the outbox; `onzecoach outbox run` sends it.
    Prints the new user's id.
    """
    if (employer_id is None) == (not service_desk):
        raise click.UsageError("give either EMPLOYER_ID or --service-desk, not both or neither")
    invitation = _portal(ctx).admin.invite_user(
        SERVICE_DESK,
        None if service_desk else employer_id,
        email=email,
        username=username,
        role=Role.SERVICE_DESK if service_desk else Role.HR,
    )
    click.echo(invitation.user_id)
    _state(ctx).err.print(
        f"Invitation for {invitation.username} queued; the link works until "
        f"{invitation.expires_at:%Y-%m-%d %H:%M} UTC.",
        soft_wrap=True,
    )


@user.command("reset-mfa")
@click.argument("user_id")
@click.pass_context
def user_reset_mfa(ctx: click.Context, user_id: str) -> None:
    """Remove every second factor and backup code of USER_ID and end its sessions.

    The next login with the password starts a new second-factor setup.
    """
    _portal(ctx).mfa.reset(SERVICE_DESK, user_id)
    _state(ctx).out.print("Second factor reset; the user sets up a new one at the next login.")


# employees -------------------------------------------------------------------------------


@cli.group()
def employees() -> None:
    """Employees (medewerkers)."""


@employees.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--employer-id", required=True, help="The employer the employees belong to.")
@click.option("--dry-run", is_flag=True, help="Check and match every row; save nothing.")
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=2000,
    show_default=True,
    help="Rows per transaction.",
)
@click.option(
    "--show-errors",
    type=click.IntRange(min=0),
    default=20,
    show_default=True,
    help="How many row errors to list.",
)
@click.option(
    "--show-changes",
    type=click.IntRange(min=0),
    default=20,
    show_default=True,
    help="How many created or updated rows to list, with each changed field.",
)
@click.pass_context
def employees_import(
    ctx: click.Context,
    *,
    file: Path,
    employer_id: str,
    dry_run: bool,
    batch_size: int,
    show_errors: int,
    show_changes: int,
) -> None:
    """Import the employees in FILE (CSV or XLSX) into an employer, matched on employee number.

    Exit code 3 when some rows were refused (listed with row, field and message): the
    other rows were imported, unless --dry-run. Exit code 1 when the file as a whole
    could not be used (unreadable, no known column in the header).
    """
    state = _state(ctx)
    portal = _portal(ctx)
    with _progress_bar(state.err, f"Importing {file.name}") as bar:
        report = portal.imports.employees(
            SERVICE_DESK,
            file,
            employer_id=employer_id,
            dry_run=dry_run,
            batch_size=batch_size,
            progress=bar,
        )
    _print_import_report(state, report, show_errors)
    _print_import_changes(state, report, show_changes)
    if any(error.row <= 1 for error in report.errors):
        ctx.exit(EXIT_FAILED)
    if report.errors:
        ctx.exit(EXIT_REFUSED_ROWS)


@contextmanager
def _progress_bar(
    console: Console, description: str
) -> Iterator[Callable[[int, int | None], None]]:
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(description, total=None)

        def advance(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=total)

        yield advance


def _print_import_report(state: _State, report: ImportReport, show_errors: int) -> None:
    table = Table(title="Import (dry run)" if report.dry_run else "Import", show_header=False)
    table.add_column("what")
    table.add_column("rows", justify="right")
    for label, count in (
        ("read", report.rows),
        ("created", report.created),
        ("updated", report.updated),
        ("unchanged", report.unchanged),
        ("refused", report.failed),
    ):
        table.add_row(label, str(count))
    state.out.print(table)
    if report.dry_run:
        state.out.print("Dry run: nothing was saved.", soft_wrap=True)
    for warning in report.warnings:
        state.err.print(Text(f"Let op: {warning}", style="yellow"), soft_wrap=True)
    if report.errors and show_errors:
        shown = report.errors[:show_errors]
        errors = Table(title=f"Errors ({len(shown)} of {len(report.errors)})")
        errors.add_column("row", justify="right")
        errors.add_column("field")
        errors.add_column("message")
        for error in shown:
            errors.add_row(str(error.row), error.field or "", Text(error.message))
        state.out.print(errors)


def _print_import_changes(state: _State, report: ImportReport, show_changes: int) -> None:
    """The rows created or updated (or, in a dry run, that would be), each changed field."""
    if not report.changes or not show_changes:
        return
    shown = report.changes[:show_changes]
    verb = "would change" if report.dry_run else "changed"
    changes = Table(title=f"Rows that {verb} ({len(shown)} of {len(report.changes)})")
    changes.add_column("row", justify="right")
    changes.add_column("employee number")
    changes.add_column("action")
    changes.add_column("fields")
    for change in shown:
        fields = "\n".join(
            f"{field}: {old!r} -> {new!r}" for field, (old, new) in change.changes.items()
        )
        changes.add_row(str(change.row), Text(change.employee_number), change.action, Text(fields))
    state.out.print(changes)


# signals ---------------------------------------------------------------------------------


class _Stop:
    """Set by SIGTERM or SIGINT; the loop finishes its batch and returns."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> _Stop:
        for signum in (signal.SIGTERM, signal.SIGINT):
            self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, *_: object) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)

    def _handle(self, signum: int, _: FrameType | None) -> None:
        self.event.set()


# stats -----------------------------------------------------------------------------------


@cli.group()
def stats() -> None:
    """Statistics: exports and rollup rebuilds."""


def _month(ctx: click.Context, param: click.Parameter, value: str) -> date:
    """The first day of a month written YYYY-MM."""
    try:
        year, month = (int(part) for part in value.split("-"))
        return date(year, month, 1)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a month written YYYY-MM") from None


@stats.command("export")
@click.option("--employer-id", help="One employer; every employer together when left out.")
@click.option(
    "--from", "start", metavar="YYYY-MM", callback=_month, required=True, help="The first month."
)
@click.option(
    "--to", "end", metavar="YYYY-MM", callback=_month, required=True, help="The last month."
)
@click.option(
    "--format",
    "format_",
    type=click.Choice(["csv", "xlsx"]),
    default="csv",
    show_default=True,
)
@click.option(
    "-o",
    "--output",
    type=click.File("wb"),
    default="-",
    help="Where to write; standard output when left out.",
)
@click.pass_context
def stats_export(
    ctx: click.Context,
    *,
    employer_id: str | None,
    start: date,
    end: date,
    format_: str,
    output: IO[bytes],
) -> None:
    """Export the dashboard with its whole breakdown, as the service desk sees it."""
    data = _portal(ctx).stats.export(
        SERVICE_DESK,
        format=cast("ExportFormat", format_),  # click's Choice takes csv and xlsx only
        start=start,
        end=end,
        employer_id=employer_id,
    )
    output.write(data)


@stats.command("rebuild")
@click.option("--employer-id", help="One employer; every employer when left out.")
@click.pass_context
def stats_rebuild(ctx: click.Context, employer_id: str | None) -> None:
    """Recompute the statistics rollups from the appointments.

    Run it once after upgrading to schema revision 0006 (see docs/stats.md), or to
    repair rollups.
    """
    rebuilt = _portal(ctx).stats.rebuild(SERVICE_DESK, employer_id=employer_id)
    _state(ctx).out.print(f"Rebuilt the statistics of {rebuilt} employer(s).")


# keys ------------------------------------------------------------------------------------


@cli.group()
def keys() -> None:
    """The secret key and its rotation."""


@keys.command("reseal")
@click.pass_context
def keys_reseal(ctx: click.Context) -> None:
    """Seal app secrets, unsent messages, calendar passwords and coaches' notes again under
    the current key.

    Run it after a key rotation, with the old key still in old_secret_keys; after it,
    they no longer need the old key (see docs/operations.md for what still may).
    """
    state = _state(ctx)
    portal = _portal(ctx)
    secrets = portal.mfa.reseal(SERVICE_DESK)
    messages = portal.outbox.reseal(SERVICE_DESK)
    passwords = portal.coaches.reseal(SERVICE_DESK)
    notes = portal.coaching.reseal(SERVICE_DESK)
    state.out.print("Sealed again under the current key:")
    for count, what in (
        (secrets.resealed, "app secret(s)"),
        (messages.resealed, "unsent message(s)"),
        (passwords.resealed, "calendar password(s)"),
        (notes.resealed, "coach's note(s)"),
    ):
        state.out.print(f"  {count} {what}")
    for count, what, remedy in (
        (secrets.unreadable, "app secret(s)", "their users need `onzecoach user reset-mfa`"),
        (messages.unreadable, "unsent message(s)", "they cannot be sent"),
        (passwords.unreadable, "calendar password(s)", "their coaches link the calendar again"),
        (notes.unreadable, "coach's note(s)", "they cannot be read"),
    ):
        if count:
            state.err.print(
                Text(f"Let op: {count} {what} open with no configured key; {remedy}."),
                style="yellow",
                soft_wrap=True,
            )


# search ----------------------------------------------------------------------------------


@cli.group()
def search() -> None:
    """The dossier search's index."""


@search.command("rebuild")
@click.option("--employer-id", help="One employer; every employer when left out.")
@click.pass_context
def search_rebuild(ctx: click.Context, employer_id: str | None) -> None:
    """Index every employee anew.

    Run it once after upgrading a database with employees to schema revision 0005
    (which adds the index empty), or to repair the index. Searches keep working
    meanwhile; each employer is rebuilt in its own transaction.
    """
    indexed = _portal(ctx).search.rebuild(SERVICE_DESK, employer_id=employer_id)
    _state(ctx).out.print(f"Indexed {indexed} employee(s).")


def main() -> None:
    """The console script's entry point."""
    cli(prog_name="onzecoach")
