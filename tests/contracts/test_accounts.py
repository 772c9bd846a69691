"""Invitations, registration, passwords, self-service and sessions, on every storage."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from datetime import timedelta
from email.message import EmailMessage

import attrs
import pytest

from onzecoach import (
    Conflict,
    InvalidToken,
    NotAuthenticated,
    NotFound,
    PasswordPolicyError,
    PermissionDenied,
    Portal,
    Role,
    Throttled,
    ValidationError,
    VerificationFailed,
)
from onzecoach.accounts import OWASP_MINIMUM, AccountStatus, SessionRecord, TokenPurpose, User
from onzecoach.actors import SERVICE_DESK
from onzecoach.crypto import hash_token, new_token
from onzecoach.ids import new_id
from onzecoach.notifications import OutboxStatus
from onzecoach.ports import Storage
from onzecoach.testing import FrozenClock, RecordingMailer
from onzecoach.testing.contracts._builders import race
from support import make_settings

GOOD = "Koffie-Met-Melk-2026"
PASSWORDS = [f"Wandelpad-{n}-Zonnig!" for n in range(8)]


def body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def link_in(message: EmailMessage, path: str) -> str:
    found = re.search(rf"https://portaal\.example\.nl/{path}/(\S+)", body(message))
    assert found, body(message)
    return found.group(1)


def invite(portal: Portal, mailer: RecordingMailer, username: str = "anna.hr") -> tuple[str, str]:
    """Invite an HR user; return (employer id, the registration token from the mail)."""
    employer = portal.admin.create_employer(SERVICE_DESK, f"Werkgever van {username}")
    portal.admin.invite_user(
        SERVICE_DESK, employer.id, email=f"{username}@example.nl", username=username
    )
    assert portal.outbox.dispatch_due() == 1
    return employer.id, link_in(mailer.sent[-1], "registreren")


def activate(portal: Portal, user_id: str) -> User:
    """Stand-in for the second-factor setup (built by the MFA feature): make the account active."""
    with portal.storage.unit_of_work() as uow:
        user = uow.users.get(user_id)
        assert user is not None
        user = attrs.evolve(user, status=AccountStatus.ACTIVE)
        uow.users.save(user)
        uow.commit()
    return user


def session_for(portal: Portal, user: User) -> str:
    """Stand-in for the second step of a login: a session stored as the login stores one."""
    token = new_token()
    now = portal.clock.now()
    with portal.storage.unit_of_work() as uow:
        uow.sessions.add(
            SessionRecord(
                id=new_id(),
                user_id=user.id,
                token_hash=hash_token(token),
                created_at=now,
                last_seen_at=now,
                expires_at=now + portal.settings.session_lifetime,
            )
        )
        uow.commit()
    return token


def registered(portal: Portal, mailer: RecordingMailer, username: str = "anna.hr") -> User:
    _, token = invite(portal, mailer, username)
    enrollment = portal.accounts.register(token, GOOD)
    return activate(portal, enrollment.user_id)


# Invitations and registration (must hold 1) -------------------------------------------


def test_invite_register_with_a_weak_then_a_good_password_then_the_link_is_spent(
    portal: Portal, mailer: RecordingMailer
) -> None:
    employer_id, token = invite(portal, mailer)
    mail = mailer.sent[-1]
    assert mail["To"] == "anna.hr@example.nl"
    assert "anna.hr" in body(mail)
    assert "Registreer je account" in mail["Subject"]

    with pytest.raises(PasswordPolicyError) as weak:
        portal.accounts.register(token, "anna.hr")
    assert set(weak.value.violations) == {"too_short", "contains_username", "too_few_classes"}
    assert weak.value.errors["password"]

    enrollment = portal.accounts.register(token, GOOD)  # the weak try left the link usable
    assert enrollment.username == "anna.hr"
    assert len(enrollment.token) >= 22  # at least 128 bits, URL-safe
    (user,) = portal.admin.users(SERVICE_DESK, employer_id)
    assert user.status is AccountStatus.ENROLLING  # cannot sign in before the second factor
    with pytest.raises(InvalidToken):
        portal.accounts.register(token, "Een-Ander-Wachtwoord-9")


def test_an_expired_invitation_is_refused(
    portal: Portal, mailer: RecordingMailer, clock: FrozenClock
) -> None:
    _, token = invite(portal, mailer)
    clock.advance(portal.settings.invitation_lifetime)
    with pytest.raises(InvalidToken, match="verlopen"):
        portal.accounts.register(token, GOOD)


@pytest.mark.parametrize("token", ["", "nonsense", "A" * 43, None, 7])
def test_an_unknown_token_is_refused(portal: Portal, token: object) -> None:
    with pytest.raises(InvalidToken):
        portal.accounts.register(token, GOOD)  # type: ignore[arg-type]


def test_resending_voids_the_old_link_and_revoking_voids_all(
    portal: Portal, mailer: RecordingMailer
) -> None:
    employer_id, first = invite(portal, mailer)
    (user,) = portal.admin.users(SERVICE_DESK, employer_id)
    portal.admin.resend_invitation(SERVICE_DESK, user.id)
    portal.outbox.dispatch_due()
    second = link_in(mailer.sent[-1], "registreren")
    assert second != first
    with pytest.raises(InvalidToken):
        portal.accounts.register(first, GOOD)
    portal.admin.revoke_invitation(SERVICE_DESK, user.id)
    with pytest.raises(InvalidToken):
        portal.accounts.register(second, GOOD)
    assert portal.admin.users(SERVICE_DESK, employer_id)[0].status is AccountStatus.DISABLED
    with pytest.raises(Conflict):
        portal.admin.resend_invitation(SERVICE_DESK, user.id)
    with pytest.raises(NotFound):
        portal.admin.resend_invitation(SERVICE_DESK, "0" * 32)


def test_usernames_are_unique_case_insensitively_and_input_is_checked(
    portal: Portal, mailer: RecordingMailer
) -> None:
    employer_id, _ = invite(portal, mailer, "Anna.HR")
    with pytest.raises(Conflict):
        portal.admin.invite_user(
            SERVICE_DESK, employer_id, email="x@example.nl", username="anna.hr"
        )
    with pytest.raises(ValidationError) as bad:
        portal.admin.invite_user(SERVICE_DESK, employer_id, email="geen-adres", username="a b")
    assert set(bad.value.errors) == {"email", "username"}
    with pytest.raises(NotFound):
        portal.admin.invite_user(SERVICE_DESK, "0" * 32, email="x@example.nl", username="nieuw")
    hr = registered(portal, mailer, "hr.user").actor
    with pytest.raises(PermissionDenied):
        portal.admin.invite_user(hr, employer_id, email="x@example.nl", username="nog1")


def test_invitations_to_one_address_are_rate_limited(
    portal: Portal, mailer: RecordingMailer, clock: FrozenClock
) -> None:
    employer = portal.admin.create_employer(SERVICE_DESK, "Acme")
    limit = portal.settings.account_mail_limit
    for n in range(limit):
        portal.admin.invite_user(
            SERVICE_DESK, employer.id, email="hr@example.nl", username=f"hr{n}"
        )
    with pytest.raises(Throttled) as throttled:
        portal.admin.invite_user(SERVICE_DESK, employer.id, email="HR@example.nl", username="hrx")
    assert throttled.value.retry_at > clock.now()
    clock.advance(portal.settings.account_mail_window)
    portal.admin.invite_user(SERVICE_DESK, employer.id, email="hr@example.nl", username="hrx")


# Concurrency (must hold 2) ------------------------------------------------------------


def refusals(outcomes: list[object]) -> list[str]:
    """The names of the exceptions among ``race``'s outcomes, sorted."""
    return sorted(type(o).__name__ for o in outcomes if isinstance(o, BaseException))


def test_two_redeemers_of_one_invitation_one_wins(
    storage_factory: Callable[[], Storage], mailer: RecordingMailer, clock: FrozenClock
) -> None:
    portals = [
        Portal(storage=storage_factory(), mailer=mailer, clock=clock, settings=make_settings())
        for _ in range(2)
    ]
    _, token = invite(portals[0], mailer)
    outcomes = race([functools.partial(p.accounts.register, token, GOOD) for p in portals])
    assert refusals(outcomes) == ["InvalidToken"]


def test_two_redeemers_of_one_reset_link_one_wins(
    storage_factory: Callable[[], Storage], mailer: RecordingMailer, clock: FrozenClock
) -> None:
    portals = [
        Portal(storage=storage_factory(), mailer=mailer, clock=clock, settings=make_settings())
        for _ in range(2)
    ]
    registered(portals[0], mailer)
    portals[0].accounts.request_password_reset("anna.hr")
    portals[0].outbox.dispatch_due()
    token = link_in(mailer.sent[-1], "wachtwoord-herstellen")
    outcomes = race(
        [
            functools.partial(p.accounts.reset_password, token, PASSWORDS[n])
            for n, p in enumerate(portals)
        ]
    )
    assert refusals(outcomes) == ["InvalidToken"]


# Password history (must hold 3) -------------------------------------------------------


def test_the_last_six_passwords_are_refused_and_the_seventh_back_is_fine(
    portal: Portal, mailer: RecordingMailer
) -> None:
    user = registered(portal, mailer)
    actor = user.actor
    current = GOOD
    for new in PASSWORDS[:6]:
        portal.accounts.change_password(actor, current, new)
        current = new
    # History now holds PASSWORDS[0..5]; GOOD is the seventh back.
    for old in PASSWORDS[:6]:
        with pytest.raises(PasswordPolicyError) as reused:
            portal.accounts.change_password(actor, current, old)
        assert reused.value.violations == ("reused",)
    portal.accounts.request_password_reset("anna.hr")
    portal.outbox.dispatch_due()
    token = link_in(mailer.sent[-1], "wachtwoord-herstellen")
    with pytest.raises(PasswordPolicyError, match="laatste 6"):
        portal.accounts.reset_password(token, PASSWORDS[1])
    portal.accounts.reset_password(token, GOOD)


def test_change_password_needs_the_current_one_and_ends_every_session(
    portal: Portal, mailer: RecordingMailer
) -> None:
    user = registered(portal, mailer)
    first, second = session_for(portal, user), session_for(portal, user)
    assert portal.auth.authenticate(first) == user.actor
    with pytest.raises(VerificationFailed):
        portal.accounts.change_password(user.actor, "Niet-Het-Goede-1", PASSWORDS[0])
    portal.accounts.change_password(user.actor, GOOD, PASSWORDS[0])
    for token in (first, second):
        with pytest.raises(NotAuthenticated):
            portal.auth.authenticate(token)


def test_wrong_current_passwords_are_throttled(portal: Portal, mailer: RecordingMailer) -> None:
    user = registered(portal, mailer)
    for _ in range(5):
        with pytest.raises(VerificationFailed):
            portal.accounts.change_password(user.actor, "Fout-Wachtwoord-12", PASSWORDS[0])
    with pytest.raises(Throttled):
        portal.accounts.change_password(user.actor, GOOD, PASSWORDS[0])


def test_confirming_the_password_again_shares_the_change_throttle(
    portal: Portal, mailer: RecordingMailer
) -> None:
    user = registered(portal, mailer)
    portal.accounts.confirm_password(user.actor, GOOD)
    for _ in range(5):
        with pytest.raises(VerificationFailed):
            portal.accounts.confirm_password(user.actor, "Fout-Wachtwoord-12")
    with pytest.raises(Throttled):
        portal.accounts.confirm_password(user.actor, GOOD)
    with pytest.raises(Throttled):
        portal.accounts.change_password(user.actor, GOOD, PASSWORDS[0])


# Reset and reminders (must hold 4) ----------------------------------------------------


def test_reset_link_sets_a_new_password_ends_sessions_and_keeps_the_second_factor(
    portal: Portal, mailer: RecordingMailer, clock: FrozenClock
) -> None:
    user = registered(portal, mailer)
    session = session_for(portal, user)
    portal.accounts.request_password_reset("ANNA.HR")
    portal.outbox.dispatch_due()
    mail = mailer.sent[-1]
    assert mail["To"] == "anna.hr@example.nl"
    token = link_in(mail, "wachtwoord-herstellen")
    with pytest.raises(PasswordPolicyError):
        portal.accounts.reset_password(token, "kort")
    portal.accounts.reset_password(token, PASSWORDS[0])
    with pytest.raises(NotAuthenticated):
        portal.auth.authenticate(session)
    with pytest.raises(InvalidToken):
        portal.accounts.reset_password(token, PASSWORDS[1])
    with portal.storage.unit_of_work() as uow:
        after = uow.users.get(user.id)
    assert after is not None
    assert after.status is AccountStatus.ACTIVE  # the next login still asks for the factor
    portal.accounts.confirm_password(after.actor, PASSWORDS[0])


def test_a_reset_link_expires_after_an_hour(
    portal: Portal, mailer: RecordingMailer, clock: FrozenClock
) -> None:
    registered(portal, mailer)
    portal.accounts.request_password_reset("anna.hr")
    portal.outbox.dispatch_due()
    token = link_in(mailer.sent[-1], "wachtwoord-herstellen")
    clock.advance(timedelta(hours=1))
    with pytest.raises(InvalidToken):
        portal.accounts.reset_password(token, PASSWORDS[0])


# Checking a link before using it ----------------------------------------------------


def test_a_link_is_checked_without_being_used(
    portal: Portal, mailer: RecordingMailer, clock: FrozenClock
) -> None:
    _, invitation = invite(portal, mailer)
    status = portal.accounts.check_link(invitation, TokenPurpose.INVITATION)
    assert status.username == "anna.hr"
    assert status.expires_at == clock.now() + portal.settings.invitation_lifetime
    assert portal.accounts.check_link(invitation, TokenPurpose.INVITATION) == status
    with pytest.raises(InvalidToken):  # an invitation is no reset link
        portal.accounts.check_link(invitation, TokenPurpose.PASSWORD_RESET)
    enrollment = portal.accounts.register(invitation, GOOD)  # the checks left it usable
    with pytest.raises(InvalidToken, match="al gebruikt"):
        portal.accounts.check_link(invitation, TokenPurpose.INVITATION)

    activate(portal, enrollment.user_id)
    portal.accounts.request_password_reset("anna.hr")
    portal.outbox.dispatch_due()
    reset = link_in(mailer.sent[-1], "wachtwoord-herstellen")
    assert portal.accounts.check_link(reset, TokenPurpose.PASSWORD_RESET).username == "anna.hr"
    clock.advance(timedelta(hours=1))
    with pytest.raises(InvalidToken):
        portal.accounts.check_link(reset, TokenPurpose.PASSWORD_RESET)


def test_a_revoked_invitation_and_nonsense_fail_the_check(
    portal: Portal, mailer: RecordingMailer
) -> None:
    employer_id, invitation = invite(portal, mailer)
    (user,) = portal.admin.users(SERVICE_DESK, employer_id)
    portal.admin.revoke_invitation(SERVICE_DESK, user.id)
    with pytest.raises(InvalidToken):
        portal.accounts.check_link(invitation, TokenPurpose.INVITATION)
    for nonsense in ("", "nonsense", "A" * 43, None, 7):
        with pytest.raises(InvalidToken):
            portal.accounts.check_link(nonsense, TokenPurpose.INVITATION)  # type: ignore[arg-type]


def test_only_mailed_links_are_checked(portal: Portal, mailer: RecordingMailer) -> None:
    _, invitation = invite(portal, mailer)
    with pytest.raises(ValueError, match="not the purpose of a mailed link"):
        portal.accounts.check_link(invitation, TokenPurpose.ENROLLMENT)


def test_remind_username_mails_the_username(portal: Portal, mailer: RecordingMailer) -> None:
    registered(portal, mailer)
    portal.accounts.remind_username("Anna.HR@Example.nl")
    portal.outbox.dispatch_due()
    mail = mailer.sent[-1]
    assert mail["Subject"] == "Je inlognaam voor het OnzeCoach Portaal"
    assert "anna.hr" in body(mail)


def table_kinds(portal: Portal) -> dict[str, int]:
    with portal.storage.unit_of_work() as uow:
        messages = uow.outbox.list(limit=10_000)
        return {
            "outbox": len(messages),
            "suppressed": sum(m.status is OutboxStatus.SUPPRESSED for m in messages),
        }


@pytest.mark.parametrize("request_kind", ["reset", "reminder"])
def test_known_and_unknown_accounts_get_the_same_answer_and_the_same_rows(
    portal: Portal, mailer: RecordingMailer, request_kind: str
) -> None:
    registered(portal, mailer)
    portal.outbox.dispatch_due()
    sent_before = len(mailer.sent)

    def ask(known: bool) -> object:
        if request_kind == "reset":
            answer: object = portal.accounts.request_password_reset(  # type: ignore[func-returns-value]
                "anna.hr" if known else "niemand"
            )
        else:
            answer = portal.accounts.remind_username(  # type: ignore[func-returns-value]
                "anna.hr@example.nl" if known else "niemand@example.nl"
            )
        return answer

    before = table_kinds(portal)
    known_answer = ask(known=True)
    after_known = table_kinds(portal)
    unknown_answer = ask(known=False)
    after_unknown = table_kinds(portal)
    assert known_answer is None
    assert unknown_answer is None
    assert after_known["outbox"] - before["outbox"] == 1
    assert after_unknown["outbox"] - after_known["outbox"] == 1
    assert after_unknown["suppressed"] - after_known["suppressed"] == 1
    assert portal.outbox.dispatch_due() == 1  # only the real one leaves
    assert len(mailer.sent) == sent_before + 1


def test_self_service_mails_are_rate_limited_per_address(
    portal: Portal, mailer: RecordingMailer, clock: FrozenClock
) -> None:
    registered(portal, mailer)
    portal.outbox.dispatch_due()
    before = len(mailer.sent)
    for _ in range(10):
        portal.accounts.request_password_reset("anna.hr")
        portal.accounts.remind_username("anna.hr@example.nl")
    portal.outbox.dispatch_due()
    limit = portal.settings.account_mail_limit
    assert len(mailer.sent) - before == 2 * limit
    clock.advance(portal.settings.account_mail_window)
    portal.accounts.request_password_reset("anna.hr")
    assert portal.outbox.dispatch_due() == 1


@pytest.mark.parametrize("value", ["", "   ", None])
def test_self_service_needs_input(portal: Portal, value: object) -> None:
    with pytest.raises(ValidationError):
        portal.accounts.request_password_reset(value)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        portal.accounts.remind_username(value)  # type: ignore[arg-type]


# Sessions -----------------------------------------------------------------------------


def test_sessions_idle_out_end_at_their_lifetime_and_on_logout(
    portal: Portal, mailer: RecordingMailer, clock: FrozenClock
) -> None:
    user = registered(portal, mailer)
    settings = portal.settings
    token = session_for(portal, user)
    clock.advance(settings.session_idle_timeout - timedelta(seconds=1))
    assert portal.auth.authenticate(token).user_id == user.id  # use keeps it alive
    clock.advance(settings.session_idle_timeout - timedelta(seconds=1))
    assert portal.auth.authenticate(token).role is Role.HR
    clock.advance(settings.session_idle_timeout)
    with pytest.raises(NotAuthenticated):
        portal.auth.authenticate(token)

    lifetime = session_for(portal, user)
    step = timedelta(minutes=20)
    for _ in range(settings.session_lifetime // step - 1):
        clock.advance(step)
        portal.auth.authenticate(lifetime)  # used often enough never to idle out
    clock.advance(step)  # now at the session's absolute end
    with pytest.raises(NotAuthenticated):
        portal.auth.authenticate(lifetime)

    last = session_for(portal, user)
    portal.auth.logout(last)
    portal.auth.logout(last)  # twice is fine
    with pytest.raises(NotAuthenticated):
        portal.auth.authenticate(last)
    for bogus in ("", "x" * 43, None):
        with pytest.raises(NotAuthenticated):
            portal.auth.authenticate(bogus)  # type: ignore[arg-type]


def test_a_login_rehashes_when_the_parameters_changed(
    storage: Storage, mailer: RecordingMailer, clock: FrozenClock
) -> None:
    cheap = Portal(storage=storage, mailer=mailer, clock=clock, settings=make_settings())
    user = registered(cheap, mailer)
    assert user.password_hash is not None
    assert "m=8," in user.password_hash
    stronger = Portal(
        storage=storage,
        mailer=mailer,
        clock=clock,
        settings=make_settings(password_hashing=OWASP_MINIMUM),
    )
    stronger.accounts.confirm_password(user.actor, GOOD)
    with storage.unit_of_work() as uow:
        rehashed = uow.users.get(user.id)
    assert rehashed is not None
    assert rehashed.password_hash is not None
    assert "m=19456,t=2,p=1" in rehashed.password_hash
    stronger.accounts.confirm_password(rehashed.actor, GOOD)
    with pytest.raises(VerificationFailed):
        stronger.accounts.confirm_password(rehashed.actor, "Iets-Anders-2026!")


def test_the_service_desk_invites_its_own_users_without_an_employer(
    portal: Portal, mailer: RecordingMailer
) -> None:
    invitation = portal.admin.invite_user(
        SERVICE_DESK,
        None,
        email="desk@onzecoach.nl",
        username="servicedesk.1",
        role=Role.SERVICE_DESK,
    )
    assert invitation.employer_id is None
    portal.outbox.dispatch_due()
    enrollment = portal.accounts.register(link_in(mailer.sent[-1], "registreren"), GOOD)
    assert enrollment.username == "servicedesk.1"
    employer = portal.admin.create_employer(SERVICE_DESK, "Acme")
    with pytest.raises(ValidationError, match="servicebureau"):
        portal.admin.invite_user(
            SERVICE_DESK,
            employer.id,
            email="x@onzecoach.nl",
            username="desk2",
            role=Role.SERVICE_DESK,
        )
    with pytest.raises(ValidationError) as bad_role:
        portal.admin.invite_user(
            SERVICE_DESK,
            employer.id,
            email="x@onzecoach.nl",
            username="desk3",
            role="koning",  # type: ignore[arg-type]
        )
    assert set(bad_role.value.errors) == {"role"}
