"""The list of erased employees as a file kept outside the database.

A backup taken before an erasure does not hold that erasure in its own list, so after it is
restored, ``reapply`` needs the list from elsewhere: from the database that is replaced
(``onzecoach db restore`` carries it across) or from this file, which the operator refreshes
after erasures and keeps beside the backups. It holds ids, employer ids and times: nothing
that names a person.

The file is JSON::

    {"format": "onzecoach.erased-employees", "version": 1, "exported_at": "...Z",
     "erased": [{"employee_id": "...", "employer_id": "...", "erased_at": "...Z"}, ...]}
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Final

from onzecoach.clock import utc
from onzecoach.errors import ValidationError
from onzecoach.privacy._model import ErasedEmployee

__all__ = [
    "ERASURE_LIST_FORMAT",
    "ERASURE_LIST_VERSION",
    "erasure_list_json",
    "merge_erasures",
    "read_erasure_list",
]

#: The ``format`` of an erasure list file.
ERASURE_LIST_FORMAT: Final = "onzecoach.erased-employees"
#: The ``version`` of the file's layout that this onzecoach writes and reads.
ERASURE_LIST_VERSION: Final = 1
#: The longest id a list may hold (the schema's ids are 32 characters).
_MAX_ID = 64


def erasure_list_json(erased: Iterable[ErasedEmployee], *, exported_at: datetime) -> bytes:
    """The list as the file's bytes: ordered by employee id, times in UTC."""
    rows = [
        {
            "employee_id": item.employee_id,
            "employer_id": item.employer_id,
            "erased_at": _iso(item.erased_at),
        }
        for item in sorted(merge_erasures(erased), key=lambda e: e.employee_id)
    ]
    document = {
        "format": ERASURE_LIST_FORMAT,
        "version": ERASURE_LIST_VERSION,
        "exported_at": _iso(exported_at),
        "erased": rows,
    }
    return (json.dumps(document, indent=2, ensure_ascii=True) + "\n").encode("ascii")


def read_erasure_list(data: bytes | str) -> list[ErasedEmployee]:
    """The erased employees a file lists; ``ValidationError`` on ``listed`` for anything
    that is not such a file (malformed JSON, another format or version, a bad entry)."""
    try:
        document = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationError.single("listed", "invalid") from exc
    if (
        not isinstance(document, dict)
        or document.get("format") != ERASURE_LIST_FORMAT
        or not isinstance(document.get("erased"), list)
    ):
        raise ValidationError.single("listed", "invalid")
    if document.get("version") != ERASURE_LIST_VERSION:
        raise ValidationError.single("listed", "version", version=ERASURE_LIST_VERSION)
    return merge_erasures(_entry(row) for row in document["erased"])


def merge_erasures(*lists: Iterable[ErasedEmployee]) -> list[ErasedEmployee]:
    """Every employee of the lists once, with the earliest time it was erased."""
    merged: dict[str, ErasedEmployee] = {}
    for listed in lists:
        for item in listed:
            known = merged.get(item.employee_id)
            if known is None or item.erased_at < known.erased_at:
                merged[item.employee_id] = item
    return list(merged.values())


def _entry(row: object) -> ErasedEmployee:
    if not isinstance(row, dict):
        raise ValidationError.single("listed", "invalid")
    ids = [row.get("employee_id"), row.get("employer_id")]
    stamp = row.get("erased_at")
    if not all(isinstance(i, str) and 0 < len(i) <= _MAX_ID and i.isprintable() for i in ids):
        raise ValidationError.single("listed", "invalid")
    if not isinstance(stamp, str):
        raise ValidationError.single("listed", "invalid")
    try:
        erased_at = datetime.fromisoformat(stamp)
    except ValueError as exc:
        raise ValidationError.single("listed", "invalid") from exc
    if erased_at.tzinfo is None:
        raise ValidationError.single("listed", "invalid")
    return ErasedEmployee(employee_id=str(ids[0]), employer_id=str(ids[1]), erased_at=erased_at)


def _iso(moment: datetime) -> str:
    return utc(moment).isoformat().replace("+00:00", "Z")
