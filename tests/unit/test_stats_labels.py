"""The dashboard's labels name every figure it carries and every order its breakdown takes."""

from __future__ import annotations

import inspect
from collections.abc import Callable

import attrs
import pytest

from onzecoach.stats import (
    DEFAULT_SORT,
    FIGURES,
    ROW_HEADERS,
    SORT_OPTIONS,
    SORTS,
    Dashboard,
    DashboardRow,
    StatsScope,
    StatsService,
)

#: What a dashboard carries beside its figures: what it is of, and the breakdown's page.
NOT_FIGURES = {
    "start",
    "end",
    "employer_id",
    "department_id",
    "employee_id",
    "label",
    "sessions_per_month",
    "themes",
    "themes_note",
    "row_level",
    "rows",
    "total_rows",
    "page",
    "page_size",
    "sort",
}


def test_the_figures_are_a_rows_figures_in_order() -> None:
    row_figures = [f.name for f in attrs.fields(DashboardRow) if f.name not in {"key", "label"}]
    assert [figure.key for figure in FIGURES] == row_figures


def test_every_figure_of_the_dashboard_has_a_label() -> None:
    figures = {f.name for f in attrs.fields(Dashboard)} - NOT_FIGURES
    assert {figure.key for figure in FIGURES} == figures


def test_labels_and_headers_tell_the_figures_apart() -> None:
    assert len({figure.label for figure in FIGURES}) == len(FIGURES)
    assert len({figure.header for figure in FIGURES}) == len(FIGURES)
    for figure in FIGURES:
        assert figure.label
        assert figure.header
        if figure.unit:
            assert figure.unit in figure.header


def test_the_sort_options_are_the_sorts_the_dashboard_takes() -> None:
    assert tuple(option.key for option in SORT_OPTIONS) == SORTS
    assert len({option.label for option in SORT_OPTIONS}) == len(SORT_OPTIONS)
    assert [option.key for option in SORT_OPTIONS if not option.descending] == ["label"]
    labels = {figure.key: figure.label for figure in FIGURES}
    for option in SORT_OPTIONS[1:]:
        assert option.label.startswith(labels[option.key])


@pytest.mark.parametrize("method", [StatsService.dashboard, StatsService.export])
def test_the_default_sort_is_the_services(method: Callable[..., object]) -> None:
    assert inspect.signature(method).parameters["sort"].default == DEFAULT_SORT
    assert DEFAULT_SORT in SORTS


def test_every_level_a_breakdown_row_is_of_has_a_header() -> None:
    scopes = [
        StatsScope(),
        StatsScope(employer_id="e"),
        StatsScope(employer_id="e", department_id="d"),
        StatsScope(employer_id="e", department_id="d", employee_id="w"),
    ]
    levels = {scope.child_level for scope in scopes} - {None}
    assert set(ROW_HEADERS) == levels
