"""The coaches' use cases (``portal.coaches``): inviting coaches, their profiles, their
availability, their own calendars and their private feeds."""

from __future__ import annotations

import builtins
from collections.abc import Collection, Iterable, Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlsplit

import attrs

from onzecoach.access import load, require_actor, require_service_desk
from onzecoach.accounts import check_username
from onzecoach.actors import Actor, Role
from onzecoach.audit import audit_entry
from onzecoach.calendars import BusyTime, CalendarAccount
from onzecoach.clock import require_utc
from onzecoach.coaches._availability import Availability
from onzecoach.coaches._model import (
    DEFAULT_SPECIALISMS,
    URL_MAX_LENGTH,
    CalendarLink,
    CalendarStatus,
    Coach,
    CoachView,
    Location,
    Mode,
    Profile,
    PullReport,
    check_profile,
)
from onzecoach.crypto import ResealReport, hash_token, new_token
from onzecoach.errors import (
    CalendarError,
    Conflict,
    DecryptionFailed,
    FieldError,
    InvalidToken,
    NotFound,
    ValidationError,
)
from onzecoach.ids import is_id, new_id
from onzecoach.validation import check_email, is_printable

if TYPE_CHECKING:
    from onzecoach.accounts import InvitationService
    from onzecoach.calendars import CalendarConnector
    from onzecoach.clock import Clock
    from onzecoach.coaches._ports import CoachUnitOfWork
    from onzecoach.events import Transactions
    from onzecoach.settings import Settings

__all__ = ["ME", "CoachService", "calendar_context"]

#: What a coach may pass as ``coach_id`` for their own coach.
ME: Final = "me"

#: The fields a coach may not change on their own profile: the service desk decides them.
_DESK_FIELDS: Final = frozenset({"active", "employer_ids"})
_CREDENTIAL_MAX_LENGTH: Final = 500
#: How far past a coach's booking horizon the busy times are pulled: a slot at the horizon
#: lasts up to four hours, and a buffer follows it.
_PULL_MARGIN: Final = timedelta(days=1)
#: The first look at a calendar being linked: whether it answers at all.
_PROBE: Final = timedelta(days=1)


def calendar_context(coach_id: str) -> str:
    """The context a coach's calendar password is sealed under: it opens for that coach only."""
    return f"coach-calendar:{coach_id}"


class CoachService:
    """Coaches (``portal.coaches``). The service desk invites coaches and manages them; a
    coach (signed in, ``Role.COACH``) keeps their own profile, availability, calendar link
    and feed. Anyone else gets ``PermissionDenied``; a coach reaching for another coach,
    ``NotFound``.

    ``themes`` are the theme codes a coach's specialisms are chosen from;
    ``calendars`` the connector to coaches' own calendars, without which no calendar can
    be linked or pulled.
    """

    def __init__(
        self,
        *,
        storage: Transactions[CoachUnitOfWork],
        clock: Clock,
        settings: Settings,
        invitations: InvitationService,
        calendars: CalendarConnector | None = None,
        themes: Collection[str] = DEFAULT_SPECIALISMS,
    ) -> None:
        self._storage = storage
        self._clock = clock
        self._settings = settings
        self._invitations = invitations
        self._calendars = calendars
        self._themes = frozenset(themes)

    # The service desk -----------------------------------------------------------------------

    def invite(
        self,
        actor: Actor,
        *,
        email: str,
        username: str,
        name: str,
        modes: Iterable[Mode | str] = (Mode.ONLINE,),
        video_url: str | None = None,
        languages: Iterable[str] = ("nl",),
        specialisms: Iterable[str] = (),
        locations: Iterable[Location | Mapping[str, str]] = (),
        bio: str = "",
        active: bool = True,
        employer_ids: Iterable[str] = (),
    ) -> CoachView:
        """Invite a coach: an account with ``Role.COACH`` whose one-time registration link is
        mailed (through the outbox), and their coach with this profile, in one transaction.

        The coach registers and sets up a second factor as HR does, then signs in. Their
        availability starts empty: nobody can book them until it is set. Every bad field
        (of the account and the profile) is named at once; a taken username answers
        ``Conflict``.
        """
        require_service_desk(actor)
        data: dict[str, object] = {
            "name": name,
            "bio": bio,
            "languages": _listed(languages),
            "specialisms": _listed(specialisms),
            "modes": _listed(modes),
            "locations": _listed(locations),
            "video_url": video_url,
            "active": active,
            "employer_ids": _listed(employer_ids),
        }
        problems: list[FieldError] = []
        address = check_email("email", email)
        if isinstance(address, FieldError):
            problems.append(address)
        checked_username = check_username(username)
        if isinstance(checked_username, FieldError):
            problems.append(checked_username)
        profile = check_profile(data, themes=self._themes)
        now = self._clock.now()
        with self._storage.unit_of_work() as uow:
            if isinstance(profile, list):
                problems += profile
            if "employer_ids" not in {problem.field for problem in problems}:
                problems += _unknown_employers(uow, _ids_in(data["employer_ids"]))
            if problems or not isinstance(profile, Profile):
                raise ValidationError(problems)
            invitation = self._invitations.invite_in(
                uow, None, email=email, username=username, role=Role.COACH, actor=actor
            )
            coach = Coach(
                id=new_id(),
                user_id=invitation.user_id,
                profile=profile,
                availability=Availability(),
                calendar=None,
                feed_token_hash=None,
                created_at=now,
                updated_at=now,
            )
            uow.coaches.add(coach)
            self._audit(uow, actor, "coach.invited", coach, name=profile.name)
            uow.commit()
        return coach.view()

    def list(self, actor: Actor) -> list[CoachView]:
        """Every coach, by name (service desk only)."""
        require_service_desk(actor)
        with self._storage.unit_of_work() as uow:
            return [coach.view() for coach in uow.coaches.list()]

    def get(self, actor: Actor, coach_id: str) -> CoachView:
        """One coach (service desk only); ``NotFound`` for none."""
        require_service_desk(actor)
        with self._storage.unit_of_work() as uow:
            return load(coach_id, uow.coaches.get, missing="coach.not_found").view()

    # The coach themself, or the service desk ---------------------------------------------

    def me(self, actor: Actor) -> CoachView:
        """The signed-in coach's own coach; ``NotFound`` for an actor who is no coach."""
        actor = require_actor(actor)
        with self._storage.unit_of_work() as uow:
            return self._own(uow, actor).view()

    def update_profile(self, actor: Actor, coach_id: str, **fields: object) -> CoachView:
        """Change some fields of the profile (``onzecoach.coaches.PROFILE_FIELDS``); the
        others keep their values. Every bad field is named at once. A coach changes their
        own profile, but not ``active`` nor ``employer_ids``: those are the service desk's.
        """
        now = self._clock.now()
        with self._storage.unit_of_work() as uow:
            coach = self._editable(uow, actor, coach_id)
            checked = check_profile(fields, themes=self._themes, base=coach.profile)
            problems: builtins.list[FieldError] = []
            if actor.role is Role.COACH:
                problems += [
                    FieldError.of(field, "not_allowed", key="profile.not_allowed")
                    for field in sorted(_DESK_FIELDS & set(fields))
                    if isinstance(checked, list)
                    or getattr(checked, field) != getattr(coach.profile, field)
                ]
            if isinstance(checked, list):
                problems += [p for p in checked if p.field not in {q.field for q in problems}]
            if "employer_ids" in fields and "employer_ids" not in {p.field for p in problems}:
                problems += _unknown_employers(
                    uow, set(_ids_in(fields["employer_ids"])) - set(coach.profile.employer_ids)
                )
            if problems or not isinstance(checked, Profile):
                raise ValidationError(problems)
            changed = sorted(
                name
                for name in attrs.fields_dict(Profile)
                if getattr(checked, name) != getattr(coach.profile, name)
            )
            if changed:
                coach = attrs.evolve(coach, profile=checked, updated_at=now)
                uow.coaches.save(coach)
                self._audit(uow, actor, "coach.profile_changed", coach, fields=changed)
                uow.commit()
        return coach.view()

    def set_availability(self, actor: Actor, coach_id: str, data: object) -> Availability:
        """Replace the coach's availability with the one ``data`` describes (the form of
        ``Availability.to_data``); every bad field named at once. Returns it as stored."""
        now = self._clock.now()
        with self._storage.unit_of_work() as uow:
            coach = self._editable(uow, actor, coach_id)
            availability = Availability.checked(data)
            if availability != coach.availability:
                coach = attrs.evolve(coach, availability=availability, updated_at=now)
                uow.coaches.save(coach)
                self._audit(uow, actor, "coach.availability_changed", coach)
                uow.commit()
        return availability

    def link_calendar(
        self, actor: Actor, coach_id: str, url: str, username: str, password: str
    ) -> CalendarStatus:
        """Link the coach's own calendar (for CalDAV: the calendar collection's URL), so that
        its busy times keep slots from being offered.

        The calendar is tried once before anything is stored: a refused login or a URL
        without a calendar is a ``ValidationError`` on ``url``; a server that does not
        answer, a ``CalendarError``. The password is stored sealed. Replaces a calendar
        linked before, and its busy times.
        """
        problems = _calendar_problems(url, username, password)
        with self._storage.unit_of_work() as uow:
            coach = self._editable(uow, actor, coach_id)
        if problems:
            raise ValidationError(problems)
        account = CalendarAccount(url=url.strip(), username=username, password=password)
        self._probe(account)
        now = self._clock.now()
        link = CalendarLink(
            url=account.url,
            username=account.username,
            password_sealed=self._settings.sealer.seal(
                password, context=calendar_context(coach.id)
            ),
            linked_at=now,
        )
        with self._storage.unit_of_work() as uow:
            coach = self._editable(uow, actor, coach_id)
            coach = attrs.evolve(coach, calendar=link, updated_at=now)
            uow.coaches.save(coach)
            uow.busy_times.replace(coach.id, [], pulled_at=now)
            self._audit(uow, actor, "coach.calendar_linked", coach, host=_host(account.url))
            uow.commit()
        return link.status()

    def unlink_calendar(self, actor: Actor, coach_id: str) -> None:
        """Forget the coach's calendar, its login and the busy times pulled from it."""
        now = self._clock.now()
        with self._storage.unit_of_work() as uow:
            coach = self._editable(uow, actor, coach_id)
            if coach.calendar is None:
                return
            coach = attrs.evolve(coach, calendar=None, updated_at=now)
            uow.coaches.save(coach)
            uow.busy_times.replace(coach.id, [], pulled_at=now)
            self._audit(uow, actor, "coach.calendar_unlinked", coach)
            uow.commit()

    def rotate_feed(self, actor: Actor, coach_id: str) -> str:
        """A new private feed URL of the coach's sessions (``{base_url}/agenda-feed/<token>``),
        shown this once: only its token's hash is kept. The previous URL stops working."""
        token = new_token()
        now = self._clock.now()
        with self._storage.unit_of_work() as uow:
            coach = self._editable(uow, actor, coach_id)
            coach = attrs.evolve(coach, feed_token_hash=hash_token(token), updated_at=now)
            uow.coaches.save(coach)
            self._audit(uow, actor, "coach.feed_rotated", coach)
            uow.commit()
        return self._settings.link("agenda-feed", token)

    def revoke_feed(self, actor: Actor, coach_id: str) -> None:
        """Stop the coach's private feed URL from working, without a new one."""
        now = self._clock.now()
        with self._storage.unit_of_work() as uow:
            coach = self._editable(uow, actor, coach_id)
            if coach.feed_token_hash is None:
                return
            coach = attrs.evolve(coach, feed_token_hash=None, updated_at=now)
            uow.coaches.save(coach)
            self._audit(uow, actor, "coach.feed_revoked", coach)
            uow.commit()

    def coach_for_feed(self, token: str) -> CoachView:
        """The coach whose private feed URL ends in ``token``; ``InvalidToken`` for none."""
        if not isinstance(token, str) or not is_printable(token, max_length=200) or not token:
            raise InvalidToken("link.invalid")
        with self._storage.unit_of_work() as uow:
            coach = uow.coaches.by_feed_token(hash_token(token))
        if coach is None:
            raise InvalidToken("link.invalid")
        return coach.view()

    # Workers --------------------------------------------------------------------------------

    def pull_calendars(self, now: datetime | None = None) -> PullReport:
        """Read every linked calendar's busy times over the coach's booking horizon into the
        database, where the slots are found: the worker that runs every few minutes.

        The portal's own events (``Settings.is_portal_uid``) are left out: the sessions
        themselves keep their slots. A calendar that fails keeps its busy times of before,
        and the failure is recorded on its link (``error``); the others go on.
        """
        moment = self._clock.now() if now is None else require_utc(now, "now")
        with self._storage.unit_of_work() as uow:
            linked = uow.coaches.with_calendar()
        calendars = failed = busy_times = 0
        for coach in linked:
            if coach.calendar is None:  # pragma: no cover - with_calendar gives none such
                continue
            calendars += 1
            end = moment + coach.availability.horizon + _PULL_MARGIN
            try:
                busy = self._read(coach.id, coach.calendar, moment, end)
            except (CalendarError, DecryptionFailed) as exc:
                failed += 1
                self._record_pull(coach, moment, error=exc.code)
                continue
            own = [item for item in busy if not self._settings.is_portal_uid(item.uid)]
            if self._record_pull(coach, moment, busy=own):
                busy_times += len(own)
        return PullReport(calendars=calendars, failed=failed, busy_times=busy_times)

    def reseal(self, actor: Actor, *, batch_size: int = 500) -> ResealReport:
        """Seal every calendar password sealed under an old key again under the current
        ``Settings.secret_key``: a step of a key rotation (``onzecoach keys reseal``).

        A password no configured key opens is left as it is and counted as ``unreadable``:
        its coach links the calendar again. Each batch is its own transaction.
        """
        require_service_desk(actor)
        if batch_size < 1:
            raise ValidationError.single("batch_size", "out_of_range")
        sealer = self._settings.sealer
        with self._storage.unit_of_work() as uow:
            ids = [coach.id for coach in uow.coaches.with_calendar()]
        resealed = unreadable = 0
        for first in range(0, len(ids), batch_size):
            with self._storage.unit_of_work() as uow:
                for coach_id in ids[first : first + batch_size]:
                    coach = uow.coaches.get(coach_id, for_update=True)
                    if coach is None or coach.calendar is None:
                        continue
                    try:
                        renewed = sealer.renewed(
                            coach.calendar.password_sealed, context=calendar_context(coach.id)
                        )
                    except DecryptionFailed:
                        unreadable += 1
                        continue
                    if renewed is None:
                        continue
                    link = attrs.evolve(coach.calendar, password_sealed=renewed)
                    uow.coaches.save(attrs.evolve(coach, calendar=link))
                    resealed += 1
                uow.commit()
        return ResealReport(resealed=resealed, unreadable=unreadable)

    # Helpers --------------------------------------------------------------------------------

    def _own(self, uow: CoachUnitOfWork, actor: Actor) -> Coach:
        coach = None
        if actor.role is Role.COACH and actor.user_id is not None:
            coach = uow.coaches.by_user(actor.user_id)
        if coach is None:
            raise NotFound("coach.not_found")
        return coach

    def _editable(self, uow: CoachUnitOfWork, actor: Actor, coach_id: object) -> Coach:
        """The coach ``actor`` may change, locked: any for the service desk, their own for a
        coach (``"me"`` names it too; another answers ``NotFound``); ``PermissionDenied``
        for anyone else."""
        actor = require_actor(actor)
        if actor.role is Role.COACH:
            own = self._own(uow, actor)
            if coach_id not in (own.id, ME):
                raise NotFound("coach.not_found")
            coach_id = own.id
        else:
            require_service_desk(actor)
        return load(
            coach_id, lambda key: uow.coaches.get(key, for_update=True), missing="coach.not_found"
        )

    def _probe(self, account: CalendarAccount) -> None:
        if self._calendars is None:
            raise Conflict("coach.calendars_not_configured")
        now = self._clock.now()
        calendar = self._calendars.open(account)
        try:
            calendar.busy(now, now + _PROBE)
        except CalendarError as exc:
            if exc.permanent:
                raise ValidationError.single("url", "refused", key="calendar_url.refused") from exc
            raise
        finally:
            calendar.close()

    def _read(
        self, coach_id: str, link: CalendarLink, start: datetime, end: datetime
    ) -> builtins.list[BusyTime]:
        if self._calendars is None:
            raise Conflict("coach.calendars_not_configured")
        password = self._settings.sealer.open(
            link.password_sealed, context=calendar_context(coach_id)
        )
        calendar = self._calendars.open(
            CalendarAccount(url=link.url, username=link.username, password=password)
        )
        try:
            return calendar.busy(start, end)
        finally:
            calendar.close()

    def _record_pull(
        self,
        pulled: Coach,
        moment: datetime,
        *,
        busy: builtins.list[BusyTime] | None = None,
        error: str | None = None,
    ) -> bool:
        """Store one calendar's pull, unless its link changed meanwhile; whether it did."""
        with self._storage.unit_of_work() as uow:
            coach = uow.coaches.get(pulled.id, for_update=True)
            if (
                coach is None
                or coach.calendar is None
                or pulled.calendar is None
                or coach.calendar.linked_at != pulled.calendar.linked_at
            ):
                return False
            if error is None:
                link = attrs.evolve(coach.calendar, pulled_at=moment, synced_at=moment, error=None)
                uow.busy_times.replace(coach.id, busy or [], pulled_at=moment)
            else:
                link = attrs.evolve(coach.calendar, pulled_at=moment, error=error)
            uow.coaches.save(attrs.evolve(coach, calendar=link))
            uow.commit()
        return True

    def _audit(
        self, uow: CoachUnitOfWork, actor: Actor, action: str, coach: Coach, **details: Any
    ) -> None:
        uow.audit.append(
            audit_entry(
                actor,
                action,
                at=self._clock.now(),
                employer_id=None,
                subject_type="coach",
                subject_id=coach.id,
                **details,
            )
        )


def _listed(values: object) -> object:
    """A form's list as a list; a text or anything else as it is, for the checks to name."""
    if isinstance(values, str | bytes | Mapping) or not isinstance(values, Iterable):
        return values
    return list(values)


def _ids_in(values: object) -> list[str]:
    """The ids among a form's list of employers (the rest the profile's check names)."""
    items = _listed([values] if isinstance(values, str) else values)
    return [item for item in items if is_id(item)] if isinstance(items, list) else []


def _unknown_employers(uow: CoachUnitOfWork, employer_ids: Iterable[str]) -> list[FieldError]:
    if any(uow.employers.get(employer_id) is None for employer_id in employer_ids):
        return [FieldError.of("employer_ids", "unknown")]
    return []


def _calendar_problems(url: object, username: object, password: object) -> list[FieldError]:
    problems: list[FieldError] = []
    if not _is_calendar_url(url):
        problems.append(FieldError.of("url", "invalid", key="calendar_url.invalid"))
    if (
        not isinstance(username, str)
        or not username.strip()
        or not is_printable(username, max_length=_CREDENTIAL_MAX_LENGTH)
    ):
        problems.append(FieldError.of("username", "invalid", key="calendar_username.invalid"))
    if (
        not isinstance(password, str)
        or not password
        or not is_printable(password, max_length=_CREDENTIAL_MAX_LENGTH)
    ):
        problems.append(FieldError.of("password", "invalid", key="calendar_password.invalid"))
    return problems


def _is_calendar_url(url: object) -> bool:
    if not isinstance(url, str) or not url.isascii() or len(url) > URL_MAX_LENGTH:
        return False
    text = url.strip()
    if not text.isprintable() or " " in text:
        return False
    try:
        parts = urlsplit(text)
        host = parts.hostname
    except ValueError:
        return False
    return (
        parts.scheme in {"http", "https"}
        and bool(host)
        and parts.username is None
        and parts.password is None
        and not parts.fragment
    )


def _host(url: str) -> str:
    return urlsplit(url).hostname or ""
