from __future__ import annotations

import unicodedata
from datetime import datetime

import attrs

from onzecoach.clock import utc
from onzecoach.errors import FieldError

__all__ = ["Department", "Employer", "check_name", "name_key"]

NAME_MAX_LENGTH = 200


@attrs.frozen
class Employer:
    """A werkgever: a customer organisation whose HR contacts use the portal."""

    id: str
    name: str
    created_at: datetime = attrs.field(converter=utc)

    @property
    def employer_id(self) -> str:
        """An employer's data is its own: access checks treat it like anything it owns."""
        return self.id


@attrs.frozen
class Department:
    """An afdeling within one employer."""

    id: str
    employer_id: str
    name: str
    created_at: datetime = attrs.field(converter=utc)


def name_key(name: str) -> str:
    """The form two names are compared in: 'Acme  B.V.' and 'acme b.v.' are the same."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def check_name(field: str, value: object) -> str | FieldError:
    """A display name, tidied (NFKC, inner whitespace collapsed), or the rule it breaks."""
    if not isinstance(value, str):
        return FieldError.of(field, "invalid", key="name.invalid")
    tidy = " ".join(unicodedata.normalize("NFKC", value).split())
    if not tidy:
        return FieldError.of(field, "required", key="name.required")
    if len(tidy) > NAME_MAX_LENGTH:
        return FieldError.of(field, "too_long", key="name.too_long", max_length=NAME_MAX_LENGTH)
    if any(unicodedata.category(char) in {"Cc", "Cf", "Cs", "Co", "Cn"} for char in tidy):
        return FieldError.of(field, "invalid_characters", key="name.invalid_characters")
    return tidy
