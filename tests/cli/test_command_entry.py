"""The console script names the extra to install instead of failing on an import."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from onzecoach._command import EXTRAS


def run(blocked: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``onzecoach`` with ``blocked`` made impossible to import, as if not installed."""
    script = (
        "import sys; "
        f"sys.modules[{blocked!r}] = None; "
        f"sys.argv = ['onzecoach', *{list(args)!r}]; "
        "from onzecoach._command import main; main()"
    )
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )


@pytest.mark.parametrize(("blocked", "extra"), [("rich", "cli"), ("click", "cli")])
def test_a_missing_cli_package_names_the_extra(blocked: str, extra: str) -> None:
    result = run(blocked, "--help")
    assert result.returncode == 2
    assert f"pip install 'onzecoach[{extra}]'" in result.stderr
    assert "Traceback" not in result.stderr


def test_with_everything_installed_the_command_runs() -> None:
    result = run("not_a_module_anyone_needs", "--help")
    assert result.returncode == 0, result.stderr
    assert "Usage" in result.stdout


def test_every_named_extra_exists() -> None:
    project = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())
    extras = project["project"]["optional-dependencies"]
    assert set(EXTRAS.values()) <= set(extras)
    assert project["project"]["scripts"]["onzecoach"] == "onzecoach._command:main"
    assert any("cli" in requirement for requirement in extras["demo"])
