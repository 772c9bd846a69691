"""The PlanningsAgenda with a coach's real CalDAV calendar (Radicale on loopback).

A busy event blocks its slots after the next pull; a booking appears in the calendar as an
event and a cancellation removes it, through the outbox; with the server down a booking
still succeeds, and its event arrives once the server is back.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from booking_support import add_coach, local, next_weekday, started
from onzecoach import Portal
from onzecoach.adapters.caldav import CaldavConnector
from onzecoach.calendars import CalendarAccount
from onzecoach.ports import Storage
from onzecoach.testing import FrozenClock, RecordingMailer, event_ics
from radicale_server import RadicaleServer
from support import T0, make_settings

PASSWORD = "Agenda-app-wachtwoord-5520"


def _events(account: CalendarAccount, start: datetime, end: datetime) -> list[tuple[str, datetime]]:
    calendar = CaldavConnector(timeout=5).open(account)
    try:
        return sorted((b.uid, b.starts_at) for b in calendar.busy(start, end))
    finally:
        calendar.close()


def test_busy_times_bookings_and_cancellations_meet_the_coachs_own_calendar(
    storage: Storage, tmp_path: Path
) -> None:
    clock = FrozenClock(T0)
    mailer = RecordingMailer()
    portal = Portal(
        storage=storage,
        mailer=mailer,
        clock=clock,
        settings=make_settings(),
        calendars=CaldavConnector(timeout=5),
    )
    with RadicaleServer(tmp_path) as radicale:
        account = radicale.add_calendar("coach@example.nl", PASSWORD)
        coach = add_coach(portal)
        portal.coaches.link_calendar(
            coach[1], coach[0], account.url, account.username, account.password
        )
        s = started(portal, clock, mailer, coach=coach)
        day = next_weekday(clock)
        window = (local(day, 0), local(day, 23))

        # A busy event in the coach's own calendar blocks its slot after the next pull.
        own = CaldavConnector(timeout=5).open(account)
        own.put(
            "tandarts@example.nl", event_ics("tandarts@example.nl", local(day, 9), local(day, 10))
        )
        own.close()
        free = [o.starts_at for o in portal.booking.slots(s.token, coach[0], start=day, days=1)]
        assert local(day, 9) in free
        portal.coaches.pull_calendars()
        free = [o.starts_at for o in portal.booking.slots(s.token, coach[0], start=day, days=1)]
        assert local(day, 9) not in free
        assert local(day, 10) in free

        # A booking appears as an event; a cancellation removes it.
        booked = portal.booking.book(
            s.token, coach_id=coach[0], starts_at=local(day, 11), mode="live"
        )
        portal.outbox.dispatch_due()
        uid = portal.settings.portal_uid(booked.id)
        assert (uid, local(day, 11)) in _events(account, *window)
        # The portal's own event is not pulled back in as busy time.
        portal.coaches.pull_calendars()
        with storage.unit_of_work() as uow:
            pulled = uow.busy_times.overlapping([coach[0]], *window)
        assert [b.starts_at for b in pulled] == [local(day, 9)]
        portal.booking.cancel(s.token, booked.id)
        portal.outbox.dispatch_due()
        assert uid not in [u for u, _ in _events(account, *window)]

        # With the server down a booking still succeeds; its event arrives once it is back.
        radicale.stop()
        later = portal.booking.book(
            s.token, coach_id=coach[0], starts_at=local(day, 13), mode="live"
        )
        portal.outbox.dispatch_due()
        radicale.start()
        clock.advance(timedelta(hours=1))
        portal.outbox.dispatch_due()
        assert (portal.settings.portal_uid(later.id), local(day, 13)) in _events(account, *window)
