"""Events: handed to their handlers in the emitting use case's transaction."""

from __future__ import annotations

from typing import Any

import attrs
import pytest

from onzecoach.adapters.memory import MemoryStorage
from onzecoach.employers import Employer
from onzecoach.events import Event, EventedStorage, Handlers
from onzecoach.ids import new_id
from support import T0


@attrs.frozen
class Said(Event):
    text: str


@attrs.frozen
class Echoed(Said):
    pass


def test_handlers_run_as_the_event_is_emitted_and_what_they_emit_after_it() -> None:
    heard: list[str] = []
    handlers = Handlers()

    def first(uow: Any, event: Said) -> None:
        heard.append(f"first {event.text}")
        if not isinstance(event, Echoed):
            uow.emit(Echoed(event.text + "!"))
            heard.append("emitted")

    handlers.on(Said, first)  # Echoed is a Said: it reaches this handler too
    handlers.on(Echoed, lambda uow, event: heard.append(f"echo {event.text}"))
    storage = EventedStorage(MemoryStorage(), handlers)
    with storage.unit_of_work() as uow:
        uow.emit(Said("hallo"))
        heard.append("after emit")
    # An event's own handlers before those of the kinds it is a case of.
    assert heard == [
        "first hallo",
        "emitted",
        "echo hallo!",
        "first hallo!",
        "after emit",
    ]


def test_a_handler_writes_in_the_use_cases_transaction_and_fails_it() -> None:
    memory = MemoryStorage()
    handlers = Handlers()

    def keep(uow: Any, event: Said) -> None:
        uow.employers.add(Employer(id=new_id(), name=event.text, created_at=T0))
        if event.text == "fout":
            raise RuntimeError("the handler refuses")

    handlers.on(Said, keep)
    storage = EventedStorage(memory, handlers)
    with storage.unit_of_work() as uow:
        uow.emit(Said("goed"))
        uow.commit()
    with pytest.raises(RuntimeError), storage.unit_of_work() as uow:
        uow.emit(Said("fout"))  # never reaches a commit
    with storage.unit_of_work() as uow:  # not committed: nothing of the failed one stays
        uow.emit(Said("weg"))
    with memory.unit_of_work() as raw:
        assert [e.name for e in raw.employers.list()] == ["goed"]


def test_handlers_that_keep_emitting_are_stopped() -> None:
    handlers = Handlers()
    handlers.on(Said, lambda uow, event: uow.emit(Said(event.text)))
    storage = EventedStorage(MemoryStorage(), handlers)
    with pytest.raises(RuntimeError, match="loop"), storage.unit_of_work() as uow:
        uow.emit(Said("weer"))
