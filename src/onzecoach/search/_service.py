from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import attrs

from onzecoach.access import EMPLOYER_STAFF, require_role, scope_of
from onzecoach.actors import Actor
from onzecoach.audit import audit_entry
from onzecoach.employers import employers_to_repair
from onzecoach.errors import FieldError, NotFound, ValidationError
from onzecoach.ids import is_id
from onzecoach.search._normalise import query_words

if TYPE_CHECKING:
    from onzecoach.clock import Clock
    from onzecoach.events import Transactions
    from onzecoach.search._ports import SearchUnitOfWork

__all__ = ["SearchHit", "SearchResult", "SearchService"]

MAX_LIMIT = 100
#: Employees read per query while rebuilding.
_REBUILD_PAGE = 2000


@attrs.frozen
class SearchHit:
    """One dossier in the search results."""

    employee_id: str
    display_name: str  # "Berg, van den, A.M. (Anna)"
    initials: str
    birth_date: date
    employee_number: str | None
    department: str | None


@attrs.frozen
class SearchResult:
    hits: tuple[SearchHit, ...]
    total: int
    limit: int
    offset: int


class SearchService:
    """Finding a dossier by three letters of a name (``portal.search``)."""

    def __init__(self, *, storage: Transactions[SearchUnitOfWork], clock: Clock) -> None:
        self._storage = storage
        self._clock = clock

    def rebuild(self, actor: Actor, *, employer_id: str | None = None) -> int:
        """Index one employer's employees (or every employer's) anew; return how many.

        The index is kept on every write of an employee, so this changes nothing unless
        it was damaged, or the database was upgraded to schema revision 0005 with
        employees in it (that revision adds the index empty). Each employer is rebuilt
        in its own transaction; searches meanwhile still see the old index. Service desk
        only; audited as ``search.rebuilt``.
        """
        employers = employers_to_repair(self._storage, actor, employer_id)
        indexed = 0
        for employer in employers:
            with self._storage.unit_of_work() as uow:
                uow.search.clear(employer)
                count = 0
                after: str | None = None
                while page := uow.employees.for_employer_by_id(
                    employer, after=after, limit=_REBUILD_PAGE
                ):
                    # An erased employee's tombstone is never found again.
                    present = [employee for employee in page if not employee.is_erased]
                    uow.search.index_new(present)
                    count += len(present)
                    after = page[-1].id
                uow.audit.append(
                    audit_entry(
                        actor,
                        "search.rebuilt",
                        at=self._clock.now(),
                        employer_id=employer,
                        subject_type="employer",
                        subject_id=employer,
                        employees=count,
                    )
                )
                uow.commit()
            indexed += count
        return indexed

    def employees(
        self,
        actor: Actor,
        text: str,
        *,
        limit: int = 20,
        offset: int = 0,
        employer_id: str | None = None,
    ) -> SearchResult:
        """The actor's employer's employees whose names (or number) start as typed.

        Several words narrow ("jan ber"); the name infix may be typed or not ("ber" and
        "van den ber" both find "van den Berg"); case and accents do not matter. Fewer
        than 3 letters answer ``QueryTooShort``. Hits are sorted the Dutch way: surname,
        infix, given name. The service desk names the ``employer_id`` to search.
        """
        require_role(actor, *EMPLOYER_STAFF)
        words = query_words(text)
        problems = []
        if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_LIMIT:
            problems.append(
                FieldError.of(
                    "limit", "out_of_range", key="limit.out_of_range.search", max_limit=MAX_LIMIT
                )
            )
        if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
            problems.append(FieldError.of("offset", "out_of_range"))
        if problems:
            raise ValidationError(problems)
        employer = employer_id if actor.is_service_desk else actor.employer_id
        if not is_id(employer) or employer not in scope_of(actor):
            raise NotFound("employer.not_found")
        with self._storage.unit_of_work() as uow:
            ids, total = uow.search.query(employer, words, limit=limit, offset=offset)
            # The page's employees and their departments in two reads, not one per hit.
            employees = uow.employees.get_many(ids)
            departments: dict[str, str] = {}
            if any(e.department_id is not None for e in employees.values()):
                departments = {d.id: d.name for d in uow.departments.for_employer(employer)}
            hits = []
            for employee_id in ids:
                employee = employees.get(employee_id)
                if employee is None:  # pragma: no cover - the index and the table agree
                    continue
                hits.append(
                    SearchHit(
                        employee_id=employee.id,
                        display_name=employee.display_name,
                        initials=employee.initials,
                        birth_date=employee.birth_date,
                        employee_number=employee.employee_number,
                        department=(
                            None
                            if employee.department_id is None
                            else departments.get(employee.department_id)
                        ),
                    )
                )
        return SearchResult(hits=tuple(hits), total=total, limit=limit, offset=offset)
