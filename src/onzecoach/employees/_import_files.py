"""Reading an import file: CSV or XLSX into rows of the form's fields.

A CSV is UTF-8 (with or without BOM) separated by ``;``, ``,`` or a tab; bytes that are
not UTF-8 become errors of the fields they fall in. An XLSX is read from its first sheet.
Headers may be Dutch or English (``HEADER_ALIASES``).
"""

from __future__ import annotations

import csv
import io
import os
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime, time
from typing import IO, Any, Final

import attrs

from onzecoach.employees._validation import FIELD_LABELS, FIELDS
from onzecoach.errors import FieldError
from onzecoach.messages import field_text

__all__ = ["HEADER_ALIASES", "Row", "Source", "Table", "Unreadable", "read"]

#: A path, a binary file object open for reading, or the file's bytes.
Source = str | os.PathLike[str] | IO[bytes] | bytes | bytearray | memoryview


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


@attrs.frozen
class Row:
    number: int
    values: dict[str, object]
    problems: Sequence[FieldError]


@attrs.frozen
class Table:
    columns: tuple[str, ...]  # the fields the file has a column for
    rows: Iterator[Row]
    total: int | None
    warnings: list[str]


class Unreadable(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


_XLSX_MAGIC: Final = b"PK\x03\x04"


def read(source: Source) -> Table:
    if isinstance(source, bytes | bytearray | memoryview):
        suffix, data = "", bytes(source)
    elif isinstance(source, str | os.PathLike):
        suffix = os.path.splitext(os.fspath(source))[1].casefold()
        try:
            with open(source, "rb") as file:
                data = file.read()
        except OSError as exc:
            raise Unreadable("unreadable", field_text("import.unreadable.not_opened")) from exc
    else:
        suffix = os.path.splitext(str(getattr(source, "name", "")))[1].casefold()
        read_bytes = getattr(source, "read", None)
        if read_bytes is None:
            raise Unreadable("unreadable", field_text("import.unreadable"))
        data = read_bytes()
        if not isinstance(data, bytes):
            # A text file hands out str: the import reads bytes, to tell the encoding.
            raise Unreadable("unreadable", field_text("import.unreadable"))
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
                warnings.append(
                    field_text("import_warning.unknown_column", position=position, header=text)
                )
            fields.append(None)
        elif field in taken:
            warnings.append(
                field_text(
                    "import_warning.repeated_column",
                    position=position,
                    header=text,
                    label=FIELD_LABELS[field],
                )
            )
            fields.append(None)
        else:
            taken.add(field)
            fields.append(field)
    return fields, warnings


def _read_csv(data: bytes) -> Table:
    # Bytes that are not UTF-8 survive as lone surrogates, so they can be reported where
    # they are, field by field, while every other row imports.
    text = data.decode("utf-8", errors="surrogateescape").removeprefix("\ufeff")
    first_line = text.split("\n", 1)[0]
    delimiter = max(";,\t", key=first_line.count)
    try:
        # Tuples of text, which the garbage collector stops tracking at its first pass;
        # lists it would walk through at every full pass for as long as the import runs.
        records = list(map(tuple, csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)))
    except csv.Error as exc:
        raise Unreadable("unreadable", field_text("import.unreadable")) from exc
    if not records:
        raise Unreadable("empty", field_text("import.empty"))
    fields, warnings = _columns(list(records[0]))
    broken = _BROKEN_BYTES.search(text) is not None
    if broken:
        warnings.append(field_text("import_warning.not_utf8"))
    numbered = [
        (number, cells)
        for number, cells in enumerate(records[1:], start=2)
        if any(cell.strip() for cell in cells)
    ]
    del records
    rows = (
        _row(number, fields, cells, text_only=True, broken=True)
        if broken or len(cells) > len(fields)
        else _plain_row(number, fields, cells)
        for number, cells in numbered
    )
    return Table(_present(fields), rows, len(numbered), warnings)


def _plain_row(number: int, fields: list[str | None], cells: Sequence[str]) -> Row:
    """``_row`` of a CSV row of UTF-8 text with no more cells than columns: each value as it
    is, or ``None`` when blank, and no problems."""
    values: dict[str, object] = {
        field: cell if cell.strip() else None
        for field, cell in zip(fields, cells, strict=False)
        if field is not None
    }
    return Row(number, values, ())


def _read_xlsx(data: bytes) -> Table:
    # calamine (Rust) reads a sheet about ten times as fast as openpyxl. It gives empty
    # cells as "", whole numbers as floats and dates as dates; _cell_value takes all of
    # them as the form would.
    try:
        from python_calamine import CalamineWorkbook  # noqa: PLC0415 - the xlsx extra
    except ImportError as exc:  # pragma: no cover - the xlsx extra is missing
        raise Unreadable("unsupported", field_text("import.unsupported")) from exc
    try:
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
        records = iter(sheet.iter_rows())
        header = next(records, None)
    except Exception as exc:  # calamine raises several kinds for a broken file
        raise Unreadable("unreadable", field_text("import.unreadable")) from exc
    if header is None:
        raise Unreadable("empty", field_text("import.empty"))
    fields, warnings = _columns(list(header))
    rows = (
        _row(number, fields, list(cells), text_only=False)
        for number, cells in enumerate(records, start=2)
        if any(cell is not None and str(cell).strip() for cell in cells)
    )
    return Table(_present(fields), rows, max(sheet.height - 1, 0), warnings)


def _present(fields: list[str | None]) -> tuple[str, ...]:
    return tuple(field for field in fields if field is not None)


def _row(
    number: int,
    fields: list[str | None],
    cells: Sequence[Any],
    *,
    text_only: bool,
    broken: bool = True,
) -> Row:
    """The row's values by field, and its problems. ``broken``: whether the file may hold
    bytes that are not UTF-8 (when not, no value is searched for them)."""
    values: dict[str, object] = {}
    problems: list[FieldError] = []
    for field, cell in zip(fields, cells, strict=False):
        if field is None:
            continue
        value = cell if text_only else _cell_value(field, cell)
        if isinstance(value, str):
            if broken and _BROKEN_BYTES.search(value):
                problems.append(
                    FieldError.of(
                        field, "encoding", key="import.encoding", label=FIELD_LABELS[field]
                    )
                )
                continue
            if not value.strip():
                value = None
        values[field] = value
    extra = cells[len(fields) :]
    if any(cell is not None and str(cell).strip() for cell in extra):
        # A problem of the row as a whole: no field, which the report gives as None.
        problems.append(FieldError.of("", "too_many_cells", key="import.too_many_cells"))
    return Row(number, values, problems)


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
