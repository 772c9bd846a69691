"""Dutch names as search compares them.

Case and diacritics fold away (Özdemir, Gülsen, Hélène); an apostrophe both joins and
splits ("d'Hondt" is found by "dho" and by "hon"); every part of a double surname is
findable ("Jansen-de Vries": "jan" and "vri"); and the name infix (tussenvoegsel) is kept
out of the tokens, so "van" does not bring up every "van ...", while "ber" and "van den
ber" both find "van den Berg".
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterable

from onzecoach.employees import NAME_INFIXES
from onzecoach.errors import QueryTooShort

__all__ = [
    "INFIX_WORDS",
    "MIN_QUERY_LETTERS",
    "SEPARATOR",
    "fold",
    "fold_words",
    "matches",
    "name_tokens",
    "query_words",
    "sort_key",
]

MIN_QUERY_LETTERS = 3
# Letters that NFKD does not take apart.
_SPECIAL = str.maketrans(
    {
        "ø": "o",
        "ł": "l",
        "đ": "d",
        "ð": "d",
        "\u0131": "i",  # the dotless i of Turkish names
        "æ": "ae",
        "œ": "oe",
        "þ": "th",
        "ß": "ss",
    }
)
_APOSTROPHES = "'\u2019`\u00b4"
#: Sort keys join their parts with this: lower than any folded character.
SEPARATOR = "\x01"


def _ascii_table(apostrophe: str) -> dict[int, str]:
    """``fold`` for ASCII as one ``str.translate`` table."""
    table: dict[int, str] = {}
    for code in range(128):
        char = chr(code)
        if char in _APOSTROPHES:
            table[code] = apostrophe
        elif char.isalnum():
            table[code] = char.lower()
        else:
            table[code] = " "
    return table


#: By what apostrophes become: "" (joined) or " " (split).
_ASCII_FOLDS = {apostrophe: _ascii_table(apostrophe) for apostrophe in ("", " ")}


def fold(text: str, *, apostrophe: str = "") -> str:
    """Lower case, no diacritics; apostrophes become ``apostrophe``; other marks a space."""
    table = _ASCII_FOLDS.get(apostrophe)
    if table is not None and text.isascii():
        return text.translate(table)
    return _fold_any(text, apostrophe)


def _fold_any(text: str, apostrophe: str) -> str:
    """``fold`` for any text; for ASCII the translate table gives the same, faster."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    out: list[str] = []
    for char in decomposed:
        if unicodedata.category(char) == "Mn":
            continue
        if char in _APOSTROPHES:
            out.append(apostrophe)
        elif char.isalnum():
            out.append(char)
        else:
            out.append(" ")
    return "".join(out).translate(_SPECIAL)


def fold_words(text: str) -> list[str]:
    return fold(text, apostrophe=" ").split()


#: Single words that make up name infixes ("van", "den", "t", ...).
INFIX_WORDS = frozenset(word for infix in NAME_INFIXES for word in fold_words(infix))


def name_tokens(
    last_name: str, given_name: str, employee_number: str | None = None
) -> frozenset[str]:
    """The words a search prefix is matched against.

    Each part of the surname (without infix words) and of the given name, the surname
    joined without spaces or apostrophes, and the employee number.
    """
    tokens = _name_words(last_name, given_name)
    if not employee_number:
        return tokens
    # "P-0042" is found as typed ("p 0042") and as one word ("p0042").
    parts = fold_words(employee_number)
    return tokens.union(("".join(parts),), (part for part in parts if len(part) > 1))


@functools.lru_cache(maxsize=4096)
def _name_words(last_name: str, given_name: str) -> frozenset[str]:
    """The tokens of the names: an import meets the same names again and again."""
    tokens = {word for word in fold_words(last_name) if word not in INFIX_WORDS and len(word) > 1}
    joined = fold(last_name).replace(" ", "")
    if joined:
        tokens.add(joined)
    tokens.update(fold_words(given_name))
    return frozenset(tokens)


def sort_key(last_name: str, name_infix: str | None, given_name: str, employee_id: str) -> str:
    """The Dutch order: core surname, then infix, then given name (then id, to be total)."""
    return SEPARATOR.join((fold(last_name), fold(name_infix or ""), fold(given_name), employee_id))


def query_words(text: object) -> list[str]:
    """The words of a search, longest first; ``QueryTooShort`` below 3 letters.

    Infix words are left out when the search has other words ("van den ber" is "ber").
    """
    words = fold_words(text) if isinstance(text, str) else []
    if sum(len(word) for word in words) < MIN_QUERY_LETTERS:
        raise QueryTooShort.single("text", "too_short", letters=MIN_QUERY_LETTERS)
    meaningful = [word for word in words if word not in INFIX_WORDS]
    chosen = meaningful or words
    return sorted(dict.fromkeys(chosen), key=len, reverse=True)


def matches(tokens: Iterable[str], words: Iterable[str]) -> bool:
    """Every word is the start of some token."""
    tokens = tuple(tokens)
    return all(any(token.startswith(word) for token in tokens) for word in words)
