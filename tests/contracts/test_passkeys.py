"""Signing in with a passkey alone, naming and removing keys, and racing answers, on every
storage adapter."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import timedelta

import pytest

from conftest import StorageFactory
from onzecoach import (
    Conflict,
    NotFound,
    Portal,
    Throttled,
    ValidationError,
    VerificationFailed,
)
from onzecoach.accounts import Session
from onzecoach.actors import SERVICE_DESK, Actor
from onzecoach.errors import InvalidToken
from onzecoach.mfa import FactorKind
from onzecoach.ports import Storage
from onzecoach.settings import Settings
from onzecoach.testing import FrozenClock, RecordingMailer
from onzecoach.testing.contracts._builders import race
from softkey import SoftKey
from support import make_settings
from webauthn_support import PASSWORD, ask, begin, body, enroll, refused

THREADS = 8


@pytest.fixture
def settings() -> Settings:
    # Six failed tries throttle the account (and, with the address's cap, the address).
    return make_settings(login_max_failures=6, login_free_failures=6, login_ip_max_failures=20)


def with_key(
    portal: Portal,
    mailer: RecordingMailer,
    username: str = "anna.hr",
    *,
    verifies_user: bool = True,
) -> tuple[SoftKey, str]:
    """An HR user with one key; the key and the user's employer id."""
    enrollment = enroll(portal, mailer, username)
    key = SoftKey(verifies_user=verifies_user)
    options = begin(portal, enrollment.token)
    portal.mfa.finish_webauthn(enrollment.token, key.create(options), "Laptop")
    portal.mfa.finish(enrollment.token)
    with portal.storage.unit_of_work() as uow:
        user = uow.users.by_username(username)
        assert user is not None
        assert user.employer_id is not None
        return key, user.employer_id


def allow(portal: Portal, employer_id: str, allowed: bool = True) -> None:
    policy = portal.admin.set_employer_policy(SERVICE_DESK, employer_id, passkey_login=allowed)
    assert policy.passkey_login is allowed


def sign_in(
    portal: Portal,
    key: SoftKey,
    *,
    origin: str | None = None,
    rp_id: str | None = None,
    counter: int | None = None,
) -> Session:
    """``begin_passkey`` a second after the last, and the key's answer to it."""
    assert isinstance(portal.clock, FrozenClock)
    portal.clock.advance(timedelta(seconds=1))
    challenge = portal.auth.begin_passkey(ip="192.0.2.7")
    answer = key.get(challenge.options, origin=origin, rp_id=rp_id, counter=counter)
    return portal.auth.finish_passkey(challenge.token, answer, ip="192.0.2.7")


def test_a_passkey_alone_signs_in_where_the_employer_allows_it(
    portal: Portal, mailer: RecordingMailer, storage: Storage
) -> None:
    key, employer_id = with_key(portal, mailer)
    assert not portal.auth.passkey_offered()
    with refused("passkey_not_allowed"):
        sign_in(portal, key)

    allow(portal, employer_id)
    assert portal.auth.passkey_offered()
    challenge = portal.auth.begin_passkey()
    options = json.loads(challenge.options)
    assert options["allowCredentials"] == []
    assert options["userVerification"] == "required"
    assert options["rpId"] == "portaal.example.nl"
    session = sign_in(portal, key)
    assert portal.auth.authenticate(session.token) == session.actor
    with storage.unit_of_work() as uow:
        entries = uow.audit.for_subject("user", session.user_id)
    assert [e.details.get("method") for e in entries if e.action == "auth.signed_in"] == ["passkey"]
    (listed,) = portal.mfa.methods(session.actor)
    assert listed.last_used_at == portal.clock.now()

    allow(portal, employer_id, False)
    with refused("passkey_not_allowed"):
        sign_in(portal, key)
    with storage.unit_of_work() as uow:
        actions = [e.action for e in uow.audit.for_subject("user", session.user_id)]
    assert actions.count("auth.passkey_refused") == 2


def test_a_refusal_by_policy_comes_only_after_a_valid_assertion(
    portal: Portal, mailer: RecordingMailer
) -> None:
    key, _ = with_key(portal, mailer)
    with refused("mismatch"):
        sign_in(portal, key, origin="https://phish.example")
    with refused("passkey_not_allowed"):
        sign_in(portal, key)


def test_a_passkey_alone_needs_user_verification(portal: Portal, mailer: RecordingMailer) -> None:
    key, employer_id = with_key(portal, mailer, verifies_user=False)
    allow(portal, employer_id)
    with refused("user_not_verified"):
        sign_in(portal, key)
    # As a second factor after the password a touch is enough.
    challenge = portal.auth.login("anna.hr", PASSWORD)
    session = portal.auth.verify(
        challenge.token, key.get(ask(portal, challenge.token)), method="webauthn"
    )
    assert session.token


def test_the_staff_follow_the_portal_wide_setting(
    storage: Storage, clock: FrozenClock, mailer: RecordingMailer
) -> None:
    for allowed in (False, True):
        portal = Portal(
            storage=storage,
            mailer=mailer,
            clock=clock,
            settings=make_settings(staff_passkey_login=allowed),
        )
        assert portal.auth.passkey_offered() is allowed
        username = f"coach{int(allowed)}"
        portal.coaches.invite(
            SERVICE_DESK,
            email=f"{username}@example.nl",
            username=username,
            name="Coach Bos",
            modes=["online"],
            video_url="https://video.example.nl/bos",
        )
        portal.outbox.dispatch_due()
        link = re.search(r"/registreren/(\S+)", body(mailer.sent[-1]))
        assert link
        enrollment = portal.accounts.register(link.group(1), PASSWORD)
        key = SoftKey(verifies_user=True)
        portal.mfa.finish_webauthn(
            enrollment.token, key.create(begin(portal, enrollment.token)), "Telefoon"
        )
        portal.mfa.finish(enrollment.token)
        if allowed:
            assert sign_in(portal, key).actor.role.value == "coach"
        else:
            with refused("passkey_not_allowed"):
                sign_in(portal, key)


def test_refusals_each_have_their_code_and_count_as_failures(
    portal: Portal, mailer: RecordingMailer, clock: FrozenClock
) -> None:
    key, employer_id = with_key(portal, mailer)
    other, other_employer = with_key(portal, mailer, "bert.hr")
    allow(portal, employer_id)
    allow(portal, other_employer)

    challenge = portal.auth.begin_passkey()
    assertion = key.get(challenge.options)
    portal.auth.finish_passkey(challenge.token, assertion)
    with refused("challenge_used"):  # the same answer again
        portal.auth.finish_passkey(challenge.token, assertion)
    with refused("challenge_used"):  # an answer to no challenge of this portal
        portal.auth.finish_passkey("geen-token", key.get(challenge.options))
    with refused("mismatch"):
        sign_in(portal, key, rp_id="phish.example")
    stale = portal.auth.begin_passkey()
    clock.advance(timedelta(minutes=5))
    with refused("challenge_expired"):
        portal.auth.finish_passkey(stale.token, key.get(stale.options))
    with refused("counter_backwards"):
        sign_in(portal, key, counter=1)
    # Bert's key answering with Anna's user handle: a credential of another user.
    other.user_handle = key.user_handle
    with refused("wrong_key"):
        sign_in(portal, other)
    with refused("malformed"):
        portal.auth.finish_passkey(portal.auth.begin_passkey().token, "geen json")
    # Anna's account has failed five times now: once more and it waits.
    with refused("counter_backwards"):
        sign_in(portal, key, counter=2)
    with pytest.raises(Throttled):
        sign_in(portal, key, counter=100)


def test_an_address_that_keeps_guessing_is_throttled(
    portal: Portal, mailer: RecordingMailer
) -> None:
    with_key(portal, mailer)
    stranger = SoftKey(verifies_user=True)
    stranger.user_handle = "AAAA"
    for _ in range(20):
        with refused("wrong_key"):
            sign_in(portal, stranger)
    with pytest.raises(Throttled):
        portal.auth.begin_passkey(ip="192.0.2.7")
    assert portal.auth.begin_passkey(ip="192.0.2.8").token


def test_a_key_is_named_again_and_removed_but_never_the_last_method(
    portal: Portal, mailer: RecordingMailer
) -> None:
    key, _ = with_key(portal, mailer)
    challenge = portal.auth.login("anna.hr", PASSWORD)
    session = portal.auth.verify(
        challenge.token, key.get(ask(portal, challenge.token)), method="webauthn"
    )
    actor = session.actor
    (first,) = portal.mfa.methods(actor)
    renamed = portal.mfa.rename_key(actor, first.id, "  Werklaptop ")
    assert renamed.name == "Werklaptop"
    assert [m.name for m in portal.mfa.methods(actor)] == ["Werklaptop"]
    for name, code in (("", "required"), ("x" * 65, "too_long"), ("a\x00b", "invalid")):
        with pytest.raises(ValidationError) as bad:
            portal.mfa.rename_key(actor, first.id, name)
        assert bad.value.codes == {"name": code}
    with pytest.raises(NotFound):
        portal.mfa.rename_key(actor, "0" * 32, "Elders")
    with pytest.raises(Conflict) as last:
        portal.mfa.remove_method(actor, first.id)
    assert last.value.code == "factor.last"

    setup = portal.mfa.setup_token(actor)
    second = SoftKey(verifies_user=True)
    portal.mfa.finish_webauthn(setup.token, second.create(begin(portal, setup.token)), "Telefoon")
    assert portal.mfa.finish(setup.token).codes == ()
    portal.mfa.remove_method(actor, first.id)
    (kept,) = portal.mfa.methods(actor)
    assert (kept.kind, kept.name) == (FactorKind.WEBAUTHN, "Telefoon")
    challenge = portal.auth.login("anna.hr", PASSWORD)
    with refused("wrong_key"):
        portal.auth.verify(
            challenge.token, key.get(ask(portal, challenge.token)), method="webauthn"
        )
    assert portal.auth.verify(
        challenge.token, second.get(ask(portal, challenge.token)), method="webauthn"
    ).token


def test_another_users_key_cannot_be_named_or_removed(
    portal: Portal, mailer: RecordingMailer
) -> None:
    key, _ = with_key(portal, mailer)
    other, _ = with_key(portal, mailer, "bert.hr")
    anna = _signed_in(portal, "anna.hr", key)
    bert = _signed_in(portal, "bert.hr", other)
    (annas,) = portal.mfa.methods(anna)
    with pytest.raises(NotFound):
        portal.mfa.rename_key(bert, annas.id, "Van mij")
    with pytest.raises(NotFound):
        portal.mfa.remove_method(bert, annas.id)
    assert [m.name for m in portal.mfa.methods(anna)] == ["Laptop"]


def test_a_key_belongs_to_one_account(portal: Portal, mailer: RecordingMailer) -> None:
    key, _ = with_key(portal, mailer)
    other = enroll(portal, mailer, "bert.hr")
    options = begin(portal, other.token)
    with pytest.raises(Conflict) as taken:
        portal.mfa.finish_webauthn(other.token, key.create(options), "Geleend")
    assert taken.value.code == "webauthn.registered"


def _signed_in(portal: Portal, username: str, key: SoftKey) -> Actor:
    challenge = portal.auth.login(username, PASSWORD)
    return portal.auth.verify(
        challenge.token, key.get(ask(portal, challenge.token)), method="webauthn"
    ).actor


# Two logins racing with one assertion ---------------------------------------------------


def _outcome(results: list[object]) -> tuple[list[Session], list[BaseException]]:
    won = [r for r in results if isinstance(r, Session)]
    lost = [r for r in results if isinstance(r, BaseException)]
    assert len(won) + len(lost) == len(results), results
    return won, lost


def _portals(factory: StorageFactory, clock: FrozenClock, mailer: RecordingMailer) -> list[Portal]:
    settings = make_settings(login_max_failures=50, login_free_failures=50)
    return [
        Portal(storage=factory(), mailer=mailer, clock=clock, settings=settings)
        for _ in range(THREADS + 1)
    ]


def _sessions(portal: Portal, user_id: str) -> int:
    with portal.storage.unit_of_work() as uow:
        return sum(
            1 for e in uow.audit.for_subject("user", user_id) if e.action == "auth.signed_in"
        )


def test_racing_logins_with_one_assertion_open_one_session(
    storage_factory: StorageFactory, clock: FrozenClock, mailer: RecordingMailer
) -> None:
    made = _portals(storage_factory, clock, mailer)
    first = made[0]
    key, _ = with_key(first, mailer)
    challenge = first.auth.login("anna.hr", PASSWORD)
    assertion = key.get(ask(first, challenge.token))

    def answer(portal: Portal) -> Callable[[], object]:
        return lambda: portal.auth.verify(challenge.token, assertion, method="webauthn")

    won, lost = _outcome(race([answer(p) for p in made[1:]]))
    assert len(won) == 1, lost
    assert all(isinstance(e, VerificationFailed | InvalidToken) for e in lost), lost
    assert _sessions(first, won[0].user_id) == 1


def test_racing_passkey_sign_ins_with_one_assertion_open_one_session(
    storage_factory: StorageFactory, clock: FrozenClock, mailer: RecordingMailer
) -> None:
    made = _portals(storage_factory, clock, mailer)
    first = made[0]
    key, employer_id = with_key(first, mailer)
    allow(first, employer_id)
    challenge = first.auth.begin_passkey()
    assertion = key.get(challenge.options)

    def answer(portal: Portal) -> Callable[[], object]:
        return lambda: portal.auth.finish_passkey(challenge.token, assertion)

    won, lost = _outcome(race([answer(p) for p in made[1:]]))
    assert len(won) == 1, lost
    assert {getattr(e, "code", None) for e in lost} == {"webauthn.challenge_used"}, lost
    assert _sessions(first, won[0].user_id) == 1
