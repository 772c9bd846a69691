"""The Dutch words of the export and of the "Inzage" tab, in one catalogue.

``ACTION_LABELS`` names every audited action that can concern a person's dossier; an action
not listed reads as ``OTHER_ACTION``. ``READER_LABELS`` names the roles; HR reads as "HR,
<employer name>", the organisation it works for, never by a person's name.
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from typing import Final

from onzecoach.actors import Role

__all__ = [
    "ACTION_LABELS",
    "DECISION_LABELS",
    "HTML_LABELS",
    "LINK_LEFT_OUT",
    "MODE_LABELS",
    "OTHER_ACTION",
    "READER_LABELS",
    "SOMEONE_ELSE",
    "TASK_STATUS_LABELS",
    "UNKNOWN_READER",
    "UNREADABLE",
]

ACTION_LABELS: Final[Mapping[str, str]] = types.MappingProxyType(
    {
        "dossier.read": "Dossier ingezien",
        "employee.registered": "Werknemer geregistreerd",
        "employee.updated": "Gegevens gewijzigd",
        "employee.removed": "Werknemer verwijderd",
        "trajectory.started": "Coachtraject gestart",
        "trajectory.closed": "Coachtraject afgesloten",
        "trajectory.invitation_resent": "Uitnodiging opnieuw verstuurd",
        "trajectory.quota_exceeded": "Meer gesprekken dan het traject toestaat",
        "appointment.recorded": "Afspraak vastgelegd",
        "booking.booked": "Gesprek ingepland",
        "booking.moved": "Gesprek verzet",
        "booking.cancelled": "Gesprek geannuleerd",
        "session.reported": "Gesprek gerapporteerd",
        "task.created": "Taak aangemaakt",
        "task.done": "Taak afgehandeld",
        "privacy.exported": "Gegevens geëxporteerd",
        "privacy.erased": "Gegevens verwijderd (AVG)",
        "privacy.cancelled": "Gesprek geannuleerd bij verwijderen",
    }
)
#: An audited action the catalogue does not name yet.
OTHER_ACTION: Final = "Andere handeling"

READER_LABELS: Final[Mapping[Role, str]] = types.MappingProxyType(
    {
        Role.HR: "HR",
        Role.SERVICE_DESK: "Servicedesk",
        Role.COACH: "Coach",
        Role.INTEGRATION: "Koppeling",
    }
)
#: Whoever acted without signing in: the person through their own booking link, or a job.
UNKNOWN_READER: Final = "Zonder inlog (eigen link of systeem)"

#: What a link in a mail's text becomes: it may carry a one-time token.
LINK_LEFT_OUT: Final = "[link weggelaten]"
#: A message's recipient that is not the person (a coach's calendar), as the page shows it.
SOMEONE_ELSE: Final = "iemand anders dan de werknemer"
#: A sealed text that no configured key opens any more (a key rotated out since).
UNREADABLE: Final = "[tekst niet meer te openen]"

#: A session's mode, as the booking pages name it.
MODE_LABELS: Final[Mapping[str, str]] = types.MappingProxyType(
    {"live": "Live, op een locatie", "online": "Online, via video"}
)
#: A task's status and HR's decision on it.
TASK_STATUS_LABELS: Final[Mapping[str, str]] = types.MappingProxyType(
    {"open": "Open", "done": "Afgehandeld"}
)
DECISION_LABELS: Final[Mapping[str, str]] = types.MappingProxyType(
    {"approved": "Goedgekeurd", "declined": "Afgewezen"}
)

#: The readable page's headings and column names.
HTML_LABELS: Final[Mapping[str, str]] = types.MappingProxyType(
    {
        "title": "Persoonsgegevens van {name}",
        "intro": (
            "Dit overzicht bevat alle gegevens die het portaal over je bewaart, op {made_at}. "
            "Hetzelfde staat in het bestand {json_name} in dit archief, leesbaar voor een "
            "computer."
        ),
        "made_by": "Gemaakt door",
        "notes_included": "Met de notities en thema's van de coach",
        "notes_left_out": (
            "Zonder de notities en thema's van de coach (die krijg je op eigen verzoek)"
        ),
        "employee": "Je gegevens",
        "employer": "Werkgever",
        "department": "Afdeling",
        "registered_at": "Geregistreerd op",
        "trajectories": "Coachtrajecten",
        "appointments": "Afspraken",
        "tasks": "Taken",
        "messages": "Berichten aan of over jou",
        "access_log": "Wie je dossier inzag of wijzigde",
        "none": "Geen.",
        "number": "Nummer",
        "type": "Soort",
        "start_date": "Startdatum",
        "end_date": "Einddatum",
        "status": "Status",
        "starts_at": "Tijdstip",
        "coach": "Coach",
        "mode": "Vorm",
        "theme": "Thema",
        "location": "Locatie",
        "note": "Notitie van de coach",
        "kind": "Soort",
        "created_at": "Aangemaakt op",
        "sessions": "Gesprekken",
        "decision": "Besluit",
        "decision_note": "Toelichting",
        "subject": "Onderwerp",
        "recipient": "Aan",
        "sent_at": "Verstuurd op",
        "body": "Tekst",
        "at": "Wanneer",
        "reader": "Wie",
        "action": "Wat",
        "changes": "Details",
        "not_sent": "niet verstuurd",
    }
)
