"""The statistics dashboard ("dashboard afspraken") and its export.

Filters travel in the query string (a GET form), so every view of the dashboard is a link:
``van``/``tot`` (months, ``jjjj-mm``), ``werkgever`` (service desk only), ``afdeling`` (a
department's id, or ``geen`` for employees without one), ``werknemer``, ``sortering``,
``pagina`` and ``per_pagina``. The figures are the SDK's (``portal.stats.dashboard``); the
page only formats them. The charts are drawn by Chart.js (static/vendor) from the JSON in
the ``stats-data`` element, by static/stats.js; every chart has a table beside it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any, cast

import attrs
from flask import Blueprint, Response, g, render_template, request, url_for
from markupsafe import Markup, escape

from flask_portal.app import portal, signed_in
from onzecoach import Actor, ValidationError
from onzecoach.clock import amsterdam
from onzecoach.notifications import dutch_month
from onzecoach.stats import (
    DEFAULT_SORT,
    FIGURES,
    NO_DEPARTMENT,
    ROW_HEADERS,
    SORT_OPTIONS,
    SORTS,
    Dashboard,
    DashboardRow,
    ExportFormat,
    Level,
    Sort,
)

blueprint = Blueprint("stats", __name__, url_prefix="/statistieken")

#: ``afdeling=geen`` in a link: the employees without a department (``NO_DEPARTMENT``).
NO_DEPARTMENT_PARAM = "geen"
PAGE_SIZE = 20
PAGE_SIZES = (10, 20, 50, 100)
#: The range shown when none is chosen: this month and the eleven before it.
DEFAULT_MONTHS = 12
#: Years a month field accepts; the SDK caps the length of a range itself.
YEARS = (1900, 2999)

#: The SDK's names of filter fields -> (the form's field, its Dutch label).
FIELDS = {
    "start": ("van", "Van maand"),
    "end": ("tot", "Tot en met maand"),
    "page": ("pagina", "Pagina"),
    "page_size": ("per_pagina", "Regels per pagina"),
    "sort": ("sortering", "Sortering"),
    "format": ("formaat", "Formaat"),
}
#: The figures by key, with their labels and headers.
FIGURE = {figure.key: figure for figure in FIGURES}
#: Each figure's key, and the start of its cell in a row of the breakdown.
_CELL_STARTS = tuple(
    (figure.key, f'<td class="num" data-figure="{escape(figure.key)}">') for figure in FIGURES
)
#: How the breakdown sorts by each column.
SORT = {option.key: option for option in SORT_OPTIONS}
MIMETYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_MONTH = re.compile(r"(\d{4})-(\d{2})", re.ASCII)
_NUMBER = re.compile(r"\d{1,9}", re.ASCII)
#: A value a link holds as it is; and a stand-in for one, to build similar links once.
_PLAIN = re.compile(r"[0-9A-Za-z_]+", re.ASCII)
_MARK = "0rowkey0"


@attrs.frozen
class Filters:
    """The filters as the query string has them (text, cut to size)."""

    van: str = ""
    tot: str = ""
    werkgever: str = ""
    afdeling: str = ""
    werknemer: str = ""
    sortering: str = ""
    pagina: str = ""
    per_pagina: str = ""

    @classmethod
    def from_request(cls) -> Filters:
        def arg(name: str, limit: int = 100) -> str:
            return request.args.get(name, "")[:limit].strip()

        return cls(*(arg(f.name) for f in attrs.fields(cls)))

    def params(self, **changes: str | None) -> dict[str, Any]:
        """The query string of this view with ``changes`` (``None`` drops a filter)."""
        values = {**attrs.asdict(self), **changes}
        return {key: value for key, value in values.items() if value}


@attrs.frozen
class Query:
    """The filters as the SDK takes them."""

    start: date
    end: date
    employer_id: str | None
    department_id: str | None
    employee_id: str | None
    sort: str
    page: int
    page_size: int


# Views ------------------------------------------------------------------------------------


@blueprint.get("/")
@signed_in(staff=True)
def dashboard() -> tuple[str, int]:
    actor: Actor = g.actor
    filters, query, errors = _read(actor)
    board = None
    if query is not None and not errors:
        try:
            board = portal().stats.dashboard(
                actor,
                start=query.start,
                end=query.end,
                employer_id=query.employer_id,
                department_id=query.department_id,
                employee_id=query.employee_id,
                page=query.page,
                page_size=query.page_size,
                # The SDK checks the sort itself: a wrong one is a field error.
                sort=cast("Sort", query.sort),
            )
        except ValidationError as invalid:
            errors = _messages(invalid)
    return _page(actor, filters, board, errors)


@blueprint.get("/export.<any(csv, xlsx):fmt>")
@signed_in(staff=True)
def export(fmt: str) -> Response | tuple[str, int]:
    actor: Actor = g.actor
    filters, query, errors = _read(actor, paging=False)
    if query is not None and not errors:
        try:
            data = portal().stats.export(
                actor,
                format=cast("ExportFormat", fmt),  # the route takes csv and xlsx only
                start=query.start,
                end=query.end,
                employer_id=query.employer_id,
                department_id=query.department_id,
                employee_id=query.employee_id,
                sort=cast("Sort", query.sort),
            )
        except ValidationError as invalid:
            errors = _messages(invalid)
        except ImportError:  # XLSX needs openpyxl, an optional extra of the SDK
            errors = {"formaat": "Excel-export is op deze server niet beschikbaar. Kies CSV."}
        else:
            name = f"statistieken-{query.start:%Y-%m}-tot-en-met-{query.end:%Y-%m}.{fmt}"
            return Response(
                data,
                mimetype=MIMETYPES[fmt],
                headers={"Content-Disposition": f'attachment; filename="{name}"'},
            )
    return _page(actor, filters, None, errors)


# Reading the filters ----------------------------------------------------------------------


def _read(actor: Actor, *, paging: bool = True) -> tuple[Filters, Query | None, dict[str, str]]:
    """The filters of this request, the SDK's form of them, and what is wrong with them.

    An export holds every row, so it reads no paging (``paging=False``).

    The service desk's department list follows the employer chosen; a department left
    selected from another employer is dropped (the desk may see both, so nothing leaks)
    rather than answered with "not found".
    """
    filters = Filters.from_request()
    if not paging:
        filters = attrs.evolve(filters, pagina="", per_pagina="")
    query, errors = _query(filters)
    if (
        query is not None
        and actor.is_service_desk
        and query.employer_id is not None
        and query.department_id not in (None, NO_DEPARTMENT)
    ):
        ids = {d.id for d in portal().admin.departments(actor, query.employer_id)}
        if query.department_id not in ids:
            filters = attrs.evolve(filters, afdeling="")
            query = attrs.evolve(query, department_id=None)
    return filters, query, errors


def _query(filters: Filters) -> tuple[Query | None, dict[str, str]]:
    """The SDK's filters, or the Dutch messages for those that are not even well formed."""
    errors: dict[str, str] = {}
    this_month = _this_month()
    start = (
        _month(filters.van, "start", errors)
        if filters.van
        else _shift(this_month, 1 - DEFAULT_MONTHS)
    )
    end = _month(filters.tot, "end", errors) if filters.tot else this_month
    page = _whole(filters.pagina, "page", errors, default=1)
    page_size = _whole(filters.per_pagina, "page_size", errors, default=PAGE_SIZE)
    sort = filters.sortering or DEFAULT_SORT
    if sort not in SORTS:
        _add(errors, "sort", "Onbekende sortering.")
    if start is None or end is None or page is None or page_size is None:
        return None, errors
    return Query(
        start=start,
        end=end,
        employer_id=filters.werkgever or None,
        department_id=_department(filters),
        employee_id=filters.werknemer or None,
        sort=sort,
        page=page,
        page_size=page_size,
    ), errors


def _department(filters: Filters) -> str | None:
    if filters.werknemer:
        return None  # an employee's dashboard holds all of the employee's figures
    if filters.afdeling == NO_DEPARTMENT_PARAM:
        return NO_DEPARTMENT
    return filters.afdeling or None


def _this_month() -> date:
    today = portal().clock.now().astimezone(amsterdam()).date()
    return today.replace(day=1)


def _shift(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def _month(text: str, name: str, errors: dict[str, str]) -> date | None:
    found = _MONTH.fullmatch(text)
    if found:
        year, month = int(found.group(1)), int(found.group(2))
        if YEARS[0] <= year <= YEARS[1] and 1 <= month <= 12:
            return date(year, month, 1)
    _add(errors, name, f"Kies een maand als jjjj-mm, tussen {YEARS[0]} en {YEARS[1]}.")
    return None


def _whole(text: str, name: str, errors: dict[str, str], *, default: int) -> int | None:
    if not text:
        return default
    if _NUMBER.fullmatch(text):
        return int(text)  # 0 and too large: the SDK says what it accepts
    _add(errors, name, "Vul een heel getal in.")
    return None


def _add(errors: dict[str, str], name: str, message: str) -> None:
    errors[FIELDS[name][0]] = message


def _messages(invalid: ValidationError) -> dict[str, str]:
    """The SDK's messages by the form's field names."""
    return {FIELDS.get(name, (name, ""))[0]: message for name, message in invalid.errors.items()}


# The page ---------------------------------------------------------------------------------


def _page(
    actor: Actor, filters: Filters, board: Dashboard | None, errors: dict[str, str]
) -> tuple[str, int]:
    current = attrs.asdict(filters)

    def link(**changes: str | None) -> str:
        values = {**current, **changes}
        return url_for("stats.dashboard", **{key: value for key, value in values.items() if value})

    employers = portal().admin.employers(actor) if actor.is_service_desk else []
    employer_id = actor.employer_id if not actor.is_service_desk else filters.werkgever or None
    if board is not None:
        employer_id = board.employer_id
    departments = portal().admin.departments(actor, employer_id) if employer_id is not None else []
    labels = dict(FIELDS.values())
    context: dict[str, Any] = {
        "filters": filters,
        "errors": errors,
        "summary": [(labels.get(field, field), text) for field, text in errors.items()],
        "board": board,
        "link": link,
        "employers": employers,
        "departments": departments,
        "no_department": NO_DEPARTMENT_PARAM,
        "page_sizes": PAGE_SIZES,
        "default_van": _shift(_this_month(), 1 - DEFAULT_MONTHS).strftime("%Y-%m"),
        "default_tot": _this_month().strftime("%Y-%m"),
    }
    if board is not None:
        context.update(
            _board_context(
                board, filters, actor=actor, departments=departments, employers=employers, link=link
            )
        )
    return render_template("stats/dashboard.html", **context), 400 if errors else 200


def _board_context(
    board: Dashboard,
    filters: Filters,
    *,
    actor: Actor,
    departments: list[Any],
    employers: list[Any],
    link: Callable[..., str],
) -> dict[str, Any]:
    by_sort = _links(link, "sortering", pagina=None)
    return {
        "period": f"{dutch_month(board.start)} t/m {dutch_month(board.end)}",
        "figures": _tiles(board),
        "columns": [
            {
                "key": key,
                "label": label,
                "sort": SORT[key].label,
                "current": board.sort == key,
                "order": "descending" if SORT[key].descending else "ascending",
                "href": by_sort(None if key == DEFAULT_SORT else key),
            }
            for key, label in (
                ("label", "" if board.row_level is None else ROW_HEADERS[board.row_level]),
                *((figure.key, figure.header) for figure in FIGURES),
            )
        ],
        "rows": _rows(board, link),
        "crumbs": _crumbs(actor, board, departments, employers, link),
        "chart": _chart(board),
        "share": _share_text(board.online_share),
        "exports": {
            fmt: url_for("stats.export", fmt=fmt, **filters.params(pagina=None, per_pagina=None))
            for fmt in MIMETYPES
        },
        # Past the last page, "vorige" leads to the last page.
        "previous": None if board.page == 1 else link(pagina=str(min(board.page - 1, board.pages))),
        "next": link(pagina=str(board.page + 1)) if board.page < board.pages else None,
    }


def _tiles(board: Dashboard) -> list[dict[str, str]]:
    """The key figures; live and online with their share of the held sessions."""
    share = board.online_share
    extras = {
        "live_sessions": _share_text(None if share is None else 1 - share),
        "online_sessions": _share_text(share),
        "average_trajectory_days": FIGURE["average_trajectory_days"].unit or ""
        if board.average_trajectory_days is not None
        else "nog geen traject afgerond",
    }
    return [
        {
            "key": figure.key,
            "label": figure.label,
            "value": _number(getattr(board, figure.key)),
            "extra": extras.get(figure.key, ""),
        }
        for figure in FIGURES
    ]


def _links(
    link: Callable[..., str], name: str, **others: str | None
) -> Callable[[str | None], str]:
    """``link`` with ``others`` and one filter, ``name``, set to the value it is called with.

    The links differ in that one value: it is put into one link built for all of them when
    it is a plain word (which the query string holds as it is), saving a ``url_for`` per
    link.
    """
    shared = link(**others, **{name: _MARK})
    reusable = shared.count(_MARK) == 1

    def build(value: str | None) -> str:
        if reusable and value is not None and _PLAIN.fullmatch(value):
            return shared.replace(_MARK, value)
        return link(**others, **{name: value})

    return build


def _rows(board: Dashboard, link: Callable[..., str]) -> list[dict[str, Any]]:
    """The breakdown's rows, each with its link down to it and its cells as HTML."""
    if board.row_level is Level.EMPLOYER:
        href = _links(link, "werkgever", afdeling=None, werknemer=None, pagina=None)
    elif board.row_level is Level.DEPARTMENT:
        href = _links(link, "afdeling", werknemer=None, pagina=None)
    else:
        href = _links(link, "werknemer", afdeling=None, pagina=None)
    rows = []
    for row in board.rows:
        key = row.key
        if board.row_level is Level.DEPARTMENT and key == NO_DEPARTMENT:
            key = NO_DEPARTMENT_PARAM
        rows.append({"key": row.key, "label": row.label, "href": href(key), "cells": _cells(row)})
    return rows


def _cells(row: DashboardRow) -> Markup:
    """A row's figures as table cells."""
    text = "".join(
        f"{start}{escape(_number(getattr(row, key)))}</td>" for key, start in _CELL_STARTS
    )
    return Markup(text)  # noqa: S704 (the starts are escaped once, each figure here)


def _crumbs(
    actor: Actor,
    board: Dashboard,
    departments: list[Any],
    employers: list[Any],
    link: Callable[..., str],
) -> list[tuple[str, str | None]]:
    """Where this dashboard sits: (label, link up to it); the last one is this page."""
    crumbs: list[tuple[str, str | None]] = []
    top = {"werkgever": None, "afdeling": None, "werknemer": None, "pagina": None}
    if actor.is_service_desk:
        crumbs.append(("Alle werkgevers", link(**top)))
    if board.employer_id is not None:
        if actor.is_service_desk:
            names = {employer.id: employer.name for employer in employers}
            name = names.get(board.employer_id, board.employer_id)
            werkgever: str | None = board.employer_id
        else:
            # The employer's own dashboard is labelled with its name already.
            own = board.department_id is None and board.employee_id is None
            name = board.label if own else portal().admin.employer(actor, board.employer_id).name
            werkgever = None
        crumbs.append((name, link(**{**top, "werkgever": werkgever})))
        if board.department_id is not None:
            names = {department.id: department.name for department in departments}
            names[NO_DEPARTMENT] = "Geen afdeling"
            key = board.department_id or NO_DEPARTMENT_PARAM
            crumbs.append(
                (
                    names.get(board.department_id, board.department_id),
                    link(**{**top, "werkgever": werkgever, "afdeling": key}),
                )
            )
        if board.employee_id is not None:
            crumbs.append((board.label, None))
    if crumbs:
        crumbs[-1] = (crumbs[-1][0], None)
    return crumbs


def _chart(board: Dashboard) -> dict[str, Any]:
    """What static/stats.js draws: lists of pairs, so that the order survives JSON."""
    return {
        "months": [
            {
                "key": key,
                "label": dutch_month(_key_date(key)),
                "short": dutch_month(_key_date(key), short=True),
                "held": held,
            }
            for key, held in board.sessions_per_month.items()
        ],
        "themes": None
        if board.themes is None
        else [{"theme": theme, "held": held} for theme, held in board.themes.items()],
        "themes_note": board.themes_note,
        "modes": [
            {"mode": "live", "label": FIGURE["live_sessions"].header, "held": board.live_sessions},
            {
                "mode": "online",
                "label": FIGURE["online_sessions"].header,
                "held": board.online_sessions,
            },
        ],
        "held_label": FIGURE["held_sessions"].label,
    }


def _key_date(key: str) -> date:
    year, month = key.split("-")
    return date(int(year), int(month), 1)


def _number(value: int | float | None) -> str:
    """A count as is, an average with a decimal comma; a dash for none."""
    if value is None:
        return "\N{EN DASH}"
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    return str(value)


def _share_text(share: float | None) -> str:
    if share is None:
        return "geen gehouden gesprekken"
    percentage = f"{share * 100:.1f}".replace(".", ",").removesuffix(",0")
    return f"{percentage}% van de gehouden gesprekken"
