"""The documentation's worked examples work as the docs say.

``make docs`` builds the site with warnings as errors and type-checks ``docs/snippets``;
this runs the SMS gateway example against a fake gateway and through a Portal, and the
web recipes (FastAPI and Flask, docs/web-frameworks.md) through their test clients.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import re
import sys
import threading
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from onzecoach import Portal, SmsDeliveryError, StorageError, Throttled
from onzecoach.actors import SERVICE_DESK
from onzecoach.adapters.memory import MemoryStorage
from onzecoach.adapters.sql import SqlStorage
from onzecoach.messages import ERRORS
from onzecoach.testing import FrozenClock, RecordingMailer, RecordingSms, SmsMessage
from onzecoach.testing.contracts import SmsFailure, SmsSenderContract
from operations import World, build_world
from support import T0, TEST_SECRET_KEY, make_settings

SNIPPETS = Path(__file__).parent.parent / "docs" / "snippets"
SNIPPET = SNIPPETS / "sms_gateway.py"


def _load() -> Any:
    spec = importlib.util.spec_from_file_location("docs_sms_gateway", SNIPPET)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.BerichtenbusSms


def _gateway(handler: Any) -> Any:
    return _load()(api_key="k" * 24, transport=httpx.MockTransport(handler))


def test_the_example_posts_the_message_with_its_key() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(202)

    gateway = _gateway(handler)
    gateway.send("+31612345678", "Je code is k7m2x9qa")
    gateway.close()

    assert seen[0].headers["X-Api-Key"] == "k" * 24
    assert json.loads(seen[0].content) == {
        "recipient": "+31612345678",
        "message": "Je code is k7m2x9qa",
    }
    assert "k" * 24 not in repr(gateway)


@pytest.mark.parametrize(
    ("status", "permanent"), [(400, True), (401, True), (429, False), (503, False)]
)
def test_the_example_says_whether_a_retry_can_help(status: int, permanent: bool) -> None:
    gateway = _gateway(lambda _: httpx.Response(status, text="+31612345678 k7m2x9qa"))
    with pytest.raises(SmsDeliveryError) as caught:
        gateway.send("+31612345678", "Je code is k7m2x9qa")
    assert caught.value.permanent is permanent
    assert caught.value.unreachable is False  # it answered
    assert "k7m2x9qa" not in str(caught.value)
    assert "31612345678" not in str(caught.value)


def test_a_timeout_is_worth_another_try() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    with pytest.raises(SmsDeliveryError) as caught:
        _gateway(handler).send("+31612345678", "Je code is k7m2x9qa")
    assert caught.value.permanent is False
    assert caught.value.unreachable is True


def test_a_gateway_that_takes_no_connection_is_unreachable() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    with pytest.raises(SmsDeliveryError) as caught:
        _gateway(handler).send("+31612345678", "Je code is k7m2x9qa")
    assert (caught.value.permanent, caught.value.unreachable) == (False, True)


def test_a_portal_sends_its_codes_through_the_example() -> None:
    texts: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        texts.append(json.loads(request.content)["message"])
        return httpx.Response(202)

    mailer = RecordingMailer()
    portal = Portal(
        storage=MemoryStorage(),
        mailer=mailer,
        sms=_gateway(handler),
        settings=make_settings(),
    )
    employer = portal.admin.create_employer(SERVICE_DESK, "Voorbeeld B.V.")
    portal.admin.invite_user(
        SERVICE_DESK, employer.id, email="hr@voorbeeld.nl", username="hr.voorbeeld"
    )
    portal.outbox.dispatch_due()
    part = mailer.sent[-1].get_body(preferencelist=("plain",))
    assert part is not None
    token = re.search(r"/registreren/(\S+)", str(part.get_content()))
    assert token
    enrollment = portal.accounts.register(token.group(1), "Koffie-Met-Melk-2026")

    portal.mfa.begin_sms(enrollment.token, "06 12345678")

    assert len(texts) == 1


class TestTheExampleKeepsTheSmsContract(SmsSenderContract):
    """The example passes the contract every SmsSender passes; its gateway quotes back."""

    @pytest.fixture
    def received(self) -> list[Any]:
        return []

    @pytest.fixture
    def sms_sender(self, received: list[Any]) -> Any:
        def handler(request: httpx.Request) -> httpx.Response:
            received.append(json.loads(request.content))
            return httpx.Response(202)

        return _gateway(handler)

    @pytest.fixture
    def sms_inbox(self, received: list[Any]) -> Callable[[], list[SmsMessage]]:
        return lambda: [SmsMessage(to=b["recipient"], text=b["message"]) for b in received]

    @pytest.fixture
    def failing_sms_sender(self) -> Callable[[SmsFailure], Any]:
        def make(how: SmsFailure) -> Any:
            def handler(request: httpx.Request) -> httpx.Response:
                if how == "unreachable":
                    raise httpx.ConnectError("[Errno 111] Connection refused", request=request)
                status = 400 if how == "refused" else 503
                return httpx.Response(status, text=request.content.decode())

            return _gateway(handler)

        return make

    @pytest.fixture
    def secrets(self) -> tuple[str, ...]:
        return ("k" * 24,)


# The web recipes -------------------------------------------------------------------------


def _recipe(name: str) -> ModuleType:
    """A module of docs/snippets, imported as the docs run it: beside ``web_common``."""
    if str(SNIPPETS) not in sys.path:
        sys.path.insert(0, str(SNIPPETS))
    return importlib.import_module(name)


#: (status, JSON body, content type) of one request.
Answer = tuple[int, Any, str]
Call = Callable[..., Answer]


@pytest.fixture
def world() -> World:
    clock, mailer, sms = FrozenClock(T0), RecordingMailer(), RecordingSms()
    portal = Portal(
        storage=MemoryStorage(), mailer=mailer, sms=sms, clock=clock, settings=make_settings()
    )
    return build_world(portal, mailer, sms, clock)


def _fastapi_client(portal: Portal) -> Call:
    client = TestClient(_recipe("web_fastapi").create_app(portal))

    def call(method: str, path: str, *, token: str | None = None, body: Any = None) -> Answer:
        headers = {} if token is None else {"Authorization": f"Bearer {token}"}
        response = client.request(method, path, headers=headers, json=body)
        return response.status_code, response.json(), response.headers["content-type"]

    return call


def _flask_client(portal: Portal) -> Call:
    client = _recipe("web_flask").create_app(portal).test_client()

    def call(method: str, path: str, *, token: str | None = None, body: Any = None) -> Answer:
        headers = {} if token is None else {"Authorization": f"Bearer {token}"}
        response = client.open(path, method=method, headers=headers, json=body)
        return response.status_code, response.get_json(force=True), response.content_type

    return call


@pytest.fixture(params=["fastapi", "flask"])
def call(request: pytest.FixtureRequest, world: World) -> Call:
    make = _fastapi_client if request.param == "fastapi" else _flask_client
    return make(world.portal)


def test_a_recipe_answers_a_model_as_json(call: Call, world: World) -> None:
    status, body, content_type = call(
        "GET", f"/employees/{world.employee_id}", token=world.session_token
    )

    assert (status, content_type) == (200, "application/json")
    assert body["id"] == world.employee_id
    assert body["name_infix"] == "van den"
    assert body["birth_date"] == "1985-02-28"  # a date
    assert body["gender"] == "female"  # an enum
    assert body["created_at"] == "2026-03-02T09:30:30+00:00"  # a datetime, in UTC


def test_a_recipe_answers_a_nested_model_as_json(call: Call, world: World) -> None:
    status, body, _ = call(
        "GET", f"/employees/{world.employee_id}/dossier", token=world.session_token
    )

    assert status == 200
    (row,) = body["trajectories"]
    assert row["id"] == world.trajectory_id
    assert (row["status"], row["is_extension"], row["parent_id"]) == ("running", False, None)
    assert "PA-1" in [a["external_id"] for a in row["appointments"]]
    assert {a["theme"] for a in row["appointments"]} == {None}  # never what one discusses
    assert body["open_tasks"][0]["kind"] == "extension_request"


def test_a_recipe_answers_not_found_with_the_code(call: Call, world: World) -> None:
    status, body, content_type = call("GET", f"/employees/{'0' * 32}", token=world.session_token)

    assert (status, content_type) == (404, "application/problem+json")
    assert body == {
        "type": "urn:onzecoach:error:employee.not_found",
        "title": ERRORS["employee.not_found"],
        "status": 404,
        "code": "employee.not_found",
    }


def test_a_recipe_answers_bad_fields_with_every_field_error(call: Call, world: World) -> None:
    status, body, content_type = call(
        "POST",
        "/employees",
        token=world.session_token,
        body={"last_name": "Jansen", "email": "geen adres", "department_id": "elders"},
    )

    assert (status, content_type) == (422, "application/problem+json")
    assert body["code"] == "validation.invalid"
    fields = {error["field"]: error for error in body["errors"]}
    assert {"given_name", "initials", "gender", "birth_date", "email", "department_id"} <= set(
        fields
    )
    assert "last_name" not in fields
    assert fields["given_name"]["code"] == "required"
    assert all(error["message"] for error in body["errors"])  # Dutch, for the person


def test_a_recipe_registers_an_employee(call: Call, world: World) -> None:
    form = {
        "last_name": "de Vries",
        "given_name": "Piet",
        "initials": "P",
        "gender": "man",
        "birth_date": "01-02-1990",
        "email": "piet@acme.nl",
    }
    status, body, _ = call("POST", "/employees", token=world.session_token, body=form)

    assert status == 201
    assert (body["name_infix"], body["last_name"], body["gender"]) == ("de", "Vries", "male")
    assert body["birth_date"] == "1990-02-01"


@pytest.mark.parametrize("token", [None, "verlopen", ""])
def test_a_recipe_answers_without_a_session_with_401(
    call: Call, world: World, token: str | None
) -> None:
    status, body, _ = call("GET", f"/employees/{world.employee_id}", token=token)

    assert status == 401
    assert body["code"] == "session.expired"


def test_a_recipe_answers_after_logout_with_401(call: Call, world: World) -> None:
    world.portal.auth.logout(world.session_token)

    status, body, _ = call("GET", f"/employees/{world.employee_id}", token=world.session_token)

    assert (status, body["code"]) == (401, "session.expired")


def test_the_problem_of_a_throttled_call_says_when_to_try_again() -> None:
    common = _recipe("web_common")
    error = Throttled("login.throttled", retry_at=T0 + timedelta(minutes=2))

    body, status, headers = common.problem(error)

    assert (status, body["code"]) == (429, "login.throttled")
    assert body["retry_at"] == "2026-03-02T09:32:00+00:00"
    assert headers == {"Retry-After": "Mon, 02 Mar 2026 09:32:00 GMT"}


def test_the_problem_of_an_adapter_error_keeps_its_detail_for_the_log() -> None:
    common = _recipe("web_common")

    body, status, _ = common.problem(StorageError("connecting failed: OperationalError"))

    assert status == 503
    assert body["title"] == ERRORS["storage.failed"]
    assert "OperationalError" not in json.dumps(body)


def test_the_bearer_token_is_read_from_the_header() -> None:
    bearer_token = _recipe("web_common").bearer_token

    assert bearer_token("Bearer abc") == "abc"
    assert bearer_token("bearer  abc ") == "abc"
    assert bearer_token("Basic abc") == ""
    assert bearer_token(None) == ""


def test_the_recipes_build_their_portal_from_the_configuration(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("ONZECOACH_CONFIG", raising=False)
    monkeypatch.setenv("ONZECOACH_DATABASE_URL", "sqlite://")
    monkeypatch.setenv("ONZECOACH_BASE_URL", "https://portaal.example.nl")
    monkeypatch.setenv("ONZECOACH_SECRET_KEY", TEST_SECRET_KEY)
    monkeypatch.setenv("ONZECOACH_SMTP_HOST", "smtp.example.nl")
    monkeypatch.setenv("ONZECOACH_PRIVACY_MIN_GROUP", "5")

    portal = _recipe("web_common").build_portal()
    try:
        assert isinstance(portal.storage, SqlStorage)
        assert portal.settings.privacy_min_group == 5
        employer = portal.admin.create_employer(SERVICE_DESK, "Voorbeeld B.V.")  # migrated
        assert portal.admin.employer(SERVICE_DESK, employer.id).name == "Voorbeeld B.V."
        assert _recipe("web_fastapi").create_app(portal).title == "Portaal API"
        assert _recipe("web_flask").create_app(portal).name == "web_flask"
    finally:
        portal.storage.close()


def test_the_outbox_thread_sends_what_is_due_until_stopped(world: World) -> None:
    common = _recipe("web_common")
    world.portal.admin.resend_invitation(SERVICE_DESK, world.invited_user_id)
    before = len(world.mailer.sent)
    stop = threading.Event()
    thread = threading.Thread(
        target=common.dispatch_in_thread, args=(world.portal, stop), kwargs={"idle": 0.01}
    )
    thread.start()
    try:
        for _ in range(500):
            if len(world.mailer.sent) > before:
                break
            stop.wait(0.01)
    finally:
        stop.set()
        thread.join(timeout=5)

    assert not thread.is_alive()
    assert len(world.mailer.sent) == before + 1
