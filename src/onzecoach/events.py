"""Effects across features: events a use case emits, handled before its unit of work commits.

A use case changes what its own feature keeps and emits an event for what happened
(``uow.emit(CoachingChanged(...))``). The composition root (``Portal``) maps each kind of
event to the handlers of the features that react to it, so the feature that emits never
imports the features that react. The unit of work hands each event to its handlers as it
is emitted, inside the use case's transaction and before it commits: a held session and
the statistics it feeds commit together or not at all, and a handler that fails fails the
use case. Handling at the point of emission keeps the order a use case writes in (the
search index drops an employee before the employee goes); an event a handler emits is
handled after the one being handled, in order.

Every feature's unit of work is a ``UnitOfWork``: a transaction that takes events. The
storage adapters know nothing of events: ``EventedStorage`` wraps a storage so that its
units of work collect and handle them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from types import TracebackType
from typing import Any, Protocol, Self, TypeVar

import attrs

__all__ = ["Event", "EventedStorage", "Handlers", "Transaction", "Transactions", "UnitOfWork"]

E = TypeVar("E", bound="Event")
U_co = TypeVar("U_co", covariant=True)

#: Handlers whose events make handlers emit events ... stop here: that is a loop, not a design.
_MAX_EVENTS = 10_000


@attrs.frozen
class Event:
    """Something a use case did that another feature may react to."""


class Transaction(Protocol):
    """One transaction. Leaving the ``with`` block without ``commit()`` rolls it back."""

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...


class UnitOfWork(Transaction, Protocol):
    """One transaction as every feature's use cases see it: one that takes events."""

    def emit(self, event: Event) -> None:
        """Hand ``event`` to its handlers, in this transaction."""
        ...


class Transactions(Protocol[U_co]):
    """Where a service gets its units of work from."""

    def unit_of_work(self) -> U_co: ...


class _Storage(Protocol):
    def unit_of_work(self) -> Transaction: ...


Handler = Callable[[Any, Any], None]


class Handlers:
    """Which handlers react to which kind of event; filled in by the composition root."""

    def __init__(self) -> None:
        self._by_kind: defaultdict[type[Event], list[Handler]] = defaultdict(list)

    def on(self, kind: type[E], handler: Callable[[Any, E], None]) -> None:
        """Run ``handler(uow, event)`` for every event of ``kind`` (subclasses included)."""
        self._by_kind[kind].append(handler)

    def handle(self, uow: UnitOfWork, pending: list[Event]) -> None:
        """Run the handlers of ``pending``, and of what they emit, until none is left."""
        handled = 0
        while pending:
            handled += 1
            if handled > _MAX_EVENTS:
                raise RuntimeError("event handlers keep emitting events: a loop")
            event = pending.pop(0)
            for kind in type(event).__mro__:
                for handler in self._by_kind.get(kind, ()):
                    handler(uow, event)


class EventedUnitOfWork:
    """A storage's unit of work whose events are handled in its transaction.

    Every repository of the wrapped unit of work is reached through it unchanged.
    """

    def __init__(self, inner: Transaction, handlers: Handlers) -> None:
        self._inner = inner
        # What entering the storage's unit of work gave: the unit of work itself, as the
        # port asks, or whatever a context manager around one yields.
        self._entered: Any = inner
        self._handlers = handlers
        self._pending: list[Event] = []
        self._handling = False

    def __getattr__(self, name: str) -> Any:
        # Only called for what this class does not define: the repositories.
        return getattr(self._entered, name)

    def __enter__(self) -> Self:
        self._entered = self._inner.__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._pending.clear()
        self._inner.__exit__(exc_type, exc, traceback)

    def emit(self, event: Event) -> None:
        self._pending.append(event)
        if self._handling:
            return  # emitted by a handler: the loop below takes it next
        self._handling = True
        try:
            self._handlers.handle(self, self._pending)
        finally:
            self._handling = False
            self._pending.clear()

    def commit(self) -> None:
        self._entered.commit()

    def rollback(self) -> None:
        self._pending.clear()
        self._entered.rollback()


class EventedStorage:
    """A storage whose units of work hand their events to the handlers."""

    def __init__(self, storage: _Storage, handlers: Handlers) -> None:
        self._storage = storage
        self._handlers = handlers

    def unit_of_work(self) -> EventedUnitOfWork:
        return EventedUnitOfWork(self._storage.unit_of_work(), self._handlers)

    def __repr__(self) -> str:
        return f"EventedStorage({self._storage!r})"
