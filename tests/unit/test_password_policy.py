from __future__ import annotations

import contextlib
import random
import string
import subprocess
import sys
import unicodedata

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from onzecoach.errors import FieldError, PasswordPolicyError
from onzecoach.passwords import REUSED, PasswordPolicy, is_common

POLICY = PasswordPolicy()
USERNAME = "anna.devries"
STRONG = "vT8#qLm2$Wz9"

TOO_SHORT = "Het wachtwoord moet minimaal 12 tekens lang zijn."
TOO_LONG = "Het wachtwoord mag maximaal 256 tekens lang zijn."
CONTAINS_USERNAME = "De inlognaam mag niet in het wachtwoord zitten."
TOO_FEW_CLASSES = (
    "Gebruik minimaal 3 van de 4 groepen: kleine letters, hoofdletters, cijfers en speciale tekens."
)
COMMON = "Dit wachtwoord is te bekend of komt voor in gelekte wachtwoordlijsten."


@pytest.fixture(scope="module", autouse=True)
def _leaked_list_loaded() -> None:
    """Loads the list once up front, so its first use does not count against a deadline."""
    is_common(STRONG)


def full_width(text: str) -> str:
    """``text`` with its printable ASCII in the full-width forms of East Asian keyboards."""
    return "".join(chr(ord(char) + 0xFEE0) if "!" <= char <= "~" else char for char in text)


def codes(
    password: object, *, username: str = USERNAME, policy: PasswordPolicy = POLICY
) -> list[str]:
    return [item.code for item in policy.violations(password, username=username)]


def test_a_strong_password_is_accepted_and_returned_normalised() -> None:
    assert POLICY.violations(STRONG, username=USERNAME) == []
    assert POLICY.check(STRONG, username=USERNAME) == STRONG


@pytest.mark.parametrize(
    ("password", "code", "message"),
    [
        ("Kort7!abc", "too_short", TOO_SHORT),
        ("Aa1!" * 64 + "x", "too_long", TOO_LONG),
        ("Xq7#Anna.deVries", "contains_username", CONTAINS_USERNAME),
        ("kwistbekpaddenstoel", "too_few_classes", TOO_FEW_CLASSES),
        ("Password1234!", "common", COMMON),
    ],
)
def test_each_rule_has_a_stable_code_and_a_dutch_message(
    password: str, code: str, message: str
) -> None:
    assert POLICY.violations(password, username=USERNAME) == [FieldError("password", code, message)]
    with pytest.raises(PasswordPolicyError) as raised:
        POLICY.check(password, username=USERNAME)
    assert raised.value.violations == (code,)
    assert raised.value.errors == {"password": message}


def test_every_broken_rule_is_reported_at_once() -> None:
    assert codes("abc", username="abc") == ["too_short", "contains_username", "too_few_classes"]
    with pytest.raises(PasswordPolicyError) as raised:
        POLICY.check("abc", username="abc")
    assert raised.value.violations == ("too_short", "contains_username", "too_few_classes")
    assert raised.value.errors == {"password": TOO_SHORT}
    assert [item.message for item in raised.value.details] == [
        TOO_SHORT,
        CONTAINS_USERNAME,
        TOO_FEW_CLASSES,
    ]


def test_messages_take_their_numbers_from_the_policy() -> None:
    policy = PasswordPolicy(min_length=16, max_length=128, min_classes=4, history=10)
    messages = [item.message for item in policy.violations("Ab1!" * 33, username="")]
    assert messages == ["Het wachtwoord mag maximaal 128 tekens lang zijn."]
    messages = [item.message for item in policy.violations("kwistbek", username="")]
    assert messages == [
        "Het wachtwoord moet minimaal 16 tekens lang zijn.",
        "Gebruik minimaal 4 van de 4 groepen: kleine letters, hoofdletters, cijfers en "
        "speciale tekens.",
    ]
    assert policy.reused() == FieldError(
        "password", "reused", "Mag niet hetzelfde zijn als de laatste 10 gebruikte wachtwoorden."
    )
    assert PasswordPolicy(history=1).reused().message == (
        "Mag niet hetzelfde zijn als het laatst gebruikte wachtwoord."
    )


def test_reused_is_the_manuals_history_rule() -> None:
    assert (
        FieldError(
            "password", "reused", "Mag niet hetzelfde zijn als de laatste 6 gebruikte wachtwoorden."
        )
        == REUSED
    )
    assert POLICY.history == 6
    assert PasswordPolicyError([REUSED]).violations == ("reused",)


# The manual: at least 12 characters; the username may not be in it; 3 of the 4 groups:
# lower case (a-z), upper case (A-Z), digits (0-9), special characters (~ ! @ # $ % ^ & *).


def test_manual_minimum_of_twelve_characters() -> None:
    assert codes("Kwistbek7!p") == ["too_short"]
    assert codes("Kwistbek7!pa") == []


def test_manual_username_may_not_be_in_it_whatever_the_case() -> None:
    assert codes("Groet7!vanANNA.DEVRIES") == ["contains_username"]
    assert codes("Groet7!van" + USERNAME.upper(), username=USERNAME.title()) == [
        "contains_username"
    ]
    assert codes("Groet7!vanAnnaDeVries") == []  # not the username itself


@pytest.mark.parametrize("username", ["", " ", "\t\n"])
def test_an_empty_username_never_matches(username: str) -> None:
    assert codes(STRONG, username=username) == []


@pytest.mark.parametrize(
    "password",
    [
        "Kwistbekpaddenstoel7",  # lower, upper, digits
        "kwistbek7!paddenstoel",  # lower, digits, special
        "KWISTBEK7!PADDENSTOEL",  # upper, digits, special
        *[f"Kwistbek{special}paddenstoel" for special in "~!@#$%^&*"],  # lower, upper, special
    ],
)
def test_manual_three_of_the_four_groups_are_enough(password: str) -> None:
    assert codes(password) == []


@pytest.mark.parametrize(
    "password",
    ["Kwistbekpaddenstoel", "kwistbek7paddenstoel", "KWISTBEK!PADDENSTOEL", "1234 5678 9012"],
)
def test_manual_two_groups_are_too_few(password: str) -> None:
    assert "too_few_classes" in codes(password)


def test_groups_are_unicode_wide() -> None:
    # Lt counts as upper case, Nd in any script as a digit, and a letter without case
    # (Lo), like a space or an emoji, as a special character.
    titlecase = "\u1f88"  # GREEK CAPITAL LETTER ALPHA WITH PSILI AND PROSGEGRAMMENI
    assert unicodedata.category(POLICY.normalise(titlecase)) == "Lt"
    assert codes(f"{titlecase}kwistbekpaddenstoel7") == []
    assert codes("kwistbekpaddenstoel\u0667") == ["too_few_classes"]  # ARABIC-INDIC DIGIT SEVEN
    assert codes("Kwistbekpaddenstoel\u0667") == []
    assert codes("漢字漢字漢字Kwistbek") == []
    assert codes("漢字漢字漢字kwistbek") == ["too_few_classes"]
    assert codes("Kwistbek paddenstoel") == []
    assert codes("Kwistbek🙂paddenstoel") == []


def test_unicode_passphrases_are_accepted() -> None:
    for password in [
        "Ünïcödé wachtwoord 🙂 2026",
        "Пароль-надёжный-2026",
        "Zoë-koopt 3 crème brûlées",
    ]:
        assert POLICY.check(password, username=USERNAME) == unicodedata.normalize("NFKC", password)


def test_a_128_character_password_from_a_password_manager_is_accepted() -> None:
    rng = random.Random(2026)
    alphabet = string.ascii_letters + string.digits + string.punctuation
    password = "".join(rng.choice(alphabet) for _ in range(128))
    assert POLICY.check(password, username=USERNAME) == password


def test_the_maximum_length_is_allowed_and_one_more_refused() -> None:
    assert codes("Ab1!" * 64) == []
    assert codes("Ab1!" * 64 + "x") == ["too_long"]
    assert codes("Ab1!" * 32, policy=PasswordPolicy(max_length=128)) == []
    assert codes("Ab1!" * 32 + "x", policy=PasswordPolicy(max_length=128)) == ["too_long"]


def test_a_password_far_too_long_is_only_told_so() -> None:
    assert codes("a" * 1024) == ["too_long", "too_few_classes"]
    assert codes("a" * 1025) == ["too_long"]
    assert codes("abc" * 100_000, username="abc") == ["too_long"]


def test_full_width_letters_equal_their_ascii_forms() -> None:
    typed = full_width("Kwistbek7!pad")
    assert typed != "Kwistbek7!pad"
    assert POLICY.normalise(typed) == "Kwistbek7!pad"
    assert POLICY.check(typed, username=USERNAME) == "Kwistbek7!pad"
    assert codes(full_width("Password1234!")) == ["common"]
    assert codes("Groet7!" + full_width("vananna.devries")) == ["contains_username"]


def test_length_counts_code_points_after_nfkc() -> None:
    ligature = "Kwistb7!ek\ufb01"  # 11 code points; the ligature becomes "fi"
    assert len(ligature) == 11
    assert POLICY.check(ligature, username=USERNAME) == "Kwistb7!ekfi"
    combining = "Kwistb7!bek" + "e\u0301"  # 13 code points; e + acute becomes one
    assert len(combining) == 13
    assert codes(combining) == []
    assert codes("Kwist7!bek" + "e\u0301") == ["too_short"]


@pytest.mark.parametrize(
    "password",
    [
        "Password1234!",
        "Welkom2026!!!",
        "wachtwoord123A",
        "Zomer2026!!!",
        "OnzeCoach2026!",
        "2026-Januari-!!",
        "qwerty123456!A",
        full_width("Password1234!"),
    ],
)
def test_common_and_leaked_passwords_are_refused(password: str) -> None:
    assert codes(password) == ["common"]


@pytest.mark.parametrize(
    "password",
    [STRONG, "Paarse-olifant-danst-7x", "Ünïcödé wachtwoord 🙂 2026", "Zomer in Rome, 2026!"],
)
def test_strong_passwords_are_not_common(password: str) -> None:
    assert not is_common(password)
    assert codes(password) == []


def test_is_common() -> None:
    assert is_common("password")
    assert is_common("PASSWORD")
    assert is_common("!!Welkom!!")
    assert is_common("Herfst2026")
    assert is_common("Dragon")
    assert not is_common("abc1234!!!!!")  # a core of 3 letters never counts
    assert not is_common("123!")
    assert not is_common("")
    assert not is_common("Kwistbekpaddenstoel")


def test_the_rules_can_be_switched_off() -> None:
    assert codes("Password1234!", policy=PasswordPolicy(forbid_common=False)) == []
    assert codes("Xq7#anna.devries", policy=PasswordPolicy(forbid_username=False)) == []
    assert codes("kwistbekpaddenstoel", policy=PasswordPolicy(min_classes=1)) == []


@pytest.mark.parametrize("password", [None, 123456789012, b"Kwistbek7!paddenstoel", ["x"]])
def test_a_password_that_is_not_text_is_one_invalid_violation(password: object) -> None:
    assert POLICY.violations(password, username=USERNAME) == [
        FieldError("password", "invalid", "Vul een wachtwoord in als tekst.")
    ]
    with pytest.raises(PasswordPolicyError) as raised:
        POLICY.check(password, username=USERNAME)
    assert raised.value.violations == ("invalid",)


def test_a_lone_surrogate_is_invalid() -> None:
    violations = POLICY.violations("Kwistbek7!pad\ud800", username=USERNAME)
    assert violations == [
        FieldError("password", "invalid", "Het wachtwoord bevat ongeldige tekens.")
    ]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("min_length", 0),
        ("max_length", 127),
        ("max_length", -1),
        ("min_length", 300),  # more than max_length
        ("min_classes", 0),
        ("min_classes", 5),
        ("history", -1),
    ],
)
def test_the_policy_refuses_bad_settings_naming_the_field(field: str, value: int) -> None:
    with pytest.raises(ValueError, match=field):
        PasswordPolicy(**{field: value})  # type: ignore[arg-type]


def test_the_policy_accepts_its_edges() -> None:
    PasswordPolicy(min_length=1, max_length=128, min_classes=1, history=0)
    PasswordPolicy(min_length=500, max_length=500, min_classes=4)


def test_the_leaked_list_is_not_loaded_at_import() -> None:
    code = (
        "import sys, onzecoach, onzecoach.passwords;"
        "assert 'zxcvbn.frequency_lists' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# Properties over arbitrary text.

texts = st.one_of(
    st.text(),
    st.text(min_size=10, max_size=300),
    st.text(
        st.characters(categories=["Ll", "Lu", "Lt", "Lo", "Nd", "P", "S", "Zs", "Mn"]),
        min_size=10,
        max_size=40,
    ),
)
# A well-known word dressed up the usual way, so the common rule gets exercised too.
dressed_up = st.builds(
    lambda word, capital, tail: (word.title() if capital else word) + tail,
    st.sampled_from(["password", "welkom", "zomer", "dragon", "wachtwoord", "Kwistbek"]),
    st.booleans(),
    st.text(st.characters(categories=["Nd", "P", "S", "Lu"]), max_size=10),
)
anything = st.one_of(
    texts,
    dressed_up,
    st.text(st.characters(exclude_categories=()), max_size=20),  # with lone surrogates
    st.none(),
    st.integers(),
    st.binary(max_size=20),
)
policies = st.builds(
    PasswordPolicy,
    min_length=st.integers(1, 40),
    max_length=st.integers(128, 300),
    min_classes=st.integers(1, 4),
    history=st.integers(0, 24),
    forbid_username=st.booleans(),
    forbid_common=st.booleans(),
)


@given(password=anything, username=st.text(max_size=12))
def test_check_raises_nothing_but_the_policy_error(password: object, username: str) -> None:
    POLICY.violations(password, username=username)
    with contextlib.suppress(PasswordPolicyError):
        POLICY.check(password, username=username)


def groups(text: str) -> set[str]:
    """The manual's four groups, written out again here to check the policy against."""
    found = set()
    for char in text:
        category = unicodedata.category(char)
        if category == "Ll":
            found.add("lower")
        elif category in ("Lu", "Lt"):
            found.add("upper")
        elif category == "Nd":
            found.add("digit")
        else:
            found.add("special")
    return found


@st.composite
def password_and_username(draw: st.DrawFn) -> tuple[str, str]:
    """A password, and a username that is often a piece of it in another case."""
    password = draw(st.one_of(texts, dressed_up))
    if not password or draw(st.booleans()):
        return password, draw(st.text(max_size=8))
    start = draw(st.integers(0, len(password) - 1))
    username = password[start : draw(st.integers(start + 1, len(password)))]
    return password, draw(st.sampled_from([username, username.swapcase(), username.upper()]))


@given(pair=password_and_username(), policy=policies)
@example(pair=("Ünïcödé wachtwoord 🙂 2026", "anna"), policy=POLICY)
@example(pair=(full_width("Kwistbek7!pad"), "ad"), policy=POLICY)
def test_an_accepted_password_meets_every_rule(
    pair: tuple[str, str], policy: PasswordPolicy
) -> None:
    password, username = pair
    try:
        accepted = policy.check(password, username=username)
    except PasswordPolicyError:
        return
    nfkc = unicodedata.normalize("NFKC", password)
    assert accepted == nfkc
    assert policy.min_length <= len(nfkc) <= policy.max_length
    name = unicodedata.normalize("NFKC", username).casefold().strip()
    if policy.forbid_username and name:
        assert name not in nfkc.casefold()
    assert len(groups(nfkc)) >= policy.min_classes
    if policy.forbid_common:
        assert not is_common(nfkc)


@given(
    pair=st.one_of(password_and_username(), st.tuples(anything, st.text(max_size=8))),
    policy=policies,
)
@example(pair=("Ab1\ud800" * 4, ""), policy=POLICY)
def test_check_raises_exactly_when_there_are_violations(
    pair: tuple[object, str], policy: PasswordPolicy
) -> None:
    password, username = pair
    found = policy.violations(password, username=username)
    if not found:
        assert isinstance(password, str)
        assert policy.check(password, username=username) == policy.normalise(password)
        return
    with pytest.raises(PasswordPolicyError) as raised:
        policy.check(password, username=username)
    assert raised.value.violations == tuple(item.code for item in found)
    assert list(raised.value.details) == found


# --- the rules as a screen lists them -------------------------------------------------------


def test_the_default_rules_are_the_manuals() -> None:
    assert [(rule.code, rule.text) for rule in POLICY.rules()] == [
        ("too_short", "Minimaal 12 karakters."),
        ("contains_username", "De inlognaam mag er niet in zitten."),
        ("reused", "Niet hetzelfde als de laatste 6 gebruikte wachtwoorden."),
        ("too_few_classes", "Minimaal 3 van de 4: kleine letters, hoofdletters, cijfers, tekens."),
        ("common", "Geen bekend of makkelijk te raden wachtwoord."),
    ]


def test_the_rules_say_a_configured_policys_numbers() -> None:
    policy = PasswordPolicy(min_length=14, history=10, min_classes=2)
    texts = {rule.code: rule.text for rule in policy.rules()}
    assert texts["too_short"] == "Minimaal 14 karakters."
    assert texts["reused"] == "Niet hetzelfde als de laatste 10 gebruikte wachtwoorden."
    assert texts["too_few_classes"].startswith("Minimaal 2 van de 4:")
    strict = {rule.code: rule.text for rule in PasswordPolicy(history=1, min_classes=4).rules()}
    assert strict["reused"] == "Niet hetzelfde als het laatst gebruikte wachtwoord."
    assert strict["too_few_classes"].startswith("Alle 4:")


def test_a_rule_the_policy_does_not_apply_is_not_listed() -> None:
    policy = PasswordPolicy(history=0, forbid_username=False, forbid_common=False)
    assert [rule.code for rule in policy.rules()] == ["too_short", "too_few_classes"]


def broken_by(policy: PasswordPolicy) -> set[str]:
    """Every code ``policy`` reports for some password, the history's included."""
    username = "anna.devries"
    tried = ["", "a", "Password1234!", "Xq7#anna.devries", "kwistbekpaddenstoel"]
    found = {
        item.code for password in tried for item in policy.violations(password, username=username)
    }
    return found | ({policy.reused().code} if policy.history else set())


@given(policy=policies)
@example(policy=POLICY)
def test_the_rules_are_the_rules_the_policy_can_report_broken(policy: PasswordPolicy) -> None:
    assert {rule.code for rule in policy.rules()} == broken_by(policy)
    texts = {rule.code: rule.text for rule in policy.rules()}
    assert f"Minimaal {policy.min_length} karakter" in texts["too_short"]
    if policy.history > 1:
        assert f"laatste {policy.history} gebruikte" in texts["reused"]
