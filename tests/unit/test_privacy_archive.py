"""A person's export as an archive: the JSON document's schema and the Dutch page, escaped."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

from onzecoach.actors import Role
from onzecoach.employees import Gender
from onzecoach.privacy import (
    EXPORT_VERSION,
    AccessEntry,
    ExportedAppointment,
    ExportedMessage,
    ExportedTask,
    ExportedTrajectory,
    PersonalData,
)

AT = datetime(2026, 3, 4, 9, 30, tzinfo=UTC)
HOSTILE = '<script>alert("x")</script>'


def export(*, includes_notes: bool = True) -> PersonalData:
    return PersonalData(
        made_at=AT,
        made_by="Servicedesk",
        includes_notes=includes_notes,
        employee_id="e1",
        employer="Werkgever & Zn",
        department=None,
        employee={
            "last_name": "Berg",
            "given_name": HOSTILE,
            "name_infix": "van den",
            "gender": Gender.FEMALE,
            "birth_date": date(1980, 1, 2),
        },
        registered_at=AT,
        updated_at=AT,
        trajectories=(
            ExportedTrajectory(
                id="t1",
                number=1,
                type_code="ONC-IND-4",
                type_name="ONC - individuele coaching (4 gesprekken)",
                sessions=4,
                is_extension=False,
                parent_id=None,
                start_date=date(2026, 3, 1),
                end_date=None,
                status="running",
                closed_reason=None,
                classification=None,
                held=0,
                planned=1,
                created_at=AT,
            ),
        ),
        appointments=(
            ExportedAppointment(
                id="a1",
                trajectory_id="t1",
                starts_at=AT,
                ends_at=None,
                status="planned",
                status_label="Gepland",
                mode="live",
                theme=None,
                coach="Coach Bos",
                location=None,
                external_id="x",
                note=f"notitie {HOSTILE}",
                created_at=AT,
            ),
        ),
        tasks=(
            ExportedTask(
                id="k1",
                trajectory_id="t1",
                kind="extension_request",
                kind_label="Verzoek tot verlenging",
                note="graag",
                sessions=1,
                status="open",
                decision=None,
                decision_note=None,
                created_at=AT,
                completed_at=None,
            ),
        ),
        messages=(
            ExportedMessage(
                id="m1",
                channel="mail",
                kind="booking_invitation",
                recipient="a@example.nl",
                to_employee=True,
                subject=f"Welkom {HOSTILE}",
                text="Regel een\nRegel twee",
                status="sent",
                reference="t1",
                created_at=AT,
                sent_at=AT,
            ),
        ),
        access_log=(
            AccessEntry(
                at=AT,
                action="dossier.read",
                label="Dossier ingezien",
                reader="HR, Werkgever & Zn",
                role=Role.HR,
                subject_type="employee",
                subject_id="e1",
            ),
        ),
    )


def test_the_archive_holds_the_json_document_and_the_page() -> None:
    data = export()
    with zipfile.ZipFile(io.BytesIO(data.archive())) as files:
        document = json.loads(files.read("persoonsgegevens.json"))
        page = files.read("persoonsgegevens.html").decode()
    assert document == data.as_json()
    assert page == data.as_html()
    assert document["version"] == EXPORT_VERSION
    assert document["made_at"] == "2026-03-04T09:30:00Z"
    assert document["employee"]["birth_date"] == "1980-01-02"
    assert document["employee"]["gender"] == "female"
    assert document["access_log"][0]["role"] == "hr"
    # The same export is the same archive, byte for byte.
    assert data.archive() == export().archive()


def test_the_page_is_dutch_and_escapes_every_value() -> None:
    page = export().as_html()
    assert HOSTILE not in page
    assert "&lt;script&gt;" in page
    assert "Werkgever &amp; Zn" in page
    assert '<html lang="nl">' in page
    assert "04-03-2026 10:30" in page  # Amsterdam time
    assert "Vrouw" in page
    assert "Dossier ingezien" in page
    assert "<pre>Regel een\nRegel twee</pre>" in page


def test_the_page_leaves_the_notes_column_out_of_an_export_without_notes() -> None:
    without = export(includes_notes=False).as_html()
    assert "Notitie van de coach" not in without
    assert "Notitie van de coach" in export().as_html()


def test_docs_describe_every_field_of_the_json_document() -> None:
    text = (Path(__file__).parents[2] / "docs" / "privacy.md").read_text()
    documented = set(re.findall(r"^\| `([a-z_.]+)` \|", text, flags=re.MULTILINE))
    document = export().as_json()
    fields = {key for key in document if not isinstance(document[key], list | dict)}
    fields |= {f"employee.{key}" for key in document["employee"]}
    for section in ("trajectories", "appointments", "tasks", "messages", "access_log"):
        fields |= {f"{section}[].{key}" for key in document[section][0]}
    fields |= {"employee", "trajectories", "appointments", "tasks", "messages", "access_log"}
    # The employee's form fields are listed once, as a group.
    fields = {f for f in fields if not f.startswith("employee.") or f in _OWN_EMPLOYEE_KEYS}
    missing = sorted(f for f in fields if f.replace("[]", "") not in documented)
    assert missing == []


_OWN_EMPLOYEE_KEYS = {
    "employee.id",
    "employee.employer",
    "employee.department",
    "employee.registered_at",
    "employee.updated_at",
}
