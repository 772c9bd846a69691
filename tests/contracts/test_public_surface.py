"""The public surface as a whole: every operation, driven the same way.

``tests/operations.py`` names every public operation of a Portal. From it:

- the registry is complete (a new public method fails here until it is added);
- every operation that acts for someone takes the actor first and requires it;
- no type an operation returns carries a hash, a secret or a token, but the one-time
  results that exist to hand one over;
- an actor of a role the access module does not know sees nothing;
- hostile text in any argument of any operation gets the SDK's own error and writes
  nothing but throttling counters, on every storage.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import inspect
import os
import pkgutil
import typing
from collections.abc import Callable
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import onzecoach
from onzecoach import (
    Actor,
    NotAuthenticated,
    NotFound,
    OnzecoachError,
    PermissionDenied,
    Portal,
    Role,
)
from onzecoach.actors import SERVICE_DESK
from onzecoach.adapters.memory import MemoryStorage
from onzecoach.ports import Storage
from onzecoach.results import OneTimeResult
from onzecoach.testing import FakeCalendarConnector, FrozenClock, RecordingMailer, RecordingSms
from operations import OPERATIONS, SERVICES, Operation, World, build_world
from storage_snapshot import snapshot
from support import T0, make_settings

# The registry ------------------------------------------------------------------------------


def _portal(storage: Storage | None = None) -> tuple[Portal, RecordingMailer, RecordingSms]:
    mailer, sms = RecordingMailer(), RecordingSms()
    portal = Portal(
        storage=storage or MemoryStorage(),
        mailer=mailer,
        sms=sms,
        clock=FrozenClock(T0),
        settings=make_settings(),
        calendars=FakeCalendarConnector(),
    )
    return portal, mailer, sms


def public_methods() -> dict[str, Callable[..., Any]]:
    portal, _, _ = _portal()
    found: dict[str, Callable[..., Any]] = {}
    for service in SERVICES:
        kind = type(getattr(portal, service))
        for name, function in inspect.getmembers(kind, inspect.isfunction):
            if not name.startswith("_"):
                found[f"{service}.{name}"] = function
    return found


def test_the_registry_names_every_public_operation() -> None:
    portal, _, _ = _portal()
    services = {
        name
        for name, value in vars(portal).items()
        if type(value).__module__.startswith("onzecoach.")
        and type(value).__name__.endswith("Service")
    }
    assert services == set(SERVICES)
    assert set(OPERATIONS) == set(public_methods())


@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_an_operation_for_someone_takes_the_actor_first_and_requires_it(name: str) -> None:
    parameters = list(inspect.signature(public_methods()[name]).parameters.values())[1:]
    if OPERATIONS[name].acts_for_someone:
        first = parameters[0]
        assert first.name == "actor"
        assert first.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
        assert first.default is inspect.Parameter.empty
        portal, _, _ = _portal()
        service, method = name.split(".")
        with pytest.raises(TypeError):
            getattr(getattr(portal, service), method)()
    else:
        assert "actor" not in {p.name for p in parameters}


# What operations return ---------------------------------------------------------------------

#: A field whose name has one of these words holds a secret or a key to one.
_SECRET_WORDS = frozenset({"hash", "secret", "token", "sealed", "password", "otp"})
#: Words that say when or what of a secret, not the secret itself.
_HARMLESS = frozenset({"password_changed_at"})


def _secret_like(name: str) -> bool:
    return name not in _HARMLESS and bool(_SECRET_WORDS & set(name.split("_")))


def _public_names() -> dict[str, Any]:
    names: dict[str, Any] = {}
    for module in pkgutil.walk_packages(onzecoach.__path__, "onzecoach."):
        if ".adapters" in module.name or ".cli" in module.name:
            continue
        loaded = importlib.import_module(module.name)
        for name in getattr(loaded, "__all__", ()):
            names[name] = getattr(loaded, name)
    return names


def _classes_in(hint: Any) -> list[type]:
    """The classes a type hint names, through unions, lists and tuples."""
    origin = typing.get_origin(hint)
    if origin is None:
        return [hint] if isinstance(hint, type) else []
    found = []
    for argument in typing.get_args(hint):
        found += _classes_in(argument)
    return found


def returned_models() -> dict[type, str]:
    """Every attrs class reachable from an operation's return type, with a path to it."""
    names = _public_names()
    seen: dict[type, str] = {}
    todo: list[tuple[type, str]] = []
    for name, function in public_methods().items():
        hint = typing.get_type_hints(function, localns=names)["return"]
        todo += [(kind, name) for kind in _classes_in(hint)]
    while todo:
        kind, path = todo.pop()
        if kind in seen or not attrs.has(kind):
            continue
        seen[kind] = path
        hints = typing.get_type_hints(kind, localns=names)
        for field in attrs.fields(kind):
            todo += [(inner, f"{path}.{field.name}") for inner in _classes_in(hints[field.name])]
    return seen


def test_no_returned_model_holds_a_hash_secret_or_token() -> None:
    found = returned_models()
    assert len(found) > 20  # the walk reaches the models, not just the top types
    leaks = [
        f"{path}: {kind.__name__}.{field.name}"
        for kind, path in found.items()
        if not issubclass(kind, OneTimeResult)
        for field in attrs.fields(kind)  # type: ignore[arg-type]
        if _secret_like(field.name) or field.repr is False
    ]
    assert leaks == []


def test_the_one_time_results_are_those_that_hand_over_a_secret() -> None:
    one_time = {kind.__name__ for kind in returned_models() if issubclass(kind, OneTimeResult)}
    assert one_time == {
        "BackupCodes",
        "Enrollment",
        "LoginChallenge",
        "PasskeyChallenge",
        "Session",
        "TotpSetup",
    }


# Who may see what ---------------------------------------------------------------------------


@pytest.fixture
def world(storage: Storage) -> World:
    portal, mailer, sms = _portal(storage)
    assert isinstance(portal.clock, FrozenClock)
    return build_world(portal, mailer, sms, portal.clock)


def _good(name: str, good: str) -> str:
    return good


def _nothing(result: object) -> bool:
    return result is None or result in ([], 0)


def test_an_actor_of_a_role_access_does_not_know_sees_nothing(world: World) -> None:
    # HR's own user and employer, under a role nobody taught the access module.
    stranger = Actor(
        user_id=world.hr.user_id,
        employer_id=world.hr.employer_id,
        role="auditor",  # type: ignore[arg-type]
    )
    before = snapshot(world.portal.storage)
    answered = {}
    for name, operation in sorted(OPERATIONS.items()):
        if not operation.acts_for_someone:
            continue
        try:
            result = operation.call(world, stranger, _good)
        except (NotFound, PermissionDenied, NotAuthenticated) as refused:
            answered[name] = type(refused).__name__
        else:
            assert _nothing(result), f"{name} answered {result!r}"
            answered[name] = "nothing"
    assert snapshot(world.portal.storage) == before
    assert "nothing" in answered.values()
    assert "NotFound" in answered.values()


@pytest.mark.parametrize("role", [Role.COACH, Role.INTEGRATION])
def test_a_coach_or_an_integration_gets_none_of_hrs_data(world: World, role: Role) -> None:
    actor = (
        Actor(user_id=world.hr.user_id, employer_id=None, role=Role.COACH)
        if role is Role.COACH
        else Actor.integration("planning", [world.employer_id])
    )
    for name in ("employees.dossier", "employees.get", "search.employees", "stats.dashboard"):
        with pytest.raises((NotFound, PermissionDenied)):
            OPERATIONS[name].call(world, actor, _good)
    if role is Role.COACH:
        with pytest.raises(NotFound):
            OPERATIONS["tasks.open"].call(world, actor, _good)
    else:
        assert OPERATIONS["tasks.open"].call(world, actor, _good) == []


# Hostile text -------------------------------------------------------------------------------

#: Strings that have broken text handling elsewhere: lone surrogates (a JSON body can carry
#: them), NUL and other control characters, digits that are not ASCII, direction and
#: zero-width marks, and very long strings.
SPECIAL = (
    "\ud800",
    "ab\udfffcd",
    "\x00",
    "abc\x00def",
    "\x1b[2J",
    "\r\n\t",
    "\u202eevil",
    "zero\u200bwidth",
    "\u0663\u0664\u0665\u0666\u0667\u0668",  # Arabic-Indic digits
    "\uff11\uff12\uff13\uff14\uff15\uff16",  # full-width digits
    "\U0001d7d9\U0001d7da\U0001d7db\U0001d7dc\U0001d7dd\U0001d7de",  # double-struck digits
    "\ufdfd",
    "\U0010ffff",
    "x" * 1_000_000,
    "\ud800" * 1000,
    "ber\x00",
    "' OR 1=1 --",
    "%_%",
    "",
    " ",
)
HOSTILE = st.one_of(
    st.sampled_from(SPECIAL),
    st.text(
        st.characters(categories=["Cc", "Cs", "Cf", "Co", "Cn", "Nd", "Zs", "Mn"]),
        min_size=1,
        max_size=12,
    ),
    st.tuples(st.sampled_from(["ber", "anna", "0612345678", "a@b.nl"]), st.text(max_size=3)).map(
        "".join
    ),
)
#: Operations a signed-in HR user cannot make: the service desk makes them.
DESK = (
    "admin.",
    "mfa.reset",
    "mfa.reseal",
    "outbox.messages",
    "outbox.requeue",
    "outbox.reseal",
    "search.rebuild",
    "stats.rebuild",
    "trajectories.record_appointment",
    "trajectories.request_extension",
    "coaches.",
    "coaching.reseal",
    "privacy.reapply",
    "privacy.erasures",
    "privacy.purge_due",
    "privacy.purge_runs",
)


@functools.cache
def text_parameters(name: str) -> tuple[str, ...]:
    """The text arguments ``name`` takes, read off one call in a world of its own."""
    portal, mailer, sms = _portal()
    assert isinstance(portal.clock, FrozenClock)
    world = build_world(portal, mailer, sms, portal.clock)
    seen: list[str] = []

    def record(parameter: str, good: str) -> str:
        seen.append(parameter)
        return good

    with contextlib.suppress(OnzecoachError):
        OPERATIONS[name].call(world, _actor(world, name), record)
    return tuple(dict.fromkeys(seen))


def _actor(world: World, name: str) -> Actor:
    if name.startswith(DESK):
        return SERVICE_DESK
    return world.coach if name.startswith("coaching.") else world.hr


HOSTILE_OPERATIONS = sorted(name for name in OPERATIONS if text_parameters(name))


#: Examples per operation and storage: few, and the same every run, so the suite takes a
#: minute or two and fails only for a real defect; ONZECOACH_HOSTILE_EXAMPLES=500 with
#: ONZECOACH_HOSTILE_RANDOM=1 searches wider.
HOSTILE_EXAMPLES = int(os.environ.get("ONZECOACH_HOSTILE_EXAMPLES", "12"))


@pytest.mark.parametrize("name", HOSTILE_OPERATIONS)
@settings(
    max_examples=HOSTILE_EXAMPLES,
    derandomize=os.environ.get("ONZECOACH_HOSTILE_RANDOM") != "1",
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_hostile_text_gets_the_sdks_own_error_and_writes_nothing(
    world: World, name: str, data: st.DataObject
) -> None:
    operation: Operation = OPERATIONS[name]
    target = data.draw(st.sampled_from(text_parameters(name)), label="parameter")
    hostile = data.draw(HOSTILE, label="text")

    def text(parameter: str, good: str) -> str:
        return hostile if parameter == target else good

    before = snapshot(world.portal.storage)
    try:
        operation.call(world, _actor(world, name), text)
    except OnzecoachError:
        assert snapshot(world.portal.storage) == before, f"{name} wrote before refusing"


def test_the_hostile_suite_covers_every_operation_that_takes_text() -> None:
    without = sorted(set(OPERATIONS) - set(HOSTILE_OPERATIONS))
    # These take no text at all: an actor, numbers, dates or nothing.
    assert without == [
        "admin.employers",
        "auth.passkey_offered",
        "coaches.list",
        "coaches.me",
        "coaches.pull_calendars",
        "coaches.reseal",
        "coaching.agenda",
        "coaching.reseal",
        "employees.not_booked",
        "mfa.backup_codes_left",
        "mfa.methods",
        "mfa.regenerate_backup_codes",
        "mfa.reseal",
        "mfa.setup_token",
        "outbox.backlog",
        "outbox.dispatch_due",
        "outbox.reseal",
        "privacy.erasures",
        "privacy.purge_due",
        "privacy.purge_runs",
        "privacy.reapply",
        "tasks.open",
        "trajectories.types",
    ]
