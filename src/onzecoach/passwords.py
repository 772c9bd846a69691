"""The password policy of the portal's manual, and the check for common passwords.

The policy is configuration (``Settings.password_policy``) that the accounts feature
applies; it lives beside the settings so that they need nothing of any feature.

The manual asks for at least 12 characters, no username inside, not one of the last 6
passwords, and 3 of the 4 groups: lower case, upper case, digits and special characters.
This module adds a maximum length and refuses passwords that are well known or appear in
leaked lists. ``PasswordPolicy.rules`` words the rules for a screen, in the policy's own
numbers.
"""

from __future__ import annotations

import functools
import itertools
import unicodedata
from typing import Any, Final

import argon2
import attrs
from argon2 import profiles

from onzecoach.errors import FieldError, PasswordPolicyError
from onzecoach.messages import field_text

__all__ = [
    "CHEAPEST",
    "OWASP_MINIMUM",
    "REUSED",
    "RFC_9106_LOW_MEMORY",
    "PasswordPolicy",
    "PasswordRule",
    "is_common",
]

#: The least OWASP accepts for argon2id (Password Storage Cheat Sheet, as ASVS 5.0 asks):
#: 19 MiB, 2 iterations, 1 lane. For hosts that cannot spare 64 MiB per login.
OWASP_MINIMUM: Final = argon2.Parameters(
    type=argon2.Type.ID,
    version=19,
    salt_len=16,
    hash_len=32,
    time_cost=2,
    memory_cost=19456,  # KiB
    parallelism=1,
)
#: RFC 9106's second recommendation, 64 MiB, 3 iterations, 4 lanes: the default.
RFC_9106_LOW_MEMORY: Final = profiles.RFC_9106_LOW_MEMORY
#: Only for tests: 8 KiB and one iteration, so a hash takes microseconds. Never in production.
CHEAPEST: Final = profiles.CHEAPEST

#: The shortest core (or run of letters) that is looked up as a common word: below this,
#: almost every string would contain one.
COMMON_CORE_MIN_LENGTH: Final = 4
#: Letters that may surround a common word and still leave the password common: people
#: append one or two to satisfy the groups rule ("wachtwoord123A").
COMMON_EXTRA_LETTERS: Final = 2

#: Words that the leaked lists (mostly English) miss but that people here reach for first:
#: the portal's own name and vocabulary, the Dutch word for password, the greeting of the
#: welcome mail, and the season or month of the day the password was set, to which a year
#: and a "!" are added ("Zomer2026!").
CONTEXT_WORDS: Final = frozenset(
    {
        "onzecoach",
        "coaching",
        "portaal",
        "wachtwoord",
        "welkom",
        "lente",
        "zomer",
        "herfst",
        "winter",
        "voorjaar",
        "najaar",
        "januari",
        "februari",
        "maart",
        "april",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    }
)

_LOWER: Final = frozenset({"Ll"})
_UPPER: Final = frozenset({"Lu", "Lt"})
_CASED: Final = _LOWER | _UPPER
_DIGIT: Final = frozenset({"Nd"})

#: Past this many times ``max_length`` a password is only told that it is too long: nobody
#: types it, and the other rules would cost time in proportion to its length.
_EXAMINED_FACTOR: Final = 4

_NOT_TEXT: Final = FieldError.of("password", "invalid")


def _fold(text: str) -> str:
    """The form two texts are compared in regardless of case and compatibility forms."""
    return unicodedata.normalize("NFKC", text).casefold()


def _is_cased_letter(char: str) -> bool:
    return unicodedata.category(char) in _CASED


@functools.cache
def _leaked_passwords() -> frozenset[str]:
    # Loaded on first use, not at import: the lists take tens of milliseconds and
    # megabytes to build, and a process that never sets a password does not need them.
    from zxcvbn.frequency_lists import (  # type: ignore[import-untyped]  # noqa: PLC0415
        FREQUENCY_LISTS,
    )

    lists: dict[str, Any] = FREQUENCY_LISTS
    return frozenset(str(word) for word in lists["passwords"])


def _known(word: str) -> bool:
    return len(word) >= COMMON_CORE_MIN_LENGTH and (
        word in CONTEXT_WORDS or word in _leaked_passwords()
    )


def is_common(password: str) -> bool:
    """Whether ``password`` is well known, or a well-known word dressed up.

    Common are: a password on zxcvbn's list of 30,000 leaked passwords; one whose core,
    once digits and special characters are stripped from both ends, is on that list or
    is a word people here reach for first (``CONTEXT_WORDS``), so "Password1234!" and
    "Welkom2026!!!" are common; and one whose longest run of letters is such a word with
    at most two other letters anywhere ("wachtwoord123A"). Case does not matter; a core
    shorter than 4 characters never counts.
    """
    folded = _fold(password)
    if folded in _leaked_passwords():
        return True
    # Digits and special characters are what is not a cased letter (the policy's groups).
    start, end = 0, len(folded)
    while start < end and not _is_cased_letter(folded[start]):
        start += 1
    while end > start and not _is_cased_letter(folded[end - 1]):
        end -= 1
    if _known(folded[start:end]):
        return True
    runs = [
        "".join(chars)
        for is_letter, chars in itertools.groupby(folded, key=_is_cased_letter)
        if is_letter
    ]
    if not runs:
        return False
    longest = max(runs, key=len)
    extra_letters = sum(len(run) for run in runs) - len(longest)
    return extra_letters <= COMMON_EXTRA_LETTERS and _known(longest)


def _positive(_: object, attribute: attrs.Attribute[int], value: int) -> None:
    if value <= 0:
        raise ValueError(f"{attribute.name} must be positive, got {value!r}")


def _max_length(policy: PasswordPolicy, attribute: attrs.Attribute[int], value: int) -> None:
    # Long passphrases and a password manager's random output must always fit.
    if value < 128:
        raise ValueError(f"{attribute.name} must be at least 128, got {value!r}")
    if policy.min_length > value:
        raise ValueError(
            f"min_length must not exceed max_length ({value}), got {policy.min_length!r}"
        )


def _min_classes(_: object, attribute: attrs.Attribute[int], value: int) -> None:
    if not 1 <= value <= 4:
        raise ValueError(f"{attribute.name} must be between 1 and 4, got {value!r}")


def _not_negative(_: object, attribute: attrs.Attribute[int], value: int) -> None:
    if value < 0:
        raise ValueError(f"{attribute.name} must not be negative, got {value!r}")


@attrs.frozen
class PasswordRule:
    """One rule of a ``PasswordPolicy``, worded to be shown before a password is typed.

    ``code`` is the ``FieldError.code`` the policy reports when the rule is broken, so a
    screen can tick the rule off as it is met, or list the rules a refused password broke
    in the same words.
    """

    code: str
    #: Short Dutch text for a list of requirements: "Minimaal 12 karakters."
    text: str


@attrs.frozen(kw_only=True)
class PasswordPolicy:
    """The rules a new password has to meet; every broken rule is reported at once.

    Lengths count code points after NFKC normalisation, the form the password is hashed
    in, so letters typed in their full-width forms are the same password as plain ones.
    The groups are Unicode-wide: lower case (Ll), upper case (Lu, Lt), digits (Nd), and
    special, which is every other character: spaces, punctuation, symbols, emoji and
    letters without case such as Chinese or Arabic.
    """

    #: The fewest characters.
    min_length: int = attrs.field(default=12, validator=_positive)
    #: The most characters; longer is refused rather than cut off.
    max_length: int = attrs.field(default=256, validator=[_positive, _max_length])
    #: How many of the 4 groups a password needs.
    min_classes: int = attrs.field(default=3, validator=_min_classes)
    #: How many previous passwords may not be used again; the account service checks it.
    history: int = attrs.field(default=6, validator=_not_negative)
    #: Refuse a password that contains the username, ignoring case.
    forbid_username: bool = True
    #: Refuse a password that ``is_common``.
    forbid_common: bool = True

    def normalise(self, password: str) -> str:
        """The password as it is measured and hashed: NFKC."""
        return unicodedata.normalize("NFKC", password)

    def rules(self) -> tuple[PasswordRule, ...]:
        """The rules a new password must meet, in this policy's numbers, in the manual's order.

        A rule the policy does not apply is left out: the username with
        ``forbid_username`` off, the history at ``history=0``, common passwords with
        ``forbid_common`` off. The maximum length is not listed either: it only stops what
        nobody types, and a ``too_long`` violation carries its own message.
        """
        found = [
            PasswordRule(
                "too_short",
                field_text(
                    "password_rule.too_short.one"
                    if self.min_length == 1
                    else "password_rule.too_short",
                    min_length=self.min_length,
                ),
            )
        ]
        if self.forbid_username:
            found.append(
                PasswordRule("contains_username", field_text("password_rule.contains_username"))
            )
        if self.history:
            found.append(
                PasswordRule(
                    "reused",
                    field_text(
                        "password_rule.reused.one" if self.history == 1 else "password_rule.reused",
                        history=self.history,
                    ),
                )
            )
        found.append(
            PasswordRule(
                "too_few_classes",
                field_text(
                    "password_rule.too_few_classes.all"
                    if self.min_classes == 4
                    else "password_rule.too_few_classes",
                    min_classes=self.min_classes,
                ),
            )
        )
        if self.forbid_common:
            found.append(PasswordRule("common", field_text("password_rule.common")))
        return tuple(found)

    def reused(self) -> FieldError:
        """The violation the account service reports when a recent password comes back."""
        return FieldError.of(
            "password",
            "reused",
            key="password.reused.one" if self.history == 1 else "password.reused",
            history=self.history,
        )

    def violations(self, password: object, *, username: str) -> list[FieldError]:
        """Every rule ``password`` breaks, in a fixed order; empty when it is acceptable.

        Only a password more than four times too long hears just that it is too long.
        """
        if not isinstance(password, str):
            return [_NOT_TEXT]
        return self._broken(self.normalise(password), username)

    def check(self, password: object, *, username: str) -> str:
        """The normalised password, ready to hash; or ``PasswordPolicyError`` naming every rule."""
        if not isinstance(password, str):
            raise PasswordPolicyError([_NOT_TEXT])
        normal = self.normalise(password)
        found = self._broken(normal, username)
        if found:
            raise PasswordPolicyError(found)
        return normal

    def _broken(self, normal: str, username: str) -> list[FieldError]:
        too_long = FieldError.of("password", "too_long", max_length=self.max_length)
        if len(normal) > _EXAMINED_FACTOR * self.max_length:
            return [too_long]
        found: list[FieldError] = []
        if any(unicodedata.category(char) == "Cs" for char in normal):
            # A lone surrogate (from a JSON escape, never from a keyboard) cannot be encoded.
            found.append(FieldError.of("password", "invalid", key="password.invalid.characters"))
        if len(normal) < self.min_length:
            found.append(FieldError.of("password", "too_short", min_length=self.min_length))
        if len(normal) > self.max_length:
            found.append(too_long)
        if self.forbid_username:
            name = _fold(username).strip()
            if name and name in _fold(normal):
                found.append(FieldError.of("password", "contains_username"))
        if _classes(normal) < self.min_classes:
            found.append(FieldError.of("password", "too_few_classes", min_classes=self.min_classes))
        if self.forbid_common and is_common(normal):
            found.append(FieldError.of("password", "common"))
        return found


def _classes(password: str) -> int:
    """How many of the 4 groups ``password`` draws from."""
    lower = upper = digit = special = False
    for char in password:
        category = unicodedata.category(char)
        if category in _LOWER:
            lower = True
        elif category in _UPPER:
            upper = True
        elif category in _DIGIT:
            digit = True
        else:
            special = True
    return lower + upper + digit + special


#: Reported by the account service when a password is one of the last ``history`` ones.
REUSED: Final = PasswordPolicy().reused()
