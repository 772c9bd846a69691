"""The systemd units in deploy/ start commands that exist, with options they take."""

from __future__ import annotations

import configparser
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from onzecoach.cli import EXIT_OK, cli

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("*.service"))


def commands(unit: Path) -> list[list[str]]:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(unit)
    service = parser["Service"]
    lines = [service.get("ExecStart", ""), service.get("ExecStartPre", "")]
    return [shlex.split(line) for line in lines if line]


def test_there_is_a_unit_for_each_process() -> None:
    assert {u.name for u in UNITS} == {
        "onzecoach-web.service",
        "onzecoach-outbox@.service",
        "onzecoach-calendars.service",
        "onzecoach-retention.service",
    }


def test_the_retention_timer_starts_the_retention_run_daily() -> None:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(DEPLOY / "systemd" / "onzecoach-retention.timer")
    timer = parser["Timer"]
    assert (DEPLOY / "systemd" / timer["Unit"]).exists()
    assert timer["OnCalendar"].startswith("*-*-* ")
    assert timer["Persistent"] == "true"
    assert parser["Install"]["WantedBy"] == "timers.target"
    (argv,) = commands(DEPLOY / "systemd" / timer["Unit"])
    assert argv[1:] == ["privacy", "purge"]


@pytest.mark.parametrize("unit", UNITS, ids=lambda u: u.name)
def test_each_onzecoach_command_of_a_unit_runs(unit: Path) -> None:
    for argv in commands(unit):
        program = Path(argv[0]).name
        if program == "onzecoach":
            # --help after the options: click checks each option is the command's own.
            result = CliRunner().invoke(cli, [*argv[1:], "--help"])
            assert result.exit_code == EXIT_OK, (unit.name, argv, result.output)
        else:
            assert program == "gunicorn", argv
            config = argv[argv.index("--config") + 1]
            assert (DEPLOY / Path(config).name).exists()
            assert argv[-1] == "flask_portal.wsgi:app"
