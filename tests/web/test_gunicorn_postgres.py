"""gunicorn over PostgreSQL through a loopback TCP proxy that the test can cut: /readyz
follows the database and the schema, the metrics of every worker are summed, and the log of
a whole sign-in and dossier read holds no personal value."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pyotp
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.engine import make_url

from onzecoach import Portal, Settings
from onzecoach.actors import SERVICE_DESK, Actor, Role
from onzecoach.adapters.sql import SqlStorage
from onzecoach.testing import RecordingMailer
from support import TEST_SECRET_KEY
from tcp_proxy import TcpProxy

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
PASSWORD = "Proxy-Proef-Wachtwoord-7"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def proxy(postgres_schema_url: str) -> Iterator[TcpProxy]:
    url = make_url(postgres_schema_url)
    made = TcpProxy((url.host or "127.0.0.1", url.port or 5432))
    made.restore()
    yield made
    made.cut()


def wait_for(client: httpx.Client, path: str, status: int, seconds: float = 30) -> httpx.Response:
    deadline = time.monotonic() + seconds
    while True:
        answer = client.get(path)
        if answer.status_code == status or time.monotonic() > deadline:
            return answer
        time.sleep(0.2)


def plain_http(client: httpx.Client) -> None:
    """Send the Secure cookies over loopback http, as the proxy that ends TLS would."""
    for cookie in client.cookies.jar:
        cookie.secure = False


def test_readiness_metrics_and_logs_under_gunicorn_on_postgresql(
    postgres_schema_url: str, proxy: TcpProxy, tmp_path: Path
) -> None:
    if not GUNICORN.exists():
        pytest.skip("gunicorn is not installed (the server extra)")
    # The schema one migration behind, as after a deploy whose upgrade has not run yet.
    direct = SqlStorage(postgres_schema_url)
    head = direct.head_revision()
    previous = f"{int(head) - 1:04d}"
    direct.upgrade(previous)
    through_proxy = make_url(postgres_schema_url).set(port=proxy.port)
    port = free_port()
    log = tmp_path / "gunicorn.log"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("ONZECOACH_")},
        "ONZECOACH_DATABASE_URL": through_proxy.render_as_string(hide_password=False),
        "ONZECOACH_BASE_URL": "https://portaal.example.nl",
        "ONZECOACH_SECRET_KEY": TEST_SECRET_KEY,
        "ONZECOACH_WEB_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "3",
        "ONZECOACH_WEB_THREADS": "2",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
    }
    command = [
        str(GUNICORN),
        "--config",
        str(ROOT / "deploy" / "gunicorn.conf.py"),
        "--chdir",
        str(ROOT / "examples"),
        "flask_portal.wsgi:app",
    ]
    with log.open("wb") as output:
        process = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
    readyz_calls = 0
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=15) as client:
            deadline = time.monotonic() + 30
            while True:
                try:
                    client.get("/healthz")
                    break
                except httpx.TransportError:
                    assert process.poll() is None, log.read_text(errors="replace")
                    assert time.monotonic() < deadline, log.read_text(errors="replace")
                    time.sleep(0.2)

            behind = client.get("/readyz")
            readyz_calls += 1
            assert behind.status_code == 503
            assert behind.json()["database"]["revision"] == previous
            direct.upgrade()
            ready = client.get("/readyz")
            readyz_calls += 1
            assert ready.status_code == 200, ready.json()
            assert ready.json()["database"] == {"revision": head, "expected": head}

            proxy.cut()
            cut = wait_for(client, "/readyz", 503)
            assert cut.status_code == 503
            assert cut.json()["status"] == "unavailable"
            assert client.get("/healthz").status_code == 200  # alive all the same
            proxy.restore()
            again = wait_for(client, "/readyz", 200)
            assert again.status_code == 200, again.json()

            # A whole sign-in and a dossier read, by an HR contact.
            secret, employee = _hr_with_an_employee(postgres_schema_url)
            login = client.get("/inloggen")
            plain_http(client)
            password = client.post(
                "/inloggen",
                data={
                    "csrf_token": CSRF.findall(login.text)[0],
                    "username": "hr.proxy",
                    "password": PASSWORD,
                },
            )
            plain_http(client)
            step = client.get(password.headers["location"])
            code = pyotp.TOTP(secret).now()
            signed_in = client.post(
                password.headers["location"],
                data={"csrf_token": CSRF.findall(step.text)[0], "method": "totp", "code": code},
            )
            assert signed_in.status_code == 302, signed_in.text[:500]
            plain_http(client)
            dossier = client.get(f"/werknemers/{employee}")
            assert dossier.status_code == 200
            assert "Zeldzaamnaam" in dossier.text

            metrics = client.get("/metrics").text
        counted: Counter[str] = Counter()
        for family in text_string_to_metric_families(metrics):
            for sample in family.samples:
                if sample.name == "onzecoach_web_requests_total":
                    counted[sample.labels["route"]] += int(sample.value)
        cpu = [
            sample
            for family in text_string_to_metric_families(metrics)
            for sample in family.samples
            if sample.name == "onzecoach_web_request_cpu_seconds_total"
        ]
    finally:
        process.terminate()
        process.wait(40)
        direct.close()

    # Counted by three workers, summed in one answer.
    waited = sum(1 for line in log.read_text().splitlines() if '"route": "/readyz"' in line)
    assert counted["/readyz"] == waited >= readyz_calls + 2
    assert counted["/werknemers/<employee_id>"] == 1
    assert cpu
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    requests = [line for line in lines if line.get("logger") == "onzecoach.web.requests"]
    assert {line["route"] for line in requests} >= {"/inloggen", "/werknemers/<employee_id>"}
    assert all(len(line["request_id"]) >= 8 for line in requests)
    text = log.read_text()
    # The birth date in each form it could be written in: the bare year may be a pid.
    born = ("1987-06-05", "05-06-1987", "5-6-1987")
    for personal in ("hr.proxy", PASSWORD, code, "Zeldzaamnaam", "zeldzaam@example.nl", *born):
        assert personal not in text, personal


def _hr_with_an_employee(url: str) -> tuple[str, str]:
    """An HR contact with an authenticator app, and an employee of theirs; its secret and
    the employee's id."""
    mailer = RecordingMailer()
    storage = SqlStorage(url)
    settings = Settings(base_url="https://portaal.example.nl", secret_key=TEST_SECRET_KEY)
    portal = Portal(storage=storage, mailer=mailer, settings=settings)
    try:
        employer = portal.admin.create_employer(SERVICE_DESK, "Proxy B.V.")
        portal.admin.invite_user(
            SERVICE_DESK, employer.id, email="hr.proxy@example.nl", username="hr.proxy"
        )
        portal.outbox.dispatch_due()
        body = mailer.sent[-1].get_body(preferencelist=("plain",))
        assert body is not None
        token = re.search(r"/registreren/(\S+)", body.get_content())
        assert token is not None
        enrollment = portal.accounts.register(token.group(1), PASSWORD)
        setup = portal.mfa.begin_totp(enrollment.token)
        # The step before now: the step of now stays free for the sign-in.
        portal.mfa.confirm_totp(enrollment.token, pyotp.TOTP(setup.secret).at(time.time() - 30))
        portal.mfa.finish(enrollment.token)
        hr = Actor(user_id=None, employer_id=employer.id, role=Role.HR)
        employee = portal.employees.register(
            hr,
            {
                "last_name": "Zeldzaamnaam",
                "given_name": "Proxima",
                "initials": "P.",
                "gender": "V",
                "birth_date": date(1987, 6, 5),
                "email": "zeldzaam@example.nl",
                "registration_type": "OnzeCoach",
            },
        )
        return setup.secret, employee.id
    finally:
        storage.close()
