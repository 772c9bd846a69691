"""A coach's private note never reaches anything HR can see, nor any table in the clear.

The walk covers what HR reaches: the dossier, the dashboard at every level, both exports,
the search and the task inbox. The raw dump reads every value of every table.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa

from booking_support import local, next_weekday, started
from onzecoach import Portal
from onzecoach.adapters.sql import SqlStorage
from onzecoach.testing import FrozenClock, RecordingMailer
from support import T0, make_settings

NOTE = "Slaapt slecht sinds de reorganisatie; zorgen over haar leidinggevende"
WORDS = ("reorganisatie", "leidinggevende", "Slaapt slecht")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def sql_storage(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlStorage]:
    url = (
        f"sqlite:///{tmp_path / 'p.db'}"
        if request.param == "sqlite"
        else request.getfixturevalue("postgres_schema_url")
    )
    storage = SqlStorage(url)
    storage.upgrade()
    yield storage
    storage.close()


def everything_stored(storage: SqlStorage) -> str:
    parts: list[str] = []
    with storage.engine.connect() as connection:
        for table in sa.inspect(connection).get_table_names():
            for row in connection.execute(sa.text(f'SELECT * FROM "{table}"')):
                parts.extend(str(value) for value in row)
    return "\n".join(parts)


def xlsx_text(data: bytes) -> str:
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    return "\n".join(
        str(cell)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if cell is not None
    )


def test_a_note_reaches_nothing_hr_sees_and_no_table_in_the_clear(
    sql_storage: SqlStorage,
) -> None:
    clock, mailer = FrozenClock(T0), RecordingMailer()
    portal = Portal(storage=sql_storage, mailer=mailer, clock=clock, settings=make_settings())
    s = started(portal, clock, mailer)
    booked = portal.booking.book(
        s.token, coach_id=s.coach_id, starts_at=local(next_weekday(clock), 10), mode="live"
    )
    portal.coaching.write_note(s.coach, booked.id, NOTE)
    clock.set(booked.ends_at)
    portal.coaching.report(s.coach, booked.id, status="held", theme="werkdruk")
    portal.coaching.request_extension(s.coach, booked.id, note="Een gesprek extra is nuttig.")
    assert portal.coaching.note(s.coach, booked.id) == NOTE

    start, end = date(2026, 1, 1), booked.starts_at.date() + timedelta(days=1)
    seen = [
        repr(portal.employees.dossier(s.hr, s.employee_id)),
        repr(portal.stats.dashboard(s.hr, start=start, end=end)),
        repr(portal.stats.dashboard(s.hr, start=start, end=end, employee_id=s.employee_id)),
        portal.stats.export(s.hr, format="csv", start=start, end=end).decode("utf-8-sig"),
        xlsx_text(portal.stats.export(s.hr, format="xlsx", start=start, end=end)),
        repr(portal.search.employees(s.hr, "Ann")),
        repr(portal.tasks.open(s.hr)),
        repr(portal.trajectories.get(s.hr, s.trajectory_id)),
    ]
    for text in seen:
        assert not any(word in text for word in WORDS), text
    portal.outbox.dispatch_due()
    for mail in mailer.sent:
        assert not any(word in mail.as_string() for word in WORDS)
    stored = everything_stored(sql_storage)
    assert not any(word in stored for word in WORDS)
