"""The dossier search's index in SQL: every search word is one range of a B-tree.

``onzecoach_search_tokens`` holds a row per token of each employee, keyed (employer,
token, sort key), so the employees with a token that starts with a word are one range of
its primary key. The common search, three letters, has tables of its own:
``onzecoach_search_prefixes`` holds each employee once per distinct first three
characters of its tokens, keyed (employer, prefix, sort key), so that a page is a run of
one range in the order to show; ``onzecoach_search_prefix_counts`` holds each range's
length, the total, so that nothing is counted at search time.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from onzecoach.employees import Employee
from onzecoach.search import SEPARATOR, name_tokens, sort_key

from . import _tables as t
from ._base import Repository, translate_errors
from ._sqlite import begin_now

__all__ = ["SqlSearchIndex"]

#: The length of a prefix in ``onzecoach_search_prefixes``.
_PREFIX: Final = 3
#: The lengths of the token and sort key columns.
_TOKEN_LENGTH: Final = 100
_KEY_LENGTH: Final = 400
#: Above every character a token holds: [word, word + _BEYOND) is every token it starts.
_BEYOND: Final = "\U0010ffff"

_TOKEN_COLUMNS: Final = ("employer_id", "token", "sort_key", "employee_id")
_PREFIX_COLUMNS: Final = ("employer_id", "prefix", "sort_key", "employee_id")

_token = t.search_tokens.c
_prefix = t.search_prefixes.c
_count = t.search_prefix_counts.c

# PostgreSQL: of two transactions changing one employee's entries, the second waits for
# the first to commit before it reads them, and so undoes exactly what it finds. SQLite
# writes no FOR UPDATE, but takes its write lock before the statement (``_sqlite``).
_LOCK_EMPLOYEE = (
    sa.select(t.employees.c.id)
    .where(t.employees.c.id == sa.bindparam("_employee_id"))
    .with_for_update()
)
_INDEXED = sa.select(_token.employer_id, _token.token, _token.sort_key).where(
    _token.employee_id == sa.bindparam("_employee_id")
)
_ADD_TOKENS = t.search_tokens.insert()
_ADD_PREFIXES = t.search_prefixes.insert()
_DROP_TOKENS = t.search_tokens.delete().where(_token.employee_id == sa.bindparam("_employee_id"))
_DROP_PREFIXES = t.search_prefixes.delete().where(
    _prefix.employee_id == sa.bindparam("_employee_id")
)


def _change_counts(dialect: str) -> sa.Insert:
    """Add ``_change`` to a prefix's count; a missing row starts at ``_first``."""
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(
        t.search_prefix_counts
    )
    return insert.values(
        employer_id=sa.bindparam("_employer_id"),
        prefix=sa.bindparam("_prefix"),
        count=sa.bindparam("_first"),
    ).on_conflict_do_update(
        index_elements=[_count.employer_id, _count.prefix],
        set_={"count": _count.count + sa.bindparam("_change")},
    )


_KEY_SHARE_EMPLOYEES = (
    sa.select(t.employees.c.id)
    .where(t.employees.c.employer_id == sa.bindparam("_employer_id"))
    .order_by(t.employees.c.id)
    .with_for_update(key_share=True)
)
_LOCK_INDEX = sa.text(
    f"LOCK TABLE {t.search_tokens.name}, {t.search_prefixes.name}, "
    f"{t.search_prefix_counts.name} IN SHARE ROW EXCLUSIVE MODE"
)
_CLEAR = tuple(
    table.delete().where(table.c.employer_id == sa.bindparam("_employer_id"))
    for table in (t.search_tokens, t.search_prefixes, t.search_prefix_counts)
)

_CHANGE_COUNTS = {dialect: _change_counts(dialect) for dialect in ("postgresql", "sqlite")}

# The prefix's count and the page in one statement (one round trip): the count's row
# first (part 0), then the page's sort keys in order (part 1). A sort key ends with its
# employee's id, so the page reads the primary key's index alone (an index-only scan on
# PostgreSQL, once vacuumed), not a table row per employee.
_PREFIX_TOTAL = sa.select(
    sa.literal_column("0").label("part"),
    _count.count.label("total"),
    sa.null().label("sort_key"),
).where(
    _count.employer_id == sa.bindparam("_employer_id"), _count.prefix == sa.bindparam("_prefix")
)
_PREFIX_PAGE_ROWS = (
    sa.select(_prefix.sort_key)
    .where(
        _prefix.employer_id == sa.bindparam("_employer_id"),
        _prefix.prefix == sa.bindparam("_prefix"),
    )
    .order_by(_prefix.sort_key)
    .limit(sa.bindparam("_limit"))
    .offset(sa.bindparam("_offset"))
    .subquery("page")
)
_PREFIX_SEARCH = sa.union_all(
    _PREFIX_TOTAL,
    sa.select(
        sa.literal_column("1"),
        sa.null(),
        _PREFIX_PAGE_ROWS.c.sort_key,
    ),
).order_by(sa.literal_column("part"), sa.literal_column("sort_key"))

#: (employer id, token, sort key): a row of ``onzecoach_search_tokens`` without the
#: employee's id; with the prefix for the token, one of ``onzecoach_search_prefixes``.
_Entry = tuple[str, str, str]


def _entries(employee: Employee) -> set[_Entry]:
    tokens = name_tokens(employee.last_name, employee.given_name, employee.employee_number)
    key = sort_key(employee.last_name, employee.name_infix, employee.given_name, employee.id)
    if len(key) > _KEY_LENGTH:
        # Only for names of over a hundred letters each once folded (a Hangul syllable
        # folds to three). Cut in the middle, so that the id still ends the key and keeps
        # it unique; such names are then ordered by what is left of them.
        end = SEPARATOR + employee.id
        key = key[: _KEY_LENGTH - len(end)] + end
    # Tokens are cut like the words of a query: a word of up to _TOKEN_LENGTH
    # characters starts a token exactly when it starts the token's cut.
    return {(employee.employer_id, token[:_TOKEN_LENGTH], key) for token in tokens}


def _employee_of(key: str) -> str:
    """The employee id that ends a sort key (``_entries`` keeps it there)."""
    return key.rsplit(SEPARATOR, 1)[1]


def _prefixes(entries: Iterable[_Entry]) -> set[_Entry]:
    """The prefix entries that go with token entries: one per distinct prefix."""
    return {
        (employer_id, token[:_PREFIX], key)
        for employer_id, token, key in entries
        if len(token) >= _PREFIX
    }


class SqlSearchIndex(Repository):
    """``SearchIndexRepository`` on the three search tables.

    A count stays in its table when it drops to 0: a prefix has only so many spellings,
    and a name changed back and forth then updates a row instead of deleting and
    inserting it.

    Count changes are summed over the transaction and written at its end (``flush``,
    before the commit; before a search or a clear in the same transaction too), in one
    order. Written as each employee came, two transactions that each index several
    employees lock count rows in crossed orders (an import's batch and a rename in the
    web app; two batches), and PostgreSQL ends one of them as a deadlock. Written last,
    in one order, a transaction waits for another's counts only once it holds all else
    it will take.
    """

    def __init__(self, connection: sa.Connection) -> None:
        super().__init__(connection)
        self._count_changes: Counter[tuple[str, str]] = Counter()

    def flush(self) -> None:
        self._execute_many(
            _CHANGE_COUNTS[self._dialect],
            "counting search prefixes",
            [
                {"_employer_id": e, "_prefix": prefix, "_first": max(change, 0), "_change": change}
                for (e, prefix), change in sorted(self._count_changes.items())
                if change
            ],
        )
        self._count_changes = Counter()  # once written: a failed write keeps them

    def discard(self) -> None:
        self._count_changes = Counter()

    def index(self, employee: Employee) -> None:
        entries = _entries(employee)
        indexed = self._claim(employee.id)
        if entries == indexed:
            return  # most saves change an address or a department, not the name
        if indexed:
            self._drop(employee.id)
        self._execute_many(
            _ADD_TOKENS,
            "indexing an employee",
            [
                {"employer_id": e, "token": token, "sort_key": key, "employee_id": employee.id}
                for e, token, key in entries
            ],
        )
        prefixes = _prefixes(entries)
        self._execute_many(
            _ADD_PREFIXES,
            "indexing an employee",
            [
                {"employer_id": e, "prefix": prefix, "sort_key": key, "employee_id": employee.id}
                for e, prefix, key in prefixes
            ],
        )
        self._count(added=prefixes, removed=_prefixes(indexed))

    def index_new(self, employees: Sequence[Employee]) -> None:
        """Three statements for the lot: tokens, prefixes and the counts they add.

        Nothing is read: the employees are new in this transaction, so no other one can
        hold entries for them (and on PostgreSQL none can see them yet).
        """
        tokens: list[tuple[str, str, str, str]] = []
        prefixes: list[tuple[str, str, str, str]] = []
        added: set[_Entry] = set()
        for employee in employees:
            entries = _entries(employee)
            tokens.extend((e, token, key, employee.id) for e, token, key in entries)
            own = _prefixes(entries)
            prefixes.extend((e, prefix, key, employee.id) for e, prefix, key in own)
            added |= own
        # In the order of the tables' primary keys: each row then goes into the B-tree
        # next to the one before it. Shuffled, SQLite took about twice as long to insert
        # the same rows (docs/benchmarks.md); the employees' order is as good as shuffled.
        tokens.sort()
        prefixes.sort()
        self._insert_rows(t.search_tokens, _TOKEN_COLUMNS, tokens, "indexing employees")
        self._insert_rows(t.search_prefixes, _PREFIX_COLUMNS, prefixes, "indexing employees")
        self._count(added=added, removed=set())

    def remove(self, employee_id: str) -> None:
        """Take the employee out of the index, if it is in.

        Call this before deleting the employee: the index's tables have no foreign key
        to the employees (revision 0017), so nothing else takes its rows away.
        """
        indexed = self._claim(employee_id)
        if indexed:
            self._drop(employee_id)
            self._count(added=set(), removed=_prefixes(indexed))

    def clear(self, employer_id: str) -> None:
        self.flush()
        parameters = {"_employer_id": employer_id}
        if self._dialect == "postgresql":
            # First a key-share lock on each of the employer's employees: a writer that
            # indexes or removes an employee locks its row first (``_claim``), so none
            # can change an employee's entries under the rebuild, and none is deleted
            # with entries the rebuild is about to write. Taken after the table lock,
            # they would wait for a writer that holds its employee's row and waits for
            # the table: a deadlock. They are taken in id order, the order in which a
            # writer of several employees (the bulk import) must lock them too.
            self._execute(_KEY_SHARE_EMPLOYEES, "locking the employees", parameters)
            self._execute(_LOCK_INDEX, "locking the search index")
        else:
            begin_now(self._connection)  # SQLite's write lock keeps every writer out
        for statement in _CLEAR:
            self._execute(statement, "clearing the search index", parameters)

    def query(
        self, employer_id: str, words: Sequence[str], *, limit: int, offset: int
    ) -> tuple[list[str], int]:
        """See ``SearchIndexRepository.query``; no words find nothing, as in memory."""
        self.flush()  # this transaction's own changes count
        wanted = sorted({word[:_TOKEN_LENGTH] for word in words}, key=len, reverse=True)
        if len(wanted) == 1 and len(wanted[0]) == _PREFIX:
            return self._by_prefix(employer_id, wanted[0], limit=limit, offset=offset)
        if wanted:
            return self._by_tokens(employer_id, wanted, limit=limit, offset=offset)
        return [], 0

    def _by_prefix(
        self, employer_id: str, prefix: str, *, limit: int, offset: int
    ) -> tuple[list[str], int]:
        rows = self._execute(
            _PREFIX_SEARCH,
            "searching employees",
            {"_employer_id": employer_id, "_prefix": prefix, "_limit": limit, "_offset": offset},
        ).all()
        if not rows or rows[0].part != 0:
            return [], 0
        return [_employee_of(row.sort_key) for row in rows[1:]], rows[0].total

    def _by_tokens(
        self, employer_id: str, words: Sequence[str], *, limit: int, offset: int
    ) -> tuple[list[str], int]:
        """The employees with a token for every word, from the range of the longest word.

        Each other word is checked per candidate (EXISTS, through the employee_id index)
        rather than gathered whole (IN): a short second word such as the "a" of "jans a"
        starts the tokens of half the employer.
        """
        parameters: dict[str, Any] = {"_employer_id": employer_id}

        def starts_a_token(table: sa.FromClause, number: int) -> sa.ColumnElement[bool]:
            parameters[f"_from{number}"] = words[number]
            parameters[f"_to{number}"] = words[number] + _BEYOND
            return sa.and_(
                table.c.employer_id == sa.bindparam("_employer_id"),
                table.c.token >= sa.bindparam(f"_from{number}"),
                table.c.token < sa.bindparam(f"_to{number}"),
            )

        found = sa.select(_token.sort_key, _token.employee_id).where(
            starts_a_token(t.search_tokens, 0)
        )
        for number in range(1, len(words)):
            other = t.search_tokens.alias(f"word{number}")
            found = found.where(
                sa.exists().where(
                    other.c.employee_id == _token.employee_id, starts_a_token(other, number)
                )
            )
        # Two tokens of one employee can start with the same word ("jansen" and
        # "jansendevries" both start with "jan").
        matches = found.distinct().subquery("matches")
        # One statement for the page and the total: the matches are found once.
        page = self._execute(
            sa.select(matches.c.employee_id, sa.func.count().over().label("total"))
            .order_by(matches.c.sort_key)
            .limit(sa.bindparam("_limit"))
            .offset(sa.bindparam("_offset")),
            "searching employees",
            {**parameters, "_limit": limit, "_offset": offset},
        ).all()
        if page:
            return [row.employee_id for row in page], int(page[0].total)
        if offset == 0:
            return [], 0
        total = self._execute(
            sa.select(sa.func.count()).select_from(matches), "searching employees", parameters
        ).scalar_one()
        return [], int(total)

    def _claim(self, employee_id: str) -> set[_Entry]:
        """Lock the employee's row; return what the index holds for the employee."""
        parameters = {"_employee_id": employee_id}
        self._execute(_LOCK_EMPLOYEE, "locking an employee", parameters)
        rows = self._execute(_INDEXED, "reading the search index", parameters)
        return {(row.employer_id, row.token, row.sort_key) for row in rows}

    def _drop(self, employee_id: str) -> None:
        parameters = {"_employee_id": employee_id}
        self._execute(_DROP_TOKENS, "removing an employee from the index", parameters)
        self._execute(_DROP_PREFIXES, "removing an employee from the index", parameters)

    def _count(self, *, added: set[_Entry], removed: set[_Entry]) -> None:
        """Note the count changes, for ``flush``."""
        changes = self._count_changes
        changes.update((employer_id, prefix) for employer_id, prefix, _ in added)
        changes.subtract((employer_id, prefix) for employer_id, prefix, _ in removed)

    def _execute_many(
        self, statement: sa.Executable, action: str, rows: list[dict[str, Any]]
    ) -> None:
        """One statement for every row (the driver's executemany); nothing for no rows."""
        if rows:
            with translate_errors(action):
                self._connection.execute(statement, rows)
