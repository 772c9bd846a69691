"""What an import reports: each row's errors and changes, and the totals."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from onzecoach.errors import FieldError

__all__ = ["ImportReport", "RowChange", "RowError", "reject"]


@attrs.frozen
class RowError:
    """Why one row (or, with ``field`` ``None``, the row as a whole) was not imported.

    ``row`` counts as a spreadsheet does: the header is row 1, the first employee row 2;
    row 0 is the file as a whole (unreadable, no usable header). ``field`` is the SDK's
    field name (``FIELDS``); ``code`` is stable, ``message`` Dutch.
    """

    row: int
    field: str | None
    code: str
    message: str


@attrs.frozen
class RowChange:
    """What a row did, or in a dry run would do: ``action`` ``"created"`` or ``"updated"``.

    ``changes`` holds, for an update, each changed field's old and new value (as the
    audit log writes them); it is empty for a creation.
    """

    row: int
    employee_number: str
    action: str
    changes: Mapping[str, tuple[Any, Any]] = attrs.field(factory=dict)


@attrs.frozen
class ImportReport:
    """The outcome of an import; with ``dry_run``, what it would have been.

    ``errors`` are sorted by row; a row may have several (one per bad field).
    ``warnings`` are about the file (unknown or repeated columns), in Dutch.
    """

    rows: int
    created: int
    updated: int
    unchanged: int
    errors: tuple[RowError, ...]
    warnings: tuple[str, ...]
    changes: tuple[RowChange, ...]
    dry_run: bool

    @property
    def failed(self) -> int:
        """How many rows were not imported."""
        return len({error.row for error in self.errors if error.row > 1})


def reject(errors: list[RowError], row: int, problems: Iterable[FieldError]) -> None:
    """Report each of a row's problems once, in ``errors``."""
    seen: set[tuple[str, str]] = set()
    for problem in problems:
        if (problem.field, problem.code) not in seen:
            seen.add((problem.field, problem.code))
            field = problem.field or None
            errors.append(RowError(row, field, problem.code, problem.message))
