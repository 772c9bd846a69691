"""Helpers shared by the test folders (on the path through pytest's ``pythonpath``)."""

from __future__ import annotations

from typing import Any, Self

from onzecoach import Settings, StorageError
from onzecoach.accounts._hashing import CHEAPEST
from onzecoach.ports import Storage, UnitOfWork

# The records the tests build, and their races, are the shipped storage contract's; T0 is
# also the moment the tests' clocks start at.
from onzecoach.testing.contracts._builders import T0, appointment, employee, race, trajectory

__all__ = [
    "NEW_SECRET_KEY",
    "OTHER_SECRET_KEY",
    "T0",
    "TEST_SECRET_KEY",
    "BrokenStorage",
    "appointment",
    "employee",
    "make_settings",
    "race",
    "trajectory",
]

#: Fixed keys (each once made by ``secrets.token_urlsafe(32)``), so that a failing test can
#: be replayed; never used outside tests. ``Settings`` refuses a key that is easy to guess,
#: so they look as random as a real one.
TEST_SECRET_KEY = "A5ZELL6qL4STVBRhfj24xeB3hrRTHjucsdypth551e0"
#: The key after a rotation, and one more that sealed nothing.
NEW_SECRET_KEY = "-mM3cXtGwxAc7-T25DH-TjN6tIa1sZ7f4pl7MQ_7jgQ"
OTHER_SECRET_KEY = "uCOOhNfH7wTJ3Q7BW2b8Tf8OTDk9lWY7J0xnnHBwoo8"


def make_settings(**overrides: Any) -> Settings:
    """Settings for tests: a fixed key and the cheapest argon2 parameters."""
    values: dict[str, Any] = {
        "base_url": "https://portaal.example.nl",
        "secret_key": TEST_SECRET_KEY,
        "password_hashing": CHEAPEST,
    }
    values.update(overrides)
    return Settings(**values)


class _BrokenRepository:
    """A repository whose ``method`` raises ``StorageError``; everything else is the real one."""

    def __init__(self, real: Any, method: str) -> None:
        self._real = real
        self._method = method

    def __getattr__(self, name: str) -> Any:
        if name == self._method:

            def broken(*args: Any, **kwargs: Any) -> None:
                raise StorageError(f"the {self._method} of this repository is gone")

            return broken
        return getattr(self._real, name)


class _BrokenUnitOfWork:
    def __init__(self, real: UnitOfWork, repository: str, method: str) -> None:
        self._real = real
        self._repository = repository
        self._method = method

    def __enter__(self) -> Self:
        self._real.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._real.__exit__(*exc)

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._real, name)
        return _BrokenRepository(found, self._method) if name == self._repository else found


class BrokenStorage:
    """A storage whose ``repository.method`` fails in every unit of work: to show that a use
    case writes all or nothing."""

    def __init__(self, real: Storage, repository: str, method: str) -> None:
        self._real = real
        self._repository = repository
        self._method = method

    def unit_of_work(self) -> _BrokenUnitOfWork:
        return _BrokenUnitOfWork(self._real.unit_of_work(), self._repository, self._method)

    def upgrade(self) -> None:
        self._real.upgrade()

    def close(self) -> None:
        self._real.close()
