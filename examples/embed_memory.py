"""Embedding onzecoach in memory: no database, no mail server, a clock that stands still.

``MemoryStorage`` is the reference storage and the fake for your own unit tests;
``RecordingMailer`` keeps mail instead of sending it; ``FrozenClock`` moves only when told.
Nothing here touches the disk or the network::

    python examples/embed_memory.py
"""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime

from onzecoach import Portal, Settings
from onzecoach.actors import SERVICE_DESK
from onzecoach.adapters.memory import MemoryStorage
from onzecoach.testing import FrozenClock, RecordingMailer


def main() -> None:
    mailer = RecordingMailer()
    clock = FrozenClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    portal = Portal(
        storage=MemoryStorage(),  # lives as long as the process; nothing to upgrade
        mailer=mailer,
        clock=clock,
        settings=Settings(
            base_url="https://portaal.example.nl", secret_key=secrets.token_urlsafe(32)
        ),
    )

    # The service desk sets up an employer, a department and its HR contact.
    employer = portal.admin.create_employer(SERVICE_DESK, "Voorbeeld B.V.")
    department = portal.admin.add_department(SERVICE_DESK, employer.id, "Klantenservice")
    portal.admin.invite_user(
        SERVICE_DESK, employer.id, email="hr@voorbeeld.nl", username="hr.voorbeeld"
    )
    print(f"1. Werkgever {employer.name}, afdeling {department.name}, HR-contact uitgenodigd")

    # An employee, registered by the service desk (an HR user needs no employer_id).
    employee = portal.employees.register(
        SERVICE_DESK,
        {
            "last_name": "de Vries",
            "given_name": "Sanne",
            "initials": "S.",
            "gender": "female",
            "birth_date": date(1990, 6, 1),
            "email": "sanne@voorbeeld.nl",
            "department_id": department.id,
        },
        employer_id=employer.id,
    )
    trajectory = portal.trajectories.start(
        SERVICE_DESK, employee.id, type_code="ONC-IND-4", start_date=clock.now().date()
    )
    print(f"2. Werknemer {employee.display_name}: {trajectory.type_name} gestart")

    # Mail waits in the outbox; the booking invitation only after Settings.invitation_delay.
    print(f"3. Nu verstuurd: {portal.outbox.dispatch_due()} bericht(en)")
    hours = portal.settings.invitation_delay.total_seconds() / 3600
    clock.advance(portal.settings.invitation_delay)
    print(f"4. {hours:g} uur later verstuurd: {portal.outbox.dispatch_due()} bericht(en)")

    # What the mailer received, oldest first.
    for mail in mailer.sent:
        print(f"   aan {mail['To']}: {mail['Subject']}")


if __name__ == "__main__":
    main()
