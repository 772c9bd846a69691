"""Health checks, metrics and the request log of the reference web app."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask_portal import create_app
from flask_portal.observability import JsonLines
from prometheus_client import REGISTRY

from onzecoach import Portal
from onzecoach.actors import SERVICE_DESK
from onzecoach.adapters.sql import SqlStorage
from onzecoach.settings import Settings
from onzecoach.testing import FrozenClock, RecordingMailer
from web.conftest import Web, csrf

LOGIN_FAILED = {"step": "password", "result": "failed"}


def sql_app(
    tmp_path: Path, settings: Settings, clock: FrozenClock, revision: str = "head"
) -> tuple[Portal, Flask]:
    storage = SqlStorage(f"sqlite:///{tmp_path / 'portal.db'}")
    storage.upgrade(revision)
    portal = Portal(storage=storage, mailer=RecordingMailer(), clock=clock, settings=settings)
    return portal, create_app(portal, development=False)


def test_healthz_answers_without_a_session(web: Web) -> None:
    answer = web.client().get("/healthz")
    assert answer.status_code == 200
    assert answer.json == {"status": "ok"}


def test_readyz_reports_the_schema_and_the_backlog(
    tmp_path: Path, settings: Settings, clock: FrozenClock
) -> None:
    portal, app = sql_app(tmp_path, settings, clock)
    employer = portal.admin.create_employer(SERVICE_DESK, "Acme B.V.")
    for n in range(3):
        portal.admin.invite_user(
            SERVICE_DESK, employer.id, email=f"hr{n}@example.nl", username=f"hr.{n}"
        )
    answer = app.test_client().get("/readyz")
    assert answer.status_code == 200, answer.json
    body = answer.json
    assert body is not None
    assert body["status"] == "ready"
    assert body["database"] == {"revision": "0017", "expected": "0017"}
    assert body["outbox"]["pending"] == body["outbox"]["due"] == 3
    # A backlog, however old, never makes a server unready.
    clock.advance(timedelta(days=3))
    late = app.test_client().get("/readyz")
    assert late.status_code == 200
    assert late.json is not None
    assert late.json["outbox"]["oldest_due_seconds"] >= 3 * 86400


def test_readyz_is_unready_while_the_schema_is_behind(
    tmp_path: Path, settings: Settings, clock: FrozenClock
) -> None:
    _, app = sql_app(tmp_path, settings, clock, revision="0013")
    answer = app.test_client().get("/readyz")
    assert answer.status_code == 503
    assert answer.json is not None
    assert answer.json["database"]["revision"] == "0013"
    assert "onzecoach db upgrade" in answer.json["database"]["problem"]


def test_readyz_is_unready_when_the_database_fails(
    tmp_path: Path, settings: Settings, clock: FrozenClock
) -> None:
    storage = SqlStorage(f"sqlite:///{tmp_path / 'nergens' / 'portal.db'}")
    portal = Portal(storage=storage, mailer=RecordingMailer(), clock=clock, settings=settings)
    answer = create_app(portal).test_client().get("/readyz")
    assert answer.status_code == 503
    assert answer.json is not None
    assert answer.json["status"] == "unavailable"
    assert "healthz" not in answer.get_data(as_text=True)
    assert create_app(portal).test_client().get("/healthz").status_code == 200


def test_metrics_count_requests_and_logins_for_loopback_only(web: Web) -> None:
    client = web.client()
    before = REGISTRY.get_sample_value("onzecoach_logins_total", LOGIN_FAILED) or 0.0
    page = client.get("/inloggen")
    client.post(
        "/inloggen",
        data={"csrf_token": csrf(page), "username": "niemand", "password": "Fout-Wachtwoord-1"},
    )
    assert REGISTRY.get_sample_value("onzecoach_logins_total", LOGIN_FAILED) == before + 1
    scraped = client.get("/metrics")
    assert scraped.status_code == 200
    text = scraped.get_data(as_text=True)
    assert 'onzecoach_web_request_seconds_bucket{le="0.005",method="GET",route="/inloggen"}' in text
    assert "onzecoach_outbox_pending 0.0" in text
    assert 'onzecoach_logins_total{result="failed",step="password"}' in text
    elsewhere = client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert elsewhere.status_code == 403


def test_the_request_log_names_routes_not_tokens(
    web: Web, caplog: pytest.LogCaptureFixture
) -> None:
    client = web.client()
    token = "Geheim-Token-" + "x" * 30
    with caplog.at_level(logging.INFO, logger="onzecoach.web.requests"):
        answer = client.get(f"/planningsagenda/{token}", headers={"X-Request-ID": "abc12345-z"})
        bad_id = client.get("/healthz", headers={"X-Request-ID": "<script>"})
    assert answer.headers["X-Request-ID"] == "abc12345-z"
    assert bad_id.headers["X-Request-ID"] != "<script>"
    fields = [getattr(r, "fields", {}) for r in caplog.records]
    assert fields[0]["route"] == "/planningsagenda/<token>"
    assert fields[0]["request_id"] == "abc12345-z"
    assert fields[0]["status"] == answer.status_code
    assert token not in caplog.text
    assert all(token not in json.dumps(f) for f in fields)


def test_a_log_line_is_one_json_object_with_its_fields() -> None:
    record = logging.LogRecord("onzecoach.web.requests", logging.INFO, "", 0, "request", (), None)
    record.fields = {"route": "/inloggen", "status": 200, "ms": 1.5}
    line = json.loads(JsonLines().format(record))
    assert line["message"] == "request"
    assert line["level"] == "info"
    assert (line["route"], line["status"], line["ms"]) == ("/inloggen", 200, 1.5)
    assert line["time"].endswith("+00:00")
