"""The command's configuration: ``onzecoach.assembly`` under the names the command uses.

A configuration the command cannot use is a ``ConfigError`` (exit code 2).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from onzecoach.assembly import Assembly, assemble, calendars
from onzecoach.configuration import ConfigurationError

__all__ = ["Config", "ConfigError", "calendars", "load"]

#: The command's name for a configuration it cannot use (exit code 2).
ConfigError = ConfigurationError
Config = Assembly


def load(path: Path | None, environ: Mapping[str, str]) -> Config:
    """The file's settings (if a path is given, or ``ONZECOACH_CONFIG`` names one),
    overridden by the environment's."""
    return assemble(path, environ)
