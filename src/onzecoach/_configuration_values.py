"""The forms a configuration's values take: whole seconds and ISO 8601 durations, profile
names, and the strict structuring of every value into its ``Settings`` field."""

from __future__ import annotations

import re
import tomllib
import typing
from collections.abc import Callable
from datetime import timedelta
from typing import Any, Final

import argon2
import cattrs
from argon2.profiles import CHEAPEST, RFC_9106_LOW_MEMORY
from cattrs.errors import (
    IterableValidationError,
    IterableValidationNote,
)
from cattrs.gen import make_dict_structure_fn

from onzecoach.catalogues import Theme, TrajectoryType
from onzecoach.passwords import OWASP_MINIMUM

__all__ = [
    "CONVERTER",
    "Invalid",
    "forms",
    "from_environment",
    "iso_duration",
    "password_hashing_profiles",
]


class Invalid(ValueError):
    """A value of the wrong form; the message says what was expected, not what was given."""


def password_hashing_profiles() -> dict[str, argon2.Parameters]:
    return {
        "rfc_9106_low_memory": RFC_9106_LOW_MEMORY,
        "owasp_minimum": OWASP_MINIMUM,
        "cheapest": CHEAPEST,
    }


_TRUE: Final = frozenset({"true", "1", "yes", "on"})
_FALSE: Final = frozenset({"false", "0", "no", "off"})


_DURATION_FORM: Final = (
    "a duration: whole seconds (such as 1800) or ISO 8601 days, hours, minutes and seconds "
    '(such as "PT30M", "PT1H30M" or "P7D")'
)
_TRAJECTORY_TYPE_FORM: Final = (
    "a table with code, name and sessions, and optionally is_extension "
    "([[trajectory_types]] in the file)"
)
_THEME_FORM: Final = "a table with code and name ([[themes]] in the file)"
#: What a value of each type looks like, for the docs and the errors: (in a few words,
#: what a message says is expected).
_FORMS: Final[dict[Any, tuple[str, str]]] = {
    str: ("text", "text"),
    str | None: ("text", "text"),
    int: ("whole number", "a whole number"),
    bool: ("true or false", "true or false"),
    timedelta: ("duration", _DURATION_FORM),
    tuple[str, ...]: (
        "list of text",
        "a list of text: an array of strings in the file, separated by commas in the environment",
    ),
    tuple[TrajectoryType, ...]: (
        "array of tables",
        "an array of tables ([[trajectory_types]] in the file, a TOML inline array "
        'such as [{code = "X", name = "Y", sessions = 4}] in the environment)',
    ),
    tuple[Theme, ...]: (
        "array of tables",
        "an array of tables ([[themes]] in the file, a TOML inline array "
        'such as [{code = "werkdruk", name = "Werkdruk"}] in the environment)',
    ),
    argon2.Parameters: (
        "profile name",
        'a profile name: "rfc_9106_low_memory" or "owasp_minimum"',
    ),
}


def forms(type_: Any) -> tuple[str, str]:
    return _FORMS[type_]


def _environment_whole_number(text: str) -> int:
    if not re.fullmatch(r"[+-]?[0-9]+", text.strip()):
        raise Invalid("must be a whole number")
    return int(text)


def _environment_true_or_false(text: str) -> bool:
    word = text.strip().lower()
    if word not in _TRUE | _FALSE:
        raise Invalid("must be true or false (or 1 or 0, yes or no, on or off)")
    return word in _TRUE


def _environment_duration(text: str) -> int | str:
    stripped = text.strip()
    return int(stripped) if stripped.isdigit() else stripped


def _environment_tables(type_: Any) -> Callable[[str], Any]:
    """Reads a TOML inline array of tables, as ``type_`` takes it."""

    def read(text: str) -> Any:
        try:
            return tomllib.loads(f"value = {text}")["value"]
        except tomllib.TOMLDecodeError:
            raise Invalid(f"must be {forms(type_)[1]}") from None

    return read


#: How a variable's text becomes the value a file would give, to be checked the same way.
_FROM_ENVIRONMENT: Final[dict[Any, Callable[[str], Any]]] = {
    int: _environment_whole_number,
    bool: _environment_true_or_false,
    timedelta: _environment_duration,
    tuple[str, ...]: lambda text: [item.strip() for item in text.split(",") if item.strip()],
    tuple[TrajectoryType, ...]: _environment_tables(tuple[TrajectoryType, ...]),
    tuple[Theme, ...]: _environment_tables(tuple[Theme, ...]),
    argon2.Parameters: str.strip,
}


def from_environment(type_: Any, text: str) -> Any:
    parse = _FROM_ENVIRONMENT.get(type_)
    return text if parse is None else parse(text)


_ISO_DURATION: Final = re.compile(
    r"P(?=.)(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?=.)(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?"
)


def _duration(value: Any, _: Any) -> timedelta:
    try:
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return timedelta(seconds=value)
        if isinstance(value, str):
            found = _ISO_DURATION.fullmatch(value)
            if found:
                parts = {unit: float(n) for unit, n in found.groupdict().items() if n}
                return timedelta(**parts)
            if value.startswith("P") and re.search(r"[YM]", value.split("T")[0]):
                raise Invalid(
                    "must not count years or months, whose length varies: write days, "
                    'such as "P30D"'
                )
    except OverflowError:
        raise Invalid("is too long a duration") from None
    raise Invalid(f"must be {_DURATION_FORM}")


def iso_duration(value: timedelta) -> str:
    """``value`` as ISO 8601, as the file may write it: ``P7D``, ``PT1H30M``."""
    hours, rest = divmod(value.seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    date_part = f"{value.days}D" if value.days else ""
    second_text = (
        f"{seconds}.{value.microseconds:06d}".rstrip("0") if value.microseconds else (str(seconds))
    )
    time_part = "".join(
        f"{amount}{unit}"
        for amount, unit in ((hours, "H"), (minutes, "M"), (second_text, "S"))
        if amount and amount != "0"
    )
    if not date_part and not time_part:
        return "PT0S"
    return f"P{date_part}" + (f"T{time_part}" if time_part else "")


# Structuring -------------------------------------------------------------------------------


def _text(value: Any, _: Any) -> str:
    if not isinstance(value, str):
        raise Invalid("must be text")
    return value


def _whole_number(value: Any, _: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise Invalid("must be a whole number")
    return value


def _true_or_false(value: Any, _: Any) -> bool:
    if not isinstance(value, bool):
        raise Invalid("must be true or false")
    return value


def _profile(value: Any, _: Any) -> argon2.Parameters:
    profiles = password_hashing_profiles()
    if not isinstance(value, str) or value not in profiles:
        raise Invalid(f"must be {forms(argon2.Parameters)[1]}")
    return profiles[value]


def _converter() -> cattrs.Converter:
    """cattrs, strict: no number from text, no list from a string, no unknown keys."""
    converter = cattrs.Converter(forbid_extra_keys=True)
    converter.register_structure_hook(str, _text)
    converter.register_structure_hook(int, _whole_number)
    converter.register_structure_hook(bool, _true_or_false)
    converter.register_structure_hook(timedelta, _duration)
    converter.register_structure_hook(argon2.Parameters, _profile)
    trajectory_type = make_dict_structure_fn(
        TrajectoryType, converter, _cattrs_forbid_extra_keys=True
    )

    def structure_trajectory_type(value: Any, _: Any) -> TrajectoryType:
        if not isinstance(value, dict):
            raise Invalid(f"must be {_TRAJECTORY_TYPE_FORM}")
        return trajectory_type(value, TrajectoryType)

    converter.register_structure_hook(TrajectoryType, structure_trajectory_type)
    theme = make_dict_structure_fn(Theme, converter, _cattrs_forbid_extra_keys=True)

    def structure_theme(value: Any, _: Any) -> Theme:
        if not isinstance(value, dict):
            raise Invalid(f"must be {_THEME_FORM}")
        return theme(value, Theme)

    converter.register_structure_hook(Theme, structure_theme)

    def structure_tuple(value: Any, type_: Any) -> tuple[Any, ...]:
        # Not cattrs' own: that would take a string as a list of its characters.
        if not isinstance(value, list | tuple):
            raise Invalid(f"must be {forms(type_)[1]}")
        (item_type, _) = typing.get_args(type_)
        items: list[Any] = []
        errors: list[Exception] = []
        for index, item in enumerate(value):
            try:
                items.append(converter.structure(item, item_type))
            except Exception as exc:  # gathered, and raised together below
                exc.add_note(
                    IterableValidationNote(f"Structuring item @ index {index}", index, item_type)
                )
                errors.append(exc)
        if errors:
            raise IterableValidationError("invalid items", errors, type_)
        return tuple(items)

    is_tuple: Callable[[Any], bool] = lambda type_: typing.get_origin(type_) is tuple  # noqa: E731
    converter.register_structure_hook_func(is_tuple, structure_tuple)
    return converter


CONVERTER: Final = _converter()
