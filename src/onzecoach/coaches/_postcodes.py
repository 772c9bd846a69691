"""How far apart two Dutch 4-digit postcode areas (PC4) are, with no geodata service at hand.

Each PC4 area has one point, from ``data/pc4_centroids.csv`` beside this module: the
GeoNames postal code data for the Netherlands (CC BY 4.0, see ``data/LICENSE.txt`` and
docs/coaches.md). The distance between two areas is the great-circle distance between
their points: good enough to list the nearest coach first, not a travel distance.

The table is read on first use (about 4,000 rows), never at import.
"""

from __future__ import annotations

import csv
import functools
import io
import math
import re
from importlib import resources
from typing import Final

__all__ = ["EARTH_RADIUS_KM", "centroid", "distance_km", "pc4_of"]

#: The mean radius of the earth (IUGG), in kilometres.
EARTH_RADIUS_KM: Final = 6371.0088
_PC4: Final = re.compile(r"\s*([1-9][0-9]{3})(?:\s*[A-Za-z]{2})?\s*")


def pc4_of(postcode: object) -> str | None:
    """The 4 digits of a Dutch postcode (``"1234"``, ``"1234 AB"``, ``"1234ab"``), else ``None``."""
    if not isinstance(postcode, str) or len(postcode) > 20:
        return None
    match = _PC4.fullmatch(postcode)
    return None if match is None else match[1]


@functools.cache
def _table() -> dict[str, tuple[float, float]]:
    data = resources.files("onzecoach.coaches").joinpath("data/pc4_centroids.csv").read_bytes()
    reader = csv.DictReader(io.StringIO(data.decode("utf-8")))
    return {row["pc4"]: (float(row["lat"]), float(row["lon"])) for row in reader}


def centroid(postcode: object) -> tuple[float, float] | None:
    """The point (latitude, longitude in degrees, WGS 84) of a postcode's PC4 area, or
    ``None`` for a postcode that is none or an area the table does not know."""
    pc4 = pc4_of(postcode)
    return None if pc4 is None else _table().get(pc4)


def distance_km(pc_a: object, pc_b: object) -> float | None:
    """The great-circle distance between the points of two postcodes' PC4 areas, in km;
    ``None`` when either is unknown. Postcodes of one area are 0 km apart."""
    a, b = centroid(pc_a), centroid(pc_b)
    if a is None or b is None:
        return None
    lat_a, lon_a, lat_b, lon_b = map(math.radians, (*a, *b))
    # The haversine formula: well conditioned for the short distances within a country.
    h = (
        math.sin((lat_b - lat_a) / 2) ** 2
        + math.cos(lat_a) * math.cos(lat_b) * math.sin((lon_b - lon_a) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))
