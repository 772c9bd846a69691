"""Every benchmark runs at a tiny size, so none can rot between the runs that measure.

The figures of a run this small mean nothing; what counts is that each script still runs
through, and that the statistics and booking benchmarks' peers still agree with onzecoach
(each exits non-zero when they do not).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

TINY = {
    "booking.py": [
        "--coaches",
        "30",
        "--sessions",
        "1000",
        "--requests",
        "20",
        "--peer-requests",
        "5",
        "--employees",
        "5",
        "--bookings",
        "40",
    ],
    "enumeration.py": ["3"],
    "import.py": ["2000", "--runs", "2"],
    "login.py": ["2"],
    "outbox.py": ["50"],
    "password.py": ["2"],
    "search.py": ["2000", "--queries", "20", "--scan-queries", "2"],
    "stats_web.py": [
        "--appointments",
        "3000",
        "--employers",
        "3",
        "--departments",
        "3",
        "--repeat",
        "2",
    ],
    "web_load.py": [
        "--employees",
        "600",
        "--appointments",
        "600",
        "--employers",
        "2",
        "--users",
        "2",
        "--seconds",
        "3",
        "--cpu-seconds",
        "2",
        "--think",
        "0,0.05",
    ],
    "stats.py": [
        "--appointments",
        "5000",
        "--employers",
        "5",
        "--departments",
        "4",
        "--repeat",
        "2",
        "--writes",
        "50",
    ],
}


def test_every_benchmark_has_a_tiny_run() -> None:
    assert set(TINY) == {path.name for path in (ROOT / "benchmarks").glob("*.py")}


#: Lines a script's output must hold, beyond running through.
PRINTS = {
    "import.py": ("seconds: the median of 2 runs", "ratio onzecoach / same rows into onzecoach"),
    "stats_web.py": ("dashboard ", "drill-down "),
    "web_load.py": (
        "Each user pauses the given time on average",
        "gunicorn, 2 users, pause 0 s: ",
        "gunicorn, 2 users, pause 0.05 s: ",
    ),
    "stats.py": (
        "department: ",
        "all methods agree",
        "department drill-down: ",
        "onzecoach on SQLite, the drill-down: ",
    ),
}


@pytest.mark.parametrize("script", sorted(TINY))
def test_benchmark_runs(script: str) -> None:
    output = _run(script, TINY[script])
    for line in PRINTS.get(script, ()):
        assert line in output


#: The scripts that also measure on PostgreSQL when given ``--postgres URL``.
WITH_POSTGRES = (
    "booking.py",
    "enumeration.py",
    "import.py",
    "login.py",
    "outbox.py",
    "search.py",
    "stats_web.py",
)


@pytest.mark.postgres
@pytest.mark.parametrize("script", WITH_POSTGRES)
def test_benchmark_runs_on_postgresql(script: str, postgres_url: str) -> None:
    output = _run(script, [*TINY[script], "--postgres", postgres_url])
    assert "PostgreSQL" in output
    if script == "import.py":
        # Each import's CPU, the server's beside the client's: the server runs here; and
        # PostgreSQL's own floor, with the server's CPU for it.
        assert "the server's onzecoach backends" in output
        assert "same rows into onzecoach's tables, PostgreSQL (COPY)" in output
        assert "ratio onzecoach PostgreSQL / same rows into its tables" in output
        assert "the floor's COPY, the server" in output
        # Both floors side by side, and the import with the collector's passes left on.
        assert "ratio of the floors, PostgreSQL / SQLite" in output
        assert "the same, the collector's own passes left on" in output


def _run(script: str, arguments: list[str]) -> str:
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), *arguments],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip()
    return done.stdout
