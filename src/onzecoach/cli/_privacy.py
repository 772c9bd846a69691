"""``onzecoach privacy``: keeping erased employees erased."""

from __future__ import annotations

import os
from pathlib import Path

import click

from onzecoach.actors import SERVICE_DESK
from onzecoach.cli._commands import _portal, _state, cli
from onzecoach.errors import ValidationError
from onzecoach.privacy import (
    ErasedEmployee,
    erasure_list_json,
    merge_erasures,
    read_erasure_list,
)

__all__ = ["privacy", "read_list"]


@cli.group()
def privacy() -> None:
    """Privacy (AVG): erased employees."""


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
