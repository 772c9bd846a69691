"""What a session's changes send: the employee's mails with the calendar invitation, the
reminders (mail and SMS) and the writes to the coach's own calendar, all through the outbox.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Literal

import attrs
import phonenumbers

from onzecoach.booking._mails import (
    cancelled_mail,
    confirmation_mail,
    moved_mail,
    reminder_mail,
    reminder_text,
)
from onzecoach.employers import employer_policy
from onzecoach.ics import CalendarEvent, calendar, session_event
from onzecoach.messages import ERASED_EMPLOYEE
from onzecoach.notifications import (
    Attachment,
    OutboxStatus,
    new_calendar_write,
    new_email,
    new_sms,
)

if TYPE_CHECKING:
    from onzecoach.booking._ports import BookingUnitOfWork, Client
    from onzecoach.clock import Clock
    from onzecoach.coaches import Coach
    from onzecoach.settings import Settings
    from onzecoach.trajectories import Appointment

__all__ = ["REMINDER", "SESSION_MAIL", "Change", "SessionNotices", "full_name"]

#: The outbox kind of a session's reminder (mail and SMS); its reference is the session.
REMINDER = "booking.reminder"
#: The outbox kind of the mails about one session; its reference is the session.
SESSION_MAIL = "booking.session"

Change = Literal["booked", "moved", "cancelled"]


class SessionNotices:
    """Writes a session's mails, reminders and calendar writes to the outbox, inside the
    caller's unit of work."""

    def __init__(self, *, clock: Clock, settings: Settings) -> None:
        self._clock = clock
        self._settings = settings

    def announce(
        self,
        uow: BookingUnitOfWork,
        appointment: Appointment,
        coach: Coach,
        client: Client,
        *,
        change: Change,
        link: str | None,
        by_coach: bool = False,
        late: bool = False,
    ) -> None:
        """Mail the employee (with the calendar invitation), queue or withdraw the session's
        reminders and write the change to the coach's own calendar, all in the outbox."""
        now = self._clock.now()
        settings = self._settings
        if change != "booked":
            self.withdraw(uow, appointment.id)
        cancelled = change == "cancelled"
        uid = settings.portal_uid(appointment.id)
        notice = employer_policy(uow, appointment.employer_id, settings).cancellation_notice
        notice_hours = int(notice / timedelta(hours=1))
        mode = appointment.mode.value
        if change == "booked":
            content = confirmation_mail(
                given_name=client.given_name,
                coach_name=coach.profile.name,
                starts_at=appointment.starts_at,
                mode=mode,
                location=appointment.location,
                link=link,
                notice_hours=notice_hours,
            )
        elif change == "moved":
            content = moved_mail(
                given_name=client.given_name,
                coach_name=coach.profile.name,
                starts_at=appointment.starts_at,
                mode=mode,
                location=appointment.location,
                link=link,
                by_coach=by_coach,
            )
        else:
            content = cancelled_mail(
                given_name=client.given_name,
                coach_name=coach.profile.name,
                starts_at=appointment.starts_at,
                link=link,
                by_coach=by_coach,
                late=late,
            )
        event = self._event(appointment, coach, client, uid=uid, link=link, cancelled=cancelled)
        invitation = calendar([event], method="CANCEL" if cancelled else "REQUEST")
        method = "CANCEL" if cancelled else "REQUEST"
        uow.outbox.add(
            new_email(
                settings,
                to=client.email,
                content=content,
                kind=SESSION_MAIL,
                now=now,
                reference=appointment.id,
                employer_id=appointment.employer_id,
                attachments=[
                    Attachment(
                        filename="coachgesprek.ics",
                        content_type=f"text/calendar; charset=utf-8; method={method}",
                        data=invitation,
                    )
                ],
            )
        )
        if not cancelled:
            self._remind(uow, appointment, coach, client, link=link)
        if coach.calendar is not None:
            own = self._event(
                appointment, coach, client, uid=uid, link=None, cancelled=False, private=True
            )
            uow.outbox.add(
                new_calendar_write(
                    settings,
                    coach_id=coach.id,
                    uid=uid,
                    ics=None if cancelled else calendar([own], method=None),
                    now=now,
                    reference=appointment.id,
                    employer_id=appointment.employer_id,
                )
            )

    def _remind(
        self,
        uow: BookingUnitOfWork,
        appointment: Appointment,
        coach: Coach,
        client: Client,
        *,
        link: str | None,
    ) -> None:
        now = self._clock.now()
        at = appointment.starts_at - self._settings.booking_reminder_before
        if at <= now:
            return  # booked within the reminder's time: the confirmation is the reminder
        uow.outbox.add(
            new_email(
                self._settings,
                to=client.email,
                content=reminder_mail(
                    given_name=client.given_name,
                    coach_name=coach.profile.name,
                    starts_at=appointment.starts_at,
                    mode=appointment.mode.value,
                    location=appointment.location,
                    link=link,
                ),
                kind=REMINDER,
                now=now,
                not_before=at,
                reference=appointment.id,
                employer_id=appointment.employer_id,
            )
        )
        mobile = _mobile(client.phone)
        if mobile is not None:
            uow.outbox.add(
                new_sms(
                    self._settings,
                    to=mobile,
                    text=reminder_text(
                        coach_name=coach.profile.name, starts_at=appointment.starts_at
                    ),
                    kind=REMINDER,
                    now=now,
                    not_before=at,
                    reference=appointment.id,
                    employer_id=appointment.employer_id,
                )
            )

    @staticmethod
    def withdraw(uow: BookingUnitOfWork, appointment_id: str) -> None:
        """The session's reminders that have not gone out never will."""
        for waiting in uow.outbox.list(
            status=OutboxStatus.PENDING, kind=REMINDER, reference=appointment_id
        ):
            uow.outbox.save(attrs.evolve(waiting, status=OutboxStatus.SUPPRESSED))

    def _event(
        self,
        appointment: Appointment,
        coach: Coach,
        client: Client,
        *,
        uid: str,
        link: str | None,
        cancelled: bool,
        private: bool = False,
    ) -> CalendarEvent:
        settings = self._settings
        ends_at = appointment.ends_at or appointment.starts_at + timedelta(hours=1)
        summary = (
            f"Coachgesprek met {full_name(client)}"
            if private
            else f"Coachgesprek met {coach.profile.name}"
        )
        return session_event(
            uid=uid,
            starts_at=appointment.starts_at,
            ends_at=ends_at,
            summary=summary,
            now=self._clock.now(),
            location=appointment.location,
            url=link,
            # Each change is later than the one before: its time in seconds orders them.
            sequence=int(appointment.updated_at.timestamp()),
            status="CANCELLED" if cancelled else "CONFIRMED",
            organizer=None if private else settings.mail_sender,
            attendees=() if private else [client.email],
            private=private,
        )


def full_name(client: Client) -> str:
    parts = [client.given_name, client.name_infix or "", client.last_name]
    # An erased employee's tombstone has no name left.
    return " ".join(part for part in parts if part) or ERASED_EMPLOYEE


def _mobile(phone: str | None) -> str | None:
    """The number in E.164 if it is a mobile one (an SMS reaches it), else ``None``."""
    if not phone:
        return None
    try:
        number = phonenumbers.parse(phone, "NL")
    except phonenumbers.NumberParseException:
        return None
    kind = phonenumbers.number_type(number)
    if kind not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
