"""What the portal offers to choose from: the trajectory types and the themes a coaching
session is about (configured in ``Settings``), and the languages a coach can hold sessions in.

These are values of configuration, so they live beside the settings and need nothing of
any feature; ``onzecoach.trajectories`` re-exports them.
"""

from __future__ import annotations

import re
import types
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Final

import attrs

__all__ = [
    "DEFAULT_THEMES",
    "DEFAULT_TRAJECTORY_TYPES",
    "LANGUAGES",
    "THEME_CODE_PATTERN",
    "Theme",
    "TrajectoryType",
    "find_theme",
    "theme_key",
]


@attrs.frozen
class TrajectoryType:
    """A kind of coaching trajectory (protocol) an employer can start."""

    code: str
    name: str
    sessions: int
    is_extension: bool = False


#: The manual's three protocols.
DEFAULT_TRAJECTORY_TYPES = (
    TrajectoryType("ONC-IND-4", "ONC - individuele coaching (4 gesprekken)", 4),
    TrajectoryType("ONC-IND-5", "ONC - individuele coaching (5 gesprekken)", 5),
    TrajectoryType(
        "ONC-VERL-1", "ONC - verlenging individuele coaching (1 gesprek)", 1, is_extension=True
    ),
)

#: The languages a coach can hold sessions in: ISO 639-1 code -> Dutch name, in the order
#: a form lists them.
LANGUAGES: Final[Mapping[str, str]] = types.MappingProxyType(
    {
        "nl": "Nederlands",
        "en": "Engels",
        "de": "Duits",
        "fr": "Frans",
        "es": "Spaans",
        "pt": "Portugees",
        "it": "Italiaans",
        "pl": "Pools",
        "tr": "Turks",
        "ar": "Arabisch",
        "uk": "Oekraïens",
        "fy": "Fries",
    }
)


@attrs.frozen
class Theme:
    """A theme (thema) a coaching session is about: what the statistics count it under.

    ``code`` is what is stored (lower-case ASCII words joined by hyphens: ``werkdruk``,
    ``balans-werk-prive``); ``name`` is what people read.
    """

    code: str
    name: str


#: The form of a theme's code: lower-case ASCII letters and digits, words joined by ``-``.
THEME_CODE_PATTERN: Final = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")

#: The Dutch catalogue the portal starts with.
DEFAULT_THEMES = (
    Theme("werkdruk", "Werkdruk"),
    Theme("loopbaan", "Loopbaan"),
    Theme("communicatie", "Communicatie"),
    Theme("balans-werk-prive", "Balans werk-privé"),
    Theme("conflict", "Conflict"),
    Theme("zelfvertrouwen", "Zelfvertrouwen"),
    Theme("re-integratie", "Re-integratie"),
)

#: Longer text names no theme: it is not folded at all.
_LONGEST_THEME_TEXT: Final = 200


def theme_key(text: str) -> str:
    """``text`` as themes are compared: case and accents folded, whitespace collapsed.

    "  Balans  Werk-Privé " and "balans werk-prive" have the same key.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.casefold().split())


def find_theme(themes: Iterable[Theme], text: object) -> Theme | None:
    """The theme whose code or name ``text`` is, ignoring case, accents and extra
    whitespace; ``None`` when it names none (or is no text)."""
    if not isinstance(text, str) or len(text) > _LONGEST_THEME_TEXT:
        return None
    key = theme_key(text)
    if not key:
        return None
    return next((t for t in themes if key in {t.code, theme_key(t.name)}), None)
