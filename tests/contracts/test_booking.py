"""The PlanningsAgenda and the coach's workspace on every storage: the whole loop."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from booking_support import (
    add_coach,
    attachments,
    body,
    local,
    next_weekday,
    started,
)
from onzecoach import Portal
from onzecoach.actors import SERVICE_DESK
from onzecoach.calendars import BusyTime
from onzecoach.clock import amsterdam
from onzecoach.errors import (
    Conflict,
    InvalidToken,
    NotFound,
    PermissionDenied,
    QuotaExceeded,
    SlotTaken,
    Throttled,
    ValidationError,
)
from onzecoach.ports import Storage
from onzecoach.testing import FrozenClock, RecordingMailer, RecordingSms
from onzecoach.trajectories import AppointmentStatus, TrajectoryStatus
from support import NEW_SECRET_KEY, OTHER_SECRET_KEY, TEST_SECRET_KEY, make_settings

AMSTERDAM = amsterdam()


def test_the_whole_loop_from_start_to_the_dashboard(
    portal: Portal, clock: FrozenClock, mailer: RecordingMailer, sms: RecordingSms
) -> None:
    s = started(portal, clock, mailer)
    context = portal.booking.open(s.token)
    assert context.given_name == "Anna"
    assert (context.sessions, context.sessions_left) == (4, 4)
    assert context.booked == ()
    coaches = portal.booking.coaches(s.token, mode="live")
    assert [c.id for c in coaches] == [s.coach_id]
    assert coaches[0].city == "Utrecht"
    assert coaches[0].distance_km is not None  # Leusden (3833) to Utrecht (3511)
    slots = portal.booking.first_slots(s.token, mode="online", limit=5)
    assert len(slots) == 5
    assert slots == sorted(slots)
    # The notice (24 hours) holds: nothing sooner is offered.
    assert slots[0].starts_at >= clock.now() + timedelta(hours=24)

    booked = portal.booking.book(
        s.token, coach_id=s.coach_id, starts_at=slots[0].starts_at, mode="online"
    )
    assert booked.status is AppointmentStatus.PLANNED
    assert booked.can_change
    assert booked.location
    assert booked.location.startswith("https://video.example.nl/")
    assert portal.booking.open(s.token).sessions_left == 3
    assert portal.trajectories.get(s.hr, s.trajectory_id).status is TrajectoryStatus.RUNNING
    # The booked time is no longer offered.
    assert booked.starts_at not in [
        o.starts_at for o in portal.booking.first_slots(s.token, mode="online", limit=20)
    ]

    portal.outbox.dispatch_due()
    (confirmation,) = [m for m in mailer.to(s.email) if "Bevestiging" in str(m["Subject"])]
    (invite,) = attachments(confirmation)
    assert invite.get_content_type() == "text/calendar"
    assert invite.get_param("method") == "REQUEST"
    ics = invite.get_content()
    ics = ics.decode() if isinstance(ics, bytes) else ics
    assert "BEGIN:VEVENT" in ics
    assert portal.settings.portal_uid(booked.id) in ics.replace("\r\n ", "")
    assert s.token in body(confirmation)

    # The reminder, by mail and SMS, 24 hours before; the nudge to book never goes.
    clock.set(booked.starts_at - timedelta(hours=24, seconds=1))
    portal.outbox.dispatch_due()
    assert not [m for m in mailer.to(s.email) if "Herinnering" in str(m["Subject"])]
    clock.advance(timedelta(seconds=1))
    portal.outbox.dispatch_due()
    reminders = [m for m in mailer.to(s.email) if "Herinnering" in str(m["Subject"])]
    assert [str(m["Subject"]).startswith("Herinnering: coachgesprek") for m in reminders] == [True]
    assert [m.to for m in sms.sent] == ["+31612345678"]
    assert "herinnering" in sms.sent[0].text

    # The coach holds it and reports it with a theme; HR's dashboard counts it.
    agenda = portal.coaching.agenda(
        s.coach, start=booked.starts_at.date() - timedelta(days=1), days=3
    )
    assert [a.id for a in agenda] == [booked.id]
    assert agenda[0].client_name.startswith("Anna")
    with pytest.raises(Conflict) as early:
        portal.coaching.report(s.coach, booked.id, status="held", theme="werkdruk")
    assert early.value.code == "booking.not_begun"
    clock.set(booked.ends_at)
    reported = portal.coaching.report(s.coach, booked.id, status="held", theme="Werkdruk")
    assert reported.status is AppointmentStatus.HELD
    assert reported.theme == "werkdruk"
    day = booked.starts_at.date()
    dashboard = portal.stats.dashboard(s.hr, start=date(day.year, day.month, 1), end=day)
    assert dashboard.held_sessions == 1
    dossier = portal.employees.dossier(s.hr, s.employee_id)
    assert dossier is not None


def test_a_booking_beyond_the_quota_is_refused_with_the_number_left(
    portal: Portal, clock: FrozenClock, mailer: RecordingMailer
) -> None:
    s = started(portal, clock, mailer, type_code="ONC-IND-4")
    day = next_weekday(clock)
    for hour in (9, 10, 11, 12):
        portal.booking.book(s.token, coach_id=s.coach_id, starts_at=local(day, hour), mode="live")
    with pytest.raises(QuotaExceeded) as refused:
        portal.booking.book(s.token, coach_id=s.coach_id, starts_at=local(day, 14), mode="live")
    assert refused.value.code == "trajectory.quota_exceeded"
    assert refused.value.params["left"] == 0
    assert "nog in te plannen: 0" in str(refused.value)
    assert portal.booking.open(s.token).sessions_left == 0


def test_a_taken_time_or_one_off_the_grid_is_refused_by_name(
    portal: Portal, clock: FrozenClock, mailer: RecordingMailer
) -> None:
    first = started(portal, clock, mailer)
    second = started(
        portal, clock, mailer, hr=first.hr, coach=(first.coach_id, first.coach), last_name="Ek"
    )
    day = next_weekday(clock)
    portal.booking.book(first.token, coach_id=first.coach_id, starts_at=local(day, 10), mode="live")
    with pytest.raises(SlotTaken) as taken:
        portal.booking.book(
            second.token, coach_id=first.coach_id, starts_at=local(day, 10), mode="live"
        )
    assert taken.value.code == "booking.slot_taken"
    assert "net door iemand anders" in str(taken.value)
    for wrong in (local(day, 10, 30), local(day, 18), local(day - timedelta(days=7), 10)):
        with pytest.raises(ValidationError) as off:
            portal.booking.book(second.token, coach_id=first.coach_id, starts_at=wrong, mode="live")
        assert set(off.value.codes) == {"starts_at"}
    with pytest.raises(ValidationError) as bad_mode:
        portal.booking.book(
            second.token, coach_id=first.coach_id, starts_at=local(day, 11), mode="x"
        )
    assert set(bad_mode.value.codes) == {"mode"}


def test_cancelling_before_the_notice_frees_the_session_and_withdraws_the_reminders(
    portal: Portal, clock: FrozenClock, mailer: RecordingMailer, sms: RecordingSms
) -> None:
    s = started(portal, clock, mailer)
    day = next_weekday(clock, days_ahead=4)
    booked = portal.booking.book(
        s.token, coach_id=s.coach_id, starts_at=local(day, 10), mode="live"
    )
    cancelled = portal.booking.cancel(s.token, booked.id)
    assert cancelled.status is AppointmentStatus.CANCELLED
    assert portal.booking.open(s.token).sessions_left == 4
    # The time is free again.
    free = portal.booking.slots(s.token, s.coach_id, start=day, days=1)
    assert local(day, 10) in [o.starts_at for o in free]
    clock.set(booked.starts_at)
    portal.outbox.dispatch_due()
    subjects = [str(m["Subject"]) for m in mailer.to(s.email)]
    assert any(subject.startswith("Afgezegd") for subject in subjects)
    assert not any(subject.startswith("Herinnering: coachgesprek") for subject in subjects)
    assert sms.sent == []


def test_a_late_cancellation_counts_as_used_unless_the_employer_says_otherwise(
    portal: Portal, clock: FrozenClock, mailer: RecordingMailer
) -> None:
    s = started(portal, clock, mailer)
    day = next_weekday(clock, days_ahead=3)
    booked = portal.booking.book(
        s.token, coach_id=s.coach_id, starts_at=local(day, 10), mode="live"
    )
    clock.set(booked.starts_at - timedelta(hours=2))
    with pytest.raises(Conflict) as too_late:
        portal.booking.reschedule(s.token, booked.id, starts_at=local(day, 15))
    assert too_late.value.code == "booking.too_late_to_move"
    late = portal.booking.cancel(s.token, booked.id)
    assert late.status is AppointmentStatus.LATE_CANCELLED
    assert portal.booking.open(s.token).sessions_left == 3
    # Once a session has begun, only the coach reports it.
    begun = portal.booking.book(
        s.token, coach_id=s.coach_id, starts_at=local(next_weekday(clock), 11), mode="live"
    )
    clock.set(begun.starts_at)
    with pytest.raises(Conflict) as already:
        portal.booking.cancel(s.token, begun.id)
    assert already.value.code == "booking.already_begun"

    other = started(portal, clock, mailer, coach=(s.coach_id, s.coach), last_name="Vos")
    assert other.hr.employer_id is not None
    portal.admin.set_employer_policy(
        SERVICE_DESK, other.hr.employer_id, late_cancellations_count=False
    )
    later = next_weekday(clock, days_ahead=3)
    second = portal.booking.book(
        other.token, coach_id=s.coach_id, starts_at=local(later, 11), mode="live"
    )
    clock.set(second.starts_at - timedelta(hours=1))
    assert portal.booking.cancel(other.token, second.id).status is (
        AppointmentStatus.LATE_CANCELLED
    )
    assert portal.booking.open(other.token).sessions_left == 4
    # The link says which holds, so the page can warn in the employer's terms.
    assert portal.booking.open(s.token).late_cancellations_count
    assert not portal.booking.open(other.token).late_cancellations_count


def test_rescheduling_moves_the_session_and_its_reminder(
    portal: Portal, clock: FrozenClock, mailer: RecordingMailer
) -> None:
    s = started(portal, clock, mailer)
    day = next_weekday(clock, days_ahead=4)
    booked = portal.booking.book(
        s.token, coach_id=s.coach_id, starts_at=local(day, 10), mode="live"
    )
    moved = portal.booking.reschedule(s.token, booked.id, starts_at=local(day, 14))
    assert (moved.id, moved.starts_at) == (booked.id, local(day, 14))
    # Its own old time is free, its new one taken; moving onto itself is fine.
    assert portal.booking.reschedule(s.token, booked.id, starts_at=local(day, 14)).id == booked.id
    clock.set(local(day, 10) - timedelta(hours=24))
    portal.outbox.dispatch_due()
    assert not [m for m in mailer.to(s.email) if "Herinnering" in str(m["Subject"])]
    clock.set(local(day, 14) - timedelta(hours=24))
    portal.outbox.dispatch_due()
    assert len([m for m in mailer.to(s.email) if "Herinnering" in str(m["Subject"])]) == 1


def test_a_link_serves_its_own_trajectory_only_and_stops_when_it_closes(
    portal: Portal, clock: FrozenClock, mailer: RecordingMailer
) -> None:
    s = started(portal, clock, mailer)
    other = started(portal, clock, mailer, coach=(s.coach_id, s.coach), last_name="Vos")
    day = next_weekday(clock)
    theirs = portal.booking.book(
        other.token, coach_id=s.coach_id, starts_at=local(day, 10), mode="live"
    )
    with pytest.raises(NotFound):
        portal.booking.cancel(s.token, theirs.id)
    with pytest.raises(NotFound):
        portal.booking.reschedule(s.token, theirs.id, starts_at=local(day, 11))
    for bad in ("", "x" * 30, s.token[:-1] + ("A" if s.token[-1] != "A" else "B")):
        with pytest.raises(InvalidToken):
            portal.booking.open(bad)
    portal.trajectories.close(s.hr, s.trajectory_id)
    with pytest.raises(InvalidToken):
        portal.booking.open(s.token)
    with pytest.raises(InvalidToken):
        portal.booking.first_slots(s.token, mode="live")


def test_a_link_is_throttled(clock: FrozenClock, mailer: RecordingMailer, storage: Storage) -> None:
    portal = Portal(
        storage=storage, mailer=mailer, clock=clock, settings=make_settings(booking_link_limit=3)
    )
    s = started(portal, clock, mailer)
    for _ in range(3):
        portal.booking.open(s.token)
    with pytest.raises(Throttled) as throttled:
        portal.booking.open(s.token)
    assert throttled.value.code == "booking.throttled"
    clock.advance(timedelta(minutes=1))
    assert portal.booking.open(s.token).given_name == "Anna"


def test_a_coach_sees_and_changes_only_their_own_sessions(
    portal: Portal, clock: FrozenClock, mailer: RecordingMailer
) -> None:
    s = started(portal, clock, mailer)
    other_id, other = add_coach(portal, "Coach Ander")
    day = next_weekday(clock)
    booked = portal.booking.book(
        s.token, coach_id=s.coach_id, starts_at=local(day, 10), mode="live"
    )
    assert portal.coaching.agenda(other, start=day, days=1) == []
    for call in (
        lambda: portal.coaching.session(other, booked.id),
        lambda: portal.coaching.cancel(other, booked.id),
        lambda: portal.coaching.note(other, booked.id),
        lambda: portal.coaching.write_note(other, booked.id, "x"),
        lambda: portal.coaching.report(other, booked.id, status="held"),
        lambda: portal.coaching.request_extension(other, booked.id, note="meer"),
        lambda: portal.coaching.agenda(s.hr, start=day),
        lambda: portal.coaching.session(SERVICE_DESK, booked.id),
    ):
        with pytest.raises(NotFound):
            call()
    assert other_id != s.coach_id


def test_the_coach_moves_cancels_and_asks_for_an_extension(
    portal: Portal, clock: FrozenClock, mailer: RecordingMailer
) -> None:
    s = started(portal, clock, mailer)
    day = next_weekday(clock)
    first = portal.booking.book(s.token, coach_id=s.coach_id, starts_at=local(day, 10), mode="live")
    second = portal.booking.book(
        s.token, coach_id=s.coach_id, starts_at=local(day, 12), mode="live"
    )
    clock.set(first.starts_at - timedelta(hours=1))  # inside the notice: the coach may still
    moved = portal.coaching.move(s.coach, first.id, starts_at=local(day, 15))
    assert moved.starts_at == local(day, 15)
    cancelled = portal.coaching.cancel(s.coach, second.id)
    assert cancelled.status is AppointmentStatus.CANCELLED  # never late: the coach cancelled
    assert portal.booking.open(s.token).sessions_left == 3
    portal.outbox.dispatch_due()
    subjects = [str(m["Subject"]) for m in mailer.to(s.email)]
    assert any(x.startswith("Gewijzigd") for x in subjects)
    assert any(x.startswith("Afgezegd") for x in subjects)
    task = portal.coaching.request_extension(s.coach, first.id, note="Nog een gesprek helpt.")
    assert [t.id for t in portal.tasks.open(s.hr)] == [task.id]


def test_the_coach_sees_the_free_times_to_move_a_session_to(
    portal: Portal, clock: FrozenClock, mailer: RecordingMailer
) -> None:
    s = started(portal, clock, mailer)
    day = next_weekday(clock)
    session = portal.booking.book(
        s.token, coach_id=s.coach_id, starts_at=local(day, 10), mode="live"
    )
    other = portal.booking.book(s.token, coach_id=s.coach_id, starts_at=local(day, 11), mode="live")
    free = [o.starts_at for o in portal.coaching.free_slots(s.coach, session.id, start=day)]
    assert local(day, 10) in free  # the session's own time
    assert local(day, 11) not in free  # another session's
    assert local(day, 9) in free
    days = {t.astimezone(amsterdam()).date() for t in free}
    assert min(days) >= day
    assert max(days) < day + timedelta(days=7)
    with pytest.raises(ValidationError):
        portal.coaching.free_slots(s.coach, session.id, start=day, days=0)
    stranger = started(portal, clock, mailer, last_name="Ek")
    with pytest.raises(NotFound):
        portal.coaching.free_slots(stranger.coach, other.id, start=day)
    clock.set(session.ends_at)
    with pytest.raises(ValidationError) as unknown:
        portal.coaching.report(s.coach, session.id, status="held", theme="geen-thema")
    assert unknown.value.errors == {"theme": "Kies een thema uit de lijst."}


def test_notes_are_sealed_and_the_coachs_alone(
    portal: Portal, clock: FrozenClock, mailer: RecordingMailer
) -> None:
    s = started(portal, clock, mailer)
    day = next_weekday(clock)
    booked = portal.booking.book(
        s.token, coach_id=s.coach_id, starts_at=local(day, 10), mode="live"
    )
    secret = "Vertrouwelijk: spanning met leidinggevende"
    portal.coaching.write_note(s.coach, booked.id, secret)
    assert portal.coaching.note(s.coach, booked.id) == secret
    assert portal.coaching.session(s.coach, booked.id).has_note
    with pytest.raises(ValidationError) as bad:
        portal.coaching.write_note(s.coach, booked.id, "x\x00y")
    assert set(bad.value.codes) == {"note"}
    portal.coaching.write_note(s.coach, booked.id, "")
    assert portal.coaching.note(s.coach, booked.id) == ""


def test_record_appointment_leaves_a_portal_session_to_its_agenda(
    portal: Portal, clock: FrozenClock, mailer: RecordingMailer
) -> None:
    s = started(portal, clock, mailer)
    day = next_weekday(clock)
    booked = portal.booking.book(
        s.token, coach_id=s.coach_id, starts_at=local(day, 10), mode="live"
    )
    with pytest.raises(Conflict) as refused:
        portal.trajectories.record_appointment(
            SERVICE_DESK,
            s.trajectory_id,
            external_id=f"portal-{booked.id}",
            starts_at=local(day, 11),
            status="held",
            mode="live",
        )
    assert refused.value.code == "appointment.portal_session"


def test_the_nudge_goes_when_nobody_booked_and_not_when_they_did(
    portal: Portal, clock: FrozenClock, mailer: RecordingMailer
) -> None:
    waiting = started(portal, clock, mailer)
    booker = started(
        portal, clock, mailer, coach=(waiting.coach_id, waiting.coach), last_name="Vos"
    )
    portal.booking.book(
        booker.token,
        coach_id=booker.coach_id,
        starts_at=local(next_weekday(clock), 10),
        mode="online",
    )
    clock.advance(portal.settings.booking_nudge_after)
    portal.outbox.dispatch_due()
    nudge = "Herinnering: plan je eerste coachgesprek"
    assert [str(m["Subject"]) for m in mailer.to(waiting.email)].count(nudge) == 1
    assert [str(m["Subject"]) for m in mailer.to(booker.email)].count(nudge) == 0


def test_the_coachs_feed_lists_their_sessions(
    portal: Portal, clock: FrozenClock, mailer: RecordingMailer
) -> None:
    s = started(portal, clock, mailer)
    day = next_weekday(clock)
    booked = portal.booking.book(
        s.token, coach_id=s.coach_id, starts_at=local(day, 10), mode="live"
    )
    url = portal.coaches.rotate_feed(s.coach, s.coach_id)
    token = url.rsplit("/", 1)[1]
    feed = portal.coaching.feed(token).decode()
    assert portal.settings.portal_uid(booked.id) in feed.replace("\r\n ", "")
    portal.coaches.rotate_feed(s.coach, s.coach_id)
    with pytest.raises(InvalidToken):
        portal.coaching.feed(token)


def test_hr_sees_the_funnel_and_who_has_not_booked(
    portal: Portal, clock: FrozenClock, mailer: RecordingMailer
) -> None:
    waiting = started(portal, clock, mailer)
    booker = started(
        portal,
        clock,
        mailer,
        hr=waiting.hr,
        coach=(waiting.coach_id, waiting.coach),
        last_name="Vos",
    )
    row = portal.employees.dossier(waiting.hr, booker.employee_id).trajectories[0]
    assert (row.booked, row.first_held, row.booking_label) == (False, False, "Uitgenodigd")
    booked = portal.booking.book(
        booker.token,
        coach_id=booker.coach_id,
        starts_at=local(next_weekday(clock), 10),
        mode="live",
    )
    row = portal.employees.dossier(waiting.hr, booker.employee_id).trajectories[0]
    assert row.booking_label == "Ingepland"
    assert portal.employees.not_booked(waiting.hr) == []
    clock.advance(portal.settings.not_booked_after)
    listed = portal.employees.not_booked(waiting.hr)
    assert [n.employee_id for n in listed] == [waiting.employee_id]
    assert listed[0].name.startswith("Berg")
    # Another employer's HR sees none of it.
    stranger = started(portal, clock, mailer, coach=(waiting.coach_id, waiting.coach))
    assert waiting.employee_id not in [
        n.employee_id for n in portal.employees.not_booked(stranger.hr)
    ]
    clock.set(booked.ends_at)
    portal.coaching.report(booker.coach, booked.id, status="held", theme="werkdruk")
    row = portal.employees.dossier(waiting.hr, booker.employee_id).trajectories[0]
    assert row.booking_label == "Eerste gesprek gehouden"
    # The dossier shows that a session was held, never what it was about.
    assert [a.theme for a in row.appointments] == [None]
    # A resend starts the wait again.
    portal.trajectories.resend_invitation(waiting.hr, waiting.trajectory_id)
    portal.outbox.dispatch_due()
    assert waiting.employee_id not in [
        n.employee_id for n in portal.employees.not_booked(waiting.hr)
    ]


def test_notes_are_sealed_again_under_a_new_key(
    portal: Portal, clock: FrozenClock, mailer: RecordingMailer
) -> None:
    s = started(portal, clock, mailer)
    first = portal.booking.book(
        s.token, coach_id=s.coach_id, starts_at=local(next_weekday(clock), 10), mode="live"
    )
    portal.coaching.write_note(s.coach, first.id, "Eerste notitie")
    rotated = Portal(
        storage=portal.storage,
        mailer=mailer,
        clock=clock,
        settings=make_settings(secret_key=NEW_SECRET_KEY, old_secret_keys=(TEST_SECRET_KEY,)),
    )
    report = rotated.coaching.reseal(SERVICE_DESK, batch_size=1)
    assert (report.resealed, report.unreadable) == (1, 0)
    assert rotated.coaching.reseal(SERVICE_DESK).resealed == 0
    only_new = Portal(
        storage=portal.storage,
        mailer=mailer,
        clock=clock,
        settings=make_settings(secret_key=NEW_SECRET_KEY),
    )
    assert only_new.coaching.note(s.coach, first.id) == "Eerste notitie"
    lost = Portal(
        storage=portal.storage,
        mailer=mailer,
        clock=clock,
        settings=make_settings(secret_key=OTHER_SECRET_KEY),
    )
    assert lost.coaching.reseal(SERVICE_DESK).unreadable == 1
    with pytest.raises(PermissionDenied):
        portal.coaching.reseal(s.hr)
    with pytest.raises(NotFound):
        portal.coaching.reseal(s.coach)


def test_the_first_free_slots_are_the_earliest_of_every_fitting_coachs_free_slots(
    clock: FrozenClock, mailer: RecordingMailer, storage: Storage
) -> None:
    # Coaches with different notices, lengths, buffers, horizons and a maximum per day,
    # sessions and busy times: the first slots of them all are the first of the slots each
    # coach offers day by day, merged by time (then by name).
    portal = Portal(
        storage=storage,
        mailer=mailer,
        clock=clock,
        settings=make_settings(booking_link_limit=10_000),
    )
    weekdays = ("monday", "tuesday", "wednesday", "thursday", "friday")
    coaches = [
        add_coach(
            portal,
            "Coach A",
            availability={
                "weekly": {day: [["09:00", "12:00"], ["13:00", "17:00"]] for day in weekdays},
                "max_per_day": 2,
            },
        ),
        add_coach(
            portal,
            "Coach B",
            availability={
                "weekly": {"tuesday": [["08:30", "20:00"]], "saturday": [["10:00", "14:00"]]},
                "session_minutes": 45,
                "buffer_minutes": 30,
                "notice_minutes": 240,
            },
            languages=["nl", "en"],
        ),
        add_coach(
            portal,
            "Coach C",
            availability={
                "weekly": {day: [["13:00", "18:00"]] for day in weekdays},
                "session_minutes": 90,
                "notice_minutes": 2880,
            },
        ),
        add_coach(
            portal,
            "Coach D",
            availability={
                "weekly": {day: [["09:00", "17:00"]] for day in weekdays},
                "horizon_days": 10,
            },
            languages=["en"],
        ),
    ]
    a, b, c, _ = (coach_id for coach_id, _ in coaches)
    s = started(portal, clock, mailer, coach=coaches[0])
    day = next_weekday(clock)
    for hour in (9, 10):  # Coach A's maximum for the day
        portal.booking.book(s.token, coach_id=a, starts_at=local(day, hour), mode="online")
    first_b = portal.booking.first_slots(s.token, mode="online", language="en", limit=1)[0]
    portal.booking.book(s.token, coach_id=b, starts_at=first_b.starts_at, mode="online")
    with storage.unit_of_work() as uow:
        uow.busy_times.replace(
            c,
            [
                BusyTime(
                    "dentist@example.nl",
                    local(day + timedelta(days=2), 12),
                    local(day + timedelta(days=2), 15),
                )
            ],
            pulled_at=clock.now(),
        )
        uow.commit()

    today = clock.now().astimezone(amsterdam()).date()
    order = {coach_id: n for n, (coach_id, _) in enumerate(coaches)}
    every = sorted(
        (
            offer
            for coach_id, _ in coaches
            for weeks in range(5)
            for offer in portal.booking.slots(
                s.token, coach_id, start=today + timedelta(days=14 * weeks), days=14
            )
        ),
        key=lambda o: (o.starts_at, o.ends_at, order[o.coach_id]),
    )
    for limit in (1, 7, 20, 100):
        assert portal.booking.first_slots(s.token, mode="online", limit=limit) == every[:limit]
    english = [o for o in every if o.coach_id in {b, coaches[3][0]}]
    assert (
        portal.booking.first_slots(s.token, mode="online", language="en", limit=30) == english[:30]
    )


def test_a_changed_profile_or_availability_shows_in_the_next_search(
    portal: Portal, clock: FrozenClock, mailer: RecordingMailer
) -> None:
    s = started(portal, clock, mailer)
    before = portal.booking.first_slots(s.token, mode="online", limit=3)
    assert {o.starts_at.astimezone(AMSTERDAM).hour for o in before} <= set(range(9, 17))
    # The same moment (the clock stands still), other hours and another name.
    portal.coaches.set_availability(
        SERVICE_DESK, s.coach_id, {"weekly": {"saturday": [["18:00", "20:00"]]}}
    )
    portal.coaches.update_profile(SERVICE_DESK, s.coach_id, name="Coach Zaterdag")
    after = portal.booking.first_slots(s.token, mode="online", limit=3)
    assert [o.starts_at.astimezone(AMSTERDAM).weekday() for o in after] == [5, 5, 5]
    assert {o.coach_name for o in after} == {"Coach Zaterdag"}
    portal.coaches.update_profile(SERVICE_DESK, s.coach_id, active=False)
    assert portal.booking.first_slots(s.token, mode="online", limit=3) == []


def test_the_link_books_the_extension_and_stops_when_both_close(
    portal: Portal, clock: FrozenClock, mailer: RecordingMailer
) -> None:
    s = started(portal, clock, mailer, type_code="ONC-IND-4")
    day = next_weekday(clock)
    booked = [
        portal.booking.book(s.token, coach_id=s.coach_id, starts_at=local(day, h), mode="live")
        for h in (9, 10, 11, 12)
    ]
    with pytest.raises(QuotaExceeded):
        portal.booking.book(s.token, coach_id=s.coach_id, starts_at=local(day, 14), mode="live")
    task = portal.coaching.request_extension(s.coach, booked[0].id, note="Nog een gesprek.")
    approved = portal.tasks.approve(s.hr, task.id)
    assert approved.extension_trajectory_id is not None
    # The same link: the extension runs beside the trajectory and shares it.
    assert portal.booking.open(s.token).sessions_left == 1
    fifth = portal.booking.book(s.token, coach_id=s.coach_id, starts_at=local(day, 14), mode="live")
    extension = portal.trajectories.get(s.hr, approved.extension_trajectory_id)
    dossier = portal.employees.dossier(s.hr, s.employee_id)
    rows = {row.id: [a.id for a in row.appointments] for row in dossier.trajectories}
    assert rows[extension.id] == [fifth.id]
    assert portal.booking.open(s.token).sessions_left == 0
    portal.trajectories.close(s.hr, extension.id)
    assert portal.booking.open(s.token).given_name == "Anna"  # the trajectory still runs
    portal.trajectories.close(s.hr, s.trajectory_id)
    with pytest.raises(InvalidToken):
        portal.booking.open(s.token)
