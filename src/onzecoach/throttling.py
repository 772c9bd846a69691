"""Counting tries: throttle states (growing delays) and rate limits (a cap per window).

Shared by the features that throttle: accounts (password changes, account mails) and mfa
(logins, codes). The keys are hashes (``rate_key``), so no address or username is stored
twice.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Protocol

import attrs

from onzecoach.clock import utc

__all__ = [
    "RateLimitRepository",
    "ThrottleRepository",
    "ThrottleState",
    "ThrottlingRepositories",
    "rate_key",
]


@attrs.frozen
class ThrottleState:
    """Failed tries of one key (an account, a username, an IP address).

    ``failures`` counts since the last success and sets the delay; ``window_failures``
    counts within the current hour-long window and caps the total.
    """

    key: str
    failures: int
    last_failure_at: datetime = attrs.field(converter=utc)
    window_start: datetime = attrs.field(converter=utc)
    window_failures: int


def rate_key(kind: str, identifier: str) -> str:
    """The rate-limit row of one mailbox or account: a hash, so no address is stored twice."""
    return hashlib.sha256(
        f"{kind}\x00{identifier.casefold()}".encode("utf-8", "surrogatepass")
    ).hexdigest()


class RateLimitRepository(Protocol):
    def hit(self, key: str, *, now: datetime, window: timedelta) -> int:
        """Count one event for ``key``; return the events in its current window.

        A window starts at the first event after the previous window ended.
        """
        ...

    def peek(self, key: str, *, now: datetime, window: timedelta) -> int:
        """The events counted for ``key`` in its current window, without counting one."""
        ...


class ThrottleRepository(Protocol):
    def get(self, key: str, *, for_update: bool = False) -> ThrottleState | None:
        """The key's state; ``for_update`` locks it until the transaction ends.

        To have something to lock, ``for_update`` may create the key with no failures;
        such a state reads as ``None``.
        """
        ...

    def record_failure(self, key: str, *, now: datetime, window: timedelta) -> ThrottleState:
        """Count one failure for ``key``, atomically; a window older than ``window`` restarts."""
        ...

    def clear(self, key: str) -> None:
        """Forget the failures since the last success (the window's count stays)."""
        ...

    def release(self, key: str, *, last_failure_at: datetime | None) -> None:
        """Take back one failure counted in advance for a try that then succeeded.

        ``last_failure_at`` is the time of the failure before it, which the delay runs from
        again (``None``: keep the stored time).
        """
        ...


class ThrottlingRepositories(Protocol):
    @property
    def rate_limits(self) -> RateLimitRepository: ...
    @property
    def throttles(self) -> ThrottleRepository: ...
