"""The dossier's privacy screens in a real browser: the export downloads an archive that
holds the person, and the "Inzage" tab shows the read just made.

Every page on the way is checked with axe-core by the ``page`` fixture (conftest.py).
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

from browser.conftest import Live, Shots
from browser.flows import log_in, register_with_totp
from onzecoach import Actor, Role
from onzecoach.actors import SERVICE_DESK


def test_export_the_data_and_see_who_read_the_dossier(
    live: Live, page: Any, shots: Shots, tmp_path: Path
) -> None:
    employer = live.portal.admin.create_employer(SERVICE_DESK, "Privé B.V.").id
    hr = Actor(user_id=None, employer_id=employer, role=Role.HR)
    person = live.portal.employees.register(
        hr,
        {
            "last_name": "Zuidhof",
            "given_name": "Mirjam",
            "initials": "M",
            "gender": "female",
            "birth_date": date(1979, 11, 23),
            "email": "mirjam.zuidhof@example.nl",
        },
    )
    live.portal.admin.invite_user(SERVICE_DESK, employer, email="p@example.nl", username="hr.prive")
    secret = register_with_totp(live, page, shots, "hr.prive")
    log_in(live, page, shots, "hr.prive", secret)

    page.goto(f"{live.url}/werknemers/{person.id}")
    shots("dossier")
    with page.expect_download() as waiting:
        page.get_by_role("button", name="Gegevens exporteren").click()
    download = waiting.value
    assert download.suggested_filename == "persoonsgegevens.zip"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    with zipfile.ZipFile(io.BytesIO(saved.read_bytes())) as archive:
        document = json.loads(archive.read("persoonsgegevens.json"))
    assert document["employee"]["last_name"] == "Zuidhof"
    assert document["employee"]["given_name"] == "Mirjam"
    assert document["includes_notes"] is False

    page.get_by_role("navigation", name="Dossier").get_by_role("link", name="Inzage").click()
    page.wait_for_url(f"**/werknemers/{person.id}/inzage")
    shots("inzage")
    rows = page.locator("#inzage tbody tr")
    assert rows.nth(0).inner_text().split("\t")[1:] == ["HR, Privé B.V.", "Gegevens geëxporteerd"]
    assert rows.nth(1).inner_text().split("\t")[1:] == ["HR, Privé B.V.", "Dossier ingezien"]
    assert "Werknemer geregistreerd" in rows.last.inner_text()
