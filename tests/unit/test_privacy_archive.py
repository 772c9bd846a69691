"""A person's export as an archive: the JSON document's schema and the Dutch page, escaped."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import attrs
import pytest

from onzecoach.actors import Role
from onzecoach.employees import EmployeeDetails, Gender
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
        # (The archive lists the newest trajectory first, the tasks newest first too.)
        appointments=(
            ExportedAppointment(
                id="a1",
                trajectory_id="t1",
                starts_at=AT,
                ends_at=None,
                status="planned",
                status_label="Gepland",
                mode="live",
                theme="Werkdruk",
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
            ExportedMessage(
                id="m2",
                channel="calendar",
                kind="calendar.put",
                recipient=None,
                to_employee=False,
                subject="uid-1",
                text="BEGIN:VCALENDAR",
                status="sent",
                reference="a1",
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
            AccessEntry(
                at=AT,
                action="employee.updated",
                label="Gegevens gewijzigd",
                reader="HR, Werkgever & Zn",
                role=Role.HR,
                subject_type="employee",
                subject_id="e1",
                details={"changes": {"street": ["Oudestraat", "Nieuwestraat"]}},
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
    assert document["access_log"][1]["details"] == {
        "changes": {"street": ["Oudestraat", "Nieuwestraat"]}
    }
    # The same export is the same archive, byte for byte, however it is written.
    assert data.archive() == export().archive()
    with data.spooled_archive() as spooled:
        assert spooled.read() == data.archive()


def test_every_member_of_the_archive_is_compressed() -> None:
    data = export()
    with zipfile.ZipFile(io.BytesIO(data.archive())) as files:
        members = files.infolist()
    assert [m.compress_type for m in members] == [zipfile.ZIP_DEFLATED] * 2
    assert all(m.compress_size < m.file_size for m in members)


def test_the_export_cannot_change_under_its_reader() -> None:
    details = {"last_name": "Berg"}
    data = attrs.evolve(export(), employee=details)
    details["last_name"] = "Anders"
    assert data.employee["last_name"] == "Berg"
    with pytest.raises(TypeError):
        data.employee["last_name"] = "Anders"  # type: ignore[index]
    with pytest.raises(TypeError):
        data.access_log[1].details["changes"] = {}  # type: ignore[index]


def test_the_page_names_codes_in_dutch() -> None:
    page = export().as_html()
    for code in (">running<", ">live<", ">open<", ">planned<"):
        assert code not in page
    for label in ("Traject loopt", "Live, op een locatie", ">Open<", "Gepland"):
        assert label in page
    # A message to someone else says so, without their address.
    assert "<td>iemand anders dan de werknemer</td>" in page
    assert "<td>a@example.nl</td>" in page
    # What changed, old and new.
    assert (
        "changes: {&quot;street&quot;: [&quot;Oudestraat&quot;, &quot;Nieuwestraat&quot;]}" in page
    )
    # "je", as the mails say it.
    assert " u " not in page
    assert "Je gegevens" in page


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


def test_the_page_leaves_the_notes_and_themes_out_of_an_export_without_notes() -> None:
    without = export(includes_notes=False).as_html()
    for column in ("Notitie van de coach", "Thema"):
        assert column not in without
        assert column in export().as_html()


def documented_fields() -> set[str]:
    text = (Path(__file__).parents[2] / "docs" / "privacy.md").read_text()
    section = text[text.index("### The JSON document") : text.index("## Who read a dossier")]
    return set(re.findall(r"^\| `([a-z_.<>]+)` \|", section, flags=re.MULTILINE))


def document_fields() -> set[str]:
    """Every field of the JSON document, a list's items' fields as ``list.field``; the
    employee's form fields as one ``employee.<field>``."""
    document = export().as_json()
    fields = set(document)
    fields |= {
        f"employee.{key}" if key in _OWN_EMPLOYEE_KEYS else "employee.<field>"
        for key in document["employee"]
    }
    for section in ("trajectories", "appointments", "tasks", "messages", "access_log"):
        fields |= {f"{section}.{key}" for key in document[section][0]}
    return fields


def test_docs_describe_every_field_of_the_json_document_and_no_other() -> None:
    assert sorted(document_fields() - documented_fields()) == []
    assert sorted(documented_fields() - document_fields()) == []


def test_docs_list_every_field_of_the_employee_form() -> None:
    text = (Path(__file__).parents[2] / "docs" / "privacy.md").read_text()
    row = next(line for line in text.splitlines() if line.startswith("| `employee.<field>` |"))
    listed = set(re.findall(r"`([a-z_]+)`", row.split("|")[2]))
    form = {f.name for f in attrs.fields(EmployeeDetails)} - {"department_id"}
    assert form <= listed


_OWN_EMPLOYEE_KEYS = {
    "id",
    "employer",
    "department",
    "registered_at",
    "updated_at",
}
