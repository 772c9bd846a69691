"""Helpers shared by the test folders (on the path through pytest's ``pythonpath``)."""

from __future__ import annotations

from typing import Any

from onzecoach import Settings
from onzecoach.accounts._hashing import CHEAPEST

#: A fixed key, so that a failing test can be replayed; never used outside tests.
TEST_SECRET_KEY = "test-only-secret-key-0123456789abcdefghijklmnop"


def make_settings(**overrides: Any) -> Settings:
    """Settings for tests: a fixed key and the cheapest argon2 parameters."""
    values: dict[str, Any] = {
        "base_url": "https://portaal.example.nl",
        "secret_key": TEST_SECRET_KEY,
        "password_hashing": CHEAPEST,
    }
    values.update(overrides)
    return Settings(**values)
