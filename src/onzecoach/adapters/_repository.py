"""The one-line wiring of a repository into a storage adapter's unit of work."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, Self, TypeVar, overload

__all__ = ["repository"]

U = TypeVar("U")
R = TypeVar("R")


class repository(Generic[U, R]):  # lower case: used like property, which it resembles
    """A unit of work's repository, made from the unit of work on first use.

    ``employees = repository(make)`` on the unit of work's class is the whole of wiring a
    repository in; mypy reads the attribute as what ``make`` returns, so it still checks
    each repository against its port. A transaction makes only the repositories it uses,
    and keeps each for its life, as ``functools.cached_property`` keeps its value.
    """

    def __init__(self, make: Callable[[U], R]) -> None:
        self._make = make
        self._name = ""

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self._name = name

    @overload
    def __get__(self, uow: None, owner: type[Any]) -> Self: ...
    @overload
    def __get__(self, uow: U, owner: type[Any]) -> R: ...
    def __get__(self, uow: U | None, owner: type[Any]) -> Self | R:
        if uow is None:
            return self
        made = self._make(uow)
        # There is no __set__, so the instance's own attribute now hides this descriptor:
        # later reads in this unit of work are plain attribute reads of the same repository.
        vars(uow)[self._name] = made
        return made
