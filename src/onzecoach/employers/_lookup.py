"""Finding employers, for the features that act on one or on all of them."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from onzecoach.access import load, refuse_coach, require_actor
from onzecoach.errors import NotFound

if TYPE_CHECKING:
    from onzecoach.actors import Actor
    from onzecoach.employers._model import Employer
    from onzecoach.employers._ports import EmployerRepositories, EmployerUnitOfWork
    from onzecoach.events import Transactions

__all__ = ["employers_to_repair", "load_employer"]


def load_employer(
    uow: EmployerRepositories, employer_id: object, *, for_update: bool = False
) -> Employer:
    """The employer of that id; ``NotFound`` for no such employer (or no id at all).
    ``for_update``: locked until the unit of work ends (``EmployerRepository.get``)."""
    return load(
        employer_id,
        functools.partial(uow.employers.get, for_update=for_update),
        missing="employer.not_found",
    )


def employers_to_repair(
    storage: Transactions[EmployerUnitOfWork], actor: Actor, employer_id: object
) -> list[str]:
    """The employers a service-desk repair (a rebuild) covers: ``employer_id``, or every
    employer when it is ``None``. ``NotFound`` for an unknown employer, and for anyone but
    the service desk (to whom no employer is theirs to repair)."""
    if not refuse_coach(require_actor(actor)).is_service_desk:
        raise NotFound("employer.not_found")
    with storage.unit_of_work() as uow:
        if employer_id is None:
            return [employer.id for employer in uow.employers.list()]
        return [load_employer(uow, employer_id).id]
