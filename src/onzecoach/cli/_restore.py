"""``onzecoach db restore``: a SQLite backup back in place, with every erasure kept."""

from __future__ import annotations

from pathlib import Path

import click

from onzecoach.actors import SERVICE_DESK
from onzecoach.cli._commands import _portal, _state, db
from onzecoach.cli._privacy import read_list
from onzecoach.errors import StorageError
from onzecoach.privacy import erasure_list_json, merge_erasures

__all__ = ["db_restore"]


@db.command("restore")
@click.argument("backup", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--list",
    "list_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A list file (`privacy erasures export`) whose erasures are applied too.",
)
@click.option(
    "--keep",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where the replaced database is copied first [default: beside it, "
    "<name>.<UTC time>.replaced].",
)
@click.pass_context
def db_restore(ctx: click.Context, backup: Path, list_path: Path | None, keep: Path | None) -> None:
    """Replace the SQLite database with BACKUP (from `db backup`), keeping erasures erased.

    Stop the web app and the workers first. The database's list of erased employees is
    read first, the database is copied aside (--keep), BACKUP takes its place and is
    migrated to this version, and every erased employee the backup brought back, of that
    list and of --list, is erased again. A backup or database with a newer schema than
    this version knows is refused. PostgreSQL: pg_restore, then `privacy reapply --list`.
    """
    state = _state(ctx)
    listed = [] if list_path is None else read_list(list_path)
    storage = state.config().storage()
    ctx.call_on_close(storage.close)
    if storage.dialect != "sqlite":
        raise StorageError(
            "db restore replaces a SQLite database; on PostgreSQL restore with pg_restore, "
            "then run `onzecoach privacy reapply --list FILE` (docs/privacy.md)",
            code="storage.misconfigured",
        )
    head = storage.head_revision()
    # A database file that is missing or empty has no schema, and no erasures to carry.
    current = storage.schema_revision()
    if current not in (None, head):
        raise StorageError(
            f"the database has schema revision {current}, not this version's {head}: run "
            "`onzecoach db upgrade` first if it is older; restore a newer one with the "
            "version that runs it",
            code="storage.misconfigured",
        )
    portal = _portal(ctx)
    live = [] if current is None else portal.privacy.erasures(SERVICE_DESK)
    if keep is None:
        stamp = portal.clock.now().strftime("%Y%m%dT%H%M%SZ")
        database = Path(str(storage.url.database))
        keep = database.with_name(f"{database.name}.{stamp}.replaced")
    carried = merge_erasures(live, listed)
    # The list goes to a file before anything is replaced: should the restore or the
    # erasures after it fail, `privacy reapply --list` with this file finishes the job.
    saved = keep.with_name(f"{keep.name}.erasures.json")
    saved.write_bytes(erasure_list_json(carried, exported_at=portal.clock.now()))
    state.out.print(f"The list of erased employees is saved at {saved}.", soft_wrap=True)
    report = storage.restore(backup, keep=keep)
    if report.kept is not None:
        state.out.print(f"The replaced database is kept at {report.kept}.", soft_wrap=True)
    try:
        erased = portal.privacy.reapply(SERVICE_DESK, listed=carried)
    except Exception:
        state.out.print(
            "Erasing again failed: the restored database may hold erased employees. Fix the "
            f"cause, then run `onzecoach privacy reapply --list {saved}`.",
            soft_wrap=True,
        )
        raise
    state.out.print(
        f"Restored {report.source} (schema revision {report.revision}, now at {head}); "
        f"erased again: {erased} employee(s).",
        soft_wrap=True,
    )
