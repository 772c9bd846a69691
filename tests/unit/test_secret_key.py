"""``Settings`` refuses a ``secret_key`` that is easy to guess, and only that one.

What ``secrets`` makes always passes (a property over many keys, not one lucky example);
words, repeats, sequences, keyboard walks and short or tiny-alphabet keys fail, with a
message that names the setting and how to make a key, and never shows the key.
"""

from __future__ import annotations

import secrets
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onzecoach import Settings
from onzecoach.crypto import Sealer
from onzecoach.settings import SECRET_KEY_MIN_BITS, estimate_key_bits
from support import TEST_SECRET_KEY

BASE_URL = "https://portaal.example.nl"
ADVICE = "python -c 'import secrets; print(secrets.token_urlsafe(32))'"


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=32, max_value=96))
def test_a_token_urlsafe_of_32_bytes_or_more_always_passes(nbytes: int) -> None:
    key = secrets.token_urlsafe(nbytes)
    assert estimate_key_bits(key) >= SECRET_KEY_MIN_BITS
    assert Settings(base_url=BASE_URL, secret_key=key).secret_key == key


@settings(max_examples=30, deadline=None)
@given(st.integers(min_value=32, max_value=96))
def test_a_token_hex_of_32_bytes_or_more_always_passes(nbytes: int) -> None:
    key = secrets.token_hex(nbytes)
    assert estimate_key_bits(key) >= SECRET_KEY_MIN_BITS
    assert Settings(base_url=BASE_URL, secret_key=key).secret_key == key


WEAK = {
    "one character repeated": "s" * 40,
    "another": "x" * 32,
    "a word repeated": "password" * 5,
    "a short pattern repeated": "test-" * 8,
    "the old test key: words and sequences": "test-only-secret-key-0123456789abcdefghijklmnop",
    "a keyboard walk": "qwertyuiopasdfghjklzxcvbnm1234567890qwerty",
    "another keyboard walk": "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0p;/",
    "the alphabet": "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH",
    "a phrase of common words": "the quick brown fox jumps over the lazy dog again",
    "words and dashes": "correct-horse-battery-staple-correct-horse",
    "a famous password, three times": "Tr0ub4dor&3-Tr0ub4dor&3-Tr0ub4dor&3-xx",
    "64 random bits written in binary": format(0xB7E151628AED2A6A, "064b"),
    "16 random bytes in 22 characters": "pC2yhC1Gk4uR9ol0Q8WJbw",
    "13 random bytes in hex": "7f3c9a1e5b2d8c4f6a0e9b3d71",
    "short": "k3y",
    "empty": "",
}


@pytest.mark.parametrize("key", list(WEAK.values()), ids=list(WEAK))
def test_a_key_that_is_easy_to_guess_is_refused_naming_the_setting_and_the_remedy(
    key: str,
) -> None:
    assert estimate_key_bits(key) < SECRET_KEY_MIN_BITS
    with pytest.raises(ValueError, match="secret_key is too easy to guess") as refused:
        Settings(base_url=BASE_URL, secret_key=key)
    message = str(refused.value)
    assert ADVICE in message
    if len(key) >= 4:
        assert key not in message
        assert key[:8] not in message


def test_a_key_must_be_a_string() -> None:
    with pytest.raises(ValueError, match="secret_key must be a string") as refused:
        Settings(base_url=BASE_URL, secret_key=1234567890 * 10**40)  # type: ignore[arg-type]
    assert ADVICE in str(refused.value)


def test_old_keys_may_be_weak_so_that_they_can_be_rotated_out_but_must_be_strings() -> None:
    sealed_before = Sealer("s" * 32).seal("het geheim", context="test")
    rotating = Settings(
        base_url=BASE_URL, secret_key=TEST_SECRET_KEY, old_secret_keys=("s" * 32, "kort")
    )
    assert rotating.old_secret_keys == ("s" * 32, "kort")
    assert rotating.sealer.open(sealed_before, context="test") == "het geheim"
    for bad in ("", None, 42):
        with pytest.raises(ValueError, match="old_secret_keys must hold non-empty strings"):
            Settings(
                base_url=BASE_URL,
                secret_key=TEST_SECRET_KEY,
                old_secret_keys=(bad,),  # type: ignore[arg-type]  # the wrong type is the point
            )


def test_only_the_first_64_characters_are_examined_so_a_long_key_is_quick() -> None:
    # A key is at least as hard to guess as its beginning: a weak beginning fails the
    # whole key, and a strong one passes it, however long the rest.
    strong_start = secrets.token_urlsafe(48) + "a" * 100_000
    started = time.perf_counter()
    assert estimate_key_bits(strong_start) >= SECRET_KEY_MIN_BITS
    assert time.perf_counter() - started < 2
    assert estimate_key_bits("a" * 64 + secrets.token_urlsafe(64)) < SECRET_KEY_MIN_BITS


def test_the_estimate_of_a_key_is_the_same_every_time() -> None:
    key = secrets.token_urlsafe(32)
    assert estimate_key_bits(key) == estimate_key_bits(key)
    assert estimate_key_bits(key) > estimate_key_bits(key[:30])
