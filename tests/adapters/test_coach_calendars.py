"""The coaches' calendars pulled from a real Radicale server on the loopback interface.

A busy event in the coach's own CalDAV calendar lands in the busy table after the next
pull; with the server down a pull records the failure, and the next pull after it is
back succeeds.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from onzecoach import Portal
from onzecoach.actors import SERVICE_DESK
from onzecoach.adapters.caldav import CaldavConnector
from onzecoach.ports import Storage
from onzecoach.testing import FrozenClock, RecordingMailer, event_ics
from radicale_server import RadicaleServer
from support import T0, make_settings


def _busy(storage: Storage, coach_id: str) -> list[tuple[str, object, object]]:
    with storage.unit_of_work() as uow:
        rows = uow.busy_times.overlapping([coach_id], T0, T0 + timedelta(days=60))
    return [(row.uid, row.starts_at, row.ends_at) for row in rows]


def test_a_busy_event_in_the_coachs_calendar_lands_in_the_busy_table(
    storage: Storage, tmp_path: Path
) -> None:
    clock = FrozenClock(T0)
    portal = Portal(
        storage=storage,
        mailer=RecordingMailer(),
        clock=clock,
        settings=make_settings(),
        calendars=CaldavConnector(timeout=5),
    )
    coach = portal.coaches.invite(
        SERVICE_DESK,
        email="bas@example.nl",
        username="coach.bas",
        name="Bas Mulder",
        video_url="https://video.example.nl/bas",
    )
    with RadicaleServer(tmp_path) as server:
        account = server.add_calendar("bas", "Radicale-Wachtwoord-1")
        portal.coaches.link_calendar(
            SERVICE_DESK, coach.id, account.url, account.username, account.password
        )
        start = T0 + timedelta(days=2, hours=1)
        end = start + timedelta(hours=2)
        assert server.put_raw(account, "tandarts.ics", event_ics("tandarts@ex", start, end)) == 201
        # The portal's own event (a booked session) keeps its slot another way.
        session = portal.settings.portal_uid("a" * 32)
        own = event_ics(session, start + timedelta(days=1), end + timedelta(days=1))
        assert server.put_raw(account, "sessie.ics", own) == 201

        report = portal.coaches.pull_calendars()
        assert (report.calendars, report.failed, report.busy_times) == (1, 0, 1)
        assert _busy(storage, coach.id) == [("tandarts@ex", start, end)]

        server.stop()
        later = clock.advance(timedelta(minutes=5))
        down = portal.coaches.pull_calendars()
        assert (down.calendars, down.failed) == (1, 1)
        status = portal.coaches.get(SERVICE_DESK, coach.id).calendar
        assert status is not None
        assert (status.error, status.pulled_at, status.synced_at) == (
            "calendar.unavailable",
            later,
            T0,
        )
        assert _busy(storage, coach.id) == [("tandarts@ex", start, end)]  # kept meanwhile

        server.start()
        moved = start + timedelta(days=3)
        moved_end = moved + timedelta(hours=1)
        server.put_raw(account, "tandarts.ics", event_ics("tandarts@ex", moved, moved_end))
        back = clock.advance(timedelta(minutes=5))
        assert portal.coaches.pull_calendars().failed == 0
        status = portal.coaches.get(SERVICE_DESK, coach.id).calendar
        assert status is not None
        assert (status.error, status.synced_at) == (None, back)
        assert _busy(storage, coach.id) == [("tandarts@ex", moved, moved_end)]
