"""Telephone numbers of the employee form, read into E.164.

An import reads a number on nearly every row, so a Dutch number written plainly is not
parsed by ``phonenumbers`` but checked against its metadata directly (``dutch_number``,
``is_valid_national_number``); every other number is left to ``parse_phone``.
"""

from __future__ import annotations

import functools
import re
from typing import Final

import phonenumbers
from phonenumbers import NumberParseException, PhoneMetadata, PhoneNumberDesc, PhoneNumberFormat

from onzecoach.errors import FieldError

__all__ = ["dutch_number", "is_valid_national_number", "number_rules", "parse_phone"]

#: The lengths and pattern of one kind of national telephone number.
_NumberRule = tuple[frozenset[int], re.Pattern[str]]
#: A region's rule for any national number (``None`` if it has none), then one per type.
_NumberRules = tuple[_NumberRule | None, tuple[_NumberRule, ...]]

#: An optional plus, then digits in groups split by one space or hyphen.
_PLAIN_PHONE: Final = re.compile(r"(\+?)([0-9]+(?:[ -][0-9]+)*)")


def dutch_number(text: str) -> str | None:
    """The nine digits after the trunk zero of a Dutch number written plainly, or ``None``.

    Plainly is digits in groups split by one space or hyphen, after a trunk zero, after
    "+31" or after "0031": what ``phonenumbers.parse`` reads as country code 31 and those
    nine digits. Anything else is left to it.
    """
    match = _PLAIN_PHONE.fullmatch(text)
    if match is None:
        return None
    digits = match[2].replace(" ", "").replace("-", "")
    if match[1]:
        national = digits[2:] if digits[:2] == "31" else ""
    elif digits[:4] == "0031":
        national = digits[4:]
    else:
        national = digits[1:] if digits[:1] == "0" else ""
    if len(national) != 9 or national[0] == "0":
        return None
    return national


def _number_rule(desc: PhoneNumberDesc | None) -> _NumberRule | None:
    """The lengths and pattern of one kind of national number, ``None`` for none."""
    if desc is None or not desc.national_number_pattern:
        return None
    return frozenset(desc.possible_length), re.compile(desc.national_number_pattern)


@functools.cache
def number_rules(region: str) -> _NumberRules:
    """``region``'s rule for any national number, and its rules per type of number.

    A number is valid when it keeps the first and one of the others: the test of
    ``phonenumbers.is_valid_number`` for a number of that region's country code.
    """
    metadata = PhoneMetadata.metadata_for_region(region)
    if metadata is None:
        raise ValueError(f"no telephone metadata for {region}")
    # The commonest kinds first: the order of the others does not change the answer.
    kinds = [metadata.fixed_line]
    if not metadata.same_mobile_and_fixed_line_pattern:
        kinds.append(metadata.mobile)
    kinds += [
        metadata.premium_rate,
        metadata.toll_free,
        metadata.shared_cost,
        metadata.voip,
        metadata.personal_number,
        metadata.pager,
        metadata.uan,
        metadata.voicemail,
    ]
    rules = tuple(rule for kind in kinds if (rule := _number_rule(kind)) is not None)
    return _number_rule(metadata.general_desc), rules


def _keeps(rule: _NumberRule, national: str) -> bool:
    lengths, pattern = rule
    return (not lengths or len(national) in lengths) and pattern.fullmatch(national) is not None


def is_valid_national_number(national: str, rules: _NumberRules) -> bool:
    """Whether the national significant number ``national`` keeps the ``rules``."""
    general, kinds = rules
    return (
        general is not None
        and _keeps(general, national)
        and any(_keeps(rule, national) for rule in kinds)
    )


def parse_phone(text: str, country: str) -> str | FieldError:
    """A tidied telephone number in E.164, by ``phonenumbers`` itself."""
    try:
        number = phonenumbers.parse(text, country)
    except NumberParseException:
        return FieldError.of("phone", "invalid")
    if not phonenumbers.is_valid_number(number):
        return FieldError.of("phone", "invalid")
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)
