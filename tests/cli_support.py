"""What the command line's tests share besides their fixtures (tests/cli/conftest.py)."""

from __future__ import annotations

from click.testing import CliRunner, Result

from onzecoach.cli import cli

#: The environment a command runs with.
Env = dict[str, str]


def run(env: Env, *args: str) -> Result:
    """``onzecoach ARGS`` in-process, with ``env`` as its environment."""
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
