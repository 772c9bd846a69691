"""The Dutch text of every error, in one catalogue.

Every error carries a stable ``code`` (``employee.not_found``); programs branch on the code,
people read the text this catalogue gives it. An embedder that shows another language
keeps its own catalogue under the same codes. ``docs/errors.md`` lists every code with its
meaning and HTTP status, and a test keeps the two the same.

``FIELDS`` holds the texts of the fields inside a ``ValidationError`` (each a ``FieldError``
with a ``field`` and a ``code``), of the import's row errors and warnings, and of the
password rules, keyed ``"<subject>.<code>"`` or ``"<subject>.<code>.<variant>"``:

- the subject is the field (``"username.required"``), or a group whose fields share one
  text, which then names the field by its ``{label}`` (``"form.invalid"`` for the
  employee form, ``"email.invalid"`` wherever an address is checked);
- a variant tells apart texts for one field and code that differ by case or context
  (``"form.too_long.plural"``, ``"status.invalid.appointment"``).

A key's second part is always the ``FieldError``'s code, so ``docs/errors.md`` lists the
field codes and a test keeps them, the catalogue and the source the same set.

Texts may name parameters (``{sessions}``), which the raising code passes (never ``{key}``:
``FieldError.of`` takes that itself); they never carry a secret.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

__all__ = ["ERASED_EMPLOYEE", "ERRORS", "FIELDS", "error_text", "field_text"]

#: The label of an erased employee, wherever a list or a statistic names one.
ERASED_EMPLOYEE: Final = "Verwijderde werknemer"

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
    "webauthn.malformed": (
        "Het antwoord van je beveiligingssleutel is onleesbaar. Probeer het opnieuw."
    ),
    "webauthn.mismatch": "Je beveiligingssleutel is niet herkend. Probeer het opnieuw.",
    "webauthn.challenge_used": "Deze poging is al gebruikt. Probeer het opnieuw.",
    "webauthn.challenge_expired": "Dat duurde te lang. Probeer het opnieuw.",
    "webauthn.wrong_key": "Deze beveiligingssleutel hoort niet bij je account.",
    "webauthn.user_not_verified": (
        "Inloggen met alleen een passkey vraagt ook je vingerafdruk, gezicht of pincode. "
        "Gebruik een sleutel die daarom vraagt, of log in met je inlognaam en wachtwoord."
    ),
    "webauthn.passkey_not_allowed": (
        "Inloggen met alleen een passkey is voor jouw account niet aangezet. "
        "Log in met je inlognaam en wachtwoord; daarna kun je je sleutel gebruiken."
    ),
    "webauthn.counter_backwards": (
        "Deze beveiligingssleutel is geweigerd: mogelijk is hij gekopieerd. "
        "Neem contact op met de servicedesk."
    ),
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
    "access.not_found": "Niet gevonden.",
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
    "coach.not_found": "Coach niet gevonden.",
    # Conflicts --------------------------------------------------------------------------
    "employer.name_taken": "Er bestaat al een werkgever met de naam {name!r}.",
    "department.name_taken": "Deze werkgever heeft al een afdeling {name!r}.",
    "user.username_taken": "De inlognaam {username!r} is al in gebruik.",
    "user.not_invited": "Deze gebruiker heeft zich al geregistreerd of is uitgeschakeld.",
    "factor.last": "Je laatste methode kun je niet verwijderen; voeg eerst een andere toe.",
    "yubikey.bound": "Deze YubiKey is al aan een account gekoppeld.",
    "webauthn.registered": "Deze beveiligingssleutel is al gekoppeld.",
    "employee.exists": "Deze werknemer bestaat al.",
    "employee.number_taken": "Personeelsnummer {number!r} is al in gebruik bij deze werkgever.",
    "employee.numbers_taken": "Een van deze personeelsnummers is al in gebruik bij deze werkgever.",
    "employee.has_trajectories": "Een werknemer met coachtrajecten kan niet worden verwijderd.",
    "employee.erased": "Deze werknemer is inmiddels verwijderd.",
    "employee.changed": (
        "Deze werknemer is net door iemand anders gewijzigd. Importeer de regel opnieuw."
    ),
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
    "webauthn_challenge.exists": "Deze poging bestaat al.",
    "outbox.message_exists": "Dit bericht staat al in de wachtrij.",
    "coach.exists": "Deze coach bestaat al.",
    "coach.calendars_not_configured": (
        "Dit portaal kan geen agenda's koppelen: er is geen agendakoppeling ingesteld."
    ),
    # Quota ------------------------------------------------------------------------------
    "trajectory.quota_exceeded": (
        "Dit traject heeft {sessions} gesprekken; nog in te plannen: {left}."
    ),
    # The PlanningsAgenda and the coach's workspace ----------------------------------------
    "booking.slot_taken": (
        "Dit tijdstip is net door iemand anders gekozen. Kies een ander tijdstip."
    ),
    "booking.throttled": "Te veel verzoeken. Probeer het na {at} opnieuw.",
    "booking.too_late_to_move": (
        "Dit gesprek begint binnen {hours} uur en kan niet meer worden verzet."
    ),
    "booking.not_planned": "Dit gesprek is niet (meer) gepland.",
    "booking.not_begun": "Dit gesprek is nog niet begonnen; meld het na de start.",
    "booking.already_begun": (
        "Dit gesprek is al begonnen en kan niet meer worden afgezegd. Neem contact op met je coach."
    ),
    "appointment.portal_session": (
        "Dit gesprek is in de PlanningsAgenda geboekt en wordt daar bijgehouden."
    ),
    # Sealed data ------------------------------------------------------------------------
    "crypto.decryption_failed": "Versleutelde gegevens zijn niet te openen.",
    # The outside world ------------------------------------------------------------------
    "storage.failed": "De database gaf een fout. Probeer het later opnieuw.",
    "storage.misconfigured": "De database is niet goed ingesteld.",
    "mail.delivery_failed": "De mail kon niet worden verstuurd.",
    "sms.delivery_failed": "De sms kon niet worden verstuurd.",
    "calendar.unavailable": (
        "De agenda van de coach is nu niet bereikbaar. Probeer het later opnieuw."
    ),
    "calendar.refused": (
        "De agenda van de coach weigert de toegang. Controleer de agendalink, "
        "de gebruikersnaam en het (app-)wachtwoord."
    ),
    "calendar.rejected": "De agenda van de coach weigert deze afspraak.",
    "yubikey.service_failed": (
        "De YubiKey kon nu niet worden gecontroleerd. Probeer het later opnieuw."
    ),
}


FIELDS: Final[Mapping[str, str]] = {
    # The employee form (validate_employee); {label} is the field's label ----------------
    "form.unknown_field": "Dit veld bestaat niet op het formulier.",
    "form.invalid": "{label}: vul dit in als tekst.",
    "form.invalid_characters": "{label} bevat ongeldige tekens.",
    "form.invalid_characters.plural": "{label} bevatten ongeldige tekens.",
    "form.too_long": "{label} mag hoogstens {max_length} tekens lang zijn.",
    "form.too_long.plural": "{label} mogen hoogstens {max_length} tekens lang zijn.",
    "form.too_long.no_limit": "{label}: deze waarde is te lang.",
    "registration_type.required": "Kies een registratietype.",
    "registration_type.invalid": "Kies een registratietype: {options}.",
    "registration_type.unavailable": (
        "Er is geen registratietype ingesteld; neem contact op met het servicebureau."
    ),
    "employee_number.invalid_characters": (
        "Personeelsnummer mag alleen letters, cijfers en - _ / . bevatten, zonder spaties."
    ),
    "person_name.invalid_characters": (
        "{label} mag alleen letters, spaties, koppeltekens, apostroffen en punten bevatten."
    ),
    "person_name.invalid": "{label} moet ten minste één letter bevatten.",
    "last_name.required": "Vul de achternaam in.",
    "given_name.required": "Vul de roepnaam in.",
    "name_infix.invalid_characters": (
        "Tussenvoegsels mogen alleen letters, spaties en apostroffen bevatten, "
        "zoals van der of in 't."
    ),
    "name_infix.invalid": "Tussenvoegsels moeten ten minste één letter bevatten.",
    "initials.required": "Vul de voorletters in.",
    "initials.invalid": "Vul de voorletters in als letters met punten, zoals J.P. of Th.",
    "initials.invalid_characters": (
        "Vul de voorletters in als letters met punten, zoals J.P. of Th."
    ),
    "initials.too_long": "Vul hoogstens {max_initials} voorletters in.",
    "gender.required": "Kies een geslacht.",
    "gender.invalid": "Kies bij geslacht vrouw, man of anders.",
    "birth_date.required": "Vul de geboortedatum in.",
    "birth_date.invalid": "Vul de geboortedatum in als DD-MM-JJJJ, zoals 31-12-1980.",
    "birth_date.invalid.no_such_day": (
        "Deze geboortedatum bestaat niet; vul een datum in als DD-MM-JJJJ."
    ),
    "birth_date.implausible.too_early": "De geboortedatum kan niet vóór 01-01-1900 liggen.",
    "birth_date.implausible.future": "De geboortedatum kan niet in de toekomst liggen.",
    "birth_date.implausible.too_young": (
        "Een medewerker is minstens {minimum_age} jaar oud; controleer de geboortedatum."
    ),
    "country.invalid": "Vul een landcode van twee letters in, zoals NL of BE.",
    "postcode.invalid": "Vul een geldige postcode in, zoals 1234 AB.",
    "postcode.invalid.letters": (
        "Postcodes met de letters SA, SD of SS bestaan niet; vul een geldige postcode in, "
        "zoals 1234 AB."
    ),
    "postcode.invalid.abroad": (
        "Vul een geldige postcode in: letters, cijfers, spaties of streepjes, hoogstens 10 tekens."
    ),
    "house_number.invalid": (
        "Vul een huisnummer in dat met een cijfer begint, zoals 12, 12a, 12-3 of 12 bis."
    ),
    "phone.invalid": (
        "Vul een geldig telefoonnummer in, zoals 06 12345678, of met landcode: +31 6 12345678."
    ),
    # Employees: the calls around the form -----------------------------------------------
    "data.invalid": "Geef de gegevens als velden.",
    "changes.invalid": "Geef de wijzigingen als velden.",
    "department_id.unknown": "Kies een afdeling van deze werkgever.",
    # The import: its rows, its file, its warnings ---------------------------------------
    "batch_size.out_of_range": "Kies een batchgrootte van minstens 1.",
    "employee_number.required": (
        "Vul het personeelsnummer in: de import herkent een werknemer alleen daaraan."
    ),
    "employee_number.duplicate": (
        "Personeelsnummer {number!r} staat al in rij {first} van dit bestand."
    ),
    "department_id.unknown.import": "Afdeling {name!r} bestaat niet bij deze werkgever.",
    "import.encoding": (
        "{label} bevat tekens die geen UTF-8 zijn; "
        "sla het bestand op als CSV UTF-8 en importeer opnieuw."
    ),
    "import.too_many_cells": "Deze rij heeft meer cellen dan de kopregel kolommen.",
    "import.no_columns": "De kopregel bevat geen bekende kolommen.",
    "import.unreadable": "Dit bestand kan niet worden gelezen als CSV of Excel (.xlsx).",
    "import.unreadable.not_opened": "Het bestand kan niet worden geopend.",
    "import.empty": "Het bestand is leeg.",
    "import.unsupported": "Installeer onzecoach[xlsx] om .xlsx te lezen.",
    "import_warning.unknown_column": (
        "Kolom {position} ({header!r}) is onbekend en is overgeslagen."
    ),
    "import_warning.repeated_column": (
        "Kolom {position} ({header!r}) herhaalt {label} en is overgeslagen."
    ),
    "import_warning.not_utf8": (
        "Het bestand is niet helemaal UTF-8; de rijen met ongeldige tekens zijn niet geïmporteerd."
    ),
    # E-mail addresses, wherever one is asked for ----------------------------------------
    "email.required": "Vul een e-mailadres in.",
    "email.invalid": "Vul een geldig e-mailadres in, zoals naam@bedrijf.nl.",
    "email.too_long": "Een e-mailadres heeft hoogstens {max_length} tekens.",
    # Employers and departments ----------------------------------------------------------
    "name.invalid": "Vul een naam in als tekst.",
    "name.required": "Vul een naam in.",
    "name.too_long": "Een naam heeft hoogstens {max_length} tekens.",
    "name.invalid_characters": "De naam bevat ongeldige tekens.",
    # Accounts ---------------------------------------------------------------------------
    "username.invalid": "Vul een inlognaam in.",
    "username.required": "Vul een inlognaam in.",
    "username.required.reset": "Vul je inlognaam in.",
    "username.length": "Een inlognaam heeft {min_length} tot {max_length} tekens.",
    "username.invalid_characters": (
        "Een inlognaam bestaat uit letters, cijfers en . _ - @ +, zonder spaties."
    ),
    "role.invalid": "Kies een geldige rol.",
    "role.invalid.service_desk": "Het servicebureau hoort niet bij een werkgever.",
    # A new password: what it broke ------------------------------------------------------
    "password.invalid": "Vul een wachtwoord in als tekst.",
    "password.invalid.characters": "Het wachtwoord bevat ongeldige tekens.",
    "password.too_short": "Het wachtwoord moet minimaal {min_length} tekens lang zijn.",
    "password.too_long": "Het wachtwoord mag maximaal {max_length} tekens lang zijn.",
    "password.contains_username": "De inlognaam mag niet in het wachtwoord zitten.",
    "password.too_few_classes": (
        "Gebruik minimaal {min_classes} van de 4 groepen: kleine letters, "
        "hoofdletters, cijfers en speciale tekens."
    ),
    "password.common": "Dit wachtwoord is te bekend of komt voor in gelekte wachtwoordlijsten.",
    "password.reused": "Mag niet hetzelfde zijn als de laatste {history} gebruikte wachtwoorden.",
    "password.reused.one": "Mag niet hetzelfde zijn als het laatst gebruikte wachtwoord.",
    # ... and the rules, shown before it is typed (PasswordPolicy.rules) -----------------
    "password_rule.too_short": "Minimaal {min_length} karakters.",
    "password_rule.too_short.one": "Minimaal {min_length} karakter.",
    "password_rule.contains_username": "De inlognaam mag er niet in zitten.",
    "password_rule.reused": "Niet hetzelfde als de laatste {history} gebruikte wachtwoorden.",
    "password_rule.reused.one": "Niet hetzelfde als het laatst gebruikte wachtwoord.",
    "password_rule.too_few_classes": (
        "Minimaal {min_classes} van de 4: kleine letters, hoofdletters, cijfers, tekens."
    ),
    "password_rule.too_few_classes.all": "Alle 4: kleine letters, hoofdletters, cijfers, tekens.",
    "password_rule.common": "Geen bekend of makkelijk te raden wachtwoord.",
    # Second factors and login -----------------------------------------------------------
    "mobile.required": "Vul je mobiele nummer in.",
    "mobile.invalid": (
        "Dit is geen geldig telefoonnummer. Gebruik de landcode, bijvoorbeeld +31 6 12345678."
    ),
    "mobile.not_mobile": "Vul een mobiel nummer in: een vast nummer kan geen sms ontvangen.",
    "method.invalid": "Kies een geldige methode.",
    "method.unavailable": "Deze methode is voor dit account niet ingesteld.",
    "method.unavailable.sms": "Voor dit account is geen sms ingesteld.",
    "ip.invalid": "Geef het IP-adres als tekst.",
    # Trajectories, appointments and tasks -----------------------------------------------
    "type_code.unknown": "Kies een traject.",
    "type_code.extension_by_request": (
        "Een verlenging start je door een verzoek tot verlenging goed te keuren."
    ),
    "start_date.required": "Kies een startdatum.",
    "start_date.out_of_range": "Kies een startdatum binnen een jaar van vandaag.",
    "sessions.out_of_range": "Vraag 1 tot {max_sessions} gesprekken extra aan.",
    "note.invalid": "Een toelichting heeft hoogstens {max_length} tekens.",
    "note.too_long": "Een toelichting heeft hoogstens {max_length} tekens.",
    "external_id.invalid": "Een afspraak heeft een kenmerk van 1 tot {max_length} tekens.",
    "starts_at.invalid": "Geef het tijdstip met tijdzone.",
    "status.invalid.appointment": "Onbekende status van de afspraak.",
    "mode.invalid": "Kies live of online.",
    "theme.unknown": "Kies een thema uit de lijst.",
    # An employer's settings -------------------------------------------------------------
    "cancellation_notice.invalid": "Geef de annuleringstermijn als duur in hele minuten.",
    "cancellation_notice.out_of_range": (
        "Kies een annuleringstermijn van 0 minuten tot en met {max_days} dagen."
    ),
    "late_cancellations_count.invalid": "Kies of te laat annuleren meetelt: ja of nee.",
    "no_shows_count.invalid": "Kies of niet verschijnen meetelt: ja of nee.",
    "passkey_login.invalid": "Kies of inloggen met alleen een passkey mag: ja of nee.",
    "retention_months.invalid": "Geef de bewaartermijn als een heel aantal maanden.",
    "retention_months.out_of_range": (
        "Kies een bewaartermijn van 1 tot en met {max_months} maanden."
    ),
    "reset.invalid": "Kies welke instellingen terug moeten naar de standaard van het portaal.",
    "reset.invalid.both": (
        "Zet een instelling terug naar de standaard of geef haar een waarde, niet allebei."
    ),
    # A coach's availability (beschikbaarheid) -------------------------------------------
    "weekly.invalid": "Geef de vaste uren per dag van de week.",
    "windows.invalid": "Vul de tijden in als UU:MM, van 00:00 tot 24:00, zoals 09:00 tot 12:00.",
    "windows.before_start": "Een eindtijd moet na de begintijd liggen.",
    "windows.too_long": "Geef hoogstens {max_windows} tijdvakken per dag.",
    "days_off.invalid": "Vul de vrije dagen in als datums, zoals 2026-12-24.",
    "days_off.out_of_range": "Kies vrije dagen van {first} tot en met {last}.",
    "days_off.too_long": "Geef hoogstens {max_dates} vrije dagen.",
    "extra.invalid": "Geef extra uren per datum, zoals 2026-12-24.",
    "extra.out_of_range": "Kies datums voor extra uren van {first} tot en met {last}.",
    "extra.too_long": "Geef extra uren op hoogstens {max_dates} datums.",
    "session_minutes.out_of_range": (
        "Kies een gespreksduur van {minimum} tot en met {maximum} minuten."
    ),
    "buffer_minutes.out_of_range": (
        "Kies een pauze tussen gesprekken van 0 tot en met {maximum} minuten."
    ),
    "notice_minutes.out_of_range": (
        "Kies hoe lang van tevoren een gesprek geboekt moet worden: "
        "0 minuten tot en met {max_days} dagen."
    ),
    "horizon_days.out_of_range": (
        "Kies hoe ver vooruit een gesprek geboekt kan worden: 1 tot en met {maximum} dagen."
    ),
    "max_per_day.out_of_range": (
        "Kies een maximum van 1 tot en met {maximum} gesprekken per dag, of laat het leeg."
    ),
    # A coach's profile and calendar ---------------------------------------------------
    "bio.invalid": "Vul de introductie in als tekst, zonder stuurtekens.",
    "bio.too_long": "Een introductie heeft hoogstens {max_length} tekens.",
    "languages.invalid": "Kies de talen uit de lijst.",
    "languages.unknown": "Kies de talen uit de lijst.",
    "languages.required": "Kies minstens één taal.",
    "specialisms.invalid": "Kies de specialismen uit de lijst met thema's.",
    "specialisms.unknown": "Kies de specialismen uit de lijst met thema's.",
    "modes.invalid": "Kies live, online of allebei.",
    "modes.required": "Kies minstens één vorm: live of online.",
    "locations.invalid": "Geef elke locatie met een plaats en een postcode, zoals 3511 of 3511 AB.",
    "locations.too_long": "Geef hoogstens {max_locations} locaties.",
    "locations.required": "Geef minstens één locatie voor live gesprekken.",
    "video_url.invalid": "Vul een videolink in die met https:// begint.",
    "video_url.required": "Vul een videolink in voor online gesprekken.",
    "active.invalid": "Kies of de coach actief is.",
    "employer_ids.invalid": "Kies de werkgevers uit de lijst.",
    "employer_ids.unknown": "Kies de werkgevers uit de lijst.",
    "profile.not_allowed": "Alleen het servicebureau kan dit wijzigen.",
    "calendar_url.invalid": "Vul het adres van de agenda in, beginnend met https://.",
    "calendar_url.refused": (
        "De agenda weigert de verbinding. Controleer het adres, de gebruikersnaam en het "
        "wachtwoord (bij iCloud of Fastmail: een app-wachtwoord)."
    ),
    "calendar_username.invalid": "Vul de gebruikersnaam van de agenda in.",
    "calendar_password.invalid": "Vul het wachtwoord van de agenda in.",
    # The PlanningsAgenda and the coach's workspace -----------------------------------------
    "starts_at.in_past": "Kies een tijdstip in de toekomst.",
    "starts_at.not_offered": (
        "Deze coach biedt dit tijdstip niet aan. Kies een van de getoonde tijden."
    ),
    "mode.not_offered": "Deze coach biedt deze vorm van coaching niet aan.",
    "coach_id.invalid": "Deze coach is niet beschikbaar voor jouw traject.",
    "days.out_of_range": "Kies 1 tot {max_days} dagen.",
    "limit.out_of_range.slots": "Toon 1 tot {max_slots} tijden.",
    "language.invalid": "Kies een taal uit de lijst.",
    "specialism.invalid": "Kies een thema uit de lijst.",
    "status.invalid.report": "Kies gehouden of niet verschenen.",
    "note.invalid.session": (
        "Een notitie heeft hoogstens {max_length} tekens en geen onzichtbare stuurtekens."
    ),
    "start.invalid": "Kies een datum.",
    "employer_id.required": "Kies een werkgever.",
    # Free text: an appointment's theme and coach, the outbox's filters ------------------
    "free_text.invalid": "Ongeldige tekst.",
    "free_text.invalid.too_long": "Hoogstens {max_length} tekens.",
    "free_text.invalid.control_characters": "Gebruik geen stuurtekens.",
    # Search -----------------------------------------------------------------------------
    "text.too_short": "Typ minimaal {letters} letters van de voornaam of achternaam.",
    "limit.out_of_range.search": "Toon 1 tot {max_limit} resultaten.",
    "offset.out_of_range": "Begin bij 0 of verder.",
    # Statistics -------------------------------------------------------------------------
    "period.required": "Kies een datum.",
    "period.invalid": "Kies een datum.",
    "end.before_start": "De einddatum ligt voor de begindatum.",
    "end.too_long": "Kies hoogstens {max_months} maanden.",
    "page.invalid": "Kies een pagina vanaf 1.",
    "page_size.invalid": "Kies 1 tot {max_page_size} regels per pagina.",
    "sort.invalid": "Onbekende sortering.",
    "format.invalid": "Kies CSV of XLSX.",
    # The outbox -------------------------------------------------------------------------
    "limit.invalid": "Geef een aantal van 0 of meer.",
    "limit.out_of_range.outbox": "Toon 1 tot 1000 berichten.",
    "status.invalid.outbox": "Onbekende status.",
    # Erasure (portal.privacy) -------------------------------------------------------------
    "reason.invalid": "Geef de reden als tekst.",
    "reason.required": "Geef de reden van het verwijderen.",
    "reason.too_long": "Een reden heeft hoogstens {max_length} tekens.",
    "listed.invalid": "Dit is geen lijst van verwijderde werknemers.",
    "listed.version": "Deze lijst heeft een andere versie; deze versie leest versie {version}.",
    "listed.employer_mismatch": (
        "De lijst hoort bij een ander portaal: een werknemer staat er onder een andere "
        "werkgever in."
    ),
}


class _Given(dict[str, object]):
    """Parameters for a template; one not given stays visible as ``{name}``."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def error_text(code: str, **params: object) -> str:
    """The Dutch text of ``code`` with its parameters filled in; ``KeyError`` for no such code."""
    return ERRORS[code].format_map(_Given(params))


def field_text(key: str, /, **params: object) -> str:
    """The Dutch text of ``FIELDS[key]`` with its parameters filled in; ``KeyError`` for none."""
    return FIELDS[key].format_map(_Given(params))
