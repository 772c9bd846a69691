"""What an erasure keeps: the erased employee's id, with nothing personal."""

from __future__ import annotations

from datetime import datetime
from typing import Final

import attrs

from onzecoach.clock import utc

__all__ = ["ERASED_EXTERNAL_ID_PREFIX", "MAX_REASON_LENGTH", "ErasedEmployee"]

#: The longest reason an erasure takes, in characters.
MAX_REASON_LENGTH: Final = 500
#: An erased appointment's external id: this prefix and the appointment's own id, so that
#: the employer's external ids stay unique and none points to an outside system's record.
ERASED_EXTERNAL_ID_PREFIX: Final = "verwijderd:"


@attrs.frozen(kw_only=True)
class ErasedEmployee:
    """An employee that was erased, and when: what ``portal.privacy.reapply`` erases again
    after a restored backup brought the person back."""

    employee_id: str
    employer_id: str
    erased_at: datetime = attrs.field(converter=utc)
