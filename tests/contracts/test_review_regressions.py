"""Behaviour that a review found wrong once: each test failed before its fix."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import attrs
import pyotp
import pytest

from onzecoach import (
    Actor,
    NotFound,
    Portal,
    Role,
    Throttled,
    ValidationError,
    VerificationFailed,
)
from onzecoach.actors import SERVICE_DESK
from onzecoach.notifications import MailContent, OutboxStatus, new_email
from onzecoach.ports import Storage
from onzecoach.testing import FrozenClock, RecordingMailer, RecordingSms
from onzecoach.testing.contracts._builders import race
from support import make_settings

PASSWORD = "Koffie-Met-Melk-2026"


def active_user(portal: Portal, mailer: RecordingMailer, clock: FrozenClock) -> str:
    employer = portal.admin.create_employer(SERVICE_DESK, "Acme")
    portal.admin.invite_user(SERVICE_DESK, employer.id, email="anna@example.nl", username="anna.hr")
    portal.outbox.dispatch_due()
    plain = mailer.sent[-1].get_body(("plain",))
    assert plain is not None
    link = re.search(r"/registreren/(\S+)", plain.get_content())
    assert link
    enrollment = portal.accounts.register(link.group(1), PASSWORD)
    setup = portal.mfa.begin_totp(enrollment.token)
    portal.mfa.confirm_totp(enrollment.token, pyotp.TOTP(setup.secret).at(clock.now()))
    portal.mfa.finish(enrollment.token)
    return setup.secret


def test_parallel_wrong_passwords_cannot_all_pass_the_throttle(
    storage_factory: Callable[[], Storage], mailer: RecordingMailer, clock: FrozenClock
) -> None:
    portals = [
        Portal(storage=storage_factory(), mailer=mailer, clock=clock, settings=make_settings())
        for _ in range(3)
    ]
    active_user(portals[0], mailer, clock)
    outcomes = [
        type(outcome).__name__
        for outcome in race(
            [
                functools.partial(portals[i % 3].auth.login, "anna.hr", "Fout-Wachtwoord-1")
                for i in range(12)
            ]
        )
    ]
    assert "NoneType" not in outcomes, outcomes
    assert outcomes.count("VerificationFailed") <= portals[0].settings.login_free_failures + 1
    assert outcomes.count("Throttled") >= 12 - (portals[0].settings.login_free_failures + 1)


def test_a_sign_in_clears_the_accounts_failures_not_the_ip_ones(
    portal: Portal, mailer: RecordingMailer, clock: FrozenClock
) -> None:
    secret = active_user(portal, mailer, clock)
    for _ in range(4):
        with pytest.raises(VerificationFailed):
            portal.auth.login("anna.hr", "Fout-Wachtwoord-1", ip="203.0.113.6")
    clock.advance(timedelta(minutes=1))
    challenge = portal.auth.login("anna.hr", PASSWORD, ip="10.0.0.1")
    portal.auth.verify(challenge.token, pyotp.TOTP(secret).at(clock.now()), method="totp")
    for _ in range(4):  # the count started again
        with pytest.raises(VerificationFailed):
            portal.auth.login("anna.hr", "Typfout-Wachtwoord-2", ip="10.0.0.1")
    portal.auth.login("anna.hr", PASSWORD, ip="10.0.0.1")


def test_a_dispatcher_that_lost_its_claim_records_nothing(
    storage: Storage, clock: FrozenClock
) -> None:
    settings = make_settings()
    message = new_email(
        settings,
        to="a@example.nl",
        content=MailContent(subject="x", greeting="x", paragraphs=["x"]),
        kind="test",
        now=clock.now(),
    )
    with storage.unit_of_work() as uow:
        uow.outbox.add(message)
        uow.commit()
    first_lease = clock.now() + timedelta(minutes=5)
    with storage.unit_of_work() as uow:
        (mine,) = uow.outbox.claim_due(now=clock.now(), lease_until=first_lease, limit=1)
        uow.commit()
    later = first_lease + timedelta(seconds=1)
    with storage.unit_of_work() as uow:
        (theirs,) = uow.outbox.claim_due(
            now=later, lease_until=later + timedelta(minutes=5), limit=1
        )
        assert uow.outbox.finish(
            attrs.evolve(theirs, status=OutboxStatus.SENT, sent_at=later, locked_until=None),
            claimed_until=theirs.locked_until or later,
        )
        uow.commit()
    with storage.unit_of_work() as uow:
        assert not uow.outbox.finish(
            attrs.evolve(mine, status=OutboxStatus.PENDING, locked_until=None, last_error="late"),
            claimed_until=first_lease,
        )
        stored = uow.outbox.get(message.id)
    assert stored is not None
    assert stored.status is OutboxStatus.SENT


def test_unicode_variants_of_a_username_share_one_reset_limit(
    portal: Portal, mailer: RecordingMailer, clock: FrozenClock
) -> None:
    active_user(portal, mailer, clock)
    portal.outbox.dispatch_due()
    before = len(mailer.sent)
    for variant in ("anna.hr", "ＡＮＮＡ.hr", "anna．hr", "Anna.HR", "ａｎｎａ.hr"):  # noqa: RUF001
        portal.accounts.request_password_reset(variant)
    portal.outbox.dispatch_due()
    assert len(mailer.sent) - before == portal.settings.account_mail_limit


def test_send_sms_after_the_phone_was_removed_is_a_clear_error(
    storage: Storage, mailer: RecordingMailer, clock: FrozenClock
) -> None:
    sms = RecordingSms()
    portal = Portal(storage=storage, mailer=mailer, sms=sms, clock=clock, settings=make_settings())
    secret = active_user(portal, mailer, clock)
    clock.advance(timedelta(minutes=1))
    challenge = portal.auth.login("anna.hr", PASSWORD)
    session = portal.auth.verify(challenge.token, pyotp.TOTP(secret).at(clock.now()), method="totp")
    setup = portal.mfa.setup_token(session.actor).token
    portal.mfa.begin_sms(setup, "0612345678")
    code = re.search(r"code is (\S+)\.", sms.sent[-1].text)
    assert code
    portal.mfa.confirm_sms(setup, code.group(1))
    login = portal.auth.login("anna.hr", PASSWORD)
    phone = next(m for m in portal.mfa.methods(session.actor) if m.kind.value == "sms")
    portal.mfa.remove_method(session.actor, phone.id)
    with pytest.raises(ValidationError):
        portal.auth.send_sms(login.token)


def test_bad_arguments_are_onzecoach_errors(
    portal: Portal, mailer: RecordingMailer, clock: FrozenClock
) -> None:
    active_user(portal, mailer, clock)
    employer = portal.admin.create_employer(SERVICE_DESK, "Ander")
    hr = Actor(user_id="hr", employer_id=employer.id, role=Role.HR)
    employee = portal.employees.register(
        hr,
        {
            "last_name": "Berg",
            "given_name": "Anna",
            "initials": "A",
            "gender": "female",
            "birth_date": date(1980, 1, 1),
            "email": "a@example.nl",
        },
    )
    for bad in (None, [1], "city=Utrecht"):
        with pytest.raises(ValidationError):
            portal.employees.update(hr, employee.id, bad)  # type: ignore[arg-type]
    with pytest.raises(NotFound):
        portal.outbox.requeue(SERVICE_DESK, [1])  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        portal.outbox.dispatch_due(limit="x")  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        portal.auth.login("anna.hr", PASSWORD, ip=123)  # type: ignore[arg-type]
    assert isinstance(Throttled, type)


def test_a_correction_to_a_finished_trajectory_with_a_running_extension(portal: Portal) -> None:
    employer = portal.admin.create_employer(SERVICE_DESK, "Acme")
    hr = Actor(user_id="hr", employer_id=employer.id, role=Role.HR)
    employee = portal.employees.register(
        hr,
        {
            "last_name": "Berg",
            "given_name": "Anna",
            "initials": "A",
            "gender": "female",
            "birth_date": date(1980, 1, 1),
            "email": "a@example.nl",
        },
    )
    trajectory = portal.trajectories.start(
        hr, employee.id, type_code="ONC-IND-4", start_date=portal.clock.now().date()
    )
    base = datetime(2026, 3, 9, 10, tzinfo=UTC)
    for n in range(4):
        portal.trajectories.record_appointment(
            SERVICE_DESK,
            trajectory.id,
            external_id=f"a{n}",
            starts_at=base + timedelta(weeks=n),
            status="held",
            mode="live",
        )
    task = portal.trajectories.request_extension(SERVICE_DESK, trajectory.id, note="Nog één")
    portal.tasks.approve(hr, task.id)
    portal.trajectories.record_appointment(
        SERVICE_DESK,
        trajectory.id,
        external_id="a3",
        starts_at=base + timedelta(weeks=3),
        status="no_show",
        mode="live",
    )
    corrected = portal.trajectories.get(hr, trajectory.id)
    assert corrected.held == 3
    assert not corrected.is_open
