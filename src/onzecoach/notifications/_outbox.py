from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, NamedTuple

import attrs

from onzecoach.access import require_service_desk
from onzecoach.crypto import ResealReport
from onzecoach.errors import (
    CalendarError,
    DecryptionFailed,
    MailDeliveryError,
    NotFound,
    SmsDeliveryError,
    ValidationError,
)
from onzecoach.ids import is_id
from onzecoach.notifications._mail import compose_email, outbox_context
from onzecoach.notifications._model import (
    Channel,
    OutboxBacklog,
    OutboxMessage,
    OutboxStatus,
    QueuedMessage,
)
from onzecoach.validation import is_printable

if TYPE_CHECKING:
    from onzecoach.actors import Actor
    from onzecoach.clock import Clock
    from onzecoach.crypto import Sealer
    from onzecoach.events import Transactions
    from onzecoach.notifications._ports import (
        CalendarWriting,
        Mailer,
        OutboxUnitOfWork,
        SmsSender,
    )
    from onzecoach.settings import Settings

__all__ = ["OutboxService"]

log = logging.getLogger("onzecoach.outbox")

# A single dispatch_due call stops after this many rounds, so that a steady stream of new
# messages cannot keep one caller busy for ever; the next call carries on.
_MAX_ROUNDS = 100

# What a channel's server is called in the error of a message left untried.
_SERVER = {
    Channel.EMAIL: "mail server",
    Channel.SMS: "SMS gateway",
    Channel.CALENDAR: "calendar server",
}


class _Outcome(NamedTuple):
    sent: bool
    # The error, when it said that the channel's server could not be reached.
    unreachable: str | None = None


class OutboxService:
    """Sends what use cases wrote to the outbox: ``portal.outbox``.

    Delivery is at least once: a message is sent, then marked sent. A dispatcher that dies
    in between leaves the message claimed until its lease runs out, after which another
    dispatcher sends it again (same Message-ID). Any number of dispatchers may run at once.
    """

    def __init__(
        self,
        *,
        storage: Transactions[OutboxUnitOfWork],
        mailer: Mailer,
        sms: SmsSender | None,
        clock: Clock,
        settings: Settings,
        calendars: CalendarWriting | None = None,
    ) -> None:
        self._storage = storage
        self._mailer = mailer
        self._sms = sms
        self._clock = clock
        self._settings = settings
        self._calendars = calendars

    def dispatch_due(self, *, limit: int | None = None) -> int:
        """Send every message that is due now; return how many were sent.

        A failed message is tried again after a growing delay and, after
        ``Settings.outbox_max_attempts`` tries (or at once, for a permanent refusal), kept
        as dead with its last error. Only storage failures escape from here.

        A mail server or SMS gateway that cannot be reached (an error with
        ``unreachable``) is tried once per call: the other messages of that channel that
        this call claims go back to pending untried, without spending a try, due again
        after ``Settings.outbox_retry_base``. The other channel goes on sending.
        """
        if limit is not None and (
            not isinstance(limit, int) or isinstance(limit, bool) or limit < 0
        ):
            raise ValidationError.single("limit", "invalid")
        sent = 0
        remaining = limit
        # Channels found unreachable, with the error their untried messages record. Kept for
        # the whole call, not one round: with a backlog larger than a batch, a dead server
        # would otherwise cost a timeout per round, and the other channel's messages further
        # down the queue would wait behind all of them.
        down: dict[Channel, str] = {}
        for _ in range(_MAX_ROUNDS):
            batch = self._settings.outbox_batch_size
            if remaining is not None:
                batch = min(batch, remaining)
            if batch <= 0:
                break
            claimed = self._claim(batch)
            if not claimed:
                break
            self._release([m for m in claimed if m.channel in down], down)
            for index, message in enumerate(claimed):
                if message.channel in down:
                    continue  # released already
                outcome = self._deliver(message)
                sent += 1 if outcome.sent else 0
                if outcome.unreachable is not None:
                    # One timeout is enough to know; each further message would cost
                    # another, and a batch of them could outlast the lease, after which
                    # another dispatcher would send the ones that did go out again.
                    down[message.channel] = (
                        f"not tried: the {_SERVER[message.channel]} could not be reached "
                        f"({outcome.unreachable})"
                    )
                    rest = [m for m in claimed[index + 1 :] if m.channel is message.channel]
                    self._release(rest, down)
            if remaining is not None:
                remaining -= len(claimed)
        return sent

    def messages(
        self,
        actor: Actor,
        *,
        status: OutboxStatus | None = None,
        kind: str | None = None,
        reference: str | None = None,
        limit: int = 100,
    ) -> list[QueuedMessage]:
        """Outbox messages, newest first, for the service desk ("was it sent?").

        Their bodies stay sealed in the outbox: a message may carry a one-time link.
        """
        require_service_desk(actor)
        chosen = None if status is None else _status(status)
        if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 1000:
            raise ValidationError.single("limit", "out_of_range", key="limit.out_of_range.outbox")
        for name, value in (("kind", kind), ("reference", reference)):
            if value is not None and not is_printable(value, max_length=200):
                raise ValidationError.single(name, "invalid", key="free_text.invalid")
        with self._storage.unit_of_work() as uow:
            found = uow.outbox.list(status=chosen, kind=kind, reference=reference, limit=limit)
        return [message.view() for message in found]

    def backlog(self, actor: Actor) -> OutboxBacklog:
        """What waits in the outbox now (the service desk's, or a health check's, call):
        pending and due messages, those being sent, and since when the oldest due one
        waits. Counted by the dispatchers' own index, so it stays cheap however many
        messages were ever sent."""
        require_service_desk(actor)
        with self._storage.unit_of_work() as uow:
            return uow.outbox.backlog(now=self._clock.now())

    def requeue(self, actor: Actor, message_id: str) -> None:
        """Give a dead message a fresh set of tries, due now (the service desk's call)."""
        require_service_desk(actor)
        with self._storage.unit_of_work() as uow:
            message = uow.outbox.get(message_id) if is_id(message_id) else None
            if message is None or message.status is not OutboxStatus.DEAD:
                raise NotFound("outbox.dead_message_not_found")
            uow.outbox.save(
                attrs.evolve(
                    message,
                    status=OutboxStatus.PENDING,
                    attempts=0,
                    not_before=self._clock.now(),
                    locked_until=None,
                )
            )
            uow.commit()

    def reseal(self, actor: Actor, *, batch_size: int = 500) -> ResealReport:
        """Seal the bodies and attachments of every message not sent yet (pending, sending
        or dead) that an old key sealed again under the current ``Settings.secret_key``.

        A step of a key rotation (``docs/operations.md``): after it, the outbox no longer
        needs the old key. Bodies that no configured key opens are left as they are and
        counted as ``unreadable``. Each batch is its own transaction; a message that
        changed meanwhile is left for the next run.
        """
        require_service_desk(actor)
        sealer = self._settings.sealer
        resealed = unreadable = 0
        after: str | None = None
        while True:
            with self._storage.unit_of_work() as uow:
                page = uow.outbox.unsent_page(after=after, limit=batch_size)
                if not page:
                    break
                after = page[-1].id
                for message in page:
                    context = outbox_context(message.id)
                    try:
                        text = sealer.renewed(message.text, context=context)
                        html = _renewed(sealer, message.html, context=context)
                        attachments = _renewed(sealer, message.attachments, context=context)
                    except DecryptionFailed:
                        unreadable += 1
                        continue
                    if text is None and html is None and attachments is None:
                        continue  # sealed under the current key already
                    old = (message.text, message.html, message.attachments)
                    new = (
                        text or message.text,
                        html or message.html,
                        attachments or message.attachments,
                    )
                    if uow.outbox.replace_bodies(message.id, old=old, new=new):
                        resealed += 1
                uow.commit()
        return ResealReport(resealed=resealed, unreadable=unreadable)

    def _claim(self, limit: int) -> list[OutboxMessage]:
        now = self._clock.now()
        with self._storage.unit_of_work() as uow:
            claimed = uow.outbox.claim_due(
                now=now, lease_until=now + self._settings.outbox_lease, limit=limit
            )
            uow.commit()
        return claimed

    def _deliver(self, message: OutboxMessage) -> _Outcome:
        if message.locked_until is not None and self._clock.now() >= message.locked_until:
            # Slow sends ate this claim's lease: another dispatcher may own the message now.
            # Leave it to whoever claims it next rather than risk sending it twice.
            return _Outcome(sent=False)
        permanent = unreachable = False
        try:
            self._hand_over(message)
        except (MailDeliveryError, SmsDeliveryError, CalendarError) as exc:
            error, permanent, unreachable = exc.detail or str(exc), exc.permanent, exc.unreachable
        except Exception as exc:
            # An adapter that breaks its contract must not stop the other messages.
            log.exception("outbox message %s: the adapter raised unexpectedly", message.id)
            # Only the type: an adapter that breaks its contract may not scrub its messages.
            error = f"{type(exc).__name__} raised by the adapter (see the log)"
        else:
            self._record(
                attrs.evolve(
                    message,
                    status=OutboxStatus.SENT,
                    sent_at=self._clock.now(),
                    locked_until=None,
                    last_error=None,
                ),
                message.locked_until,
            )
            return _Outcome(sent=True)

        now = self._clock.now()
        if permanent or message.attempts >= self._settings.outbox_max_attempts:
            log.warning(
                "outbox message %s (%s) is dead after %d tries: %s",
                message.id, message.kind, message.attempts, error,
            )  # fmt: skip
            outcome = attrs.evolve(
                message, status=OutboxStatus.DEAD, locked_until=None, last_error=error
            )
        else:
            retry_at = now + self._settings.retry_delay(message.attempts)
            log.info(
                "outbox message %s (%s) failed try %d, next at %s: %s",
                message.id, message.kind, message.attempts, retry_at.isoformat(), error,
            )  # fmt: skip
            outcome = attrs.evolve(
                message,
                status=OutboxStatus.PENDING,
                not_before=retry_at,
                locked_until=None,
                last_error=error,
            )
        self._record(outcome, message.locked_until)
        return _Outcome(sent=False, unreachable=error if unreachable else None)

    def _release(self, messages: Sequence[OutboxMessage], down: Mapping[Channel, str]) -> None:
        """Give claimed messages back untried: pending, their try not counted."""
        if not messages:
            return
        # The wait after a first failure, not the failed message's own: these messages did
        # not fail, and that one's tries may have been spent on refusals of its own (a
        # greylisting server, say), which must not hold a whole batch back for an hour
        # after one timeout. A long outage so costs a dispatcher one timeout per retry base,
        # and the backlog goes out within one retry base of the server's return.
        retry_at = self._clock.now() + self._settings.retry_delay(1)
        lost = 0
        with self._storage.unit_of_work() as uow:
            for message in messages:
                if message.locked_until is None:
                    continue  # not claimed, so not ours to give back
                untried = attrs.evolve(
                    message,
                    status=OutboxStatus.PENDING,
                    attempts=message.attempts - 1,  # the claim counted a try that never was
                    not_before=retry_at,
                    locked_until=None,
                    last_error=down[message.channel],
                )
                # finish, not save: after the lease another dispatcher may own the message,
                # and its claim must not be undone.
                if not uow.outbox.finish(untried, claimed_until=message.locked_until):
                    lost += 1
            uow.commit()
        log.info(
            "outbox: %d message(s) left untried until %s, %d claim(s) lost meanwhile: %s",
            len(messages) - lost, retry_at.isoformat(), lost,
            "; ".join(sorted({down[m.channel] for m in messages})),
        )  # fmt: skip

    def _hand_over(self, message: OutboxMessage) -> None:
        if message.channel is Channel.EMAIL:
            self._mailer.send(compose_email(message, self._settings, now=self._clock.now()))
        elif message.channel is Channel.CALENDAR:
            if self._calendars is None:
                raise CalendarError("no calendar writer is configured on this Portal")
            text = self._settings.sealer.open(message.text, context=outbox_context(message.id))
            self._calendars.write(
                coach_id=message.recipient,
                uid=message.subject,
                ics=text.encode("utf-8") if text else None,
            )
        elif self._sms is None:
            raise SmsDeliveryError("no SmsSender is configured on this Portal", permanent=True)
        else:
            text = self._settings.sealer.open(message.text, context=outbox_context(message.id))
            self._sms.send(message.recipient, text)

    def _record(self, message: OutboxMessage, claimed_until: datetime | None) -> None:
        with self._storage.unit_of_work() as uow:
            if claimed_until is None:
                return
            if not uow.outbox.finish(message, claimed_until=claimed_until):
                # Our lease ran out and another dispatcher owns the message now.
                log.warning("outbox message %s: claim lost, outcome not recorded", message.id)
                return
            uow.commit()


def _renewed(sealer: Sealer, sealed: str | None, *, context: str) -> str | None:
    """What ``Sealer.renewed`` makes of a value that may be absent."""
    return None if sealed is None else sealer.renewed(sealed, context=context)


def _status(value: object) -> OutboxStatus:
    try:
        return OutboxStatus(str(value))
    except ValueError:
        raise ValidationError.single("status", "invalid", key="status.invalid.outbox") from None
