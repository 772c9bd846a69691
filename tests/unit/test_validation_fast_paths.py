"""The shortcuts for everyday input answer exactly as the full checks they stand in for.

An import validates every row of a large file, so text in plain ASCII, everyday e-mail
addresses and plainly written Dutch telephone numbers skip the slow, general checks. Each
shortcut is compared here with the full check on inputs of its own shape and just past
its edges, and whole forms are validated both ways.
"""

from __future__ import annotations

import operator
import re
import string
from collections.abc import Callable, Iterator
from datetime import date

import attrs
import email_validator
import phonenumbers
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from phonenumbers import PhoneNumber

from onzecoach.employees import _validation
from onzecoach.employees._memo import Memo
from onzecoach.employees._validation import (
    FIELDS,
    MAX_LENGTHS,
    EmployeeDetails,
    _check_person_name,
    _check_phone,
    _check_phone_slow,
    _dutch_number,
    _is_name_character,
    _is_valid_national_number,
    _number_rules,
    _tidy,
    _tidy_slow,
    _validate,
    validate_employee,
)
from onzecoach.errors import ValidationError
from onzecoach.validation import EMAIL_MAX, _check_email_slow, _plain_email, check_email

TODAY = date(2026, 3, 2)


def same(fast: object, slow: object) -> bool:
    """Equal and of the same type: "female" equals ``Gender.FEMALE``, but is not it."""
    return type(fast) is type(slow) and fast == slow


# --- text ---------------------------------------------------------------------------------

PRINTABLE_ASCII = "".join(chr(code) for code in range(0x20, 0x7F))
TEXT = st.one_of(
    st.text(PRINTABLE_ASCII, max_size=40),
    st.text(" \t\n\r\v\f\x00\x1c\x1f\x7fab", max_size=12),
    st.text(st.characters(max_codepoint=0x7F), max_size=30),
    st.text(st.characters(max_codepoint=0x2FFF), max_size=20),
    st.text(max_size=20),
    # Around the length limits of every field, and around the length that is examined.
    st.builds(
        lambda char, size, pad: pad + char * size + pad,
        st.sampled_from(["a", " ", "a ", "\u00a0", "\uff21", "\t", "x\x00"]),
        st.sampled_from(sorted({*MAX_LENGTHS.values(), 1000}))
        .flatmap(lambda limit: st.integers(max(0, limit - 3), limit + 3))
        .flatmap(lambda size: st.sampled_from([size, size // 2, size // 3])),
        st.sampled_from(["", " ", "  "]),
    ),
    st.builds(operator.mul, st.sampled_from([" ", "a", "a ", " \u00a0"]), st.integers(996, 1004)),
)


class Text(str):
    """Text of a type of its own, as a caller might pass."""


@settings(max_examples=300)
@given(field=st.sampled_from(FIELDS), value=TEXT)
@example(field="last_name", value="")
@example(field="city", value="  Den   Haag  ")
@example(field="city", value="Den\tHaag")
@example(field="city", value="\x00")
@example(field="city", value="\x7f")
@example(field="city", value="a" * 1001)
@example(field="city", value=" " * 1001)
@example(field="city", value="a" * 80 + " ")
@example(field="city", value="a" * 81)
def test_tidy_answers_as_the_full_check_for_any_text(field: str, value: str) -> None:
    assert same(_tidy(field, value), _tidy_slow(field, value))


@pytest.mark.parametrize("value", [None, 12, 1.5, b"Jan", ["Jan"], Text("Jan"), Text("\x00")])
@pytest.mark.parametrize("field", ["last_name", "city", "initials", "po_number"])
def test_tidy_answers_as_the_full_check_for_other_values(field: str, value: object) -> None:
    assert same(_tidy(field, value), _tidy_slow(field, value))


@settings(max_examples=200)
@given(value=st.one_of(st.text(PRINTABLE_ASCII, max_size=30), st.text(max_size=15)))
@example(value="d'Ancona-van den Berg.")
@example(value="Jos\u00e9")
@example(value="O\u2019Brien")
@example(value="...")
@example(value="J4n")
def test_a_name_in_plain_ascii_is_judged_as_character_by_character(value: str) -> None:
    plain = _validation._PLAIN_NAME.fullmatch(value) is not None
    assert not plain or all(_is_name_character(char) for char in value)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_validation, "_PLAIN_NAME", re.compile(r"(?!)"))
        slow = _check_person_name("last_name", value)
    assert same(_check_person_name("last_name", value), slow)


# --- e-mail -------------------------------------------------------------------------------

ATEXT = string.ascii_letters + string.digits + "!#$%&'*+/=?^_`{|}~-"
LDH = string.ascii_letters + string.digits + "-"


@st.composite
def addresses(draw: st.DrawFn) -> str:
    """Addresses near the everyday form, valid or wrong in some small way."""
    alphabet = draw(
        st.sampled_from([ATEXT, ATEXT, ATEXT, "abcXYZ019.-_+", 'ab."@ <>[]\\,;:\u00e9'])
    )
    atom = st.text(alphabet, min_size=draw(st.sampled_from([0, 1, 1, 1])))
    local = ".".join(draw(st.lists(atom, min_size=1, max_size=4)))
    label_size = draw(st.sampled_from([(1, 8), (1, 8), (0, 8), (60, 66)]))
    label = st.text(
        draw(st.sampled_from([LDH, LDH, LDH, "abcXYZ", "abc-", "aB0-\u00e9_."])),
        min_size=label_size[0],
    )
    label = st.one_of(
        label.map(lambda text: text[: label_size[1]]),
        st.sampled_from(["xn--bcher-kva", "XN--BCHER-KVA", "ab--cd", "a--b", "abc--d", "test"]),
    )
    labels = draw(st.lists(label, min_size=0, max_size=4))
    tld = draw(
        st.one_of(
            st.sampled_from(["nl", "NL", "com", "Be", "nl", "com", "x", "a1", "123", "local"]),
            st.sampled_from(["invalid", "localhost", "onion", "arpa", "test", "xn--p1ai"]),
            st.sampled_from(["co--m", "c-m", "com-", "-com", "c0m", "C0M"]),
            st.text(LDH, max_size=6),
        )
    )
    address = f"{local}@{'.'.join([*labels, tld])}"
    if draw(st.integers(0, 3)) == 0:
        # Towards the length limits: 64 before the @-sign, 63 a label, 254 in all.
        local = "a" * draw(st.sampled_from([1, 2, 63, 64, 65]))
        domain = ".".join(["b" * draw(st.sampled_from([62, 63, 64]))] * 4)
        address = f"{local}@{domain}"[: draw(st.sampled_from([60, 252, 253, 254, 255, 256]))]
    if draw(st.booleans()):
        address = draw(st.sampled_from(["", " ", "\t", " \n"])) + address
    return address


def cased(text: str, how: int) -> str:
    return [text, text.lower(), text.upper(), text.title()][how]


MAILBOXES = ["info", "postmaster", "webmaster", "noc", "abuse", "sales", "nocs", "infos"]


@st.composite
def everyday_addresses(draw: st.DrawFn, *, odd: bool = True) -> str:
    """Addresses of the everyday form, in any case, with a mailbox name now and then.

    With ``odd``, some labels and top-level domains are wrong or reserved.
    """
    how = st.integers(0, 3)
    atom = st.text(ATEXT, min_size=1, max_size=10)
    local = draw(
        st.one_of(st.lists(atom, min_size=1, max_size=3).map(".".join), st.sampled_from(MAILBOXES))
    )
    label = st.from_regex(r"[A-Za-z0-9]([A-Za-z0-9-]{0,8}[A-Za-z0-9])?", fullmatch=True)
    tld = st.sampled_from(["nl", "com", "be", "de", "info", "amsterdam"])
    if odd:
        label = st.one_of(label, st.sampled_from(["xn--bcher-kva", "ab--cd", "a--b", "test"]))
        tld = st.one_of(
            tld,
            st.sampled_from(["123", "a1", "c0m", "local", "test", "localhost", "onion", "arpa"]),
        )
    domain = ".".join([*draw(st.lists(label, min_size=1, max_size=3)), draw(tld)])
    return cased(local, draw(how)) + "@" + cased(domain, draw(how))


EVERYDAY_ADDRESSES = [
    "jan.jansen@example.nl",
    "Jan.Jansen@Example.NL",
    "INFO@Bedrijf.nl",
    "Postmaster@a.b.co",
    "a+b_c-d@mail-1.example.com",
    "o'brien@example.ie",
    "{x}|~#!$%&*=?^`@example.org",
    "a" * 64 + "@example.nl",
    "a@" + ".".join(["b" * 63] * 3) + ".nl",
]


@settings(max_examples=300)
@given(value=addresses())
@example(value=".jan@example.nl")
@example(value="jan.@example.nl")
@example(value="jan..jansen@example.nl")
@example(value="jan@-example.nl")
@example(value="jan@example-.nl")
@example(value="jan@ab--cd.nl")
@example(value="jan@xn--bcher-kva.nl")
@example(value="jan@example.123")
@example(value="jan@example.x")
@example(value="jan@example")
@example(value="jan@mail.local")
@example(value="jan@test")
@example(value="jan@a.test")
@example(value="jan@example.nl.")
@example(value="jan@@example.nl")
@example(value='"jan"@example.nl')
@example(value="Jan <jan@example.nl>")
@example(value="jan@[127.0.0.1]")
@example(value="j\u00e9@example.nl")
@example(value="jan@ex\u00e4mple.nl")
@example(value="a" * 65 + "@example.nl")
@example(value="a" * 64 + "@" + "b" * 64 + ".nl")
@example(value="a@" + ".".join(["b" * 63] * 3) + ".nll")
@example(value="ab@" + ".".join(["b" * 63] * 3) + ".nl")
def test_an_address_is_judged_as_email_validator_judges_it(value: str) -> None:
    assert same(check_email("email", value), _check_email_slow("email", value))


@settings(max_examples=200)
@given(value=everyday_addresses())
def test_an_everyday_address_is_judged_as_email_validator_judges_it(value: str) -> None:
    assert same(check_email("email", value), _check_email_slow("email", value))


@pytest.mark.parametrize("value", EVERYDAY_ADDRESSES)
def test_everyday_addresses_take_the_shortcut_to_the_same_answer(value: str) -> None:
    assert _plain_email(value) is not None
    assert same(check_email("email", value), _check_email_slow("email", value))


@pytest.mark.parametrize("value", [None, 1, b"jan@example.nl", "", "  ", "\u3000"])
def test_an_address_that_is_not_there_is_judged_the_same(value: object) -> None:
    assert same(check_email("email", value), _check_email_slow("email", value))


def test_a_special_use_domain_is_read_from_email_validator_each_time() -> None:
    address = "jan@intern.corp"
    assert check_email("email", address) == address
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            email_validator,
            "SPECIAL_USE_DOMAIN_NAMES",
            [*email_validator.SPECIAL_USE_DOMAIN_NAMES, "corp"],
        )
        assert same(check_email("email", address), _check_email_slow("email", address))
        assert check_email("email", address) != address


def test_the_longest_address_is_the_limit_of_both() -> None:
    address = "a@" + ".".join(["b" * 63] * 3) + "." + "c" * (EMAIL_MAX - 2 - 63 * 3 - 3)
    assert len(address) == EMAIL_MAX
    assert same(check_email("email", address), _check_email_slow("email", address))
    assert same(check_email("email", f"{address}c"), _check_email_slow("email", f"{address}c"))


# --- telephone ----------------------------------------------------------------------------

PREFIXES = [
    "",
    "0",
    "06",
    "00",
    "+",
    "+31",
    "+31 ",
    "+31-",
    "+31 (0)",
    "+31(0)",
    "+310",
    "0031",
    "0031 ",
    "00310",
    "31",
    "+32",
    "0032",
    "+49 ",
    "+1 ",
    "011 31 ",
    "(0)",
    "+ 31",
    "0 0 3 1 ",
]
SEPARATORS = ["", "", "", " ", "-", "  ", "--", " - ", ".", "/", "(", ")", "\t", "\u00a0", "\uff10"]


DUTCH_PREFIXES = ["0", "0", "+31", "+31 ", "+31-", "+31 (0)", "0031", "0031 ", "0 0 3 1 ", "+310"]
DUTCH_STARTS = ["6", "61", "68", "66", "20", "10", "85", "91", "800", "90", "97", "0", "31"]
#: Dutch national significant numbers that start like another number: a trunk zero, or 31.
DUTCH_STARTS += ["0800", "0906", "0909", "06", "031", "3161"]
PLAIN = ["", "", "", " ", "-"]
#: Real numbers of every type in the Netherlands and its neighbours, as phonenumbers knows them.
EXAMPLE_NUMBERS = [
    number
    for region in ["NL", "NL", "NL", "BE", "DE", "GB", "FR", "US"]
    for kind in phonenumbers.PhoneNumberType.values()
    if (number := phonenumbers.example_number_for_type(region, kind)) is not None
]
FORMATS = [
    phonenumbers.PhoneNumberFormat.E164,
    phonenumbers.PhoneNumberFormat.INTERNATIONAL,
    phonenumbers.PhoneNumberFormat.NATIONAL,
]


@st.composite
def written_numbers(draw: st.DrawFn) -> str:
    """A real number as people write it, sometimes with one digit changed."""
    number = draw(st.sampled_from(EXAMPLE_NUMBERS))
    text = phonenumbers.format_number(number, draw(st.sampled_from(FORMATS)))
    text = text.replace(" ", draw(st.sampled_from([" ", "", "-", "  "])))
    if draw(st.booleans()):
        text = text.replace("+", "00", 1)
    if draw(st.booleans()):
        places = [index for index, char in enumerate(text) if char.isdigit()]
        index = draw(st.sampled_from(places))
        text = text[:index] + draw(st.sampled_from("0123456789")) + text[index + 1 :]
    return text


@st.composite
def any_numbers(draw: st.DrawFn) -> str:
    """Mostly written as Dutch numbers are, around nine digits; else any digits, any prefix.

    Numbers have from 8 to 12 digits after their prefix, mostly split by spaces or hyphens.
    """
    if draw(st.integers(0, 2)) > 0:
        prefix = draw(st.sampled_from(DUTCH_PREFIXES))
        size = draw(st.sampled_from([8, 9, 9, 9, 9, 9, 10, 11, 12]))
        start = draw(st.sampled_from(DUTCH_STARTS))
        separators = draw(st.sampled_from([PLAIN, PLAIN, PLAIN, SEPARATORS]))
        end = draw(st.sampled_from(["", "", "", "", "", "", " ", "-", " x12"]))
    else:
        prefix = draw(st.sampled_from(PREFIXES))
        size = draw(st.integers(8, 12))
        start = ""
        separators = draw(st.sampled_from([PLAIN, SEPARATORS]))
        end = draw(st.sampled_from(["", "", "", " ", "-", " x12", "#"]))
    digits = (start + draw(st.text("0123456789", min_size=size, max_size=size)))[:size]
    text = prefix
    for digit in digits:
        text += draw(st.sampled_from(separators)) + digit
    return text + end


@st.composite
def dutch_numbers(draw: st.DrawFn) -> str:
    """Nine digits, of any first digit, after a prefix for the Netherlands or a neighbour."""
    prefix = draw(st.sampled_from(["0", "+31", "+31 ", "0031", "0031 ", "+31 (0)", "0 0 3 1 "]))
    prefix = draw(st.sampled_from([prefix, prefix, prefix, "+32 ", "0032", "+33", "+49 "]))
    start = draw(st.sampled_from(DUTCH_STARTS))
    digits = (start + draw(st.text("0123456789", min_size=9, max_size=9)))[:9]
    text = prefix
    for digit in digits:
        text += draw(st.sampled_from(PLAIN)) + digit
    return text


def telephone_numbers() -> st.SearchStrategy[str]:
    return st.one_of(dutch_numbers(), written_numbers(), any_numbers())


COUNTRY = st.sampled_from(["NL", "NL", "NL", "BE", "DE", "US"])


@settings(max_examples=300)
@given(value=dutch_numbers(), country=COUNTRY)
def test_a_plainly_written_number_is_judged_as_phonenumbers_judges_it(
    value: str, country: str
) -> None:
    assert same(_check_phone(value, country), _check_phone_slow(value, country))


@settings(max_examples=300)
@given(value=written_numbers(), country=COUNTRY)
def test_a_real_number_is_judged_as_phonenumbers_judges_it(value: str, country: str) -> None:
    assert same(_check_phone(value, country), _check_phone_slow(value, country))


@settings(max_examples=300)
@given(value=any_numbers(), country=COUNTRY)
@example(value="0612345678", country="NL")
@example(value="06-12345678", country="NL")
@example(value="06 1234 5678", country="NL")
@example(value="+31 6 12345678", country="NL")
@example(value="+31 (0)6 12345678", country="NL")
@example(value="0031 6 12345678", country="NL")
@example(value="0031612345678", country="BE")
@example(value="+31612345678", country="DE")
@example(value="020 123 4567", country="NL")
@example(value="0601234567", country="NL")
@example(value="+310612345678", country="NL")
@example(value="00310612345678", country="NL")
@example(value="0912345678", country="NL")
@example(value="061234567", country="NL")
@example(value="06123456789", country="NL")
@example(value="-0612345678", country="NL")
@example(value="0612345678-", country="NL")
@example(value="\uff10\uff16 12345678", country="NL")
def test_a_telephone_number_is_judged_as_phonenumbers_judges_it(value: str, country: str) -> None:
    assert same(_check_phone(value, country), _check_phone_slow(value, country))


def nine_digit_numbers() -> Iterator[str]:
    """A Dutch national significant number for every first four digits, in three endings."""
    for start in range(1000, 10_000):
        for ending in ("00000", "55555", "99999"):
            yield f"{start}{ending}"


def test_the_dutch_number_rules_are_those_of_phonenumbers_for_every_first_four_digits() -> None:
    rules = _number_rules("NL")
    differ = [
        national
        for national in nine_digit_numbers()
        if _is_valid_national_number(national, rules)
        != phonenumbers.is_valid_number(PhoneNumber(country_code=31, national_number=int(national)))
    ]
    assert differ == []


@pytest.mark.parametrize(
    ("typed", "national"),
    [
        ("0612345678", "612345678"),
        ("06 12 34 56 78", "612345678"),
        ("06-12345678", "612345678"),
        ("+31 6 12345678", "612345678"),
        ("0031-20-1234567", "201234567"),
        ("0 031 612345678", "612345678"),
        ("0601234567", "601234567"),
        ("+310612345678", None),
        ("+32 470 12 34 56", None),
        ("06  12345678", None),
        ("06 12345678 ", None),
        ("(06) 12345678", None),
        ("06123456789", None),
    ],
)
def test_plainly_written_dutch_numbers_take_the_shortcut(typed: str, national: str | None) -> None:
    assert _dutch_number(typed) == national
    assert same(_check_phone(typed, "NL"), _check_phone_slow(typed, "NL"))


# --- whole forms --------------------------------------------------------------------------


def slow_validate(data: dict[str, object]) -> EmployeeDetails:
    """``validate_employee`` with every shortcut replaced by the full check."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_validation, "_tidy", _tidy_slow)
        patch.setattr(_validation, "_check_phone", _check_phone_slow)
        patch.setattr(_validation, "check_email", _check_email_slow)
        patch.setattr(_validation, "_PLAIN_NAME", re.compile(r"(?!)"))
        return validate_employee(data, registration_types=("OnzeCoach",), today=TODAY)


def outcome(
    validate: Callable[[dict[str, object]], EmployeeDetails], data: dict[str, object]
) -> object:
    """The details, with the type of each field, or the problems in order."""
    try:
        details = validate(data)
    except ValidationError as error:
        return [(type(item), attrs.astuple(item)) for item in error.details]
    assert isinstance(details, EmployeeDetails)
    return [
        (name, type(value), value) for name, value in attrs.asdict(details, recurse=False).items()
    ]


def fast_validate(data: dict[str, object]) -> EmployeeDetails:
    return validate_employee(data, registration_types=("OnzeCoach",), today=TODAY)


FREE_TEXT = st.text(string.ascii_letters + string.digits + " .-'\u00e9", max_size=30)
NAMES = ["Jansen", "van den Berg", "d'Ancona", "De Vries", "M\u00fcller", "ANNA-MARIE", "jan"]
#: Values that pass, in the many ways people type them.
USUAL: dict[str, st.SearchStrategy[object]] = {
    "registration_type": st.sampled_from(["OnzeCoach", "onzecoach", "", None]),
    "employee_number": st.from_regex(r"[A-Za-z0-9._/-]{0,30}", fullmatch=True),
    "last_name": st.sampled_from(NAMES),
    "name_infix": st.sampled_from(["", None, "van der", "Van 't", "in\u2019t"]),
    "given_name": st.sampled_from(NAMES),
    "initials": st.sampled_from(["J.", "jp", "Th. J", "a b c"]),
    "gender": st.sampled_from(["vrouw", "man", "X"]),
    "birth_date": st.sampled_from(["31-12-1980", "1980-12-31", "31/12/1980"]),
    "country": st.sampled_from(["", None, "NL", "nl", "Nederland", "BE", "de"]),
    "postcode": st.sampled_from(["1234 AB", "1234ab", "B-1000", "", None]),
    "house_number": st.sampled_from(["12", "12 a", "12 - 3", "", None]),
    "email": everyday_addresses(odd=False),
    "phone": st.one_of(st.none(), dutch_numbers(), written_numbers()),
}
#: Anything else: wrong, too long, not text, or at the edge of a shortcut.
OTHER: dict[str, st.SearchStrategy[object]] = {
    "registration_type": st.sampled_from(["Anders", 3, "\x00"]),
    "gender": st.sampled_from(["?", "", "onbekend", None, 3]),
    "birth_date": st.sampled_from(["31-02-1980", "2020-01-01", None, "1-1-1", date(1980, 1, 1)]),
    "country": st.sampled_from(["XX", "N L", 31]),
    "postcode": st.sampled_from(["1234 SA", "12345", "1234 AB\x00"]),
    "house_number": st.sampled_from(["a12", "0", "12\t3"]),
    "email": st.one_of(everyday_addresses(), addresses()),
    "phone": any_numbers(),
}


@st.composite
def forms(draw: st.DrawFn) -> dict[str, object]:
    """A form that mostly passes, or one with any value in any field."""
    usual = draw(st.booleans())
    form: dict[str, object] = {}
    for name in FIELDS:
        value = USUAL.get(name, FREE_TEXT)
        if not usual:
            value = st.one_of(value, OTHER.get(name, TEXT))
        if draw(st.sampled_from(range(20))) > 0:
            form[name] = draw(value)
    if not usual and draw(st.booleans()):
        form["unknown"] = "x"
    return form


@settings(max_examples=200)
@given(data=forms())
@example(
    data={
        "employee_number": "P0000001",
        "last_name": "van den Berg",
        "given_name": "Anna",
        "initials": "A.",
        "gender": "vrouw",
        "birth_date": "31-12-1980",
        "email": "medewerker1@example.nl",
        "phone": "0612345678",
        "street": "Stationsstraat",
        "house_number": "1",
        "postcode": "1000 AB",
        "city": "Utrecht",
        "department_id": "d1",
        "job_title": "Adviseur",
        "cost_centre": "KP-1",
    }
)
def test_a_whole_form_is_judged_as_without_the_shortcuts(data: dict[str, object]) -> None:
    assert outcome(fast_validate, data) == outcome(slow_validate, data)


@settings(max_examples=100)
@given(rows=st.lists(forms(), min_size=1, max_size=12))
def test_an_imports_memo_of_recurring_values_judges_every_row_as_without_it(
    rows: list[dict[str, object]],
) -> None:
    # Rows one after the other, as an import checks them: a value seen before (a name, a
    # place, a birth date) is taken from the memo, and the outcome is still the form's own.
    memo: Memo = {}

    def remembering(data: dict[str, object]) -> EmployeeDetails:
        return _validate(data, registration_types=("OnzeCoach",), today=TODAY, memo=memo)

    for data in [*rows, *rows]:
        assert outcome(remembering, data) == outcome(fast_validate, data)
