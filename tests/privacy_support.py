"""What the privacy tests share: a dump of everything a storage holds, sealed values opened,
and a person enrolled with values nobody else has."""

from __future__ import annotations

import base64
import json
import re
import string
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import attrs
import sqlalchemy as sa

from booking_support import booking_link
from onzecoach import Actor, Portal
from onzecoach.adapters.memory import MemoryStorage
from onzecoach.adapters.sql import SqlStorage
from onzecoach.clock import amsterdam
from onzecoach.crypto import Sealer
from onzecoach.ports import Storage
from onzecoach.testing import FrozenClock, RecordingMailer
from support import TEST_SECRET_KEY

__all__ = ["Person", "dump", "enrol"]

_SEALED = re.compile(r"^v1\.[0-9a-f]{8}\.")
_CONTEXTS = ("outbox", "session-note", "totp", "calendar")


# The dump ------------------------------------------------------------------------------------


def _opened(value: str, row: list[str]) -> str:
    """A sealed value opened with the test's key under whichever context of its row fits;
    attachments (a JSON list of base64 files) decoded too."""
    sealer = Sealer(TEST_SECRET_KEY)
    for prefix in _CONTEXTS:
        for key in row:
            try:
                plain = sealer.open(value, context=f"{prefix}:{key}")
            except Exception:  # noqa: S112 - the next context may fit
                continue
            if plain.startswith("[{"):
                listed = json.loads(plain)
                plain = " ".join(base64.b64decode(item["data"]).decode() for item in listed)
            return plain
    raise AssertionError(f"no context of its row opens a sealed value: {row}")


def _strings(value: Any) -> Iterator[str]:
    """Every leaf of a stored value, as text."""
    if attrs.has(type(value)):
        for field in attrs.fields(type(value)):
            yield from _strings(getattr(value, field.name))
    elif isinstance(value, dict):
        for key, inner in value.items():
            yield from _strings(key)
            yield from _strings(inner)
    elif isinstance(value, list | tuple | set | frozenset):
        for inner in value:
            yield from _strings(inner)
    elif isinstance(value, datetime | date):
        yield value.isoformat()
    elif isinstance(value, bytes):
        yield value.decode("utf-8", "replace")
    elif (value is not None and not isinstance(value, int | float | bool)) or isinstance(
        value, str
    ):
        yield str(value)


def _rows(storage: Storage) -> Iterator[list[str]]:
    """Every row of every table, each as the texts of its values."""
    if isinstance(storage, MemoryStorage):
        kept: Any
        for kept in storage._tables.values():
            tables = kept
            held = (
                [getattr(tables, f.name) for f in attrs.fields(type(tables))]
                if attrs.has(type(tables))
                else list(vars(tables).values())
            )
            for table in held:
                if isinstance(table, dict):
                    for key, item in table.items():
                        yield [*_strings(key), *_strings(item)]
                elif isinstance(table, list):
                    for item in table:
                        yield [*_strings(item)]
                else:
                    yield [*_strings(table)]
        return
    assert isinstance(storage, SqlStorage)
    metadata = sa.MetaData()
    with storage.engine.connect() as connection:
        metadata.reflect(connection)
        for table in metadata.sorted_tables:
            for row in connection.execute(table.select()):
                yield [*_strings(list(row))]


def dump(storage: Storage) -> str:
    """Everything the storage holds, sealed values opened, calendar lines unfolded,
    casefolded."""
    texts = []
    for row in _rows(storage):
        for value in row:
            texts.append(_opened(value, row) if _SEALED.match(value) else value)
    return "\n".join(texts).replace("\r\n ", "").replace("\n ", "").casefold()


# A person with values nobody else has -----------------------------------------------------------


@attrs.frozen
class Person:
    employee_id: str
    trajectory_id: str
    markers: tuple[str, ...]
    session_id: str


def _letters(seed: str) -> str:
    """A name of letters only from a hex seed: nobody else's."""
    return "".join(string.ascii_lowercase[int(c, 16)] for c in seed)


def enrol(
    portal: Portal,
    clock: FrozenClock,
    mailer: RecordingMailer,
    hr: Actor,
    coach: tuple[str, Actor],
    *,
    seed: str,
    birth_date: date,
    number: int,
) -> Person:
    """Register a person with marker values, start coaching, book a session with a note,
    and have an outside booking system record an appointment with an external id."""
    name = _letters(seed)
    phone_tail = f"1{number % 10**7:07d}"
    # Letters from the seed as well: with 9,000 postcodes alone, a kept person of an earlier
    # example in the same storage shared an erased one's now and then, and its marker stayed.
    postcode = f"{1000 + number % 9000}{name[:2].upper()}"
    details = {
        "last_name": f"Achter{name}",
        "given_name": f"Roep{name}",
        "initials": "Q.X.",
        "gender": "vrouw",
        "birth_date": birth_date,
        "email": f"mail.{name}@example.nl",
        "employee_number": f"PN{seed}",
        "phone": f"06{phone_tail}",
        "street": f"Straat{name}",
        "house_number": "12",
        "postcode": postcode,
        "city": f"Stad{name}",
        "job_title": f"Functie{name}",
        "registration_type": "OnzeCoach",
    }
    employee = portal.employees.register(hr, details)
    today = clock.now().astimezone(amsterdam()).date()
    trajectory = portal.trajectories.start(hr, employee.id, type_code="ONC-IND-5", start_date=today)
    clock.advance(portal.settings.invitation_delay)
    portal.outbox.dispatch_due()
    token = booking_link(mailer, employee.email)
    coach_id, coach_actor = coach
    slot = portal.booking.slots(token, coach_id, days=14)[0]
    booked = portal.booking.book(token, coach_id=coach_id, starts_at=slot.starts_at, mode="live")
    portal.coaching.write_note(coach_actor, booked.id, f"Notitie{name} over het gesprek")
    portal.coaching.request_extension(coach_actor, booked.id, note=f"Verlenging{name} graag")
    external = f"EXT{seed}"
    integration = Actor.integration("planner", [hr.employer_id or ""])
    portal.trajectories.record_appointment(
        integration,
        trajectory.id,
        external_id=external,
        starts_at=slot.starts_at + timedelta(days=14),
        status="planned",
        mode="online",
    )
    portal.outbox.dispatch_due()
    markers = (
        employee.last_name,
        employee.given_name,
        employee.email,
        employee.employee_number,
        employee.street,
        employee.city,
        employee.job_title,
        employee.postcode,
        employee.phone,
        birth_date.isoformat(),
        external,
        f"Notitie{name}",
        f"Verlenging{name}",
    )
    assert employee.phone == f"+316{phone_tail}"
    return Person(
        employee_id=employee.id,
        trajectory_id=trajectory.id,
        markers=tuple(str(m).casefold() for m in markers),
        session_id=booked.id,
    )
