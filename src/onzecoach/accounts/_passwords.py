"""Checking a password against an account: for the login and for a change of password."""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from onzecoach.accounts._hashing import PasswordHasher
from onzecoach.errors import VerificationFailed

if TYPE_CHECKING:
    from onzecoach.accounts._model import User
    from onzecoach.accounts._ports import AccountUnitOfWork
    from onzecoach.events import Transactions
    from onzecoach.passwords import PasswordPolicy

__all__ = ["PasswordVerifier"]


class PasswordVerifier:
    """Verifies a password against a user's stored hash, rehashing when the parameters changed.

    Shared by the account service (a change of password) and the login, so that both burn
    the same time on a miss and upgrade old hashes the same way.
    """

    def __init__(
        self,
        *,
        storage: Transactions[AccountUnitOfWork],
        hasher: PasswordHasher,
        policy: PasswordPolicy,
    ) -> None:
        self._storage = storage
        self.hasher = hasher
        self._policy = policy

    def burn(self, password: object) -> None:
        """Spend the time a verification takes, for an account that does not exist."""
        self.hasher.burn(password if isinstance(password, str) else "")

    def verify(self, user: User, password: object) -> None:
        """Check ``password`` against the user's hash; ``VerificationFailed`` on a mismatch
        (and for an account without a password)."""
        if not isinstance(password, str) or user.password_hash is None:
            self.burn(password)
            raise VerificationFailed("login.mismatch")
        normalised = self._policy.normalise(password)
        self.hasher.verify(user.password_hash, normalised)
        if self.hasher.needs_rehash(user.password_hash):
            rehashed = self.hasher.hash(normalised)
            with self._storage.unit_of_work() as uow:
                # Locked: only if nobody changed the password in the meantime, and
                # nobody does until this is written.
                current = uow.users.get(user.id, for_update=True)
                if current is not None and current.password_hash == user.password_hash:
                    uow.users.save(attrs.evolve(current, password_hash=rehashed))
                    uow.commit()
