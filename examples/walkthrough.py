"""The manual end to end, on an SQLite file: from invitation to a closed trajectory.

The service desk creates an employer and invites its HR contact; the contact registers,
sets up an authenticator app and signs in; registers an employee, starts coaching, and
reads the dossier while the booking side reports appointments. Mail and SMS go to the
console.

    python examples/walkthrough.py
"""

from __future__ import annotations

import re
import secrets
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pyotp

from onzecoach import Portal, Settings
from onzecoach.actors import SERVICE_DESK
from onzecoach.adapters.sql import SqlStorage
from onzecoach.testing import FrozenClock, RecordingMailer


def plain(mail: object) -> str:
    body = mail.get_body(("plain",))  # type: ignore[attr-defined]
    return str(body.get_content())


def main(folder: Path) -> None:
    storage = SqlStorage(f"sqlite:///{folder / 'portal.db'}")
    storage.upgrade()
    mailer = RecordingMailer()  # keeps the mails so the script can follow the links
    clock = FrozenClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    portal = Portal(
        storage=storage,
        mailer=mailer,
        clock=clock,
        settings=Settings(base_url="http://localhost:5000", secret_key=secrets.token_urlsafe(32)),
    )

    # The service desk: an employer, a department, an invitation for its HR contact.
    employer = portal.admin.create_employer(SERVICE_DESK, "Bakkerij De Korenaar B.V.")
    sales = portal.admin.add_department(SERVICE_DESK, employer.id, "Verkoop")
    portal.admin.invite_user(
        SERVICE_DESK, employer.id, email="hr@korenaar.nl", username="hr.korenaar"
    )
    portal.outbox.dispatch_due()
    link = re.search(r"/registreren/(\S+)", plain(mailer.sent[-1]))
    if link is None:
        raise RuntimeError("the invitation mail holds no registration link")
    print("1. Uitnodiging verstuurd naar hr@korenaar.nl")

    # The HR contact registers, sets up the app, keeps the backup codes, signs in.
    enrollment = portal.accounts.register(link.group(1), "Brood-Met-Kaas-2026")
    setup = portal.mfa.begin_totp(enrollment.token)
    app = pyotp.TOTP(setup.secret)
    portal.mfa.confirm_totp(enrollment.token, app.at(clock.now()))
    backup_codes = portal.mfa.finish(enrollment.token)
    print(f"2. Geregistreerd met app; {len(backup_codes)} back-up codes, bijv. {backup_codes[0]}")
    clock.advance(timedelta(minutes=1))
    challenge = portal.auth.login("hr.korenaar", "Brood-Met-Kaas-2026")
    session = portal.auth.verify(challenge.token, app.at(clock.now()), method="totp")
    hr = portal.auth.authenticate(session.token)
    print(f"3. Ingelogd; tweede stap via {', '.join(m.value for m in challenge.methods)}")

    # Werknemer toevoegen, coaching starten.
    employee = portal.employees.register(
        hr,
        {
            "registration_type": "OnzeCoach",
            "employee_number": "K-042",
            "last_name": "van den Berg",  # the infix is split off: "van den"
            "given_name": "anna",
            "initials": "am",
            "gender": "vrouw",
            "birth_date": "12-04-1985",
            "email": "anna@korenaar.nl",
            "postcode": "3833lb",
            "department_id": sales.id,
        },
    )
    print(f"4. Werknemer aangemeld: {employee.display_name}, {employee.postcode}")
    trajectory = portal.trajectories.start(
        hr, employee.id, type_code="ONC-IND-4", start_date=date(2026, 3, 2)
    )
    clock.advance(portal.settings.invitation_delay)
    portal.outbox.dispatch_due()
    invited = mailer.sent[-1]["To"]
    print(f"5. {trajectory.type_name} gestart; uitnodiging PlanningsAgenda aan {invited}")

    # The booking side reports four sessions, held one by one.
    for week in range(4):
        portal.trajectories.record_appointment(
            SERVICE_DESK,
            trajectory.id,
            external_id=f"PA-{week}",
            starts_at=datetime(2026, 3, 9, 10, 0, tzinfo=UTC) + timedelta(weeks=week),
            status="held",
            mode="online" if week % 2 else "live",
            theme="Werkdruk",
        )
    dossier = portal.employees.dossier(hr, employee.id)
    row = dossier.trajectories[0]
    print(
        f"6. Dossier: {row.type_name}, {row.percentage}%, {row.status_label}, "
        f"{row.start_date:%d-%m-%Y} tot {row.end_date:%d-%m-%Y} ({row.duration_days} dagen)"
    )

    # A request to extend lands in the task inbox; HR approves it.
    task = portal.trajectories.request_extension(
        SERVICE_DESK, trajectory.id, note="Nog één gesprek"
    )
    print(f"7. Taak: {task.kind.label} - {task.note}")
    done = portal.tasks.approve(hr, task.id)
    if done.extension_trajectory_id is None:
        raise RuntimeError("an approved extension request names its extension")
    extension = portal.trajectories.get(hr, done.extension_trajectory_id)
    print(
        f"8. Goedgekeurd: {extension.type_name} gestart; open taken: {len(portal.tasks.open(hr))}"
    )

    # The dashboard: March in figures, kept on every write above.
    stats = portal.stats.dashboard(hr, start=date(2026, 3, 1), end=date(2026, 4, 30))
    print(
        f"9. Dashboard: {stats.held_sessions} gesprekken "
        f"({stats.live_sessions} live, {stats.online_sessions} online), per maand "
        f"{stats.sessions_per_month}, {stats.trajectories_completed} traject afgerond in "
        f"gemiddeld {stats.average_trajectory_days} dagen; thema's: "
        f"{stats.themes if stats.themes is not None else stats.themes_note}"
    )
    storage.close()


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as scratch:
        main(Path(scratch))
