"""Addresses of the employee form: country, postcode and house number, from tidied text."""

from __future__ import annotations

import re
import types
from collections.abc import Mapping
from typing import Final

import phonenumbers

from onzecoach.errors import FieldError

__all__ = ["country_code", "house_number", "postcode"]

#: Country names that exports and the dossier write out ("Nederland") instead of the code.
_COUNTRY_NAMES: Final[Mapping[str, str]] = types.MappingProxyType(
    {"nederland": "NL", "belgië": "BE", "belgie": "BE", "duitsland": "DE"}
)
#: ISO 3166-1 codes without telephone numbers, so missing from phonenumbers' regions.
_COUNTRIES_WITHOUT_PHONES: Final = frozenset({"AQ", "BV", "GS", "HM", "PN", "TF", "UM"})
_COUNTRIES: Final = frozenset(phonenumbers.SUPPORTED_REGIONS) | _COUNTRIES_WITHOUT_PHONES

_DUTCH_POSTCODE: Final = re.compile(r"([1-9][0-9]{3})([A-Z]{2})")
#: Letter pairs that PostNL never gives out.
_REFUSED_POSTCODE_LETTERS: Final = frozenset({"SA", "SD", "SS"})
_FOREIGN_POSTCODE: Final = re.compile(r"[A-Z0-9]+(?:[ -][A-Z0-9]+)*")
_HOUSE_NUMBER: Final = re.compile(r"[1-9][0-9]*[A-Za-z0-9]*(?:[ /-][A-Za-z0-9]+)*")
_HOUSE_NUMBER_SEPARATOR: Final = re.compile(r" ?([/-]) ?")


def country_code(field: str, text: str) -> str | FieldError:
    """The ISO 3166-1 alpha-2 code ``text`` names, in capitals: a code, or a name written out."""
    code = _COUNTRY_NAMES.get(text.casefold(), text.upper())
    if code not in _COUNTRIES:
        return FieldError.of(field, "invalid", key="country.invalid")
    return code


def postcode(field: str, text: str, country: str | None) -> str | FieldError:
    """A Dutch postcode as "1234 AB"; one abroad in capitals, as typed otherwise."""
    text = text.upper()
    if country == "NL":
        match = _DUTCH_POSTCODE.fullmatch(text.replace(" ", ""))
        if match is None:
            return FieldError.of(field, "invalid", key="postcode.invalid")
        digits, letters = match.groups()
        if letters in _REFUSED_POSTCODE_LETTERS:
            return FieldError.of(field, "invalid", key="postcode.invalid.letters")
        return f"{digits} {letters}"
    if _FOREIGN_POSTCODE.fullmatch(text) is None:
        return FieldError.of(field, "invalid", key="postcode.invalid.abroad")
    return text


def house_number(field: str, text: str) -> str | FieldError:
    """Digits first, then an addition as typed: "12", "12a", "12-3", "12 bis"."""
    text = _HOUSE_NUMBER_SEPARATOR.sub(r"\1", text)
    if _HOUSE_NUMBER.fullmatch(text) is None:
        return FieldError.of(field, "invalid", key="house_number.invalid")
    return text
