"""The outbox through the public API, on every storage adapter."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from email.message import EmailMessage

import attrs
import pytest

from onzecoach import MailDeliveryError, NotFound, Portal, Settings, SmsDeliveryError
from onzecoach.actors import SERVICE_DESK
from onzecoach.crypto import ResealReport
from onzecoach.notifications import (
    Attachment,
    MailContent,
    OutboxMessage,
    OutboxStatus,
    new_email,
    new_sms,
    outbox_context,
)
from onzecoach.ports import Storage
from onzecoach.testing import FrozenClock, RecordingMailer, RecordingSms
from onzecoach.testing.contracts._builders import race
from support import NEW_SECRET_KEY, make_settings

StorageFactory = Callable[[], Storage]


def mail(
    settings: Settings, *, to: str, now: datetime, delay: timedelta | None = None
) -> OutboxMessage:
    return new_email(
        settings,
        to=to,
        content=MailContent(subject="Hallo", greeting="Beste Anna,", paragraphs=["Tekst."]),
        kind="test",
        now=now,
        not_before=None if delay is None else now + delay,
    )


def queue(portal: Portal, *, to: str = "anna@example.nl", delay: timedelta | None = None) -> str:
    message = mail(portal.settings, to=to, now=portal.clock.now(), delay=delay)
    with portal.storage.unit_of_work() as uow:
        uow.outbox.add(message)
        uow.commit()
    return message.id


def status(portal: Portal, message_id: str) -> OutboxMessage:
    with portal.storage.unit_of_work() as uow:
        found = uow.outbox.get(message_id)
    assert found is not None
    return found


def test_a_message_of_a_rolled_back_transaction_is_never_sent(
    portal: Portal, mailer: RecordingMailer, clock: FrozenClock
) -> None:
    with portal.storage.unit_of_work() as uow:
        uow.outbox.add(mail(portal.settings, to="anna@example.nl", now=clock.now()))
        uow.rollback()
    clock.advance(timedelta(days=30))
    assert portal.outbox.dispatch_due() == 0
    assert mailer.sent == []
    assert portal.outbox.messages(SERVICE_DESK) == []


def test_a_committed_message_is_sent_once(
    portal: Portal, mailer: RecordingMailer, clock: FrozenClock
) -> None:
    message_id = queue(portal)
    assert portal.outbox.dispatch_due() == 1
    assert portal.outbox.dispatch_due() == 0
    clock.advance(timedelta(days=1))
    assert portal.outbox.dispatch_due() == 0
    assert [m["To"] for m in mailer.sent] == ["anna@example.nl"]
    sent = status(portal, message_id)
    assert sent.status is OutboxStatus.SENT
    assert sent.sent_at == clock.now() - timedelta(days=1)
    assert sent.attempts == 1


def test_not_before_holds_a_message_back(
    portal: Portal, mailer: RecordingMailer, clock: FrozenClock
) -> None:
    queue(portal, delay=timedelta(hours=3))
    assert portal.outbox.dispatch_due() == 0
    clock.advance(timedelta(hours=2, minutes=59))
    assert portal.outbox.dispatch_due() == 0
    clock.advance(timedelta(minutes=1))
    assert portal.outbox.dispatch_due() == 1
    assert len(mailer.sent) == 1


def test_failures_back_off_then_the_message_is_kept_as_dead(
    portal: Portal, mailer: RecordingMailer, clock: FrozenClock, settings: Settings
) -> None:
    message_id = queue(portal)
    mailer.fail_with = MailDeliveryError("mail.example.nl:587 unreachable")
    waits = []
    for attempt in range(1, settings.outbox_max_attempts + 1):
        before = clock.now()
        assert portal.outbox.dispatch_due() == 0
        failed = status(portal, message_id)
        assert failed.attempts == attempt
        assert failed.last_error == "mail.example.nl:587 unreachable"
        if attempt < settings.outbox_max_attempts:
            assert failed.status is OutboxStatus.PENDING
            waits.append(failed.not_before - before)
            clock.advance(failed.not_before - before - timedelta(seconds=1))
            assert portal.outbox.dispatch_due() == 0  # not yet due
            clock.advance(timedelta(seconds=1))
    assert waits == [settings.retry_delay(n) for n in range(1, settings.outbox_max_attempts)]
    assert waits == sorted(waits)
    assert waits[0] < waits[-1]
    dead = status(portal, message_id)
    assert dead.status is OutboxStatus.DEAD
    assert portal.outbox.messages(SERVICE_DESK, status=OutboxStatus.DEAD) == [dead.view()]

    mailer.fail_with = None
    clock.advance(timedelta(days=7))
    assert portal.outbox.dispatch_due() == 0  # dead stays dead until requeued
    portal.outbox.requeue(SERVICE_DESK, message_id)
    assert portal.outbox.dispatch_due() == 1
    assert len(mailer.sent) == 1


def test_a_permanent_refusal_is_dead_at_once(portal: Portal, mailer: RecordingMailer) -> None:
    message_id = queue(portal)
    mailer.fail_with = MailDeliveryError("550 no such user", permanent=True)
    assert portal.outbox.dispatch_due() == 0
    dead = status(portal, message_id)
    assert (dead.status, dead.attempts, dead.last_error) == (
        OutboxStatus.DEAD,
        1,
        "550 no such user",
    )


def test_a_misbehaving_mailer_fails_the_message_not_the_dispatcher(
    portal: Portal, mailer: RecordingMailer
) -> None:
    failing, fine = queue(portal, to="a@example.nl"), queue(portal, to="b@example.nl")
    original = mailer.send

    def send(message: EmailMessage) -> None:
        if message["To"] == "a@example.nl":
            raise RuntimeError("adapter bug")
        original(message)

    mailer.send = send  # type: ignore[method-assign]
    assert portal.outbox.dispatch_due() == 1
    assert status(portal, failing).last_error == "RuntimeError raised by the adapter (see the log)"
    assert status(portal, failing).status is OutboxStatus.PENDING
    assert status(portal, fine).status is OutboxStatus.SENT


def test_a_dispatcher_that_died_mid_send_is_taken_over_after_its_lease(
    portal: Portal, mailer: RecordingMailer, clock: FrozenClock, settings: Settings
) -> None:
    message_id = queue(portal)
    with portal.storage.unit_of_work() as uow:  # a dispatcher claims, then dies
        now = clock.now()
        uow.outbox.claim_due(now=now, lease_until=now + settings.outbox_lease, limit=10)
        uow.commit()
    assert portal.outbox.dispatch_due() == 0
    clock.advance(settings.outbox_lease)
    assert portal.outbox.dispatch_due() == 1
    assert status(portal, message_id).attempts == 2
    assert len(mailer.sent) == 1


def test_requeue_only_takes_dead_messages(portal: Portal) -> None:
    message_id = queue(portal)
    with pytest.raises(NotFound):
        portal.outbox.requeue(SERVICE_DESK, message_id)
    with pytest.raises(NotFound):
        portal.outbox.requeue(SERVICE_DESK, "0" * 32)


class SlowMailer(RecordingMailer):
    """Takes a moment per message, so that concurrent dispatchers overlap."""

    def send(self, message: EmailMessage) -> None:
        time.sleep(0.002)
        super().send(message)


def test_two_dispatchers_at_once_send_every_message_exactly_once(
    storage_factory: StorageFactory, clock: FrozenClock, settings: Settings
) -> None:
    settings = attrs.evolve(settings, outbox_batch_size=7)
    mailer = SlowMailer()
    # Each dispatcher has its own storage (own engine and pool), as separate processes do.
    portals = [
        Portal(storage=storage_factory(), mailer=mailer, clock=clock, settings=settings)
        for _ in range(2)
    ]
    ids = {queue(portals[0], to=f"medewerker{i}@example.nl") for i in range(120)}
    counts = race([p.outbox.dispatch_due for p in portals])

    assert all(isinstance(count, int) for count in counts), counts
    delivered = Counter(m["To"] for m in mailer.sent)
    assert len(delivered) == 120
    assert set(delivered.values()) == {1}
    assert sum(c for c in counts if isinstance(c, int)) == 120
    assert all(status(portals[0], i).status is OutboxStatus.SENT for i in ids)


def test_storages_of_one_factory_share_their_data(
    storage_factory: StorageFactory, clock: FrozenClock, settings: Settings
) -> None:
    """The concurrency test above means something only if the dispatchers share data."""
    first, second = storage_factory(), storage_factory()
    queue(Portal(storage=first, mailer=RecordingMailer(), clock=clock, settings=settings))
    with second.unit_of_work() as uow:
        assert len(uow.outbox.list()) == 1


def test_a_message_whose_lease_ran_out_during_the_batch_is_left_alone(
    storage: Storage, clock: FrozenClock
) -> None:
    settings = make_settings(outbox_lease=timedelta(seconds=30))

    class SlowServer(RecordingMailer):
        def send(self, message: EmailMessage) -> None:
            clock.advance(timedelta(seconds=20))  # each send eats 20 s of a 30 s lease
            super().send(message)

    mailer = SlowServer()
    portal = Portal(storage=storage, mailer=mailer, clock=clock, settings=settings)
    first = queue(portal, to="a@example.nl")
    clock.advance(timedelta(seconds=1))  # queued in this order, so claimed in this order
    second = queue(portal, to="b@example.nl")
    clock.advance(timedelta(seconds=1))
    third = queue(portal, to="c@example.nl")
    assert portal.outbox.dispatch_due() == 3
    # The first two went out under the first claim; the third's lease had run out, so it
    # was left for the next claim (here the same dispatcher's next round) and sent once.
    assert [m["To"] for m in mailer.sent] == ["a@example.nl", "b@example.nl", "c@example.nl"]
    assert status(portal, third).attempts == 2
    assert status(portal, first).attempts == 1
    assert status(portal, second).status is OutboxStatus.SENT


def test_sms_without_a_configured_sender_is_dead_at_once(
    storage: Storage, clock: FrozenClock, settings: Settings
) -> None:
    portal = Portal(storage=storage, mailer=RecordingMailer(), clock=clock, settings=settings)
    sms = new_sms(settings, to="+31612345678", text="Code 123456", kind="t", now=clock.now())
    with storage.unit_of_work() as uow:
        uow.outbox.add(sms)
        uow.commit()
    assert portal.outbox.dispatch_due() == 0
    dead = status(portal, sms.id)
    assert dead.status is OutboxStatus.DEAD
    assert dead.last_error == "no SmsSender is configured on this Portal"


def test_sms_goes_through_the_sms_port(
    portal: Portal, sms: RecordingSms, clock: FrozenClock
) -> None:
    text = new_sms(
        portal.settings, to="+31612345678", text="Je code is 4k7x2m", kind="test", now=clock.now()
    )
    with portal.storage.unit_of_work() as uow:
        uow.outbox.add(text)
        uow.commit()
    assert portal.outbox.dispatch_due() == 1
    assert [(m.to, m.text) for m in sms.sent] == [("+31612345678", "Je code is 4k7x2m")]


# A server that cannot be reached ------------------------------------------------------------

MAIL_DOWN = "mail.example.nl:587 did not answer within 10 s"
SMS_DOWN = "sms.example.nl could not be reached: [Errno 111] Connection refused"


class TriedMailer(RecordingMailer):
    """A RecordingMailer that also keeps every recipient it was asked to send to."""

    def __init__(self) -> None:
        super().__init__()
        self.tried: list[str] = []

    def send(self, message: EmailMessage) -> None:
        self.tried.append(str(message["To"]))
        super().send(message)


class TriedSms(RecordingSms):
    """A RecordingSms that also keeps every number it was asked to send to."""

    def __init__(self) -> None:
        super().__init__()
        self.tried: list[str] = []

    def send(self, to: str, text: str) -> None:
        self.tried.append(to)
        super().send(to, text)


def queue_sms(portal: Portal, *, to: str) -> str:
    message = new_sms(
        portal.settings, to=to, text="Je code is 4k7x2m", kind="test", now=portal.clock.now()
    )
    with portal.storage.unit_of_work() as uow:
        uow.outbox.add(message)
        uow.commit()
    return message.id


def queue_in_order(clock: FrozenClock, queue_one: Callable[[int], str], count: int) -> list[str]:
    """Queue ``count`` messages a second apart, so that they are claimed in this order."""
    ids = []
    for n in range(count):
        ids.append(queue_one(n))
        clock.advance(timedelta(seconds=1))
    return ids


def test_an_unreachable_mail_server_is_tried_once_and_the_rest_wait_untried(
    storage: Storage, clock: FrozenClock, settings: Settings
) -> None:
    mailer = TriedMailer()
    mailer.fail_with = MailDeliveryError(MAIL_DOWN, unreachable=True)
    portal = Portal(storage=storage, mailer=mailer, clock=clock, settings=settings)
    first, *rest = queue_in_order(clock, lambda n: queue(portal, to=f"medewerker{n}@example.nl"), 5)

    assert portal.outbox.dispatch_due() == 0

    assert mailer.tried == ["medewerker0@example.nl"]
    retry_at = clock.now() + settings.retry_delay(1)
    tried = status(portal, first)
    assert (tried.status, tried.attempts, tried.last_error, tried.not_before) == (
        OutboxStatus.PENDING,
        1,
        MAIL_DOWN,
        retry_at,
    )
    for message_id in rest:
        untried = status(portal, message_id)
        assert untried.status is OutboxStatus.PENDING
        assert untried.attempts == 0  # the claim's try is given back
        assert untried.locked_until is None
        assert untried.not_before == retry_at
        assert (
            untried.last_error == f"not tried: the mail server could not be reached ({MAIL_DOWN})"
        )

    # Nothing is due before the retry; then the server is back and every mail goes out.
    assert portal.outbox.dispatch_due() == 0
    assert len(mailer.tried) == 1
    mailer.fail_with = None
    clock.advance(settings.retry_delay(1))
    assert portal.outbox.dispatch_due() == 5
    assert sorted(mailer.tried[1:]) == sorted(f"medewerker{n}@example.nl" for n in range(5))
    assert status(portal, first).attempts == 2
    assert [status(portal, message_id).attempts for message_id in rest] == [1, 1, 1, 1]
    assert all(status(portal, message_id).last_error is None for message_id in rest)


def test_a_backlog_larger_than_a_batch_still_costs_one_try_per_call(
    storage: Storage, clock: FrozenClock
) -> None:
    settings = make_settings(outbox_batch_size=2)
    mailer = TriedMailer()
    mailer.fail_with = MailDeliveryError(MAIL_DOWN, unreachable=True)
    portal = Portal(storage=storage, mailer=mailer, clock=clock, settings=settings)
    first, *rest = queue_in_order(clock, lambda n: queue(portal, to=f"medewerker{n}@example.nl"), 7)

    assert portal.outbox.dispatch_due() == 0

    assert mailer.tried == ["medewerker0@example.nl"]
    assert status(portal, first).attempts == 1
    assert [status(portal, message_id).attempts for message_id in rest] == [0] * 6
    assert {status(portal, message_id).status for message_id in rest} == {OutboxStatus.PENDING}

    clock.advance(settings.retry_delay(1))
    assert portal.outbox.dispatch_due() == 0
    assert len(mailer.tried) == 2  # the next call tries once more, again for all of them


@pytest.mark.parametrize("down", ["mail", "sms"])
def test_the_other_channel_keeps_sending_while_one_is_unreachable(
    storage: Storage, clock: FrozenClock, settings: Settings, down: str
) -> None:
    mailer, sms = TriedMailer(), TriedSms()
    if down == "mail":
        mailer.fail_with = MailDeliveryError(MAIL_DOWN, unreachable=True)
    else:
        sms.fail_with = SmsDeliveryError(SMS_DOWN, unreachable=True)
    portal = Portal(storage=storage, mailer=mailer, sms=sms, clock=clock, settings=settings)
    # Mail and SMS in turn: the dead channel's messages come before and after the others.
    ids = queue_in_order(
        clock,
        lambda n: (
            queue(portal, to=f"medewerker{n}@example.nl")
            if n % 2 == 0
            else queue_sms(portal, to=f"+3161234567{n}")
        ),
        8,
    )
    mail_ids, sms_ids = ids[0::2], ids[1::2]

    assert portal.outbox.dispatch_due() == 4

    if down == "mail":
        assert mailer.tried == ["medewerker0@example.nl"]
        assert sorted(m.to for m in sms.sent) == [
            "+31612345671",
            "+31612345673",
            "+31612345675",
            "+31612345677",
        ]
        up_ids, down_ids, server = sms_ids, mail_ids, "mail server"
    else:
        assert sms.tried == ["+31612345671"]
        assert sorted(m["To"] for m in mailer.sent) == [
            f"medewerker{n}@example.nl" for n in (0, 2, 4, 6)
        ]
        up_ids, down_ids, server = mail_ids, sms_ids, "SMS gateway"
    assert {status(portal, message_id).status for message_id in up_ids} == {OutboxStatus.SENT}
    assert [status(portal, message_id).attempts for message_id in down_ids] == [1, 0, 0, 0]
    for message_id in down_ids[1:]:
        last_error = status(portal, message_id).last_error
        assert last_error is not None
        assert last_error.startswith(f"not tried: the {server} could not be reached")


@pytest.mark.parametrize("permanent", [True, False], ids=["permanent", "temporary"])
def test_a_message_refused_on_its_own_does_not_stop_the_batch(
    storage: Storage, clock: FrozenClock, settings: Settings, permanent: bool
) -> None:
    refusal = "550 5.1.1 no such mailbox" if permanent else "451 4.2.2 mailbox full"

    class RefusesOne(TriedMailer):
        def send(self, message: EmailMessage) -> None:
            if message["To"] == "medewerker1@example.nl":
                self.tried.append(str(message["To"]))
                raise MailDeliveryError(refusal, permanent=permanent)
            super().send(message)

    mailer = RefusesOne()
    portal = Portal(storage=storage, mailer=mailer, clock=clock, settings=settings)
    ids = queue_in_order(clock, lambda n: queue(portal, to=f"medewerker{n}@example.nl"), 5)

    assert portal.outbox.dispatch_due() == 4

    assert len(mailer.tried) == 5
    refused = status(portal, ids[1])
    assert refused.status is (OutboxStatus.DEAD if permanent else OutboxStatus.PENDING)
    assert (refused.attempts, refused.last_error) == (1, refusal)
    assert [status(portal, i).status for i in ids if i != ids[1]] == [OutboxStatus.SENT] * 4


def test_untried_messages_another_dispatcher_took_over_are_left_to_it(
    storage: Storage, clock: FrozenClock, settings: Settings
) -> None:
    taken_over: list[OutboxMessage] = []

    class HangsForTheWholeLease(RecordingMailer):
        def send(self, message: EmailMessage) -> None:
            clock.advance(settings.outbox_lease)
            with storage.unit_of_work() as uow:  # meanwhile, another dispatcher claims all
                now = clock.now()
                taken_over.extend(
                    uow.outbox.claim_due(now=now, lease_until=now + settings.outbox_lease, limit=10)
                )
                uow.commit()
            raise MailDeliveryError(MAIL_DOWN, unreachable=True)

    portal = Portal(storage=storage, mailer=HangsForTheWholeLease(), clock=clock, settings=settings)
    ids = queue_in_order(clock, lambda n: queue(portal, to=f"medewerker{n}@example.nl"), 4)

    assert portal.outbox.dispatch_due() == 0

    # The late dispatcher wrote nothing: every message is the other one's, as it claimed it.
    assert sorted(m.id for m in taken_over) == sorted(ids)
    for message in taken_over:
        assert status(portal, message.id) == message
        assert (message.status, message.attempts) == (OutboxStatus.SENDING, 2)


# Sealing again under a new key --------------------------------------------------------------


def rotated(portal: Portal, mailer: RecordingMailer, *old_keys: str) -> Portal:
    settings = make_settings(secret_key=NEW_SECRET_KEY, old_secret_keys=old_keys)
    return Portal(storage=portal.storage, mailer=mailer, clock=portal.clock, settings=settings)


def test_reseal_moves_unsent_bodies_to_the_new_key_so_the_old_can_go(
    portal: Portal, mailer: RecordingMailer, clock: FrozenClock
) -> None:
    pending = queue(portal, to="later@example.nl", delay=timedelta(hours=1))
    sent = queue(portal, to="sent@example.nl")
    assert portal.outbox.dispatch_due() == 1
    dead = queue(portal, to="dead@example.nl")
    with portal.storage.unit_of_work() as uow:
        stored = uow.outbox.get(dead)
        assert stored is not None
        uow.outbox.save(attrs.evolve(stored, status=OutboxStatus.DEAD, attempts=5))
        uow.commit()
    before = {message_id: status(portal, message_id) for message_id in (pending, sent, dead)}

    both = rotated(portal, mailer, portal.settings.secret_key)
    assert both.outbox.reseal(SERVICE_DESK) == ResealReport(resealed=2, unreadable=0)
    assert both.outbox.reseal(SERVICE_DESK) == ResealReport(resealed=0, unreadable=0)
    after = {message_id: status(portal, message_id) for message_id in before}
    assert after[sent] == before[sent]  # sent bodies are left alone
    for message_id in (pending, dead):
        changed = attrs.evolve(
            after[message_id], text=before[message_id].text, html=before[message_id].html
        )
        assert changed == before[message_id]  # only the bodies changed
        assert after[message_id].text != before[message_id].text

    only_new = rotated(portal, mailer)
    only_new.outbox.requeue(SERVICE_DESK, dead)
    clock.advance(timedelta(hours=1))
    assert only_new.outbox.dispatch_due() == 2
    assert sorted(m["To"] for m in mailer.sent[-2:]) == ["dead@example.nl", "later@example.nl"]
    assert "Beste Anna," in str(mailer.sent[-1].get_body(("plain",)))


def test_bodies_no_configured_key_opens_are_counted_and_left(portal: Portal) -> None:
    message_id = queue(portal)
    before = status(portal, message_id)
    elsewhere = rotated(portal, RecordingMailer())  # the key that sealed it is gone
    assert elsewhere.outbox.reseal(SERVICE_DESK) == ResealReport(resealed=0, unreadable=1)
    assert status(portal, message_id) == before


# Attachments ---------------------------------------------------------------------------------

INVITE = Attachment(
    "afspraak.ics",
    "text/calendar; method=REQUEST; charset=utf-8",
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n",
)
REPORT = Attachment("verslag.pdf", "application/pdf", bytes(range(256)))


def queue_with(portal: Portal, *attachments: Attachment) -> str:
    message = new_email(
        portal.settings,
        to="anna@example.nl",
        content=MailContent(subject="Je afspraak", greeting="Beste Anna,", paragraphs=["Tekst."]),
        kind="booking",
        now=portal.clock.now(),
        attachments=attachments,
    )
    with portal.storage.unit_of_work() as uow:
        uow.outbox.add(message)
        uow.commit()
    return message.id


def attached(message: EmailMessage) -> list[tuple[str | None, str, dict[str, str], bytes]]:
    """Each attachment of a sent mail: its name, type, type parameters and data."""
    found = []
    for part in message.iter_attachments():
        data = part.get_payload(decode=True)
        assert isinstance(data, bytes)
        params = dict((part.get_params() or [])[1:])  # the first is the type itself
        found.append((part.get_filename(), part.get_content_type(), params, data))
    return found


def test_a_mail_goes_out_with_its_attachments(portal: Portal, mailer: RecordingMailer) -> None:
    message_id = queue_with(portal, INVITE, REPORT)
    [listed] = portal.outbox.messages(SERVICE_DESK)
    assert (listed.id, listed.has_attachments) == (message_id, True)
    assert portal.outbox.dispatch_due() == 1
    [sent] = mailer.sent
    assert attached(sent) == [
        ("afspraak.ics", "text/calendar", {"method": "REQUEST", "charset": "utf-8"}, INVITE.data),
        ("verslag.pdf", "application/pdf", {}, REPORT.data),
    ]
    assert "Beste Anna," in str(sent.get_body(("plain",)))


def test_reseal_moves_unsent_attachments_to_the_new_key(
    portal: Portal, mailer: RecordingMailer
) -> None:
    message_id = queue_with(portal, INVITE)
    before = status(portal, message_id)

    both = rotated(portal, mailer, portal.settings.secret_key)
    assert both.outbox.reseal(SERVICE_DESK) == ResealReport(resealed=1, unreadable=0)
    after = status(portal, message_id)
    assert after.attachments is not None
    assert after.attachments != before.attachments
    assert both.settings.sealer.is_current(after.attachments)
    assert (
        attrs.evolve(after, text=before.text, html=before.html, attachments=before.attachments)
        == before
    )

    only_new = rotated(portal, mailer)
    assert only_new.outbox.dispatch_due() == 1
    [sent] = mailer.sent
    assert attached(sent)[0][3] == INVITE.data


def test_reseal_renews_attachments_an_old_key_sealed_beside_current_bodies(
    portal: Portal, mailer: RecordingMailer
) -> None:
    # A message whose bodies the current key sealed, its attachments still the old key's.
    old_key = portal.settings.sealer
    both = rotated(portal, mailer, portal.settings.secret_key)
    message_id = queue_with(both, INVITE)
    current = status(portal, message_id)
    assert current.attachments is not None
    context = outbox_context(message_id)
    old_attachments = old_key.seal(
        both.settings.sealer.open(current.attachments, context=context), context=context
    )
    bodies = (current.text, current.html, current.attachments)
    with portal.storage.unit_of_work() as uow:
        assert uow.outbox.replace_bodies(
            message_id, old=bodies, new=(current.text, current.html, old_attachments)
        )
        uow.commit()

    assert both.outbox.reseal(SERVICE_DESK) == ResealReport(resealed=1, unreadable=0)
    after = status(portal, message_id)
    assert (after.text, after.html) == (current.text, current.html)
    assert after.attachments is not None
    assert both.settings.sealer.is_current(after.attachments)
    assert both.outbox.reseal(SERVICE_DESK) == ResealReport(resealed=0, unreadable=0)
    assert rotated(portal, mailer).outbox.dispatch_due() == 1
    assert attached(mailer.sent[0])[0][3] == INVITE.data


def test_attachments_no_configured_key_opens_are_counted_and_left(portal: Portal) -> None:
    message_id = queue_with(portal, INVITE)
    before = status(portal, message_id)
    elsewhere = rotated(portal, RecordingMailer())
    assert elsewhere.outbox.reseal(SERVICE_DESK) == ResealReport(resealed=0, unreadable=1)
    assert status(portal, message_id) == before
