"""Where ``make demo`` listens: ``PORT`` and ``HOST``, and no host other machines reach
unless told, since /dev/berichten shows every SMS code and reset link."""

from __future__ import annotations

import argparse
import shutil
import subprocess
from pathlib import Path

import pytest
from flask_portal import __main__ as demo

from onzecoach.configuration import Configuration

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[argparse.Namespace]:
    """What would be served, in place of the server."""
    calls: list[argparse.Namespace] = []

    def serve(_: Configuration, args: argparse.Namespace) -> int:
        calls.append(args)
        return demo.EXIT_OK

    monkeypatch.setattr(demo, "_serve", serve)
    return calls


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "portal.example.nl", ""])  # noqa: S104
def test_a_host_other_machines_reach_is_refused(
    host: str, served: list[argparse.Namespace], capsys: pytest.CaptureFixture[str]
) -> None:
    assert demo.main(["--host", host], environ={}) == demo.EXIT_USAGE
    assert served == []
    error = capsys.readouterr().err
    assert "/dev/berichten" in error
    assert "SMS code" in error
    assert "--allow-remote" in error
    assert "ALLOW_REMOTE=1" in error


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "localhost"])
def test_loopback_needs_no_permission(host: str, served: list[argparse.Namespace]) -> None:
    assert demo.main(["--host", host, "--port", "5057"], environ={}) == demo.EXIT_OK
    assert (served[0].host, served[0].port) == (host, 5057)


def test_the_defaults_are_loopback_and_5000(served: list[argparse.Namespace]) -> None:
    assert demo.main([], environ={}) == demo.EXIT_OK
    assert (served[0].host, served[0].port, served[0].allow_remote) == ("127.0.0.1", 5000, False)


def test_allow_remote_lets_it_listen_elsewhere(served: list[argparse.Namespace]) -> None:
    assert demo.main(["--host", "0.0.0.0", "--allow-remote"], environ={}) == demo.EXIT_OK  # noqa: S104
    assert served[0].host == "0.0.0.0"  # noqa: S104


def make_demo(*variables: str) -> str:
    """The command ``make demo`` would run with ``variables``, not run."""
    if shutil.which("make") is None:
        pytest.skip("no make")
    done = subprocess.run(
        ["make", "--no-print-directory", "-n", "demo", *variables],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    line = done.stdout.replace("\\\n", " ")
    found = [text for text in line.splitlines() if "-m flask_portal" in text]
    assert found, done.stdout
    return found[-1]


def test_make_demo_passes_port_and_host() -> None:
    default = make_demo()
    assert "--host '127.0.0.1'" in default
    assert "--port '5000'" in default
    assert "--allow-remote" not in default
    chosen = make_demo("PORT=5057", "HOST=0.0.0.0")
    assert "--host '0.0.0.0'" in chosen
    assert "--port '5057'" in chosen
    assert "--allow-remote" not in chosen
    assert make_demo("HOST=0.0.0.0", "ALLOW_REMOTE=1").endswith("--allow-remote")
    assert "--allow-remote" not in make_demo("ALLOW_REMOTE=0")
