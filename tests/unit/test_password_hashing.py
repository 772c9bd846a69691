from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import argon2
import pytest

from onzecoach.accounts._hashing import (
    CHEAPEST,
    OWASP_MINIMUM,
    RFC_9106_LOW_MEMORY,
    PasswordHasher,
)
from onzecoach.errors import VerificationFailed

PASSWORD = "Kwistbek7!paddenstoel"
CHEAP = PasswordHasher(CHEAPEST)


def test_hash_and_verify_round_trip() -> None:
    stored = CHEAP.hash(PASSWORD)
    assert stored.startswith("$argon2id$v=19$m=8,t=1,p=1$")
    assert PASSWORD not in stored
    assert CHEAP.verify(stored, PASSWORD) is None  # type: ignore[func-returns-value]


def test_the_same_password_hashes_differently_each_time() -> None:
    first, second = CHEAP.hash(PASSWORD), CHEAP.hash(PASSWORD)
    assert first != second
    CHEAP.verify(first, PASSWORD)
    CHEAP.verify(second, PASSWORD)


def test_a_wrong_password_fails_without_naming_it() -> None:
    stored = CHEAP.hash(PASSWORD)
    with pytest.raises(VerificationFailed) as raised:
        CHEAP.verify(stored, "Kwistbek7!paddenstoeL")
    assert "Kwistbek" not in str(raised.value)
    assert stored not in str(raised.value)
    assert raised.value.__cause__ is None
    assert raised.value.__suppress_context__


@pytest.mark.parametrize(
    "stored",
    [
        "",
        "not a hash",
        "$argon2id$v=19$m=8,t=1,p=1$zzzz$zzzz",  # right header, body that does not decode
        "$argon2x$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaA",  # unknown kind
        "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW",  # bcrypt
        "$argon2id$v=19$m=8,t=1,p=1$\uff432FsdA$aGFzaA",  # not ASCII
    ],
)
def test_a_malformed_or_unknown_hash_fails_like_a_wrong_password(stored: str) -> None:
    with pytest.raises(VerificationFailed):
        CHEAP.verify(stored, PASSWORD)


def test_the_hasher_does_not_normalise() -> None:
    stored = CHEAP.hash("Kwistb7!ek\ufb01")  # the caller was meant to pass "...fi"
    with pytest.raises(VerificationFailed):
        CHEAP.verify(stored, "Kwistb7!ekfi")


def test_any_text_hashes_and_a_lone_surrogate_fails_verification_cleanly() -> None:
    for password in ["Ünïcödé wachtwoord 🙂 2026", "", "a" * 10_000]:
        CHEAP.verify(CHEAP.hash(password), password)
    stored = CHEAP.hash(PASSWORD)
    with pytest.raises(VerificationFailed):
        CHEAP.verify(stored, "\ud800")


def test_needs_rehash_once_the_parameters_change() -> None:
    stored = CHEAP.hash(PASSWORD)
    assert not CHEAP.needs_rehash(stored)
    stronger = PasswordHasher(dataclasses.replace(CHEAPEST, time_cost=2))
    assert stronger.needs_rehash(stored)
    assert PasswordHasher(OWASP_MINIMUM).needs_rehash(stored)
    assert not stronger.needs_rehash(stronger.hash(PASSWORD))


def test_a_hash_of_another_argon2_type_needs_rehash() -> None:
    legacy = argon2.PasswordHasher.from_parameters(
        dataclasses.replace(CHEAPEST, type=argon2.Type.I)
    ).hash(PASSWORD)
    CHEAP.verify(legacy, PASSWORD)
    assert CHEAP.needs_rehash(legacy)


def test_an_unreadable_hash_needs_rehash() -> None:
    assert CHEAP.needs_rehash("not a hash")


@pytest.mark.parametrize("kind", [argon2.Type.I, argon2.Type.D])
def test_only_argon2id_parameters_are_accepted(kind: argon2.Type) -> None:
    with pytest.raises(ValueError, match="argon2id"):
        PasswordHasher(dataclasses.replace(CHEAPEST, type=kind))


def test_owasp_minimum_meets_the_cheat_sheet() -> None:
    assert OWASP_MINIMUM.type is argon2.Type.ID
    assert OWASP_MINIMUM.memory_cost >= 19 * 1024
    assert OWASP_MINIMUM.time_cost >= 2
    assert OWASP_MINIMUM.parallelism == 1
    assert (OWASP_MINIMUM.hash_len, OWASP_MINIMUM.salt_len) == (32, 16)


def test_the_default_is_rfc_9106_low_memory() -> None:
    assert PasswordHasher().parameters == RFC_9106_LOW_MEMORY
    assert RFC_9106_LOW_MEMORY == argon2.profiles.RFC_9106_LOW_MEMORY
    assert RFC_9106_LOW_MEMORY.type is argon2.Type.ID
    assert RFC_9106_LOW_MEMORY.memory_cost == 64 * 1024
    assert RFC_9106_LOW_MEMORY.time_cost == 3
    assert RFC_9106_LOW_MEMORY.parallelism == 4


def test_the_default_hashes_and_verifies_for_real() -> None:
    hasher = PasswordHasher()
    stored = hasher.hash(PASSWORD)
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    hasher.verify(stored, PASSWORD)
    assert not hasher.needs_rehash(stored)


def test_matches_any_finds_a_recent_password() -> None:
    recent = [CHEAP.hash(password) for password in ("Eerste7!wachtw", "Tweede7!wachtw")]
    assert CHEAP.matches_any(recent, "Tweede7!wachtw")
    assert CHEAP.matches_any(["not a hash", *recent], "Eerste7!wachtw")
    assert not CHEAP.matches_any(recent, "Derde7!wachtwo")
    assert not CHEAP.matches_any([], "Eerste7!wachtw")


def test_matches_any_checks_every_hash_also_after_a_match() -> None:
    recent = [CHEAP.hash(password) for password in ("Eerste7!wachtw", "Tweede7!wachtw", "x")]
    checked: list[str] = []

    def each() -> Iterator[str]:
        for stored in recent:
            checked.append(stored)
            yield stored

    assert CHEAP.matches_any(each(), "Eerste7!wachtw")
    assert checked == recent


def test_burn_never_raises() -> None:
    hasher = PasswordHasher(CHEAPEST)
    hasher.burn(PASSWORD)
    hasher.burn(PASSWORD)  # the dummy hash, made once, is reused
    hasher.burn("")
    hasher.burn("\ud800")


def test_repr_names_the_parameters_only() -> None:
    hasher = PasswordHasher(CHEAPEST)
    hasher.burn(PASSWORD)
    assert repr(hasher) == ("PasswordHasher(argon2id, memory_cost=8, time_cost=1, parallelism=1)")
