"""The account mails, Dutch first."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from onzecoach.notifications import Action, MailContent, dutch_datetime

__all__ = ["invitation_mail", "password_reset_mail", "username_mail"]


def invitation_mail(
    *, username: str, employer_name: str | None, link: str, expires_at: datetime
) -> MailContent:
    where = f" van {employer_name}" if employer_name else ""
    until = dutch_datetime(expires_at)
    return MailContent(
        subject="Registreer je account voor het OnzeCoach Portaal",
        greeting="Beste collega,",
        paragraphs=[
            f"Je bent uitgenodigd voor het OnzeCoach Portaal{where}. In het portaal meld je "
            "medewerkers aan voor coaching, volg je hun coachtrajecten en bekijk je de "
            "statistieken.",
            f"Je inlognaam is: {username}",
            "Met de knop hieronder kies je een eigen wachtwoord en stel je de "
            f"tweestapsverificatie in. De link werkt één keer en is geldig tot {until}.",
        ],
        action=Action("Account registreren", link),
        closing=[
            "Is de link verlopen of werkt hij niet? Vraag het servicebureau dan om een "
            "nieuwe uitnodiging."
        ],
        english=[
            "You have been invited to the OnzeCoach portal. The button above lets you choose "
            f"a password and set up two-step verification; it works once, until {until} "
            "(Amsterdam time)."
        ],
    )


def password_reset_mail(*, username: str, link: str, expires_at: datetime) -> MailContent:
    until = dutch_datetime(expires_at)
    return MailContent(
        subject="Nieuw wachtwoord instellen voor het OnzeCoach Portaal",
        greeting="Beste collega,",
        paragraphs=[
            f"Je hebt gevraagd om een nieuw wachtwoord voor je account {username}.",
            "Met de knop hieronder stel je een nieuw wachtwoord in. De link werkt één keer "
            f"en is geldig tot {until}. Daarna log je in met je nieuwe wachtwoord en je "
            "tweede stap (sms, app, YubiKey of back-up code).",
        ],
        action=Action("Nieuw wachtwoord instellen", link),
        closing=[
            "Heb je dit niet zelf gevraagd? Dan kun je deze mail negeren: je wachtwoord "
            "blijft hetzelfde."
        ],
        english=[
            f"A new password was requested for {username}. The button above works once, "
            f"until {until} (Amsterdam time). If you did not ask for this, ignore this mail."
        ],
    )


def username_mail(*, usernames: Sequence[str], login_link: str) -> MailContent:
    names = ", ".join(usernames)
    if len(usernames) == 1:
        found = f"Bij dit e-mailadres hoort de inlognaam: {names}"
    else:
        found = f"Bij dit e-mailadres horen de inlognamen: {names}"
    return MailContent(
        subject="Je inlognaam voor het OnzeCoach Portaal",
        greeting="Beste collega,",
        paragraphs=["Je hebt gevraagd om je inlognaam.", found],
        action=Action("Naar het portaal", login_link),
        closing=["Heb je dit niet zelf gevraagd? Dan kun je deze mail negeren."],
        english=[f"You asked for your username. This address belongs to: {names}"],
    )
