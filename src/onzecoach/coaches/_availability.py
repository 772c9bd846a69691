"""A coach's availability (beschikbaarheid): weekly hours, exceptions and the booking rules.

Times of day are wall-clock times in Europe/Amsterdam, held as whole minutes since local
midnight: a ``Window`` runs from ``start`` up to ``end``, ``0 <= start < end <= 1440``, so a
window may end at midnight (``"24:00"``, 1440) but never cross it. A day is named by its
index in ``WEEKDAYS``, which is ``date.weekday()``: Monday is 0, Sunday 6.

An ``Availability`` is kept in one canonical form: the windows of each weekday and of each
extra date are merged (overlapping or touching windows become one) and sorted, and an extra
date without windows is dropped. Two availabilities that offer the same hours are equal,
and ``Availability.checked(a.to_data()) == a`` for every ``a``.
"""

from __future__ import annotations

import functools
import json
import re
import types
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any, Final

import attrs

from onzecoach.errors import FieldError, ValidationError

__all__ = [
    "FIRST_DATE",
    "LAST_DATE",
    "MAX_BUFFER_MINUTES",
    "MAX_DATES",
    "MAX_HORIZON_DAYS",
    "MAX_NOTICE",
    "MAX_PER_DAY",
    "MAX_SESSION_MINUTES",
    "MAX_WINDOWS_PER_DAY",
    "MIN_SESSION_MINUTES",
    "WEEKDAYS",
    "Availability",
    "Window",
    "merged",
]

#: The weekdays as the data form names them, in the order of ``date.weekday()``.
WEEKDAYS: Final = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MINUTES_PER_DAY: Final = 24 * 60
MIN_SESSION_MINUTES: Final = 15
MAX_SESSION_MINUTES: Final = 240
MAX_BUFFER_MINUTES: Final = 120
MAX_NOTICE: Final = timedelta(days=30)
MAX_HORIZON_DAYS: Final = 365
#: The highest ``max_per_day`` a coach can set; ``None`` sets no maximum.
MAX_PER_DAY: Final = 24
#: Bounds that keep a stored availability small, whatever a form sends.
MAX_WINDOWS_PER_DAY: Final = 24
MAX_DATES: Final = 1000
#: The dates a day off or an extra date may have: wide enough for any booking, narrow
#: enough that every day's next midnight is a date too.
FIRST_DATE: Final = date(2000, 1, 1)
LAST_DATE: Final = date(2099, 12, 31)

_MINUTE: Final = timedelta(minutes=1)
#: "09:00", "9:00", or "09:00:00" as an HTML time input with seconds sends it.
_CLOCK: Final = re.compile(r"([0-9]{1,2}):([0-5][0-9])(?::00)?")
_ISO_DATE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DIGITS: Final = re.compile(r"[0-9]{1,9}")


@attrs.frozen(order=True)
class Window:
    """A span of wall-clock time on one day, in minutes since local midnight.

    ``Window(540, 1020)`` is 09:00 to 17:00; ``Window.of("09:00", "17:00")`` says the same.
    ``end`` may be 1440 (``"24:00"``): the window runs to midnight.
    """

    start: int
    end: int

    def __attrs_post_init__(self) -> None:
        if not all(type(bound) is int for bound in (self.start, self.end)):
            raise TypeError(f"a window's bounds are whole minutes: {self!r}")
        if not 0 <= self.start < self.end <= MINUTES_PER_DAY:
            raise ValueError(f"a window runs within one day and ends after it starts: {self!r}")

    @classmethod
    def of(cls, start: str | time, end: str | time) -> Window:
        """The window between two clock times (``"HH:MM"`` or ``time``; ``"24:00"`` ends a day).

        ``ValueError`` for a time that is none, has seconds, or a window that ends before it
        starts; ``Availability.checked`` words these for people.
        """
        first, last = _clock_minutes(start), _clock_minutes(end)
        if first is None or last is None:
            raise ValueError(f"not a clock time to the minute: {start!r} to {end!r}")
        return cls(first, last)

    def as_data(self) -> list[str]:
        """``["09:00", "17:00"]``: the window as the data form writes it."""
        return [_clock_text(self.start), _clock_text(self.end)]

    def __str__(self) -> str:
        return "-".join(self.as_data())


def _clock_minutes(value: object) -> int | None:
    """Minutes since midnight of ``"HH:MM"`` (up to ``"24:00"``) or a ``time`` to the minute."""
    if isinstance(value, time):
        if value.second or value.microsecond or value.tzinfo is not None:
            return None
        return value.hour * 60 + value.minute
    if not isinstance(value, str) or (match := _CLOCK.fullmatch(value.strip())) is None:
        return None
    minutes = int(match[1]) * 60 + int(match[2])
    return minutes if minutes <= MINUTES_PER_DAY else None


def _clock_text(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def merged(windows: Iterable[Window]) -> tuple[Window, ...]:
    """The union of ``windows``, sorted: overlapping or touching windows become one."""
    result: list[Window] = []
    for window in sorted(windows):
        if result and window.start <= result[-1].end:
            if window.end > result[-1].end:
                result[-1] = Window(result[-1].start, window.end)
        else:
            result.append(window)
    return tuple(result)


def _weekly(
    value: Mapping[int, Iterable[Window]] | Iterable[Iterable[Window]],
) -> tuple[tuple[Window, ...], ...]:
    """Seven days of merged windows, from a mapping by weekday or a sequence of seven."""
    if isinstance(value, Mapping):
        if not set(value) <= set(range(7)):
            raise ValueError(f"weekdays are 0 (Monday) to 6 (Sunday), not {sorted(value)!r}")
        return tuple(merged(value.get(day, ())) for day in range(7))
    days = tuple(merged(windows) for windows in value)
    if len(days) != 7:
        raise ValueError(f"a week has seven days, not {len(days)}")
    return days


def _days_off(value: Iterable[date]) -> frozenset[date]:
    return frozenset(value)


def _extra(value: Mapping[date, Iterable[Window]]) -> Mapping[date, tuple[Window, ...]]:
    """Merged windows by date, sorted, without dates that have none; read-only."""
    extra = {day: merged(value[day]) for day in sorted(value)}
    return types.MappingProxyType({day: windows for day, windows in extra.items() if windows})


def _check_weekly(
    _: object, __: attrs.Attribute[Any], value: tuple[tuple[Window, ...], ...]
) -> None:
    if any(len(windows) > MAX_WINDOWS_PER_DAY for windows in value):
        raise ValueError(f"at most {MAX_WINDOWS_PER_DAY} windows a day")


def _check_dates(_: object, attribute: attrs.Attribute[Any], value: Iterable[object]) -> None:
    days = list(value)
    if len(days) > MAX_DATES:
        raise ValueError(f"{attribute.name}: at most {MAX_DATES} dates")
    for day in days:
        if isinstance(day, datetime) or not isinstance(day, date):
            raise TypeError(f"{attribute.name}: {day!r} is not a date")
        if not FIRST_DATE <= day <= LAST_DATE:
            raise ValueError(
                f"{attribute.name}: {day!r} is not a date from {FIRST_DATE} to {LAST_DATE}"
            )


def _check_extra(
    instance: object, attribute: attrs.Attribute[Any], value: Mapping[date, tuple[Window, ...]]
) -> None:
    _check_dates(instance, attribute, value)
    _check_weekly(instance, attribute, tuple(value.values()))


def _check_notice(_: object, __: attrs.Attribute[Any], value: timedelta) -> None:
    if not timedelta(0) <= value <= MAX_NOTICE or value % _MINUTE:
        raise ValueError(f"notice is whole minutes from 0 to {MAX_NOTICE}, not {value!r}")


def _whole_in(low: int, high: int) -> Any:
    return attrs.validators.and_(
        attrs.validators.instance_of(int),
        attrs.validators.not_(attrs.validators.instance_of(bool)),
        attrs.validators.ge(low),
        attrs.validators.le(high),
    )


@attrs.frozen
class Availability:
    """When a coach can be booked, and on what terms.

    - ``weekly``: the windows of each weekday, Monday (0) to Sunday (6);
    - ``days_off``: dates without their weekly windows (holidays, leave);
    - ``extra``: windows added to a date, on top of its weekly windows, also on a day off;
    - ``session_minutes``: a session's length (15 to 240), in real time;
    - ``buffer_minutes``: the least time between two sessions (0 to 120);
    - ``notice``: how long before its start a session can still be booked (up to 30 days);
    - ``horizon_days``: how many days ahead a session can be booked (1 to 365);
    - ``max_per_day``: the most sessions on one date (1 to 24), ``None`` for no maximum.

    Built directly it takes windows by weekday (a sequence of seven or a mapping from
    0 to 6) and raises ``ValueError`` for a value out of its range: input from people goes
    through ``Availability.checked``, which names every bad field at once.
    """

    weekly: tuple[tuple[Window, ...], ...] = attrs.field(
        default=((),) * 7, converter=_weekly, validator=_check_weekly
    )
    days_off: frozenset[date] = attrs.field(
        default=frozenset(), converter=_days_off, validator=_check_dates
    )
    # A mapping does not hash; the other fields hash an availability well enough.
    extra: Mapping[date, tuple[Window, ...]] = attrs.field(
        factory=dict, converter=_extra, validator=_check_extra, hash=False
    )
    session_minutes: int = attrs.field(
        default=60, validator=_whole_in(MIN_SESSION_MINUTES, MAX_SESSION_MINUTES)
    )
    buffer_minutes: int = attrs.field(default=0, validator=_whole_in(0, MAX_BUFFER_MINUTES))
    notice: timedelta = attrs.field(
        default=timedelta(hours=24),
        validator=[attrs.validators.instance_of(timedelta), _check_notice],
    )
    horizon_days: int = attrs.field(default=56, validator=_whole_in(1, MAX_HORIZON_DAYS))
    max_per_day: int | None = attrs.field(
        default=None, validator=attrs.validators.optional(_whole_in(1, MAX_PER_DAY))
    )

    def windows_on(self, day: date) -> tuple[Window, ...]:
        """The merged windows of a local date: its weekly ones (unless it is a day off) and
        its extra ones."""
        weekly = () if day in self.days_off else self.weekly[day.weekday()]
        extra = self.extra.get(day)
        if extra is None:
            return weekly
        return merged((*weekly, *extra)) if weekly else extra

    @property
    def horizon(self) -> timedelta:
        return timedelta(days=self.horizon_days)

    def to_data(self) -> dict[str, Any]:
        """A JSON-safe dict (the form ``checked`` takes), for storage and for forms::

        {"weekly": {"monday": [["09:00", "12:00"], ...], ..., "sunday": []},
         "days_off": ["2026-12-25", ...], "extra": {"2026-12-27": [["10:00", "14:00"]]},
         "session_minutes": 60, "buffer_minutes": 0, "notice_minutes": 1440,
         "horizon_days": 56, "max_per_day": None}
        """
        return {
            "weekly": {
                name: [window.as_data() for window in self.weekly[index]]
                for index, name in enumerate(WEEKDAYS)
            },
            "days_off": [day.isoformat() for day in sorted(self.days_off)],
            "extra": {
                day.isoformat(): [window.as_data() for window in windows]
                for day, windows in self.extra.items()
            },
            "session_minutes": self.session_minutes,
            "buffer_minutes": self.buffer_minutes,
            "notice_minutes": self.notice // _MINUTE,
            "horizon_days": self.horizon_days,
            "max_per_day": self.max_per_day,
        }

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Availability:
        """The availability ``to_data`` wrote, read back without wording errors for people.

        For stored data only: anything ``to_data`` cannot have written raises ``ValueError``
        (or ``KeyError``, ``TypeError``), a sign of corrupt storage. Input from people goes
        through ``checked``.

        A search reads hundreds of coaches per request, and most availabilities are read
        again and again unchanged: the same stored data gives the same (immutable) object.
        """
        if cls is not Availability:
            return cls._built(data)
        return _stored(json.dumps(data, sort_keys=True))

    @classmethod
    def _built(cls, data: Mapping[str, Any]) -> Availability:
        weekly = data.get("weekly", {})
        extra = data.get("extra", {})
        return cls(
            weekly=[_windows_from_data(weekly.get(name, ())) for name in WEEKDAYS],
            days_off=[_date_from_data(day) for day in data.get("days_off", ())],
            extra={_date_from_data(day): _windows_from_data(extra[day]) for day in extra},
            session_minutes=data.get("session_minutes", 60),
            buffer_minutes=data.get("buffer_minutes", 0),
            notice=data.get("notice_minutes", 24 * 60) * _MINUTE,
            horizon_days=data.get("horizon_days", 56),
            max_per_day=data.get("max_per_day"),
        )

    @classmethod
    def checked(cls, data: object) -> Availability:
        """The availability a form or JSON describes, or a ``ValidationError`` naming every
        bad field at once.

        ``data`` is a mapping in the form of ``to_data``; every key may be left out (for its
        default). Windows are ``[start, end]`` pairs of ``"HH:MM"`` (or ``time``) or
        ``"HH:MM-HH:MM"`` texts; dates are ``date`` objects or ``"YYYY-MM-DD"``; numbers
        are ints or digit strings; ``max_per_day`` ``None`` or ``""`` sets no maximum.
        Field names: ``weekly.<weekday>`` and ``extra.<date>`` for the windows,
        ``weekly``, ``days_off`` and ``extra`` for the whole, and each number's key.
        """
        return _checked(data)


@functools.lru_cache(maxsize=4096)
def _stored(text: str) -> Availability:
    return Availability._built(json.loads(text))


def _windows_from_data(pairs: Iterable[Iterable[str]]) -> list[Window]:
    return [Window.of(*pair) for pair in pairs]


def _date_from_data(text: str) -> date:
    if not isinstance(text, str) or not _ISO_DATE.fullmatch(text):
        raise ValueError(f"not a stored date: {text!r}")
    return date.fromisoformat(text)


# Checking a form ---------------------------------------------------------------------------

_DEFAULT: Final = Availability()
#: Each number: its key, its bounds and its default.
_NUMBERS: Final = {
    "session_minutes": (MIN_SESSION_MINUTES, MAX_SESSION_MINUTES, _DEFAULT.session_minutes),
    "buffer_minutes": (0, MAX_BUFFER_MINUTES, _DEFAULT.buffer_minutes),
    "notice_minutes": (0, MAX_NOTICE // _MINUTE, _DEFAULT.notice // _MINUTE),
    "horizon_days": (1, MAX_HORIZON_DAYS, _DEFAULT.horizon_days),
}
_KEYS: Final = frozenset({"weekly", "days_off", "extra", "max_per_day", *_NUMBERS})


def _checked(data: object) -> Availability:
    if not isinstance(data, Mapping):
        raise ValidationError.single("data", "invalid")
    problems: list[FieldError] = []
    for key in data:
        if key not in _KEYS:
            field = key if isinstance(key, str) else "data"
            problems.append(FieldError.of(field, "unknown_field", key="form.unknown_field"))
    weekly = _checked_weekly(data.get("weekly"), problems)
    days_off = _checked_days_off(data.get("days_off"), problems)
    extra = _checked_extra(data.get("extra"), problems)
    numbers = {key: _checked_number(key, data.get(key), problems) for key in _NUMBERS}
    max_per_day = _checked_max_per_day(data.get("max_per_day"), problems)
    if problems:
        raise ValidationError(problems)
    return Availability(
        weekly=weekly,
        days_off=days_off,
        extra=extra,
        session_minutes=numbers["session_minutes"],
        buffer_minutes=numbers["buffer_minutes"],
        notice=numbers["notice_minutes"] * _MINUTE,
        horizon_days=numbers["horizon_days"],
        max_per_day=max_per_day,
    )


def _checked_weekly(value: object, problems: list[FieldError]) -> list[tuple[Window, ...]]:
    weekly: list[tuple[Window, ...]] = [()] * 7
    if value is None:
        return weekly
    if not isinstance(value, Mapping):
        problems.append(FieldError.of("weekly", "invalid"))
        return weekly
    for name, windows in value.items():
        if name not in WEEKDAYS:
            field = f"weekly.{name}" if isinstance(name, str) else "weekly"
            problems.append(FieldError.of(field, "unknown_field", key="form.unknown_field"))
            continue
        weekly[WEEKDAYS.index(name)] = _checked_windows(f"weekly.{name}", windows, problems)
    return weekly


def _checked_windows(field: str, value: object, problems: list[FieldError]) -> tuple[Window, ...]:
    """The windows of one day: a list of pairs (or texts), at most ``MAX_WINDOWS_PER_DAY``."""
    if value is None:
        return ()
    if isinstance(value, str | bytes) or not isinstance(value, list | tuple):
        problems.append(FieldError.of(field, "invalid", key="windows.invalid"))
        return ()
    if len(value) > MAX_WINDOWS_PER_DAY:
        problems.append(
            FieldError.of(
                field, "too_long", key="windows.too_long", max_windows=MAX_WINDOWS_PER_DAY
            )
        )
        return ()
    windows: list[Window] = []
    for item in value:
        bounds = _window_bounds(item)
        if bounds is None:
            problems.append(FieldError.of(field, "invalid", key="windows.invalid"))
            return ()
        if bounds[0] >= bounds[1]:
            problems.append(FieldError.of(field, "before_start", key="windows.before_start"))
            return ()
        windows.append(Window(*bounds))
    return merged(windows)


def _window_bounds(item: object) -> tuple[int, int] | None:
    if isinstance(item, Window):
        return item.start, item.end
    if isinstance(item, str):
        item = item.split("-")
    if not isinstance(item, list | tuple) or len(item) != 2:
        return None
    start, end = _clock_minutes(item[0]), _clock_minutes(item[1])
    return None if start is None or end is None else (start, end)


def _checked_date(field: str, value: object, problems: list[FieldError]) -> date | None:
    """A date object or ``"YYYY-MM-DD"`` from ``FIRST_DATE`` to ``LAST_DATE``."""
    day: date | None = None
    if isinstance(value, date) and not isinstance(value, datetime):
        day = value
    elif isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()):
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            day = None
    if day is None:
        problems.append(
            FieldError.of(
                field, "invalid", key="days_off.invalid" if field == "days_off" else "extra.invalid"
            )
        )
        return None
    if not FIRST_DATE <= day <= LAST_DATE:
        problems.append(
            FieldError.of(
                field,
                "out_of_range",
                key="days_off.out_of_range" if field == "days_off" else "extra.out_of_range",
                first=FIRST_DATE.strftime("%d-%m-%Y"),
                last=LAST_DATE.strftime("%d-%m-%Y"),
            )
        )
        return None
    return day


def _checked_days_off(value: object, problems: list[FieldError]) -> frozenset[date]:
    if value is None:
        return frozenset()
    if isinstance(value, str | bytes | Mapping) or not isinstance(
        value, list | tuple | set | frozenset
    ):
        problems.append(FieldError.of("days_off", "invalid"))
        return frozenset()
    if len(value) > MAX_DATES:
        problems.append(FieldError.of("days_off", "too_long", max_dates=MAX_DATES))
        return frozenset()
    days: set[date] = set()
    for item in value:
        day = _checked_date("days_off", item, problems)
        if day is None:
            return frozenset()
        days.add(day)
    return frozenset(days)


def _checked_extra(value: object, problems: list[FieldError]) -> dict[date, tuple[Window, ...]]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        problems.append(FieldError.of("extra", "invalid"))
        return {}
    if len(value) > MAX_DATES:
        problems.append(FieldError.of("extra", "too_long", max_dates=MAX_DATES))
        return {}
    extra: dict[date, tuple[Window, ...]] = {}
    for key, windows in value.items():
        day = _checked_date("extra", key, problems)
        if day is None:
            continue
        field = f"extra.{day.isoformat()}"
        # A date written twice ("2026-12-27" and a date object) has the windows of both.
        extra[day] = merged((*extra.get(day, ()), *_checked_windows(field, windows, problems)))
        if len(extra[day]) > MAX_WINDOWS_PER_DAY:
            problems.append(
                FieldError.of(
                    field, "too_long", key="windows.too_long", max_windows=MAX_WINDOWS_PER_DAY
                )
            )
    return extra


def _whole_number(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and _DIGITS.fullmatch(value.strip()):
        return int(value.strip())
    return None


def _checked_number(key: str, value: object, problems: list[FieldError]) -> int:
    low, high, default = _NUMBERS[key]
    if value is None:
        return default
    number = _whole_number(value)
    if number is not None and low <= number <= high:
        return number
    if key == "notice_minutes":
        problems.append(FieldError.of("notice_minutes", "out_of_range", max_days=MAX_NOTICE.days))
    elif key == "session_minutes":
        problems.append(FieldError.of("session_minutes", "out_of_range", minimum=low, maximum=high))
    elif key == "buffer_minutes":
        problems.append(FieldError.of("buffer_minutes", "out_of_range", maximum=high))
    else:
        problems.append(FieldError.of("horizon_days", "out_of_range", maximum=high))
    return default


def _checked_max_per_day(value: object, problems: list[FieldError]) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number = _whole_number(value)
    if number is not None and 1 <= number <= MAX_PER_DAY:
        return number
    problems.append(FieldError.of("max_per_day", "out_of_range", maximum=MAX_PER_DAY))
    return None
