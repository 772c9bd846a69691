"""Dutch names: tussenvoegsels and the form in which lists show a name."""

from __future__ import annotations

from typing import Final

__all__ = ["NAME_INFIXES", "display_name", "split_infix"]

#: Tussenvoegsels that are split off a last name typed with them ("van den Berg"), in
#: lower case with a straight apostrophe. Dutch and Flemish ones first, then those of
#: names from neighbouring languages that Dutch registers treat the same way. Single
#: words that are common names themselves ("al", "ben", "don", "a") are left out: a
#: wrong split is worse than none, and HR can always fill in the field itself.
NAME_INFIXES: Final = frozenset(
    {
        # Dutch and Flemish
        "van",
        "van de",
        "van den",
        "van der",
        "van het",
        "van 't",
        "vanden",
        "vander",
        "de",
        "den",
        "der",
        "des",
        "het",
        "'t",
        "'s",
        "ter",
        "ten",
        "te",
        "in 't",
        "in de",
        "in den",
        "in der",
        "in het",
        "op de",
        "op den",
        "op der",
        "op het",
        "op 't",
        "op ten",
        "uit de",
        "uit den",
        "uit het",
        "uit 't",
        "uit ten",
        "aan de",
        "aan den",
        "aan het",
        "aan 't",
        "bij de",
        "bij den",
        "bij het",
        "bij 't",
        "onder de",
        "onder den",
        "onder het",
        "over de",
        "over den",
        "over het",
        "voor de",
        "voor den",
        "voor het",
        "voor 't",
        "tot",
        # German
        "von",
        "von der",
        "von den",
        "von dem",
        "vom",
        "zu",
        "zum",
        "zur",
        # French
        "la",
        "le",
        "les",
        "du",
        "de la",
        # Italian, Spanish, Portuguese
        "da",
        "das",
        "di",
        "del",
        "della",
        "dos",
        "de las",
        "de los",
    }
)
_INFIX_MAX_WORDS: Final = max(len(infix.split(" ")) for infix in NAME_INFIXES)


def display_name(last_name: str, name_infix: str | None, initials: str, given_name: str) -> str:
    """The name as lists show it: "Berg, van den, A.M. (Anna)", or "Jansen, J. (Jan)"."""
    text = ", ".join(part for part in (last_name, name_infix, initials) if part)
    return f"{text} ({given_name})" if given_name else text


def split_infix(last_name: str) -> tuple[str | None, str]:
    """("van den", "Berg") from "van den Berg": the longest known infix, words left over.

    A name that is only infixes ("Van Der", "De") is a last name of its own, and a name
    without a space ("d'Ancona", "DeVries") has nothing to split.
    """
    words = last_name.split(" ")
    folded = [_fold_infix(word) for word in words]
    if " ".join(folded) in NAME_INFIXES:
        return None, last_name
    for count in range(min(len(words) - 1, _INFIX_MAX_WORDS), 0, -1):
        infix = " ".join(folded[:count])
        rest = " ".join(words[count:])
        if infix in NAME_INFIXES and any(char.isalpha() for char in rest):
            return infix, rest
    return None, last_name


def _fold_infix(text: str) -> str:
    return text.casefold().replace("\u2019", "'")
