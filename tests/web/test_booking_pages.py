"""The PlanningsAgenda, the coach's workspace, the service desk's coaches and HR's list
"Nog niet ingepland", through the Flask test client."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from flask.testing import FlaskClient

from booking_support import (
    WEEKDAYS_9_TO_5,
    Setting,
    booking_link,
    local,
    next_weekday,
    started,
)
from onzecoach import Actor, Role
from onzecoach.actors import SERVICE_DESK
from onzecoach.trajectories import AppointmentStatus
from web.conftest import Web, csrf, post, register, sign_in, sign_up


def iso(moment: datetime) -> str:
    """A slot's start as the radio button's value: ISO 8601 in UTC."""
    return moment.astimezone(UTC).isoformat()


def hr_actor(web: Web) -> Actor:
    """The HR actor of "Acme B.V.", the employer of the ``hr`` client."""
    found = next(e for e in web.portal.admin.employers(SERVICE_DESK) if e.name == "Acme B.V.")
    return Actor(user_id=None, employer_id=found.id, role=Role.HR)


def coach_client(
    web: Web, username: str = "coach.bos", name: str = "Coach Bos"
) -> tuple[FlaskClient, str, Actor]:
    """A coach with weekday hours, registered and signed in through the screens."""
    coach_id, actor, secret = new_coach(web, username, name)
    return sign_in(web, username, secret), coach_id, actor


def new_coach(web: Web, username: str, name: str) -> tuple[str, Actor, str]:
    """A coach with weekday hours, registered with the app; their id, actor and secret."""
    view = web.portal.coaches.invite(
        SERVICE_DESK,
        email=f"{username}@example.nl",
        username=username,
        name=name,
        modes=["live", "online"],
        video_url=f"https://video.example.nl/{username}",
        locations=[{"city": "Utrecht", "postcode": "3511"}],
        specialisms=["werkdruk"],
    )
    web.portal.coaches.set_availability(SERVICE_DESK, view.id, WEEKDAYS_9_TO_5)
    secret = register(web)
    web.secrets[username] = secret
    return view.id, Actor(user_id=view.user_id, employer_id=None, role=Role.COACH), secret


@pytest.fixture
def acme(web: Web) -> str:
    """The HR user "hr.acme" of Acme B.V., registered; their TOTP secret (signing in comes
    after the clock has moved: a session ends after a while without use)."""
    return sign_up(web)


@pytest.fixture
def booking(web: Web, acme: str) -> Setting:
    """Coaching started at Acme B.V. with a bookable coach; the invitation went out."""
    return started(web.portal, web.clock, web.mailer, hr=hr_actor(web))


# The PlanningsAgenda --------------------------------------------------------------------------


def test_the_link_opens_the_overview_with_what_is_left(web: Web, booking: Setting) -> None:
    page = web.client().get(f"/planningsagenda/{booking.token}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Hallo Anna" in text
    assert "<strong>4</strong> van 4 gesprekken nog in te plannen" in text
    assert "Je hebt nog geen gesprek gepland." in text
    assert 'name="vorm"' in text
    assert re.search(r'id="f-postcode"[^>]*value="3833 ?LB"|value="3833 ?LB"', text)


def test_an_unknown_link_is_a_friendly_404(web: Web) -> None:
    for path in ("/planningsagenda/" + "x" * 30, "/planningsagenda/kort"):
        page = web.client().get(path)
        assert page.status_code == 404
        assert "Deze link werkt niet (meer)" in page.get_data(as_text=True)


def test_a_link_that_is_used_too_often_is_throttled(web: Web, booking: Setting) -> None:
    client = web.client()
    limit = web.portal.settings.booking_link_limit
    codes = {client.get(f"/planningsagenda/{booking.token}").status_code for _ in range(limit)}
    assert codes == {200}
    assert client.get(f"/planningsagenda/{booking.token}").status_code == 429


def test_the_coaches_that_fit_nearest_first_and_errors_by_field(web: Web, booking: Setting) -> None:
    client = web.client()
    base = f"/planningsagenda/{booking.token}/coaches"
    missing = client.get(base)
    assert missing.status_code == 200
    assert 'id="e-vorm"' in missing.get_data(as_text=True)
    wrong = client.get(f"{base}?vorm=live&taal=xx")
    assert 'id="e-taal"' in wrong.get_data(as_text=True)
    found = client.get(f"{base}?vorm=live&postcode=3833LB").get_data(as_text=True)
    assert "Coach Bos" in found
    assert re.search(r"Utrecht, ongeveer \d+ km", found)
    none = client.get(f"{base}?vorm=online&thema=conflict").get_data(as_text=True)
    assert "Er is geen coach die bij deze keuzes past." in none


def test_book_a_slot_then_the_confirmation(web: Web, booking: Setting) -> None:
    client = web.client()
    day = next_weekday(web.clock)
    slots = client.get(
        f"/planningsagenda/{booking.token}/coaches/{booking.coach_id}"
        f"?vorm=online&vanaf={day.isoformat()}"
    )
    assert slots.status_code == 200
    text = slots.get_data(as_text=True)
    start = iso(local(day, 10))
    assert f'value="{start}"' in text
    assert "Volgende week" in text
    answer = client.post(
        f"/planningsagenda/{booking.token}/boeken",
        data={
            "csrf_token": csrf(slots),
            "coach_id": booking.coach_id,
            "starts_at": start,
            "vorm": "online",
        },
    )
    assert answer.status_code == 302
    confirmation = client.get(answer.headers["Location"])
    assert confirmation.status_code == 200
    assert "Je afspraak staat" in confirmation.get_data(as_text=True)
    overview = client.get(f"/planningsagenda/{booking.token}").get_data(as_text=True)
    assert "Verzetten" in overview
    assert "<strong>3</strong> van 4" in overview


def test_a_taken_slot_shows_the_message_and_the_slots_again(web: Web, booking: Setting) -> None:
    other = started(
        web.portal,
        web.clock,
        web.mailer,
        hr=booking.hr,
        coach=(booking.coach_id, booking.coach),
        last_name="Ek",
    )
    day = next_weekday(web.clock)
    web.portal.booking.book(
        other.token, coach_id=booking.coach_id, starts_at=local(day, 10), mode="online"
    )
    client = web.client()
    page = f"/planningsagenda/{booking.token}/coaches/{booking.coach_id}?vorm=online"
    answer = post(
        client,
        f"/planningsagenda/{booking.token}/boeken",
        {
            "coach_id": booking.coach_id,
            "starts_at": local(day, 10).isoformat(),
            "vorm": "online",
            "vanaf": day.isoformat(),
        },
        page=page,
    )
    assert answer.status_code == 200
    text = answer.get_data(as_text=True)
    assert "net door iemand anders" in text
    assert 'name="starts_at"' in text
    # The times again, of the week the form was sent from.
    assert f'name="vanaf" value="{day.isoformat()}"' in text
    assert f'value="{iso(local(day, 11))}"' in text
    nothing = post(
        client,
        f"/planningsagenda/{booking.token}/boeken",
        {"coach_id": booking.coach_id, "starts_at": "", "vorm": "online"},
        page=page,
    )
    assert 'id="e-starts_at"' in nothing.get_data(as_text=True)


def test_a_booking_over_the_quota_says_how_many_are_left(web: Web, booking: Setting) -> None:
    day = next_weekday(web.clock)
    for hour in (9, 10, 11, 12):
        web.portal.booking.book(
            booking.token, coach_id=booking.coach_id, starts_at=local(day, hour), mode="online"
        )
    client = web.client()
    answer = post(
        client,
        f"/planningsagenda/{booking.token}/boeken",
        {"coach_id": booking.coach_id, "starts_at": local(day, 14).isoformat(), "vorm": "online"},
        page=f"/planningsagenda/{booking.token}/coaches/{booking.coach_id}?vorm=online",
    )
    assert "nog in te plannen: 0" in answer.get_data(as_text=True)
    overview = client.get(f"/planningsagenda/{booking.token}").get_data(as_text=True)
    assert "Alle gesprekken van je traject zijn ingepland" in overview


def test_reschedule_to_another_slot_of_the_same_coach(web: Web, booking: Setting) -> None:
    day = next_weekday(web.clock)
    session = web.portal.booking.book(
        booking.token, coach_id=booking.coach_id, starts_at=local(day, 10), mode="online"
    )
    client = web.client()
    url = f"/planningsagenda/{booking.token}/afspraken/{session.id}/verzetten"
    page = client.get(f"{url}?vanaf={day.isoformat()}")
    assert page.status_code == 200
    offered = page.get_data(as_text=True)
    assert f'value="{iso(local(day, 14))}"' in offered
    assert f'value="{iso(local(day, 10))}"' not in offered  # its own time
    answer = post(client, url, {"starts_at": local(day, 14).isoformat()})
    assert answer.status_code == 302
    assert "Het gesprek is verzet." in client.get(answer.headers["Location"]).get_data(as_text=True)
    (moved,) = web.portal.booking.open(booking.token).booked
    assert moved.starts_at == local(day, 14)


def test_cancel_before_and_after_the_notice(web: Web, booking: Setting) -> None:
    day = next_weekday(web.clock, days_ahead=3)
    early = web.portal.booking.book(
        booking.token, coach_id=booking.coach_id, starts_at=local(day, 10), mode="online"
    )
    late = web.portal.booking.book(
        booking.token, coach_id=booking.coach_id, starts_at=local(day, 11), mode="online"
    )
    client = web.client()
    base = f"/planningsagenda/{booking.token}/afspraken"
    calm = client.get(f"{base}/{early.id}/afzeggen").get_data(as_text=True)
    assert 'id="te-laat"' not in calm
    answer = post(client, f"{base}/{early.id}/afzeggen", {})
    assert answer.status_code == 302
    web.clock.set(local(day, 11) - timedelta(hours=2))
    warned = client.get(f"{base}/{late.id}/afzeggen").get_data(as_text=True)
    assert 'id="te-laat"' in warned
    assert "telt het als gebruikt gesprek" in warned
    # An employer for whom a late cancellation does not count: the warning says no more.
    web.portal.admin.set_employer_policy(
        SERVICE_DESK, booking.hr.employer_id or "", late_cancellations_count=False
    )
    milder = client.get(f"{base}/{late.id}/afzeggen").get_data(as_text=True)
    assert 'id="te-laat"' in milder
    assert "telt het als gebruikt gesprek" not in milder
    assert post(client, f"{base}/{late.id}/afzeggen", {}).status_code == 302
    statuses = {s.id: s.status for s in web.portal.booking.open(booking.token).booked}
    assert statuses == {
        early.id: AppointmentStatus.CANCELLED,
        late.id: AppointmentStatus.LATE_CANCELLED,
    }


def test_another_links_session_is_not_found(web: Web, booking: Setting) -> None:
    other = started(web.portal, web.clock, web.mailer, hr=booking.hr, last_name="Ek")
    day = next_weekday(web.clock)
    theirs = web.portal.booking.book(
        other.token, coach_id=other.coach_id, starts_at=local(day, 10), mode="online"
    )
    client = web.client()
    for path in ("", "/verzetten", "/afzeggen"):
        url = f"/planningsagenda/{booking.token}/afspraken/{theirs.id}{path}"
        answer = client.get(url)
        assert answer.status_code == 404
        # The way back is the employee's own overview, not a login they do not have.
        assert f'href="/planningsagenda/{booking.token}">Naar je overzicht' in answer.get_data(
            as_text=True
        )


# The coach's workspace -----------------------------------------------------------------------


@pytest.fixture
def coached(web: Web, acme: str) -> tuple[FlaskClient, Setting, str]:
    """A signed-in coach, and an employee of Acme B.V. who booked them (the session id)."""
    coach_id, actor, secret = new_coach(web, "coach.bos", "Coach Bos")
    setting = started(web.portal, web.clock, web.mailer, hr=hr_actor(web), coach=(coach_id, actor))
    day = next_weekday(web.clock)
    session = web.portal.booking.book(
        setting.token, coach_id=coach_id, starts_at=local(day, 10), mode="online"
    )
    return sign_in(web, "coach.bos", secret), setting, session.id


def test_a_coach_signs_in_to_the_agenda_per_week_and_per_day(
    web: Web, coached: tuple[FlaskClient, Setting, str]
) -> None:
    client, _, session_id = coached
    assert client.get("/").headers["Location"].endswith("/coach/agenda")
    day = next_weekday(web.clock)
    week = client.get(f"/coach/agenda?datum={day.isoformat()}")
    assert week.status_code == 200
    text = week.get_data(as_text=True)
    assert f"/coach/sessies/{session_id}" in text
    assert "10:00-11:00 Anna Berga" in text
    assert text.count('<h2 id="dag-') == 7
    one = client.get(f"/coach/agenda?weergave=dag&datum={day.isoformat()}").get_data(as_text=True)
    assert one.count('<h2 id="dag-') == 1
    assert f"/coach/sessies/{session_id}" in one
    other = client.get(f"/coach/agenda?weergave=dag&datum={(day + timedelta(days=1)).isoformat()}")
    assert f"/coach/sessies/{session_id}" not in other.get_data(as_text=True)
    assert client.get("/coach/agenda?datum=gisteren").status_code == 200


def test_the_session_is_reported_held_with_a_theme_once_begun(
    web: Web, coached: tuple[FlaskClient, Setting, str]
) -> None:
    client, setting, session_id = coached
    page = client.get(f"/coach/sessies/{session_id}")
    assert page.status_code == 200
    assert "Je meldt het gesprek zodra het begonnen is." in page.get_data(as_text=True)
    early = post(
        client,
        f"/coach/sessies/{session_id}/melden",
        {"status": "held", "theme": "werkdruk"},
        page=f"/coach/sessies/{session_id}",
    )
    assert "nog niet begonnen" in early.get_data(as_text=True)
    web.clock.set(local(next_weekday(web.clock), 11))
    client = sign_in(web, "coach.bos", web.secrets["coach.bos"])
    page_url = f"/coach/sessies/{session_id}"
    wrong = post(client, f"{page_url}/melden", {"status": "held", "theme": "x"}, page=page_url)
    assert 'id="e-theme"' in wrong.get_data(as_text=True)
    bad_status = post(client, f"{page_url}/melden", {"status": "feest"}, page=page_url)
    assert 'id="e-status"' in bad_status.get_data(as_text=True)
    done = post(
        client,
        f"{page_url}/melden",
        {"status": "held", "theme": "werkdruk"},
        page=page_url,
    )
    assert done.status_code == 302
    shown = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Het gesprek is gemeld." in shown
    assert "Gehouden" in shown
    (held,) = web.portal.booking.open(setting.token).booked
    assert held.status is AppointmentStatus.HELD


def test_the_private_note_is_kept_and_a_bad_one_named(
    web: Web, coached: tuple[FlaskClient, Setting, str]
) -> None:
    client, _, session_id = coached
    url = f"/coach/sessies/{session_id}/notitie"
    answer = post(client, url, {"note": "Rustig gesprek."}, page=f"/coach/sessies/{session_id}")
    assert answer.status_code == 302
    assert "Rustig gesprek." in client.get(f"/coach/sessies/{session_id}").get_data(as_text=True)
    bad = post(client, url, {"note": "x\x00y"}, page=f"/coach/sessies/{session_id}")
    assert 'id="e-note"' in bad.get_data(as_text=True)


def test_the_coach_moves_and_cancels_a_session(
    web: Web, coached: tuple[FlaskClient, Setting, str]
) -> None:
    client, setting, session_id = coached
    day = next_weekday(web.clock)
    page = client.get(f"/coach/sessies/{session_id}/verzetten?vanaf={day.isoformat()}")
    assert page.status_code == 200
    assert f'value="{iso(local(day, 13))}"' in page.get_data(as_text=True)
    nothing = post(client, f"/coach/sessies/{session_id}/verzetten", {"starts_at": ""})
    assert 'id="e-starts_at"' in nothing.get_data(as_text=True)
    moved = post(
        client, f"/coach/sessies/{session_id}/verzetten", {"starts_at": iso(local(day, 13))}
    )
    assert moved.status_code == 302
    (session,) = web.portal.booking.open(setting.token).booked
    assert session.starts_at == local(day, 13)
    cancelled = post(
        client, f"/coach/sessies/{session_id}/afzeggen", {}, page=f"/coach/sessies/{session_id}"
    )
    assert cancelled.status_code == 302
    (session,) = web.portal.booking.open(setting.token).booked
    assert session.status is AppointmentStatus.CANCELLED


def test_the_coach_asks_for_an_extension_and_hr_gets_the_task(
    web: Web, coached: tuple[FlaskClient, Setting, str]
) -> None:
    client, _, session_id = coached
    page = f"/coach/sessies/{session_id}"
    bad = post(client, f"{page}/verlenging", {"sessions": "0", "reason": "Meer"}, page=page)
    assert 'id="e-sessions"' in bad.get_data(as_text=True)
    done = post(client, f"{page}/verlenging", {"sessions": "2", "reason": "Nog twee"}, page=page)
    assert done.status_code == 302
    tasks = web.portal.tasks.open(hr_actor(web))
    assert [task.note for task in tasks] == ["Nog twee"]


def test_profile_and_availability_with_errors_by_field(
    web: Web, coached: tuple[FlaskClient, Setting, str]
) -> None:
    client, _, _ = coached
    form = client.get("/coach/profiel")
    assert 'value="Coach Bos"' in form.get_data(as_text=True)
    fields = {
        "name": "Coach Bos",
        "bio": "Twintig jaar ervaring.",
        "languages": "nl",
        "specialisms": "werkdruk",
        "modes": "online",
        "locations": "",
        "video_url": "http://niet-veilig.example.nl",
    }
    wrong = post(client, "/coach/profiel", fields)
    assert 'id="e-video_url"' in wrong.get_data(as_text=True)
    fields["video_url"] = "https://video.example.nl/bos2"
    fields["locations"] = "3511 Utrecht\nAmersfoort, 3811"
    assert post(client, "/coach/profiel", fields).status_code == 302
    me = web.portal.coaches.me(coached[1].coach)
    assert [place.city for place in me.profile.locations] == ["Utrecht", "Amersfoort"]

    shown = client.get("/coach/beschikbaarheid").get_data(as_text=True)
    assert 'value="09:00-17:00"' in shown
    data = {f"weekly-{day}": "" for day in ("monday", "tuesday", "wednesday", "thursday")}
    data |= {
        "weekly-friday": "09:00-12:00, 13:00-17:00",
        "weekly-saturday": "",
        "weekly-sunday": "",
        "days_off": "2026-12-25",
        "extra": "2026-12-27 10:00-14:00",
        "session_minutes": "45",
        "buffer_minutes": "15",
        "notice_minutes": "1440",
        "horizon_days": "56",
        "max_per_day": "",
    }
    bad = post(
        client,
        "/coach/beschikbaarheid",
        {**data, "weekly-monday": "17:00-09:00", "session_minutes": "5"},
    )
    text = bad.get_data(as_text=True)
    assert 'id="e-weekly-monday"' in text
    assert 'id="e-session_minutes"' in text
    assert post(client, "/coach/beschikbaarheid", data).status_code == 302
    stored = web.portal.coaches.me(coached[1].coach).availability
    assert stored.session_minutes == 45
    assert stored.to_data()["weekly"]["friday"] == [["09:00", "12:00"], ["13:00", "17:00"]]


def test_calendar_link_errors_and_the_private_feed(
    web: Web, coached: tuple[FlaskClient, Setting, str]
) -> None:
    client, _, _ = coached
    assert client.get("/coach/agendakoppeling").status_code == 200
    bad = post(
        client, "/coach/agendakoppeling", {"url": "geen-url", "username": "", "password": ""}
    )
    text = bad.get_data(as_text=True)
    assert 'id="e-url"' in text
    assert 'id="e-username"' in text
    assert 'id="e-password"' in text
    made = post(client, "/coach/agenda-feed/vernieuwen", {}, page="/coach/agendakoppeling")
    found = re.search(r'id="feed-url">([^<]+)<', made.get_data(as_text=True))
    assert found
    token = found.group(1).rsplit("/", 1)[-1]
    assert found.group(1).startswith("http://localhost/agenda-feed/")
    feed = web.client().get(f"/agenda-feed/{token}")
    assert feed.status_code == 200
    assert feed.mimetype == "text/calendar"
    assert b"BEGIN:VEVENT" in feed.data
    # Shown once: the page afterwards has no URL.
    assert token not in client.get("/coach/agendakoppeling").get_data(as_text=True)
    revoked = post(client, "/coach/agenda-feed/intrekken", {}, page="/coach/agendakoppeling")
    assert revoked.status_code == 302
    assert web.client().get(f"/agenda-feed/{token}").status_code == 404
    assert web.client().get("/agenda-feed/" + "x" * 40).status_code == 404


def test_a_coach_gets_404_on_hr_and_desk_pages_and_others_on_coach_pages(
    web: Web, coached: tuple[FlaskClient, Setting, str], acme: str
) -> None:
    client, setting, session_id = coached
    hr = sign_in(web, "hr.acme", acme)
    for path in (
        "/zoeken?q=ber",
        "/taken",
        f"/werknemers/{setting.employee_id}",
        "/nog-niet-ingepland",
        "/statistieken/",
        "/servicebureau/",
        "/servicebureau/coaches",
    ):
        assert client.get(path).status_code == 404, path
    assert client.get("/account/").status_code == 200
    for path in ("/coach/agenda", f"/coach/sessies/{session_id}", "/coach/profiel"):
        assert hr.get(path).status_code == 404, path
    # Another coach's session is not found.
    other, _, _ = coach_client(web, "coach.ek", "Coach Ek")
    assert other.get(f"/coach/sessies/{session_id}").status_code == 404
    assert other.get(f"/coach/sessies/{session_id}/verzetten").status_code == 404


# The service desk's coaches --------------------------------------------------------------


def test_the_desk_invites_a_coach_and_edits_profile_and_availability(
    web: Web, desk: FlaskClient
) -> None:
    page = desk.get("/servicebureau/coaches")
    assert page.status_code == 200
    assert "Er zijn nog geen coaches." in page.get_data(as_text=True)
    bad = post(
        desk,
        "/servicebureau/coaches",
        {"email": "geen", "username": "", "name": "", "languages": "nl", "modes": "online"},
    )
    text = bad.get_data(as_text=True)
    for name in ("email", "username", "name", "video_url"):
        assert f'id="e-{name}"' in text, name
    answer = post(
        desk,
        "/servicebureau/coaches",
        {
            "email": "eva@example.nl",
            "username": "coach.eva",
            "name": "Eva Smit",
            "languages": "nl",
            "modes": "online",
            "video_url": "https://video.example.nl/eva",
        },
    )
    assert answer.status_code == 302
    coach_page = desk.get(answer.headers["Location"])
    assert "De coach is uitgenodigd." in coach_page.get_data(as_text=True)
    (coach,) = web.portal.coaches.list(SERVICE_DESK)
    url = f"/servicebureau/coaches/{coach.id}"
    changed = post(
        desk,
        url,
        {
            "name": "Eva Smit",
            "languages": "nl",
            "modes": "online",
            "video_url": "https://video.example.nl/eva",
            "active": "",
            "employer_ids": "onbekend",
        },
    )
    assert 'id="e-employer_ids"' in changed.get_data(as_text=True)
    saved = post(
        desk,
        url,
        {
            "name": "Eva Smit",
            "languages": "nl",
            "modes": "online",
            "video_url": "https://video.example.nl/eva",
        },
    )
    assert saved.status_code == 302
    assert not web.portal.coaches.get(SERVICE_DESK, coach.id).profile.active
    hours = post(desk, f"{url}/beschikbaarheid", {"weekly-monday": "09:00-12:00"})
    assert hours.status_code == 302
    assert desk.get(f"{url}/beschikbaarheid").status_code == 200
    stored = web.portal.coaches.get(SERVICE_DESK, coach.id).availability
    assert stored.to_data()["weekly"]["monday"] == [["09:00", "12:00"]]
    assert desk.get("/servicebureau/coaches/onbekend").status_code == 404


# HR: Nog niet ingepland ------------------------------------------------------------------


def test_hr_lists_who_has_not_booked_and_resends(web: Web, acme: str, booking: Setting) -> None:
    hr = sign_in(web, "hr.acme", acme)
    assert "Nog niet ingepland" in hr.get("/").get_data(as_text=True)
    empty = hr.get("/nog-niet-ingepland").get_data(as_text=True)
    assert "Anna" not in empty
    web.clock.advance(web.portal.settings.not_booked_after + timedelta(days=1))
    hr = sign_in(web, "hr.acme", acme)
    page = hr.get("/nog-niet-ingepland")
    text = page.get_data(as_text=True)
    assert "Berga" in text, re.findall(r"<th scope=.row.>.*?</th>", text, re.S)
    sent = len(web.mailer.sent)
    answer = post(
        hr,
        f"/nog-niet-ingepland/{booking.trajectory_id}/uitnodiging",
        {},
        page="/nog-niet-ingepland",
    )
    assert answer.status_code == 302
    web.portal.outbox.dispatch_due()
    assert len(web.mailer.sent) == sent + 1
    assert (
        hr.post(
            "/nog-niet-ingepland/onbekend/uitnodiging", data={"csrf_token": csrf(page)}
        ).status_code
        == 404
    )
    dossier = hr.get(f"/werknemers/{booking.employee_id}?tab=trajecten").get_data(as_text=True)
    assert '<td class="booking-state">Uitgenodigd</td>' in dossier
    day = next_weekday(web.clock)
    token = booking_link(web.mailer, booking.email)  # the invitation sent again
    web.portal.booking.book(
        token, coach_id=booking.coach_id, starts_at=local(day, 10), mode="online"
    )
    dossier = hr.get(f"/werknemers/{booking.employee_id}?tab=trajecten").get_data(as_text=True)
    assert '<td class="booking-state">Ingepland</td>' in dossier
    assert "Berga" not in hr.get("/nog-niet-ingepland").get_data(as_text=True)
