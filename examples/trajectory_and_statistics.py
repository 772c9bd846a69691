"""Trajectories, appointments and statistics on an SQLite file, over three months.

Six employees in two departments start coaching. The booking side reports their
appointments (held, cancelled, no-show; live or online; with a theme) as the months pass,
one trajectory is extended through the task inbox, and HR reads the dashboard for the
employer and for one department, then exports it as CSV::

    python examples/trajectory_and_statistics.py [folder/for/portal.db/and/csv]
"""

from __future__ import annotations

import secrets
import sys
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from onzecoach import Actor, Portal, Role, Settings
from onzecoach.actors import SERVICE_DESK
from onzecoach.adapters.sql import SqlStorage
from onzecoach.stats import Dashboard
from onzecoach.testing import FrozenClock, RecordingMailer
from onzecoach.trajectories import AppointmentMode, AppointmentStatus

# Who works where, and how their coaching goes: (given name, department, sessions held).
PEOPLE = [
    ("Anna", "Verkoop", 4),
    ("Bram", "Verkoop", 4),
    ("Chris", "Verkoop", 3),
    ("Daan", "Verkoop", 2),
    ("Eva", "Magazijn", 4),
    ("Fleur", "Magazijn", 2),
]
THEMES = ["Werkdruk", "Loopbaan", "Communicatie", "Balans werk-privé"]
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
# A row of the booking side's report: when, for which trajectory, status, mode, theme.
Report = tuple[datetime, str, str, str, str | None]


def show(title: str, stats: Dashboard) -> None:
    print(f"{title}: {stats.label}")
    print(f"   gesprekken per maand: {stats.sessions_per_month}")
    print(
        f"   gehouden {stats.held_sessions} ({stats.live_sessions} live, "
        f"{stats.online_sessions} online), geannuleerd {stats.cancelled_sessions}, "
        f"niet verschenen {stats.no_show_sessions}"
    )
    print(f"   thema's: {stats.themes if stats.themes is not None else stats.themes_note}")
    print(
        f"   trajecten gestart {stats.trajectories_started}, afgerond "
        f"{stats.trajectories_completed}, gemiddeld {stats.average_trajectory_days} dagen"
    )
    for row in stats.rows:  # the breakdown: departments, or employees within one
        print(f"   - {row.label}: {row.held_sessions} gehouden")


def main(folder: Path) -> None:
    storage = SqlStorage(f"sqlite:///{folder / 'portal.db'}")
    storage.upgrade()
    clock = FrozenClock(START)
    portal = Portal(
        storage=storage,
        mailer=RecordingMailer(),
        clock=clock,
        settings=Settings(base_url="http://localhost:5000", secret_key=secrets.token_urlsafe(32)),
    )
    employer = portal.admin.create_employer(SERVICE_DESK, "Groothandel Noord B.V.")
    departments = {
        name: portal.admin.add_department(SERVICE_DESK, employer.id, name)
        for name in ("Verkoop", "Magazijn")
    }
    # In an application the actor comes from portal.auth.authenticate(session_token);
    # see registration_and_login.py. Here HR of this employer acts directly.
    hr = Actor(user_id=None, employer_id=employer.id, role=Role.HR)

    # Register everyone and start a trajectory of four sessions each.
    trajectories: dict[str, str] = {}
    reports: list[Report] = []
    for number, (name, department, held) in enumerate(PEOPLE):
        employee = portal.employees.register(
            hr,
            {
                "employee_number": f"N-{number + 1:03}",
                "last_name": "Jansen",
                "given_name": name,
                "initials": name[0],
                "gender": "unknown",
                "birth_date": date(1980 + number, 1, 15),
                "email": f"{name.lower()}@noord.nl",
                "department_id": departments[department].id,
            },
        )
        trajectory = portal.trajectories.start(
            hr, employee.id, type_code="ONC-IND-4", start_date=START.date()
        )
        trajectories[name] = trajectory.id
        # Sessions three weeks apart from mid-March; odd ones online, themes in turn.
        for session in range(held):
            when = START + timedelta(days=7 + number, weeks=3 * session)
            mode = "online" if session % 2 else "live"
            reports.append((when, trajectory.id, "held", mode, THEMES[(number + session) % 4]))
    # Not every appointment goes ahead: one is cancelled, one missed.
    reports.append((START + timedelta(days=5), trajectories["Daan"], "cancelled", "live", None))
    reports.append((START + timedelta(days=40), trajectories["Fleur"], "no_show", "online", None))
    print(f"1. {len(PEOPLE)} werknemers in {len(departments)} afdelingen, elk een traject")

    # The booking side reports each appointment as it happens, month after month.
    for count, (when, trajectory_id, status, mode, theme) in enumerate(sorted(reports)):
        clock.set(when)
        portal.trajectories.record_appointment(
            SERVICE_DESK,
            trajectory_id,
            external_id=f"PA-{count:04}",
            starts_at=when,
            status=AppointmentStatus(status),
            mode=AppointmentMode(mode),
            theme=theme,
        )
    print(f"2. {len(reports)} afspraken gemeld, de laatste op {clock.now():%d-%m-%Y}")

    # Anna's coach asks for one more session; HR approves it in the task inbox.
    portal.trajectories.request_extension(
        SERVICE_DESK, trajectories["Anna"], note="Nog één gesprek graag"
    )
    task = portal.tasks.open(hr)[0]
    done = portal.tasks.approve(hr, task.id)
    if done.extension_trajectory_id is None:
        raise RuntimeError("an approved extension request names its extension")
    extension = portal.trajectories.get(hr, done.extension_trajectory_id)
    portal.trajectories.record_appointment(
        SERVICE_DESK,
        extension.id,
        external_id="PA-verlenging",
        starts_at=clock.advance(timedelta(days=7)),
        status="held",
        mode="live",
        theme="Loopbaan",
    )
    print(f"3. Taak '{task.kind.label}' goedgekeurd: {extension.type_name}, gehouden")

    # The dashboard over March to May, kept up to date on every write above.
    first, last = date(2026, 3, 1), date(2026, 5, 31)
    show("4. Werkgever", portal.stats.dashboard(hr, start=first, end=last))
    small = departments["Magazijn"].id  # two people: too few to show their themes
    show("5. Afdeling", portal.stats.dashboard(hr, start=first, end=last, department_id=small))

    # The same figures with the whole breakdown, as CSV for Dutch Excel.
    export = folder / "dashboard.csv"
    export.write_bytes(portal.stats.export(hr, format="csv", start=first, end=last))
    lines = export.read_text(encoding="utf-8-sig").splitlines()
    print(f"6. CSV geschreven: {export.name}, {len(lines)} regels")
    storage.close()


if __name__ == "__main__":
    if len(sys.argv) > 1:
        main(Path(sys.argv[1]))
    else:
        with tempfile.TemporaryDirectory() as scratch:
            main(Path(scratch))
