"""The documentation's worked SMS gateway example works as the docs say.

``make docs`` builds the site with warnings as errors and type-checks the example; this
runs it against a fake gateway and through a Portal.
"""

from __future__ import annotations

import importlib.util
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from onzecoach import Portal, SmsDeliveryError
from onzecoach.actors import SERVICE_DESK
from onzecoach.adapters.memory import MemoryStorage
from onzecoach.testing import RecordingMailer, SmsMessage
from onzecoach.testing.contracts import SmsFailure, SmsSenderContract
from support import make_settings

SNIPPET = Path(__file__).parent.parent / "docs" / "snippets" / "sms_gateway.py"


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
