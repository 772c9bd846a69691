"""Retention (bewaartermijn): ``portal.privacy.purge_due`` erases whoever is past their
employer's period, and cleans up what is kept for a while only.

The run:

1. lists the employees due (``privacy._report.due``: the rule and its boundaries), a page
   of employees at a time, each employer's period read once;
2. erases each of them through the erasure's own path, in a transaction of its own that
   first checks again, on the locked row, that the employee is still due: a trajectory
   started since the listing keeps them, one erased meanwhile is skipped. A run that stops
   halfway leaves the erased erased (they are no longer listed) and the rest as they were,
   so the next run finishes the job with nothing done twice;
3. cleans up, in one transaction: audit entries older than their own period
   (``Settings.audit_retention_months``), expired one-time links, ended or expired
   sessions, spent or expired WebAuthn challenges, and the bodies of messages sent longer
   ago than ``Settings.outbox_body_retention`` (who, what kind and when stay);
4. audits itself (``privacy.purged``) with the counts and nothing personal.

A dry run lists the same employees and counts what the clean-up would remove by doing
it in a transaction it rolls back: it changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Final

from onzecoach.access import require_service_desk
from onzecoach.audit import audit_entry
from onzecoach.employers import employer_policy
from onzecoach.privacy._report import (
    CleanUp,
    DueEmployee,
    PurgeReport,
    PurgeRun,
    RetentionFacts,
    add_months,
    due,
)

if TYPE_CHECKING:
    from datetime import datetime

    from onzecoach.actors import Actor
    from onzecoach.clock import Clock
    from onzecoach.employees import Employee
    from onzecoach.events import Transactions
    from onzecoach.privacy._ports import RetentionUnitOfWork as UnitOfWork
    from onzecoach.settings import Settings

__all__ = ["PURGE_SUBJECT", "Progress", "Retention"]

#: ``progress(done, total)`` after each employee a run erases.
Progress = Callable[[int, int], None]
#: The subject of every run's audit entry (``privacy.purged``): the runs are read back as
#: ``uow.audit.for_subject(*PURGE_SUBJECT)``.
PURGE_SUBJECT: Final = ("privacy", "retention")
_ACTION: Final = "privacy.purged"
#: How many employees a listing reads at a time.
_PAGE: Final = 500

Erase = Callable[["UnitOfWork", "Actor", "Employee"], None]


class Retention:
    """The retention run; ``erase`` is the erasure's own path, inside a unit of work."""

    def __init__(
        self,
        *,
        storage: Transactions[UnitOfWork],
        clock: Clock,
        settings: Settings,
        erase: Erase,
    ) -> None:
        self._storage = storage
        self._clock = clock
        self._settings = settings
        self._erase = erase

    def purge_due(
        self, actor: Actor, *, dry_run: bool = False, progress: Progress | None = None
    ) -> PurgeReport:
        require_service_desk(actor)
        now = self._clock.now()
        listed = tuple(self._due(now))
        erased = 0
        if not dry_run:
            for done, item in enumerate(listed, start=1):
                erased += self._erase_if_due(actor, item, now=now)
                if progress is not None:
                    progress(done, len(listed))
        cleaned = self._clean_up(now, dry_run=dry_run)
        report = PurgeReport(dry_run=dry_run, at=now, due=listed, erased=erased, cleaned=cleaned)
        if not dry_run:
            self._audit(actor, report)
        return report

    def runs(self, actor: Actor, *, limit: int = 20) -> list[PurgeRun]:
        """The last ``limit`` runs that were not dry runs, newest first, from the audit."""
        require_service_desk(actor)
        with self._storage.unit_of_work() as uow:
            entries = uow.audit.for_subject(*PURGE_SUBJECT)
        runs = [PurgeRun.from_details(e.at, e.details) for e in entries if e.action == _ACTION]
        return runs[::-1][:limit]

    def _due(self, now: datetime) -> list[DueEmployee]:
        found: list[DueEmployee] = []
        periods: dict[str, int] = {}
        after: str | None = None
        while True:
            with self._storage.unit_of_work() as uow:
                page = uow.erasures.retention_facts(after=after, limit=_PAGE)
                for facts in page:
                    period = periods.get(facts.employer_id)
                    if period is None:
                        policy = employer_policy(uow, facts.employer_id, self._settings)
                        period = periods[facts.employer_id] = policy.retention_months
                    item = due(facts, period_months=period, now=now)
                    if item is not None:
                        found.append(item)
            if len(page) < _PAGE:
                break
            after = page[-1].employee_id
        found.sort(key=lambda item: (item.employer_id, item.employee_id))
        return found

    def _erase_if_due(self, actor: Actor, item: DueEmployee, *, now: datetime) -> int:
        """Erase the employee if, on its locked row, it is still due; 1 if it was erased."""
        with self._storage.unit_of_work() as uow:
            employee = uow.employees.get(item.employee_id, for_update=True)
            if employee is None or employee.is_erased:
                return 0
            trajectories = uow.trajectories.for_employee(employee.id)
            closed = [t.closed_at for t in trajectories if t.closed_at is not None]
            facts = RetentionFacts(
                employee_id=employee.id,
                employer_id=employee.employer_id,
                known_since=employee.known_since,
                trajectories=len(trajectories),
                open_trajectories=len(trajectories) - len(closed),
                last_closed_at=max(closed, default=None),
            )
            policy = employer_policy(uow, employee.employer_id, self._settings)
            if due(facts, period_months=policy.retention_months, now=now) is None:
                return 0
            self._erase(uow, actor, employee)
            uow.commit()
        return 1

    def _clean_up(self, now: datetime, *, dry_run: bool) -> CleanUp:
        settings = self._settings
        with self._storage.unit_of_work() as uow:
            cleaned = CleanUp(
                audit_entries=uow.audit.drop_before(
                    add_months(now, -settings.audit_retention_months)
                ),
                links=uow.tokens.delete_expired(now=now),
                sessions=uow.sessions.delete_ended(
                    now=now, idle_since=now - settings.session_idle_timeout
                ),
                webauthn_challenges=uow.webauthn_challenges.delete_spent(now=now),
                outbox_bodies=uow.outbox.empty_sent_bodies(
                    sent_before=now - settings.outbox_body_retention
                ),
            )
            # A dry run counts by doing it, then leaves without commit: a rollback.
            if not dry_run:
                uow.commit()
        return cleaned

    def _audit(self, actor: Actor, report: PurgeReport) -> None:
        cleaned = report.cleaned
        with self._storage.unit_of_work() as uow:
            uow.audit.append(
                audit_entry(
                    actor,
                    _ACTION,
                    at=report.at,
                    employer_id=None,
                    subject_type=PURGE_SUBJECT[0],
                    subject_id=PURGE_SUBJECT[1],
                    due=len(report.due),
                    erased=report.erased,
                    audit_entries=cleaned.audit_entries,
                    links=cleaned.links,
                    sessions=cleaned.sessions,
                    webauthn_challenges=cleaned.webauthn_challenges,
                    outbox_bodies=cleaned.outbox_bodies,
                )
            )
            uow.commit()
