from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import attrs

from onzecoach.actors import Actor, can_see
from onzecoach.errors import FieldError, NotFound, ValidationError
from onzecoach.search._normalise import query_words

if TYPE_CHECKING:
    from onzecoach.ports import Storage

__all__ = ["SearchHit", "SearchResult", "SearchService"]

MAX_LIMIT = 100


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

    def __init__(self, *, storage: Storage) -> None:
        self._storage = storage

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
        words = query_words(text)
        problems = []
        if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_LIMIT:
            problems.append(
                FieldError("limit", "out_of_range", f"Toon 1 tot {MAX_LIMIT} resultaten.")
            )
        if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
            problems.append(FieldError("offset", "out_of_range", "Begin bij 0 of verder."))
        if problems:
            raise ValidationError(problems)
        employer = employer_id if actor.is_service_desk else actor.employer_id
        if employer is None or not can_see(actor, employer):
            raise NotFound("Werkgever niet gevonden.")
        with self._storage.unit_of_work() as uow:
            ids, total = uow.search.query(employer, words, limit=limit, offset=offset)
            departments: dict[str, str | None] = {}
            hits = []
            for employee_id in ids:
                employee = uow.employees.get(employee_id)
                if employee is None:  # pragma: no cover - the index and the table agree
                    continue
                department = None
                if employee.department_id is not None:
                    if employee.department_id not in departments:
                        found = uow.departments.get(employee.department_id)
                        departments[employee.department_id] = found.name if found else None
                    department = departments[employee.department_id]
                hits.append(
                    SearchHit(
                        employee_id=employee.id,
                        display_name=employee.display_name,
                        initials=employee.initials,
                        birth_date=employee.birth_date,
                        employee_number=employee.employee_number,
                        department=department,
                    )
                )
        return SearchResult(hits=tuple(hits), total=total, limit=limit, offset=offset)
