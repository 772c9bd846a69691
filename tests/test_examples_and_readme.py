"""Examples and the README's code run as written, so that neither can rot."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))
POSTGRES_URL = os.environ.get("ONZECOACH_TEST_POSTGRES_URL", "")
REQUIRE_POSTGRES = os.environ.get("ONZECOACH_REQUIRE_POSTGRES") == "1"
POSTGRES_EXAMPLE = "postgres_two_dispatchers.py"

#: What each script must print, beyond printing something: its story reached the end.
EXPECTED = {
    "embed_memory.py": ["hr@voorbeeld.nl", "sanne@voorbeeld.nl"],
    "registration_and_login.py": ["too_short", "Ingelogd", "Uitgelogd"],
    "trajectory_and_statistics.py": ["gesprekken per maand", "Thema's worden", "CSV geschreven"],
}


EXAMPLE_PARAMS = [
    pytest.param(
        script,
        id=script.name,
        marks=[pytest.mark.postgres] if script.name == POSTGRES_EXAMPLE else [],
    )
    for script in EXAMPLES
]


def run_example(script: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop("ONZECOACH_EXAMPLE_POSTGRES_URL", None)  # the URL is passed, or absent, on purpose
    return subprocess.run(
        [sys.executable, str(script), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("script", EXAMPLE_PARAMS)
def test_example_runs(script: Path, tmp_path: Path) -> None:
    args: list[str] = []
    if script.name == POSTGRES_EXAMPLE:
        if REQUIRE_POSTGRES and not POSTGRES_URL:
            pytest.fail("PostgreSQL is required (ONZECOACH_REQUIRE_POSTGRES=1) but no URL is set")
        args = [POSTGRES_URL] if POSTGRES_URL else []
    result = run_example(script, *args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()
    for text in EXPECTED.get(script.name, []):
        assert text in result.stdout, result.stdout
    if script.name == POSTGRES_EXAMPLE:
        if POSTGRES_URL:
            assert "Alle 200 berichten precies één keer verstuurd" in result.stdout
            assert "dispatcher A" in result.stdout
        else:
            assert "ONZECOACH_EXAMPLE_POSTGRES_URL" in result.stdout


def test_the_postgres_example_takes_its_url_from_the_environment(tmp_path: Path) -> None:
    """Without an argument the script reads ONZECOACH_EXAMPLE_POSTGRES_URL, if set."""
    if not POSTGRES_URL:
        if REQUIRE_POSTGRES:
            pytest.fail("PostgreSQL is required (ONZECOACH_REQUIRE_POSTGRES=1) but no URL is set")
        pytest.skip("set ONZECOACH_TEST_POSTGRES_URL to run the PostgreSQL example")
    env = {**os.environ, "ONZECOACH_EXAMPLE_POSTGRES_URL": POSTGRES_URL}
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / POSTGRES_EXAMPLE)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "precies één keer verstuurd" in result.stdout


def test_the_sqlite_examples_keep_their_database_where_told(tmp_path: Path) -> None:
    """A path as the first argument keeps the database (and the CSV) for a look afterwards."""
    database = tmp_path / "registratie.db"
    result = run_example(
        ROOT / "examples" / "registration_and_login.py", str(database), cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert database.is_file()
    result = run_example(
        ROOT / "examples" / "trajectory_and_statistics.py", str(tmp_path), cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "dashboard.csv").read_text(encoding="utf-8-sig").startswith("Periode")


def python_blocks(markdown: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", markdown, flags=re.DOTALL)


def test_readme_embedding_example_runs(tmp_path: Path) -> None:
    blocks = python_blocks((ROOT / "README.md").read_text(encoding="utf-8"))
    assert blocks, "the README shows an embedding example"
    for block in blocks:
        result = subprocess.run(
            [sys.executable, "-c", block],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, f"{block}\n{result.stderr}"
