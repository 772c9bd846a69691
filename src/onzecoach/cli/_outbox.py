"""``onzecoach outbox``: the workers that send what the use cases queued, with their
metrics for Prometheus when asked."""

from __future__ import annotations

import os
from email.message import EmailMessage
from typing import TYPE_CHECKING, Any

import click

from onzecoach.actors import SERVICE_DESK
from onzecoach.cli._commands import EXIT_USAGE, _fail, _portal, _state, _Stop, cli
from onzecoach.cli._config import calendars
from onzecoach.errors import AdapterError
from onzecoach.portal import Portal

if TYPE_CHECKING:
    from collections.abc import Iterator

    from onzecoach.ports import Mailer, SmsSender

__all__ = ["outbox"]


@cli.group()
def outbox() -> None:
    """The outbox: mail and SMS that use cases queued."""


@outbox.command("run")
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    help="Messages claimed and sent per round; a stop waits for the round to finish. "
    "[default: the outbox_batch_size setting, 50 unless configured]",
)
@click.option(
    "--idle",
    type=click.FloatRange(min=0),
    default=5.0,
    show_default=True,
    help="Seconds to wait when nothing is due.",
)
@click.option("--once", is_flag=True, help="Send what is due, then exit (for cron).")
@click.option(
    "--metrics-port",
    type=click.IntRange(min=1, max=65535),
    help="Serve Prometheus metrics on 127.0.0.1:PORT: deliveries by channel and result, and "
    "the backlog. Needs prometheus-client (the server extra).",
)
@click.pass_context
def outbox_run(
    ctx: click.Context, batch_size: int | None, idle: float, once: bool, metrics_port: int | None
) -> None:
    """Send due messages until stopped by SIGTERM or SIGINT (exit 0).

    Any number of workers may run at once against one database: each claims its own
    messages. A stop lets the current round finish first.
    """
    state = _state(ctx)
    if metrics_port is not None:
        _serve_metrics(ctx, metrics_port)
    portal = _portal(ctx)
    if batch_size is None:
        batch_size = portal.settings.outbox_batch_size
    total = 0
    with _Stop() as stop:
        state.err.log(f"Outbox worker {os.getpid()} started.")
        while not stop.event.is_set():
            sent = portal.outbox.dispatch_due(limit=batch_size)
            total += sent
            if sent:
                state.err.log(f"Sent {sent} ({total} in all).")
                continue
            if once:
                break
            stop.event.wait(idle)
    state.err.log(f"Outbox worker {os.getpid()} stopped; sent {total}.")


def _serve_metrics(ctx: click.Context, port: int) -> None:
    """Count every delivery of this worker, and serve the figures on loopback."""
    try:
        import prometheus_client  # noqa: PLC0415 - the server extra
    except ImportError:
        _fail(
            ctx,
            "--metrics-port needs prometheus-client: pip install 'onzecoach[server]'.",
            EXIT_USAGE,
        )
    state = _state(ctx)
    config = state.config()
    deliveries = prometheus_client.Counter(
        "onzecoach_outbox_deliveries",
        "Messages handed to the mail server or SMS gateway, by channel and result.",
        ["channel", "result"],
    )
    sms = config.sms()
    portal = Portal(
        storage=config.storage(),
        mailer=_CountedMailer(config.mailer(), deliveries),
        sms=None if sms is None else _CountedSms(sms, deliveries),
        yubikey=config.yubikey(),
        settings=config.settings(),
        calendars=calendars(),
    )
    ctx.find_root().call_on_close(portal.storage.close)
    state.portal = portal
    prometheus_client.REGISTRY.register(_Backlog(portal))
    try:
        prometheus_client.start_http_server(port, addr="127.0.0.1")
    except OSError as exc:
        _fail(ctx, f"--metrics-port {port}: {exc.strerror or exc}", EXIT_USAGE)
    state.err.log(f"Metrics on http://127.0.0.1:{port}/metrics")


def _result(error: Exception) -> str:
    if isinstance(error, AdapterError) and getattr(error, "permanent", False):
        return "refused"
    if isinstance(error, AdapterError) and getattr(error, "unreachable", False):
        return "unreachable"
    return "failed"


class _CountedMailer:
    """A mailer whose every delivery is counted by its result."""

    def __init__(self, mailer: Mailer, counter: Any) -> None:
        self._mailer, self._counter = mailer, counter

    def send(self, message: EmailMessage) -> None:
        try:
            self._mailer.send(message)
        except Exception as exc:
            self._counter.labels("email", _result(exc)).inc()
            raise
        self._counter.labels("email", "sent").inc()


class _CountedSms:
    """An SMS sender whose every delivery is counted by its result."""

    def __init__(self, sms: SmsSender, counter: Any) -> None:
        self._sms, self._counter = sms, counter

    def send(self, to: str, text: str) -> None:
        try:
            self._sms.send(to, text)
        except Exception as exc:
            self._counter.labels("sms", _result(exc)).inc()
            raise
        self._counter.labels("sms", "sent").inc()


class _Backlog:
    """The outbox's backlog, read at each scrape."""

    def __init__(self, portal: Portal) -> None:
        self._portal = portal

    def collect(self) -> Iterator[Any]:
        from prometheus_client.core import GaugeMetricFamily  # noqa: PLC0415

        backlog = self._portal.outbox.backlog(SERVICE_DESK)
        yield GaugeMetricFamily(
            "onzecoach_outbox_pending", "Messages waiting.", value=backlog.pending
        )
        yield GaugeMetricFamily("onzecoach_outbox_due", "Messages due now.", value=backlog.due)
        yield GaugeMetricFamily(
            "onzecoach_outbox_sending", "Messages being sent.", value=backlog.sending
        )
