"""The employee form of the manual (section 5), checked and tidied field by field.

``validate_employee`` takes what an HR contact typed (or an import read) and returns an
``EmployeeDetails`` in which every field has its one normalised form, or raises one
``ValidationError`` that names every bad field at once, each with a stable code and a Dutch
message in the form's own words.

Text is read as people type it: NFKC (full-width digits, ligatures and no-break spaces
become their plain forms), whitespace collapsed, control and format characters refused.
Dutch names keep their tussenvoegsels apart ("van den" in ``name_infix``, "Berg" in
``last_name``), as the form does and as lists sort them.

The form itself (fields, labels, limits, choices) is ``EMPLOYEE_FORM``; names, telephone
numbers and addresses are read by the modules beside this one.
"""

from __future__ import annotations

import re
import types
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Final, TypeVar

import attrs

from onzecoach.employees._address import country_code, house_number, postcode
from onzecoach.employees._form import (
    FIELD_LABELS,
    FIELDS,
    MAX_INITIALS,
    MAX_LENGTHS,
    Gender,
)
from onzecoach.employees._memo import RECURRING, Memo, remembered
from onzecoach.employees._names import NAME_INFIXES, display_name, split_infix
from onzecoach.employees._phones import (
    dutch_number,
    is_valid_national_number,
    number_rules,
    parse_phone,
)
from onzecoach.errors import FieldError, ValidationError
from onzecoach.validation import check_email

__all__ = [
    "EARLIEST_BIRTH_DATE",
    "FIELDS",
    "FIELD_LABELS",
    "MAX_INITIALS",
    "MAX_LENGTHS",
    "MINIMUM_AGE",
    "NAME_INFIXES",
    "EmployeeDetails",
    "Gender",
    "display_name",
    "validate_employee",
]

_T = TypeVar("_T")

# The parts of the telephone check, under the names the fast-path tests compare them by.
_dutch_number = dutch_number
_is_valid_national_number = is_valid_national_number
_number_rules = number_rules


@attrs.frozen
class EmployeeDetails:
    """An employee's form, every field validated and normalised: made by ``validate_employee``."""

    last_name: str
    given_name: str
    initials: str
    gender: Gender
    birth_date: date
    email: str
    registration_type: str
    employee_number: str | None = None
    name_infix: str | None = None
    phone: str | None = None
    street: str | None = None
    house_number: str | None = None
    postcode: str | None = None
    city: str | None = None
    country: str = "NL"
    department_id: str | None = None
    job_title: str | None = None
    cost_centre: str | None = None
    po_number: str | None = None


#: Labels that are plural in Dutch, and so take a plural verb in messages.
_PLURAL_LABELS: Final = frozenset({"name_infix", "initials"})

#: Past this many characters, before tidying, a value is only told that it is too long:
#: nobody types it, and tidying costs time in proportion to its length.
_EXAMINED_LENGTH: Final = 1000
#: The form's own placeholder for an unknown birth date is 01-01-1900, so it is allowed.
EARLIEST_BIRTH_DATE: Final = date(1900, 1, 1)
#: The youngest a person may be to work in the Netherlands (with restrictions).
MINIMUM_AGE: Final = 15

#: Control, format, surrogate, private-use and unassigned characters: never typed on
#: purpose, and invisible or dangerous where the value is shown again.
_REFUSED_CATEGORIES: Final = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})
#: Whitespace that arrives from pasted text; it is collapsed into one space, not refused.
_TYPED_WHITESPACE: Final = frozenset("\t\n\v\f\r")
_APOSTROPHES: Final = "'\u2019"
#: Names in plain ASCII, all of whose characters are name characters without looking each up.
_PLAIN_NAME: Final = re.compile(r"[A-Za-z .'-]*")

_GENDERS: Final[Mapping[str, Gender]] = types.MappingProxyType(
    {
        "female": Gender.FEMALE,
        "f": Gender.FEMALE,
        "vrouw": Gender.FEMALE,
        "vrouwelijk": Gender.FEMALE,
        "v": Gender.FEMALE,
        "male": Gender.MALE,
        "man": Gender.MALE,
        "mannelijk": Gender.MALE,
        "m": Gender.MALE,
        "other": Gender.OTHER,
        "anders": Gender.OTHER,
        "x": Gender.OTHER,
        "unknown": Gender.UNKNOWN,
    }
)
#: Words that mean the field was left open: "Onbekend" is the form's placeholder choice.
_GENDER_NOT_CHOSEN: Final = frozenset({"onbekend"})

_ISO_DATE: Final = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_DUTCH_DATE: Final = re.compile(r"([0-9]{1,2})([-/])([0-9]{1,2})\2([0-9]{4})")
_EMPLOYEE_NUMBER: Final = re.compile(r"[A-Za-z0-9._/-]+")

#: What a required field left empty hears; each says what to fill in or choose.
_REQUIRED: Final[Mapping[str, FieldError]] = types.MappingProxyType(
    {
        "registration_type": FieldError.of("registration_type", "required"),
        "last_name": FieldError.of("last_name", "required"),
        "given_name": FieldError.of("given_name", "required"),
        "initials": FieldError.of("initials", "required"),
        "gender": FieldError.of("gender", "required"),
        "birth_date": FieldError.of("birth_date", "required"),
    }
)


def validate_employee(
    data: Mapping[str, object], *, registration_types: Sequence[str], today: date
) -> EmployeeDetails:
    """The form's ``data`` checked and tidied, or a ``ValidationError`` naming every bad field.

    ``registration_types`` are the configured registratietypes: with exactly one, the
    field may be left open and gets that one. ``today`` is the date a birth date is
    measured against (no future date, at least ``MINIMUM_AGE`` years old).

    A missing key is an empty field. Nothing but ``ValidationError`` is raised.
    """
    return _validate(data, registration_types=registration_types, today=today, memo=None)


def _validate(
    data: Mapping[str, object],
    *,
    registration_types: Sequence[str],
    today: date,
    memo: Memo | None,
) -> EmployeeDetails:
    """``validate_employee``; with a ``memo`` kept from row to row of one import (with the
    same ``registration_types`` and ``today``), a recurring value's outcome (a name, a
    place, a birth date) is taken from an earlier row instead of checked again: each of
    those checks is a function of the value alone.
    """
    problems: list[FieldError] = []

    def take(result: _T | FieldError) -> _T | None:
        if isinstance(result, FieldError):
            problems.append(result)
            return None
        return result

    def field(name: str, check: Callable[[str, object], _T | FieldError]) -> _T | None:
        value = data.get(name)
        if memo is not None and type(value) is str and name in RECURRING:
            result = remembered(memo, (name, value), lambda: check(name, value))
        else:
            result = check(name, value)
        if isinstance(result, FieldError):
            problems.append(result)
            return None
        return result

    registration_type = take(
        _check_registration_type(data.get("registration_type"), registration_types)
    )
    employee_number = field("employee_number", _check_employee_number)
    last_name = field("last_name", _check_person_name)
    name_infix = field("name_infix", _check_infix)
    given_name = field("given_name", _check_given_name)
    initials = field("initials", _check_initials)
    gender = field("gender", _check_gender)
    born = data.get("birth_date")
    if memo is not None and type(born) is str:
        birth_date = take(
            remembered(memo, ("birth_date", born), lambda: _check_birth_date(born, today))
        )
    else:
        birth_date = take(_check_birth_date(born, today))
    country = field("country", _check_country)
    code = data.get("postcode")
    if memo is not None and type(code) is str:
        key = ("postcode", code, country)
        postcode = take(remembered(memo, key, lambda: _check_postcode(code, country)))
    else:
        postcode = take(_check_postcode(code, country))
    house_number = field("house_number", _check_house_number)
    street = field("street", _check_free_text)
    city = field("city", _check_free_text)
    email = take(_check_employee_email(data.get("email")))
    phone = take(_check_phone(data.get("phone"), country or "NL"))
    department_id = field("department_id", _check_free_text)
    job_title = field("job_title", _check_free_text)
    cost_centre = field("cost_centre", _check_free_text)
    po_number = field("po_number", _check_free_text)

    problems.extend(
        FieldError.of(str(name), "unknown_field", key="form.unknown_field")
        for name in data
        if name not in FIELDS
    )
    if (
        problems
        # A required field is None only when it failed, so these never fire alone.
        or last_name is None
        or given_name is None
        or initials is None
        or gender is None
        or birth_date is None
        or email is None
        or registration_type is None
    ):
        raise ValidationError(problems)
    if name_infix is None:
        name_infix, last_name = split_infix(last_name)
    return EmployeeDetails(
        last_name=last_name,
        given_name=given_name,
        initials=initials,
        gender=gender,
        birth_date=birth_date,
        email=email,
        registration_type=registration_type,
        employee_number=employee_number,
        name_infix=name_infix,
        phone=phone,
        street=street,
        house_number=house_number,
        postcode=postcode,
        city=city,
        country=country or "NL",
        department_id=department_id,
        job_title=job_title,
        cost_centre=cost_centre,
        po_number=po_number,
    )


# --- text ---------------------------------------------------------------------------------


def _tidy(field: str, value: object) -> str | FieldError | None:
    """``value`` as NFKC text with its whitespace collapsed, ``None`` when empty."""
    if value is None:
        return None
    if type(value) is str and value.isascii() and value.isprintable():
        # Printable ASCII is its own NFKC form and holds no refused character.
        if len(value) > _EXAMINED_LENGTH:
            return _too_long(field)
        text = " ".join(value.split())
        limit = MAX_LENGTHS.get(field)
        if limit is not None and len(text) > limit:
            return _too_long(field)
        return text or None
    return _tidy_slow(field, value)


def _tidy_slow(field: str, value: object) -> str | FieldError | None:
    """``_tidy`` for every value, character by character."""
    label = FIELD_LABELS[field]
    if value is None:
        return None
    if not isinstance(value, str):
        return FieldError.of(field, "invalid", key="form.invalid", label=label)
    if len(value) > _EXAMINED_LENGTH:
        return _too_long(field)
    text = unicodedata.normalize("NFKC", value)
    if any(
        unicodedata.category(char) in _REFUSED_CATEGORIES and char not in _TYPED_WHITESPACE
        for char in text
    ):
        plural = field in _PLURAL_LABELS
        return FieldError.of(
            field,
            "invalid_characters",
            key="form.invalid_characters.plural" if plural else "form.invalid_characters",
            label=label,
        )
    text = " ".join(text.split())
    limit = MAX_LENGTHS.get(field)
    if limit is not None and len(text) > limit:
        return _too_long(field)
    return text or None


def _too_long(field: str) -> FieldError:
    limit = MAX_LENGTHS.get(field)
    if field == "initials":
        return FieldError.of("initials", "too_long", max_initials=MAX_INITIALS)
    label = FIELD_LABELS[field]
    if limit is None:
        return FieldError.of(field, "too_long", key="form.too_long.no_limit", label=label)
    return FieldError.of(
        field,
        "too_long",
        key="form.too_long.plural" if field in _PLURAL_LABELS else "form.too_long",
        label=label,
        max_length=limit,
    )


def _required_text(field: str, value: object) -> str | FieldError:
    text = _tidy(field, value)
    if text is None:
        return _REQUIRED[field]
    return text


def _check_free_text(field: str, value: object) -> str | FieldError | None:
    return _tidy(field, value)


# --- names --------------------------------------------------------------------------------


def _is_name_character(char: str) -> bool:
    # Combining marks stay allowed: scripts whose letters NFKC cannot compose need them.
    return char.isalpha() or unicodedata.category(char)[0] == "M" or char in " -." + _APOSTROPHES


def _check_person_name(field: str, value: object) -> str | FieldError:
    """A last or given name: letters of any script, spaces, hyphens, apostrophes, periods."""
    text = _required_text(field, value)
    if isinstance(text, FieldError):
        return text
    label = FIELD_LABELS[field]
    if _PLAIN_NAME.fullmatch(text) is None and not all(_is_name_character(c) for c in text):
        return FieldError.of(
            field, "invalid_characters", key="person_name.invalid_characters", label=label
        )
    if not any(char.isalpha() for char in text):
        return FieldError.of(field, "invalid", key="person_name.invalid", label=label)
    return text


def _check_given_name(field: str, value: object) -> str | FieldError:
    """A given name as typed, unless typed all in one case: "ANNA-MARIE" is "Anna-Marie"."""
    text = _check_person_name(field, value)
    if isinstance(text, FieldError):
        return text
    cased = text.lower() != text.upper()
    if cased and text in {text.lower(), text.upper()}:
        parts = re.split(r"([ -])", text)
        text = "".join(_capital(part[:1]) + part[1:].lower() for part in parts)
        if len(text) > MAX_LENGTHS[field]:
            return _too_long(field)
    return text


def _capital(char: str) -> str:
    """``char`` in upper case, unless that takes more letters ("ß" would be "SS")."""
    upper = char.upper()
    return upper if len(upper) == 1 else char


def _check_infix(field: str, value: object) -> str | FieldError | None:
    """Tussenvoegsels as typed, in lower case: "Van Der" is "van der"."""
    text = _tidy(field, value)
    if text is None or isinstance(text, FieldError):
        return text
    infix = text.lower().replace("\u2019", "'")
    if not all(_is_name_character(char) and char not in "-." for char in infix):
        return FieldError.of(field, "invalid_characters", key="name_infix.invalid_characters")
    if not any(char.isalpha() for char in infix):
        return FieldError.of(field, "invalid", key="name_infix.invalid")
    if len(infix) > MAX_LENGTHS[field]:
        return _too_long(field)
    return infix


def _check_initials(field: str, value: object) -> str | FieldError:
    """Voorletters as "J.P.": "jp", "J P" and "j.p" too; a typed "Th." stays one initial."""
    text = _required_text(field, value)
    if isinstance(text, FieldError):
        return text
    if not all(char.isalpha() or char in ". " for char in text):
        return FieldError.of(field, "invalid_characters", key="initials.invalid_characters")
    letters = text.replace(" ", "")
    initials: list[str] = []
    index = 0
    while index < len(letters):
        char = letters[index]
        if char == ".":
            index += 1
        elif (
            char.isupper()
            and letters[index + 1 : index + 2].islower()
            and (letters[index + 2 : index + 3] == ".")
        ):
            # Capital, small letter, dot: how Dutch abbreviates Theodoor ("Th.").
            initials.append(letters[index : index + 2])
            index += 3
        else:
            initials.append(_capital(char))
            index += 1
    if not initials:
        return FieldError.of(field, "invalid", key="initials.invalid")
    if len(initials) > MAX_INITIALS:
        return _too_long(field)
    return "".join(f"{initial}." for initial in initials)


# --- choices and dates --------------------------------------------------------------------


def _check_gender(field: str, value: object) -> Gender | FieldError:
    """Vrouw, man or anders, in English, Dutch or as one letter; "Onbekend" is not chosen."""
    text = _tidy(field, value)
    if isinstance(text, FieldError):
        return text
    if text is None or text.casefold() in _GENDER_NOT_CHOSEN:
        return _REQUIRED[field]
    gender = _GENDERS.get(text.casefold())
    if gender is None:
        return FieldError.of(field, "invalid", key="gender.invalid")
    return gender


def _check_registration_type(value: object, configured: Sequence[str]) -> str | FieldError:
    """One of the configured types, in its configured spelling; the only one when left open."""
    field = "registration_type"
    if not configured:
        return FieldError.of("registration_type", "unavailable")
    text = _tidy(field, value)
    if isinstance(text, FieldError):
        return text
    if text is None:
        if len(configured) == 1:
            return configured[0]
        return _REQUIRED[field]
    wanted = text.casefold()
    for option in configured:
        if " ".join(unicodedata.normalize("NFKC", option).split()).casefold() == wanted:
            return option
    return FieldError.of("registration_type", "invalid", options=", ".join(configured))


def _check_birth_date(value: object, today: date) -> date | FieldError:
    """A date, "1980-12-31", "31-12-1980" or "31/12/1980", plausible for an employee."""
    birth_date = _read_date("birth_date", value)
    if isinstance(birth_date, FieldError):
        return birth_date
    if birth_date < EARLIEST_BIRTH_DATE:
        return FieldError.of("birth_date", "implausible", key="birth_date.implausible.too_early")
    if birth_date > today:
        return FieldError.of("birth_date", "implausible", key="birth_date.implausible.future")
    birthday_to_come = (today.month, today.day) < (birth_date.month, birth_date.day)
    if today.year - birth_date.year - birthday_to_come < MINIMUM_AGE:
        return FieldError.of(
            "birth_date",
            "implausible",
            key="birth_date.implausible.too_young",
            minimum_age=MINIMUM_AGE,
        )
    return birth_date


def _read_date(field: str, value: object) -> date | FieldError:
    """The day ``value`` names: a ``date`` itself, or ISO or Dutch text."""
    if isinstance(value, datetime):
        # A moment is not a birth date: which day it names depends on the time zone.
        return FieldError.of(field, "invalid", key="birth_date.invalid")
    if isinstance(value, date):
        return value
    if isinstance(value, str) and not all(char.isascii() or char.isspace() for char in value):
        # NFKC would read full-width digits (U+FF11 for "1") as ASCII ones: a date is typed in
        # ASCII digits, so anything else is refused rather than guessed at.
        return FieldError.of(field, "invalid", key="birth_date.invalid")
    text = _tidy(field, value)
    if isinstance(text, FieldError):
        # Whatever was wrong with the text, the way out is the date's form.
        return FieldError.of(field, text.code, key="birth_date.invalid")
    if text is None:
        return _REQUIRED[field]
    return _parse_date(field, text)


def _parse_date(field: str, text: str) -> date | FieldError:
    """The day "1980-12-31", "31-12-1980" or "31/12/1980" names."""
    if iso := _ISO_DATE.fullmatch(text):
        year, month, day = (int(part) for part in iso.groups())
    elif dutch := _DUTCH_DATE.fullmatch(text):
        day, month, year = int(dutch[1]), int(dutch[3]), int(dutch[4])
    else:
        return FieldError.of(field, "invalid", key="birth_date.invalid")
    try:
        return date(year, month, day)
    except ValueError:
        return FieldError.of(field, "invalid", key="birth_date.invalid.no_such_day")


# --- contact and address ------------------------------------------------------------------


def _check_employee_email(value: object) -> str | FieldError:
    """Required: the booking invitation goes there. Syntax only, no DNS lookup."""
    text = _tidy("email", value)
    if isinstance(text, FieldError):
        return text
    return check_email("email", text)


def _check_country(field: str, value: object) -> str | FieldError:
    """An ISO 3166-1 alpha-2 code in capitals; NL when left open."""
    text = _tidy(field, value)
    if isinstance(text, FieldError):
        return text
    if text is None:
        return "NL"
    return country_code(field, text)


def _check_phone(value: object, country: str) -> str | FieldError | None:
    """Any valid number in E.164; a number without country code is read as in ``country``."""
    field = "phone"
    text = _tidy(field, value)
    if text is None or isinstance(text, FieldError):
        return text
    # "+31 (0)6 ..." writes the trunk zero in brackets; it is not dialled.
    text = text.replace("(0)", "")
    if country == "NL" and (dutch := dutch_number(text)) is not None:
        if not is_valid_national_number(dutch, number_rules("NL")):
            return FieldError.of("phone", "invalid")
        return f"+31{dutch}"
    return parse_phone(text, country)


def _check_phone_slow(value: object, country: str) -> str | FieldError | None:
    """``_check_phone`` without its shortcuts: tidied in full, read by ``phonenumbers``."""
    text = _tidy_slow("phone", value)
    if text is None or isinstance(text, FieldError):
        return text
    return parse_phone(text.replace("(0)", ""), country)


def _check_postcode(value: object, country: str | None) -> str | FieldError | None:
    """A Dutch postcode as "1234 AB"; one abroad in capitals, as typed otherwise."""
    field = "postcode"
    text = _tidy(field, value)
    if text is None or isinstance(text, FieldError):
        return text
    return postcode(field, text, country)


def _check_house_number(field: str, value: object) -> str | FieldError | None:
    """Digits first, then an addition as typed: "12", "12a", "12-3", "12 bis"."""
    text = _tidy(field, value)
    if text is None or isinstance(text, FieldError):
        return text
    return house_number(field, text)


def _check_employee_number(field: str, value: object) -> str | FieldError | None:
    """A personeelsnummer: letters, digits and - _ / . as the payroll system writes it."""
    text = _tidy(field, value)
    if text is None or isinstance(text, FieldError):
        return text
    if _EMPLOYEE_NUMBER.fullmatch(text) is None:
        return FieldError.of(field, "invalid_characters", key="employee_number.invalid_characters")
    return text
