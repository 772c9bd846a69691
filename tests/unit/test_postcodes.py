"""Distances between Dutch 4-digit postcode areas, from the shipped table of their points."""

from __future__ import annotations

import csv
import io
import math
from importlib import resources

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onzecoach.coaches import centroid, distance_km, pc4_of

DATA = resources.files("onzecoach.coaches").joinpath("data")
TABLE = list(csv.DictReader(io.StringIO(DATA.joinpath("pc4_centroids.csv").read_text("utf-8"))))
KNOWN = [row["pc4"] for row in TABLE]


def test_the_table_ships_with_its_licence_and_covers_the_country() -> None:
    licence = DATA.joinpath("LICENSE.txt").read_text("utf-8")
    assert "GeoNames" in licence
    assert "CC BY 4.0" in licence
    assert DATA.joinpath("LICENSE-coronastatus.txt").is_file()
    assert len(TABLE) > 4000
    assert len(set(KNOWN)) == len(KNOWN)
    for row in TABLE:
        # Inside the Netherlands' bounding box (the mainland and the Wadden islands).
        assert 50.7 <= float(row["lat"]) <= 53.7, row
        assert 3.3 <= float(row["lon"]) <= 7.3, row


@pytest.mark.parametrize(
    ("text", "pc4"),
    [
        ("1011", "1011"),
        ("1011 AB", "1011"),
        (" 1011ab ", "1011"),
        ("0123", None),
        ("101", None),
        ("1011 A", None),
        ("10111", None),
        ("", None),
        (1011, None),
        ("\u0661\u0660\u0661\u0661", None),  # Arabic-Indic digits are not a postcode
    ],
)
def test_a_postcode_is_read_to_its_four_digits(text: object, pc4: str | None) -> None:
    assert pc4_of(text) == pc4


def test_distances_between_known_places() -> None:
    # Amsterdam centre (1011) to Groningen centre (9711): about 146 km as the crow flies;
    # to Rotterdam centre (3011): about 57 km; to Maastricht (6211): about 173 km.
    groningen = distance_km("1011 AB", "9711")
    rotterdam = distance_km("1011", "3011")
    maastricht = distance_km("1011", "6211")
    assert groningen is not None
    assert rotterdam is not None
    assert maastricht is not None
    assert 140 < groningen < 152
    assert 52 < rotterdam < 62
    assert 165 < maastricht < 180
    assert distance_km("3511 AB", "3511 ZZ") == 0.0


def test_an_unknown_area_has_no_distance() -> None:
    assert "1000" not in KNOWN  # a PO-box number, no place of its own
    assert centroid("1000") is None
    assert distance_km("1000", "1011") is None
    assert distance_km("geen", "1011") is None
    assert distance_km("1011", None) is None


def _law_of_cosines(a: tuple[float, float], b: tuple[float, float]) -> float:
    """An independent great-circle formula (fine away from tiny distances)."""
    lat_a, lon_a, lat_b, lon_b = map(math.radians, (*a, *b))
    cosine = math.sin(lat_a) * math.sin(lat_b) + math.cos(lat_a) * math.cos(lat_b) * math.cos(
        lon_b - lon_a
    )
    return 6371.0088 * math.acos(max(-1.0, min(1.0, cosine)))


@given(st.sampled_from(KNOWN), st.sampled_from(KNOWN), st.sampled_from(KNOWN))
def test_the_distance_is_a_metric_that_agrees_with_an_independent_formula(
    a: str, b: str, c: str
) -> None:
    ab, ba, bc, ac = distance_km(a, b), distance_km(b, a), distance_km(b, c), distance_km(a, c)
    assert ab is not None
    assert bc is not None
    assert ac is not None
    assert ab == ba
    assert ab >= 0
    assert ac <= ab + bc + 1e-9
    assert ab < 400  # the country is smaller than that
    point_a, point_b = centroid(a), centroid(b)
    assert point_a is not None
    assert point_b is not None
    if ab > 1:
        assert ab == pytest.approx(_law_of_cosines(point_a, point_b), rel=1e-6)
