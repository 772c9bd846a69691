"""The outbox, message templates (Dutch first, English second) and the dispatcher."""

from onzecoach.notifications._dutch import (
    MONTHS,
    SHORT_MONTHS,
    dutch_date,
    dutch_datetime,
    dutch_month,
)
from onzecoach.notifications._mail import (
    CALENDAR_DELETE,
    CALENDAR_PUT,
    Action,
    MailContent,
    compose_email,
    new_calendar_write,
    new_email,
    new_sms,
    outbox_context,
)
from onzecoach.notifications._model import (
    Attachment,
    Channel,
    OutboxBacklog,
    OutboxMessage,
    OutboxStatus,
    QueuedMessage,
    SmsMessage,
)
from onzecoach.notifications._outbox import OutboxService
from onzecoach.notifications._ports import (
    CalendarWriting,
    Mailer,
    OutboxRepositories,
    OutboxRepository,
    OutboxUnitOfWork,
    SmsSender,
)

__all__ = [
    "CALENDAR_DELETE",
    "CALENDAR_PUT",
    "MONTHS",
    "SHORT_MONTHS",
    "Action",
    "Attachment",
    "CalendarWriting",
    "Channel",
    "MailContent",
    "Mailer",
    "OutboxBacklog",
    "OutboxMessage",
    "OutboxRepositories",
    "OutboxRepository",
    "OutboxService",
    "OutboxStatus",
    "OutboxUnitOfWork",
    "QueuedMessage",
    "SmsMessage",
    "SmsSender",
    "compose_email",
    "dutch_date",
    "dutch_datetime",
    "dutch_month",
    "new_calendar_write",
    "new_email",
    "new_sms",
    "outbox_context",
]
