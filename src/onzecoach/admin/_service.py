from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import attrs

from onzecoach.access import EMPLOYER_STAFF, load_visible, require_role, require_service_desk
from onzecoach.actors import Actor, Role
from onzecoach.audit import audit_entry
from onzecoach.employers import (
    POLICY_FIELDS,
    Department,
    Employer,
    EmployerPolicy,
    EmployerSettings,
    PolicyField,
    check_cancellation_notice,
    check_name,
    check_retention_months,
    employer_policy,
    load_employer,
)
from onzecoach.errors import FieldError, ValidationError
from onzecoach.ids import new_id

if TYPE_CHECKING:
    from onzecoach.accounts import Invitation, InvitationService, UserView
    from onzecoach.admin._ports import AdminUnitOfWork
    from onzecoach.clock import Clock
    from onzecoach.events import Transactions
    from onzecoach.settings import Settings

__all__ = ["AdminService"]


class AdminService:
    """The service desk's work: employers, departments and user accounts (``portal.admin``).

    Every method takes the acting party first. Changes are the service desk's alone
    (``PermissionDenied`` for anyone else); an HR actor may read its own employer, its
    departments and its users, and another employer answers ``NotFound``. Scripts and the
    CLI act as ``onzecoach.actors.SERVICE_DESK``.
    """

    def __init__(
        self,
        *,
        storage: Transactions[AdminUnitOfWork],
        clock: Clock,
        settings: Settings,
        invitations: InvitationService,
    ) -> None:
        self._storage = storage
        self._clock = clock
        self._settings = settings
        self._invitations = invitations

    def create_employer(self, actor: Actor, name: str) -> Employer:
        """Create an employer (werkgever); audited.

        ``Conflict`` (``employer.name_taken``) when one of that name exists, whatever the case.
        """
        require_service_desk(actor)
        tidy = _checked_name(name)
        now = self._clock.now()
        employer = Employer(id=new_id(), name=tidy, created_at=now)
        with self._storage.unit_of_work() as uow:
            uow.employers.add(employer)
            uow.audit.append(
                audit_entry(
                    actor,
                    "employer.created",
                    at=now,
                    employer_id=employer.id,
                    subject_type="employer",
                    subject_id=employer.id,
                    name=employer.name,
                )
            )
            uow.commit()
        return employer

    def add_department(self, actor: Actor, employer_id: str, name: str) -> Department:
        """Add a department (afdeling) to an employer; audited.

        ``Conflict`` (``department.name_taken``) when the employer has one of that name.
        """
        require_service_desk(actor)
        tidy = _checked_name(name)
        now = self._clock.now()
        with self._storage.unit_of_work() as uow:
            employer = load_employer(uow, employer_id)
            department = Department(id=new_id(), employer_id=employer.id, name=tidy, created_at=now)
            uow.departments.add(department)
            uow.audit.append(
                audit_entry(
                    actor,
                    "department.created",
                    at=now,
                    employer_id=employer.id,
                    subject_type="department",
                    subject_id=department.id,
                    name=department.name,
                )
            )
            uow.commit()
        return department

    def employer(self, actor: Actor, employer_id: str) -> Employer:
        """One employer; an HR actor sees only its own."""
        with self._storage.unit_of_work() as uow:
            return self._visible(uow, actor, employer_id)

    def employers(self, actor: Actor) -> list[Employer]:
        """Every employer, by name (service desk only)."""
        require_service_desk(actor)
        with self._storage.unit_of_work() as uow:
            return uow.employers.list()

    def departments(self, actor: Actor, employer_id: str) -> list[Department]:
        """The employer's departments, by name; an HR actor sees only its own employer's."""
        with self._storage.unit_of_work() as uow:
            employer = self._visible(uow, actor, employer_id)
            return uow.departments.for_employer(employer.id)

    def invite_user(
        self,
        actor: Actor,
        employer_id: str | None,
        *,
        email: str,
        username: str,
        role: Role = Role.HR,
    ) -> Invitation:
        """Create an account and mail its one-time registration link (through the outbox).

        An HR user belongs to ``employer_id``; a service-desk user to none (pass ``None``).
        A taken username answers ``Conflict``; too many invitations to one address in
        ``Settings.account_mail_window``, ``Throttled``.
        """
        require_service_desk(actor)
        return self._invitations.invite(
            employer_id, email=email, username=username, role=role, actor=actor
        )

    def resend_invitation(self, actor: Actor, user_id: str) -> Invitation:
        """A fresh link for a user who has not registered; the previous link stops working."""
        require_service_desk(actor)
        return self._invitations.resend(user_id, actor=actor)

    def revoke_invitation(self, actor: Actor, user_id: str) -> None:
        """Withdraw an invitation: the link stops working and the account is disabled."""
        require_service_desk(actor)
        self._invitations.revoke(user_id, actor=actor)

    def users(self, actor: Actor, employer_id: str) -> list[UserView]:
        """The employer's user accounts, by username; an HR actor sees its own employer's."""
        with self._storage.unit_of_work() as uow:
            employer = self._visible(uow, actor, employer_id)
            return [user.view() for user in uow.users.for_employer(employer.id)]

    # An employer's settings ------------------------------------------------------------------

    def employer_policy(self, actor: Actor, employer_id: str) -> EmployerPolicy:
        """What holds for the employer's sessions: its own settings over the portal's
        defaults (``Settings.cancellation_notice``, ...). An HR actor reads its own."""
        with self._storage.unit_of_work() as uow:
            employer = self._visible(uow, actor, employer_id)
            return employer_policy(uow, employer.id, self._settings)

    def employer_settings(self, actor: Actor, employer_id: str) -> EmployerSettings | None:
        """What the service desk set for the employer itself (``None`` per field: the
        portal's default); ``None`` when nothing was ever set. An HR actor reads its own."""
        with self._storage.unit_of_work() as uow:
            employer = self._visible(uow, actor, employer_id)
            return uow.employer_settings.get(employer.id)

    def set_employer_policy(
        self,
        actor: Actor,
        employer_id: str,
        *,
        cancellation_notice: timedelta | None = None,
        late_cancellations_count: bool | None = None,
        no_shows_count: bool | None = None,
        passkey_login: bool | None = None,
        retention_months: int | None = None,
        reset: Collection[PolicyField] = (),
    ) -> EmployerPolicy:
        """Set the employer's own policy (service desk only); audited. Returns the policy
        that holds now.

        A field given sets it for this employer; a field named in ``reset`` follows the
        portal's default again; a field neither given nor reset stays as it is. The
        notice is whole minutes from 0 to 14 days; the retention period whole months from
        1 to 1200.
        """
        require_service_desk(actor)
        given = _checked_policy(
            cancellation_notice=cancellation_notice,
            late_cancellations_count=late_cancellations_count,
            no_shows_count=no_shows_count,
            passkey_login=passkey_login,
            retention_months=retention_months,
            reset=reset,
        )
        now = self._clock.now()
        with self._storage.unit_of_work() as uow:
            # Locked: the settings are read, changed in part and written back whole, and
            # a change at the same time to another field would otherwise be undone.
            employer = load_employer(uow, employer_id, for_update=True)
            before = uow.employer_settings.get(employer.id)
            current = before or EmployerSettings(employer_id=employer.id, updated_at=now)
            after = attrs.evolve(current, updated_at=now, **given)
            if attrs.evolve(current, updated_at=now) != after:
                uow.employer_settings.save(after)
                uow.audit.append(
                    audit_entry(
                        actor,
                        "employer.policy_changed",
                        at=now,
                        employer_id=employer.id,
                        subject_type="employer",
                        subject_id=employer.id,
                        **_audited(given),
                    )
                )
            policy = employer_policy(uow, employer.id, self._settings)
            uow.commit()
        return policy

    @staticmethod
    def _visible(uow: AdminUnitOfWork, actor: Actor, employer_id: object) -> Employer:
        require_role(actor, *EMPLOYER_STAFF)
        return load_visible(actor, employer_id, uow.employers.get, missing="employer.not_found")


def _checked_name(name: object) -> str:
    tidy = check_name("name", name)
    if isinstance(tidy, FieldError):
        raise ValidationError([tidy])
    return tidy


def _checked_policy(
    *,
    cancellation_notice: object,
    late_cancellations_count: object,
    no_shows_count: object,
    passkey_login: object,
    retention_months: object,
    reset: object,
) -> dict[str, Any]:
    """The fields to change: each given value, checked, and ``None`` for each reset."""
    problems: list[FieldError] = []
    given: dict[str, Any] = {}
    checks: tuple[tuple[str, object, Callable[[object], object]], ...] = (
        ("cancellation_notice", cancellation_notice, check_cancellation_notice),
        ("retention_months", retention_months, check_retention_months),
    )
    for name, value, check in checks:
        if value is not None:
            checked = check(value)
            if isinstance(checked, FieldError):
                problems.append(checked)
            given[name] = checked
    # Each switch written out, so that its error names a text of the catalogue.
    if late_cancellations_count is not None and not isinstance(late_cancellations_count, bool):
        problems.append(FieldError.of("late_cancellations_count", "invalid"))
    elif late_cancellations_count is not None:
        given["late_cancellations_count"] = late_cancellations_count
    if no_shows_count is not None and not isinstance(no_shows_count, bool):
        problems.append(FieldError.of("no_shows_count", "invalid"))
    elif no_shows_count is not None:
        given["no_shows_count"] = no_shows_count
    if passkey_login is not None and not isinstance(passkey_login, bool):
        problems.append(FieldError.of("passkey_login", "invalid"))
    elif passkey_login is not None:
        given["passkey_login"] = passkey_login
    reset_problem = _reset_problem(reset, given)
    if reset_problem is not None:
        problems.append(reset_problem)
    if problems:
        raise ValidationError(problems)
    return given


def _reset_problem(reset: object, given: dict[str, Any]) -> FieldError | None:
    """Add the fields named in ``reset`` to ``given`` as ``None``, or say what is wrong."""
    names = list(reset) if isinstance(reset, Collection) and not isinstance(reset, str) else None
    if names is None or any(name not in POLICY_FIELDS for name in names):
        return FieldError.of("reset", "invalid")
    if any(name in given for name in names):
        return FieldError.of("reset", "invalid", key="reset.invalid.both")
    given.update(dict.fromkeys(names))
    return None


def _audited(changes: dict[str, Any]) -> dict[str, Any]:
    """The changes as the audit log keeps them: the notice in minutes, ``None`` for reset."""
    kept = {name: value for name, value in changes.items() if name != "cancellation_notice"}
    if "cancellation_notice" in changes:
        notice = changes["cancellation_notice"]
        kept["cancellation_notice_minutes"] = (
            None if notice is None else notice // timedelta(minutes=1)
        )
    return dict(sorted(kept.items()))
