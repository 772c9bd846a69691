"""Security keys and passkeys (WebAuthn) through the public API, on every storage adapter."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from onzecoach import (
    Conflict,
    InvalidToken,
    Portal,
    Throttled,
    ValidationError,
)
from onzecoach.adapters.sql import SqlStorage
from onzecoach.mfa import FactorKind, Method
from onzecoach.ports import Storage
from onzecoach.settings import Settings
from onzecoach.testing import FrozenClock, RecordingMailer
from softkey import SoftKey, b64url
from support import make_settings
from webauthn_support import PASSWORD, ask, begin, enroll, refused


@pytest.fixture
def settings() -> Settings:
    # Six failed steps throttle the account for the hour: the refusals below count.
    return make_settings(login_max_failures=6, login_free_failures=6)


def test_a_key_is_registered_during_enrolment_and_signs_in(
    portal: Portal, mailer: RecordingMailer, clock: FrozenClock
) -> None:
    enrollment = enroll(portal, mailer)
    options = json.loads(begin(portal, enrollment.token))
    assert options["rp"]["id"] == "portaal.example.nl"
    assert options["excludeCredentials"] == []
    handle = options["user"]["id"]
    assert "anna" not in handle
    assert len(handle) >= 40
    key = SoftKey()
    view = portal.mfa.finish_webauthn(
        enrollment.token, key.create(json.dumps(options)), " YubiKey 5 "
    )
    assert view.kind is FactorKind.WEBAUTHN
    assert view.name == "YubiKey 5"
    assert view.confirmed
    portal.mfa.finish(enrollment.token)

    challenge = portal.auth.login("anna.hr", PASSWORD)
    assert Method.WEBAUTHN in challenge.methods
    options = json.loads(ask(portal, challenge.token))
    assert options["rpId"] == "portaal.example.nl"
    assert [c["id"] for c in options["allowCredentials"]] == [b64url(key.credential_id)]
    clock.advance(timedelta(minutes=1))
    session = portal.auth.verify(challenge.token, key.get(json.dumps(options)), method="webauthn")
    assert session.token
    (listed,) = portal.mfa.methods(session.actor)
    assert listed.last_used_at == clock.now()
    assert listed.name == "YubiKey 5"


def test_a_second_key_shares_the_handle_and_excludes_the_first(
    portal: Portal, mailer: RecordingMailer
) -> None:
    enrollment = enroll(portal, mailer)
    first = SoftKey()
    portal.mfa.finish_webauthn(
        enrollment.token, first.create(begin(portal, enrollment.token)), "Eerste"
    )
    options = json.loads(begin(portal, enrollment.token))
    assert [c["id"] for c in options["excludeCredentials"]] == [b64url(first.credential_id)]
    options = json.loads(begin(portal, enrollment.token))
    assert options["user"]["id"] == first.user_handle
    second = SoftKey()
    portal.mfa.finish_webauthn(enrollment.token, second.create(json.dumps(options)), "Tweede")
    again = begin(portal, enrollment.token)
    with pytest.raises(Conflict) as registered:
        portal.mfa.finish_webauthn(enrollment.token, first.create(again), "Nogmaals")
    assert registered.value.code == "webauthn.registered"
    portal.mfa.finish(enrollment.token)


def test_registration_refusals(portal: Portal, mailer: RecordingMailer, clock: FrozenClock) -> None:
    enrollment = enroll(portal, mailer)
    key = SoftKey()
    with refused("challenge_used"):
        portal.mfa.finish_webauthn(
            enrollment.token, key.create(json.dumps(_fake_options())), "Sleutel"
        )
    options = begin(portal, enrollment.token)
    with refused("mismatch"):
        portal.mfa.finish_webauthn(
            enrollment.token, key.create(options, origin="https://phish.example"), "Sleutel"
        )
    # The challenge was spent by the refused answer: it does not work a second time.
    with refused("challenge_used"):
        portal.mfa.finish_webauthn(enrollment.token, key.create(options), "Sleutel")
    options = begin(portal, enrollment.token)
    with refused("mismatch"):
        portal.mfa.finish_webauthn(
            enrollment.token, key.create(options, rp_id="phish.example"), "Sleutel"
        )
    options = begin(portal, enrollment.token)
    clock.advance(timedelta(minutes=5))
    with refused("challenge_expired"):
        portal.mfa.finish_webauthn(enrollment.token, key.create(options), "Sleutel")
    options = begin(portal, enrollment.token)
    newer = begin(portal, enrollment.token)
    with refused("mismatch"):
        portal.mfa.finish_webauthn(enrollment.token, key.create(options), "Sleutel")
    with refused("malformed"):
        portal.mfa.finish_webauthn(enrollment.token, "{niet: json", "Sleutel")
    with pytest.raises(ValidationError) as unnamed:
        portal.mfa.finish_webauthn(enrollment.token, key.create(newer), "  ")
    assert unnamed.value.codes == {"name": "required"}
    with pytest.raises(InvalidToken):
        portal.mfa.begin_webauthn("geen-token")
    options = begin(portal, enrollment.token)
    portal.mfa.finish_webauthn(enrollment.token, key.create(options), "Sleutel")
    with refused("challenge_used"):
        portal.mfa.finish_webauthn(enrollment.token, key.create(options), "Sleutel")


def test_a_challenge_is_bound_to_its_enrolment(portal: Portal, mailer: RecordingMailer) -> None:
    anna = enroll(portal, mailer)
    bert = enroll(portal, mailer, "bert.hr")
    options = portal.mfa.begin_webauthn(anna.token)
    with refused("challenge_used"):
        portal.mfa.finish_webauthn(bert.token, SoftKey().create(options), "Sleutel")
    portal.mfa.finish_webauthn(anna.token, SoftKey().create(options), "Sleutel")


def _fake_options() -> dict[str, object]:
    return {"rp": {"id": "portaal.example.nl"}, "user": {"id": "AAAA"}, "challenge": "AAAA"}


def key_user(portal: Portal, mailer: RecordingMailer, username: str = "anna.hr") -> SoftKey:
    enrollment = enroll(portal, mailer, username)
    key = SoftKey()
    options = begin(portal, enrollment.token)
    portal.mfa.finish_webauthn(enrollment.token, key.create(options), "Sleutel")
    portal.mfa.finish(enrollment.token)
    return key


def test_login_refusals_each_have_their_code_and_count_as_failures(
    portal: Portal, mailer: RecordingMailer, clock: FrozenClock
) -> None:
    key = key_user(portal, mailer)
    other = key_user(portal, mailer, "bert.hr")
    challenge = portal.auth.login("anna.hr", PASSWORD)

    def answer(response: str) -> None:
        portal.auth.verify(challenge.token, response, method="webauthn")

    with refused("challenge_used"):  # no options asked for
        answer(key.get(json.dumps({"rpId": "portaal.example.nl", "challenge": "AAAA"})))
    options = ask(portal, challenge.token)
    with refused("mismatch"):
        answer(key.get(options, origin="https://phish.example"))
    with refused("challenge_used"):  # the refused answer spent the challenge
        answer(key.get(options))
    with refused("mismatch"):
        answer(key.get(ask(portal, challenge.token), rp_id="phish.example"))
    with refused("wrong_key"):
        answer(other.get(ask(portal, challenge.token)))
    with refused("malformed"):
        answer("geen json")
    with pytest.raises(Throttled):
        answer(key.get(ask(portal, challenge.token)))


def test_a_replayed_assertion_or_a_counter_going_back_is_refused(
    portal: Portal, mailer: RecordingMailer, storage: Storage
) -> None:
    key = key_user(portal, mailer)
    first = portal.auth.login("anna.hr", PASSWORD)
    options = ask(portal, first.token)
    assertion = key.get(options)
    portal.auth.verify(first.token, assertion, method="webauthn")
    second = portal.auth.login("anna.hr", PASSWORD)
    with refused("challenge_used"):
        portal.auth.verify(second.token, assertion, method="webauthn")
    options = ask(portal, second.token)
    with refused("counter_backwards"):
        portal.auth.verify(second.token, key.get(options, counter=1), method="webauthn")
    with storage.unit_of_work() as uow:
        user = uow.users.by_username("anna.hr")
        assert user is not None
        actions = [e.action for e in uow.audit.for_subject("user", user.id)]
    assert "mfa.webauthn_counter_backwards" in actions
    options = ask(portal, second.token)
    session = portal.auth.verify(second.token, key.get(options, counter=10), method="webauthn")
    assert session.token


def test_a_login_without_a_key_gets_no_webauthn_options(
    portal: Portal, mailer: RecordingMailer, clock: FrozenClock
) -> None:
    enrollment = enroll(portal, mailer)
    with pytest.raises(InvalidToken):
        portal.auth.webauthn_options("geen-token")
    key = SoftKey()
    portal.mfa.finish_webauthn(
        enrollment.token, key.create(begin(portal, enrollment.token)), "Sleutel"
    )
    portal.mfa.finish(enrollment.token)
    challenge = portal.auth.login("anna.hr", PASSWORD)
    with pytest.raises(ValidationError) as unavailable:
        portal.auth.verify(challenge.token, "123456", method="totp")
    assert unavailable.value.codes == {"method": "unavailable"}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlStorage]:
    """A database of its own: a raw dump reads its tables (memory has none)."""
    url = (
        f"sqlite:///{tmp_path / 'p.db'}"
        if request.param == "sqlite"
        else request.getfixturevalue("postgres_schema_url")
    )
    made = SqlStorage(url)
    made.upgrade()
    yield made
    made.close()


def test_the_stored_keys_hold_no_username_or_address(
    database: SqlStorage, clock: FrozenClock, settings: Settings
) -> None:
    storage = database
    mailer = RecordingMailer()
    portal = Portal(storage=storage, mailer=mailer, clock=clock, settings=settings)
    key_user(portal, mailer)
    columns = [
        "credential_id",
        "public_key",
        "sign_count",
        "transports",
        "name",
        "user_handle",
        "last_used_at",
    ]
    with storage.engine.connect() as connection:
        rows = connection.execute(
            sa.text(f"SELECT {', '.join(columns)} FROM onzecoach_mfa_factors")
        ).all()
    (row,) = rows
    values = dict(zip(columns, row, strict=True))
    assert values["public_key"]
    assert values["user_handle"]
    assert values["sign_count"] == 1
    assert values["name"] == "Sleutel"
    dump = " ".join(str(value) for value in row).lower()
    assert "anna" not in dump
    assert "example.nl" not in dump
    # The challenges of the ceremonies: keyed hashes and times, bound to their step.
    portal.auth.webauthn_options(portal.auth.login("anna.hr", PASSWORD).token)
    with storage.engine.connect() as connection:
        challenges = connection.execute(
            sa.text("SELECT * FROM onzecoach_webauthn_challenges")
        ).all()
    assert len(challenges) == 2  # the enrolment's, spent, and the login's
    spent = " ".join(str(value) for row in challenges for value in row).lower()
    assert "anna" not in spent
    assert "example.nl" not in spent
