"""Second factors and login through the public API, on every storage adapter."""

from __future__ import annotations

import base64
import functools
import re
from collections.abc import Callable
from datetime import timedelta
from email.message import EmailMessage

import attrs
import pyotp
import pytest

from onzecoach import (
    Actor,
    Conflict,
    DecryptionFailed,
    InvalidToken,
    MfaRequired,
    NotAuthenticated,
    PermissionDenied,
    Portal,
    Role,
    SmsDeliveryError,
    Throttled,
    ValidationError,
    VerificationFailed,
)
from onzecoach.accounts import AccountStatus, Enrollment, PasswordHasher
from onzecoach.actors import SERVICE_DESK
from onzecoach.mfa import BackupCodes, Method, MethodName, ResealReport
from onzecoach.ports import Storage
from onzecoach.testing import (
    FakeYubikeyVerifier,
    FrozenClock,
    RecordingMailer,
    RecordingSms,
    otp_for,
)
from support import NEW_SECRET_KEY, make_settings, race

PASSWORD = "Koffie-Met-Melk-2026"
KEY = "vvcccccbcdef"


def body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def enroll(portal: Portal, mailer: RecordingMailer, username: str = "anna.hr") -> Enrollment:
    employer = portal.admin.create_employer(SERVICE_DESK, f"Werkgever {username}")
    portal.admin.invite_user(
        SERVICE_DESK, employer.id, email=f"{username}@example.nl", username=username
    )
    portal.outbox.dispatch_due()
    token = re.search(r"/registreren/(\S+)", body(mailer.sent[-1]))
    assert token
    return portal.accounts.register(token.group(1), PASSWORD)


def totp_user(
    portal: Portal, mailer: RecordingMailer, username: str = "anna.hr"
) -> tuple[str, BackupCodes]:
    """An active user with an authenticator app; returns (its secret, its backup codes)."""
    enrollment = enroll(portal, mailer, username)
    setup = portal.mfa.begin_totp(enrollment.token)
    portal.mfa.confirm_totp(enrollment.token, pyotp.TOTP(setup.secret).at(portal.clock.now()))
    return setup.secret, portal.mfa.finish(enrollment.token)


def next_code(portal: Portal, secret: str, clock: FrozenClock) -> str:
    clock.advance(timedelta(seconds=30))
    return pyotp.TOTP(secret).at(clock.now())


@pytest.fixture
def yubikey() -> FakeYubikeyVerifier:
    return FakeYubikeyVerifier()


@pytest.fixture
def portal(
    storage: Storage,
    mailer: RecordingMailer,
    sms: RecordingSms,
    clock: FrozenClock,
    yubikey: FakeYubikeyVerifier,
) -> Portal:
    return Portal(
        storage=storage,
        mailer=mailer,
        sms=sms,
        clock=clock,
        yubikey=yubikey,
        settings=make_settings(),
    )


# Must hold 1: the whole flow with an authenticator app ---------------------------------------


def test_register_with_an_app_then_sign_in_and_never_twice_with_one_code(
    portal: Portal, mailer: RecordingMailer, clock: FrozenClock
) -> None:
    enrollment = enroll(portal, mailer)
    with pytest.raises(MfaRequired):
        portal.mfa.finish(enrollment.token)
    setup = portal.mfa.begin_totp(enrollment.token)
    assert len(base64.b32decode(setup.secret)) * 8 >= 160
    assert setup.provisioning_uri.startswith("otpauth://totp/OnzeCoach:anna.hr?")
    assert "issuer=OnzeCoach" in setup.provisioning_uri
    assert setup.qr_svg.startswith("<svg")
    with pytest.raises(VerificationFailed):
        portal.mfa.confirm_totp(enrollment.token, "000000")
    portal.mfa.confirm_totp(
        enrollment.token,
        pyotp.TOTP(setup.secret).at(clock.now()),
    )
    codes = portal.mfa.finish(enrollment.token)
    assert len(codes) == 10
    assert len(set(codes)) == 10
    assert all(re.fullmatch(r"[a-z2-9]{5}-[a-z2-9]{5}", c) for c in codes)
    with pytest.raises(InvalidToken):
        portal.mfa.finish(enrollment.token)

    challenge = portal.auth.login("anna.hr", PASSWORD, ip="192.0.2.1")
    assert set(challenge.methods) == {Method.TOTP, Method.BACKUP_CODE}
    code = next_code(portal, setup.secret, clock)
    session = portal.auth.verify(challenge.token, code, method="totp")
    actor = portal.auth.authenticate(session.token)
    assert actor.user_id == enrollment.user_id

    again = portal.auth.login("anna.hr", PASSWORD)
    with pytest.raises(VerificationFailed) as replay:
        portal.auth.verify(again.token, code, method="totp")
    assert replay.value.reason == "replayed"

    with pytest.raises(InvalidToken):  # a challenge opens one session only
        portal.auth.verify(challenge.token, next_code(portal, setup.secret, clock), method="totp")

    backup = portal.auth.login("anna.hr", PASSWORD)
    portal.auth.verify(backup.token, codes[0].upper().replace("-", " "), method="backup_code")
    once_more = portal.auth.login("anna.hr", PASSWORD)
    with pytest.raises(VerificationFailed) as used:
        portal.auth.verify(once_more.token, codes[0], method="backup_code")
    assert used.value.reason in {"used", "mismatch"}
    portal.auth.verify(once_more.token, codes[1], method="backup_code")


def test_app_codes_allow_one_step_of_drift(
    portal: Portal, mailer: RecordingMailer, clock: FrozenClock
) -> None:
    secret, _ = totp_user(portal, mailer)
    totp = pyotp.TOTP(secret)
    clock.advance(timedelta(minutes=5))
    for offset, accepted in ((-60, False), (-30, True), (30, True), (60, False)):
        clock.advance(timedelta(minutes=2))
        challenge = portal.auth.login("anna.hr", PASSWORD)
        code = totp.at(clock.now() + timedelta(seconds=offset))
        if accepted:
            portal.auth.verify(challenge.token, code, method="totp")
        else:
            with pytest.raises(VerificationFailed):
                portal.auth.verify(challenge.token, code, method="totp")


# Must hold 2: SMS ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed", ["06 12345678", "0612345678", "+31 6 12345678", "0031 6 12345678", "+31 (0)6 12345678"]
)
def test_dutch_mobile_numbers_all_become_one_e164_number(
    portal: Portal, mailer: RecordingMailer, sms: RecordingSms, typed: str
) -> None:
    enrollment = enroll(portal, mailer)
    assert portal.mfa.begin_sms(enrollment.token, typed) == "+31612345678"
    assert sms.sent[-1].to == "+31612345678"


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("030 1234567", "not_mobile"),
        ("12345", "invalid"),
        ("0470 12 34 56", "invalid"),
        ("", "required"),
    ],
)
def test_landlines_and_bad_numbers_are_refused_naming_the_rule(
    portal: Portal, mailer: RecordingMailer, sms: RecordingSms, typed: str, code: str
) -> None:
    enrollment = enroll(portal, mailer)
    with pytest.raises(ValidationError) as bad:
        portal.mfa.begin_sms(enrollment.token, typed)
    assert bad.value.codes == {"phone": code}
    assert sms.sent == []


def sms_code(sms: RecordingSms) -> str:
    found = re.search(r"code is ([a-z0-9]+)", sms.sent[-1].text)
    assert found, sms.sent[-1].text
    return found.group(1)


def sms_user(
    portal: Portal, mailer: RecordingMailer, sms: RecordingSms, clock: FrozenClock
) -> None:
    enrollment = enroll(portal, mailer)
    portal.mfa.begin_sms(enrollment.token, "+32 470 12 34 56")  # abroad, with country code
    code = sms_code(sms)
    assert re.fullmatch(r"[a-z2-9]{8}", code)
    portal.mfa.confirm_sms(enrollment.token, code)
    portal.mfa.finish(enrollment.token)


def test_an_sms_code_signs_in_once_and_expires_and_allows_three_tries(
    portal: Portal, mailer: RecordingMailer, sms: RecordingSms, clock: FrozenClock
) -> None:
    sms_user(portal, mailer, sms, clock)
    challenge = portal.auth.login("anna.hr", PASSWORD)
    assert challenge.phone_hint == "56"
    portal.auth.send_sms(challenge.token)
    assert sms.sent[-1].to == "+32470123456"
    code = sms_code(sms)
    portal.auth.verify(challenge.token, code, method="sms")

    # Reused: a new challenge's code is a new one; the old one does not work there.
    reuse = portal.auth.login("anna.hr", PASSWORD)
    with pytest.raises(VerificationFailed):
        portal.auth.verify(reuse.token, code, method="sms")

    # Four tries: the fourth is refused even with the right code.
    clock.advance(timedelta(minutes=1))
    tries = portal.auth.login("anna.hr", PASSWORD)
    portal.auth.send_sms(tries.token)
    right = sms_code(sms)
    for _ in range(3):
        with pytest.raises(VerificationFailed):
            portal.auth.verify(tries.token, "zzzzzzzz", method="sms")
    clock.advance(timedelta(minutes=10))  # past every throttle delay; the code has its own limit
    fourth = portal.auth.login("anna.hr", PASSWORD)
    with pytest.raises(VerificationFailed):
        portal.auth.verify(fourth.token, right, method="sms")


def test_an_enrollment_sms_code_in_its_11th_minute_is_refused(
    portal: Portal, mailer: RecordingMailer, sms: RecordingSms, clock: FrozenClock
) -> None:
    enrollment = enroll(portal, mailer)
    portal.mfa.begin_sms(enrollment.token, "0612345678")
    code = sms_code(sms)
    clock.advance(timedelta(minutes=10, seconds=1))
    with pytest.raises(VerificationFailed) as late:
        portal.mfa.confirm_sms(enrollment.token, code)
    assert late.value.reason == "expired"
    portal.mfa.begin_sms(enrollment.token, "0612345678")  # a resend after the cooldown
    with pytest.raises(Throttled):  # ...but not twice within the cooldown
        portal.mfa.begin_sms(enrollment.token, "0612345678")
    portal.mfa.confirm_sms(enrollment.token, sms_code(sms))


def test_a_failing_gateway_is_a_clear_error(
    portal: Portal, mailer: RecordingMailer, sms: RecordingSms
) -> None:
    enrollment = enroll(portal, mailer)
    sms.fail_with = SmsDeliveryError("gateway down")
    with pytest.raises(SmsDeliveryError):
        portal.mfa.begin_sms(enrollment.token, "0612345678")
    sms.fail_with = None
    portal.mfa.begin_sms(enrollment.token, "0612345678")  # no cooldown: nothing was sent


# YubiKey (with the fake verifier; the real protocol is tested in tests/adapters) ------------


def test_a_yubikey_binds_by_public_id_and_signs_in(
    portal: Portal, mailer: RecordingMailer, yubikey: FakeYubikeyVerifier
) -> None:
    enrollment = enroll(portal, mailer)
    with pytest.raises(VerificationFailed) as malformed:
        portal.mfa.add_yubikey(enrollment.token, "not an otp")
    assert malformed.value.reason == "malformed"
    portal.mfa.add_yubikey(enrollment.token, otp_for(KEY, 1))
    portal.mfa.finish(enrollment.token)
    challenge = portal.auth.login("anna.hr", PASSWORD)
    assert Method.YUBIKEY in challenge.methods
    with pytest.raises(VerificationFailed) as other:
        portal.auth.verify(challenge.token, otp_for("vvcccccbbbbb", 2), method="yubikey")
    assert other.value.reason == "wrong_key"
    with pytest.raises(VerificationFailed) as replayed:
        portal.auth.verify(challenge.token, otp_for(KEY, 1), method="yubikey")
    assert replayed.value.reason == "replayed"
    portal.auth.verify(challenge.token, otp_for(KEY, 3).upper(), method="yubikey")

    second = enroll(portal, mailer, "bert.hr")
    with pytest.raises(Conflict):
        portal.mfa.add_yubikey(second.token, otp_for(KEY, 4))


# Must hold 4: throttling ---------------------------------------------------------------------


def test_wrong_codes_are_throttled_with_a_growing_delay_and_success_resets(
    portal: Portal, mailer: RecordingMailer, clock: FrozenClock
) -> None:
    secret, _ = totp_user(portal, mailer)
    clock.advance(timedelta(minutes=1))  # past the time step used to confirm the app
    challenge = portal.auth.login("anna.hr", PASSWORD)
    for _ in range(5):
        with pytest.raises(VerificationFailed):
            portal.auth.verify(challenge.token, "000000", method="totp")
    with pytest.raises(Throttled) as first:
        portal.auth.verify(challenge.token, "000000", method="totp")
    clock.set(first.value.retry_at)
    with pytest.raises(VerificationFailed):
        portal.auth.verify(challenge.token, "000000", method="totp")
    with pytest.raises(Throttled) as second:
        portal.auth.verify(challenge.token, "000000", method="totp")
    assert second.value.retry_at - clock.now() > first.value.retry_at - (
        first.value.retry_at - timedelta(seconds=1)
    )
    assert second.value.retry_at - clock.now() == timedelta(seconds=2)
    clock.set(second.value.retry_at)
    code = pyotp.TOTP(secret).at(clock.now())
    portal.auth.verify(challenge.token, code, method="totp")
    # Success reset the count: one wrong try is not throttled.
    fresh = portal.auth.login("anna.hr", PASSWORD)
    with pytest.raises(VerificationFailed):
        portal.auth.verify(fresh.token, "000000", method="totp")
    with pytest.raises(VerificationFailed):
        portal.auth.verify(fresh.token, "000000", method="totp")


def test_wrong_passwords_are_throttled_for_known_and_unknown_names_alike(
    portal: Portal, mailer: RecordingMailer, clock: FrozenClock
) -> None:
    totp_user(portal, mailer)
    for name in ("anna.hr", "niemand"):
        for _ in range(5):
            with pytest.raises(VerificationFailed, match="Inlognaam of wachtwoord"):
                portal.auth.login(name, "Fout-Wachtwoord-1")
        with pytest.raises(Throttled):
            portal.auth.login(name, PASSWORD)
    clock.advance(timedelta(seconds=1))
    portal.auth.login("anna.hr", PASSWORD)


def test_the_hourly_cap_and_the_per_ip_limit(
    storage: Storage, mailer: RecordingMailer, clock: FrozenClock
) -> None:
    portal = Portal(
        storage=storage,
        mailer=mailer,
        clock=clock,
        settings=make_settings(login_max_failures=6, login_ip_max_failures=8),
    )
    totp_user(portal, mailer)
    for _ in range(6):
        with pytest.raises(VerificationFailed):
            portal.auth.login("anna.hr", "Fout-Wachtwoord-1")
        clock.advance(timedelta(minutes=1))
    with pytest.raises(Throttled) as capped:
        portal.auth.login("anna.hr", PASSWORD)
    assert capped.value.retry_at - clock.now() > timedelta(minutes=50)
    clock.set(capped.value.retry_at)
    portal.auth.login("anna.hr", PASSWORD)  # never a permanent lock-out
    for n in range(8):  # one address trying many names
        with pytest.raises(VerificationFailed):
            portal.auth.login(f"naam{n}", "Fout-Wachtwoord-1", ip="198.51.100.7")
    with pytest.raises(Throttled):
        portal.auth.login("anna.hr", PASSWORD, ip="198.51.100.7")
    portal.auth.login("anna.hr", PASSWORD, ip="198.51.100.8")


# Must hold 5: concurrency ------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["totp", "backup_code"])
def test_one_code_verified_twice_at_once_opens_one_session(
    storage_factory: Callable[[], Storage],
    mailer: RecordingMailer,
    clock: FrozenClock,
    method: MethodName,
) -> None:
    portals = [
        Portal(storage=storage_factory(), mailer=mailer, clock=clock, settings=make_settings())
        for _ in range(2)
    ]
    secret, backup = totp_user(portals[0], mailer)
    challenges = [p.auth.login("anna.hr", PASSWORD) for p in portals]
    code = next_code(portals[0], secret, clock) if method == "totp" else backup[0]
    outcomes = race(
        [
            functools.partial(p.auth.verify, c.token, code, method=method)
            for p, c in zip(portals, challenges, strict=True)
        ]
    )
    assert sorted(type(o).__name__ for o in outcomes) == ["Session", "VerificationFailed"]


def test_wrong_sms_codes_sent_at_once_get_no_more_tries_than_one_by_one(
    storage_factory: Callable[[], Storage],
    mailer: RecordingMailer,
    sms: RecordingSms,
    clock: FrozenClock,
) -> None:
    settings = make_settings()
    portals = [
        Portal(storage=storage_factory(), mailer=mailer, sms=sms, clock=clock, settings=settings)
        for _ in range(8)
    ]
    sms_user(portals[0], mailer, sms, clock)
    challenge = portals[0].auth.login("anna.hr", PASSWORD)
    portals[0].auth.send_sms(challenge.token)
    right = sms_code(sms)
    outcomes = race(
        [
            functools.partial(p.auth.verify, challenge.token, f"zzzzzzz{n}", method="sms")
            for n, p in enumerate(portals)
        ]
    )
    judged = [
        o for o in outcomes if isinstance(o, VerificationFailed) and o.reason != "too_many_tries"
    ]
    assert all(isinstance(o, VerificationFailed | Throttled) for o in outcomes), outcomes
    assert len(judged) <= settings.sms_code_tries
    clock.advance(timedelta(minutes=4))  # past the throttle's delays, within the code's life
    with pytest.raises(VerificationFailed) as refused:
        portals[0].auth.verify(challenge.token, right, method="sms")
    assert refused.value.reason == "too_many_tries"


# Key rotation ------------------------------------------------------------------------------


def rotated(portal: Portal, *old_keys: str) -> Portal:
    """The same portal after a key rotation: ``NEW_SECRET_KEY`` current, ``old_keys`` kept."""
    settings = make_settings(secret_key=NEW_SECRET_KEY, old_secret_keys=old_keys)
    return Portal(
        storage=portal.storage, mailer=RecordingMailer(), clock=portal.clock, settings=settings
    )


def app_secret_opens(portal: Portal) -> bool:
    """Whether the user's app secret opens with the portal's keys."""
    with portal.storage.unit_of_work() as uow:
        (factor,) = uow.factors.with_secrets(after=None, limit=10)
    assert factor.secret_sealed is not None
    try:
        portal.settings.sealer.open(factor.secret_sealed, context=f"totp:{factor.id}")
    except DecryptionFailed:
        return False
    return True


def test_reseal_moves_app_secrets_to_the_new_key_so_the_old_can_go(
    portal: Portal, mailer: RecordingMailer, clock: FrozenClock
) -> None:
    secret, _ = totp_user(portal, mailer)
    both = rotated(portal, portal.settings.secret_key)
    only_new = rotated(portal)
    assert not app_secret_opens(only_new)
    with pytest.raises(PermissionDenied):
        both.mfa.reseal(Actor(user_id="hr", employer_id="x", role=Role.HR))
    assert both.mfa.reseal(SERVICE_DESK) == ResealReport(resealed=1, unreadable=0)
    assert both.mfa.reseal(SERVICE_DESK).resealed == 0  # sealed under the current key already
    assert app_secret_opens(only_new)
    challenge = only_new.auth.login("anna.hr", PASSWORD)
    only_new.auth.verify(challenge.token, next_code(portal, secret, clock), method="totp")
    with portal.storage.unit_of_work() as uow:
        actions = [e.action for e in uow.audit.for_subject("key", "secret_key")]
    assert actions == ["mfa.resealed", "mfa.resealed"]


def test_a_login_after_a_rotation_seals_its_own_secret_again(
    portal: Portal, mailer: RecordingMailer, clock: FrozenClock
) -> None:
    secret, _ = totp_user(portal, mailer)
    both = rotated(portal, portal.settings.secret_key)
    challenge = both.auth.login("anna.hr", PASSWORD)
    both.auth.verify(challenge.token, next_code(portal, secret, clock), method="totp")
    assert app_secret_opens(rotated(portal))
    assert both.mfa.reseal(SERVICE_DESK).resealed == 0


def test_a_secret_no_configured_key_opens_is_left_alone(
    portal: Portal, mailer: RecordingMailer
) -> None:
    totp_user(portal, mailer)
    elsewhere = rotated(portal)  # the key that sealed it is gone
    assert elsewhere.mfa.reseal(SERVICE_DESK) == ResealReport(resealed=0, unreadable=1)
    assert app_secret_opens(portal)  # still the original sealing


def test_replace_secret_only_replaces_what_it_was_told(
    portal: Portal, mailer: RecordingMailer
) -> None:
    totp_user(portal, mailer)
    with portal.storage.unit_of_work() as uow:
        (factor,) = uow.factors.with_secrets(after=None, limit=10)
        assert uow.factors.with_secrets(after=factor.id, limit=10) == []
        assert not uow.factors.replace_secret(factor.id, old="v1.ander.x", new="v1.nieuw.y")
        assert uow.factors.replace_secret(factor.id, old=str(factor.secret_sealed), new="v1.a.b")
        uow.commit()
    with portal.storage.unit_of_work() as uow:
        stored = uow.factors.get(factor.id)
    assert stored == attrs.evolve(factor, secret_sealed="v1.a.b")


# Management ------------------------------------------------------------------------------


def test_methods_can_be_added_and_removed_but_never_the_last(
    portal: Portal, mailer: RecordingMailer, sms: RecordingSms, clock: FrozenClock
) -> None:
    secret, codes = totp_user(portal, mailer)
    challenge = portal.auth.login("anna.hr", PASSWORD)
    session = portal.auth.verify(challenge.token, next_code(portal, secret, clock), method="totp")
    actor = session.actor
    (app,) = portal.mfa.methods(actor)
    with pytest.raises(Conflict):
        portal.mfa.remove_method(actor, app.id)
    setup = portal.mfa.setup_token(actor).token
    portal.mfa.begin_sms(setup, "0612345678")
    portal.mfa.confirm_sms(setup, sms_code(sms))
    assert list(portal.mfa.finish(setup)) == []  # the backup codes stay
    assert len(portal.mfa.methods(actor)) == 2
    portal.mfa.remove_method(actor, app.id)
    assert [m.kind.value for m in portal.mfa.methods(actor)] == ["sms"]
    fresh = portal.mfa.regenerate_backup_codes(actor)
    assert portal.mfa.backup_codes_left(actor) == 10
    login = portal.auth.login("anna.hr", PASSWORD)
    with pytest.raises(VerificationFailed):
        portal.auth.verify(login.token, codes[2], method="backup_code")
    portal.auth.verify(login.token, fresh[0], method="backup_code")


def test_the_service_desk_resets_a_second_factor(
    portal: Portal, mailer: RecordingMailer, clock: FrozenClock
) -> None:
    secret, _ = totp_user(portal, mailer)
    challenge = portal.auth.login("anna.hr", PASSWORD)
    session = portal.auth.verify(challenge.token, next_code(portal, secret, clock), method="totp")
    with pytest.raises(PermissionDenied):
        portal.mfa.reset(session.actor, session.user_id)
    portal.mfa.reset(SERVICE_DESK, session.user_id)
    with pytest.raises(NotAuthenticated):
        portal.auth.authenticate(session.token)
    with pytest.raises(MfaRequired) as again:
        portal.auth.login("anna.hr", PASSWORD)
    enrollment = again.value.enrollment
    assert enrollment is not None
    setup = portal.mfa.begin_totp(enrollment.token)
    portal.mfa.confirm_totp(enrollment.token, pyotp.TOTP(setup.secret).at(clock.now()))
    assert len(portal.mfa.finish(enrollment.token)) == 10


def test_an_unfinished_setup_cannot_sign_in(portal: Portal, mailer: RecordingMailer) -> None:
    enrollment = enroll(portal, mailer)
    with pytest.raises(MfaRequired) as setup:
        portal.auth.login("anna.hr", PASSWORD)
    assert setup.value.enrollment is not None
    assert setup.value.enrollment.user_id == enrollment.user_id
    with portal.storage.unit_of_work() as uow:
        user = uow.users.get(enrollment.user_id)
    assert user is not None
    assert user.status is AccountStatus.ENROLLING


def test_a_challenge_expires_after_five_minutes(
    portal: Portal, mailer: RecordingMailer, clock: FrozenClock
) -> None:
    secret, _ = totp_user(portal, mailer)
    challenge = portal.auth.login("anna.hr", PASSWORD)
    clock.advance(timedelta(minutes=5))
    with pytest.raises(InvalidToken):
        portal.auth.verify(challenge.token, pyotp.TOTP(secret).at(clock.now()), method="totp")
    with pytest.raises(ValidationError):
        portal.auth.verify(challenge.token, "123456", method="carrier-pigeon")  # type: ignore[arg-type]


def test_an_unknown_username_costs_the_same_argon2_work(
    portal: Portal, mailer: RecordingMailer, monkeypatch: pytest.MonkeyPatch
) -> None:
    totp_user(portal, mailer)
    work: list[str] = []
    real_verify, real_burn = PasswordHasher.verify, PasswordHasher.burn

    def verify(self: PasswordHasher, stored: str, password: str) -> None:
        work.append("verify")
        real_verify(self, stored, password)

    def burn(self: PasswordHasher, password: str) -> None:
        work.append("burn")
        real_burn(self, password)

    monkeypatch.setattr(PasswordHasher, "verify", verify)
    monkeypatch.setattr(PasswordHasher, "burn", burn)
    for name in ("anna.hr", "niemand"):
        with pytest.raises(VerificationFailed, match="Inlognaam of wachtwoord klopt niet"):
            portal.auth.login(name, "Fout-Wachtwoord-1")
    assert work == ["verify", "burn"]  # one argon2 verification each


def test_showing_the_app_setup_again_keeps_the_scanned_secret(
    portal: Portal, mailer: RecordingMailer
) -> None:
    enrollment = enroll(portal, mailer)
    first = portal.mfa.begin_totp(enrollment.token)
    assert portal.mfa.begin_totp(enrollment.token, again=True).secret == first.secret
    fresh = portal.mfa.begin_totp(enrollment.token)
    assert fresh.secret != first.secret
    portal.mfa.confirm_totp(enrollment.token, pyotp.TOTP(fresh.secret).at(portal.clock.now()))
