"""Where every appointment is written: the quota, the state machine, the events, the audit.

Three writers share it: ``record_appointment`` for an outside booking system, the
employee's PlanningsAgenda and the coach's workspace (``onzecoach.booking``). Each locks
the employee first (``lock``), then hands the new state of one appointment to ``place``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import attrs

from onzecoach.audit import audit_entry
from onzecoach.employers import EmployerPolicy, employer_policy
from onzecoach.errors import Conflict, QuotaExceeded
from onzecoach.ids import new_id
from onzecoach.trajectories._events import CoachingChanged
from onzecoach.trajectories._model import Appointment, Trajectory

if TYPE_CHECKING:
    from onzecoach.actors import Actor
    from onzecoach.clock import Clock
    from onzecoach.settings import Settings
    from onzecoach.trajectories._ports import Coachee, TrajectoryUnitOfWork

__all__ = ["AppointmentLedger", "chain_of", "link_holder"]


class AppointmentLedger:
    """Writes appointments for every booking side, inside the caller's unit of work."""

    def __init__(self, *, clock: Clock, settings: Settings) -> None:
        self._clock = clock
        self._settings = settings

    @staticmethod
    def lock(uow: TrajectoryUnitOfWork, trajectory: Trajectory) -> Coachee | None:
        """Lock the trajectory's employee: this orders an appointment's write with every
        other write to the employee's trajectories and statistics. Call it before reading
        what ``place`` decides on."""
        return uow.employees.get(trajectory.employee_id, for_update=True)

    def chain(self, uow: TrajectoryUnitOfWork, trajectory: Trajectory) -> list[Trajectory]:
        """The trajectory with the one it extends and their extensions, oldest first."""
        return chain_of(uow.trajectories.for_employee(trajectory.employee_id), trajectory)

    def policy(self, uow: TrajectoryUnitOfWork, employer_id: str) -> EmployerPolicy:
        """The employer's policy: which statuses use a session."""
        return employer_policy(uow, employer_id, self._settings)

    def sessions_left(self, uow: TrajectoryUnitOfWork, trajectory: Trajectory) -> int:
        """How many more sessions can be planned in the trajectory's chain: its open
        members' sessions less those planned or used under the employer's policy."""
        policy = self.policy(uow, trajectory.employer_id)
        left = 0
        for member in self.chain(uow, trajectory):
            if member.takes_appointments:
                taken = sum(
                    a.counts_against_quota(policy)
                    for a in uow.appointments.for_trajectory(member.id)
                )
                left += max(0, member.sessions - taken)
        return left

    def place(
        self,
        uow: TrajectoryUnitOfWork,
        actor: Actor | None,
        named: Trajectory,
        appointment: Appointment,
        *,
        existing: Appointment | None,
        coachee: Coachee | None,
        action: str = "appointment.recorded",
    ) -> Appointment:
        """Write ``appointment`` (a new one, or the new state of ``existing``).

        A known appointment stays in its trajectory. A new one that counts goes to the
        first trajectory of the chain with a session left; one that does not, to the
        trajectory named. Planned and held appointments never exceed a trajectory's
        sessions (``QuotaExceeded``, with the sessions left); when every session is held,
        the trajectory closes. Emits ``CoachingChanged`` and writes the audit entry.
        """
        now = self._clock.now()
        policy = self.policy(uow, named.employer_id)
        chain = self.chain(uow, named)
        if existing is not None and existing.trajectory_id not in {t.id for t in chain}:
            raise Conflict("appointment.other_trajectory")
        target, others = self._target(uow, chain, named, existing, appointment, policy=policy)
        trajectory = uow.trajectories.get(target.id, for_update=True) or target
        placed = attrs.evolve(
            appointment,
            id=existing.id if existing else appointment.id or new_id(),
            trajectory_id=trajectory.id,
            employer_id=trajectory.employer_id,
            employee_id=trajectory.employee_id,
            created_at=existing.created_at if existing else now,
            updated_at=now,
            # A session counts under the department of its first report, for good.
            department_id=(
                existing.department_id if existing else coachee.department_id if coachee else None
            ),
        )
        if placed.counts_against_quota(policy) and not trajectory.has_room(others, policy=policy):
            raise QuotaExceeded(
                "trajectory.quota_exceeded",
                sessions=trajectory.sessions,
                left=self.sessions_left(uow, named),
            )
        if existing is None:
            uow.appointments.add(placed)
        else:
            uow.appointments.save(placed)
        updated = trajectory.after([*others, placed], now=now, policy=policy)
        if updated.is_open and not trajectory.is_open and _extended(chain, trajectory):
            # A correction to a finished trajectory whose extension already runs: the
            # counts follow, the trajectory stays closed.
            updated = attrs.evolve(
                updated,
                closed_at=trajectory.closed_at,
                closed_reason=trajectory.closed_reason,
                end_date=trajectory.end_date,
            )
        uow.trajectories.save(updated)
        uow.emit(
            CoachingChanged(
                employer_id=updated.employer_id,
                employee_id=updated.employee_id,
                trajectories_before=(trajectory,),
                trajectories_after=(updated,),
                appointments_before=() if existing is None else (existing,),
                appointments_after=(placed,),
            )
        )
        uow.audit.append(
            audit_entry(
                actor,
                action,
                at=now,
                employer_id=trajectory.employer_id,
                subject_type="trajectory",
                subject_id=trajectory.id,
                external_id=placed.external_id,
                status=placed.status.value,
            )
        )
        return placed

    @staticmethod
    def _target(
        uow: TrajectoryUnitOfWork,
        chain: Sequence[Trajectory],
        named: Trajectory,
        existing: Appointment | None,
        reported: Appointment,
        *,
        policy: EmployerPolicy,
    ) -> tuple[Trajectory, list[Appointment]]:
        """The trajectory an appointment belongs to, with that trajectory's other
        appointments. A trajectory closed by hand takes no new appointments."""
        if existing is not None:
            holder = next(t for t in chain if t.id == existing.trajectory_id)
            others = [a for a in uow.appointments.for_trajectory(holder.id) if a.id != existing.id]
            return holder, others
        candidates = [t for t in chain if t.takes_appointments]
        if not candidates:
            raise Conflict("trajectory.closed")
        booked = {t.id: uow.appointments.for_trajectory(t.id) for t in candidates}
        if reported.counts_against_quota(policy):
            for candidate in candidates:
                if candidate.has_room(booked[candidate.id], policy=policy):
                    return candidate, booked[candidate.id]
        if not named.takes_appointments:
            raise Conflict("trajectory.closed")
        return named, booked[named.id]


def link_holder(uow: TrajectoryUnitOfWork, trajectory: Trajectory) -> Trajectory:
    """The trajectory whose booking link serves ``trajectory``: itself, or for an extension
    that runs beside the trajectory it extends, that trajectory."""
    if trajectory.parent_id is None:
        return trajectory
    parent = uow.trajectories.get(trajectory.parent_id)
    if parent is not None and parent.is_open:
        return parent
    return trajectory


def chain_of(trajectories: Sequence[Trajectory], named: Trajectory) -> list[Trajectory]:
    """The trajectory ``named`` belongs with: the one it extends (or itself), then every
    extension of that, oldest first."""
    by_id = {t.id: t for t in trajectories}
    by_id.setdefault(named.id, named)

    def root(trajectory: Trajectory) -> str:
        seen = set()
        while trajectory.parent_id is not None and trajectory.parent_id in by_id:
            if trajectory.id in seen:  # pragma: no cover - a cycle is never written
                break
            seen.add(trajectory.id)
            trajectory = by_id[trajectory.parent_id]
        return trajectory.id

    top = root(named)
    members = [t for t in by_id.values() if root(t) == top]
    return sorted(members, key=lambda t: t.number)


def _extended(chain: Sequence[Trajectory], trajectory: Trajectory) -> bool:
    """Whether an extension of ``trajectory`` runs."""
    return any(t.parent_id == trajectory.id and t.is_open for t in chain)
