"""The public surface: exactly the curated names, and an import that does no I/O."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import types

import onzecoach
from onzecoach import errors


def test_all_is_sorted_and_exactly_the_public_names() -> None:
    public = {
        name
        for name, value in vars(onzecoach).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    } | {"__version__"}
    assert onzecoach.__all__ == sorted(onzecoach.__all__)
    assert set(onzecoach.__all__) == public


def test_every_error_is_in_the_tree_and_exported() -> None:
    classes = {
        name: value
        for name, value in vars(errors).items()
        if isinstance(value, type) and issubclass(value, Exception) and not name.startswith("_")
    }
    assert set(errors.__all__) == set(classes) | {"FieldError", "all_codes"}
    for name, cls in classes.items():
        assert issubclass(cls, errors.OnzecoachError), name
        assert getattr(onzecoach, name) is cls
        assert name in (errors.__doc__ or ""), f"{name} is missing from the drawn tree"


def test_importing_onzecoach_opens_no_file_socket_or_database() -> None:
    probe = textwrap.dedent(
        """
        import sys

        seen = []
        WATCHED = {"socket.connect", "socket.bind", "sqlite3.connect", "subprocess.Popen"}

        def hook(event, args):
            if event in WATCHED:
                seen.append(event)
            elif event == "open" and isinstance(args[0], str):
                path = args[0]
                # Reading Python modules is what importing is.
                if not path.endswith((".py", ".pyc", ".so", ".pth")) and "__pycache__" not in path:
                    seen.append(f"open {path}")

        sys.addaudithook(hook)
        import onzecoach, onzecoach.testing, onzecoach.ports, onzecoach.adapters.memory
        # The calendar files' library reads time zone files: it waits for its first use.
        import onzecoach.ics
        # The contract suites' pytest and hypothesis too: only onzecoach.testing.contracts
        # may bring them in.
        heavy = sorted(
            {m.split(".")[0] for m in sys.modules}
            & {"sqlalchemy", "httpx", "flask", "pytest", "_pytest", "hypothesis", "icalendar"}
        )
        print(seen, heavy)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[] []"
