"""One-time results: what a caller receives once and the portal never hands out again.

A new session's token, a registration's enrollment token, an authenticator app's secret
and a set of backup codes reach the caller in a result type that derives from
``OneTimeResult``. The portal stores only their hashes (or, for the app's secret, a sealed
copy it never returns). No other model the SDK returns carries a hash, a secret or a
token: a test walks every public type to keep it so.
"""

from __future__ import annotations

from datetime import datetime

import attrs

__all__ = ["Enrollment", "OneTimeResult"]


class OneTimeResult:
    """The base of every result that carries a secret: show it once, keep it nowhere."""

    __slots__ = ()


@attrs.frozen
class Enrollment(OneTimeResult):
    """The step after registering: ``token`` continues the second-factor setup."""

    token: str = attrs.field(repr=False)
    user_id: str
    username: str
    expires_at: datetime
