"""A coach: who they are to the people who book them (``Profile``), when they can be booked
(``Availability``), the calendar they keep elsewhere (``CalendarLink``) and their private
feed.

``Coach`` is what the storage keeps, with the sealed calendar password and the feed token's
hash; ``CoachView`` is what the portal hands out, with neither.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping
from datetime import datetime
from typing import Any, Final
from urllib.parse import urlsplit

import attrs

from onzecoach.catalogues import LANGUAGES
from onzecoach.clock import optional_utc, utc
from onzecoach.coaches._availability import Availability
from onzecoach.errors import FieldError
from onzecoach.ids import is_id
from onzecoach.validation import is_printable

__all__ = [
    "BIO_MAX_LENGTH",
    "DEFAULT_SPECIALISMS",
    "MAX_LOCATIONS",
    "NAME_MAX_LENGTH",
    "PROFILE_FIELDS",
    "CalendarLink",
    "CalendarStatus",
    "Coach",
    "CoachBusyTime",
    "CoachView",
    "Location",
    "Mode",
    "Profile",
    "PullReport",
    "check_profile",
]

NAME_MAX_LENGTH: Final = 200
BIO_MAX_LENGTH: Final = 1000
MAX_LOCATIONS: Final = 10
CITY_MAX_LENGTH: Final = 100
URL_MAX_LENGTH: Final = 500
#: The theme codes a coach's specialisms come from when the portal is given none: the
#: Dutch default catalogue of themes.
DEFAULT_SPECIALISMS: Final = (
    "werkdruk",
    "loopbaan",
    "communicatie",
    "balans-werk-prive",
    "conflict",
    "zelfvertrouwen",
    "re-integratie",
)
_POSTCODE: Final = re.compile(r"([1-9][0-9]{3})(?:\s*[A-Za-z]{2})?")


class Mode(enum.StrEnum):
    """How a session is held: at a place (live) or by video (online)."""

    LIVE = "live"
    ONLINE = "online"


@attrs.frozen(order=True)
class Location:
    """A place where a coach holds live sessions: the city and its 4-digit postcode area."""

    city: str
    postcode: str


def _strings(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _modes(value: Iterable[Mode | str]) -> tuple[Mode, ...]:
    return tuple(sorted({Mode(mode) for mode in value}))


def _locations(value: Iterable[Location]) -> tuple[Location, ...]:
    return tuple(value)


@attrs.frozen
class Profile:
    """What the people who book a coach see of them, and whom the coach serves.

    ``languages`` are codes of ``onzecoach.catalogues.LANGUAGES``; ``specialisms`` theme
    codes; ``modes`` at least one of live and online; ``locations`` where live sessions are
    held (required when live is offered); ``video_url`` the https link of online sessions
    (required when online is offered); ``employer_ids`` the employers served, none for all.
    Input from people goes through ``check_profile``.
    """

    name: str
    bio: str = ""
    languages: tuple[str, ...] = attrs.field(default=("nl",), converter=_strings)
    specialisms: tuple[str, ...] = attrs.field(default=(), converter=_strings)
    modes: tuple[Mode, ...] = attrs.field(default=(Mode.ONLINE,), converter=_modes)
    locations: tuple[Location, ...] = attrs.field(default=(), converter=_locations)
    video_url: str | None = None
    active: bool = True
    employer_ids: tuple[str, ...] = attrs.field(default=(), converter=_strings)

    def offers(self, mode: Mode | str) -> bool:
        return mode in self.modes

    def serves(self, employer_id: str) -> bool:
        """Whether the coach works for ``employer_id``: every employer when none is named."""
        return not self.employer_ids or employer_id in self.employer_ids

    def as_data(self) -> dict[str, Any]:
        """The profile as ``check_profile`` takes it: a form's starting values."""
        return {
            "name": self.name,
            "bio": self.bio,
            "languages": list(self.languages),
            "specialisms": list(self.specialisms),
            "modes": [mode.value for mode in self.modes],
            "locations": [
                {"city": place.city, "postcode": place.postcode} for place in self.locations
            ],
            "video_url": self.video_url,
            "active": self.active,
            "employer_ids": list(self.employer_ids),
        }


#: The fields of a profile, as ``check_profile`` and ``update_profile`` name them.
PROFILE_FIELDS: Final = tuple(field.name for field in attrs.fields(Profile))


@attrs.frozen
class CalendarLink:
    """The coach's own calendar, as stored: where it is, the login, and how the last pull went.

    ``password_sealed`` is the password sealed with ``Settings.sealer`` (context
    ``coach-calendar:<coach id>``). ``pulled_at`` is the last pull tried, ``synced_at`` the
    last that succeeded, ``error`` the code of the ``CalendarError`` of the last pull if
    it failed (``None`` after a success).
    """

    url: str
    username: str
    password_sealed: str = attrs.field(repr=False)
    linked_at: datetime = attrs.field(converter=utc)
    pulled_at: datetime | None = attrs.field(default=None, converter=optional_utc)
    synced_at: datetime | None = attrs.field(default=None, converter=optional_utc)
    error: str | None = None

    def status(self) -> CalendarStatus:
        return CalendarStatus(
            url=self.url,
            username=self.username,
            linked_at=self.linked_at,
            pulled_at=self.pulled_at,
            synced_at=self.synced_at,
            error=self.error,
        )


@attrs.frozen
class CalendarStatus:
    """A coach's linked calendar as the portal shows it: no password."""

    url: str
    username: str
    linked_at: datetime
    pulled_at: datetime | None
    synced_at: datetime | None
    error: str | None


@attrs.frozen
class Coach:
    """A coach as stored. ``user_id`` is their account (role ``coach``); ``feed_token_hash``
    the SHA-256 of their private feed's token, ``None`` while they have no feed."""

    id: str
    user_id: str
    profile: Profile
    availability: Availability
    calendar: CalendarLink | None
    feed_token_hash: str | None = attrs.field(repr=False)
    created_at: datetime = attrs.field(converter=utc)
    updated_at: datetime = attrs.field(converter=utc)

    def view(self) -> CoachView:
        return CoachView(
            id=self.id,
            user_id=self.user_id,
            profile=self.profile,
            availability=self.availability,
            calendar=None if self.calendar is None else self.calendar.status(),
            has_feed=self.feed_token_hash is not None,
            created_at=self.created_at,
            updated_at=self.updated_at,
        )


@attrs.frozen
class CoachView:
    """A coach as the portal hands it out: no calendar password, no feed token hash."""

    id: str
    user_id: str
    profile: Profile
    availability: Availability
    calendar: CalendarStatus | None
    has_feed: bool
    created_at: datetime
    updated_at: datetime


@attrs.frozen(order=True)
class CoachBusyTime:
    """A stretch of time a coach is busy in their own calendar, as pulled into the portal."""

    coach_id: str
    starts_at: datetime = attrs.field(converter=utc)
    ends_at: datetime = attrs.field(converter=utc)
    uid: str = ""


@attrs.frozen
class PullReport:
    """What a pull of the coaches' calendars did: the ``calendars`` read, those that
    ``failed`` (each recorded on its coach's link), and the ``busy_times`` stored."""

    calendars: int
    failed: int
    busy_times: int


# Checking a profile ------------------------------------------------------------------------


def check_profile(
    data: Mapping[str, object], *, themes: Collection[str], base: Profile | None = None
) -> Profile | list[FieldError]:
    """The profile ``data`` describes, or every rule it breaks.

    ``data`` holds some or all of ``PROFILE_FIELDS``; a field left out keeps its value in
    ``base`` (every field is required without one but ``bio``, ``specialisms``,
    ``locations``, ``video_url``, ``active`` and ``employer_ids``). Specialisms are codes
    of ``themes``. Whether the employers exist is for the caller to check.
    """
    problems: list[FieldError] = []
    for key in data:
        if key not in PROFILE_FIELDS:
            field = key if isinstance(key, str) and is_printable(key, max_length=64) else "data"
            problems.append(FieldError.of(field, "unknown_field", key="form.unknown_field"))
    start = base.as_data() if base is not None else {}
    merged = {**start, **{key: value for key, value in data.items() if key in PROFILE_FIELDS}}
    name = _checked_name(merged.get("name"), problems)
    bio = _checked_bio(merged.get("bio", ""), problems)
    languages = _checked_codes("languages", merged.get("languages", ()), LANGUAGES, problems)
    specialisms = _checked_codes("specialisms", merged.get("specialisms", ()), themes, problems)
    modes = _checked_modes(merged.get("modes"), problems)
    locations = _checked_locations(merged.get("locations", ()), problems)
    video_url = _checked_video_url(merged.get("video_url"), problems)
    active = merged.get("active", True)
    if not isinstance(active, bool):
        problems.append(FieldError.of("active", "invalid"))
    employer_ids = _checked_employer_ids(merged.get("employer_ids", ()), problems)
    if languages is not None and not languages:
        problems.append(FieldError.of("languages", "required"))
    if modes is not None:
        if not modes:
            problems.append(FieldError.of("modes", "required"))
        if Mode.LIVE in modes and locations is not None and not locations:
            problems.append(FieldError.of("locations", "required"))
        if (
            Mode.ONLINE in modes
            and "video_url" not in {p.field for p in problems}
            and not video_url
        ):
            problems.append(FieldError.of("video_url", "required"))
    if problems:
        return _first_per_field(problems)
    return Profile(
        name=str(name),
        bio=str(bio),
        languages=languages or (),
        specialisms=specialisms or (),
        modes=modes or (),
        locations=locations or (),
        video_url=video_url,
        active=bool(active),
        employer_ids=employer_ids or (),
    )


def _first_per_field(problems: list[FieldError]) -> list[FieldError]:
    seen: dict[str, FieldError] = {}
    for problem in problems:
        seen.setdefault(problem.field, problem)
    return list(seen.values())


def _tidy(value: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", value).split())


def _checked_name(value: object, problems: list[FieldError]) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        problems.append(FieldError.of("name", "required", key="name.required"))
        return None
    if not isinstance(value, str):
        problems.append(FieldError.of("name", "invalid", key="name.invalid"))
        return None
    if len(value) > 4 * NAME_MAX_LENGTH:
        problems.append(
            FieldError.of("name", "too_long", key="name.too_long", max_length=NAME_MAX_LENGTH)
        )
        return None
    if not is_printable(value, max_length=4 * NAME_MAX_LENGTH):
        problems.append(FieldError.of("name", "invalid_characters", key="name.invalid_characters"))
        return None
    tidy = _tidy(value)
    if len(tidy) > NAME_MAX_LENGTH:
        problems.append(
            FieldError.of("name", "too_long", key="name.too_long", max_length=NAME_MAX_LENGTH)
        )
        return None
    return tidy


def _checked_bio(value: object, problems: list[FieldError]) -> str | None:
    if value is None:
        return ""
    if isinstance(value, str) and len(value) > 4 * BIO_MAX_LENGTH:
        problems.append(FieldError.of("bio", "too_long", max_length=BIO_MAX_LENGTH))
        return None
    if not isinstance(value, str) or not is_printable(value, max_length=4 * BIO_MAX_LENGTH):
        problems.append(FieldError.of("bio", "invalid"))
        return None
    # Paragraphs stay; other runs of spaces and the ends go.
    lines = [" ".join(line.split()) for line in unicodedata.normalize("NFKC", value).splitlines()]
    tidy = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    if len(tidy) > BIO_MAX_LENGTH:
        problems.append(FieldError.of("bio", "too_long", max_length=BIO_MAX_LENGTH))
        return None
    return tidy


def _items(value: object) -> list[object] | None:
    """The items of a list a form sends; a lone text is a list of one; ``None`` for others."""
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, list | tuple | set | frozenset):
        return list(value)
    return None


def _checked_codes(
    field: str, value: object, allowed: Collection[str], problems: list[FieldError]
) -> tuple[str, ...] | None:
    items = _items(value)
    if items is None or len(items) > 4 * max(len(allowed), 1):
        problems.append(
            FieldError.of(
                field,
                "invalid",
                key="languages.invalid" if field == "languages" else "specialisms.invalid",
            )
        )
        return None
    codes: list[str] = []
    for item in items:
        code = item.strip().lower() if isinstance(item, str) else None
        if code is None or code not in allowed:
            problems.append(
                FieldError.of(
                    field,
                    "unknown",
                    key="languages.unknown" if field == "languages" else "specialisms.unknown",
                )
            )
            return None
        if code not in codes:
            codes.append(code)
    return tuple(codes)


def _checked_modes(value: object, problems: list[FieldError]) -> tuple[Mode, ...] | None:
    items = _items(value if value is not None else ())
    modes: set[Mode] = set()
    for item in items if items is not None and len(items) <= 10 else [None]:
        if not isinstance(item, str) or item.strip().lower() not in {m.value for m in Mode}:
            problems.append(FieldError.of("modes", "invalid"))
            return None
        modes.add(Mode(item.strip().lower()))
    return tuple(sorted(modes))


def _checked_locations(value: object, problems: list[FieldError]) -> tuple[Location, ...] | None:
    items = _items(value) if not isinstance(value, str) else None
    if items is None:
        problems.append(FieldError.of("locations", "invalid"))
        return None
    if len(items) > MAX_LOCATIONS:
        problems.append(FieldError.of("locations", "too_long", max_locations=MAX_LOCATIONS))
        return None
    found: list[Location] = []
    for item in items:
        place = _location(item)
        if place is None:
            problems.append(FieldError.of("locations", "invalid"))
            return None
        if place not in found:
            found.append(place)
    return tuple(found)


def _location(item: object) -> Location | None:
    if isinstance(item, Location):
        item = {"city": item.city, "postcode": item.postcode}
    if not isinstance(item, Mapping) or set(item) != {"city", "postcode"}:
        return None
    city, postcode = item["city"], item["postcode"]
    if not isinstance(city, str) or not is_printable(city, max_length=4 * CITY_MAX_LENGTH):
        return None
    if not isinstance(postcode, str) or len(postcode) > 20:
        return None
    tidy_city = _tidy(city)
    match = _POSTCODE.fullmatch(postcode.strip())
    if not tidy_city or len(tidy_city) > CITY_MAX_LENGTH or match is None:
        return None
    return Location(city=tidy_city, postcode=match[1])


def _checked_video_url(value: object, problems: list[FieldError]) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str) or not value.isascii() or not value.strip().isprintable():
        problems.append(FieldError.of("video_url", "invalid"))
        return None
    url = value.strip()
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        host = None
        parts = None
    if (
        parts is None
        or len(url) > URL_MAX_LENGTH
        or " " in url
        or parts.scheme != "https"
        or not host
        or "." not in host
        or parts.username is not None
        or parts.password is not None
    ):
        problems.append(FieldError.of("video_url", "invalid"))
        return None
    return url


def _checked_employer_ids(value: object, problems: list[FieldError]) -> tuple[str, ...] | None:
    items = _items(value)
    if items is None or len(items) > 1000 or not all(is_id(item) for item in items):
        problems.append(FieldError.of("employer_ids", "invalid"))
        return None
    return tuple(dict.fromkeys(str(item) for item in items))
