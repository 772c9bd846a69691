"""Helpers shared by the test folders (on the path through pytest's ``pythonpath``)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any, Self

import attrs

from onzecoach import Settings, StorageError
from onzecoach.accounts._hashing import CHEAPEST
from onzecoach.employees._model import Employee
from onzecoach.employees._validation import EmployeeDetails, Gender
from onzecoach.ids import new_id
from onzecoach.ports import Storage, UnitOfWork
from onzecoach.trajectories._model import Appointment, Trajectory

#: The moment the tests' clocks start at.
T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
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


def employee(employer_id: str, **changes: Any) -> Employee:
    """An employee of ``employer_id`` with only the required fields, changed by ``changes``."""
    details = EmployeeDetails(
        last_name="Berg",
        given_name="Anna",
        initials="A.M.",
        gender=Gender.FEMALE,
        birth_date=date(1985, 2, 28),
        email="anna.berg@example.nl",
        registration_type="OnzeCoach",
    )
    base = Employee.create(id=new_id(), employer_id=employer_id, details=details, now=T0)
    return attrs.evolve(base, **changes)


def trajectory(person: Employee, number: int = 1, **changes: Any) -> Trajectory:
    """A four-session trajectory of ``person`` as a repository would store it."""
    base = Trajectory(
        id=new_id(),
        employer_id=person.employer_id,
        employee_id=person.id,
        number=number,
        type_code="ONC-IND-4",
        type_name="ONC - individuele coaching (4 gesprekken)",
        sessions=4,
        is_extension=False,
        start_date=date(2026, 3, 2),
        created_at=T0,
    )
    return attrs.evolve(base, **changes)


def appointment(journey: Trajectory, external_id: str | None = None, **changes: Any) -> Appointment:
    """A planned appointment of ``journey``, a week after ``T0``."""
    base = Appointment(
        id=new_id(),
        trajectory_id=journey.id,
        employer_id=journey.employer_id,
        employee_id=journey.employee_id,
        external_id=external_id or new_id(),
        starts_at=T0 + timedelta(days=7),
        created_at=T0,
        updated_at=T0,
    )
    return attrs.evolve(base, **changes)


def race(actions: list[Callable[[], object]]) -> list[object]:
    """Start ``actions`` together, one thread each; what each returned or raised."""
    results: list[object] = [None] * len(actions)
    barrier = threading.Barrier(len(actions))

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = actions[index]()
        except BaseException as exc:  # pragma: no cover - reported by the assertion
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(actions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
