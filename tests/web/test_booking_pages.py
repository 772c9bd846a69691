"""The PlanningsAgenda, the coach's workspace, the service desk's coaches and HR's list
"Nog niet ingepland", through the Flask test client."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from flask.testing import FlaskClient

from booking_support import WEEKDAYS_9_TO_5, Setting, local, next_weekday, started
from onzecoach import Actor, Role
from onzecoach.actors import SERVICE_DESK
from onzecoach.trajectories import AppointmentStatus
from web.conftest import Web, csrf, post, register, sign_in


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
    actor = Actor(user_id=view.user_id, employer_id=None, role=Role.COACH)
    return sign_in(web, username, secret), view.id, actor


@pytest.fixture
def booking(web: Web, hr: FlaskClient) -> Setting:
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


def test_the_coaches_that_fit_nearest_first_and_errors_by_field(
    web: Web, booking: Setting
) -> None:
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


def test_a_taken_slot_shows_the_message_and_the_slots_again(
    web: Web, booking: Setting
) -> None:
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
        {"coach_id": booking.coach_id, "starts_at": local(day, 10).isoformat(), "vorm": "online"},
        page=page,
    )
    assert answer.status_code == 200
    text = answer.get_data(as_text=True)
    assert "net door iemand anders" in text
    assert 'name="starts_at"' in text
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
    assert "Het gesprek is verzet." in client.get(answer.headers["Location"]).get_data(
        as_text=True
    )
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
        assert client.get(url).status_code == 404
