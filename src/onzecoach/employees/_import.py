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
again row by row, so one row cannot sink the good rows beside it.
"""

from __future__ import annotations

import csv
import io
import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date, datetime, time
from typing import IO, TYPE_CHECKING, Any, Final

import attrs

from onzecoach.actors import Actor, can_see
from onzecoach.audit import audit_entry
from onzecoach.clock import amsterdam
from onzecoach.employees._model import Employee
from onzecoach.employees._service import _json
from onzecoach.employees._validation import (
    FIELD_LABELS,
    FIELDS,
    EmployeeDetails,
    validate_employee,
)
from onzecoach.errors import Conflict, FieldError, NotFound, StorageError, ValidationError
from onzecoach.ids import new_id

if TYPE_CHECKING:
    from onzecoach.ports import Clock, Storage, UnitOfWork
    from onzecoach.settings import Settings

__all__ = ["HEADER_ALIASES", "ImportReport", "ImportService", "RowChange", "RowError"]

#: ``progress(done_rows, total_rows)``; ``total_rows`` is ``None`` when not known ahead.
Progress = Callable[[int, int | None], None]
#: A path, or a binary file object open for reading.
Source = str | os.PathLike[str] | IO[bytes]


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


def _header_key(text: str) -> str:
    """A header as compared: case, accents, spaces and punctuation left out."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed.casefold() if char.isalnum())


_VARIANTS: Final[Mapping[str, tuple[str, ...]]] = {
    "registration_type": ("registratietype", "registratie type", "registration type", "type"),
    "employee_number": (
        "personeelsnummer",
        "personeelsnr",
        "personeels nr",
        "medewerkernummer",
        "werknemernummer",
        "employee number",
        "employee no",
        "employee id",
    ),
    "last_name": ("achternaam", "last name", "surname", "family name"),
    "name_infix": ("tussenvoegsel", "tussenvoegsel(s)", "tussenvoegsels", "infix"),
    "given_name": ("roepnaam", "voornaam", "given name", "first name"),
    "initials": ("voorletters", "voorletter", "initials"),
    "gender": ("geslacht", "gender", "sex"),
    "birth_date": ("geboortedatum", "birth date", "date of birth", "birthdate", "dob"),
    "country": ("land", "landcode", "country", "country code"),
    "postcode": ("postcode", "postal code", "zip code", "zip"),
    "house_number": ("huisnummer", "huisnr", "house number"),
    "street": ("straat", "straatnaam", "street"),
    "city": ("woonplaats", "plaats", "city", "town"),
    "email": ("e-mail", "e-mailadres", "email", "email address"),
    "phone": ("telefoon", "telefoonnummer", "mobiel", "phone", "phone number", "telephone"),
    "department_id": ("afdeling", "afdelingsnaam", "department", "department name"),
    "job_title": ("functie", "functienaam", "job title", "job"),
    "cost_centre": ("kostenplaats", "cost centre", "cost center"),
    "po_number": ("po-nummer", "po nummer", "po number", "po"),
}

#: Every header the import understands, compared as ``_header_key`` folds it, to its field.
#: The department column holds the department's name, not its id.
HEADER_ALIASES: Final[Mapping[str, str]] = {
    _header_key(alias): field
    for field in FIELDS
    for alias in (field, FIELD_LABELS[field], *_VARIANTS.get(field, ()))
}

_BROKEN_BYTES: Final = re.compile("[\udc80-\udcff]")
_NOT_UTF8: Final = (
    "{label} bevat tekens die geen UTF-8 zijn; "
    "sla het bestand op als CSV UTF-8 en importeer opnieuw."
)
_NUMBER_REQUIRED: Final = (
    "Vul het personeelsnummer in: de import herkent een werknemer alleen daaraan."
)
_NUMBER_REPEATED: Final = "Personeelsnummer {number!r} staat al in rij {first} van dit bestand."
_UNKNOWN_DEPARTMENT: Final = "Afdeling {name!r} bestaat niet bij deze werkgever."
_TOO_MANY_CELLS: Final = "Deze rij heeft meer cellen dan de kopregel kolommen."


@attrs.frozen
class _Row:
    number: int
    values: dict[str, object]
    problems: list[FieldError]


@attrs.frozen
class _Table:
    columns: tuple[str, ...]  # the fields the file has a column for
    rows: Iterator[_Row]
    total: int | None
    warnings: list[str]


class ImportService:
    """Bulk import (``portal.imports``)."""

    def __init__(self, *, storage: Storage, clock: Clock, settings: Settings) -> None:
        self._storage = storage
        self._clock = clock
        self._settings = settings

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

        ``source`` is a path or a binary file object; its format is told by its suffix,
        else by its first bytes. A CSV is UTF-8 (with or without BOM) separated by ``;``
        or ``,``; bytes that are not UTF-8 make an error of the fields they fall in. An
        XLSX is read from its first sheet. Headers may be Dutch or English
        (``HEADER_ALIASES``); unknown columns are warned about and skipped. A column the
        file lacks keeps, on update, the value the employee has.

        An HR actor imports into its own employer; the service desk names ``employer_id``
        (``NotFound`` otherwise). ``dry_run`` checks and matches everything and writes
        nothing. ``progress`` is called after each batch.
        """
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        employer = actor.employer_id if not actor.is_service_desk else employer_id
        with self._storage.unit_of_work() as uow:
            if (
                employer is None
                or uow.employers.get(employer) is None
                or not can_see(actor, employer)
            ):
                raise NotFound("Werkgever niet gevonden.")
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
            table = _read(source)
        except _Unreadable as exc:
            run.errors.append(RowError(0, None, exc.code, exc.message))
            return run.report(rows=0, warnings=[])
        if not table.columns:
            run.errors.append(
                RowError(1, None, "no_columns", "De kopregel bevat geen bekende kolommen.")
            )
        done = 0
        batch: list[_Row] = []
        for row in table.rows:
            batch.append(row)
            if len(batch) == batch_size:
                run.batch(batch, table.columns)
                done += len(batch)
                batch = []
                if progress is not None:
                    progress(done, table.total)
        if batch:
            run.batch(batch, table.columns)
            done += len(batch)
            if progress is not None:
                progress(done, table.total)
        return run.report(rows=done, warnings=table.warnings)


def _department_key(name: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", name).split()).casefold()


def _number_key(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    return " ".join(unicodedata.normalize("NFKC", value).split()) or None


@attrs.define
class _Planned:
    row: int
    number: str
    details: EmployeeDetails
    existing: Employee | None


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

    def batch(self, rows: list[_Row], columns: tuple[str, ...]) -> None:
        candidates = [row for row in (self._screen(row) for row in rows) if row is not None]
        if not candidates:
            return
        try:
            self._write(candidates, columns)
        except (Conflict, StorageError):
            # Someone else wrote one of these numbers meanwhile, or the database refused
            # a row: give each row its own transaction, so only the culprit is lost.
            for candidate in candidates:
                try:
                    self._write([candidate], columns)
                except Conflict as exc:
                    self.errors.append(
                        RowError(candidate[0].number, "employee_number", "conflict", str(exc))
                    )

    def _screen(self, row: _Row) -> tuple[_Row, str] | None:
        """The row and its number, or ``None`` after reporting why it cannot be imported."""
        problems = list(row.problems)
        number = _number_key(row.values.get("employee_number"))
        if number is None:
            if not any(p.field == "employee_number" for p in problems):
                problems.append(FieldError("employee_number", "required", _NUMBER_REQUIRED))
        else:
            first = self._first_row_of.setdefault(number, row.number)
            if first != row.number:
                message = _NUMBER_REPEATED.format(number=number, first=first)
                problems.append(FieldError("employee_number", "duplicate", message))
        department = row.values.get("department_id")
        if isinstance(department, str) and not any(p.field == "department_id" for p in problems):
            department_id = self._departments.get(_department_key(department))
            if department_id is None and department.strip():
                message = _UNKNOWN_DEPARTMENT.format(name=department.strip())
                problems.append(FieldError("department_id", "unknown", message))
            row.values["department_id"] = department_id
        if problems:
            self._reject(row.number, problems)
            return None
        assert number is not None  # noqa: S101 - a row without one has a problem
        return row, number

    def _reject(self, row: int, problems: Iterable[FieldError]) -> None:
        seen: set[tuple[str, str]] = set()
        for problem in problems:
            if (problem.field, problem.code) not in seen:
                seen.add((problem.field, problem.code))
                field = problem.field or None
                self.errors.append(RowError(row, field, problem.code, problem.message))

    def _write(self, candidates: list[tuple[_Row, str]], columns: tuple[str, ...]) -> None:
        """Check and write ``candidates`` in one unit of work: all of them or none."""
        service = self._service
        now = service._clock.now()
        with service._storage.unit_of_work() as uow:
            known = uow.employees.by_numbers(self._employer_id, [n for _, n in candidates])
            planned: list[_Planned] = []
            rejected: list[tuple[int, tuple[FieldError, ...]]] = []
            for row, number in candidates:
                existing = known.get(number)
                data = row.values
                if existing is not None and len(columns) < len(FIELDS):
                    kept = attrs.asdict(existing.details, recurse=False)
                    data = {**{f: kept[f] for f in FIELDS if f not in columns}, **data}
                try:
                    details = validate_employee(
                        data, registration_types=self._types, today=self._today
                    )
                except ValidationError as exc:
                    rejected.append((row.number, exc.details))
                    continue
                planned.append(_Planned(row.number, number, details, existing))
            created, updated, unchanged, changes = self._apply(uow, planned, now)
            if not self._dry_run:
                uow.commit()
        # Counted only once the batch stands: a failed batch is retried row by row.
        for row_number, problems in rejected:
            self._reject(row_number, problems)
        self.created += created
        self.updated += updated
        self.unchanged += unchanged
        self.changes.extend(changes)

    def _apply(
        self, uow: UnitOfWork, planned: list[_Planned], now: datetime
    ) -> tuple[int, int, int, list[RowChange]]:
        created = updated = unchanged = 0
        changes: list[RowChange] = []
        write = not self._dry_run
        registered: list[tuple[Employee, EmployeeDetails]] = []
        updates: list[tuple[Employee, EmployeeDetails, dict[str, tuple[Any, Any]]]] = []
        for item in planned:
            if item.existing is None:
                created += 1
                changes.append(RowChange(item.row, item.number, "created"))
                if write:
                    employee = Employee.create(
                        id=new_id(), employer_id=self._employer_id, details=item.details, now=now
                    )
                    registered.append((employee, item.details))
                continue
            before = attrs.asdict(item.existing.details, recurse=False)
            after = attrs.asdict(item.details, recurse=False)
            diff = {
                name: (_json(before[name]), _json(after[name]))
                for name in after
                if before[name] != after[name]
            }
            if not diff:
                unchanged += 1
                continue
            updated += 1
            changes.append(RowChange(item.row, item.number, "updated", diff))
            updates.append((item.existing, item.details, diff))
        if write:
            # In id order: the order a search rebuild locks employees in on PostgreSQL
            # (SearchIndexRepository.clear), so the two cannot wait for each other.
            for employee, details, diff in sorted(updates, key=lambda u: u[0].id):
                self._update(uow, employee, details, diff, now)
            if registered:
                self._register(uow, registered, now)
        return created, updated, unchanged, changes

    def _register(
        self, uow: UnitOfWork, registered: list[tuple[Employee, EmployeeDetails]], now: datetime
    ) -> None:
        # What EmployeeService.register writes per employee, a statement per table for all.
        employees = [employee for employee, _ in registered]
        uow.employees.add_many(employees)
        uow.search.index_new(employees)
        uow.audit.append_many(
            [
                audit_entry(
                    self._actor,
                    "employee.registered",
                    at=now,
                    employer_id=self._employer_id,
                    subject_type="employee",
                    subject_id=employee.id,
                    fields={k: _json(v) for k, v in attrs.asdict(details, recurse=False).items()},
                )
                for employee, details in registered
            ]
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
        uow.search.index(updated)
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


# --- reading files ------------------------------------------------------------------------


class _Unreadable(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


_XLSX_MAGIC: Final = b"PK\x03\x04"
_UNREADABLE: Final = "Dit bestand kan niet worden gelezen als CSV of Excel (.xlsx)."


def _read(source: Source) -> _Table:
    if isinstance(source, str | os.PathLike):
        suffix = os.path.splitext(os.fspath(source))[1].casefold()
        try:
            with open(source, "rb") as file:
                data = file.read()
        except OSError as exc:
            raise _Unreadable("unreadable", "Het bestand kan niet worden geopend.") from exc
    else:
        suffix = os.path.splitext(str(getattr(source, "name", "")))[1].casefold()
        data = source.read()
    if suffix in {".xlsx", ".xlsm"} or (suffix != ".csv" and data.startswith(_XLSX_MAGIC)):
        return _read_xlsx(data)
    return _read_csv(data)


def _columns(header: list[object]) -> tuple[list[str | None], list[str]]:
    """The field of each header cell (``None``: skipped), and the warnings about them."""
    fields: list[str | None] = []
    warnings: list[str] = []
    taken: set[str] = set()
    for position, cell in enumerate(header, start=1):
        text = "" if cell is None else str(cell).strip()
        field = HEADER_ALIASES.get(_header_key(text)) if text else None
        if field is None:
            if text:
                warnings.append(f"Kolom {position} ({text!r}) is onbekend en is overgeslagen.")
            fields.append(None)
        elif field in taken:
            warnings.append(
                f"Kolom {position} ({text!r}) herhaalt {FIELD_LABELS[field]} en is overgeslagen."
            )
            fields.append(None)
        else:
            taken.add(field)
            fields.append(field)
    return fields, warnings


def _read_csv(data: bytes) -> _Table:
    # Bytes that are not UTF-8 survive as lone surrogates, so they can be reported where
    # they are, field by field, while every other row imports.
    text = data.decode("utf-8", errors="surrogateescape").removeprefix("\ufeff")
    first_line = text.split("\n", 1)[0]
    delimiter = max(";,\t", key=first_line.count)
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise _Unreadable("unreadable", _UNREADABLE) from exc
    if not records:
        raise _Unreadable("empty", "Het bestand is leeg.")
    fields, warnings = _columns(list(records[0]))
    if _BROKEN_BYTES.search(text):
        warnings.append(
            "Het bestand is niet helemaal UTF-8; de rijen met ongeldige tekens zijn "
            "niet geïmporteerd."
        )
    rows = (
        _row(number, fields, cells, text_only=True)
        for number, cells in enumerate(records[1:], start=2)
        if any(cell.strip() for cell in cells)
    )
    total = sum(1 for cells in records[1:] if any(cell.strip() for cell in cells))
    return _Table(_present(fields), rows, total, warnings)


def _read_xlsx(data: bytes) -> _Table:
    # calamine (Rust) reads a sheet about ten times as fast as openpyxl. It gives empty
    # cells as "", whole numbers as floats and dates as dates; _cell_value takes all of
    # them as the form would.
    try:
        from python_calamine import CalamineWorkbook  # noqa: PLC0415 - the xlsx extra
    except ImportError as exc:  # pragma: no cover - the xlsx extra is missing
        raise _Unreadable("unsupported", "Installeer onzecoach[xlsx] om .xlsx te lezen.") from exc
    try:
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
        records = iter(sheet.iter_rows())
        header = next(records, None)
    except Exception as exc:  # calamine raises several kinds for a broken file
        raise _Unreadable("unreadable", _UNREADABLE) from exc
    if header is None:
        raise _Unreadable("empty", "Het bestand is leeg.")
    fields, warnings = _columns(list(header))
    rows = (
        _row(number, fields, list(cells), text_only=False)
        for number, cells in enumerate(records, start=2)
        if any(cell is not None and str(cell).strip() for cell in cells)
    )
    return _Table(_present(fields), rows, max(sheet.height - 1, 0), warnings)


def _present(fields: list[str | None]) -> tuple[str, ...]:
    return tuple(field for field in fields if field is not None)


def _row(number: int, fields: list[str | None], cells: list[Any], *, text_only: bool) -> _Row:
    values: dict[str, object] = {}
    problems: list[FieldError] = []
    for field, cell in zip(fields, cells, strict=False):
        if field is None:
            continue
        value = cell if text_only else _cell_value(field, cell)
        if isinstance(value, str):
            if _BROKEN_BYTES.search(value):
                problems.append(
                    FieldError(field, "encoding", _NOT_UTF8.format(label=FIELD_LABELS[field]))
                )
                continue
            if not value.strip():
                value = None
        values[field] = value
    extra = cells[len(fields) :]
    if any(cell is not None and str(cell).strip() for cell in extra):
        problems.append(FieldError("", "too_many_cells", _TOO_MANY_CELLS))
    return _Row(number, values, problems)


def _cell_value(field: str, cell: object) -> object:
    """An XLSX cell as the form would have it: text, or a date for the birth date."""
    if cell is None or isinstance(cell, str):
        return cell
    if isinstance(cell, datetime):
        if field == "birth_date" and cell.time() == time(0):
            return cell.date()
        return cell if field == "birth_date" else cell.isoformat(sep=" ")
    if isinstance(cell, date):
        return cell if field == "birth_date" else cell.isoformat()
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)
