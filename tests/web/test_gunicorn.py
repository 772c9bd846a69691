"""The reference app under gunicorn, for real: deploy/gunicorn.conf.py and
flask_portal.wsgi, on a free port, with the configuration in the environment."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from flask_portal.production import PROXIES_ENV, proxies

from onzecoach.adapters.sql import SqlStorage
from onzecoach.configuration import ConfigurationError
from support import TEST_SECRET_KEY

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    if not GUNICORN.exists():
        pytest.skip("gunicorn is not installed (the server extra)")
    database = tmp_path / "portal.db"
    storage = SqlStorage(f"sqlite:///{database}")
    storage.upgrade()
    storage.close()
    port = free_port()
    log = tmp_path / "gunicorn.log"
    env = {
        **os.environ,
        "ONZECOACH_DATABASE_URL": f"sqlite:///{database}",
        "ONZECOACH_BASE_URL": "https://portaal.example.nl",
        "ONZECOACH_SECRET_KEY": TEST_SECRET_KEY,
        "ONZECOACH_PASSWORD_HASHING": "rfc_9106_low_memory",
        "ONZECOACH_WEB_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "ONZECOACH_WEB_THREADS": "2",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
    }
    with log.open("wb") as output:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen(
            [
                str(GUNICORN),
                "--config",
                str(ROOT / "deploy" / "gunicorn.conf.py"),
                "--chdir",
                str(ROOT / "examples"),
                "flask_portal.wsgi:app",
            ],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(f"{url}/healthz", timeout=1)
            break
        except httpx.TransportError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                process.wait(10)
                pytest.fail(f"gunicorn did not start:\n{log.read_text(errors='replace')}")
            time.sleep(0.2)
    try:
        yield url, process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)


def test_gunicorn_serves_the_app_in_production_mode(
    server: tuple[str, subprocess.Popen[bytes]],
) -> None:
    url, process = server
    with httpx.Client(base_url=url, timeout=10) as client:
        page = client.get("/inloggen")
        assert page.status_code == 200
        assert "Inloggen" in page.text
        assert "script-src 'self'" in page.headers["content-security-policy"]
        assert "max-age" in page.headers["strict-transport-security"]
        # Production: no development pages, and every cookie Secure.
        assert client.get("/dev/berichten").status_code == 404
        for cookie in page.headers.get_list("set-cookie"):
            assert "Secure" in cookie
        # Two workers with two threads each answer requests at once.
        answers = [client.get("/inloggen").status_code for _ in range(20)]
        assert client.get("/healthz").json() == {"status": "ok"}
        ready = client.get("/readyz").json()
        # The metrics of both workers, summed: every request to the login page counted.
        metrics = client.get("/metrics").text
    assert set(answers) == {200}
    assert ready["status"] == "ready"
    assert ready["database"]["revision"] == SqlStorage.head_revision()
    counted = [
        line
        for line in metrics.splitlines()
        if line.startswith("onzecoach_web_requests_total{")
        and 'route="/inloggen"' in line
        and 'status="200"' in line
    ]
    assert len(counted) == 1, metrics
    assert float(counted[0].rsplit(" ", 1)[1]) == 21
    # SIGTERM: the workers finish what they have and the server exits cleanly.
    process.send_signal(signal.SIGTERM)
    assert process.wait(40) == 0


@pytest.mark.parametrize(("value", "trusted"), [("", 0), ("0", 0), ("1", 1), (" 2 ", 2), ("5", 5)])
def test_the_proxies_to_trust(value: str, trusted: int) -> None:
    assert proxies({PROXIES_ENV: value}) == trusted


@pytest.mark.parametrize("value", ["6", "-1", "een", "\uff11", "1.5"])
def test_a_bad_number_of_proxies_is_refused(value: str) -> None:
    with pytest.raises(ConfigurationError, match=PROXIES_ENV):
        proxies({PROXIES_ENV: value})
