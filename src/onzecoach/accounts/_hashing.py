"""Password hashing with argon2id, through argon2-cffi.

Callers hand in passwords that ``PasswordPolicy`` (or, at login, the same ``normalise``)
has already normalised; the hasher does not normalise again. A failed verification
raises ``VerificationFailed``, whatever the reason: a wrong password and a hash that is
malformed or of an unknown kind look the same to the caller.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterable
from typing import Final

import argon2
from argon2.exceptions import Argon2Error, VerificationError

from onzecoach.errors import VerificationFailed
from onzecoach.passwords import CHEAPEST, OWASP_MINIMUM, RFC_9106_LOW_MEMORY

__all__ = ["CHEAPEST", "OWASP_MINIMUM", "RFC_9106_LOW_MEMORY", "PasswordHasher"]

_MISMATCH: Final = "password.mismatch"


def _encode(password: str) -> bytes:
    # "surrogatepass": a lone surrogate (possible in a JSON body) must fail a login like
    # any wrong password rather than crash it. Every other text encodes as plain UTF-8.
    return password.encode("utf-8", "surrogatepass")


class PasswordHasher:
    """Hashes and verifies passwords with one set of argon2id parameters.

    ``needs_rehash`` says when a stored hash was made with other parameters, so it can be
    replaced at the next successful login.
    """

    def __init__(self, parameters: argon2.Parameters = RFC_9106_LOW_MEMORY) -> None:
        if parameters.type is not argon2.Type.ID:
            raise ValueError(f"parameters.type must be argon2id, got {parameters.type.name}")
        self._parameters = parameters
        self._hasher = argon2.PasswordHasher.from_parameters(parameters)
        self._dummy_hash: str | None = None

    @property
    def parameters(self) -> argon2.Parameters:
        return self._parameters

    def __repr__(self) -> str:
        p = self._parameters
        return (
            f"PasswordHasher(argon2id, memory_cost={p.memory_cost}, "
            f"time_cost={p.time_cost}, parallelism={p.parallelism})"
        )

    def hash(self, password: str) -> str:
        """A new encoded hash of ``password``, with a fresh random salt."""
        return self._hasher.hash(_encode(password))

    def verify(self, stored_hash: str, password: str) -> None:
        """Return if ``password`` matches ``stored_hash``; raise ``VerificationFailed`` if not.

        A malformed hash, or one of a kind argon2 does not know, fails the same way.
        """
        try:
            self._hasher.verify(stored_hash, _encode(password))
        except (VerificationError, ValueError):
            # ValueError covers InvalidHashError and a hash that is not ASCII. The cause is
            # dropped: it says nothing a caller may act on and would only carry the hash.
            raise VerificationFailed(_MISMATCH) from None

    def needs_rehash(self, stored_hash: str) -> bool:
        """Whether ``stored_hash`` was made with other parameters (or cannot be read)."""
        try:
            return self._hasher.check_needs_rehash(stored_hash)
        except ValueError:
            return True

    def matches_any(self, stored_hashes: Iterable[str], password: str) -> bool:
        """Whether ``password`` matches any of ``stored_hashes`` (the recent passwords).

        Every hash is checked, also after a match, so the time taken does not tell which
        one matched.
        """
        matched = False
        for stored_hash in stored_hashes:
            try:
                self.verify(stored_hash, password)
            except VerificationFailed:
                continue
            matched = True
        return matched

    def burn(self, password: str) -> None:
        """Spend the time of one ``verify`` without a stored hash; never raises.

        Called for an unknown username, so that it takes as long as a known one with a
        wrong password. The dummy hash is made on first use with these same parameters.
        """
        with contextlib.suppress(Argon2Error, ValueError):
            if self._dummy_hash is None:
                # Two threads may both make one; either is as good, so no lock is needed.
                self._dummy_hash = self._hasher.hash(secrets.token_urlsafe(32))
            self._hasher.verify(self._dummy_hash, _encode(password))
