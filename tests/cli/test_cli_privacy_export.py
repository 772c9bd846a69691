"""``onzecoach privacy export``: one employee's personal data as a zip file, on an SQLite
file."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from cli_support import Env, register, run
from onzecoach import Actor, Portal, Role
from onzecoach.actors import SERVICE_DESK
from onzecoach.cli import EXIT_FAILED, EXIT_OK
from onzecoach.ids import new_id


def test_export_writes_the_zip_file_names_no_one_and_is_audited(
    portal: Portal, env: Env, tmp_path: Path
) -> None:
    employer = portal.admin.create_employer(SERVICE_DESK, "Voorbeeld B.V.")
    hr = Actor(user_id="hr", employer_id=employer.id, role=Role.HR)
    anna = register(portal, hr, "Oudenaarde").id
    target = tmp_path / "anna.zip"

    result = run(env, "privacy", "export", anna, str(target))

    assert result.exit_code == EXIT_OK, result.output
    assert anna in result.stdout
    assert "Oudenaarde" not in result.output
    with zipfile.ZipFile(target) as archive:
        assert sorted(archive.namelist()) == ["persoonsgegevens.html", "persoonsgegevens.json"]
        data = json.loads(archive.read("persoonsgegevens.json"))
        page = archive.read("persoonsgegevens.html").decode()
    assert (data["employee"]["id"], data["employee"]["last_name"]) == (anna, "Oudenaarde")
    assert "Oudenaarde" in page
    with portal.storage.unit_of_work() as uow:
        audited = uow.audit.for_subject("employee", anna)
    exported = [e for e in audited if e.action == "privacy.exported"]
    assert [(e.actor_role, e.details["includes_notes"]) for e in exported] == [
        (SERVICE_DESK.role, True)
    ]
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".partial")]


def test_an_unknown_employee_is_refused_and_no_file_is_left(env: Env, tmp_path: Path) -> None:
    assert run(env, "db", "upgrade").exit_code == EXIT_OK
    target = tmp_path / "nobody.zip"
    result = run(env, "privacy", "export", new_id(), str(target))
    assert result.exit_code == EXIT_FAILED
    assert "Werknemer niet gevonden." in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["portal.db"]
