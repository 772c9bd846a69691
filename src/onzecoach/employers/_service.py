from __future__ import annotations

from typing import TYPE_CHECKING

from onzecoach.actors import SERVICE_DESK, Actor, Role
from onzecoach.audit import audit_entry
from onzecoach.employers._model import Department, Employer, check_name
from onzecoach.errors import FieldError, NotFound, PermissionDenied, ValidationError
from onzecoach.ids import new_id

if TYPE_CHECKING:
    from onzecoach.accounts import Invitation, InvitationService, User
    from onzecoach.ports import Clock, Storage, UnitOfWork

__all__ = ["AdminService", "employers_to_repair"]


def _load_employer(uow: UnitOfWork, employer_id: object) -> Employer:
    employer = uow.employers.get(employer_id) if isinstance(employer_id, str) else None
    if employer is None:
        raise NotFound("Werkgever niet gevonden.")
    return employer


def employers_to_repair(storage: Storage, actor: Actor, employer_id: object) -> list[str]:
    """The employers a service-desk repair (a rebuild) covers: ``employer_id``, or every
    employer when it is ``None``. ``NotFound`` for an unknown employer, and for anyone
    but the service desk."""
    if not actor.is_service_desk:
        raise NotFound("Werkgever niet gevonden.")
    with storage.unit_of_work() as uow:
        if employer_id is None:
            return [employer.id for employer in uow.employers.list()]
        return [_load_employer(uow, employer_id).id]


def _require_service_desk(actor: Actor) -> None:
    if not actor.is_service_desk:
        raise PermissionDenied("Alleen het servicebureau mag dit doen.")


class AdminService:
    """The service desk's work: employers and departments (``portal.admin``).

    Every method takes the acting party as ``actor``; the default is the service desk
    acting without a personal login (the CLI, scripts).
    """

    def __init__(self, *, storage: Storage, clock: Clock, invitations: InvitationService) -> None:
        self._storage = storage
        self._clock = clock
        self._invitations = invitations

    def create_employer(self, name: str, *, actor: Actor = SERVICE_DESK) -> Employer:
        _require_service_desk(actor)
        tidy = check_name("name", name)
        if isinstance(tidy, FieldError):
            raise ValidationError([tidy])
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

    def add_department(
        self, employer_id: str, name: str, *, actor: Actor = SERVICE_DESK
    ) -> Department:
        _require_service_desk(actor)
        tidy = check_name("name", name)
        if isinstance(tidy, FieldError):
            raise ValidationError([tidy])
        now = self._clock.now()
        with self._storage.unit_of_work() as uow:
            employer = _load_employer(uow, employer_id)
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

    def employer(self, employer_id: str, *, actor: Actor = SERVICE_DESK) -> Employer:
        """One employer; an HR actor sees only its own."""
        if not actor.is_service_desk and actor.employer_id != employer_id:
            raise NotFound("Werkgever niet gevonden.")
        with self._storage.unit_of_work() as uow:
            return _load_employer(uow, employer_id)

    def employers(self, *, actor: Actor = SERVICE_DESK) -> list[Employer]:
        """Every employer, by name (service desk only)."""
        _require_service_desk(actor)
        with self._storage.unit_of_work() as uow:
            return uow.employers.list()

    def departments(self, employer_id: str, *, actor: Actor = SERVICE_DESK) -> list[Department]:
        """The employer's departments, by name; an HR actor sees only its own employer's."""
        if not actor.is_service_desk and actor.employer_id != employer_id:
            raise NotFound("Werkgever niet gevonden.")
        with self._storage.unit_of_work() as uow:
            employer = _load_employer(uow, employer_id)
            return uow.departments.for_employer(employer.id)

    def invite_user(
        self,
        employer_id: str | None,
        *,
        email: str,
        username: str,
        role: Role = Role.HR,
        actor: Actor = SERVICE_DESK,
    ) -> Invitation:
        """Create an account and mail its one-time registration link (through the outbox).

        An HR user belongs to ``employer_id``; a service-desk user to none (pass ``None``).
        A taken username answers ``Conflict``; too many invitations to one address in
        ``Settings.account_mail_window``, ``Throttled``.
        """
        _require_service_desk(actor)
        return self._invitations.invite(
            employer_id, email=email, username=username, role=role, actor=actor
        )

    def resend_invitation(self, user_id: str, *, actor: Actor = SERVICE_DESK) -> Invitation:
        """A fresh link for a user who has not registered; the previous link stops working."""
        _require_service_desk(actor)
        return self._invitations.resend(user_id, actor=actor)

    def revoke_invitation(self, user_id: str, *, actor: Actor = SERVICE_DESK) -> None:
        """Withdraw an invitation: the link stops working and the account is disabled."""
        _require_service_desk(actor)
        self._invitations.revoke(user_id, actor=actor)

    def users(self, employer_id: str, *, actor: Actor = SERVICE_DESK) -> list[User]:
        """The employer's user accounts, by username; an HR actor sees its own employer's."""
        if not actor.is_service_desk and actor.employer_id != employer_id:
            raise NotFound("Werkgever niet gevonden.")
        with self._storage.unit_of_work() as uow:
            employer = _load_employer(uow, employer_id)
            return uow.users.for_employer(employer.id)
