"""Secrets at rest: hashing of tokens, and sealing (AES-256-GCM) of what must be read back.

One-time tokens (invitation, reset, session, challenge) are random and long, so a plain
SHA-256 of them is enough to store: nobody can search 2^128 candidates. Text that has to
be read again later, such as a queued mail holding a one-time link, is sealed with a key
derived from ``Settings.secret_key``; older keys still open what they sealed, so keys can
be rotated without losing queued messages.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os
import secrets
from collections.abc import Sequence

import attrs
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from onzecoach.errors import DecryptionFailed

__all__ = [
    "CodeHasher",
    "Sealer",
    "code_hasher_for",
    "hash_token",
    "new_token",
    "sealer_for",
    "token_matches",
]

_VERSION = "v1"
_NONCE_BYTES = 12


def new_token(nbytes: int = 32) -> str:
    """A URL-safe random token: 256 bits by default, never fewer than 128."""
    if nbytes < 16:
        raise ValueError("a token needs at least 128 bits")
    return secrets.token_urlsafe(nbytes)


def hash_token(token: str) -> str:
    """How a token is stored and looked up: its SHA-256, in hex."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def token_matches(token: str, stored_hash: str) -> bool:
    """Constant-time comparison of a presented token with a stored hash."""
    return hmac.compare_digest(hash_token(token), stored_hash)


def _derive(secret_key: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"onzecoach seal v1").derive(
        secret_key.encode("utf-8")
    )


class Sealer:
    """Seals and opens text with AES-256-GCM, bound to a context string.

    Sealed text reads ``v1.<key id>.<base64url(nonce + ciphertext)>``; the context (say
    ``"outbox:<message id>"``) is authenticated, so a sealed value copied to another row
    does not open there.
    """

    def __init__(self, secret_key: str, old_keys: Sequence[str] = ()) -> None:
        keys = [_derive(key) for key in (secret_key, *old_keys)]
        self._ciphers = {hashlib.sha256(key).hexdigest()[:8]: AESGCM(key) for key in keys}
        self._current = next(iter(self._ciphers))

    def seal(self, plaintext: str, *, context: str) -> str:
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._ciphers[self._current].encrypt(
            nonce, plaintext.encode("utf-8", "surrogatepass"), context.encode("utf-8")
        )
        body = base64.urlsafe_b64encode(nonce + sealed).decode("ascii")
        return f"{_VERSION}.{self._current}.{body}"

    def open(self, sealed: str, *, context: str) -> str:
        try:
            version, key_id, body = sealed.split(".", 2)
            cipher = self._ciphers[key_id]
            raw = base64.urlsafe_b64decode(body)
        except (ValueError, KeyError) as exc:
            raise DecryptionFailed(
                "sealed data is malformed or was sealed with a key that is not configured"
            ) from exc
        if version != _VERSION or len(raw) <= _NONCE_BYTES:
            raise DecryptionFailed("sealed data is malformed")
        try:
            plain = cipher.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], context.encode())
        except InvalidTag as exc:
            raise DecryptionFailed("sealed data was altered or belongs elsewhere") from exc
        return plain.decode("utf-8", "surrogatepass")

    def renewed(self, sealed: str, *, context: str) -> str | None:
        """``sealed`` sealed again under the current key, or ``None`` when it already is.

        ``DecryptionFailed`` when no configured key opens it.
        """
        if self.is_current(sealed):
            return None
        return self.seal(self.open(sealed, context=context), context=context)

    def is_current(self, sealed: str) -> bool:
        """Whether ``sealed`` was sealed with the current key (not an old one)."""
        parts = sealed.split(".", 2)
        return len(parts) == 3 and parts[0] == _VERSION and parts[1] == self._current

    def __repr__(self) -> str:
        return f"Sealer(keys={len(self._ciphers)})"


@functools.lru_cache(maxsize=8)
def sealer_for(secret_key: str, old_keys: tuple[str, ...]) -> Sealer:
    return Sealer(secret_key, old_keys)


class CodeHasher:
    """Keyed hashes (HMAC-SHA256) of short codes: SMS codes and backup codes.

    A code of 40 bits hashed without a key could be found by trying them all; keyed with
    a key derived from ``Settings.secret_key``, a stolen table alone gives nothing away.
    ``candidates`` also covers the old keys, so codes survive a key rotation.
    """

    def __init__(self, secret_key: str, old_keys: Sequence[str] = ()) -> None:
        self._keys = [
            HKDF(
                algorithm=hashes.SHA256(), length=32, salt=None, info=b"onzecoach codes v1"
            ).derive(key.encode("utf-8"))
            for key in (secret_key, *old_keys)
        ]

    def hash(self, code: str) -> str:
        return self._digest(self._keys[0], code)

    def candidates(self, code: str) -> list[str]:
        """The hash under every configured key, current first."""
        return [self._digest(key, code) for key in self._keys]

    def matches(self, code: str, stored_hash: str) -> bool:
        """Constant-time check of ``code`` against a stored hash, under any configured key."""
        found = False
        for candidate in self.candidates(code):
            found |= hmac.compare_digest(candidate, stored_hash)
        return found

    @staticmethod
    def _digest(key: bytes, code: str) -> str:
        return hmac.new(key, code.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()

    def __repr__(self) -> str:
        return f"CodeHasher(keys={len(self._keys)})"


@functools.lru_cache(maxsize=8)
def code_hasher_for(secret_key: str, old_keys: tuple[str, ...]) -> CodeHasher:
    return CodeHasher(secret_key, old_keys)


@attrs.frozen
class ResealReport:
    """What sealing again under a new key did: values sealed again under the current key,
    and those no configured key opens (left as they are)."""

    resealed: int
    unreadable: int
