"""An appointment as the booking side reports it, checked field by field."""

from __future__ import annotations

import enum
import unicodedata
from collections.abc import Iterable
from datetime import datetime
from typing import TypeVar

from onzecoach.catalogues import Theme, find_theme
from onzecoach.errors import FieldError, ValidationError
from onzecoach.trajectories._model import Appointment, AppointmentMode, AppointmentStatus

__all__ = ["checked_appointment", "same_report"]

_MAX_TEXT = 100
_MAX_KEY = 64

E = TypeVar("E", bound=enum.Enum)


def checked_appointment(
    *,
    external_id: object,
    starts_at: object,
    status: object,
    mode: object,
    theme: object,
    coach: object,
    themes: Iterable[Theme],
) -> Appointment:
    """The reported appointment, checked; ids and times of record are filled in later.

    ``theme`` is one of ``themes`` (by code or name) and comes back as its code.
    """
    problems: list[FieldError] = []
    key = external_id.strip() if isinstance(external_id, str) else ""
    if not key or len(key) > _MAX_KEY or not _printable(key):
        problems.append(FieldError.of("external_id", "invalid", max_length=_MAX_KEY))
    moment = starts_at if isinstance(starts_at, datetime) else None
    if moment is None or moment.utcoffset() is None:
        problems.append(FieldError.of("starts_at", "invalid"))
    status_value = _enum(AppointmentStatus, status)
    if status_value is None:
        problems.append(FieldError.of("status", "invalid", key="status.invalid.appointment"))
    mode_value = _enum(AppointmentMode, mode)
    if mode_value is None:
        problems.append(FieldError.of("mode", "invalid"))
    # No theme, or a blank one (as a form sends it), is no theme.
    blank = theme is None or (isinstance(theme, str) and not theme.strip())
    chosen = None if blank else find_theme(themes, theme)
    if not blank and chosen is None:
        problems.append(FieldError.of("theme", "unknown"))
    texts: dict[str, str | None] = {}
    for name, value in (("coach", coach),):
        if value is not None and (not isinstance(value, str) or len(value) > _MAX_TEXT):
            problems.append(
                FieldError.of(
                    name, "invalid", key="free_text.invalid.too_long", max_length=_MAX_TEXT
                )
            )
        elif isinstance(value, str) and not _printable(value):
            problems.append(
                FieldError.of(name, "invalid", key="free_text.invalid.control_characters")
            )
        texts[name] = " ".join(value.split()) or None if isinstance(value, str) else None
    if problems or moment is None or status_value is None or mode_value is None:
        raise ValidationError(problems)
    return Appointment(
        id="",
        trajectory_id="",
        employer_id="",
        employee_id="",
        external_id=key,
        starts_at=moment,
        created_at=moment,
        updated_at=moment,
        status=status_value,
        mode=mode_value,
        theme=None if chosen is None else chosen.code,
        coach=texts["coach"],
    )


def same_report(existing: Appointment, reported: Appointment) -> bool:
    """Whether a report says nothing new about an appointment recorded before."""
    fields = ("starts_at", "status", "mode", "theme", "coach")
    return all(getattr(existing, name) == getattr(reported, name) for name in fields)


def _printable(text: str) -> bool:
    """No control, format or unassigned characters, and no lone surrogates; spaces pass."""
    return not any(
        unicodedata.category(char).startswith("C") and not char.isspace() for char in text
    )


def _enum(kind: type[E], value: object) -> E | None:
    try:
        return kind(value)
    except (ValueError, TypeError):
        return None
