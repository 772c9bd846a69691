"""Coaches through the public API, on every storage: invitation and sign-in, the profile and
its checks, who may do what, the private feed, and the calendars pulled into the database."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pyotp
import pytest

from onzecoach import (
    Actor,
    CalendarError,
    Conflict,
    InvalidToken,
    NotFound,
    OnzecoachError,
    PermissionDenied,
    Portal,
    Role,
    Settings,
    ValidationError,
)
from onzecoach.actors import SERVICE_DESK
from onzecoach.calendars import BusyTime
from onzecoach.coaches import Availability, CoachView, Mode, Window, calendar_context
from onzecoach.crypto import hash_token
from onzecoach.ports import Storage
from onzecoach.testing import FakeCalendarConnector, FrozenClock, RecordingMailer, RecordingSms
from operations import COACH_OPERATIONS, OPERATIONS, World, build_world, sign_in_coach
from support import NEW_SECRET_KEY, T0, TEST_SECRET_KEY, make_settings

PASSWORD = "Zonnig-Weer-2026!"
CALENDAR = "https://agenda.example.nl/bas/werk/"


@pytest.fixture
def calendars() -> FakeCalendarConnector:
    return FakeCalendarConnector()


def make_portal(
    storage: Storage,
    *,
    calendars: FakeCalendarConnector | None = None,
    settings: Settings | None = None,
    clock: FrozenClock | None = None,
    mailer: RecordingMailer | None = None,
) -> Portal:
    return Portal(
        storage=storage,
        mailer=mailer or RecordingMailer(),
        sms=RecordingSms(),
        clock=clock or FrozenClock(T0),
        settings=settings or make_settings(),
        calendars=calendars,
    )


@pytest.fixture
def portal(storage: Storage, calendars: FakeCalendarConnector, mailer: RecordingMailer) -> Portal:
    return make_portal(storage, calendars=calendars, mailer=mailer)


def invite(portal: Portal, name: str = "Bas Mulder", **profile: object) -> CoachView:
    username = "coach." + re.sub(r"\W+", ".", name.lower())
    values: dict[str, object] = {
        "modes": ["online"],
        "video_url": "https://video.example.nl/" + username,
    }
    values.update(profile)
    return portal.coaches.invite(
        SERVICE_DESK,
        email=f"{username}@example.nl",
        username=username,
        name=name,
        **values,  # type: ignore[arg-type]
    )


def sign_in(portal: Portal, mailer: RecordingMailer, username: str) -> Actor:
    clock = portal.clock
    assert isinstance(clock, FrozenClock)
    portal.outbox.dispatch_due()
    body = mailer.to(f"{username}@example.nl")[-1].get_body(preferencelist=("plain",))
    assert body is not None
    link = re.search(r"/registreren/(\S+)", body.get_content())
    assert link
    enrollment = portal.accounts.register(link.group(1), PASSWORD)
    setup = portal.mfa.begin_totp(enrollment.token)
    portal.mfa.confirm_totp(enrollment.token, pyotp.TOTP(setup.secret).at(clock.now()))
    portal.mfa.finish(enrollment.token)
    clock.advance(timedelta(seconds=30))
    challenge = portal.auth.login(username, PASSWORD)
    session = portal.auth.verify(
        challenge.token, pyotp.TOTP(setup.secret).at(clock.now()), method="totp"
    )
    return portal.auth.authenticate(session.token)


# Invitation and sign-in ---------------------------------------------------------------------


def test_an_invited_coach_registers_signs_in_and_their_actor_finds_their_coach(
    portal: Portal, mailer: RecordingMailer
) -> None:
    coach = invite(
        portal,
        modes=["live", "online"],
        locations=[{"city": "Utrecht", "postcode": "3511 AB"}],
        languages=["nl", "EN"],
        specialisms=["werkdruk", "loopbaan"],
        bio="  Coach sinds 2010.\n\n\n\nVoor werkdruk.  ",
    )
    assert coach.profile.modes == (Mode.LIVE, Mode.ONLINE)
    assert coach.profile.locations[0].postcode == "3511"
    assert coach.profile.languages == ("nl", "en")
    assert coach.profile.bio == "Coach sinds 2010.\n\nVoor werkdruk."
    assert coach.availability == Availability()
    assert coach.calendar is None
    assert not coach.has_feed

    actor = sign_in(portal, mailer, "coach.bas.mulder")
    assert actor.role is Role.COACH
    assert actor.user_id == coach.user_id
    assert actor.employer_id is None
    assert portal.coaches.me(actor) == coach
    assert [c.id for c in portal.coaches.list(SERVICE_DESK)] == [coach.id]
    assert portal.coaches.get(SERVICE_DESK, coach.id) == coach


def test_the_invitation_and_the_coach_are_one_transaction(portal: Portal) -> None:
    invite(portal)
    with pytest.raises(Conflict) as taken:
        invite(portal)  # the same username
    assert taken.value.code == "user.username_taken"
    assert len(portal.coaches.list(SERVICE_DESK)) == 1


def test_every_bad_field_of_an_invitation_is_named_at_once(portal: Portal) -> None:
    with pytest.raises(ValidationError) as refused:
        portal.coaches.invite(
            SERVICE_DESK,
            email="geen-adres",
            username="x",
            name=" ",
            modes=["live", "online", "te voet"],
            languages=["xx"],
            specialisms=["sterrenkunde"],
            locations=[{"city": "Utrecht", "postcode": "0123"}],
            video_url="http://video.example.nl/bas",
            bio="a" * 1001,
            employer_ids=["0" * 32],
        )
    assert refused.value.codes == {
        "email": "invalid",
        "username": "length",
        "name": "required",
        "modes": "invalid",
        "languages": "unknown",
        "specialisms": "unknown",
        "locations": "invalid",
        "video_url": "invalid",
        "bio": "too_long",
        "employer_ids": "unknown",
    }
    assert all(refused.value.errors.values())
    assert portal.coaches.list(SERVICE_DESK) == []


def test_what_a_mode_needs_is_required_with_it(portal: Portal) -> None:
    with pytest.raises(ValidationError) as refused:
        invite(portal, modes=["live", "online"], video_url=None, languages=[])
    assert refused.value.codes == {
        "locations": "required",
        "video_url": "required",
        "languages": "required",
    }
    with pytest.raises(ValidationError) as none:
        invite(portal, modes=[])
    assert none.value.codes == {"modes": "required"}


def test_a_specialism_comes_from_the_themes_the_service_is_given(storage: Storage) -> None:
    portal = make_portal(storage)
    with pytest.raises(ValidationError):
        invite(portal, specialisms=["rouw"])
    # The catalogue is the service's to be given (Settings will hold it).
    assert "werkdruk" in portal.coaches._themes
    coach = invite(portal, specialisms=["werkdruk", "re-integratie", "werkdruk"])
    assert coach.profile.specialisms == ("werkdruk", "re-integratie")


# Who may do what ------------------------------------------------------------------------------


def test_hr_may_not_touch_coaches(portal: Portal, mailer: RecordingMailer) -> None:
    coach = invite(portal)
    employer = portal.admin.create_employer(SERVICE_DESK, "Acme")
    hr = Actor(user_id="0" * 32, employer_id=employer.id, role=Role.HR)
    for call in (
        lambda: portal.coaches.list(hr),
        lambda: portal.coaches.get(hr, coach.id),
        lambda: portal.coaches.update_profile(hr, coach.id, name="Iemand"),
        lambda: portal.coaches.set_availability(hr, coach.id, {}),
        lambda: portal.coaches.rotate_feed(hr, coach.id),
        lambda: portal.coaches.reseal(hr),
        lambda: portal.coaches.invite(hr, email="eva@example.nl", username="eva", name="Eva"),
    ):
        with pytest.raises(PermissionDenied):
            call()
    with pytest.raises(NotFound):
        portal.coaches.me(hr)


def test_a_coach_keeps_their_own_profile_and_nobody_elses(
    portal: Portal, mailer: RecordingMailer
) -> None:
    bas = invite(portal)
    eva = invite(portal, "Eva Smit")
    actor = sign_in(portal, mailer, "coach.bas.mulder")

    changed = portal.coaches.update_profile(
        actor, bas.id, bio="Nieuw hier.", languages=["nl", "de"], specialisms=["conflict"]
    )
    assert changed.profile.bio == "Nieuw hier."
    assert changed.profile.languages == ("nl", "de")
    assert changed.profile.name == "Bas Mulder"  # left out: kept
    assert changed.updated_at == portal.clock.now()
    assert portal.coaches.update_profile(actor, "me", bio="Ik.").profile.bio == "Ik."
    with pytest.raises(NotFound):
        portal.coaches.update_profile(SERVICE_DESK, "me", bio="Wie?")

    for call in (
        lambda: portal.coaches.update_profile(actor, eva.id, bio="Niet van mij"),
        lambda: portal.coaches.set_availability(actor, eva.id, {}),
        lambda: portal.coaches.rotate_feed(actor, eva.id),
        lambda: portal.coaches.link_calendar(actor, eva.id, CALENDAR, "eva", "geheim-1"),
    ):
        with pytest.raises(NotFound) as missing:
            call()
        assert missing.value.code == "coach.not_found"
    hidden_calls: tuple[Callable[[], object], ...] = (
        lambda: portal.coaches.list(actor),
        lambda: portal.coaches.get(actor, bas.id),
        lambda: portal.coaches.reseal(actor),
    )
    for hidden_call in hidden_calls:
        with pytest.raises(NotFound) as hidden:
            hidden_call()
        assert hidden.value.code == "access.not_found"

    with pytest.raises(ValidationError) as desk_only:
        portal.coaches.update_profile(actor, bas.id, active=False, employer_ids=[], bio=" ")
    assert desk_only.value.codes == {"active": "not_allowed"}
    # The same values as stored are no change: a form may send every field.
    portal.coaches.update_profile(actor, bas.id, active=True, employer_ids=[])
    assert portal.coaches.get(SERVICE_DESK, eva.id).profile.bio == ""


def test_a_profile_change_names_every_bad_field_and_changes_nothing(portal: Portal) -> None:
    coach = invite(portal)
    with pytest.raises(ValidationError) as refused:
        portal.coaches.update_profile(
            SERVICE_DESK,
            coach.id,
            name="a" * 201,
            modes=["live"],
            active="ja",
            employer_ids=["1" * 32],
            colour="blauw",
        )
    assert refused.value.codes == {
        "name": "too_long",
        "locations": "required",
        "active": "invalid",
        "employer_ids": "unknown",
        "colour": "unknown_field",
    }
    assert portal.coaches.get(SERVICE_DESK, coach.id) == coach


def test_the_desk_decides_whom_a_coach_serves_and_who_can_be_booked(storage: Storage) -> None:
    portal = make_portal(storage)
    acme = portal.admin.create_employer(SERVICE_DESK, "Acme")
    globex = portal.admin.create_employer(SERVICE_DESK, "Globex")
    bas = invite(
        portal,
        modes=["live", "online"],
        locations=[{"city": "Zwolle", "postcode": "8011"}],
        languages=["nl", "en"],
        specialisms=["werkdruk"],
    )
    eva = invite(portal, "Eva Smit", specialisms=["loopbaan"], employer_ids=[globex.id])
    invite(portal, "Anna de Wit", active=False)
    uow_storage = storage

    def bookable(employer_id: str, **filters: object) -> list[str]:
        with uow_storage.unit_of_work() as uow:
            found = uow.coaches.bookable(employer_id, **filters)  # type: ignore[arg-type]
        return [coach.profile.name for coach in found]

    assert bookable(acme.id) == ["Bas Mulder"]
    assert bookable(globex.id) == ["Bas Mulder", "Eva Smit"]
    assert bookable(globex.id, mode=Mode.LIVE) == ["Bas Mulder"]
    assert bookable(globex.id, language="en") == ["Bas Mulder"]
    assert bookable(globex.id, specialism="loopbaan") == ["Eva Smit"]
    assert bookable(globex.id, mode=Mode.ONLINE, language="nl", specialism="werkdruk") == [
        "Bas Mulder"
    ]

    portal.coaches.update_profile(SERVICE_DESK, eva.id, employer_ids=[acme.id])
    portal.coaches.update_profile(SERVICE_DESK, bas.id, active=False)
    assert bookable(acme.id) == ["Eva Smit"]
    assert bookable(globex.id) == []
    portal.coaches.update_profile(SERVICE_DESK, eva.id, employer_ids=[], specialisms=[])
    assert bookable(globex.id) == ["Eva Smit"]
    assert bookable(globex.id, specialism="loopbaan") == []


def test_a_coachs_actor_gets_not_found_from_every_operation_of_hr_and_the_desk(
    storage: Storage,
) -> None:
    mailer = RecordingMailer()
    portal = make_portal(storage, calendars=FakeCalendarConnector(), mailer=mailer)
    assert isinstance(portal.clock, FrozenClock)
    world: World = build_world(portal, mailer, RecordingSms(), portal.clock)
    coach = sign_in_coach(world)
    assert coach.role is Role.COACH

    def good(name: str, value: str) -> str:
        return value

    allowed = []
    for name, operation in sorted(OPERATIONS.items()):
        if not operation.acts_for_someone:
            continue
        if name in COACH_OPERATIONS:
            # The coach's own: some refuse the made-up arguments, none hides itself.
            refused = _refusal(functools.partial(operation.call, world, coach, good))
            if name.startswith("coaches."):
                assert refused is None, (name, refused)
            elif isinstance(refused, NotFound):
                assert refused.code == "factor.not_found"
            allowed.append(name)
            continue
        with pytest.raises(NotFound) as hidden:
            operation.call(world, coach, good)
        assert hidden.value.code == "access.not_found", name
    assert "coaches.set_availability" in allowed


def _refusal(call: Callable[[], object]) -> OnzecoachError | None:
    try:
        call()
    except OnzecoachError as refused:
        return refused
    return None


# Availability ---------------------------------------------------------------------------------


def test_availability_is_checked_and_stored_in_its_canonical_form(
    portal: Portal, storage: Storage
) -> None:
    coach = invite(portal)
    stored = portal.coaches.set_availability(
        SERVICE_DESK,
        coach.id,
        {
            "weekly": {
                "monday": [["09:00", "12:00"], ["11:00", "13:00"]],
                "friday": ["14:00-17:00"],
            },
            "days_off": ["2026-12-25"],
            "extra": {"2026-12-27": [["10:00", "14:00"]]},
            "session_minutes": "45",
            "buffer_minutes": 15,
            "max_per_day": 4,
        },
    )
    assert stored.weekly[0] == (Window(540, 780),)
    assert stored.days_off == {date(2026, 12, 25)}
    assert portal.coaches.get(SERVICE_DESK, coach.id).availability == stored
    with storage.unit_of_work() as uow:
        found = uow.coaches.get(coach.id)
    assert found is not None
    assert found.availability == stored

    with pytest.raises(ValidationError) as refused:
        portal.coaches.set_availability(
            SERVICE_DESK,
            coach.id,
            {"weekly": {"monday": [["12:00", "09:00"]]}, "buffer_minutes": -1},
        )
    assert set(refused.value.codes) == {"weekly.monday", "buffer_minutes"}
    assert portal.coaches.get(SERVICE_DESK, coach.id).availability == stored


# The private feed -----------------------------------------------------------------------------


def test_the_feed_url_is_shown_once_stored_as_a_hash_and_rotated_or_revoked(
    portal: Portal, storage: Storage
) -> None:
    coach = invite(portal)
    url = portal.coaches.rotate_feed(SERVICE_DESK, coach.id)
    assert url.startswith("https://portaal.example.nl/agenda-feed/")
    token = url.rsplit("/", 1)[1]
    assert len(token) >= 43
    with storage.unit_of_work() as uow:
        stored = uow.coaches.get(coach.id)
    assert stored is not None
    assert stored.feed_token_hash == hash_token(token)
    assert token not in repr(stored)
    assert portal.coaches.coach_for_feed(token).id == coach.id
    assert portal.coaches.get(SERVICE_DESK, coach.id).has_feed

    newer = portal.coaches.rotate_feed(SERVICE_DESK, coach.id).rsplit("/", 1)[1]
    assert newer != token
    with pytest.raises(InvalidToken):
        portal.coaches.coach_for_feed(token)
    assert portal.coaches.coach_for_feed(newer).id == coach.id

    portal.coaches.revoke_feed(SERVICE_DESK, coach.id)
    with pytest.raises(InvalidToken):
        portal.coaches.coach_for_feed(newer)
    assert not portal.coaches.get(SERVICE_DESK, coach.id).has_feed
    for nothing in ("", "x" * 500, "\x00"):
        with pytest.raises(InvalidToken):
            portal.coaches.coach_for_feed(nothing)


# The coach's own calendar ----------------------------------------------------------------------


def _link(portal: Portal, coach_id: str, url: str = CALENDAR) -> None:
    portal.coaches.link_calendar(SERVICE_DESK, coach_id, url, "bas", "Agenda-Wachtwoord-1")


def test_a_linked_calendar_keeps_its_password_sealed_and_out_of_sight(
    portal: Portal, storage: Storage, calendars: FakeCalendarConnector
) -> None:
    coach = invite(portal)
    status = portal.coaches.link_calendar(
        SERVICE_DESK, coach.id, CALENDAR, "bas", "Agenda-Wachtwoord-1"
    )
    assert status.url == CALENDAR
    assert status.username == "bas"
    assert status.linked_at == portal.clock.now()
    assert (status.pulled_at, status.error) == (None, None)
    assert calendars.opened[-1].password == "Agenda-Wachtwoord-1"  # tried once
    with storage.unit_of_work() as uow:
        stored = uow.coaches.get(coach.id)
    assert stored is not None
    assert stored.calendar is not None
    sealed = stored.calendar.password_sealed
    assert "Agenda-Wachtwoord-1" not in sealed
    assert "Agenda-Wachtwoord-1" not in repr(stored)
    opened = portal.settings.sealer.open(sealed, context=calendar_context(coach.id))
    assert opened == "Agenda-Wachtwoord-1"
    assert "Agenda-Wachtwoord" not in repr(portal.coaches.get(SERVICE_DESK, coach.id))

    portal.coaches.unlink_calendar(SERVICE_DESK, coach.id)
    assert portal.coaches.get(SERVICE_DESK, coach.id).calendar is None


def test_a_calendar_that_refuses_is_not_linked(
    portal: Portal, calendars: FakeCalendarConnector
) -> None:
    coach = invite(portal)
    calendars.calendar(CALENDAR).refused = True
    with pytest.raises(ValidationError) as refused:
        _link(portal, coach.id)
    assert refused.value.codes == {"url": "refused"}
    calendars.calendar(CALENDAR).refused = False
    calendars.calendar(CALENDAR).down = True
    with pytest.raises(CalendarError):
        _link(portal, coach.id)
    assert portal.coaches.get(SERVICE_DESK, coach.id).calendar is None
    with pytest.raises(ValidationError) as bad:
        portal.coaches.link_calendar(SERVICE_DESK, coach.id, "ftp://x", " ", "")
    assert bad.value.codes == {"url": "invalid", "username": "invalid", "password": "invalid"}


def test_no_calendar_links_without_a_connector(storage: Storage) -> None:
    portal = make_portal(storage)
    coach = invite(portal)
    with pytest.raises(Conflict) as refused:
        _link(portal, coach.id)
    assert refused.value.code == "coach.calendars_not_configured"


def _busy(storage: Storage, coach_id: str) -> list[tuple[datetime, datetime, str]]:
    with storage.unit_of_work() as uow:
        rows = uow.busy_times.overlapping(
            [coach_id], T0 - timedelta(days=1), T0 + timedelta(days=400)
        )
    return [(row.starts_at, row.ends_at, row.uid) for row in rows]


def test_a_pull_stores_the_coachs_own_busy_times_and_skips_the_portals(
    portal: Portal, storage: Storage, calendars: FakeCalendarConnector
) -> None:
    coach = invite(portal)
    _link(portal, coach.id)
    calendar = calendars.calendar(CALENDAR)
    day = T0 + timedelta(days=2)
    dentist = calendar.add_busy(day, day + timedelta(hours=1), uid="tandarts@agenda.example.nl")
    own = portal.settings.portal_uid("a" * 32)
    calendar.add_busy(day + timedelta(hours=3), day + timedelta(hours=4), uid=own)
    # Past the horizon (8 weeks by default and a day): not pulled.
    calendar.add_busy(T0 + timedelta(days=70), T0 + timedelta(days=70, hours=1))

    report = portal.coaches.pull_calendars()
    assert (report.calendars, report.failed, report.busy_times) == (1, 0, 1)
    assert _busy(storage, coach.id) == [(day, day + timedelta(hours=1), dentist)]
    status = portal.coaches.get(SERVICE_DESK, coach.id).calendar
    assert status is not None
    assert (status.pulled_at, status.synced_at, status.error) == (T0, T0, None)

    # The next pull replaces what the last one found.
    del calendar.events[dentist]
    later = T0 + timedelta(minutes=5)
    assert portal.coaches.pull_calendars(later).busy_times == 0
    assert _busy(storage, coach.id) == []

    # Only the window asked for counts.
    with storage.unit_of_work() as uow:
        uow.busy_times.replace(
            coach.id, [BusyTime("x", day, day + timedelta(hours=1))], pulled_at=later
        )
        uow.commit()
    with storage.unit_of_work() as uow:
        assert (
            uow.busy_times.overlapping(
                [coach.id], day + timedelta(hours=1), day + timedelta(hours=2)
            )
            == []
        )
        assert (
            len(uow.busy_times.overlapping([coach.id, "f" * 32], day, day + timedelta(minutes=1)))
            == 1
        )
        assert uow.busy_times.overlapping([], day, day + timedelta(hours=1)) == []

    portal.coaches.unlink_calendar(SERVICE_DESK, coach.id)
    assert _busy(storage, coach.id) == []


def test_one_failing_calendar_is_recorded_and_the_others_are_pulled(
    portal: Portal, storage: Storage, calendars: FakeCalendarConnector
) -> None:
    bas = invite(portal)
    eva = invite(portal, "Eva Smit")
    broken = "https://agenda.example.nl/eva/werk/"
    _link(portal, bas.id)
    _link(portal, eva.id, broken)
    day = T0 + timedelta(days=3)
    calendars.calendar(CALENDAR).add_busy(day, day + timedelta(hours=2))
    calendars.calendar(broken).add_busy(day, day + timedelta(hours=1))
    assert portal.coaches.pull_calendars().busy_times == 2

    calendars.calendar(broken).down = True
    calendars.calendar(CALENDAR).add_busy(day + timedelta(days=1), day + timedelta(days=1, hours=1))
    later = T0 + timedelta(minutes=5)
    report = portal.coaches.pull_calendars(later)
    assert (report.calendars, report.failed, report.busy_times) == (2, 1, 2)
    failed = portal.coaches.get(SERVICE_DESK, eva.id).calendar
    assert failed is not None
    assert (failed.error, failed.pulled_at, failed.synced_at) == ("calendar.unavailable", later, T0)
    assert len(_busy(storage, eva.id)) == 1  # kept from the last pull that worked
    assert len(_busy(storage, bas.id)) == 2

    calendars.calendar(broken).down = False
    calendars.calendar(broken).refused = True
    assert portal.coaches.pull_calendars(later + timedelta(minutes=5)).failed == 1
    refused = portal.coaches.get(SERVICE_DESK, eva.id).calendar
    assert refused is not None
    assert refused.error == "calendar.refused"

    calendars.calendar(broken).refused = False
    assert portal.coaches.pull_calendars(later + timedelta(minutes=10)).failed == 0
    healed = portal.coaches.get(SERVICE_DESK, eva.id).calendar
    assert healed is not None
    assert healed.error is None


def test_reseal_seals_calendar_passwords_under_the_new_key(
    storage_factory: Callable[[], Storage], calendars: FakeCalendarConnector
) -> None:
    storage = storage_factory()
    old = make_portal(storage, calendars=calendars)
    coach = invite(old)
    _link(old, coach.id)
    rotated = make_settings(secret_key=NEW_SECRET_KEY, old_secret_keys=(TEST_SECRET_KEY,))
    new = make_portal(storage, calendars=calendars, settings=rotated)
    first = new.coaches.reseal(SERVICE_DESK, batch_size=1)
    assert (first.resealed, first.unreadable) == (1, 0)
    assert new.coaches.reseal(SERVICE_DESK).resealed == 0
    only_new = make_settings(secret_key=NEW_SECRET_KEY)
    newest = make_portal(storage, calendars=calendars, settings=only_new)
    assert newest.coaches.pull_calendars().failed == 0
    assert calendars.opened[-1].password == "Agenda-Wachtwoord-1"

    # A password that no configured key opens is counted, and its pull fails on its own.
    stranger = make_settings(secret_key=TEST_SECRET_KEY)
    lost = make_portal(storage, calendars=calendars, settings=stranger)
    assert lost.coaches.reseal(SERVICE_DESK).unreadable == 1
    assert lost.coaches.pull_calendars().failed == 1
    status = lost.coaches.get(SERVICE_DESK, coach.id).calendar
    assert status is not None
    assert status.error == "crypto.decryption_failed"


def test_the_portals_own_uids_are_recognised() -> None:
    settings = make_settings()
    uid = settings.portal_uid("0123456789abcdef0123456789abcdef")
    assert uid == "onzecoach-0123456789abcdef0123456789abcdef@portaal.example.nl"
    assert settings.is_portal_uid(uid)
    assert settings.is_portal_uid(uid.upper().replace("ONZECOACH-", "onzecoach-"))
    for other in ("onzecoach-@portaal.example.nl", "x@portaal.example.nl", uid + ".evil.nl", ""):
        assert not settings.is_portal_uid(other)
    custom = make_settings(calendar_uid_domain="agenda.onzecoach.nl")
    assert custom.portal_uid("a").endswith("@agenda.onzecoach.nl")
    assert not custom.is_portal_uid(uid)
    with pytest.raises(ValueError, match="calendar_uid_domain"):
        make_settings(calendar_uid_domain="geen domein")


def test_the_clock_is_the_portals_and_times_are_utc(portal: Portal) -> None:
    coach = invite(portal)
    assert coach.created_at == datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    with pytest.raises(ValueError, match="timezone-aware"):
        portal.coaches.pull_calendars(datetime(2026, 3, 2, 9, 30))  # noqa: DTZ001
