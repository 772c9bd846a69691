"""The WebAuthn ceremonies' pieces, on the ``webauthn`` library (py_webauthn).

Challenges are kept as keyed hashes (``Settings.code_hasher``) in a table of their own,
bound to the step they belong to by their ``ref``; they expire in 5 minutes and are used
once.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from webauthn.helpers import (
    base64url_to_bytes,
    bytes_to_base64url,
    parse_authentication_credential_json,
    parse_client_data_json,
    parse_registration_credential_json,
)
from webauthn.helpers.exceptions import InvalidJSONStructure
from webauthn.helpers.structs import (
    AuthenticationCredential,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    RegistrationCredential,
)

from onzecoach.errors import FieldError, ValidationError, VerificationFailed
from onzecoach.ids import new_id
from onzecoach.mfa._model import Factor, FactorKind, WebAuthnChallenge
from onzecoach.validation import is_printable

if TYPE_CHECKING:
    from onzecoach.mfa._ports import MfaUnitOfWork as UnitOfWork
    from onzecoach.settings import Settings

__all__ = [
    "CHALLENGE_LIFETIME",
    "challenge_of",
    "descriptors",
    "key_name",
    "keys",
    "new_user_handle",
    "parse_assertion",
    "parse_attestation",
    "relying_party",
    "spend_challenge",
    "store_challenge",
    "transports_of",
]

CHALLENGE_LIFETIME = timedelta(minutes=5)
#: The longest name a user may give a key.
KEY_NAME_MAX = 64


def relying_party(base_url: str) -> tuple[str, str]:
    """The relying party id (the host) and the origin of ``Settings.base_url``."""
    parts = urlsplit(base_url)
    return parts.hostname or "", f"{parts.scheme}://{parts.netloc}"


def new_user_handle() -> str:
    """A random user handle (32 bytes, base64url): never a name or an address."""
    return bytes_to_base64url(secrets.token_bytes(32))


def _loaded(response_json: object) -> str:
    if not isinstance(response_json, str) or len(response_json) > 64_000:
        raise VerificationFailed("webauthn.malformed")
    try:
        json.loads(response_json)
    except ValueError:
        raise VerificationFailed("webauthn.malformed") from None
    return response_json


def parse_attestation(response_json: object) -> RegistrationCredential:
    try:
        return parse_registration_credential_json(_loaded(response_json))
    except (InvalidJSONStructure, ValueError, TypeError, KeyError):
        raise VerificationFailed("webauthn.malformed") from None


def parse_assertion(response_json: object) -> AuthenticationCredential:
    try:
        return parse_authentication_credential_json(_loaded(response_json))
    except (InvalidJSONStructure, ValueError, TypeError, KeyError):
        raise VerificationFailed("webauthn.malformed") from None


def challenge_of(client_data_json: bytes) -> bytes:
    """The challenge the browser answered, as bytes."""
    try:
        return parse_client_data_json(client_data_json).challenge
    except Exception:
        raise VerificationFailed("webauthn.malformed") from None


def keys(factors: list[Factor]) -> list[Factor]:
    """The confirmed security keys among ``factors``."""
    return [f for f in factors if f.kind is FactorKind.WEBAUTHN and f.confirmed]


def descriptors(credential_ids: list[str]) -> list[PublicKeyCredentialDescriptor]:
    return [PublicKeyCredentialDescriptor(id=base64url_to_bytes(c)) for c in credential_ids]


def transports_of(credential: RegistrationCredential) -> str | None:
    found: list[AuthenticatorTransport] = credential.response.transports or []
    names = [t.value for t in found]
    return ",".join(names)[:200] or None


def store_challenge(
    uow: UnitOfWork,
    settings: Settings,
    user_id: str | None,
    ref: str,
    challenge: bytes,
    *,
    now: datetime,
) -> None:
    """Keep a WebAuthn challenge for ``ref`` (its step) as a keyed hash, for 5 minutes.

    It replaces the step's previous challenge, which is spent unanswered.
    """
    previous = uow.webauthn_challenges.unused(ref)
    if previous is not None:
        uow.webauthn_challenges.use(previous.id, now=now)
    uow.webauthn_challenges.add(
        WebAuthnChallenge(
            id=new_id(),
            ref=ref,
            challenge_hash=settings.code_hasher.hash(bytes_to_base64url(challenge)),
            created_at=now,
            expires_at=now + CHALLENGE_LIFETIME,
            user_id=user_id,
        )
    )


def spend_challenge(
    uow: UnitOfWork, settings: Settings, ref: str, answered: bytes, *, now: datetime
) -> VerificationFailed | None:
    """Use the newest WebAuthn challenge of ``ref`` if ``answered`` is it; else the failure.

    Any answer spends the challenge, right or wrong: a refused answer leaves nothing to
    try again with.
    """
    record = uow.webauthn_challenges.unused(ref)
    if record is None:
        return VerificationFailed("webauthn.challenge_used")
    if not uow.webauthn_challenges.use(record.id, now=now):
        return VerificationFailed("webauthn.challenge_used")
    if not settings.code_hasher.matches(bytes_to_base64url(answered), record.challenge_hash):
        return VerificationFailed("webauthn.mismatch")
    if now >= record.expires_at:
        return VerificationFailed("webauthn.challenge_expired")
    return None


def key_name(name: object) -> str:
    """A security key's name as the user gave it: 1 to 64 printable characters."""
    label = name.strip() if isinstance(name, str) else ""
    if not label:
        raise ValidationError([FieldError.of("name", "required")])
    if len(label) > KEY_NAME_MAX or not is_printable(label, max_length=KEY_NAME_MAX):
        if len(label) > KEY_NAME_MAX:
            raise ValidationError([FieldError.of("name", "too_long", max_length=KEY_NAME_MAX)])
        raise ValidationError([FieldError.of("name", "invalid")])
    return label
