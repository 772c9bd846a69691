"""The mails and text messages of the PlanningsAgenda, Dutch first."""

from __future__ import annotations

from datetime import datetime

from onzecoach.notifications import Action, MailContent, dutch_datetime

__all__ = [
    "cancelled_mail",
    "confirmation_mail",
    "moved_mail",
    "reminder_mail",
    "reminder_text",
]

_PRIVATE = "Wat je met je coach bespreekt, blijft tussen jou en je coach."


def _where(mode: str, location: str | None) -> str:
    if mode == "online":
        return "online (videogesprek)" + (f": {location}" if location else "")
    return f"op locatie: {location}" if location else "op locatie"


def confirmation_mail(
    *,
    given_name: str,
    coach_name: str,
    starts_at: datetime,
    mode: str,
    location: str | None,
    link: str | None,
    notice_hours: int,
) -> MailContent:
    when = dutch_datetime(starts_at)
    return MailContent(
        subject=f"Bevestiging: coachgesprek op {when}",
        greeting=f"Beste {given_name},",
        paragraphs=[
            f"Je gesprek met {coach_name} staat gepland op {when}, {_where(mode, location)}.",
            "De uitnodiging voor je agenda zit als bijlage bij deze mail.",
            f"Verzetten of afzeggen kan tot {notice_hours} uur van tevoren via de knop "
            "hieronder. Later afzeggen telt als een gebruikt gesprek.",
        ],
        action=Action("Bekijk of wijzig je afspraak", link) if link else None,
        closing=[_PRIVATE],
        english=[
            f"Your coaching session with {coach_name} is booked. The calendar "
            "invitation is attached; use the button to reschedule or cancel."
        ],
    )


def moved_mail(
    *,
    given_name: str,
    coach_name: str,
    starts_at: datetime,
    mode: str,
    location: str | None,
    link: str | None,
    by_coach: bool,
) -> MailContent:
    when = dutch_datetime(starts_at)
    who = f"{coach_name} heeft je gesprek verzet" if by_coach else "Je gesprek is verzet"
    return MailContent(
        subject=f"Gewijzigd: coachgesprek op {when}",
        greeting=f"Beste {given_name},",
        paragraphs=[
            f"{who}. Het nieuwe tijdstip is {when}, {_where(mode, location)}.",
            "De bijgewerkte uitnodiging voor je agenda zit als bijlage bij deze mail.",
        ],
        action=Action("Bekijk je afspraken", link) if link else None,
        closing=[_PRIVATE],
        english=["Your coaching session was moved; the updated invitation is attached."],
    )


def cancelled_mail(
    *,
    given_name: str,
    coach_name: str,
    starts_at: datetime,
    link: str | None,
    by_coach: bool,
    late: bool,
) -> MailContent:
    when = dutch_datetime(starts_at)
    lines = [
        f"{coach_name} heeft je gesprek van {when} afgezegd. Plan een nieuw gesprek in "
        "via de knop hieronder; dit gesprek telt niet als gebruikt."
        if by_coach
        else f"Je gesprek met {coach_name} van {when} is afgezegd."
    ]
    if late:
        lines.append("Het gesprek is binnen de afzegtermijn afgezegd en telt als gebruikt.")
    return MailContent(
        subject=f"Afgezegd: coachgesprek op {when}",
        greeting=f"Beste {given_name},",
        paragraphs=lines,
        action=Action("Plan een gesprek in", link) if link else None,
        english=["Your coaching session was cancelled."],
    )


def reminder_mail(
    *,
    given_name: str,
    coach_name: str,
    starts_at: datetime,
    mode: str,
    location: str | None,
    link: str | None,
) -> MailContent:
    when = dutch_datetime(starts_at)
    return MailContent(
        subject=f"Herinnering: coachgesprek op {when}",
        greeting=f"Beste {given_name},",
        paragraphs=[f"Je gesprek met {coach_name} is op {when}, {_where(mode, location)}."],
        action=Action("Bekijk je afspraak", link) if link else None,
        closing=[_PRIVATE],
        english=[f"A reminder of your coaching session with {coach_name}."],
    )


def reminder_text(*, coach_name: str, starts_at: datetime) -> str:
    return f"OnzeCoach: herinnering aan je gesprek met {coach_name} op {dutch_datetime(starts_at)}."
