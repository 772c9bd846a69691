"""The employee form of the manual (section 5) as a screen draws it: fields, labels, choices.

``EMPLOYEE_FORM`` is the one description of the form: ``validate_employee`` accepts exactly
its fields and requires those it marks required, the import reads its labels as column
headers, and an interface renders it without copying a label, a limit or a choice.
"""

from __future__ import annotations

import enum
import types
from collections.abc import Mapping
from typing import Final, NamedTuple

import attrs

from onzecoach.employees._names import NAME_INFIXES
from onzecoach.validation import EMAIL_MAX

__all__ = [
    "EMPLOYEE_FORM",
    "FIELDS",
    "FIELD_LABELS",
    "GENDER_LABELS",
    "MAX_INITIALS",
    "MAX_LENGTHS",
    "Choice",
    "FieldKind",
    "FormField",
    "Gender",
]


class Gender(enum.StrEnum):
    """Geslacht, as the form offers it."""

    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"


#: How a gender reads on screen. ``UNKNOWN`` ("Onbekend") is the form's placeholder, never
#: a choice, but an employee imported without one shows it.
GENDER_LABELS: Final[Mapping[Gender, str]] = types.MappingProxyType(
    {
        Gender.FEMALE: "Vrouw",
        Gender.MALE: "Man",
        Gender.OTHER: "Anders",
        Gender.UNKNOWN: "Onbekend",
    }
)


class FieldKind(enum.StrEnum):
    """What a field holds, and so how a screen asks for it."""

    #: Free text, checked and tidied by ``validate_employee``.
    TEXT = "text"
    #: One of a list: the field's ``choices``, or a list the portal holds (see ``FormField``).
    CHOICE = "choice"
    #: A day; ``validate_employee`` also reads "31-12-1980" and "1980-12-31".
    DATE = "date"
    EMAIL = "email"
    PHONE = "phone"


class Choice(NamedTuple):
    """One option of a choice: the value ``validate_employee`` takes, and its Dutch label."""

    value: str
    label: str


@attrs.frozen(kw_only=True)
class FormField:
    """One field of the employee form.

    ``choices`` is empty for the two choices whose options the portal holds: the
    registration type (``Settings.registration_types``; with exactly one configured, the
    field may be left open and gets it) and the department (the employer's departments,
    ``portal.admin.departments``, by id).
    """

    #: The key ``validate_employee`` reads, and the attribute of ``EmployeeDetails``.
    name: str
    #: The form's Dutch label; also the import's column header.
    label: str
    #: The heading of the part of the form the field is in.
    section: str
    #: Whether the form marks the field with * and refuses it empty.
    required: bool = False
    kind: FieldKind = FieldKind.TEXT
    #: The longest text taken, counted after tidying (for ``maxlength``); ``None`` where the
    #: field has a fixed form or, like the initials, is counted otherwise.
    max_length: int | None = None
    choices: tuple[Choice, ...] = ()
    #: What an empty field becomes.
    default: str | None = None
    #: A short Dutch help text to show with the field.
    hint: str | None = None
    #: Values to offer while typing; others are accepted too.
    suggestions: tuple[str, ...] = ()


_PERSONAL: Final = "Persoonsgegevens"
_ADDRESS: Final = "Adres"
_CONTACT: Final = "Contact"
_WORK: Final = "Werk"

#: The employee form in its order: the registration type is chosen first, then the
#: personal details, then the address (country and postcode first, as the form asks them,
#: so that a postcode lookup can fill in the rest), then contact and employment. The
#: fields of one section are next to each other.
EMPLOYEE_FORM: Final[tuple[FormField, ...]] = (
    FormField(
        name="registration_type",
        label="Registratietype",
        section="Registratietype",
        required=True,
        kind=FieldKind.CHOICE,
        max_length=100,
    ),
    FormField(
        name="employee_number",
        label="Personeelsnummer",
        section=_PERSONAL,
        max_length=30,
        hint="Zoals het in jullie salarisadministratie staat.",
    ),
    FormField(
        name="last_name", label="Achternaam", section=_PERSONAL, required=True, max_length=100
    ),
    FormField(
        name="name_infix",
        label="Tussenvoegsels",
        section=_PERSONAL,
        max_length=20,
        hint="Zoals van, de of van der.",
        suggestions=tuple(sorted(NAME_INFIXES)),
    ),
    FormField(
        name="given_name", label="Roepnaam", section=_PERSONAL, required=True, max_length=100
    ),
    FormField(
        name="initials",
        label="Voorletters",
        section=_PERSONAL,
        required=True,
        hint="Zoals J.P.",
    ),
    FormField(
        name="gender",
        label="Geslacht",
        section=_PERSONAL,
        required=True,
        kind=FieldKind.CHOICE,
        choices=tuple(
            Choice(gender.value, GENDER_LABELS[gender])
            for gender in (Gender.FEMALE, Gender.MALE, Gender.OTHER)
        ),
    ),
    FormField(
        name="birth_date",
        label="Geboortedatum",
        section=_PERSONAL,
        required=True,
        kind=FieldKind.DATE,
    ),
    FormField(
        name="country",
        label="Land",
        section=_ADDRESS,
        default="NL",
        hint="Landcode, zoals NL, BE of DE.",
    ),
    FormField(name="postcode", label="Postcode", section=_ADDRESS, max_length=10),
    FormField(name="house_number", label="Huisnummer", section=_ADDRESS, max_length=10),
    FormField(name="street", label="Straat", section=_ADDRESS, max_length=100),
    FormField(name="city", label="Woonplaats", section=_ADDRESS, max_length=80),
    FormField(
        name="email",
        label="E-mailadres",
        section=_CONTACT,
        required=True,
        kind=FieldKind.EMAIL,
        max_length=EMAIL_MAX,
        hint="De uitnodiging voor de coaching gaat naar dit adres: controleer het goed.",
    ),
    FormField(
        name="phone",
        label="Telefoonnummer",
        section=_CONTACT,
        kind=FieldKind.PHONE,
        max_length=30,
        hint="Met landcode als het geen Nederlands nummer is, zoals +32 470 12 34 56.",
    ),
    FormField(
        name="department_id",
        label="Afdeling",
        section=_WORK,
        kind=FieldKind.CHOICE,
        max_length=64,
    ),
    FormField(name="job_title", label="Functie", section=_WORK, max_length=100),
    FormField(name="cost_centre", label="Kostenplaats", section=_WORK, max_length=50),
    FormField(
        name="po_number",
        label="PO-nummer",
        section=_WORK,
        max_length=50,
        hint="Alleen nodig als er een PO-nummer op de factuur moet staan.",
    ),
)

#: Every key ``validate_employee`` accepts, in the order of the form.
FIELDS: Final[tuple[str, ...]] = tuple(field.name for field in EMPLOYEE_FORM)

#: The form's label for each field, for screens, messages and import headers.
FIELD_LABELS: Final[Mapping[str, str]] = types.MappingProxyType(
    {field.name: field.label for field in EMPLOYEE_FORM}
)

#: The longest text each field takes, counted after tidying; for ``maxlength`` on screens.
#: Initials are counted in letters instead (at most ``MAX_INITIALS``); gender, birth date
#: and country have a fixed form.
MAX_LENGTHS: Final[Mapping[str, int]] = types.MappingProxyType(
    {field.name: field.max_length for field in EMPLOYEE_FORM if field.max_length is not None}
)

#: The most voorletters one person has.
MAX_INITIALS: Final = 10
