"""After the account flows, the raw database holds none of the secrets that were used."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import attrs
import pytest
import sqlalchemy as sa

from onzecoach import Portal
from onzecoach.accounts import AccountStatus
from onzecoach.adapters.sql import SqlStorage
from onzecoach.testing import FrozenClock, RecordingMailer
from support import make_settings

PASSWORDS = ["Koffie-Met-Melk-2026", "Wandelpad-1-Zonnig!", "Wandelpad-2-Zonnig!"]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def sql_storage(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlStorage]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'p.db'}"
    else:
        url = request.getfixturevalue("postgres_schema_url")
    storage = SqlStorage(url)
    storage.upgrade()
    yield storage
    storage.close()


def plain_text(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def everything_stored(storage: SqlStorage) -> str:
    """Every value of every row of every table, as one text."""
    parts: list[str] = []
    with storage.engine.connect() as connection:
        for table in sa.inspect(connection).get_table_names():
            for row in connection.execute(sa.text(f'SELECT * FROM "{table}"')):
                parts.extend(str(value) for value in row)
    return "\n".join(parts)


def test_no_token_password_or_link_is_stored_in_clear(sql_storage: SqlStorage) -> None:
    mailer, clock = (
        RecordingMailer(),
        FrozenClock(datetime(2026, 3, 2, tzinfo=UTC)),
    )
    portal = Portal(storage=sql_storage, mailer=mailer, clock=clock, settings=make_settings())
    secrets: list[str] = []

    employer = portal.admin.create_employer("Acme")
    portal.admin.invite_user(employer.id, email="anna@example.nl", username="anna.hr")
    portal.accounts.remind_username("niemand@example.nl")
    portal.accounts.request_password_reset("niemand")
    # Queued, not yet sent: the bodies wait in the outbox.
    queued = everything_stored(sql_storage)
    portal.outbox.dispatch_due()
    invitation = mailer.sent[0]
    link = re.search(r"https://\S+/registreren/(\S+)", plain_text(invitation))
    assert link
    secrets += [link.group(0), link.group(1)]

    enrollment = portal.accounts.register(link.group(1), PASSWORDS[0])
    secrets += [enrollment.token, PASSWORDS[0]]
    with portal.storage.unit_of_work() as uow:
        user = uow.users.get(enrollment.user_id)
        assert user is not None
        uow.users.save(attrs.evolve(user, status=AccountStatus.ACTIVE))
        session = portal.auth.start_session(uow, user, now=clock.now())
        uow.commit()
    secrets.append(session.token)
    portal.accounts.request_password_reset("anna.hr")
    before_send = everything_stored(sql_storage)
    portal.outbox.dispatch_due()
    reset = re.search(
        r"https://\S+/wachtwoord-herstellen/(\S+)",
        plain_text(mailer.sent[-1]),
    )
    assert reset
    secrets += [reset.group(0), reset.group(1)]
    portal.accounts.reset_password(reset.group(1), PASSWORDS[1])
    secrets.append(PASSWORDS[1])

    stored = "\n".join([queued, before_send, everything_stored(sql_storage)])
    assert "anna.hr" in stored  # the dump does see the data; only secrets are absent
    for secret in secrets:
        assert secret not in stored, "a secret is stored in clear"
