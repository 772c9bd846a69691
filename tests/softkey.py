"""A small software authenticator for the WebAuthn tests: EC P-256, "none" attestation.

Written on ``cryptography`` and ``cbor2``; it answers the portal's options as a browser
would pass them on, with a chosen origin and relying party so that tests can lie.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import struct
from typing import Any

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

__all__ = ["SoftKey", "b64url"]


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


class SoftKey:
    """One credential on a software authenticator, with its own signature counter."""

    def __init__(self, *, verifies_user: bool = False) -> None:
        #: Whether it asks for a fingerprint or PIN (the UV flag), as a passkey does.
        self.verifies_user = verifies_user
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(32)
        self.counter = 0
        self.user_handle: str | None = None

    def _cose_key(self) -> bytes:
        numbers = self.private_key.public_key().public_numbers()
        return cbor2.dumps(
            {
                1: 2,
                3: -7,
                -1: 1,
                -2: numbers.x.to_bytes(32, "big"),
                -3: numbers.y.to_bytes(32, "big"),
            }
        )

    @staticmethod
    def _client_data(kind: str, challenge: str, origin: str) -> bytes:
        data = {"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": False}
        return json.dumps(data).encode()

    def create(
        self, options_json: str, *, origin: str | None = None, rp_id: str | None = None
    ) -> str:
        """The registration response to ``options_json`` (``navigator.credentials.create``)."""
        options: dict[str, Any] = json.loads(options_json)
        rp = rp_id or options["rp"]["id"]
        self.user_handle = options["user"]["id"]
        client_data = self._client_data(
            "webauthn.create", options["challenge"], origin or f"https://{options['rp']['id']}"
        )
        self.counter += 1
        auth_data = (
            hashlib.sha256(rp.encode()).digest()
            + bytes([0x45 if self.verifies_user else 0x41])
            + struct.pack(">I", self.counter)
            + bytes(16)
            + struct.pack(">H", len(self.credential_id))
            + self.credential_id
            + self._cose_key()
        )
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return json.dumps(
            {
                "id": b64url(self.credential_id),
                "rawId": b64url(self.credential_id),
                "type": "public-key",
                "response": {
                    "clientDataJSON": b64url(client_data),
                    "attestationObject": b64url(attestation),
                    "transports": ["usb"],
                },
                "clientExtensionResults": {},
                "authenticatorAttachment": "cross-platform",
            }
        )

    def get(
        self,
        options_json: str,
        *,
        origin: str | None = None,
        rp_id: str | None = None,
        counter: int | None = None,
    ) -> str:
        """The assertion for ``options_json`` (``navigator.credentials.get``)."""
        options: dict[str, Any] = json.loads(options_json)
        rp = rp_id or options["rpId"]
        client_data = self._client_data(
            "webauthn.get", options["challenge"], origin or f"https://{options['rpId']}"
        )
        self.counter = self.counter + 1 if counter is None else counter
        auth_data = (
            hashlib.sha256(rp.encode()).digest()
            + bytes([0x05 if self.verifies_user else 0x01])
            + struct.pack(">I", self.counter)
        )
        signature = self.private_key.sign(
            auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256())
        )
        return json.dumps(
            {
                "id": b64url(self.credential_id),
                "rawId": b64url(self.credential_id),
                "type": "public-key",
                "response": {
                    "clientDataJSON": b64url(client_data),
                    "authenticatorData": b64url(auth_data),
                    "signature": b64url(signature),
                    "userHandle": self.user_handle,
                },
                "clientExtensionResults": {},
            }
        )
