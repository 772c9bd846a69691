"""The contract of the ``SmsSender`` port: what every SMS adapter does."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal

import pytest

from onzecoach import SmsDeliveryError
from onzecoach.notifications import SmsMessage, SmsSender
from onzecoach.testing.contracts._delivery import assert_shows_none

__all__ = ["SmsFailure", "SmsSenderContract"]

#: How an SMS gateway fails, as ``failing_sms_sender`` stages it.
SmsFailure = Literal["refused", "busy", "unreachable"]

NUMBER = "+31612345678"
CODE = "4k7x2m"
TEXT = f"Je code is {CODE}; hij is 10 minuten geldig. Groet, Anna ëé"


class SmsSenderContract:
    """What every ``SmsSender`` does; subclass it in a test module and provide the fixtures.

    ``sms_sender``
        The ``SmsSender`` under test, sending to a gateway (or a fake of one) that takes
        every message.
    ``sms_inbox``
        A callable: the text messages that arrived so far, oldest first, as
        ``SmsMessage(to, text)``. It sees what ``sms_sender`` and every sender of
        ``failing_sms_sender`` delivered.
    ``failing_sms_sender``
        A callable: given an ``SmsFailure``, an ``SmsSender`` whose gateway fails that way.
        ``"refused"``: it refuses every message for good (a 4xx answer: a bad number, a
        bad key); ``"busy"``: it answers but takes nothing now (a 429 or 503 answer);
        ``"unreachable"``: nothing answers (no connection, or none in time). Have it quote
        the request back where it can (number and text), as real gateways do: the error
        must not pass that on. Call ``pytest.skip`` for a failure you cannot stage.
    ``secrets`` (optional)
        The credentials the senders were made with, which no error message and no repr may
        show. None by default.
    """

    @pytest.fixture
    def secrets(self) -> Sequence[str]:
        """The credentials the senders were made with; none unless a subclass says."""
        return ()

    def test_a_text_arrives_whole_at_its_number(
        self, sms_sender: SmsSender, sms_inbox: Callable[[], Sequence[SmsMessage]]
    ) -> None:
        sms_sender.send(NUMBER, TEXT)
        assert list(sms_inbox()) == [SmsMessage(to=NUMBER, text=TEXT)]

    def test_texts_arrive_in_order_each_at_its_own_number(
        self, sms_sender: SmsSender, sms_inbox: Callable[[], Sequence[SmsMessage]]
    ) -> None:
        sent = [
            SmsMessage(to=NUMBER, text="Je code is 111111"),
            SmsMessage(to="+32470123456", text="Je code is 222222"),
            SmsMessage(to=NUMBER, text="Tot morgen om 10:30!"),
        ]
        for message in sent:
            sms_sender.send(message.to, message.text)
        assert list(sms_inbox()) == sent

    def test_a_refusal_is_permanent(
        self,
        failing_sms_sender: Callable[[SmsFailure], SmsSender],
        sms_inbox: Callable[[], Sequence[SmsMessage]],
    ) -> None:
        error = failure(failing_sms_sender("refused"))
        assert error.permanent, "a refusal must be permanent: no retry can help"
        assert not error.unreachable, "a gateway that answered was reached"
        assert list(sms_inbox()) == []

    def test_a_busy_gateway_is_worth_another_try(
        self,
        failing_sms_sender: Callable[[SmsFailure], SmsSender],
        sms_inbox: Callable[[], Sequence[SmsMessage]],
    ) -> None:
        error = failure(failing_sms_sender("busy"))
        assert not error.permanent, "a busy gateway is worth another try"
        assert not error.unreachable, "a gateway that answered was reached"
        assert list(sms_inbox()) == []

    def test_a_gateway_out_of_reach_is_unreachable_and_worth_another_try(
        self,
        failing_sms_sender: Callable[[SmsFailure], SmsSender],
        sms_inbox: Callable[[], Sequence[SmsMessage]],
    ) -> None:
        error = failure(failing_sms_sender("unreachable"))
        assert error.unreachable, "the outbox must know that the next text would wait as long"
        assert not error.permanent, "the gateway may be back later"
        assert list(sms_inbox()) == []

    @pytest.mark.parametrize("how", ["refused", "busy", "unreachable"])
    def test_no_error_shows_the_text_the_number_or_a_secret(
        self,
        failing_sms_sender: Callable[[SmsFailure], SmsSender],
        secrets: Sequence[str],
        how: SmsFailure,
    ) -> None:
        failing = failing_sms_sender(how)
        error = failure(failing)
        # The text may hold a login code; the number is personal data.
        hidden = [*secrets, TEXT, CODE, NUMBER, NUMBER[1:]]
        for shown, what in ((str(error), "the error"), (repr(error), "the error's repr")):
            assert_shows_none(shown, hidden, what)
        assert_shows_none(repr(failing), secrets, "the sender's repr")

    def test_the_repr_shows_no_secret(self, sms_sender: SmsSender, secrets: Sequence[str]) -> None:
        assert_shows_none(repr(sms_sender), secrets, "the sender's repr")


def failure(sender: SmsSender) -> SmsDeliveryError:
    """The ``SmsDeliveryError`` that sending the code raises."""
    with pytest.raises(SmsDeliveryError) as raised:
        sender.send(NUMBER, TEXT)
    return raised.value
