"""The Dutch text of every error, in one catalogue.

Every error carries a stable ``code`` (``employee.not_found``); programs branch on the code,
people read the text this catalogue gives it. An embedder that shows another language
keeps its own catalogue under the same codes. ``docs/errors.md`` lists every code with its
meaning and HTTP status, and a test keeps the two the same.

Texts may name parameters (``{sessions}``), which the raising code passes; they never
carry a secret.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

__all__ = ["ERRORS", "error_text"]

ERRORS: Final[Mapping[str, str]] = {
    # Bad input --------------------------------------------------------------------------
    "validation.invalid": "Niet alle gegevens zijn goed ingevuld.",
    "password.policy": "Het wachtwoord voldoet niet aan de regels.",
    "search.query_too_short": "Typ minstens 3 letters van een naam.",
    # Links, challenges and sessions -------------------------------------------------------
    "link.invalid": "Deze link is ongeldig, al gebruikt of verlopen.",
    "login.challenge_expired": "Deze inlogpoging is verlopen. Log opnieuw in.",
    "login.challenge_used": "Deze inlogpoging is al gebruikt of verlopen.",
    "session.expired": "Je sessie is verlopen of beëindigd. Log opnieuw in.",
    "session.required": "Log opnieuw in.",
    # Verification -----------------------------------------------------------------------
    "login.mismatch": "Inlognaam of wachtwoord klopt niet.",
    "password.mismatch": "Het wachtwoord klopt niet.",
    "code.mismatch": "De code klopt niet.",
    "totp.mismatch": "De code klopt niet. Kijk of de tijd op je telefoon klopt.",
    "totp.replayed": "Deze code is al gebruikt. Wacht op de volgende code in je app.",
    "sms.not_requested": "Vraag eerst een nieuwe sms-code aan.",
    "sms.expired": "De sms-code is verlopen. Vraag een nieuwe aan.",
    "sms.too_many_tries": "Te vaak een verkeerde code. Vraag een nieuwe sms-code aan.",
    "sms.used": "Deze sms-code is al gebruikt.",
    "backup_code.used": "Deze back-up code is al gebruikt.",
    "yubikey.malformed": "Dit is geen geldige YubiKey-code.",
    "yubikey.replayed": "Deze YubiKey-code is al gebruikt.",
    "yubikey.wrong_key": "Deze YubiKey hoort niet bij je account.",
    # Throttling -------------------------------------------------------------------------
    "login.throttled": "Te veel mislukte pogingen. Probeer het opnieuw na {at}.",
    "password.throttled": "Te veel pogingen. Probeer het later opnieuw.",
    "invitation.throttled": (
        "Er zijn net al uitnodigingen naar dit adres gestuurd. Probeer het later opnieuw."
    ),
    "sms.resend_wait": "Er is net een code verstuurd. Wacht even met opnieuw versturen.",
    # Second factors ---------------------------------------------------------------------
    "mfa.not_set_up": "Stel eerst je tweede stap in: sms, YubiKey of authenticatie-app.",
    "mfa.confirm_first": "Stel eerst minimaal één methode in: sms, YubiKey of authenticatie-app.",
    "mfa.app_not_begun": "Begin eerst met het instellen van de app.",
    # Access -----------------------------------------------------------------------------
    "access.service_desk_only": "Alleen het servicebureau mag dit doen.",
    "access.denied": "Je hebt geen toegang tot deze handeling.",
    # Not found (or not the actor's to see) ----------------------------------------------
    "employer.not_found": "Werkgever niet gevonden.",
    "department.not_found": "Afdeling niet gevonden.",
    "user.not_found": "Gebruiker niet gevonden.",
    "factor.not_found": "Deze methode bestaat niet.",
    "sms_code.not_found": "Deze code bestaat niet.",
    "employee.not_found": "Werknemer niet gevonden.",
    "trajectory.not_found": "Traject niet gevonden.",
    "appointment.not_found": "Afspraak niet gevonden.",
    "task.not_found": "Taak niet gevonden.",
    "outbox.message_not_found": "Onbekend bericht in de wachtrij.",
    "outbox.dead_message_not_found": "Er is geen mislukt bericht met dit kenmerk.",
    # Conflicts --------------------------------------------------------------------------
    "employer.name_taken": "Er bestaat al een werkgever met de naam {name!r}.",
    "department.name_taken": "Deze werkgever heeft al een afdeling {name!r}.",
    "user.username_taken": "De inlognaam {username!r} is al in gebruik.",
    "user.not_invited": "Deze gebruiker heeft zich al geregistreerd of is uitgeschakeld.",
    "factor.last": "Je laatste methode kun je niet verwijderen; voeg eerst een andere toe.",
    "yubikey.bound": "Deze YubiKey is al aan een account gekoppeld.",
    "employee.exists": "Deze werknemer bestaat al.",
    "employee.number_taken": "Personeelsnummer {number!r} is al in gebruik bij deze werkgever.",
    "employee.numbers_taken": "Een van deze personeelsnummers is al in gebruik bij deze werkgever.",
    "employee.has_trajectories": "Een werknemer met coachtrajecten kan niet worden verwijderd.",
    "trajectory.exists": "Dit traject bestaat al.",
    "trajectory.number_taken": "Dit trajectnummer bestaat al voor deze werknemer.",
    "trajectory.already_open": "Deze werknemer heeft al een lopend traject.",
    "trajectory.closed": "Dit traject is afgesloten.",
    "trajectory.already_closed": "Dit traject is al afgesloten.",
    "trajectory.booking_link_taken": "Deze boekingslink bestaat al.",
    "appointment.exists": "Deze afspraak bestaat al.",
    "appointment.other_trajectory": "Deze afspraak hoort bij een ander traject.",
    "task.exists": "Deze taak bestaat al.",
    "task.done": "Deze taak is al afgehandeld.",
    "extension.not_configured": "Er is geen verlenging van {sessions} gesprek(ken) ingesteld.",
    "token.exists": "Dit token bestaat al.",
    "session.exists": "Deze sessie bestaat al.",
    "login.challenge_exists": "Deze inlogpoging bestaat al.",
    "sms_code.exists": "Deze code bestaat al.",
    "outbox.message_exists": "Dit bericht staat al in de wachtrij.",
    # Quota ------------------------------------------------------------------------------
    "trajectory.quota_exceeded": (
        "Dit traject heeft {sessions} gesprekken; die zijn al gepland of gehouden."
    ),
    # Sealed data ------------------------------------------------------------------------
    "crypto.decryption_failed": "Versleutelde gegevens zijn niet te openen.",
    # The outside world ------------------------------------------------------------------
    "storage.failed": "De database gaf een fout. Probeer het later opnieuw.",
    "storage.misconfigured": "De database is niet goed ingesteld.",
    "mail.delivery_failed": "De mail kon niet worden verstuurd.",
    "sms.delivery_failed": "De sms kon niet worden verstuurd.",
    "yubikey.service_failed": (
        "De YubiKey kon nu niet worden gecontroleerd. Probeer het later opnieuw."
    ),
}


class _Given(dict[str, object]):
    """Parameters for a template; one not given stays visible as ``{name}``."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def error_text(code: str, **params: object) -> str:
    """The Dutch text of ``code`` with its parameters filled in; ``KeyError`` for no such code."""
    return ERRORS[code].format_map(_Given(params))
