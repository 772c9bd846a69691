from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

import attrs

from onzecoach.access import require_actor
from onzecoach.accounts import _tokens as tokens
from onzecoach.accounts._mails import password_reset_mail, username_mail
from onzecoach.accounts._model import (
    AccountStatus,
    LinkStatus,
    TokenPurpose,
    User,
    check_username,
    username_key,
)
from onzecoach.actors import Actor
from onzecoach.audit import audit_entry
from onzecoach.errors import (
    FieldError,
    InvalidToken,
    NotAuthenticated,
    PasswordPolicyError,
    Throttled,
    ValidationError,
)
from onzecoach.ids import is_id
from onzecoach.notifications import MailContent, OutboxStatus, new_email
from onzecoach.results import Enrollment
from onzecoach.throttling import rate_key
from onzecoach.validation import check_email

if TYPE_CHECKING:
    from onzecoach.accounts._passwords import PasswordVerifier
    from onzecoach.accounts._ports import AccountUnitOfWork as UnitOfWork
    from onzecoach.clock import Clock
    from onzecoach.events import Transactions
    from onzecoach.settings import Settings

__all__ = ["AccountService"]

#: Accounts that may ask for a reset link or their username: they have a password.
_SELF_SERVICE = frozenset({AccountStatus.ENROLLING, AccountStatus.ACTIVE})
#: Wrong current passwords allowed per account and window in ``change_password``.
_CHANGE_ATTEMPTS = 5


class AccountService:
    """Registration, passwords and self-service (``portal.accounts``)."""

    def __init__(
        self,
        *,
        storage: Transactions[UnitOfWork],
        clock: Clock,
        settings: Settings,
        passwords: PasswordVerifier,
    ) -> None:
        self._storage = storage
        self._clock = clock
        self._settings = settings
        self._passwords = passwords
        self._hasher = passwords.hasher

    # Registration ------------------------------------------------------------------------

    def register(self, token: str, password: str) -> Enrollment:
        """Redeem an invitation link by choosing a password.

        Returns the ``Enrollment`` whose token continues with the second factor; the
        account cannot sign in before that is set up. A weak password leaves the link
        usable; a used, revoked or expired link answers ``InvalidToken``.
        """
        now = self._clock.now()
        with self._storage.unit_of_work() as uow:
            invitation = tokens.find_usable(uow, token, TokenPurpose.INVITATION, now=now)
            user = self._user_in(uow, invitation.user_id, {AccountStatus.INVITED})
            history = self._history(uow, user)
        new_hash = self._hash_for_link(token, TokenPurpose.INVITATION, user, password, history)

        with self._storage.unit_of_work() as uow:
            # The conditional update decides between two redeemers racing for one link.
            if not uow.tokens.consume(invitation.id, now=now):
                raise InvalidToken("link.invalid")
            user = self._user_in(uow, user.id, {AccountStatus.INVITED})
            self._set_password(uow, user, new_hash, status=AccountStatus.ENROLLING)
            secret, enrollment = tokens.issue(
                uow,
                TokenPurpose.ENROLLMENT,
                user.id,
                now=now,
                lifetime=self._settings.enrollment_lifetime,
            )
            self._audit(uow, user.actor, "account.registered", user)
            uow.commit()
        return Enrollment(
            token=secret, user_id=user.id, username=user.username, expires_at=enrollment.expires_at
        )

    def check_link(self, token: str, purpose: TokenPurpose) -> LinkStatus:
        """Whether an invitation or password-reset link can still be used, without using it.

        For the page a link opens: it can say at once that the link is dead, and show
        the username the new password must not contain. Answers ``InvalidToken`` exactly
        when ``register`` or ``reset_password`` would for the link itself.
        """
        statuses = {
            TokenPurpose.INVITATION: {AccountStatus.INVITED},
            TokenPurpose.PASSWORD_RESET: _SELF_SERVICE,
        }.get(purpose)
        if statuses is None:
            raise ValueError(f"{purpose!r} is not the purpose of a mailed link")
        with self._storage.unit_of_work() as uow:
            link = tokens.find_usable(uow, token, purpose, now=self._clock.now())
            user = self._user_in(uow, link.user_id, statuses)
        return LinkStatus(username=user.username, expires_at=link.expires_at)

    # Passwords ---------------------------------------------------------------------------

    def change_password(self, actor: Actor, current: str, new: str) -> None:
        """Change the actor's own password; every session of the account ends.

        A wrong ``current`` answers as ``confirm_password`` does.
        """
        now = self._clock.now()
        user = self._confirmed(actor, current)
        with self._storage.unit_of_work() as uow:
            history = self._history(uow, user)
        new_hash = self._new_password_hash(user, new, history)
        with self._storage.unit_of_work() as uow:
            user = self._user_in(uow, user.id, {AccountStatus.ACTIVE})
            self._set_password(uow, user, new_hash, status=user.status)
            uow.sessions.end_all(user.id, at=now)
            uow.tokens.revoke_for_user(user.id, TokenPurpose.ENROLLMENT, now=now)
            self._audit(uow, actor, "account.password_changed", user)
            uow.commit()

    def confirm_password(self, actor: Actor, password: str) -> None:
        """Check the signed-in actor's password again, before a change that needs it
        (a new password, a second factor added or removed, new backup codes).

        A wrong one answers ``VerificationFailed``; after five wrong ones within
        ``Settings.account_mail_window``, every try answers ``Throttled`` until it ends.
        """
        self._confirmed(actor, password)

    def _confirmed(self, actor: Actor, password: str) -> User:
        require_actor(actor)
        now = self._clock.now()
        failures_key = rate_key("change_password_failure", actor.user_id or "")
        window = self._settings.account_mail_window
        with self._storage.unit_of_work() as uow:
            user = uow.users.get(actor.user_id) if is_id(actor.user_id) else None
            if user is None or not user.signed_in_as(actor):
                raise NotAuthenticated("session.required")
            before = uow.throttles.get(failures_key, for_update=True)
            if (
                before is not None
                and before.window_failures >= _CHANGE_ATTEMPTS
                and now < before.window_start + window
            ):
                raise Throttled("password.throttled", retry_at=before.window_start + window)
            # Counted before the check, so that parallel tries take turns; taken back below
            # when the password was right.
            uow.throttles.record_failure(failures_key, now=now, window=window)
            uow.commit()
        self._passwords.verify(user, password)
        with self._storage.unit_of_work() as uow:
            last = None if before is None else before.last_failure_at
            uow.throttles.release(failures_key, last_failure_at=last)
            uow.commit()
        return user

    # Self-service ------------------------------------------------------------------------

    def request_password_reset(self, username: str) -> None:
        """Mail a one-time reset link to the account's address.

        Answers the same, writes the same rows and takes about the same time whether or not
        the account exists; a request for an unknown account writes a suppressed message.
        """
        if not isinstance(username, str) or not username.strip():
            raise ValidationError.single("username", "required", key="username.required.reset")
        username = username.strip()
        now = self._clock.now()
        settings = self._settings
        with self._storage.unit_of_work() as uow:
            if self._over_limit(uow, "password_reset", username_key(username)):
                uow.commit()
                return
            # A name that no account can have is answered as an unknown account, unread.
            lookup = check_username(username)
            user = uow.users.by_username(lookup) if isinstance(lookup, str) else None
            known = user is not None and user.status in _SELF_SERVICE
            owner = user if known else None
            secret, reset = tokens.issue(
                uow,
                TokenPurpose.PASSWORD_RESET,
                None if owner is None else owner.id,
                now=now,
                lifetime=settings.password_reset_lifetime,
            )
            content = password_reset_mail(
                username=owner.username if owner else lookup if isinstance(lookup, str) else "-",
                link=settings.link("wachtwoord-herstellen", secret),
                expires_at=reset.expires_at,
            )
            self._queue(
                uow,
                owner,
                "" if owner is None else owner.email,
                content,
                kind="password_reset",
                reference=reset.id,
            )
            uow.audit.append(
                audit_entry(
                    None,
                    "account.password_reset_requested",
                    at=now,
                    employer_id=None if owner is None else owner.employer_id,
                    subject_type="token",
                    subject_id=reset.id,
                )
            )
            uow.commit()

    def reset_password(self, token: str, new_password: str) -> None:
        """Set a new password through a reset link; every session of the account ends.

        The policy applies in full, history included. The next login still asks for the
        second factor.
        """
        now = self._clock.now()
        with self._storage.unit_of_work() as uow:
            reset = tokens.find_usable(uow, token, TokenPurpose.PASSWORD_RESET, now=now)
            user = self._user_in(uow, reset.user_id, _SELF_SERVICE)
            history = self._history(uow, user)
        new_hash = self._hash_for_link(
            token, TokenPurpose.PASSWORD_RESET, user, new_password, history
        )
        with self._storage.unit_of_work() as uow:
            if not uow.tokens.consume(reset.id, now=now):
                raise InvalidToken("link.invalid")
            user = self._user_in(uow, user.id, _SELF_SERVICE)
            self._set_password(uow, user, new_hash, status=user.status)
            uow.sessions.end_all(user.id, at=now)
            uow.tokens.revoke_for_user(user.id, TokenPurpose.PASSWORD_RESET, now=now)
            uow.tokens.revoke_for_user(user.id, TokenPurpose.ENROLLMENT, now=now)
            self._audit(uow, None, "account.password_reset", user)
            uow.commit()

    def remind_username(self, email: str) -> None:
        """Mail the username(s) that belong to ``email``.

        Answers the same, writes the same rows and takes about the same time whether or not
        an account has that address.
        """
        address = check_email("email", email)
        if isinstance(address, FieldError):
            raise ValidationError([address])
        now = self._clock.now()
        with self._storage.unit_of_work() as uow:
            if self._over_limit(uow, "username_reminder", address):
                uow.commit()
                return
            owners = [u for u in uow.users.by_email(address) if u.status in _SELF_SERVICE]
            content = username_mail(
                usernames=[u.username for u in owners] or ["-"],
                login_link=self._settings.link("inloggen"),
            )
            first = owners[0] if owners else None
            message = self._queue(
                uow, first, address, content, kind="username_reminder", reference=None
            )
            uow.audit.append(
                audit_entry(
                    None,
                    "account.username_reminder_requested",
                    at=now,
                    employer_id=None if first is None else first.employer_id,
                    subject_type="outbox",
                    subject_id=message,
                )
            )
            uow.commit()

    # Helpers -----------------------------------------------------------------------------

    def _hash_for_link(
        self, secret: str, purpose: TokenPurpose, user: User, password: str, history: list[str]
    ) -> str:
        """``_new_password_hash`` for a link; a link spent meanwhile answers ``InvalidToken``.

        On PostgreSQL each statement sees what was committed before it, so a racing
        redeemer's password may show up in the history read just after the link was found
        usable. The link's state, not that password, is then the true answer.
        """
        try:
            return self._new_password_hash(user, password, history)
        except PasswordPolicyError:
            with self._storage.unit_of_work() as uow:
                tokens.find_usable(uow, secret, purpose, now=self._clock.now())
            raise

    def _history(self, uow: UnitOfWork, user: User) -> list[str]:
        return uow.password_history.recent(user.id, self._settings.password_policy.history)

    def _new_password_hash(self, user: User, password: str, history: list[str]) -> str:
        """Check the policy, history included, reporting every broken rule at once; hash.

        ``history`` is read in the same transaction that found the link or the account, so
        that a racing redeemer who wins changes nothing about this one's answer.
        """
        policy = self._settings.password_policy
        violations = policy.violations(password, username=user.username)
        # A password that breaks another rule was never accepted, so it cannot be in the
        # history; skipping the check spares up to six slow argon2 verifications.
        if (
            not violations
            and history
            and self._hasher.matches_any(history, policy.normalise(password))
        ):
            violations.append(policy.reused())
        if violations:
            raise PasswordPolicyError(violations)
        return self._hasher.hash(policy.normalise(password))

    def _set_password(
        self, uow: UnitOfWork, user: User, password_hash: str, *, status: AccountStatus
    ) -> None:
        now = self._clock.now()
        uow.users.save(
            attrs.evolve(user, password_hash=password_hash, password_changed_at=now, status=status)
        )
        uow.password_history.add(user.id, password_hash, at=now)

    @staticmethod
    def _user_in(uow: UnitOfWork, user_id: str | None, statuses: Collection[AccountStatus]) -> User:
        # Locked: what is read here is written back whole (status, password hash).
        user = None if user_id is None else uow.users.get(user_id, for_update=True)
        if user is None or user.status not in statuses:
            raise InvalidToken("link.invalid")
        return user

    def _over_limit(self, uow: UnitOfWork, kind: str, identifier: str) -> bool:
        count = uow.rate_limits.hit(
            rate_key(kind, identifier),
            now=self._clock.now(),
            window=self._settings.account_mail_window,
        )
        return count > self._settings.account_mail_limit

    def _queue(
        self,
        uow: UnitOfWork,
        owner: User | None,
        to: str,
        content: MailContent,
        *,
        kind: str,
        reference: str | None,
    ) -> str:
        message = new_email(
            self._settings,
            to=to,
            content=content,
            kind=kind,
            now=self._clock.now(),
            reference=reference,
            employer_id=None if owner is None else owner.employer_id,
        )
        if owner is None:
            message = attrs.evolve(message, status=OutboxStatus.SUPPRESSED)
        uow.outbox.add(message)
        return message.id

    def _audit(self, uow: UnitOfWork, actor: Actor | None, action: str, user: User) -> None:
        uow.audit.append(
            audit_entry(
                actor,
                action,
                at=self._clock.now(),
                employer_id=user.employer_id,
                subject_type="user",
                subject_id=user.id,
            )
        )
