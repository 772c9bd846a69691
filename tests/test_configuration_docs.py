"""docs/cli.md lists every configuration key, with its variable, form and default.

The table is made from ``onzecoach.settings.CONFIGURATION_KEYS``, which is made from the
``Settings`` fields: a field added, renamed or given another default fails this test until
the table is made again with ``python tests/test_configuration_docs.py``.
"""

from __future__ import annotations

import re
from pathlib import Path

from onzecoach.configuration import CONFIGURATION_KEYS

DOCS = Path(__file__).resolve().parent.parent / "docs" / "cli.md"
TABLE = re.compile(
    r"(<!-- settings table:[^\n]*-->\n)(.*?)(<!-- end of settings table -->)", re.DOTALL
)


def settings_table() -> str:
    rows = ["| setting | environment variable | kind | default |", "|---|---|---|---|"]
    for key in CONFIGURATION_KEYS:
        default = key.default_text
        shown = default if default in {"required", "not set"} else f"`{default}`"
        kind = f"{key.form}, secret" if key.secret else key.form
        rows.append(f"| `{key.written}` | `{key.env}` | {kind} | {shown} |")
    return "\n".join(rows) + "\n"


def test_the_docs_table_lists_every_setting_as_the_fields_have_it() -> None:
    found = TABLE.search(DOCS.read_text(encoding="utf-8"))
    assert found, "docs/cli.md has lost its settings table markers"
    assert found.group(2) == settings_table(), (
        "docs/cli.md's settings table differs from the Settings fields; "
        "run: python tests/test_configuration_docs.py"
    )


def test_the_table_has_one_row_per_key() -> None:
    rows = [line for line in settings_table().splitlines() if line.startswith("| `")]
    assert len(rows) == len(CONFIGURATION_KEYS)
    assert "| `privacy_min_group` | `ONZECOACH_PRIVACY_MIN_GROUP` | whole number | `3` |" in rows
    assert "| `secret_key` | `ONZECOACH_SECRET_KEY` | text, secret | required |" in rows


if __name__ == "__main__":
    text = DOCS.read_text(encoding="utf-8")
    DOCS.write_text(
        TABLE.sub(lambda m: m.group(1) + settings_table() + m.group(3), text), encoding="utf-8"
    )
