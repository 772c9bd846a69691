"""What the mail and SMS contracts share: the secrets an error must never show."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["assert_shows_none"]


def assert_shows_none(shown: str, hidden: Iterable[str], what: str) -> None:
    """``shown`` (an error's text or a repr) holds none of ``hidden``."""
    for secret in hidden:
        if secret:
            assert secret not in shown, f"{what} shows {secret!r}: {shown!r}"
