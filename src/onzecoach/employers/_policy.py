"""An employer's policy: the portal's defaults (``Settings``) with the employer's overrides.

The policy says how long before a session the employee may still cancel or move it,
whether a late cancellation and a no-show use one of the trajectory's sessions, and how
long the employer's employees are kept after their coaching (the retention period). An
employer's ``EmployerSettings`` keep only what the service desk set for it; every field
left ``None`` follows the portal's default, also when that default changes later.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Final, Literal, TypeVar

import attrs

from onzecoach.clock import utc
from onzecoach.errors import FieldError
from onzecoach.settings import MAX_CANCELLATION_NOTICE, MAX_RETENTION_MONTHS

if TYPE_CHECKING:
    from onzecoach.employers._ports import EmployerRepositories
    from onzecoach.settings import Settings

__all__ = [
    "POLICY_FIELDS",
    "EmployerPolicy",
    "EmployerSettings",
    "PolicyField",
    "check_cancellation_notice",
    "check_retention_months",
    "default_policy",
    "employer_policy",
]

#: The fields of ``EmployerPolicy``, each of which an employer may set or reset.
PolicyField = Literal[
    "cancellation_notice",
    "late_cancellations_count",
    "no_shows_count",
    "passkey_login",
    "retention_months",
]
POLICY_FIELDS: Final[tuple[PolicyField, ...]] = (
    "cancellation_notice",
    "late_cancellations_count",
    "no_shows_count",
    "passkey_login",
    "retention_months",
)


@attrs.frozen
class EmployerPolicy:
    """What holds for one employer's sessions, all settings applied."""

    #: Until this long before a session the employee may cancel or move it.
    cancellation_notice: timedelta = timedelta(hours=24)
    #: Whether a cancellation later than that uses one of the trajectory's sessions.
    late_cancellations_count: bool = True
    #: Whether a session the employee did not come to uses one.
    no_shows_count: bool = True
    #: Whether the employer's HR contacts may sign in with a passkey alone (a discoverable
    #: credential with user verification), without username and password.
    passkey_login: bool = False
    #: The retention period (bewaartermijn) in months: an employee is erased this long
    #: after their last trajectory closed, or after registration without any trajectory.
    retention_months: int = 24

    def is_late_cancellation(self, starts_at: datetime, *, now: datetime) -> bool:
        """Whether cancelling (or moving) a session that starts at ``starts_at`` at ``now``
        is late: after the notice. Exactly at the notice is still in time."""
        return now > starts_at - self.cancellation_notice


@attrs.frozen
class EmployerSettings:
    """The settings the service desk made for one employer; ``None``: the portal's default."""

    employer_id: str
    updated_at: datetime = attrs.field(converter=utc)
    cancellation_notice: timedelta | None = None
    late_cancellations_count: bool | None = None
    no_shows_count: bool | None = None
    passkey_login: bool | None = None
    retention_months: int | None = None

    def effective(self, defaults: EmployerPolicy) -> EmployerPolicy:
        """The policy these settings make of the portal's ``defaults``."""
        return EmployerPolicy(
            cancellation_notice=_either(self.cancellation_notice, defaults.cancellation_notice),
            late_cancellations_count=_either(
                self.late_cancellations_count, defaults.late_cancellations_count
            ),
            no_shows_count=_either(self.no_shows_count, defaults.no_shows_count),
            passkey_login=_either(self.passkey_login, defaults.passkey_login),
            retention_months=_either(self.retention_months, defaults.retention_months),
        )

    @property
    def overridden(self) -> tuple[PolicyField, ...]:
        """The fields this employer sets itself, in ``POLICY_FIELDS`` order."""
        return tuple(name for name in POLICY_FIELDS if getattr(self, name) is not None)


T = TypeVar("T")


def _either(own: T | None, default: T) -> T:
    return default if own is None else own


def default_policy(settings: Settings) -> EmployerPolicy:
    """The portal's defaults, as ``Settings`` configure them."""
    return EmployerPolicy(
        cancellation_notice=settings.cancellation_notice,
        late_cancellations_count=settings.late_cancellations_count,
        no_shows_count=settings.no_shows_count,
        passkey_login=settings.passkey_login,
        retention_months=settings.retention_months,
    )


def employer_policy(
    uow: EmployerRepositories, employer_id: str, settings: Settings
) -> EmployerPolicy:
    """The employer's policy as it stands in this unit of work: for any feature whose rules
    depend on it (quota, closing, cancellation). Checks no access: the caller has."""
    defaults = default_policy(settings)
    own = uow.employer_settings.get(employer_id)
    return defaults if own is None else own.effective(defaults)


def check_cancellation_notice(value: object) -> timedelta | FieldError:
    """A cancellation notice: a duration of whole minutes from 0 to 14 days."""
    if not isinstance(value, timedelta):
        return FieldError.of("cancellation_notice", "invalid")
    if not timedelta(0) <= value <= MAX_CANCELLATION_NOTICE:
        return FieldError.of(
            "cancellation_notice", "out_of_range", max_days=MAX_CANCELLATION_NOTICE.days
        )
    if value % timedelta(minutes=1):
        return FieldError.of("cancellation_notice", "invalid")
    return value


def check_retention_months(value: object) -> int | FieldError:
    """A retention period: a whole number of months from 1 to ``MAX_RETENTION_MONTHS``."""
    if isinstance(value, bool) or not isinstance(value, int):
        return FieldError.of("retention_months", "invalid")
    if not 1 <= value <= MAX_RETENTION_MONTHS:
        return FieldError.of("retention_months", "out_of_range", max_months=MAX_RETENTION_MONTHS)
    return value
