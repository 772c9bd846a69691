"""Bulk import of employees from CSV and XLSX, on every storage."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from pathlib import Path
from typing import Any

import attrs
import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from import_support import (
    DUTCH,
    ENGLISH,
    ROWS,
    SwappedStorage,
    as_file,
    csv_bytes,
    employees_of,
    hr_of,
)
from onzecoach import NotFound, Portal
from onzecoach.actors import SERVICE_DESK
from onzecoach.employees import Employee, ImportReport, RowError


def fields_of(report: ImportReport) -> set[tuple[int, str | None, str]]:
    return {(e.row, e.field, e.code) for e in report.errors}


@pytest.mark.parametrize(
    ("header", "delimiter", "bom"),
    [(DUTCH, ";", False), (ENGLISH, ",", False), (DUTCH, ",", True), (ENGLISH, ";", True)],
)
def test_a_csv_with_dutch_or_english_headers_registers_every_row(
    portal: Portal, header: list[str], delimiter: str, bom: bool
) -> None:
    hr = hr_of(portal, "Acme")
    data = csv_bytes(header, ROWS, delimiter=delimiter, bom=bom)

    report = portal.imports.employees(hr, as_file(data))

    assert (report.created, report.updated, report.unchanged, report.errors) == (3, 0, 0, ())
    assert report.warnings == ()
    employees = employees_of(portal, hr)
    anna = employees["1001"]
    assert (anna.last_name, anna.name_infix, anna.initials) == ("Berg", "van den", "A.M.")
    assert anna.birth_date == date(1985, 4, 12)
    assert anna.department_id is not None
    assert employees["1003"].department_id == anna.department_id  # names match by case
    assert employees["1002"].postcode == "1234 AB"
    assert portal.search.employees(hr, "berg").total == 1


def test_the_file_may_come_as_a_path_a_binary_file_or_bytes(portal: Portal, tmp_path: Path) -> None:
    hr = hr_of(portal, "Acme")
    data = csv_bytes(DUTCH, ROWS)
    path = tmp_path / "werknemers.csv"
    path.write_bytes(data)
    first = portal.imports.employees(hr, data, dry_run=True)
    assert (first.created, first.errors) == (len(ROWS), ())
    assert portal.imports.employees(hr, bytearray(data), dry_run=True) == first
    assert portal.imports.employees(hr, path, dry_run=True) == first
    assert portal.imports.employees(hr, str(path), dry_run=True) == first
    assert portal.imports.employees(hr, as_file(data), dry_run=True) == first
    # A text file cannot tell its encoding: it is refused as unreadable, not with a crash.
    with path.open(encoding="utf-8") as text:
        report = portal.imports.employees(hr, text, dry_run=True)  # type: ignore[arg-type]
    assert [(e.row, e.code) for e in report.errors] == [(0, "unreadable")]


def test_registrations_are_audited_as_the_form_audits_them(portal: Portal) -> None:
    hr = hr_of(portal, "Acme")
    portal.imports.employees(hr, as_file(csv_bytes(DUTCH, ROWS[:1])))
    anna = employees_of(portal, hr)["1001"]
    with portal.storage.unit_of_work() as uow:
        entries = uow.audit.for_subject("employee", anna.id)
    assert [e.action for e in entries] == ["employee.registered"]
    assert entries[0].details["fields"]["last_name"] == "Berg"


def test_an_xlsx_file_is_read_from_its_first_sheet(portal: Portal, tmp_path: Path) -> None:
    hr = hr_of(portal, "Acme")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(DUTCH)
    excel_date = datetime(1985, 4, 12)  # noqa: DTZ001 - Excel stores dates without a zone
    sheet.append([1001, "Berg", "van den", "Anna", "AM", "Vrouw", excel_date,
                  "anna@example.nl", "3833LB", "Finance", 100, None])  # fmt: skip
    sheet.append(["1002", "Jansen", None, "Jan", "J", "m", "31-01-1979", "jan@example.nl"])
    path = tmp_path / "werknemers.xlsx"
    workbook.save(path)

    report = portal.imports.employees(hr, path)

    assert (report.created, report.errors) == (2, ())
    anna = employees_of(portal, hr)["1001"]
    assert (anna.birth_date, anna.cost_centre, anna.postcode) == (
        date(1985, 4, 12),
        "100",
        "3833 LB",
    )


def test_xlsx_cells_read_as_the_form_would_have_them(portal: Portal, tmp_path: Path) -> None:
    hr = hr_of(portal, "Acme")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(DUTCH)
    sheet.append([None] * len(DUTCH))  # an empty row is skipped
    sheet.append([2001.0, " Visser ", "  ", "Sanne", "S", "vrouw", date(1990, 2, 1),
                  "sanne@example.nl", None, "Finance", 12.5, "PO-7"])  # fmt: skip
    other = workbook.create_sheet("Tweede")
    other.append(DUTCH)
    other.append(["9999", "Niet", None, "Mij", "N", "man", "01-01-1980", "n@example.nl"])
    path = tmp_path / "werknemers.xlsx"
    workbook.save(path)
    seen: list[tuple[int, int | None]] = []

    report = portal.imports.employees(hr, path, progress=lambda *done: seen.append(done))

    assert (report.rows, report.created, report.errors) == (1, 1, ())
    assert seen == [(1, 2)]  # the sheet's rows below the header, the empty one too
    sanne = employees_of(portal, hr)["2001"]
    assert (sanne.last_name, sanne.name_infix, sanne.birth_date, sanne.cost_centre) == (
        "Visser",
        None,
        date(1990, 2, 1),
        "12.5",
    )


def test_a_dry_run_reports_what_would_change_and_writes_nothing(portal: Portal) -> None:
    hr = hr_of(portal, "Acme")
    portal.imports.employees(hr, as_file(csv_bytes(DUTCH, ROWS[:1])))
    changed = [["1001", *ROWS[0][1:7], "anna.berg@example.nl", *ROWS[0][8:]], *ROWS[1:]]

    report = portal.imports.employees(hr, as_file(csv_bytes(DUTCH, changed)), dry_run=True)

    assert report.dry_run
    assert (report.created, report.updated, report.unchanged) == (2, 1, 0)
    update = next(c for c in report.changes if c.action == "updated")
    assert (update.row, update.employee_number) == (2, "1001")
    assert update.changes == {"email": ("anna@example.nl", "anna.berg@example.nl")}
    employees = employees_of(portal, hr)
    assert set(employees) == {"1001"}
    assert employees["1001"].email == "anna@example.nl"


def test_a_known_number_updates_and_a_second_import_changes_nothing(portal: Portal) -> None:
    hr = hr_of(portal, "Acme")
    first = portal.imports.employees(hr, as_file(csv_bytes(DUTCH, ROWS)))
    anna = employees_of(portal, hr)["1001"]
    moved = [[*ROWS[0][:8], "1234 AB", *ROWS[0][9:]], *ROWS[1:]]

    second = portal.imports.employees(hr, as_file(csv_bytes(DUTCH, moved)))
    again = portal.imports.employees(hr, as_file(csv_bytes(DUTCH, moved)))

    assert first.created == 3
    assert (second.created, second.updated, second.unchanged) == (0, 1, 2)
    assert (again.created, again.updated, again.unchanged, again.errors) == (0, 0, 3, ())
    employees = employees_of(portal, hr)
    assert len(employees) == 3
    assert employees["1001"].id == anna.id
    assert employees["1001"].postcode == "1234 AB"
    with portal.storage.unit_of_work() as uow:
        actions = [e.action for e in uow.audit.for_subject("employee", anna.id)]
    assert actions == ["employee.registered", "employee.updated"]


def test_columns_the_file_lacks_keep_their_values_on_update(portal: Portal) -> None:
    hr = hr_of(portal, "Acme")
    portal.imports.employees(hr, as_file(csv_bytes(DUTCH, ROWS[:1])))

    report = portal.imports.employees(
        hr, as_file(csv_bytes(["Personeelsnummer", "E-mail"], [["1001", "nieuw@example.nl"]]))
    )

    assert (report.updated, report.errors) == (1, ())
    anna = employees_of(portal, hr)["1001"]
    assert (anna.email, anna.cost_centre, anna.last_name) == ("nieuw@example.nl", "KP-1", "Berg")


def test_bad_rows_are_reported_by_row_and_field_and_every_good_row_imports(
    portal: Portal,
) -> None:
    hr = hr_of(portal, "Acme")
    good = [ROWS[0], ROWS[1]]
    wrong_postcode = ["2001", "Bakker", "", "Piet", "P", "man", "01-01-1980", "p@example.nl",
                      "12345", "", "", ""]  # fmt: skip
    missing_name = ["2002", "", "", "Kees", "K", "man", "01-01-1980", "k@example.nl",
                    "", "", "", ""]  # fmt: skip
    duplicate = ["1001", "Anders", "", "Bob", "B", "man", "01-01-1980", "b@example.nl",
                 "", "", "", ""]  # fmt: skip
    no_number = ["", "Smit", "", "Eva", "E", "v", "01-01-1980", "e@example.nl",
                 "", "", "", ""]  # fmt: skip
    unknown_department = ["2003", "Smit", "", "Eva", "E", "v", "01-01-1980", "e2@example.nl",
                          "", "Verkoop", "", ""]  # fmt: skip
    rows = [good[0], wrong_postcode, missing_name, duplicate, no_number, unknown_department]
    data = csv_bytes(DUTCH, rows)
    broken = "Mülder".encode("cp1252")  # not UTF-8
    data += b"2004;" + broken + b";;Mia;M;v;01-01-1980;m@example.nl;;;;\r\n"
    data += csv_bytes(DUTCH, [good[1]]).split(b"\r\n", 1)[1]

    report = portal.imports.employees(hr, as_file(data), batch_size=3)

    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    assert report.rows == 8
    assert fields_of(report) == {
        (3, "postcode", "invalid"),
        (4, "last_name", "required"),
        (5, "employee_number", "duplicate"),
        (6, "employee_number", "required"),
        (7, "department_id", "unknown"),
        (8, "last_name", "encoding"),
    }
    assert report.failed == 6
    assert [e.row for e in report.errors] == sorted(e.row for e in report.errors)
    postcode = next(e for e in report.errors if e.field == "postcode")
    assert postcode.message == "Vul een geldige postcode in, zoals 1234 AB."
    assert any("UTF-8" in warning for warning in report.warnings)
    assert set(employees_of(portal, hr)) == {"1001", "1002"}

    again = portal.imports.employees(hr, as_file(data), batch_size=3)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert fields_of(again) == fields_of(report)
    assert set(employees_of(portal, hr)) == {"1001", "1002"}


def test_every_bad_field_of_a_row_is_named(portal: Portal) -> None:
    hr = hr_of(portal, "Acme")
    row = ["3001", "", "", "", "", "", "31-02-1980", "geen-mail", "", "", "", ""]

    report = portal.imports.employees(hr, as_file(csv_bytes(DUTCH, [row])))

    assert {(e.row, e.field) for e in report.errors} == {
        (2, field)
        for field in ("last_name", "given_name", "initials", "gender", "birth_date", "email")
    }
    assert all(isinstance(e, RowError) and e.message for e in report.errors)


def test_unknown_and_repeated_columns_are_warnings(portal: Portal) -> None:
    hr = hr_of(portal, "Acme")
    header = [*DUTCH, "Schoenmaat", "Achternaam"]
    rows = [[*ROWS[0], "43", "Anders"]]

    report = portal.imports.employees(hr, as_file(csv_bytes(header, rows)))

    assert (report.created, report.errors) == (1, ())
    assert len(report.warnings) == 2
    assert "Schoenmaat" in report.warnings[0]
    assert employees_of(portal, hr)["1001"].last_name == "Berg"


def test_a_file_that_is_no_table_is_one_error(portal: Portal) -> None:
    hr = hr_of(portal, "Acme")
    report = portal.imports.employees(hr, as_file(b"", "leeg.csv"))
    assert [(e.row, e.code) for e in report.errors] == [(0, "empty")]
    report = portal.imports.employees(hr, as_file(b"PK\x03\x04rommel", "kapot.xlsx"))
    assert [(e.row, e.code) for e in report.errors] == [(0, "unreadable")]
    report = portal.imports.employees(hr, as_file(b"a;b\r\n1;2\r\n"))
    assert (1, None, "no_columns") in fields_of(report)


def test_hr_imports_only_into_its_own_employer(portal: Portal) -> None:
    hr = hr_of(portal, "Acme")
    other = hr_of(portal, "Other")
    portal.imports.employees(other, as_file(csv_bytes(DUTCH, ROWS[:1])))
    foreign = [[*ROWS[1][:9], "Finance", "", ""]]
    # Acme's own "Finance" exists; "Verkoop" exists only at Other.
    portal.admin.add_department(SERVICE_DESK, str(other.employer_id), "Verkoop")
    foreign.append([*ROWS[2][:9], "Verkoop", "", ""])

    report = portal.imports.employees(
        hr, as_file(csv_bytes(DUTCH, [ROWS[0], *foreign])), employer_id=other.employer_id
    )

    assert report.created == 2  # 1001 is Other's number, not Acme's: no clash
    assert fields_of(report) == {(4, "department_id", "unknown")}
    assert set(employees_of(portal, hr)) == {"1001", "1002"}
    assert set(employees_of(portal, other)) == {"1001"}
    assert employees_of(portal, other)["1001"].email == "anna@example.nl"


def test_the_service_desk_names_an_existing_employer(portal: Portal) -> None:
    hr = hr_of(portal, "Acme")
    with pytest.raises(NotFound):
        portal.imports.employees(SERVICE_DESK, as_file(csv_bytes(DUTCH, ROWS)))
    with pytest.raises(NotFound):
        portal.imports.employees(
            SERVICE_DESK, as_file(csv_bytes(DUTCH, ROWS)), employer_id="nobody"
        )
    report = portal.imports.employees(
        SERVICE_DESK, as_file(csv_bytes(DUTCH, ROWS)), employer_id=hr.employer_id
    )
    assert report.created == 3


def test_progress_is_reported_per_batch(portal: Portal) -> None:
    hr = hr_of(portal, "Acme")
    seen: list[tuple[int, int | None]] = []
    portal.imports.employees(
        hr,
        as_file(csv_bytes(DUTCH, ROWS)),
        batch_size=2,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert seen == [(2, 3), (3, 3)]


@attrs.define
class _HidingEmployees:
    """Employees that do not see one number: as if another writer took it meanwhile."""

    inner: Any
    hidden: str

    def by_numbers(self, employer_id: str, numbers: Any) -> dict[str, Employee]:
        found: dict[str, Employee] = self.inner.by_numbers(employer_id, numbers)
        found.pop(self.hidden, None)
        return found

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def test_a_row_that_fails_at_write_time_does_not_sink_its_batch(portal: Portal) -> None:
    hr = hr_of(portal, "Acme")
    portal.imports.employees(hr, as_file(csv_bytes(DUTCH, ROWS[1:2])))  # takes 1002
    racing = SwappedStorage(
        portal.storage, "employees", lambda inner: _HidingEmployees(inner, "1002")
    ).portal(portal)

    report = racing.imports.employees(hr, as_file(csv_bytes(DUTCH, ROWS)), batch_size=10)

    assert (report.created, report.updated) == (2, 0)
    assert fields_of(report) == {(3, "employee_number", "conflict")}
    assert set(employees_of(portal, hr)) == {"1001", "1002", "1003"}
    assert portal.search.employees(hr, "berg").total == 1


_names = st.text(alphabet="abcdefghijklmnopqrstuvwxyzé", min_size=2, max_size=12)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    rows=st.lists(
        st.tuples(
            st.integers(1, 10**6).map(str),
            _names,
            _names,
            st.sampled_from(["v", "m", "x", "Vrouw", "MAN"]),
            st.dates(date(1940, 1, 1), date(2000, 12, 31)),
        ),
        min_size=1,
        max_size=8,
        unique_by=lambda row: row[0],
    )
)
def test_importing_what_was_imported_changes_nothing(
    portal: Portal, rows: list[tuple[str, str, str, str, date]]
) -> None:
    hr = hr_of(portal, f"Acme {uuid.uuid4()}")  # hypothesis shares the portal
    table = [
        [number, last, "", given, given[0], gender, born.strftime("%d-%m-%Y"), f"{number}@x.nl",
         "", "", "", ""]
        for number, last, given, gender, born in rows
    ]  # fmt: skip
    first = portal.imports.employees(hr, as_file(csv_bytes(DUTCH, table)))
    assert (first.created, first.errors) == (len(rows), ())

    # What the portal holds, written back out in its normalised form, matches exactly.
    exported = [
        [e.employee_number or "", e.last_name, e.name_infix or "", e.given_name, e.initials,
         e.gender.value, e.birth_date.isoformat(), e.email, e.postcode or "", "",
         e.cost_centre or "", e.po_number or ""]
        for e in employees_of(portal, hr).values()
    ]  # fmt: skip
    for source in (table, exported):
        again = portal.imports.employees(hr, as_file(csv_bytes(ENGLISH, source, delimiter=",")))
        assert (again.created, again.updated, again.unchanged) == (0, 0, len(rows))


@attrs.define
class _Spy:
    """A search index that notes whom ``index`` was called for, in order."""

    inner: Any
    seen: list[str]

    def index(self, employee: Employee) -> None:
        self.seen.append(employee.id)
        self.inner.index(employee)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def test_updates_are_written_in_id_order_as_a_search_rebuild_locks(portal: Portal) -> None:
    hr = hr_of(portal, "Acme")
    portal.imports.employees(hr, as_file(csv_bytes(DUTCH, ROWS)))
    stored = employees_of(portal, hr)
    seen: list[str] = []
    spied = SwappedStorage(portal.storage, "search", lambda inner: _Spy(inner, seen)).portal(portal)
    # Every row renamed, the file in the opposite order of the ids.
    by_id = sorted(ROWS, key=lambda row: stored[row[0]].id, reverse=True)
    renamed = [[row[0], row[1] + "s", *row[2:]] for row in by_id]
    report = spied.imports.employees(hr, as_file(csv_bytes(DUTCH, renamed)))
    assert report.updated == 3
    assert seen == sorted(stored[row[0]].id for row in ROWS)


#: A row of the property below: number, last name, postcode (valid or not), email.
_ImportRow = tuple[str, str, str, str]


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    rows=st.lists(
        st.tuples(
            st.integers(1, 40).map(str),  # few numbers: repeats within and across files
            _names,
            st.sampled_from(["", "1234 AB", "12345", "9999ZZ"]),
            st.sampled_from(["a@x.nl", "b@x.nl", "geen-mail"]),
        ),
        min_size=1,
        max_size=12,
    ),
    updates=st.lists(st.tuples(st.integers(1, 40).map(str), _names), max_size=8),
)
def test_the_batch_size_changes_nothing_but_the_transactions(
    portal: Portal, rows: list[_ImportRow], updates: list[tuple[str, str]]
) -> None:
    """Rows are checked a batch ahead of the batch being written: whatever the batch size,
    a file, and then a file of only some columns updating those employees, give the same
    reports and the same employees."""
    full = [
        [number, last, "", "Anna", "A", "v", "01-01-1980", email, postcode, "", "", ""]
        for number, last, postcode, email in rows
    ]
    partial = [[number, last] for number, last in updates]
    outcomes = []
    for batch_size in (1, 2, 5, 2000):
        hr = hr_of(portal, f"Acme {uuid.uuid4()}")  # hypothesis shares the portal
        reports = [
            portal.imports.employees(hr, as_file(csv_bytes(DUTCH, full)), batch_size=batch_size),
            portal.imports.employees(
                hr, as_file(csv_bytes(DUTCH[:2], partial)), batch_size=batch_size
            ),
        ]
        held = {
            number: (e.last_name, e.postcode, e.email)
            for number, e in employees_of(portal, hr).items()
        }
        outcomes.append(
            (
                [(r.created, r.updated, r.unchanged, r.rows, fields_of(r)) for r in reports],
                [[(c.row, c.action, dict(c.changes)) for c in r.changes] for r in reports],
                held,
            )
        )
    assert all(outcome == outcomes[0] for outcome in outcomes[1:])
    # A known number's first row in the second file set its last name and kept the rest.
    first_of: dict[str, tuple[str, str]] = {}
    for number, _, postcode, email in rows:
        first_of.setdefault(number, (postcode, email))
    renamed: dict[str, str] = {}
    for number, last in updates:
        renamed.setdefault(number, last)
    for number, (last_name, _, email) in outcomes[0][2].items():
        if number in renamed:
            assert last_name.casefold() == renamed[number].casefold()
        assert email == first_of[number][1]


@attrs.define
class _StaleEmployees:
    """Employees whose numbers still find one employee as it was before its erasure: an
    import batch read just before the erasure committed."""

    inner: Any
    stale: Employee

    def by_numbers(self, employer_id: str, numbers: Any) -> dict[str, Employee]:
        found: dict[str, Employee] = self.inner.by_numbers(employer_id, numbers)
        if self.stale.employee_number in numbers:
            found[self.stale.employee_number or ""] = self.stale
        return found

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def test_an_import_never_brings_back_an_employee_erased_since_its_batch_was_read(
    portal: Portal,
) -> None:
    hr = hr_of(portal, "Acme")
    portal.imports.employees(hr, as_file(csv_bytes(DUTCH, ROWS)))
    before = employees_of(portal, hr)["1002"]
    portal.privacy.erase(hr, before.id, "Verzoek")
    racing = SwappedStorage(
        portal.storage, "employees", lambda inner: _StaleEmployees(inner, before)
    ).portal(portal)
    changed = [[*row[:7], "nieuw@example.nl", *row[8:]] for row in ROWS]

    report = racing.imports.employees(hr, as_file(csv_bytes(DUTCH, changed)), batch_size=10)

    assert report.updated == 2
    assert fields_of(report) == {(3, "employee_number", "conflict")}
    assert [e.code for e in report.errors if e.row == 3] == ["conflict"]
    with portal.storage.unit_of_work() as uow:
        kept = uow.employees.get(before.id)
    assert kept is not None
    assert kept.is_erased
    assert kept.email != "nieuw@example.nl"


@attrs.define
class _ReadBeforeAChange:
    """Employees whose first lookup finds one employee as it was before someone changed it:
    a batch read just before a change in the web app committed."""

    inner: Any
    before: Employee
    told: bool = False

    def by_numbers(self, employer_id: str, numbers: Any) -> dict[str, Employee]:
        found: dict[str, Employee] = self.inner.by_numbers(employer_id, numbers)
        if not self.told and self.before.employee_number in numbers:
            self.told = True
            found[self.before.employee_number or ""] = self.before
        return found

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def test_an_import_never_reverts_a_change_made_since_its_batch_was_read(portal: Portal) -> None:
    hr = hr_of(portal, "Acme")
    portal.imports.employees(hr, as_file(csv_bytes(DUTCH, ROWS)))
    before = employees_of(portal, hr)["1002"]
    portal.employees.update(hr, before.id, {"email": "jan.nieuw@example.nl"})
    read_first = _ReadBeforeAChange(None, before)

    def wrap(inner: Any) -> Any:
        read_first.inner = inner
        return read_first

    racing = SwappedStorage(portal.storage, "employees", wrap).portal(portal)
    renamed = [[row[0], row[1] + "s"] for row in ROWS]  # numbers and last names only

    report = racing.imports.employees(hr, as_file(csv_bytes(DUTCH[:2], renamed)), batch_size=10)

    assert (report.updated, report.errors) == (3, ())
    after = employees_of(portal, hr)["1002"]
    assert (after.last_name, after.email) == ("Jansens", "jan.nieuw@example.nl")
    change = next(c for c in report.changes if c.employee_number == "1002")
    assert set(change.changes) == {"last_name"}
