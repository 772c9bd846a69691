"""Bulk import of employees from a CSV or XLSX file (``portal.imports.employees``).

A file is read whole into rows of the form's fields, then handled in batches. Each row
is checked with ``validate_employee``, the same rules and Dutch messages as the form;
a row either applies completely or is reported, never half-written. Rows are matched
on their personeelsnummer: a known number updates that employee (only when something
differs), an unknown one registers a new employee. A row without a number is refused:
nothing else identifies it again, so importing the same file twice would register it
twice, and "importing a file again changes nothing" is the promise this import keeps.

Each batch is written in one unit of work, with its search index rows and audit
entries ("employee.registered" and "employee.updated", as the form's use cases write
them). A batch whose write fails (another writer took a number meanwhile) is written
again row by row, so one row cannot sink the good rows beside it. Each batch is checked
and worked out while the one before it is written; where the storage's writers do not
wait for each other (``WritesInParallel``), two batches are written at once. The garbage
collector makes no passes of its own meanwhile, only young ones after each batch
(``_collector``).
"""

from __future__ import annotations

import typing
import unicodedata
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from onzecoach.access import EMPLOYER_STAFF, require_role, scope_of
from onzecoach.actors import Actor
from onzecoach.audit import audit_entry
from onzecoach.clock import amsterdam
from onzecoach.employees._collector import young_passes_only
from onzecoach.employees._events import EmployeeChanged, EmployeesAdded
from onzecoach.employees._import_files import (
    HEADER_ALIASES,
    Row,
    Source,
    Table,
    Unreadable,
    read,
)
from onzecoach.employees._import_plan import Outcome, Plan, batches_of, what_became_of
from onzecoach.employees._import_report import ImportReport, RowChange, RowError, reject
from onzecoach.employees._memo import Memo
from onzecoach.employees._model import Employee, _fields
from onzecoach.employees._service import _json
from onzecoach.employees._validation import (
    FIELDS,
    EmployeeDetails,
    _validate,
    validate_employee,
)
from onzecoach.errors import Conflict, FieldError, NotFound, StorageError, ValidationError
from onzecoach.ids import is_id, new_ids
from onzecoach.messages import field_text

if TYPE_CHECKING:
    from onzecoach.clock import Clock
    from onzecoach.employees._ports import EmployeeUnitOfWork as UnitOfWork
    from onzecoach.events import Transactions
    from onzecoach.settings import Settings

__all__ = ["HEADER_ALIASES", "ImportReport", "ImportService", "RowChange", "RowError"]

#: ``progress(done_rows, total_rows)``; ``total_rows`` is ``None`` when not known ahead.
Progress = Callable[[int, int | None], None]


class ImportService:
    """Bulk import (``portal.imports``)."""

    def __init__(
        self,
        *,
        storage: Transactions[UnitOfWork],
        clock: Clock,
        settings: Settings,
        writes_in_parallel: bool = False,
    ) -> None:
        """``writes_in_parallel``: the storage's units of work write side by side without
        waiting for each other (``onzecoach.ports.WritesInParallel``); then two batches
        are written at once."""
        self._storage = storage
        self._clock = clock
        self._settings = settings
        # Two: one batch is written while the next is checked and prepared. Measured on
        # PostgreSQL with 2 cores, a third writer only added waiting (benchmarks/import.py).
        self._writers = 2 if writes_in_parallel else 1

    def employees(
        self,
        actor: Actor,
        source: Source,
        *,
        employer_id: str | None = None,
        dry_run: bool = False,
        batch_size: int = 2000,
        progress: Progress | None = None,
    ) -> ImportReport:
        """Import the employees of a ``.csv`` or ``.xlsx`` file; see the module's docstring.

        ``source`` is a path, a binary file object or the file's bytes; its format is told
        by its suffix, else by its first bytes. A CSV is UTF-8 (with or without BOM)
        separated by ``;`` or ``,``; bytes that are not UTF-8 make an error of the fields
        they fall in. An XLSX is read from its first sheet. Headers may be Dutch or English
        (``HEADER_ALIASES``); unknown columns are warned about and skipped. A column the
        file lacks keeps, on update, the value the employee has.

        An HR actor imports into its own employer; the service desk names ``employer_id``
        (``NotFound`` otherwise). ``dry_run`` checks and matches everything and writes
        nothing. ``progress`` is called after each batch.
        """
        require_role(actor, *EMPLOYER_STAFF)
        if not isinstance(batch_size, int) or batch_size < 1:
            raise ValidationError.single("batch_size", "out_of_range")
        employer = actor.employer_id if not actor.is_service_desk else employer_id
        with self._storage.unit_of_work() as uow:
            if (
                not is_id(employer)
                or employer not in scope_of(actor)
                or uow.employers.get(employer) is None
            ):
                raise NotFound("employer.not_found")
            departments = {
                _department_key(d.name): d.id for d in uow.departments.for_employer(employer)
            }
        run = _Run(
            service=self,
            actor=actor,
            employer_id=employer,
            departments=departments,
            dry_run=dry_run,
        )
        try:
            table = read(source)
        except Unreadable as exc:
            run.errors.append(RowError(0, None, exc.code, exc.message))
            return run.report(rows=0, warnings=[])
        if not table.columns:
            run.errors.append(RowError(1, None, "no_columns", field_text("import.no_columns")))
        batches = (run.screen(batch) for batch in batches_of(table.rows, batch_size))
        with young_passes_only(progress) as after_batch:
            if self._writers > 1:
                done = run.write_side_by_side(batches, table, self._writers, after_batch)
            else:
                done = run.write_planned_ahead(batches, table, after_batch)
        return run.report(rows=done, warnings=table.warnings)


def _department_key(name: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", name).split()).casefold()


def _number_key(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    return " ".join(unicodedata.normalize("NFKC", value).split()) or None


#: The form's fields that are not text (a date, a choice): the ones ``_json`` changes.
_NOT_TEXT: Final = tuple(
    name
    for name, kind in typing.get_type_hints(EmployeeDetails).items()
    if kind not in (str, str | None)
)


#: ``_Run.check``'s findings: each row's details, or why they are invalid, by row number.
_Checked = dict[int, "EmployeeDetails | ValidationError"]

#: A batch as ``_Run.screen`` leaves it: the rows that may be imported, with their
#: numbers, and how many rows the batch had.
_Screened = tuple[list[tuple[Row, str]], int]


class _Run:
    """One import's state: the numbers seen so far, the counts and the errors."""

    def __init__(
        self,
        *,
        service: ImportService,
        actor: Actor,
        employer_id: str,
        departments: dict[str, str],
        dry_run: bool,
    ) -> None:
        self._service = service
        self._actor = actor
        self._employer_id = employer_id
        self._departments = departments
        self._dry_run = dry_run
        self._today = service._clock.now().astimezone(amsterdam()).date()
        self._types = service._settings.registration_types
        self._first_row_of: dict[str, int] = {}
        # The checks' outcomes for recurring values (names, places), from batch to batch;
        # used by the calling thread alone (``check`` runs nowhere else).
        self._memo: Memo = {}
        self.created = 0
        self.updated = 0
        self.unchanged = 0
        self.errors: list[RowError] = []
        self.changes: list[RowChange] = []

    def report(self, *, rows: int, warnings: list[str]) -> ImportReport:
        return ImportReport(
            rows=rows,
            created=self.created,
            updated=self.updated,
            unchanged=self.unchanged,
            errors=tuple(sorted(self.errors, key=lambda e: e.row)),
            warnings=tuple(warnings),
            changes=tuple(self.changes),
            dry_run=self._dry_run,
        )

    def screen(self, rows: list[Row]) -> _Screened:
        """The rows that may be imported, with their numbers; the rest reported. In file
        order: a number's first row is the one kept."""
        candidates = [row for row in (self._screen(row) for row in rows) if row is not None]
        return candidates, len(rows)

    def check(self, candidates: list[tuple[Row, str]]) -> _Checked:
        """Each candidate's row as ``validate_employee`` finds it, by row number; may run
        beside the writing of another batch, so it reads nothing but the row and the run's
        fixed settings."""
        checked: _Checked = {}
        memo = self._memo
        for row, _ in candidates:
            try:
                checked[row.number] = _validate(
                    row.values, registration_types=self._types, today=self._today, memo=memo
                )
            except ValidationError as exc:
                checked[row.number] = exc
        return checked

    def write_planned_ahead(
        self, batches: Iterable[_Screened], table: Table, progress: Progress | None
    ) -> int:
        """Write each batch in a thread while the next one is checked and worked out here:
        for a storage with one writer at a time (SQLite, memory). The writer's unit of work
        first looks up the stored employees the next batch names, for it to be worked out
        with while this one is written; SQLite writes its rows without the GIL
        (``_insert_sqlite``), so the two share the cores.

        An error stops the import, but a batch already with the writer is written all the
        same: the error then says so in a note. How many rows there were."""
        done = 0
        columns = table.columns
        upcoming = iter(batches)
        current = next(upcoming, None)
        if current is None:
            return 0
        checked = self.check(current[0])
        known = self._look_up(current[0])
        written: Future[Outcome] | None = None
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="onzecoach-import") as writer:
            try:
                while current is not None:
                    plan = self._plan(current[0], columns, checked, known)
                    following = next(upcoming, None)
                    following_checked = {} if following is None else self.check(following[0])
                    if written is not None:
                        finished, written = written, None
                        done = self._count(finished.result(), done, table, progress)
                    ahead = [] if following is None else [number for _, number in following[0]]
                    found: Future[dict[str, Employee]] = Future()
                    written = writer.submit(
                        self.write_plan, current, checked, columns, plan, ahead=ahead, found=found
                    )
                    known = found.result()
                    current, checked = following, following_checked
                if written is not None:
                    finished, written = written, None
                    done = self._count(finished.result(), done, table, progress)
            except BaseException as error:
                if written is not None:
                    error.add_note(what_became_of(written))
                raise
        return done

    def write_side_by_side(
        self, batches: Iterable[_Screened], table: Table, writers: int, progress: Progress | None
    ) -> int:
        """Check each batch here while up to ``writers`` batches before it are written by
        threads of their own, each in its own unit of work: for a storage whose writers do
        not wait for each other, whose server then writes while the next batch is checked.
        A batch that names a stored employee is written alone, after every batch before it
        and before any after it: its updates lock and read rows again one by one, and
        alone they meet no other batch's locks (side by side saved about 5% of a re-import
        that changed a tenth of the rows, 1% of one that changed none; docs/benchmarks.md).

        An error (a failed batch, an exception from ``progress``) stops the import, but a
        batch already handed to a writer is written all the same: the error then says so
        in a note. Importing the file again completes it. How many rows there were."""
        done = 0
        written: deque[Future[Outcome]] = deque()
        alone = False  # whether the batch written last is to be written alone
        with ThreadPoolExecutor(max_workers=writers, thread_name_prefix="onzecoach-import") as pool:
            try:
                for screened in batches:
                    checked = self.check(screened[0])
                    known = self._look_up(screened[0])
                    after_alone, alone = alone, bool(known)
                    while written and (alone or after_alone or len(written) >= writers):
                        done = self._count(written.popleft().result(), done, table, progress)
                    written.append(pool.submit(self.write, screened, checked, table.columns, known))
                while written:
                    done = self._count(written.popleft().result(), done, table, progress)
            except BaseException as error:
                for future in written:
                    error.add_note(what_became_of(future))
                raise
        return done

    def _look_up(self, candidates: list[tuple[Row, str]]) -> dict[str, Employee]:
        """The stored employees these numbers name, read before their batch is written, for
        it to be written with. Another writer may change them meanwhile, and the write
        keeps to what is stored by then: an employee registered meanwhile makes the
        batch's insert fail and the batch go row by row (each row looked up again); an
        employee is locked and read again before it is updated, and one erased or changed
        meanwhile sends the batch row by row too."""
        with self._service._storage.unit_of_work() as uow:
            return self._numbers(uow, [number for _, number in candidates])

    def _count(self, outcome: Outcome, done: int, table: Table, progress: Progress | None) -> int:
        """Add a written batch's outcome to the run's; how many rows are done now."""
        self.created += outcome.created
        self.updated += outcome.updated
        self.unchanged += outcome.unchanged
        self.errors.extend(outcome.errors)
        self.changes.extend(outcome.changes)
        done += outcome.rows
        if progress is not None:
            progress(done, table.total)
        return done

    def write(
        self,
        screened: _Screened,
        checked: _Checked,
        columns: tuple[str, ...],
        known: dict[str, Employee],
    ) -> Outcome:
        """Write a checked batch with the stored employees its numbers name, looked up
        beforehand (``known``). Touches nothing of the run's but what it reads, so that
        batches may be written side by side."""
        candidates, rows = screened
        outcome = Outcome(rows)
        if not candidates:
            return outcome
        try:
            self._write(candidates, columns, checked, outcome, known)
        except (Conflict, StorageError):
            return self._row_by_row(candidates, columns, checked, rows)
        return outcome

    def write_plan(
        self,
        screened: _Screened,
        checked: _Checked,
        columns: tuple[str, ...],
        plan: Plan,
        *,
        ahead: list[str],
        found: Future[dict[str, Employee]],
    ) -> Outcome:
        """Write ``plan``, the screened batch worked out beforehand, in a unit of work that
        first looks up the stored employees the numbers ``ahead`` name, for ``found``: the
        next batch's, which cannot be this batch's (a number's second row is refused)."""
        candidates, rows = screened
        outcome = Outcome(rows)
        try:
            with self._service._storage.unit_of_work() as uow:
                found.set_result(self._numbers(uow, ahead))
                self._put(uow, plan)
                if not self._dry_run:
                    uow.commit()
        except BaseException as failed:
            if not found.done():  # the next batch is not looked up: the import stops
                found.set_exception(failed)
            if not isinstance(failed, Conflict | StorageError):
                raise
            return self._row_by_row(candidates, columns, checked, rows)
        outcome.add(plan)
        return outcome

    def _row_by_row(
        self,
        candidates: list[tuple[Row, str]],
        columns: tuple[str, ...],
        checked: _Checked,
        rows: int,
    ) -> Outcome:
        """A batch whose write failed (someone else wrote one of its numbers meanwhile, or
        the database refused a row), each row in a transaction of its own, read anew: so
        only the culprit is lost."""
        outcome = Outcome(rows)
        for candidate in candidates:
            try:
                self._write([candidate], columns, checked, outcome)
            except Conflict as exc:
                outcome.errors.append(
                    RowError(candidate[0].number, "employee_number", "conflict", str(exc))
                )
        return outcome

    def _screen(self, row: Row) -> tuple[Row, str] | None:
        """The row and its number, or ``None`` after reporting why it cannot be imported."""
        problems = list(row.problems)
        number = _number_key(row.values.get("employee_number"))
        if number is None:
            if not any(p.field == "employee_number" for p in problems):
                problems.append(FieldError.of("employee_number", "required"))
        else:
            first = self._first_row_of.setdefault(number, row.number)
            if first != row.number:
                problems.append(
                    FieldError.of("employee_number", "duplicate", number=number, first=first)
                )
        department = row.values.get("department_id")
        if isinstance(department, str) and not any(p.field == "department_id" for p in problems):
            department_id = self._departments.get(_department_key(department))
            if department_id is None and department.strip():
                problems.append(
                    FieldError.of(
                        "department_id",
                        "unknown",
                        key="department_id.unknown.import",
                        name=department.strip(),
                    )
                )
            row.values["department_id"] = department_id
        if problems:
            reject(self.errors, row.number, problems)
            return None
        assert number is not None  # noqa: S101 - a row without one has a problem
        return row, number

    def _write(
        self,
        candidates: list[tuple[Row, str]],
        columns: tuple[str, ...],
        checked: _Checked,
        outcome: Outcome,
        known: dict[str, Employee] | None = None,
    ) -> None:
        """Write ``candidates`` in one unit of work: all of them or none, added to
        ``outcome`` once committed; with ``known`` looked up beforehand, else in the
        unit of work."""
        with self._service._storage.unit_of_work() as uow:
            if known is None:
                known = self._numbers(uow, [number for _, number in candidates])
            plan = self._plan(candidates, columns, checked, known)
            self._put(uow, plan)
            if not self._dry_run:
                uow.commit()
        # Counted only once the batch stands: a failed batch is retried row by row.
        outcome.add(plan)

    def _numbers(self, uow: UnitOfWork, numbers: list[str]) -> dict[str, Employee]:
        return uow.employees.by_numbers(self._employer_id, numbers) if numbers else {}

    def _plan(
        self,
        candidates: list[tuple[Row, str]],
        columns: tuple[str, ...],
        checked: _Checked,
        known: dict[str, Employee],
    ) -> Plan:
        """Work out a batch's writes from its checked rows and ``known``, the stored
        employees its numbers name; reads nothing else but the run's fixed settings, so
        that it may run beside the writing of another batch. A row that updates an
        employee with only some of the columns is checked here, merged with the details
        the employee has; every other row as ``checked`` found it."""
        plan = Plan(self._service._clock.now())
        registered: list[EmployeeDetails] = []
        for row, number in candidates:
            existing = known.get(number)
            found = checked[row.number]
            if existing is not None and len(columns) < len(FIELDS):
                kept = _fields(existing)
                data = {**{f: kept[f] for f in FIELDS if f not in columns}, **row.values}
                try:
                    found = validate_employee(
                        data, registration_types=self._types, today=self._today
                    )
                except ValidationError as exc:
                    found = exc
            if isinstance(found, ValidationError):
                plan.rejected.append((row.number, found.details))
                continue
            if existing is None:
                plan.created += 1
                plan.changes.append(RowChange(row.number, number, "created"))
                registered.append(found)
                continue
            # Named by the file, changed or not: the retention of an employee without
            # trajectories counts from here (``Employee.known_since``).
            plan.named.append(existing.id)
            before = _fields(existing)
            after = _fields(found)
            diff = {
                name: (_json(before[name]), _json(after[name]))
                for name in after
                if before[name] != after[name]
            }
            if not diff:
                plan.unchanged += 1
                continue
            plan.updated += 1
            plan.changes.append(RowChange(row.number, number, "updated", diff))
            plan.updates.append((existing, found, diff))
        if not self._dry_run:
            self._register(plan, registered)
        return plan

    def _put(self, uow: UnitOfWork, plan: Plan) -> None:
        """Write a batch's ``plan`` in ``uow`` (nothing in a dry run)."""
        if self._dry_run:
            return
        # In id order: the order a search rebuild locks employees in on PostgreSQL
        # (SearchIndexRepository.clear), so the two cannot wait for each other.
        for employee, details, diff in sorted(plan.updates, key=lambda u: u[0].id):
            # Locked and read again: an employee erased since the batch was read stays
            # erased (on PostgreSQL the lock waits for the erasure, then sees it).
            current = uow.employees.get(employee.id, for_update=True)
            if current is None or current.is_erased:
                raise Conflict("employee.erased")
            if current != employee:
                # Changed since it was read: the plan was worked out from what it was.
                # The batch goes row by row, each row read anew.
                raise Conflict("employee.changed")
            self._update(uow, current, details, diff, plan.now)
        if plan.named:
            uow.employees.mark_named(plan.named, at=plan.now)
        if plan.employees:
            # What EmployeeService.register writes per employee, a statement per table
            # for all.
            uow.employees.add_many(plan.employees)
            uow.emit(EmployeesAdded(tuple(plan.employees)))
            uow.audit.append_many(plan.entries)

    def _register(self, plan: Plan, registered: list[EmployeeDetails]) -> None:
        """The employees ``registered`` and their audit entries, into ``plan``."""
        now = plan.now
        for employee_id, details in zip(new_ids(len(registered)), registered, strict=True):
            fields = _fields(details)
            plan.employees.append(
                Employee(
                    id=employee_id,
                    employer_id=self._employer_id,
                    created_at=now,
                    updated_at=now,
                    **fields,
                )
            )
            for name in _NOT_TEXT:
                fields[name] = _json(fields[name])
            plan.entries.append(
                audit_entry(
                    self._actor,
                    "employee.registered",
                    at=now,
                    employer_id=self._employer_id,
                    subject_type="employee",
                    subject_id=employee_id,
                    fields=fields,
                )
            )

    def _update(
        self,
        uow: UnitOfWork,
        employee: Employee,
        details: EmployeeDetails,
        diff: dict[str, tuple[Any, Any]],
        now: datetime,
    ) -> None:
        # As EmployeeService.update writes it.
        updated = employee.with_details(details, now=now)
        uow.employees.save(updated)
        uow.emit(EmployeeChanged(updated))
        uow.audit.append(
            audit_entry(
                self._actor,
                "employee.updated",
                at=now,
                employer_id=employee.employer_id,
                subject_type="employee",
                subject_id=employee.id,
                changes={name: list(pair) for name, pair in diff.items()},
            )
        )
