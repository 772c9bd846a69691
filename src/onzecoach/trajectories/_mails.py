"""The employee's invitation to the booking portal (PlanningsAgenda)."""

from __future__ import annotations

from onzecoach.notifications import Action, MailContent

__all__ = ["booking_invitation_mail", "nudge_mail"]


def booking_invitation_mail(
    *, given_name: str, employer_name: str, type_name: str, link: str
) -> MailContent:
    return MailContent(
        subject="Je uitnodiging voor coaching: kies je coach in PlanningsAgenda",
        greeting=f"Beste {given_name},",
        paragraphs=[
            f"{employer_name} heeft je aangemeld voor coaching bij OnzeCoach ({type_name}).",
            "In PlanningsAgenda, het zoek- en boekportaal van OnzeCoach, kies je zelf een "
            "coach die bij je past en plan je direct een afspraak om je coachtraject te "
            "starten.",
            "De link is persoonlijk: deel hem niet met anderen.",
        ],
        action=Action("Kies je coach", link),
        closing=["Wat je met je coach bespreekt, blijft tussen jou en je coach."],
        english=[
            f"{employer_name} has signed you up for coaching with OnzeCoach. Use the button "
            "above to choose a coach in PlanningsAgenda and book your first session. The "
            "link is personal."
        ],
    )


def nudge_mail(*, given_name: str, link: str) -> MailContent:
    return MailContent(
        subject="Herinnering: plan je eerste coachgesprek",
        greeting=f"Beste {given_name},",
        paragraphs=[
            "Je bent aangemeld voor coaching, maar hebt nog geen gesprek ingepland.",
            "Kies een coach en een tijdstip dat je past via de knop hieronder.",
        ],
        action=Action("Plan je gesprek", link),
        closing=["Wat je met je coach bespreekt, blijft tussen jou en je coach."],
        english=["You have not booked your first coaching session yet."],
    )
