"""What the command line's tests share besides their fixtures (tests/cli/conftest.py)."""

from __future__ import annotations

from click.testing import CliRunner, Result

from onzecoach import Actor, Portal
from onzecoach.cli import cli
from onzecoach.employees import Employee

#: The environment a command runs with.
Env = dict[str, str]


def run(env: Env, *args: str) -> Result:
    """``onzecoach ARGS`` in-process, with ``env`` as its environment."""
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def register(
    portal: Portal, hr: Actor, last_name: str, *, email: str = "anna@example.nl"
) -> Employee:
    """Anna ``last_name``, registered through the form by ``hr``."""
    form: dict[str, object] = {
        "last_name": last_name,
        "given_name": "Anna",
        "initials": "A.",
        "gender": "vrouw",
        "birth_date": "01-01-1980",
        "email": email,
    }
    return portal.employees.register(hr, form)
