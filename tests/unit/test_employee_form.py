"""The employee form's catalogue describes the form that ``validate_employee`` checks."""

from __future__ import annotations

from datetime import date

import attrs
import pytest

from onzecoach.employees import (
    EMPLOYEE_FORM,
    FIELDS,
    GENDER_LABELS,
    EmployeeDetails,
    FieldKind,
    FormField,
    Gender,
    validate_employee,
)
from onzecoach.employees._validation import NAME_INFIXES
from onzecoach.errors import ValidationError

TODAY = date(2026, 3, 2)
#: Two types, so that the registration type cannot be left open.
TYPES = ("OnzeCoach", "OnzeCoach Plus")
#: Every field filled in with a value that passes.
FULL: dict[str, object] = {
    "registration_type": "OnzeCoach",
    "employee_number": "P-001",
    "last_name": "Berg",
    "name_infix": "van den",
    "given_name": "Anna",
    "initials": "A.",
    "gender": "female",
    "birth_date": "1980-12-31",
    "country": "NL",
    "postcode": "1234 AB",
    "house_number": "12",
    "street": "Stationsstraat",
    "city": "Utrecht",
    "email": "anna@example.nl",
    "phone": "0612345678",
    "department_id": "d1",
    "job_title": "Adviseur",
    "cost_centre": "KP-1",
    "po_number": "PO-7",
}
BY_NAME = {field.name: field for field in EMPLOYEE_FORM}


def validate(data: dict[str, object]) -> EmployeeDetails:
    return validate_employee(data, registration_types=TYPES, today=TODAY)


def problems(data: dict[str, object]) -> dict[str, str]:
    """The codes of the refused fields of ``data``, by field."""
    with pytest.raises(ValidationError) as refused:
        validate(data)
    return {item.field: item.code for item in refused.value.details}


def test_the_full_form_passes() -> None:
    assert set(FULL) == set(BY_NAME)
    validate(FULL)


def test_the_form_names_exactly_the_fields_validate_employee_accepts() -> None:
    assert tuple(field.name for field in EMPLOYEE_FORM) == FIELDS
    assert set(BY_NAME) == {field.name for field in attrs.fields(EmployeeDetails)}
    assert problems({**FULL, "nickname": "Ans"}) == {"nickname": "unknown_field"}


def without(name: str) -> dict[str, str]:
    """The problems of the full form with ``name`` left out; empty when it passes."""
    try:
        validate({key: value for key, value in FULL.items() if key != name})
    except ValidationError as refused:
        return {item.field: item.code for item in refused.details}
    return {}


def test_the_form_flags_exactly_the_fields_that_may_not_be_left_open() -> None:
    left_open = {name: without(name) for name in FIELDS}
    refused = {name for name, found in left_open.items() if found}
    assert {field.name for field in EMPLOYEE_FORM if field.required} == refused
    for name in refused:
        assert left_open[name] == {name: "required"}


@pytest.mark.parametrize(
    "field", [f for f in EMPLOYEE_FORM if f.max_length is not None and f.kind is FieldKind.TEXT]
)
def test_a_text_field_takes_its_max_length_and_not_one_more(field: FormField) -> None:
    assert field.max_length is not None
    # Abroad, so that a postcode of ten digits is one; digits also make a house number.
    form = {**FULL, "country": "BE", "phone": None}
    char = "1" if field.name in {"postcode", "house_number"} else "a"
    fits = char * field.max_length
    assert len(getattr(validate({**form, field.name: fits}), field.name)) == field.max_length
    assert problems({**form, field.name: fits + char}) == {field.name: "too_long"}


def test_the_gender_choices_are_what_validate_employee_reads_and_not_unknown() -> None:
    choices = BY_NAME["gender"].choices
    assert [choice.label for choice in choices] == ["Vrouw", "Man", "Anders"]
    for choice in choices:
        assert validate({**FULL, "gender": choice.value}).gender is Gender(choice.value)
        assert GENDER_LABELS[Gender(choice.value)] == choice.label
    assert Gender.UNKNOWN.value not in {choice.value for choice in choices}
    assert set(GENDER_LABELS) == set(Gender)


def test_a_field_left_open_gets_its_default() -> None:
    defaults = {field.name: field.default for field in EMPLOYEE_FORM if field.default}
    assert defaults == {"country": "NL"}
    details = validate({key: value for key, value in FULL.items() if key != "country"})
    assert details.country == "NL"


def test_the_choices_the_portal_holds_are_left_empty() -> None:
    choices = {field.name for field in EMPLOYEE_FORM if field.kind is FieldKind.CHOICE}
    assert choices == {"registration_type", "gender", "department_id"}
    assert not BY_NAME["registration_type"].choices
    assert not BY_NAME["department_id"].choices


def test_the_infix_suggestions_are_the_infixes_that_are_split_off() -> None:
    suggestions = BY_NAME["name_infix"].suggestions
    assert suggestions == tuple(sorted(NAME_INFIXES))
    for infix in suggestions:
        assert validate({**FULL, "name_infix": infix}).name_infix == infix


def test_the_sections_are_in_order_each_in_one_piece() -> None:
    sections = [field.section for field in EMPLOYEE_FORM]
    seen = list(dict.fromkeys(sections))
    assert seen == ["Registratietype", "Persoonsgegevens", "Adres", "Contact", "Werk"]
    assert sections == sorted(sections, key=seen.index)
