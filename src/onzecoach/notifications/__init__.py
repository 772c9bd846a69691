"""The outbox, message templates (Dutch first, English second) and the dispatcher."""

from onzecoach.notifications._dutch import dutch_date, dutch_datetime
from onzecoach.notifications._mail import (
    Action,
    MailContent,
    compose_email,
    new_email,
    new_sms,
    outbox_context,
)
from onzecoach.notifications._model import Channel, OutboxMessage, OutboxStatus, SmsMessage
from onzecoach.notifications._outbox import OutboxService
from onzecoach.notifications._ports import (
    Mailer,
    OutboxRepositories,
    OutboxRepository,
    OutboxUnitOfWork,
    SmsSender,
)

__all__ = [
    "Action",
    "Channel",
    "MailContent",
    "Mailer",
    "OutboxMessage",
    "OutboxRepositories",
    "OutboxRepository",
    "OutboxService",
    "OutboxStatus",
    "OutboxUnitOfWork",
    "SmsMessage",
    "SmsSender",
    "compose_email",
    "dutch_date",
    "dutch_datetime",
    "new_email",
    "new_sms",
    "outbox_context",
]
