"""The statistics page: every figure, table and chart equals ``portal.stats.dashboard``."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from typing import Any, TypedDict
from urllib.parse import parse_qs, urlsplit

import attrs
import openpyxl
import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from onzecoach import Actor, Portal
from onzecoach.actors import SERVICE_DESK
from onzecoach.stats import FIGURES as FIGURE_LABELS
from onzecoach.stats import NO_DEPARTMENT, ROW_HEADERS, SORT_OPTIONS, Dashboard, Level
from onzecoach.trajectories import AppointmentMode, AppointmentStatus
from web.conftest import Web

FIGURES = (
    "held_sessions",
    "planned_sessions",
    "cancelled_sessions",
    "no_show_sessions",
    "late_cancelled_sessions",
    "live_sessions",
    "online_sessions",
    "trajectories_started",
    "trajectories_completed",
    "average_trajectory_days",
    "extensions_started",
)


class Range(TypedDict):
    start: date
    end: date


DEFAULT: Range = {"start": date(2025, 4, 1), "end": date(2026, 3, 1)}  # the clock: 2 March 2026


# A small DOM, enough to read the page -------------------------------------------------------


@dataclasses.dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list[Node] = dataclasses.field(default_factory=list)
    text_parts: list[str] = dataclasses.field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join("".join(self._texts()).split())

    def _texts(self) -> list[str]:
        found = list(self.text_parts)
        for child in self.children:
            found.extend(child._texts())
        return found

    def all(self, tag: str | None = None, **wanted: str) -> list[Node]:
        found = []
        for child in self.children:
            if (tag is None or child.tag == tag) and all(
                child.attrs.get(key.replace("_", "-")) == value for key, value in wanted.items()
            ):
                found.append(child)
            found.extend(child.all(tag, **wanted))
        return found

    def one(self, tag: str | None = None, **wanted: str) -> Node:
        found = self.all(tag, **wanted)
        assert len(found) == 1, (tag, wanted, len(found))
        return found[0]

    def having(self, name: str) -> list[Node]:
        """Every element below with the attribute ``name``."""
        found = []
        for child in self.children:
            if name in child.attrs:
                found.append(child)
            found.extend(child.having(name))
        return found


VOID = {"input", "meta", "link", "br", "img", "hr"}


class Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attributes: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {key: value or "" for key, value in attributes})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, 0, -1):
            if self.stack[index].tag == tag:
                del self.stack[index:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].text_parts.append(data)


def dom(page: TestResponse) -> Node:
    builder = Builder()
    builder.feed(page.get_data(as_text=True))
    return builder.root


def number(text: str) -> int | float | None:
    if text == "\N{EN DASH}":
        return None
    return float(text.replace(",", ".")) if "," in text else int(text)


# Seeding ---------------------------------------------------------------------------------------


def person(n: int, department_id: str | None) -> dict[str, object]:
    return {
        "last_name": f"Jansen{'abcdefgh'[n]}",
        "given_name": f"Piet{'abcdefgh'[n]}",
        "initials": "P",
        "gender": "male",
        "birth_date": date(1980, 1, 1 + n),
        "email": f"p{n}@example.nl",
        "department_id": department_id,
        "registration_type": "OnzeCoach",
    }


def at(year: int, month: int, day: int = 10) -> datetime:
    return datetime(year, month, day, 9, 0, tzinfo=UTC)


@attrs.frozen
class Seeded:
    actor: Actor
    employer_id: str
    finance: str
    purchasing: str
    empty: str
    employees: dict[str, str]


def hr_actor(web: Web, client: FlaskClient) -> Actor:
    cookie = client.get_cookie("oc_session")
    assert cookie is not None
    return web.portal.auth.authenticate(cookie.value)


def seed(portal: Portal, actor: Actor) -> Seeded:
    """Three departments (one empty), employees in two and one without; sessions of every
    status and mode over a year, themes in January 2026 for three people."""
    employer = actor.employer_id or ""
    finance = portal.admin.add_department(SERVICE_DESK, employer, "Financiën").id
    purchasing = portal.admin.add_department(SERVICE_DESK, employer, "Inkoop").id
    empty = portal.admin.add_department(SERVICE_DESK, employer, "Zorg").id
    plan: list[tuple[str, str | None, str, date, list[tuple[datetime, str, str, str | None]]]] = [
        (
            "a1",
            finance,
            "ONC-IND-4",
            date(2025, 10, 1),
            [
                (at(2025, 10, 6), "held", "live", "Werkdruk"),
                (at(2025, 11, 6), "held", "online", "Werkdruk"),
                (at(2025, 12, 8), "held", "live", None),
                (at(2026, 1, 12), "held", "live", "Loopbaan"),
            ],
        ),
        (
            "a2",
            finance,
            "ONC-IND-4",
            date(2025, 11, 3),
            [
                (at(2025, 11, 10), "held", "online", None),
                (at(2025, 12, 1), "cancelled", "live", None),
                (at(2026, 2, 2), "held", "online", "Werkdruk"),
                (at(2026, 3, 20), "planned", "online", None),
            ],
        ),
        (
            "a3",
            finance,
            "ONC-IND-5",
            date(2025, 12, 1),
            [
                (at(2025, 12, 15), "no_show", "live", None),
                (at(2026, 1, 19), "held", "online", None),
                (at(2026, 2, 9), "late_cancelled", "live", None),
            ],
        ),
        (
            "b1",
            purchasing,
            "ONC-IND-5",
            date(2026, 1, 5),
            [
                (at(2026, 1, 6), "held", "live", "Werkdruk"),
                (at(2026, 2, 3), "held", "live", "Conflict"),
            ],
        ),
        (
            "b2",
            purchasing,
            "ONC-IND-4",
            date(2026, 1, 7),
            [
                (at(2026, 1, 8), "held", "online", "Loopbaan"),
                (at(2026, 1, 28), "held", "online", "Werkdruk"),
            ],
        ),
        (
            "n1",
            None,
            "ONC-IND-4",
            date(2025, 3, 3),
            [
                (at(2025, 3, 17), "held", "live", "Werkdruk"),  # before the default range
                (at(2025, 6, 16), "held", "live", None),
            ],
        ),
    ]
    employees = {}
    for n, (name, department, kind, start, sessions) in enumerate(plan):
        employee = portal.employees.register(actor, person(n, department))
        employees[name] = employee.id
        trajectory = portal.trajectories.start(actor, employee.id, type_code=kind, start_date=start)
        for k, (moment, status, mode, theme) in enumerate(sessions):
            portal.trajectories.record_appointment(
                SERVICE_DESK,
                trajectory.id,
                external_id=f"{name}-{k}",
                starts_at=moment,
                status=AppointmentStatus(status),
                mode=AppointmentMode(mode),
                theme=theme,
            )
    return Seeded(actor, employer, finance, purchasing, empty, employees)


@pytest.fixture
def seeded(web: Web, hr: FlaskClient) -> Seeded:
    return seed(web.portal, hr_actor(web, hr))


# Reading the page ------------------------------------------------------------------------------


def page_figures(root: Node) -> dict[str, object]:
    tiles = root.one(id="figures")
    return {node.attrs["data-figure"]: number(node.text) for node in tiles.having("data-figure")}


def chart_data(page: TestResponse) -> Any:
    found = re.search(
        r'<script type="application/json" id="stats-data">(.*?)</script>',
        page.get_data(as_text=True),
        re.DOTALL,
    )
    assert found
    return json.loads(found.group(1))


def table(root: Node, table_id: str) -> list[tuple[str, int]]:
    body = root.one(id=table_id).one("tbody")
    return [(row.one("th").text, int(row.one("td").text)) for row in body.all("tr")]


def breakdown(root: Node) -> list[tuple[str, str, dict[str, object]]]:
    found = root.all(id="breakdown")
    if not found:
        return []
    return [
        (
            row.attrs["data-key"],
            row.one("th").text,
            {cell.attrs["data-figure"]: number(cell.text) for cell in row.having("data-figure")},
        )
        for row in found[0].one("tbody").all("tr")
    ]


def month_label(key: str) -> str:
    names = [
        "januari", "februari", "maart", "april", "mei", "juni",
        "juli", "augustus", "september", "oktober", "november", "december",
    ]  # fmt: skip
    year, month = key.split("-")
    return f"{names[int(month) - 1]} {year}"


def assert_page_equals(page: TestResponse, board: Dashboard) -> None:
    """Every figure, table and chart of the page against the SDK's dashboard."""
    assert page.status_code == 200, page.get_data(as_text=True)[:2000]
    root = dom(page)
    assert page_figures(root) == {name: getattr(board, name) for name in FIGURES}
    data = chart_data(page)
    # Sessions per month: the chart's data and its table.
    assert [(m["key"], m["held"]) for m in data["months"]] == list(board.sessions_per_month.items())
    assert table(root, "table-months") == [
        (month_label(key), held) for key, held in board.sessions_per_month.items()
    ]
    # Themes: the chart's data and its table, or the note that hides them.
    if board.themes is None:
        assert data["themes"] is None
        assert board.themes_note
        assert root.one(id="themes-note").text == board.themes_note
        assert not root.all(id="chart-themes")
    else:
        assert [(t["theme"], t["held"]) for t in data["themes"]] == list(board.themes.items())
        if board.themes:
            assert table(root, "table-themes") == list(board.themes.items())
            assert root.all("canvas", id="chart-themes")
        if board.themes_note:
            assert root.one(id="themes-note").text == board.themes_note
    assert data["themes_note"] == board.themes_note
    # Live against online.
    assert [(m["mode"], m["held"]) for m in data["modes"]] == [
        ("live", board.live_sessions),
        ("online", board.online_sessions),
    ]
    if board.live_sessions + board.online_sessions:
        assert table(root, "table-modes") == [
            ("Live", board.live_sessions),
            ("Online", board.online_sessions),
        ]
        assert root.all("canvas", id="chart-modes")
    # The breakdown: one page, in the SDK's order, every figure.
    assert breakdown(root) == [
        (row.key, row.label, {name: getattr(row, name) for name in FIGURES}) for row in board.rows
    ]
    if board.row_level is not None:
        assert f"Pagina {board.page} van {board.pages}" in root.text
        assert f"({board.total_rows} regel" in root.text


# Agreement with the SDK -------------------------------------------------------------------------


def test_the_default_page_is_the_last_twelve_months_of_the_employer(
    web: Web, hr: FlaskClient, seeded: Seeded
) -> None:
    page = hr.get("/statistieken/")
    board = web.portal.stats.dashboard(seeded.actor, **DEFAULT)
    assert next(iter(board.sessions_per_month)) == "2025-04"
    assert list(board.sessions_per_month)[-1] == "2026-03"
    assert board.held_sessions > 0
    assert board.themes  # the seed shows something of each
    assert board.themes_note  # some months had too few people
    assert_page_equals(page, board)
    text = page.get_data(as_text=True)
    assert 'value="2025-04"' in text
    assert 'value="2026-03"' in text
    assert "Geen afdeling" in text


CASES: list[tuple[dict[str, str], dict[str, Any]]] = [
    ({}, {}),
    ({"van": "2025-01", "tot": "2025-12"}, {"start": date(2025, 1, 1), "end": date(2025, 12, 1)}),
    ({"van": "2026-01", "tot": "2026-01"}, {"start": date(2026, 1, 1), "end": date(2026, 1, 1)}),
    ({"afdeling": "{finance}"}, {"department_id": "{finance}"}),
    ({"afdeling": "{purchasing}"}, {"department_id": "{purchasing}"}),
    ({"afdeling": "geen"}, {"department_id": NO_DEPARTMENT}),
    ({"afdeling": "{empty}"}, {"department_id": "{empty}"}),
    ({"werknemer": "{a1}"}, {"employee_id": "{a1}"}),
    ({"werknemer": "{n1}", "van": "2025-03"}, {"employee_id": "{n1}", "start": date(2025, 3, 1)}),
    ({"sortering": "label"}, {"sort": "label"}),
    ({"sortering": "online_sessions"}, {"sort": "online_sessions"}),
    ({"sortering": "average_trajectory_days"}, {"sort": "average_trajectory_days"}),
    ({"per_pagina": "2"}, {"page_size": 2}),
    ({"per_pagina": "2", "pagina": "2"}, {"page_size": 2, "page": 2}),
    ({"per_pagina": "2", "pagina": "5"}, {"page_size": 2, "page": 5}),
    ({"afdeling": "{finance}", "per_pagina": "1", "pagina": "3", "sortering": "label"},
     {"department_id": "{finance}", "page_size": 1, "page": 3, "sort": "label"}),
]  # fmt: skip


@pytest.mark.parametrize(("params", "expected"), CASES)
def test_every_chart_and_table_agrees_with_the_dashboard_for_the_same_filters(
    web: Web,
    hr: FlaskClient,
    seeded: Seeded,
    params: dict[str, str],
    expected: dict[str, Any],
) -> None:
    ids = {
        "finance": seeded.finance,
        "purchasing": seeded.purchasing,
        "empty": seeded.empty,
        **seeded.employees,
    }

    def filled(value: Any) -> Any:
        return value.format(**ids) if isinstance(value, str) else value

    page = hr.get("/statistieken/", query_string={k: filled(v) for k, v in params.items()})
    board = web.portal.stats.dashboard(
        seeded.actor, **{**DEFAULT, **{k: filled(v) for k, v in expected.items()}}
    )
    assert_page_equals(page, board)


def test_a_small_department_shows_the_note_instead_of_its_themes(
    web: Web, hr: FlaskClient, seeded: Seeded
) -> None:
    page = hr.get("/statistieken/", query_string={"afdeling": seeded.finance})
    board = web.portal.stats.dashboard(seeded.actor, department_id=seeded.finance, **DEFAULT)
    assert board.themes is None
    assert board.themes_note
    assert_page_equals(page, board)
    employee = hr.get("/statistieken/", query_string={"werknemer": seeded.employees["a1"]})
    assert "Thema&#39;s worden nooit per werknemer getoond." in employee.get_data(as_text=True)


def test_the_service_desk_sees_every_employer_and_can_choose_one(
    web: Web, hr: FlaskClient, desk: FlaskClient, seeded: Seeded
) -> None:
    desk_actor = hr_actor(web, desk)
    other = web.portal.admin.create_employer(SERVICE_DESK, "Beta B.V.")
    page = desk.get("/statistieken/")
    board = web.portal.stats.dashboard(desk_actor, **DEFAULT)
    assert board.rows[0].key == seeded.employer_id
    assert_page_equals(page, board)
    root = dom(page)
    options = [o.text for o in root.one("select", id="f-werkgever").all("option")]
    assert options == ["Alle werkgevers", "Acme B.V.", "Beta B.V."]
    # Drill down from the employer row, then to a department.
    href = root.one(id="breakdown").one("tr", data_key=seeded.employer_id).one("a").attrs["href"]
    assert parse_qs(urlsplit(href).query)["werkgever"] == [seeded.employer_id]
    employer_page = desk.get(href)
    assert_page_equals(
        employer_page,
        web.portal.stats.dashboard(desk_actor, employer_id=seeded.employer_id, **DEFAULT),
    )
    query = {"werkgever": seeded.employer_id, "afdeling": seeded.purchasing}
    assert_page_equals(
        desk.get("/statistieken/", query_string=query),
        web.portal.stats.dashboard(
            desk_actor, employer_id=seeded.employer_id, department_id=seeded.purchasing, **DEFAULT
        ),
    )
    # A department left chosen after choosing another employer is dropped, not a 404.
    stale = desk.get(
        "/statistieken/", query_string={"werkgever": other.id, "afdeling": seeded.purchasing}
    )
    assert_page_equals(
        stale, web.portal.stats.dashboard(desk_actor, employer_id=other.id, **DEFAULT)
    )
    assert desk.get("/statistieken/", query_string={"werkgever": "onbekend"}).status_code == 404


# Drill-down, sorting, paging ---------------------------------------------------------------------


def link_to(root: Node, text: str) -> str:
    found = [a.attrs["href"] for a in root.all("a") if a.text == text]
    assert found, text
    return found[0]


def test_drill_down_from_department_to_employee_and_back(
    web: Web, hr: FlaskClient, seeded: Seeded
) -> None:
    root = dom(hr.get("/statistieken/", query_string={"van": "2025-06", "sortering": "label"}))
    rows = breakdown(root)
    assert [label for _, label, _ in rows] == ["Financiën", "Geen afdeling", "Inkoop"]
    href = root.one("tr", data_key=seeded.finance).one("a").attrs["href"]
    query = parse_qs(urlsplit(href).query)
    assert query == {"van": ["2025-06"], "sortering": ["label"], "afdeling": [seeded.finance]}
    department = hr.get(href)
    assert_page_equals(
        department,
        web.portal.stats.dashboard(
            seeded.actor,
            start=date(2025, 6, 1),
            end=DEFAULT["end"],
            department_id=seeded.finance,
            sort="label",
        ),
    )
    root = dom(department)
    assert "Uitsplitsing per werknemer" in root.text
    employee_href = root.one("tr", data_key=seeded.employees["a2"]).one("a").attrs["href"]
    assert parse_qs(urlsplit(employee_href).query)["werknemer"] == [seeded.employees["a2"]]
    assert "afdeling" not in parse_qs(urlsplit(employee_href).query)
    employee = hr.get(employee_href)
    assert_page_equals(
        employee,
        web.portal.stats.dashboard(
            seeded.actor,
            start=date(2025, 6, 1),
            end=DEFAULT["end"],
            employee_id=seeded.employees["a2"],
        ),
    )
    root = dom(employee)
    assert not root.all(id="breakdown")
    crumbs = root.one("nav", aria_label="Kruimelpad")
    assert [a.text for a in crumbs.all("a")] == ["Acme B.V.", "Financiën"]
    back = hr.get(link_to(crumbs, "Financiën"))
    assert "Uitsplitsing per werknemer" in dom(back).text
    # The "Geen afdeling" row leads to the employees without a department.
    no_department = dom(hr.get("/statistieken/")).one("tr", data_key="").one("a").attrs["href"]
    assert parse_qs(urlsplit(no_department).query)["afdeling"] == ["geen"]
    assert "Jansenf" in dom(hr.get(no_department)).one(id="breakdown").text


def test_sorting_links_sort_the_breakdown(web: Web, hr: FlaskClient, seeded: Seeded) -> None:
    root = dom(hr.get("/statistieken/"))
    head = root.one(id="breakdown").one("thead")
    current = head.one("th", aria_sort="descending")
    assert current.one("a").attrs["data-sort"] == "held_sessions"
    by_label = head.one("a", data_sort="label").attrs["href"]
    sorted_page = hr.get(by_label)
    assert_page_equals(
        sorted_page, web.portal.stats.dashboard(seeded.actor, sort="label", **DEFAULT)
    )
    root = dom(sorted_page)
    assert root.one("th", aria_sort="ascending").one("a").attrs["data-sort"] == "label"
    for key in ("online_sessions", "trajectories_completed"):
        href = root.one("a", data_sort=key).attrs["href"]
        assert_page_equals(
            hr.get(href), web.portal.stats.dashboard(seeded.actor, sort=key, **DEFAULT)
        )


def test_the_page_names_figures_and_sorts_in_the_sdks_words(
    hr: FlaskClient, seeded: Seeded
) -> None:
    root = dom(hr.get("/statistieken/"))
    tiles = root.one(id="figures")
    assert [tile.one("dt").text for tile in tiles.all("div")] == [
        figure.label for figure in FIGURE_LABELS
    ]
    head = root.one(id="breakdown").one("thead")
    links = head.all("a")
    assert [link.text for link in links] == [
        ROW_HEADERS[Level.DEPARTMENT],
        *(figure.header for figure in FIGURE_LABELS),
    ]
    assert [link.attrs["title"] for link in links] == [
        f"Sorteren: {option.label}" for option in SORT_OPTIONS
    ]
    assert [link.attrs["data-sort"] for link in links] == [option.key for option in SORT_OPTIONS]


def test_paging_links_walk_the_pages(web: Web, hr: FlaskClient, seeded: Seeded) -> None:
    first = hr.get("/statistieken/", query_string={"per_pagina": "2", "sortering": "label"})
    root = dom(first)
    assert "Pagina 1 van 2" in root.text
    assert not [a for a in root.all("a") if a.text == "Vorige"]
    second = hr.get(link_to(root, "Volgende"))
    assert_page_equals(
        second,
        web.portal.stats.dashboard(seeded.actor, page=2, page_size=2, sort="label", **DEFAULT),
    )
    root = dom(second)
    assert [label for _, label, _ in breakdown(root)] == ["Inkoop"]
    assert not [a for a in root.all("a") if a.text == "Volgende"]
    back = hr.get(link_to(root, "Vorige"))
    assert [label for _, label, _ in breakdown(dom(back))] == ["Financiën", "Geen afdeling"]
    # Past the end: an empty page whose "vorige" leads to the last one.
    beyond = dom(hr.get("/statistieken/", query_string={"per_pagina": "2", "pagina": "9"}))
    assert "Op deze pagina staan geen regels." in beyond.text
    assert parse_qs(urlsplit(link_to(beyond, "Vorige")).query)["pagina"] == ["2"]


# Export -----------------------------------------------------------------------------------------


def test_the_exports_download_with_the_same_filters(
    web: Web, hr: FlaskClient, seeded: Seeded
) -> None:
    root = dom(hr.get("/statistieken/", query_string={"afdeling": seeded.finance, "pagina": "1"}))
    csv_link = link_to(root, "Exporteren als CSV")
    xlsx_link = link_to(root, "Exporteren als Excel (XLSX)")
    assert parse_qs(urlsplit(csv_link).query)["afdeling"] == [seeded.finance]
    answer = hr.get(csv_link)
    assert answer.status_code == 200
    assert answer.mimetype == "text/csv"
    disposition = answer.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert 'filename="statistieken-2025-04-tot-en-met-2026-03.csv"' in disposition
    expected = web.portal.stats.export(
        seeded.actor, format="csv", department_id=seeded.finance, **DEFAULT
    )
    assert answer.data == expected
    rows = list(csv.reader(io.StringIO(answer.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Periode"
    assert rows[3][:3] == ["Werknemer", "Gehouden gesprekken", "Geplande gesprekken"]

    book_answer = hr.get(xlsx_link)
    assert book_answer.status_code == 200
    assert book_answer.mimetype == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert book_answer.headers["Content-Disposition"].startswith("attachment;")
    book = openpyxl.load_workbook(io.BytesIO(book_answer.data))
    assert book.sheetnames == ["Overzicht", "Per maand", "Thema's", "Uitsplitsing"]
    assert book["Uitsplitsing"]["A1"].value == "Werknemer"
    assert book["Uitsplitsing"]["B1"].value == "Gehouden gesprekken"
    assert book["Overzicht"]["B1"].value == "Financiën"


# Bad filters and other employers ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"van": "2026-13"}, "Kies een maand als jjjj-mm"),
        ({"tot": "maart"}, "Kies een maand als jjjj-mm"),
        ({"van": "0000-01"}, "Kies een maand als jjjj-mm"),
        ({"van": "9999-12", "tot": "9999-12"}, "Kies een maand als jjjj-mm"),
        ({"van": "2026-03", "tot": "2025-01"}, "De einddatum ligt voor de begindatum."),
        ({"van": "2000-01", "tot": "2026-01"}, "Kies hoogstens 120 maanden."),
        ({"sortering": "wachtwoord"}, "Onbekende sortering."),
        ({"sortering": "__class__"}, "Onbekende sortering."),
        ({"van": "x" * 100_000}, "Kies een maand als jjjj-mm"),
    ],
)
def test_bad_filters_say_what_is_wrong_and_never_fail(
    hr: FlaskClient, seeded: Seeded, params: dict[str, str], message: str
) -> None:
    for url in ("/statistieken/", "/statistieken/export.csv", "/statistieken/export.xlsx"):
        answer = hr.get(url, query_string=params)
        assert answer.status_code == 400, (url, answer.status_code)
        text = answer.get_data(as_text=True)
        assert message in text, text[:3000]
        assert "Deze filters kunnen we niet gebruiken" in text
        assert 'id="stats-data"' not in text
        assert "attachment" not in answer.headers.get("Content-Disposition", "")


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"pagina": "0"}, "Kies een pagina vanaf 1."),
        ({"pagina": "-1"}, "Vul een heel getal in."),
        ({"pagina": "twee"}, "Vul een heel getal in."),
        ({"pagina": "9" * 40}, "Vul een heel getal in."),
        ({"per_pagina": "0"}, "Kies 1 tot 100 regels per pagina."),
        ({"per_pagina": "500"}, "Kies 1 tot 100 regels per pagina."),
    ],
)
def test_bad_paging_says_so_on_the_page_and_does_not_matter_to_an_export(
    web: Web, hr: FlaskClient, seeded: Seeded, params: dict[str, str], message: str
) -> None:
    answer = hr.get("/statistieken/", query_string=params)
    assert answer.status_code == 400
    assert message in answer.get_data(as_text=True)
    export = hr.get("/statistieken/export.csv", query_string=params)
    assert export.status_code == 200
    assert export.data == web.portal.stats.export(seeded.actor, format="csv", **DEFAULT)


def test_several_bad_filters_are_named_at_once(hr: FlaskClient) -> None:
    answer = hr.get("/statistieken/", query_string={"van": "nu", "pagina": "x", "sortering": "y"})
    assert answer.status_code == 400
    summary = dom(answer).one("div", role="alert").text
    assert "Van maand: Kies een maand als jjjj-mm" in summary
    assert "Pagina: Vul een heel getal in." in summary
    assert "Sortering: Onbekende sortering." in summary


def test_another_employers_ids_answer_not_found(web: Web, hr: FlaskClient, seeded: Seeded) -> None:
    other = web.portal.admin.create_employer(SERVICE_DESK, "Concurrent B.V.")
    department = web.portal.admin.add_department(SERVICE_DESK, other.id, "Geheim")
    spy = Actor(user_id=None, employer_id=other.id, role=seeded.actor.role)
    employee = web.portal.employees.register(spy, person(7, department.id))
    for params in (
        {"afdeling": department.id},
        {"werknemer": employee.id},
        {"werkgever": other.id},
        {"afdeling": "bestaat-niet"},
        {"werknemer": "x" * 5000},
    ):
        for url in ("/statistieken/", "/statistieken/export.csv", "/statistieken/export.xlsx"):
            answer = hr.get(url, query_string=params)
            assert answer.status_code == 404, (url, params)
            assert "Geheim" not in answer.get_data(as_text=True)
    assert hr.get("/statistieken/export.pdf").status_code == 404
    assert hr.post("/statistieken/").status_code in (400, 405)


def test_an_xlsx_export_without_openpyxl_says_so(
    web: Web, hr: FlaskClient, seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    def missing(*_: object, **__: object) -> bytes:
        raise ImportError("XLSX export needs openpyxl")

    monkeypatch.setattr(web.portal.stats, "export", missing)
    answer = hr.get("/statistieken/export.xlsx")
    assert answer.status_code == 400
    assert "Excel-export is op deze server niet beschikbaar" in answer.get_data(as_text=True)


def test_the_page_needs_a_login(web: Web) -> None:
    client = web.client()
    assert client.get("/statistieken/").status_code == 302
    assert client.get("/statistieken/export.csv").status_code == 302


# The page itself: charts by a library, no inline code ------------------------------------------


def test_the_charts_come_from_the_vendored_library_without_inline_code(
    web: Web, hr: FlaskClient, seeded: Seeded
) -> None:
    page = hr.get("/statistieken/")
    text = page.get_data(as_text=True)
    scripts = re.findall(r"<script([^>]*)>", text)
    assert scripts == [
        ' type="application/json" id="stats-data"',
        ' src="/static/vendor/chart.umd.js"',
        ' src="/static/stats.js"',
    ]
    assert "style=" not in text
    assert not re.search(r"<[^>]+\son[a-z]+=", text)
    for name in ("vendor/chart.umd.js", "stats.js", "vendor/LICENSE.md"):
        static = web.client().get(f"/static/{name}")
        assert static.status_code == 200, name
        static.close()
    library = web.client().get("/static/vendor/chart.umd.js")
    assert b"Chart.js v4" in library.data[:200]
    library.close()
    root = dom(page)
    for label in root.all("label"):
        target = label.attrs.get("for")
        if target:
            assert root.all(id=target), target
    labelled = {label.attrs.get("for") for label in root.all("label")}
    controls = root.all("select") + root.all("input")
    for control in controls:
        if control.attrs.get("type") != "hidden":
            assert control.attrs.get("id") in labelled, control.attrs
    for canvas in root.all("canvas"):
        assert canvas.attrs["role"] == "img"
        assert canvas.attrs["aria-label"]
