"""A first look at onzecoach: an employer, its departments, and a mail through the outbox.

Runs as it stands on an SQLite file (the embedded default), printing the mail to the
console instead of sending it::

    python examples/quickstart.py [path/to/portal.db]
"""

from __future__ import annotations

import secrets
import sys
import tempfile
from pathlib import Path

from onzecoach import Portal, Settings
from onzecoach.actors import SERVICE_DESK
from onzecoach.adapters.console import ConsoleMailer
from onzecoach.adapters.sql import SqlStorage
from onzecoach.notifications import Action, MailContent, new_email


def main(database: Path) -> None:
    storage = SqlStorage(f"sqlite:///{database}")
    storage.upgrade()  # creates or migrates the schema; safe to run at every start
    portal = Portal(
        storage=storage,
        mailer=ConsoleMailer(),
        # In production the key comes from your secret store and is the same on every server.
        settings=Settings(base_url="http://localhost:5000", secret_key=secrets.token_urlsafe(32)),
    )

    employer = portal.admin.create_employer(SERVICE_DESK, f"Voorbeeld B.V. ({database.stem})")
    for name in ("Financiën", "Klantenservice", "ICT"):
        portal.admin.add_department(SERVICE_DESK, employer.id, name)
    print(f"Werkgever {employer.name}, afdelingen:")
    for department in portal.admin.departments(SERVICE_DESK, employer.id):
        print(f"  - {department.name}")

    # A use case writes its mail in its own transaction; the dispatcher sends it later.
    with storage.unit_of_work() as uow:
        uow.outbox.add(
            new_email(
                portal.settings,
                to="hr@voorbeeld.nl",
                content=MailContent(
                    subject="Welkom bij het OnzeCoach Portaal",
                    greeting="Beste HR-contactpersoon,",
                    paragraphs=[f"{employer.name} is aangemeld bij het OnzeCoach Portaal."],
                    action=Action("Naar het portaal", portal.settings.link("inloggen")),
                    english=[f"{employer.name} has joined the OnzeCoach portal."],
                ),
                kind="welcome",
                reference=employer.id,
                employer_id=employer.id,
                now=portal.clock.now(),
            )
        )
        uow.commit()
    print(f"Verzonden: {portal.outbox.dispatch_due()} bericht(en)")
    storage.close()


if __name__ == "__main__":
    if len(sys.argv) > 1:
        main(Path(sys.argv[1]))
    else:
        with tempfile.TemporaryDirectory() as folder:
            main(Path(folder) / "portal.db")
