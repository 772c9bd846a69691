"""The coach's profile and availability as forms: read by the coach's own pages and by the
service desk's coach pages alike. The SDK checks every value and names the bad fields."""

from __future__ import annotations

import re
from typing import Any

from flask import request

from flask_portal.app import field, portal
from onzecoach.catalogues import LANGUAGES
from onzecoach.coaches import DEFAULT_SPECIALISMS, WEEKDAYS, Availability, Profile

#: The weekdays as the availability form shows them, in the order of ``WEEKDAYS``.
WEEKDAY_LABELS = ("Maandag", "Dinsdag", "Woensdag", "Donderdag", "Vrijdag", "Zaterdag", "Zondag")
MODE_LABELS = {"live": "Live, op een locatie", "online": "Online, via video"}
AVAILABILITY_NUMBERS = (
    ("session_minutes", "Lengte van een gesprek (minuten)"),
    ("buffer_minutes", "Pauze tussen gesprekken (minuten)"),
    ("notice_minutes", "Minimale tijd vooraf voor een nieuwe afspraak (minuten)"),
    ("horizon_days", "Hoe ver vooruit te boeken (dagen)"),
    ("max_per_day", "Hoogstens zoveel gesprekken per dag (leeg: geen maximum)"),
)
_POSTCODE = re.compile(r"\b([0-9]{4}\s?[A-Za-z]{0,2})\b")
_SPLIT = re.compile(r"[,;\s]+")
LIMIT = 2000


def choices() -> dict[str, Any]:
    """What the forms offer: languages, specialisms, modes, weekdays, numbers."""
    names = {theme.code: theme.name for theme in portal().settings.themes}
    return {
        "language_choices": list(LANGUAGES.items()),
        "specialism_choices": [(code, names.get(code, code)) for code in DEFAULT_SPECIALISMS],
        "mode_choices": list(MODE_LABELS.items()),
        "weekdays": list(zip(WEEKDAYS, WEEKDAY_LABELS, strict=True)),
        "numbers": AVAILABILITY_NUMBERS,
    }


# The profile ----------------------------------------------------------------------------------


def profile_values(profile: Profile) -> dict[str, Any]:
    """The form's values of a stored profile."""
    return {
        "name": profile.name,
        "bio": profile.bio,
        "languages": list(profile.languages),
        "specialisms": list(profile.specialisms),
        "modes": [mode.value for mode in profile.modes],
        "locations": "\n".join(f"{place.postcode} {place.city}" for place in profile.locations),
        "video_url": profile.video_url or "",
        "active": profile.active,
        "employer_ids": list(profile.employer_ids),
    }


def profile_form(*, desk: bool) -> tuple[dict[str, Any], dict[str, object]]:
    """The values the form sent (to show again) and the fields for the SDK."""
    values: dict[str, Any] = {
        "name": field("name", limit=300),
        "bio": field("bio", limit=LIMIT),
        "languages": _listed("languages"),
        "specialisms": _listed("specialisms"),
        "modes": _listed("modes"),
        "locations": field("locations", limit=LIMIT),
        "video_url": field("video_url", limit=600),
    }
    data: dict[str, object] = {
        **values,
        "locations": [_location(line) for line in values["locations"].splitlines() if line.strip()],
        "video_url": values["video_url"].strip() or None,
    }
    if desk:
        values["active"] = field("active", limit=5) == "1"
        values["employer_ids"] = _listed("employer_ids")
        data["active"] = values["active"]
        data["employer_ids"] = values["employer_ids"]
    return values, data


def _listed(name: str) -> list[str]:
    return [value[:100] for value in request.form.getlist(name)[:50] if isinstance(value, str)]


def _location(line: str) -> dict[str, str]:
    """``3511 Utrecht`` or ``Utrecht, 3511 AB``; a line without a postcode the SDK names."""
    found = _POSTCODE.search(line)
    if found is None:
        return {"city": line.strip(), "postcode": ""}
    city = (line[: found.start()] + " " + line[found.end() :]).strip(" ,;\t")
    return {"city": city, "postcode": found.group(1)}


# The availability ----------------------------------------------------------------------------


def availability_values(availability: Availability) -> dict[str, str]:
    data = availability.to_data()
    values = {
        f"weekly-{day}": ", ".join(f"{start}-{end}" for start, end in data["weekly"][day])
        for day in WEEKDAYS
    }
    values["days_off"] = ", ".join(data["days_off"])
    values["extra"] = "\n".join(
        f"{day} " + ", ".join(f"{start}-{end}" for start, end in windows)
        for day, windows in data["extra"].items()
    )
    for name, _ in AVAILABILITY_NUMBERS:
        number = data[name]
        values[name] = "" if number is None else str(number)
    return values


def availability_form() -> tuple[dict[str, str], dict[str, object]]:
    """The values the form sent and the data ``set_availability`` takes."""
    values = {f"weekly-{day}": field(f"weekly-{day}", limit=LIMIT) for day in WEEKDAYS}
    values["days_off"] = field("days_off", limit=LIMIT * 5)
    values["extra"] = field("extra", limit=LIMIT * 5)
    for name, _ in AVAILABILITY_NUMBERS:
        values[name] = field(name, limit=20).strip()
    extra: dict[str, object] = {}
    for line in values["extra"].splitlines():
        day, _, windows = line.strip().partition(" ")
        if day:
            extra[day] = _windows(windows)
    data: dict[str, object] = {
        "weekly": {day: _windows(values[f"weekly-{day}"]) for day in WEEKDAYS},
        "days_off": [day for day in _SPLIT.split(values["days_off"]) if day],
        "extra": extra,
        # An empty number is its default (for the maximum per day: none).
        **{name: values[name] for name, _ in AVAILABILITY_NUMBERS if values[name]},
    }
    return values, data


def _windows(text: str) -> list[str]:
    """``09:00-12:00, 13:00-17:00`` as the SDK's window texts (it names a bad one)."""
    return [part.replace(" ", "") for part in re.split(r"[,;]", text) if part.strip()]


def availability_errors(errors: dict[str, str]) -> dict[str, str]:
    """The SDK's field names as the form's: ``weekly.monday`` is ``weekly-monday``."""
    named: dict[str, str] = {}
    for name, text in errors.items():
        if name.startswith("weekly."):
            key = name.replace(".", "-", 1)
        elif name.startswith("extra"):
            key = "extra"
        elif name.startswith("days_off"):
            key = "days_off"
        elif name in dict(AVAILABILITY_NUMBERS):
            key = name
        else:
            key = "weekly-monday"
        named.setdefault(key, text)
    return named


def profile_errors(errors: dict[str, str], values: dict[str, Any]) -> dict[str, str]:
    """The SDK's errors by the form's fields; one the form has no field for goes on name."""
    return {(name if name in values else "name"): text for name, text in errors.items()}
