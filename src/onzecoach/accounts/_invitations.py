from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import attrs

from onzecoach.access import load
from onzecoach.accounts import _tokens as tokens
from onzecoach.accounts._mails import invitation_mail
from onzecoach.accounts._model import (
    AccountStatus,
    Invitation,
    TokenPurpose,
    User,
    check_username,
)
from onzecoach.actors import Actor, Role
from onzecoach.audit import audit_entry
from onzecoach.employers import load_employer
from onzecoach.errors import Conflict, FieldError, Throttled, ValidationError
from onzecoach.ids import new_id
from onzecoach.notifications import new_email
from onzecoach.throttling import rate_key
from onzecoach.validation import check_email

if TYPE_CHECKING:
    from onzecoach.accounts._ports import AccountUnitOfWork as UnitOfWork
    from onzecoach.clock import Clock
    from onzecoach.events import Transactions
    from onzecoach.settings import Settings

__all__ = ["InvitationService"]

#: The roles ``invite`` invites to; a coach is invited with their coach (``invite_in``),
#: an integration not at all.
_INVITED_ROLES = frozenset({Role.HR, Role.SERVICE_DESK})


class InvitationService:
    """Invitations by the service desk; reached through ``portal.admin``."""

    def __init__(
        self, *, storage: Transactions[UnitOfWork], clock: Clock, settings: Settings
    ) -> None:
        self._storage = storage
        self._clock = clock
        self._settings = settings

    def invite(
        self, employer_id: str | None, *, email: str, username: str, role: Role, actor: Actor
    ) -> Invitation:
        if role not in _INVITED_ROLES:
            checks = (check_email("email", email), check_username(username))
            problems = [checked for checked in checks if isinstance(checked, FieldError)]
            raise ValidationError([*problems, FieldError.of("role", "invalid")])
        with self._storage.unit_of_work() as uow:
            invitation = self.invite_in(
                uow, employer_id, email=email, username=username, role=role, actor=actor
            )
            uow.commit()
        return invitation

    def invite_in(
        self,
        uow: UnitOfWork,
        employer_id: str | None,
        *,
        email: str,
        username: str,
        role: Role,
        actor: Actor,
    ) -> Invitation:
        """``invite`` inside the caller's unit of work, which commits it (or not).

        Also invites a coach (``Role.COACH``, no employer), whose coach the caller adds in
        the same transaction: ``onzecoach.coaches`` does.
        """
        problems: list[FieldError] = []
        address = check_email("email", email)
        name = check_username(username)
        for checked in (address, name):
            if isinstance(checked, FieldError):
                problems.append(checked)
        if role not in _INVITED_ROLES | {Role.COACH}:
            problems.append(FieldError.of("role", "invalid"))
        if problems:
            raise ValidationError(problems)
        if not isinstance(address, str) or not isinstance(name, str):  # pragma: no cover
            raise TypeError("narrowed above")
        role = Role(role)
        if role in {Role.SERVICE_DESK, Role.COACH} and employer_id is not None:
            raise ValidationError.single("role", "invalid", key="role.invalid.service_desk")
        now = self._clock.now()
        employer_name = None
        if role is Role.HR:
            employer_name = load_employer(uow, employer_id).name
        self._check_mail_limit(uow, address)
        user = User(
            id=new_id(),
            username=name,
            email=address,
            role=role,
            employer_id=employer_id if role is Role.HR else None,
            status=AccountStatus.INVITED,
            created_at=now,
        )
        uow.users.add(user)
        invitation = self._send(uow, user, employer_name)
        self._audit(uow, actor, "user.invited", user, role=role.value)
        return invitation

    def resend(self, user_id: str, *, actor: Actor) -> Invitation:
        """A new link for a user who has not registered yet; the old link stops working."""
        with self._storage.unit_of_work() as uow:
            user = self._invited_user(uow, user_id)
            self._check_mail_limit(uow, user.email)
            uow.tokens.revoke_for_user(user.id, TokenPurpose.INVITATION, now=self._clock.now())
            employer = uow.employers.get(user.employer_id) if user.employer_id else None
            invitation = self._send(uow, user, None if employer is None else employer.name)
            self._audit(uow, actor, "user.invitation_resent", user)
            uow.commit()
        return invitation

    def revoke(self, user_id: str, *, actor: Actor) -> None:
        """Withdraw an invitation: its link stops working and the account is disabled."""
        with self._storage.unit_of_work() as uow:
            user = self._invited_user(uow, user_id)
            uow.tokens.revoke_for_user(user.id, TokenPurpose.INVITATION, now=self._clock.now())
            uow.users.save(attrs.evolve(user, status=AccountStatus.DISABLED))
            self._audit(uow, actor, "user.invitation_revoked", user)
            uow.commit()

    def _send(self, uow: UnitOfWork, user: User, employer_name: str | None) -> Invitation:
        now = self._clock.now()
        secret, token = tokens.issue(
            uow,
            TokenPurpose.INVITATION,
            user.id,
            now=now,
            lifetime=self._settings.invitation_lifetime,
        )
        content = invitation_mail(
            username=user.username,
            employer_name=employer_name,
            link=self._settings.link("registreren", secret),
            expires_at=token.expires_at,
        )
        uow.outbox.add(
            new_email(
                self._settings,
                to=user.email,
                content=content,
                kind="invitation",
                now=now,
                reference=user.id,
                employer_id=user.employer_id,
            )
        )
        return Invitation(
            id=token.id,
            user_id=user.id,
            employer_id=user.employer_id,
            username=user.username,
            email=user.email,
            role=user.role,
            expires_at=token.expires_at,
        )

    @staticmethod
    def _invited_user(uow: UnitOfWork, user_id: object) -> User:
        # Locked: a registration may be setting the password meanwhile.
        user = load(
            user_id, functools.partial(uow.users.get, for_update=True), missing="user.not_found"
        )
        if user.status is not AccountStatus.INVITED:
            raise Conflict("user.not_invited")
        return user

    def _check_mail_limit(self, uow: UnitOfWork, address: str) -> None:
        now = self._clock.now()
        window = self._settings.account_mail_window
        count = uow.rate_limits.hit(rate_key("invitation", address), now=now, window=window)
        if count > self._settings.account_mail_limit:
            raise Throttled("invitation.throttled", retry_at=now + window)

    def _audit(
        self, uow: UnitOfWork, actor: Actor, action: str, user: User, **details: str
    ) -> None:
        uow.audit.append(
            audit_entry(
                actor,
                action,
                at=self._clock.now(),
                employer_id=user.employer_id,
                subject_type="user",
                subject_id=user.id,
                username=user.username,
                **details,
            )
        )
