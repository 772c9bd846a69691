"""The employee form of the manual (section 5), checked and tidied field by field.

``validate_employee`` takes what an HR contact typed (or an import read) and returns an
``EmployeeDetails`` in which every field has its one normalised form, or raises one
``ValidationError`` that names every bad field at once, each with a stable code and a Dutch
message in the form's own words.

Text is read as people type it: NFKC (full-width digits, ligatures and no-break spaces
become their plain forms), whitespace collapsed, control and format characters refused.
Dutch names keep their tussenvoegsels apart ("van den" in ``name_infix``, "Berg" in
``last_name``), as the form does and as lists sort them.
"""

from __future__ import annotations

import enum
import functools
import re
import types
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Final, TypeVar

import attrs
import phonenumbers
from phonenumbers import NumberParseException, PhoneMetadata, PhoneNumberDesc, PhoneNumberFormat

from onzecoach.errors import FieldError, ValidationError
from onzecoach.validation import EMAIL_MAX, check_email

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
#: The lengths and pattern of one kind of national telephone number.
_NumberRule = tuple[frozenset[int], re.Pattern[str]]
#: A region's rule for any national number (``None`` if it has none), then one per type.
_NumberRules = tuple[_NumberRule | None, tuple[_NumberRule, ...]]


class Gender(enum.StrEnum):
    """Geslacht, as the form offers it."""

    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"


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


#: Every key ``validate_employee`` accepts, in the order of the form: the registration type
#: is chosen first, then the personal details, then the address (country and postcode
#: first, as the form asks them, so that a postcode lookup can fill in the rest), then
#: contact and employment.
FIELDS: Final[tuple[str, ...]] = (
    "registration_type",
    "employee_number",
    "last_name",
    "name_infix",
    "given_name",
    "initials",
    "gender",
    "birth_date",
    "country",
    "postcode",
    "house_number",
    "street",
    "city",
    "email",
    "phone",
    "department_id",
    "job_title",
    "cost_centre",
    "po_number",
)

#: The form's label for each field, for screens, messages and import headers.
FIELD_LABELS: Final[Mapping[str, str]] = types.MappingProxyType(
    {
        "registration_type": "Registratietype",
        "employee_number": "Personeelsnummer",
        "last_name": "Achternaam",
        "name_infix": "Tussenvoegsels",
        "given_name": "Roepnaam",
        "initials": "Voorletters",
        "gender": "Geslacht",
        "birth_date": "Geboortedatum",
        "country": "Land",
        "postcode": "Postcode",
        "house_number": "Huisnummer",
        "street": "Straat",
        "city": "Woonplaats",
        "email": "E-mailadres",
        "phone": "Telefoonnummer",
        "department_id": "Afdeling",
        "job_title": "Functie",
        "cost_centre": "Kostenplaats",
        "po_number": "PO-nummer",
    }
)

#: Labels that are plural in Dutch, and so take a plural verb in messages.
_PLURAL_LABELS: Final = frozenset({"name_infix", "initials"})

#: The longest text each field takes, counted after tidying; for ``maxlength`` on screens.
#: Initials are counted in letters instead (at most ``MAX_INITIALS``); gender, birth date
#: and country have a fixed form.
MAX_LENGTHS: Final[Mapping[str, int]] = types.MappingProxyType(
    {
        "registration_type": 100,
        "employee_number": 30,
        "last_name": 100,
        "name_infix": 20,
        "given_name": 100,
        "postcode": 10,
        "house_number": 10,
        "street": 100,
        "city": 80,
        "email": EMAIL_MAX,
        "phone": 30,
        "department_id": 64,
        "job_title": 100,
        "cost_centre": 50,
        "po_number": 50,
    }
)

#: The most voorletters one person has.
MAX_INITIALS: Final = 10
#: Past this many characters, before tidying, a value is only told that it is too long:
#: nobody types it, and tidying costs time in proportion to its length.
_EXAMINED_LENGTH: Final = 1000
#: The form's own placeholder for an unknown birth date is 01-01-1900, so it is allowed.
EARLIEST_BIRTH_DATE: Final = date(1900, 1, 1)
#: The youngest a person may be to work in the Netherlands (with restrictions).
MINIMUM_AGE: Final = 15

#: Tussenvoegsels that are split off a last name typed with them ("van den Berg"), in
#: lower case with a straight apostrophe. Dutch and Flemish ones first, then those of
#: names from neighbouring languages that Dutch registers treat the same way. Single
#: words that are common names themselves ("al", "ben", "don", "a") are left out: a
#: wrong split is worse than none, and HR can always fill in the field itself.
NAME_INFIXES: Final = frozenset(
    {
        # Dutch and Flemish
        "van",
        "van de",
        "van den",
        "van der",
        "van het",
        "van 't",
        "vanden",
        "vander",
        "de",
        "den",
        "der",
        "des",
        "het",
        "'t",
        "'s",
        "ter",
        "ten",
        "te",
        "in 't",
        "in de",
        "in den",
        "in der",
        "in het",
        "op de",
        "op den",
        "op der",
        "op het",
        "op 't",
        "op ten",
        "uit de",
        "uit den",
        "uit het",
        "uit 't",
        "uit ten",
        "aan de",
        "aan den",
        "aan het",
        "aan 't",
        "bij de",
        "bij den",
        "bij het",
        "bij 't",
        "onder de",
        "onder den",
        "onder het",
        "over de",
        "over den",
        "over het",
        "voor de",
        "voor den",
        "voor het",
        "voor 't",
        "tot",
        # German
        "von",
        "von der",
        "von den",
        "von dem",
        "vom",
        "zu",
        "zum",
        "zur",
        # French
        "la",
        "le",
        "les",
        "du",
        "de la",
        # Italian, Spanish, Portuguese
        "da",
        "das",
        "di",
        "del",
        "della",
        "dos",
        "de las",
        "de los",
    }
)
_INFIX_MAX_WORDS: Final = max(len(infix.split(" ")) for infix in NAME_INFIXES)

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

#: Country names that exports and the dossier write out ("Nederland") instead of the code.
_COUNTRY_NAMES: Final[Mapping[str, str]] = types.MappingProxyType(
    {"nederland": "NL", "belgië": "BE", "belgie": "BE", "duitsland": "DE"}
)
#: ISO 3166-1 codes without telephone numbers, so missing from phonenumbers' regions.
_COUNTRIES_WITHOUT_PHONES: Final = frozenset({"AQ", "BV", "GS", "HM", "PN", "TF", "UM"})
_COUNTRIES: Final = frozenset(phonenumbers.SUPPORTED_REGIONS) | _COUNTRIES_WITHOUT_PHONES

_ISO_DATE: Final = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_DUTCH_DATE: Final = re.compile(r"([0-9]{1,2})([-/])([0-9]{1,2})\2([0-9]{4})")
_DUTCH_POSTCODE: Final = re.compile(r"([1-9][0-9]{3})([A-Z]{2})")
#: Letter pairs that PostNL never gives out.
_REFUSED_POSTCODE_LETTERS: Final = frozenset({"SA", "SD", "SS"})
_FOREIGN_POSTCODE: Final = re.compile(r"[A-Z0-9]+(?:[ -][A-Z0-9]+)*")
_HOUSE_NUMBER: Final = re.compile(r"[1-9][0-9]*[A-Za-z0-9]*(?:[ /-][A-Za-z0-9]+)*")
_HOUSE_NUMBER_SEPARATOR: Final = re.compile(r" ?([/-]) ?")
_EMPLOYEE_NUMBER: Final = re.compile(r"[A-Za-z0-9._/-]+")
#: An optional plus, then digits in groups split by one space or hyphen.
_PLAIN_PHONE: Final = re.compile(r"(\+?)([0-9]+(?:[ -][0-9]+)*)")

_REQUIRED: Final[Mapping[str, str]] = types.MappingProxyType(
    {
        "registration_type": "Kies een registratietype.",
        "last_name": "Vul de achternaam in.",
        "given_name": "Vul de roepnaam in.",
        "initials": "Vul de voorletters in.",
        "gender": "Kies een geslacht.",
        "birth_date": "Vul de geboortedatum in.",
    }
)
_UNKNOWN_FIELD: Final = "Dit veld bestaat niet op het formulier."
_NAME_CHARACTERS: Final = (
    "{label} mag alleen letters, spaties, koppeltekens, apostroffen en punten bevatten."
)
_INFIX_CHARACTERS: Final = (
    "Tussenvoegsels mogen alleen letters, spaties en apostroffen bevatten, zoals van der of in 't."
)
_INITIALS_FORM: Final = "Vul de voorletters in als letters met punten, zoals J.P. of Th."
_GENDER_CHOICES: Final = "Kies bij geslacht vrouw, man of anders."
_DATE_FORM: Final = "Vul de geboortedatum in als DD-MM-JJJJ, zoals 31-12-1980."
_DATE_MISSING: Final = "Deze geboortedatum bestaat niet; vul een datum in als DD-MM-JJJJ."
_DATE_TOO_EARLY: Final = "De geboortedatum kan niet vóór 01-01-1900 liggen."
_DATE_IN_FUTURE: Final = "De geboortedatum kan niet in de toekomst liggen."
_TOO_YOUNG: Final = (
    f"Een medewerker is minstens {MINIMUM_AGE} jaar oud; controleer de geboortedatum."
)
_PHONE_FORM: Final = (
    "Vul een geldig telefoonnummer in, zoals 06 12345678, of met landcode: +31 6 12345678."
)
_COUNTRY_FORM: Final = "Vul een landcode van twee letters in, zoals NL of BE."
_POSTCODE_FORM: Final = "Vul een geldige postcode in, zoals 1234 AB."
_POSTCODE_LETTERS: Final = (
    "Postcodes met de letters SA, SD of SS bestaan niet; vul een geldige postcode in, "
    "zoals 1234 AB."
)
_FOREIGN_POSTCODE_FORM: Final = (
    "Vul een geldige postcode in: letters, cijfers, spaties of streepjes, hoogstens 10 tekens."
)
_HOUSE_NUMBER_FORM: Final = (
    "Vul een huisnummer in dat met een cijfer begint, zoals 12, 12a, 12-3 of 12 bis."
)
_EMPLOYEE_NUMBER_CHARACTERS: Final = (
    "Personeelsnummer mag alleen letters, cijfers en - _ / . bevatten, zonder spaties."
)
_NO_REGISTRATION_TYPES: Final = (
    "Er is geen registratietype ingesteld; neem contact op met het servicebureau."
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
    problems: list[FieldError] = []

    def take(result: _T | FieldError) -> _T | None:
        if isinstance(result, FieldError):
            problems.append(result)
            return None
        return result

    def field(name: str, check: Callable[[str, object], _T | FieldError]) -> _T | None:
        result = check(name, data.get(name))
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
    birth_date = take(_check_birth_date(data.get("birth_date"), today))
    country = field("country", _check_country)
    postcode = take(_check_postcode(data.get("postcode"), country))
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
        FieldError(str(key), "unknown_field", _UNKNOWN_FIELD) for key in data if key not in FIELDS
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
        name_infix, last_name = _split_infix(last_name)
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


def display_name(last_name: str, name_infix: str | None, initials: str, given_name: str) -> str:
    """The name as lists show it: "Berg, van den, A.M. (Anna)", or "Jansen, J. (Jan)"."""
    text = ", ".join(part for part in (last_name, name_infix, initials) if part)
    return f"{text} ({given_name})" if given_name else text


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
        return FieldError(field, "invalid", f"{label}: vul dit in als tekst.")
    if len(value) > _EXAMINED_LENGTH:
        return _too_long(field)
    text = unicodedata.normalize("NFKC", value)
    if any(
        unicodedata.category(char) in _REFUSED_CATEGORIES and char not in _TYPED_WHITESPACE
        for char in text
    ):
        contains = "bevatten" if field in _PLURAL_LABELS else "bevat"
        return FieldError(field, "invalid_characters", f"{label} {contains} ongeldige tekens.")
    text = " ".join(text.split())
    limit = MAX_LENGTHS.get(field)
    if limit is not None and len(text) > limit:
        return _too_long(field)
    return text or None


def _too_long(field: str) -> FieldError:
    limit = MAX_LENGTHS.get(field)
    if field == "initials":
        return FieldError(field, "too_long", f"Vul hoogstens {MAX_INITIALS} voorletters in.")
    label = FIELD_LABELS[field]
    if limit is None:
        return FieldError(field, "too_long", f"{label}: deze waarde is te lang.")
    may = "mogen" if field in _PLURAL_LABELS else "mag"
    return FieldError(field, "too_long", f"{label} {may} hoogstens {limit} tekens lang zijn.")


def _required_text(field: str, value: object) -> str | FieldError:
    text = _tidy(field, value)
    if text is None:
        return FieldError(field, "required", _REQUIRED[field])
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
        return FieldError(field, "invalid_characters", _NAME_CHARACTERS.format(label=label))
    if not any(char.isalpha() for char in text):
        return FieldError(field, "invalid", f"{label} moet ten minste één letter bevatten.")
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


def _fold_infix(text: str) -> str:
    return text.casefold().replace("\u2019", "'")


def _check_infix(field: str, value: object) -> str | FieldError | None:
    """Tussenvoegsels as typed, in lower case: "Van Der" is "van der"."""
    text = _tidy(field, value)
    if text is None or isinstance(text, FieldError):
        return text
    infix = text.lower().replace("\u2019", "'")
    if not all(_is_name_character(char) and char not in "-." for char in infix):
        return FieldError(field, "invalid_characters", _INFIX_CHARACTERS)
    if not any(char.isalpha() for char in infix):
        return FieldError(field, "invalid", "Tussenvoegsels moeten ten minste één letter bevatten.")
    if len(infix) > MAX_LENGTHS[field]:
        return _too_long(field)
    return infix


def _split_infix(last_name: str) -> tuple[str | None, str]:
    """("van den", "Berg") from "van den Berg": the longest known infix, words left over.

    A name that is only infixes ("Van Der", "De") is a last name of its own, and a name
    without a space ("d'Ancona", "DeVries") has nothing to split.
    """
    words = last_name.split(" ")
    folded = [_fold_infix(word) for word in words]
    if " ".join(folded) in NAME_INFIXES:
        return None, last_name
    for count in range(min(len(words) - 1, _INFIX_MAX_WORDS), 0, -1):
        infix = " ".join(folded[:count])
        rest = " ".join(words[count:])
        if infix in NAME_INFIXES and any(char.isalpha() for char in rest):
            return infix, rest
    return None, last_name


def _check_initials(field: str, value: object) -> str | FieldError:
    """Voorletters as "J.P.": "jp", "J P" and "j.p" too; a typed "Th." stays one initial."""
    text = _required_text(field, value)
    if isinstance(text, FieldError):
        return text
    if not all(char.isalpha() or char in ". " for char in text):
        return FieldError(field, "invalid_characters", _INITIALS_FORM)
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
        return FieldError(field, "invalid", _INITIALS_FORM)
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
        return FieldError(field, "required", _REQUIRED[field])
    gender = _GENDERS.get(text.casefold())
    if gender is None:
        return FieldError(field, "invalid", _GENDER_CHOICES)
    return gender


def _check_registration_type(value: object, configured: Sequence[str]) -> str | FieldError:
    """One of the configured types, in its configured spelling; the only one when left open."""
    field = "registration_type"
    if not configured:
        return FieldError(field, "unavailable", _NO_REGISTRATION_TYPES)
    text = _tidy(field, value)
    if isinstance(text, FieldError):
        return text
    if text is None:
        if len(configured) == 1:
            return configured[0]
        return FieldError(field, "required", _REQUIRED[field])
    wanted = text.casefold()
    for option in configured:
        if " ".join(unicodedata.normalize("NFKC", option).split()).casefold() == wanted:
            return option
    return FieldError(field, "invalid", f"Kies een registratietype: {', '.join(configured)}.")


def _check_birth_date(value: object, today: date) -> date | FieldError:
    """A date, "1980-12-31", "31-12-1980" or "31/12/1980", plausible for an employee."""
    birth_date = _read_date("birth_date", value)
    if isinstance(birth_date, FieldError):
        return birth_date
    if birth_date < EARLIEST_BIRTH_DATE:
        return FieldError("birth_date", "implausible", _DATE_TOO_EARLY)
    if birth_date > today:
        return FieldError("birth_date", "implausible", _DATE_IN_FUTURE)
    birthday_to_come = (today.month, today.day) < (birth_date.month, birth_date.day)
    if today.year - birth_date.year - birthday_to_come < MINIMUM_AGE:
        return FieldError("birth_date", "implausible", _TOO_YOUNG)
    return birth_date


def _read_date(field: str, value: object) -> date | FieldError:
    """The day ``value`` names: a ``date`` itself, or ISO or Dutch text."""
    if isinstance(value, datetime):
        # A moment is not a birth date: which day it names depends on the time zone.
        return FieldError(field, "invalid", _DATE_FORM)
    if isinstance(value, date):
        return value
    text = _tidy(field, value)
    if isinstance(text, FieldError):
        return FieldError(field, text.code, _DATE_FORM)
    if text is None:
        return FieldError(field, "required", _REQUIRED[field])
    return _parse_date(field, text)


def _parse_date(field: str, text: str) -> date | FieldError:
    """The day "1980-12-31", "31-12-1980" or "31/12/1980" names."""
    if iso := _ISO_DATE.fullmatch(text):
        year, month, day = (int(part) for part in iso.groups())
    elif dutch := _DUTCH_DATE.fullmatch(text):
        day, month, year = int(dutch[1]), int(dutch[3]), int(dutch[4])
    else:
        return FieldError(field, "invalid", _DATE_FORM)
    try:
        return date(year, month, day)
    except ValueError:
        return FieldError(field, "invalid", _DATE_MISSING)


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
    code = _COUNTRY_NAMES.get(text.casefold(), text.upper())
    if code not in _COUNTRIES:
        return FieldError(field, "invalid", _COUNTRY_FORM)
    return code


def _check_phone(value: object, country: str) -> str | FieldError | None:
    """Any valid number in E.164; a number without country code is read as in ``country``."""
    field = "phone"
    text = _tidy(field, value)
    if text is None or isinstance(text, FieldError):
        return text
    # "+31 (0)6 ..." writes the trunk zero in brackets; it is not dialled.
    text = text.replace("(0)", "")
    if country == "NL" and (dutch := _dutch_number(text)) is not None:
        if not _is_valid_national_number(dutch, _number_rules("NL")):
            return FieldError(field, "invalid", _PHONE_FORM)
        return f"+31{dutch}"
    return _parse_phone(text, country)


def _dutch_number(text: str) -> str | None:
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
def _number_rules(region: str) -> _NumberRules:
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


def _is_valid_national_number(national: str, rules: _NumberRules) -> bool:
    """Whether the national significant number ``national`` keeps the ``rules``."""
    general, kinds = rules
    return (
        general is not None
        and _keeps(general, national)
        and any(_keeps(rule, national) for rule in kinds)
    )


def _parse_phone(text: str, country: str) -> str | FieldError:
    """``_check_phone`` for every tidied number, by ``phonenumbers`` itself."""
    field = "phone"
    try:
        number = phonenumbers.parse(text, country)
    except NumberParseException:
        return FieldError(field, "invalid", _PHONE_FORM)
    if not phonenumbers.is_valid_number(number):
        return FieldError(field, "invalid", _PHONE_FORM)
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def _check_phone_slow(value: object, country: str) -> str | FieldError | None:
    """``_check_phone`` without its shortcuts: tidied in full, read by ``phonenumbers``."""
    text = _tidy_slow("phone", value)
    if text is None or isinstance(text, FieldError):
        return text
    return _parse_phone(text.replace("(0)", ""), country)


def _check_postcode(value: object, country: str | None) -> str | FieldError | None:
    """A Dutch postcode as "1234 AB"; one abroad in capitals, as typed otherwise."""
    field = "postcode"
    text = _tidy(field, value)
    if text is None or isinstance(text, FieldError):
        return text
    text = text.upper()
    if country == "NL":
        match = _DUTCH_POSTCODE.fullmatch(text.replace(" ", ""))
        if match is None:
            return FieldError(field, "invalid", _POSTCODE_FORM)
        digits, letters = match.groups()
        if letters in _REFUSED_POSTCODE_LETTERS:
            return FieldError(field, "invalid", _POSTCODE_LETTERS)
        return f"{digits} {letters}"
    if _FOREIGN_POSTCODE.fullmatch(text) is None:
        return FieldError(field, "invalid", _FOREIGN_POSTCODE_FORM)
    return text


def _check_house_number(field: str, value: object) -> str | FieldError | None:
    """Digits first, then an addition as typed: "12", "12a", "12-3", "12 bis"."""
    text = _tidy(field, value)
    if text is None or isinstance(text, FieldError):
        return text
    text = _HOUSE_NUMBER_SEPARATOR.sub(r"\1", text)
    if _HOUSE_NUMBER.fullmatch(text) is None:
        return FieldError(field, "invalid", _HOUSE_NUMBER_FORM)
    return text


def _check_employee_number(field: str, value: object) -> str | FieldError | None:
    """A personeelsnummer: letters, digits and - _ / . as the payroll system writes it."""
    text = _tidy(field, value)
    if text is None or isinstance(text, FieldError):
        return text
    if _EMPLOYEE_NUMBER.fullmatch(text) is None:
        return FieldError(field, "invalid_characters", _EMPLOYEE_NUMBER_CHARACTERS)
    return text
