"""What an import remembers of the rows it checked: each recurring value's outcome.

Every check of a field is a function of its value alone (with the import's fixed
registration types and date), so a value that recurs from row to row (a city, a
department, a common given name or birth date) is checked once per import.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final, TypeVar, cast

__all__ = ["RECURRING", "Memo", "remembered"]

_T = TypeVar("_T")

#: The outcomes of the checks of an import's rows so far, by field and value.
Memo = dict[tuple[object, ...], object]
#: The fields whose values recur from row to row of a file (names, places, choices); not
#: the e-mail address, telephone and employee numbers, which are each row's own.
RECURRING: Final = frozenset(
    {
        "last_name",
        "name_infix",
        "given_name",
        "initials",
        "gender",
        "country",
        "house_number",
        "street",
        "city",
        "department_id",
        "job_title",
        "cost_centre",
        "po_number",
    }
)
#: How many outcomes a memo holds at most; past it, new values are checked as they come.
_MEMO_SIZE: Final = 200_000
_UNSEEN: Final = object()


def remembered(memo: Memo, key: tuple[object, ...], check: Callable[[], _T]) -> _T:
    """What ``check`` gives, from ``memo`` under ``key`` if it was asked before."""
    found = memo.get(key, _UNSEEN)
    if found is _UNSEEN:
        result = check()
        if len(memo) < _MEMO_SIZE:
            memo[key] = result
        return result
    return cast("_T", found)
