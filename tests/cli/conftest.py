"""The command line's tests: an environment of their own, on an SQLite file, and a Portal
on that file to set up and to check what a command did."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cli_support import Env, run
from onzecoach import Portal
from onzecoach.adapters.sql import SqlStorage
from onzecoach.cli import EXIT_OK
from onzecoach.configuration import CONFIG_ENV, CONFIGURATION_KEYS
from onzecoach.testing import RecordingMailer
from support import TEST_SECRET_KEY, make_settings


@pytest.fixture(autouse=True)
def _no_outside_config(monkeypatch: pytest.MonkeyPatch) -> None:
    """The runner's environment is the test's alone."""
    for key in CONFIGURATION_KEYS:
        monkeypatch.delenv(key.env, raising=False)
    monkeypatch.delenv(CONFIG_ENV, raising=False)


@pytest.fixture
def env(tmp_path: Path) -> Env:
    return {
        "ONZECOACH_DATABASE_URL": f"sqlite:///{tmp_path / 'portal.db'}",
        "ONZECOACH_BASE_URL": "https://portaal.example.nl",
        "ONZECOACH_SECRET_KEY": TEST_SECRET_KEY,
    }


@pytest.fixture
def portal(env: Env) -> Iterator[Portal]:
    """A Portal on the command's database, upgraded by the command."""
    assert run(env, "db", "upgrade").exit_code == EXIT_OK
    storage = SqlStorage(env["ONZECOACH_DATABASE_URL"])
    yield Portal(storage=storage, mailer=RecordingMailer(), settings=make_settings())
    storage.close()
