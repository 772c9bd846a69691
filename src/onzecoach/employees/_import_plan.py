"""An import's batches: how the file's rows are cut, what a batch's write is worked out
to be (``Plan``) and what it did once committed (``Outcome``)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from concurrent.futures import Future
from datetime import datetime
from typing import TYPE_CHECKING, Any

import attrs

from onzecoach.employees._import_report import RowChange, RowError, reject

if TYPE_CHECKING:
    from onzecoach.audit import AuditEntry
    from onzecoach.employees._import_files import Row
    from onzecoach.employees._model import Employee
    from onzecoach.employees._validation import EmployeeDetails
    from onzecoach.errors import FieldError

__all__ = ["Outcome", "Plan", "batches_of", "what_became_of"]


def what_became_of(batch: Future[Outcome]) -> str:
    """A note on a batch that a writer went on with after the import stopped."""
    try:
        outcome = batch.result()
    except BaseException as failed:
        return f"another batch failed as well: {type(failed).__name__}: {failed}"
    return (
        f"another batch of {outcome.rows} rows was written: {outcome.created} created, "
        f"{outcome.updated} updated, {outcome.unchanged} unchanged"
    )


def batches_of(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    batch: list[Row] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


@attrs.define
class Outcome:
    """What writing one batch did; added to the run's totals in the order of the file."""

    rows: int
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = attrs.Factory(list)
    changes: list[RowChange] = attrs.Factory(list)

    def add(self, plan: Plan) -> None:
        """What ``plan`` did, once committed."""
        for row_number, problems in plan.rejected:
            reject(self.errors, row_number, problems)
        self.created += plan.created
        self.updated += plan.updated
        self.unchanged += plan.unchanged
        self.changes.extend(plan.changes)


@attrs.define
class Plan:
    """A batch's writes, worked out from its checked rows and the stored employees its
    numbers name: what ``_Run._put`` writes in a unit of work."""

    now: datetime
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    changes: list[RowChange] = attrs.Factory(list)
    rejected: list[tuple[int, tuple[FieldError, ...]]] = attrs.Factory(list)
    #: Each update: the employee as read, its new details and the changed fields.
    updates: list[tuple[Employee, EmployeeDetails, dict[str, tuple[Any, Any]]]] = attrs.Factory(
        list
    )
    #: The stored employees the batch names, changed or not.
    named: list[str] = attrs.Factory(list)
    #: The employees it registers, and their audit entries.
    employees: list[Employee] = attrs.Factory(list)
    entries: list[AuditEntry] = attrs.Factory(list)
