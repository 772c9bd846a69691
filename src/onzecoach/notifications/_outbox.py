from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

import attrs

from onzecoach.crypto import ResealReport
from onzecoach.errors import (
    DecryptionFailed,
    MailDeliveryError,
    NotFound,
    SmsDeliveryError,
    ValidationError,
)
from onzecoach.notifications._mail import compose_email, outbox_context
from onzecoach.notifications._model import Channel, OutboxMessage, OutboxStatus

if TYPE_CHECKING:
    from onzecoach.clock import Clock
    from onzecoach.events import Transactions
    from onzecoach.notifications._ports import Mailer, OutboxUnitOfWork, SmsSender
    from onzecoach.settings import Settings

__all__ = ["OutboxService"]

log = logging.getLogger("onzecoach.outbox")

# A single dispatch_due call stops after this many rounds, so that a steady stream of new
# messages cannot keep one caller busy for ever; the next call carries on.
_MAX_ROUNDS = 100


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
    ) -> None:
        self._storage = storage
        self._mailer = mailer
        self._sms = sms
        self._clock = clock
        self._settings = settings

    def dispatch_due(self, *, limit: int | None = None) -> int:
        """Send every message that is due now; return how many were sent.

        A failed message is tried again after a growing delay and, after
        ``Settings.outbox_max_attempts`` tries (or at once, for a permanent refusal), kept
        as dead with its last error. Only storage failures escape from here.
        """
        if limit is not None and (
            not isinstance(limit, int) or isinstance(limit, bool) or limit < 0
        ):
            raise ValidationError.single("limit", "invalid", "Geef een aantal van 0 of meer.")
        sent = 0
        remaining = limit
        for _ in range(_MAX_ROUNDS):
            batch = self._settings.outbox_batch_size
            if remaining is not None:
                batch = min(batch, remaining)
            if batch <= 0:
                break
            claimed = self._claim(batch)
            if not claimed:
                break
            for message in claimed:
                sent += self._deliver(message)
            if remaining is not None:
                remaining -= len(claimed)
        return sent

    def messages(
        self,
        *,
        status: OutboxStatus | None = None,
        kind: str | None = None,
        reference: str | None = None,
        limit: int = 100,
    ) -> list[OutboxMessage]:
        """Outbox messages, newest first, for operators and screens ("was it sent?")."""
        with self._storage.unit_of_work() as uow:
            return uow.outbox.list(status=status, kind=kind, reference=reference, limit=limit)

    def requeue(self, message_id: str) -> None:
        """Give a dead message a fresh set of tries, due now."""
        with self._storage.unit_of_work() as uow:
            message = uow.outbox.get(message_id) if isinstance(message_id, str) else None
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

    def reseal(self, *, batch_size: int = 500) -> ResealReport:
        """Seal the bodies of every message not sent yet (pending, sending or dead) that
        an old key sealed again under the current ``Settings.secret_key``.

        A step of a key rotation (``docs/operations.md``): after it, the outbox no longer
        needs the old key. Bodies that no configured key opens are left as they are and
        counted as ``unreadable``. Each batch is its own transaction; a message that
        changed meanwhile is left for the next run.
        """
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
                        html = (
                            None
                            if message.html is None
                            else sealer.renewed(message.html, context=context)
                        )
                    except DecryptionFailed:
                        unreadable += 1
                        continue
                    if text is None and html is None:
                        continue  # sealed under the current key already
                    new = (text or message.text, html or message.html)
                    if uow.outbox.replace_bodies(
                        message.id, old=(message.text, message.html), new=new
                    ):
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

    def _deliver(self, message: OutboxMessage) -> int:
        if message.locked_until is not None and self._clock.now() >= message.locked_until:
            # Slow sends ate this claim's lease: another dispatcher may own the message now.
            # Leave it to whoever claims it next rather than risk sending it twice.
            return 0
        permanent = False
        try:
            self._hand_over(message)
        except (MailDeliveryError, SmsDeliveryError) as exc:
            error, permanent = exc.detail or str(exc), exc.permanent
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
            return 1

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
        return 0

    def _hand_over(self, message: OutboxMessage) -> None:
        if message.channel is Channel.EMAIL:
            self._mailer.send(compose_email(message, self._settings, now=self._clock.now()))
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
