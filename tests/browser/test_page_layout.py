"""What a person sees of the layout: radios beside their labels, label/value lists in two
columns (one on a phone), large key figures, tables that say they scroll, a compact task
list, and a deep link that survives the login."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from browser.conftest import DESKTOP, PHONE, Live, open_page
from browser.flows import log_in, no_shots, register_with_totp
from onzecoach import Actor, Role
from onzecoach.actors import SERVICE_DESK


def hr_with_tasks(live: Live, tasks: int = 3) -> str:
    """An employer whose employees asked for ``tasks`` extensions, its HR user invited (the
    newest mail); the first employee's id."""
    portal = live.portal
    employer = portal.admin.create_employer(SERVICE_DESK, "Acme B.V.").id
    hr = Actor(user_id=None, employer_id=employer, role=Role.HR)
    first = ""
    for number in range(tasks):
        employee = portal.employees.register(
            hr,
            {
                "last_name": f"Bergen{'abc'[number]}",
                "given_name": "Anna",
                "initials": "A",
                "gender": "female",
                "birth_date": date(1985, 4, 12),
                "email": f"anna{number}@example.nl",
                "registration_type": "OnzeCoach",
            },
        ).id
        first = first or employee
        today = live.clock.now().date()
        trajectory = portal.trajectories.start(
            hr, employee, type_code="ONC-IND-4", start_date=today
        ).id
        portal.trajectories.request_extension(
            SERVICE_DESK, trajectory, note="Nog twee gesprekken om het af te ronden."
        )
    portal.admin.invite_user(SERVICE_DESK, employer, email="hr@example.nl", username="hr.acme")
    return first


def box(page: Any, selector: str) -> dict[str, float]:
    found: dict[str, float] | None = page.locator(selector).bounding_box()
    assert found is not None, selector
    return found


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_each_radio_sits_beside_its_label(browser: Any, live: Live, viewport: Any) -> None:
    with open_page(browser, viewport) as page:
        page.goto(f"{live.url}/inloggegevens-vergeten")
        for radio in ("w-pw", "w-un"):
            button, label = box(page, f"#{radio}"), box(page, f"label[for={radio}]")
            gap = label["x"] - (button["x"] + button["width"])
            assert 0 <= gap <= 10, (radio, gap)
            middle = abs((label["y"] + label["height"] / 2) - (button["y"] + button["height"] / 2))
            assert middle <= 2, (radio, middle)


def test_three_open_tasks_fit_a_compact_page_and_a_deep_link_returns(
    browser: Any, live: Live
) -> None:
    hr_with_tasks(live, 3)
    with open_page(browser) as page:
        secret = register_with_totp(live, page, no_shots, "hr.acme")
    with open_page(browser) as page:
        # Signed out: the task list sends to the login, which sends back once signed in.
        page.goto(f"{live.url}/taken")
        assert "/inloggen?next=" in page.url
        log_in(live, page, no_shots, "hr.acme", secret)
        assert page.url == f"{live.url}/taken"
        assert page.locator("section.task").count() == 3
        height = page.evaluate("document.documentElement.scrollHeight")
        assert height < 1600, height
        # Declining is one click away, and its form is the same as before.
        page.get_by_text("Afwijzen met toelichting").first.click()
        assert page.get_by_label("Toelichting bij het afwijzen").first.is_visible()


def test_the_dossier_lists_and_the_key_figures(browser: Any, live: Live) -> None:
    employee = hr_with_tasks(live, 1)
    with open_page(browser) as page:
        secret = register_with_totp(live, page, no_shots, "hr.acme")
        log_in(live, page, no_shots, "hr.acme", secret)
        page.goto(f"{live.url}/werknemers/{employee}")
        term, value = box(page, "dl.details dt >> nth=0"), box(page, "dl.details dd >> nth=0")
        assert value["x"] > term["x"] + term["width"]  # two columns
        assert abs(value["y"] - term["y"]) < 4
        page.set_viewport_size(PHONE)
        term, value = box(page, "dl.details dt >> nth=0"), box(page, "dl.details dd >> nth=0")
        assert value["y"] >= term["y"] + term["height"] - 1  # stacked
        assert abs(value["x"] - term["x"]) < 2
        page.set_viewport_size(DESKTOP)
        page.goto(f"{live.url}/statistieken/")
        figure = page.locator("#figures dd[data-figure]").first
        size = figure.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
        label = page.locator("#figures dt").first
        assert size >= 2 * label.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
        tile = figure.evaluate("e => getComputedStyle(e.closest('.tile')).borderTopWidth")
        assert tile != "0px"


def test_a_wide_table_shows_it_scrolls_and_takes_the_keyboard(browser: Any, live: Live) -> None:
    employee = hr_with_tasks(live, 1)
    with open_page(browser, PHONE) as page:
        secret = register_with_totp(live, page, no_shots, "hr.acme")
        log_in(live, page, no_shots, "hr.acme", secret)
        page.goto(f"{live.url}/werknemers/{employee}?tab=trajecten")
        frames = page.locator(".table-wrap")
        wide = [
            frames.nth(i)
            for i in range(frames.count())
            if frames.nth(i).evaluate("e => e.scrollWidth > e.clientWidth")
        ]
        assert wide, "no table wider than a phone"
        frame = wide[0]
        assert frame.get_attribute("tabindex") == "0"
        assert frame.get_attribute("role") == "region"
        assert frame.get_attribute("aria-label") or frame.get_attribute("aria-labelledby")
        shadow = frame.evaluate("e => getComputedStyle(e).backgroundImage")
        assert "radial-gradient" in shadow
        frame.focus()
        page.keyboard.press("End")
        page.keyboard.press("ArrowRight")
        page.wait_for_function("e => e.scrollLeft > 0", arg=frame.element_handle(), timeout=2000)
