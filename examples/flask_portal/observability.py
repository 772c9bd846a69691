"""Health checks, Prometheus metrics and request logs of the reference web app.

- ``GET /healthz``: 200 while the process answers; it touches nothing else, so a load
  balancer or systemd never restarts a server for a database outage.
- ``GET /readyz``: 200 when the database answers and its schema is the code's (``onzecoach
  db upgrade`` ran), else 503. It reports the outbox's backlog too, but a backlog never
  makes a server unready: a mail outage would otherwise empty the load balancer.
- ``GET /metrics``: the Prometheus text format, for the addresses in
  ``ONZECOACH_METRICS_FROM`` only (loopback by default). Under gunicorn with
  ``PROMETHEUS_MULTIPROC_DIR`` set (``deploy/gunicorn.conf.py`` does), every worker's
  figures are summed. Needs ``prometheus-client`` (the ``server`` extra); without it the
  page answers 404 and nothing is counted.
- A request log: one JSON line per request on the logger ``onzecoach.web.requests``, with a
  request id (a well-formed ``X-Request-ID`` from the proxy, else a new one, echoed in the
  response), the method, the route as the app declares it (never the path, which may hold
  a one-time token), the status, the duration and at most the signed-in user's id: no
  names, addresses or tokens.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import os
import re
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any, Final

from flask import Blueprint, Flask, Response, abort, current_app, g, request

from onzecoach import Portal
from onzecoach.actors import SERVICE_DESK
from onzecoach.errors import MfaRequired, Throttled, VerificationFailed

try:  # the server extra
    import prometheus_client
    from prometheus_client import multiprocess
    from prometheus_client.core import GaugeMetricFamily
    from prometheus_client.registry import Collector
except ImportError:  # pragma: no cover - the demo extra has no prometheus-client
    prometheus_client = None  # type: ignore[assignment]

__all__ = ["METRICS_FROM_ENV", "JsonLines", "install", "log_as_json"]

METRICS_FROM_ENV: Final = "ONZECOACH_METRICS_FROM"
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
requests_log = logging.getLogger("onzecoach.web.requests")
blueprint = Blueprint("observability", __name__)

if prometheus_client is not None:
    REQUEST_SECONDS = prometheus_client.Histogram(
        "onzecoach_web_request_seconds",
        "Time to answer a request, by route and method.",
        ["route", "method"],
        buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    )
    REQUESTS = prometheus_client.Counter(
        "onzecoach_web_requests",
        "Requests answered, by route, method and status.",
        ["route", "method", "status"],
    )
    LOGINS = prometheus_client.Counter(
        "onzecoach_logins",
        "Sign-in steps by step (password, second_factor, passkey) and result.",
        ["step", "result"],
    )
    THROTTLED = prometheus_client.Counter(
        "onzecoach_throttled",
        "Requests refused for too many tries, by route.",
        ["route"],
    )


# Health --------------------------------------------------------------------------------


@blueprint.get("/healthz")
def healthz() -> tuple[dict[str, str], int]:
    return {"status": "ok"}, 200


@blueprint.get("/readyz")
def readyz() -> tuple[dict[str, Any], int]:
    portal: Portal = current_app.extensions["onzecoach"]
    body: dict[str, Any] = {}
    ready = True
    try:
        revision, head = _schema(portal)
        body["database"] = {"revision": revision, "expected": head}
        if revision != head:
            ready = False
            body["database"]["problem"] = "the schema is not the code's: run onzecoach db upgrade"
        backlog = portal.outbox.backlog(SERVICE_DESK)
        oldest = backlog.oldest_due_at
        body["outbox"] = {
            "pending": backlog.pending,
            "due": backlog.due,
            "sending": backlog.sending,
            "oldest_due_seconds": None
            if oldest is None
            else round((portal.clock.now() - oldest).total_seconds()),
        }
    except Exception as exc:
        ready = False
        body["database"] = {"problem": type(exc).__name__}
    body["status"] = "ready" if ready else "unavailable"
    return body, 200 if ready else 503


def _schema(portal: Portal) -> tuple[str | None, str | None]:
    """The database's schema revision and the code's; both ``None`` without migrations
    (the memory storage is always current)."""
    storage: Any = portal.storage
    if not hasattr(storage, "schema_revision"):
        with portal.storage.unit_of_work():
            return None, None
    return storage.schema_revision(), storage.head_revision()


# Metrics -------------------------------------------------------------------------------


@blueprint.get("/metrics")
def metrics() -> Response:
    if prometheus_client is None:
        abort(404)
    if not _may_scrape(request.remote_addr):
        abort(403)
    # A registry for this scrape: every worker's figures (or this process's), and the
    # outbox's backlog as it is now.
    registry = prometheus_client.CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry.register(_ThisProcess())
    registry.register(_OutboxCollector(current_app.extensions["onzecoach"]))
    text = prometheus_client.generate_latest(registry)
    return Response(text, mimetype=prometheus_client.CONTENT_TYPE_LATEST)


def _may_scrape(address: str | None) -> bool:
    allowed = os.environ.get(METRICS_FROM_ENV, "127.0.0.1/32,::1/128")
    try:
        client = ipaddress.ip_address(address or "")
        networks = [ipaddress.ip_network(n.strip()) for n in allowed.split(",") if n.strip()]
    except ValueError:
        return False
    return any(client in network for network in networks)


if prometheus_client is not None:

    class _OutboxCollector(Collector):
        """The outbox's backlog, read at each scrape (one cheap query on the due index)."""

        def __init__(self, portal: Portal) -> None:
            self._portal = portal

        def collect(self) -> Iterator[GaugeMetricFamily]:
            backlog = self._portal.outbox.backlog(SERVICE_DESK)
            for name, text, value in (
                ("onzecoach_outbox_pending", "Messages waiting to be sent.", backlog.pending),
                ("onzecoach_outbox_due", "Messages due now and not yet sent.", backlog.due),
                ("onzecoach_outbox_sending", "Messages being sent.", backlog.sending),
            ):
                yield GaugeMetricFamily(name, text, value=value)
            oldest = backlog.oldest_due_at
            age = 0.0 if oldest is None else (self._portal.clock.now() - oldest).total_seconds()
            yield GaugeMetricFamily(
                "onzecoach_outbox_oldest_due_seconds",
                "How long the longest-waiting due message has waited.",
                value=max(age, 0.0),
            )

    class _ThisProcess(Collector):
        """This process's own figures (without gunicorn's multiprocess mode)."""

        def collect(self) -> Iterable[Any]:
            return prometheus_client.REGISTRY.collect()


class _CountingAuth:
    """``portal.auth`` with each sign-in step counted by its result."""

    def __init__(self, auth: Any) -> None:
        self._auth = auth

    def __getattr__(self, name: str) -> Any:
        return getattr(self._auth, name)

    def login(self, *args: Any, **kwargs: Any) -> Any:
        return _counted("password", self._auth.login, *args, **kwargs)

    def verify(self, *args: Any, **kwargs: Any) -> Any:
        return _counted("second_factor", self._auth.verify, *args, **kwargs)

    def finish_passkey(self, *args: Any, **kwargs: Any) -> Any:
        return _counted("passkey", self._auth.finish_passkey, *args, **kwargs)


def _counted(step: str, call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    try:
        result = call(*args, **kwargs)
    except MfaRequired:
        LOGINS.labels(step, "setup_required").inc()
        raise
    except VerificationFailed:
        LOGINS.labels(step, "failed").inc()
        raise
    except Throttled:
        LOGINS.labels(step, "throttled").inc()
        THROTTLED.labels(request.url_rule.rule if request.url_rule else "").inc()
        raise
    LOGINS.labels(step, "ok").inc()
    return result


# Request log ---------------------------------------------------------------------------


class JsonLines(logging.Formatter):
    """A log record as one JSON object: time, level, logger, message and its fields."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update(getattr(record, "fields", {}))
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def log_as_json(level: int = logging.INFO) -> None:
    """Every ``onzecoach`` log line as JSON on stderr (what a production server wants)."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonLines())
    root = logging.getLogger("onzecoach")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False
    flask_log = logging.getLogger("flask_portal")
    flask_log.handlers[:] = [handler]
    flask_log.setLevel(level)
    flask_log.propagate = False


def _start() -> None:
    g.request_started = time.perf_counter()
    sent = request.headers.get("X-Request-ID", "")
    g.request_id = sent if _REQUEST_ID.fullmatch(sent) else uuid.uuid4().hex


def _finish(response: Response) -> Response:
    started = g.get("request_started")
    if started is None:
        return response
    seconds = time.perf_counter() - started
    route = request.url_rule.rule if request.url_rule is not None else "(unrouted)"
    response.headers["X-Request-ID"] = g.request_id
    if prometheus_client is not None and route != "/metrics":
        REQUEST_SECONDS.labels(route, request.method).observe(seconds)
        REQUESTS.labels(route, request.method, str(response.status_code)).inc()
        if response.status_code == 429:
            THROTTLED.labels(route).inc()
    actor = g.get("actor")
    fields: dict[str, Any] = {
        "request_id": g.request_id,
        "method": request.method,
        "route": route,
        "status": response.status_code,
        "ms": round(seconds * 1000, 1),
    }
    if actor is not None and getattr(actor, "user_id", None):
        fields["user_id"] = actor.user_id
    requests_log.info("request", extra={"fields": fields})
    return response


def install(app: Flask, portal: Portal) -> None:
    """Add the health and metrics pages and the request log to ``app``; count sign-ins."""
    app.register_blueprint(blueprint)
    # First of all, so that a request another hook refuses (CSRF) is logged with its id.
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request(_finish)
    if prometheus_client is not None and not isinstance(portal.auth, _CountingAuth):
        portal.auth = _CountingAuth(portal.auth)  # type: ignore[assignment]
