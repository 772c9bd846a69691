"""A portal with an employer, an employee whose coaching started, and a bookable coach."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import attrs

from onzecoach import Actor, Portal, Role
from onzecoach.actors import SERVICE_DESK
from onzecoach.clock import amsterdam
from onzecoach.testing import FrozenClock, RecordingMailer

#: Monday to Friday, 09:00 to 17:00; hour sessions; the defaults for the rest.
WEEKDAYS_9_TO_5: dict[str, Any] = {
    "weekly": {
        day: [["09:00", "17:00"]]
        for day in ("monday", "tuesday", "wednesday", "thursday", "friday")
    },
    "session_minutes": 60,
}


def person(n: int = 0, /, **changes: object) -> dict[str, object]:
    return {
        "last_name": "Berg" + "abcdefghijklmnopqrstuvwxyz"[n % 26],
        "given_name": "Anna",
        "initials": "A",
        "gender": "vrouw",
        "birth_date": date(1985, 4, 12),
        "email": f"anna{n}.{uuid.uuid4().hex[:6]}@example.nl",
        "phone": "06 12345678",
        "postcode": "3833LB",
        "registration_type": "OnzeCoach",
        **changes,
    }


@attrs.frozen
class Setting:
    """What a booking test starts from."""

    portal: Portal
    hr: Actor
    coach_id: str
    coach: Actor
    employee_id: str
    trajectory_id: str
    token: str
    email: str


def hr_of(portal: Portal) -> Actor:
    employer = portal.admin.create_employer(SERVICE_DESK, f"Werkgever {uuid.uuid4().hex[:8]}")
    return Actor(user_id=f"hr-{employer.id[-8:]}", employer_id=employer.id, role=Role.HR)


def add_coach(
    portal: Portal,
    name: str = "Coach Bos",
    *,
    availability: dict[str, Any] | None = None,
    **profile: Any,
) -> tuple[str, Actor]:
    handle = uuid.uuid4().hex[:8]
    fields: dict[str, Any] = {
        "modes": ["live", "online"],
        "video_url": f"https://video.example.nl/{handle}",
        "locations": [{"city": "Utrecht", "postcode": "3511"}],
        "specialisms": ["werkdruk"],
        **profile,
    }
    view = portal.coaches.invite(
        SERVICE_DESK,
        email=f"coach.{handle}@example.nl",
        username=f"coach{handle}",
        name=name,
        **fields,
    )
    portal.coaches.set_availability(SERVICE_DESK, view.id, availability or WEEKDAYS_9_TO_5)
    return view.id, Actor(user_id=view.user_id, employer_id=None, role=Role.COACH)


def booking_link(mailer: RecordingMailer, address: str) -> str:
    """The token of the last booking invitation mailed to ``address``."""
    for mail in reversed(mailer.to(address)):
        text = body(mail)
        found = re.search(r"/planningsagenda/(\S+)", text)
        if found:
            return found.group(1)
    raise AssertionError(f"no booking invitation to {address}")


def started(
    portal: Portal,
    clock: FrozenClock,
    mailer: RecordingMailer,
    *,
    hr: Actor | None = None,
    type_code: str = "ONC-IND-4",
    coach: tuple[str, Actor] | None = None,
    **details: object,
) -> Setting:
    """HR starts coaching; the invitation goes out; the setting to book from."""
    hr = hr or hr_of(portal)
    coach_id, coach_actor = coach or add_coach(portal)
    employee = portal.employees.register(hr, person(**details))
    today = clock.now().astimezone(amsterdam()).date()
    trajectory = portal.trajectories.start(hr, employee.id, type_code=type_code, start_date=today)
    clock.advance(portal.settings.invitation_delay)
    portal.outbox.dispatch_due()
    return Setting(
        portal=portal,
        hr=hr,
        coach_id=coach_id,
        coach=coach_actor,
        employee_id=employee.id,
        trajectory_id=trajectory.id,
        token=booking_link(mailer, employee.email),
        email=employee.email,
    )


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=amsterdam())


def next_weekday(clock: FrozenClock, days_ahead: int = 2) -> date:
    """The first weekday at least ``days_ahead`` days from now, local."""
    day = clock.now().astimezone(amsterdam()).date() + timedelta(days=days_ahead)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def body(mail: EmailMessage) -> str:
    part = mail.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def attachments(mail: EmailMessage) -> list[EmailMessage]:
    return [part for part in mail.iter_attachments() if isinstance(part, EmailMessage)]
