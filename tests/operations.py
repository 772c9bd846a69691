"""Every public operation of a Portal, and how to call it in a small world.

``OPERATIONS`` names each operation as ``"service.method"``. ``tests/unit`` and
``tests/contracts`` check that it names exactly the methods the services have, so a new
public method cannot be added without being driven by the tests that walk them all: the
hostile-text suite, the actor checks and the walk of the returned types.

Each operation's ``call(world, actor, text)`` makes the call as ``actor``, taking every
text argument from ``text(name, good)``: the suites return the good value, or a hostile
one in its place.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import attrs
import pyotp

from onzecoach import Actor, Portal, Role
from onzecoach.accounts import TokenPurpose
from onzecoach.actors import SERVICE_DESK
from onzecoach.testing import FrozenClock, RecordingMailer, RecordingSms

PASSWORD = "Zonnig-Weer-2026!"
Text = Callable[[str, str], str]
Call = Callable[["World", Actor, Text], object]


@attrs.define
class World:
    """A portal with one of everything: an employer with a department, a signed-in HR
    user with an authenticator app, an employee with a running trajectory, an appointment
    and an open task, an invited user and a pending invitation link."""

    portal: Portal
    mailer: RecordingMailer
    sms: RecordingSms
    clock: FrozenClock
    hr: Actor
    employer_id: str
    department_id: str
    employee_id: str
    trajectory_id: str
    task_id: str
    invited_user_id: str
    invitation_token: str
    session_token: str
    totp_secret: str
    coach_id: str
    coach_email: str
    #: The coach's actor (their account, before they registered), the employee's booking
    #: link and a session booked through it with the coach.
    coach: Actor
    booking_token: str
    session_id: str

    @property
    def today(self) -> date:
        return self.clock.now().date()


def _last_link(world_mailer: RecordingMailer, portal: Portal, path: str) -> str:
    portal.outbox.dispatch_due()
    body = world_mailer.sent[-1].get_body(preferencelist=("plain",))
    assert body is not None
    found = re.search(rf"/{path}/(\S+)", body.get_content())
    assert found, body.get_content()
    return found.group(1)


def build_world(
    portal: Portal, mailer: RecordingMailer, sms: RecordingSms, clock: FrozenClock
) -> World:
    admin = portal.admin
    employer = admin.create_employer(SERVICE_DESK, "Acme B.V.")
    department = admin.add_department(SERVICE_DESK, employer.id, "Klantenservice")
    admin.invite_user(SERVICE_DESK, employer.id, email="hr@acme.nl", username="hr.acme")
    enrollment = portal.accounts.register(_last_link(mailer, portal, "registreren"), PASSWORD)
    setup = portal.mfa.begin_totp(enrollment.token)
    portal.mfa.confirm_totp(enrollment.token, pyotp.TOTP(setup.secret).at(clock.now()))
    portal.mfa.finish(enrollment.token)
    clock.advance(timedelta(seconds=30))
    challenge = portal.auth.login("hr.acme", PASSWORD)
    session = portal.auth.verify(
        challenge.token, pyotp.TOTP(setup.secret).at(clock.now()), method="totp"
    )
    hr = session.actor
    employee = portal.employees.register(
        hr,
        {
            "last_name": "Berg",
            "name_infix": "van den",
            "given_name": "Anna",
            "initials": "A.M.",
            "gender": "female",
            "birth_date": "1985-02-28",
            "email": "anna.berg@example.nl",
            "registration_type": "OnzeCoach",
            "department_id": department.id,
        },
    )
    trajectory = portal.trajectories.start(
        hr, employee.id, type_code="ONC-IND-4", start_date=clock.now().date()
    )
    portal.trajectories.record_appointment(
        SERVICE_DESK,
        trajectory.id,
        external_id="PA-1",
        starts_at=clock.now() + timedelta(days=7),
        status="planned",
        mode="live",
    )
    task = portal.trajectories.request_extension(SERVICE_DESK, trajectory.id, note="Nog een")
    invited = admin.invite_user(
        SERVICE_DESK, employer.id, email="nieuw@acme.nl", username="nieuw.acme"
    )
    invitation_token = _last_link(mailer, portal, "registreren")
    coach = portal.coaches.invite(
        SERVICE_DESK,
        email="bas.mulder@example.nl",
        username="coach.bas",
        name="Bas Mulder",
        modes=["online"],
        video_url="https://video.example.nl/bas",
    )
    weekdays = ("monday", "tuesday", "wednesday", "thursday", "friday")
    portal.coaches.set_availability(
        SERVICE_DESK, coach.id, {"weekly": {day: [["09:00", "17:00"]] for day in weekdays}}
    )
    portal.trajectories.resend_invitation(hr, trajectory.id)
    portal.outbox.dispatch_due()
    invitation = mailer.to("anna.berg@example.nl")[-1].get_body(preferencelist=("plain",))
    assert invitation is not None
    found = re.search(r"/planningsagenda/(\S+)", invitation.get_content())
    assert found, invitation.get_content()
    booking_token = found.group(1)
    slot = portal.booking.first_slots(booking_token, mode="online", limit=1)[0]
    booked = portal.booking.book(
        booking_token, coach_id=coach.id, starts_at=slot.starts_at, mode="online"
    )
    portal.outbox.dispatch_due()  # nothing is left queued but the reminders
    return World(
        portal=portal,
        mailer=mailer,
        sms=sms,
        clock=clock,
        hr=hr,
        employer_id=employer.id,
        department_id=department.id,
        employee_id=employee.id,
        trajectory_id=trajectory.id,
        task_id=task.id,
        invited_user_id=invited.user_id,
        invitation_token=invitation_token,
        session_token=session.token,
        totp_secret=setup.secret,
        coach_id=coach.id,
        coach_email="bas.mulder@example.nl",
        coach=Actor(user_id=coach.user_id, employer_id=None, role=Role.COACH),
        booking_token=booking_token,
        session_id=booked.id,
    )


def sign_in_coach(world: World) -> Actor:
    """The world's coach, registered with an authenticator app and signed in: their actor."""
    portal, clock = world.portal, world.clock
    portal.outbox.dispatch_due()
    body = world.mailer.to(world.coach_email)[-1].get_body(preferencelist=("plain",))
    assert body is not None
    found = re.search(r"/registreren/(\S+)", body.get_content())
    assert found, body.get_content()
    enrollment = portal.accounts.register(found.group(1), PASSWORD)
    setup = portal.mfa.begin_totp(enrollment.token)
    portal.mfa.confirm_totp(enrollment.token, pyotp.TOTP(setup.secret).at(clock.now()))
    portal.mfa.finish(enrollment.token)
    clock.advance(timedelta(seconds=30))
    challenge = portal.auth.login("coach.bas", PASSWORD)
    session = portal.auth.verify(
        challenge.token, pyotp.TOTP(setup.secret).at(clock.now()), method="totp"
    )
    return session.actor


@attrs.frozen
class Operation:
    #: Whether it acts for someone, and so takes ``actor`` first and requires it.
    acts_for_someone: bool
    call: Call


def _p(world: World) -> Portal:
    return world.portal


def _csv(text: Text) -> bytes:
    header = "Personeelsnummer;Achternaam;Roepnaam;Voorletters;Geslacht;Geboortedatum;E-mail"
    row = ";".join(
        [
            text("employee_number", "9001"),
            text("last_name", "Jansen"),
            text("given_name", "Piet"),
            text("initials", "P."),
            "man",
            "01-02-1990",
            text("email", "piet@example.nl"),
        ]
    )
    return f"{header}\n{row}\n".encode("utf-8", "surrogatepass")


def _employee_form(text: Text) -> dict[str, object]:
    return {
        "last_name": text("last_name", "Jansen"),
        "given_name": text("given_name", "Piet"),
        "initials": text("initials", "P."),
        "gender": text("gender", "male"),
        "birth_date": text("birth_date", "1990-02-01"),
        "email": text("email", "piet@example.nl"),
        "registration_type": text("registration_type", "OnzeCoach"),
        "city": text("city", "Utrecht"),
        "employee_number": text("employee_number", "9001"),
    }


_LATER = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)

OPERATIONS: dict[str, Operation] = {
    # Accounts: the anonymous flows take tokens and text, not an actor.
    "accounts.register": Operation(
        False,
        lambda w, a, t: _p(w).accounts.register(
            t("token", w.invitation_token), t("password", "Nieuw-Wachtwoord-2026!")
        ),
    ),
    "accounts.check_link": Operation(
        False,
        lambda w, a, t: _p(w).accounts.check_link(
            t("token", w.invitation_token), TokenPurpose.INVITATION
        ),
    ),
    "accounts.change_password": Operation(
        True,
        lambda w, a, t: _p(w).accounts.change_password(
            a, t("current", PASSWORD), t("new", "Ander-Wachtwoord-2026?")
        ),
    ),
    "accounts.confirm_password": Operation(
        True, lambda w, a, t: _p(w).accounts.confirm_password(a, t("password", PASSWORD))
    ),
    "accounts.request_password_reset": Operation(
        False, lambda w, a, t: _p(w).accounts.request_password_reset(t("username", "hr.acme"))
    ),
    "accounts.reset_password": Operation(
        False,
        lambda w, a, t: _p(w).accounts.reset_password(
            t("token", "geen-echte-link"), t("password", "Ander-Wachtwoord-2026?")
        ),
    ),
    "accounts.remind_username": Operation(
        False, lambda w, a, t: _p(w).accounts.remind_username(t("email", "hr@acme.nl"))
    ),
    # Second factors: set-up steps take the enrollment token.
    "mfa.begin_sms": Operation(
        False,
        lambda w, a, t: _p(w).mfa.begin_sms(t("token", "geen-token"), t("phone", "0612345678")),
    ),
    "mfa.confirm_sms": Operation(
        False, lambda w, a, t: _p(w).mfa.confirm_sms(t("token", "geen-token"), t("code", "abc"))
    ),
    "mfa.begin_totp": Operation(False, lambda w, a, t: _p(w).mfa.begin_totp(t("token", "x"))),
    "mfa.confirm_totp": Operation(
        False,
        lambda w, a, t: _p(w).mfa.confirm_totp(t("token", "geen-token"), t("code", "123456")),
    ),
    "mfa.add_yubikey": Operation(
        False,
        lambda w, a, t: _p(w).mfa.add_yubikey(t("token", "geen-token"), t("otp", "c" * 44)),
    ),
    "mfa.begin_webauthn": Operation(
        False, lambda w, a, t: _p(w).mfa.begin_webauthn(t("token", "geen-token"))
    ),
    "mfa.finish_webauthn": Operation(
        False,
        lambda w, a, t: _p(w).mfa.finish_webauthn(
            t("token", "geen-token"), t("response_json", "{}"), t("name", "Sleutel")
        ),
    ),
    "mfa.finish": Operation(False, lambda w, a, t: _p(w).mfa.finish(t("token", "geen-token"))),
    "mfa.regenerate_backup_codes": Operation(
        True, lambda w, a, t: _p(w).mfa.regenerate_backup_codes(a)
    ),
    "mfa.backup_codes_left": Operation(True, lambda w, a, t: _p(w).mfa.backup_codes_left(a)),
    "mfa.setup_token": Operation(True, lambda w, a, t: _p(w).mfa.setup_token(a)),
    "mfa.methods": Operation(True, lambda w, a, t: _p(w).mfa.methods(a)),
    "mfa.remove_method": Operation(
        True, lambda w, a, t: _p(w).mfa.remove_method(a, t("factor_id", "0" * 32))
    ),
    "mfa.rename_key": Operation(
        True,
        lambda w, a, t: _p(w).mfa.rename_key(a, t("factor_id", "0" * 32), t("name", "Sleutel")),
    ),
    "mfa.reset": Operation(
        True, lambda w, a, t: _p(w).mfa.reset(a, t("user_id", w.invited_user_id))
    ),
    "mfa.reseal": Operation(True, lambda w, a, t: _p(w).mfa.reseal(a, batch_size=50)),
    # Login.
    "auth.login": Operation(
        False,
        lambda w, a, t: _p(w).auth.login(
            t("username", "hr.acme"), t("password", "Fout-Wachtwoord-1"), ip=t("ip", "10.0.0.1")
        ),
    ),
    "auth.webauthn_options": Operation(
        False, lambda w, a, t: _p(w).auth.webauthn_options(t("token", "geen-token"))
    ),
    "auth.passkey_offered": Operation(False, lambda w, a, t: _p(w).auth.passkey_offered()),
    "auth.begin_passkey": Operation(
        False, lambda w, a, t: _p(w).auth.begin_passkey(ip=t("ip", "10.0.0.1"))
    ),
    "auth.finish_passkey": Operation(
        False,
        lambda w, a, t: _p(w).auth.finish_passkey(
            t("token", "geen-token"), t("response_json", "{}"), ip=t("ip", "10.0.0.1")
        ),
    ),
    "auth.send_sms": Operation(False, lambda w, a, t: _p(w).auth.send_sms(t("token", "x"))),
    "auth.verify": Operation(
        False,
        lambda w, a, t: _p(w).auth.verify(
            t("token", "geen-token"),
            t("code", "123456"),
            method=t("method", "totp"),  # type: ignore[arg-type]
        ),
    ),
    "auth.authenticate": Operation(
        False, lambda w, a, t: _p(w).auth.authenticate(t("token", w.session_token))
    ),
    "auth.logout": Operation(False, lambda w, a, t: _p(w).auth.logout(t("token", "onbekend"))),
    # The service desk's console.
    "admin.create_employer": Operation(
        True, lambda w, a, t: _p(w).admin.create_employer(a, t("name", "Nieuw B.V."))
    ),
    "admin.add_department": Operation(
        True,
        lambda w, a, t: _p(w).admin.add_department(
            a, t("employer_id", w.employer_id), t("name", "Financiën")
        ),
    ),
    "admin.employer": Operation(
        True, lambda w, a, t: _p(w).admin.employer(a, t("employer_id", w.employer_id))
    ),
    "admin.employers": Operation(True, lambda w, a, t: _p(w).admin.employers(a)),
    "admin.departments": Operation(
        True, lambda w, a, t: _p(w).admin.departments(a, t("employer_id", w.employer_id))
    ),
    "admin.invite_user": Operation(
        True,
        lambda w, a, t: _p(w).admin.invite_user(
            a,
            t("employer_id", w.employer_id),
            email=t("email", "derde@acme.nl"),
            username=t("username", "derde.acme"),
        ),
    ),
    "admin.resend_invitation": Operation(
        True, lambda w, a, t: _p(w).admin.resend_invitation(a, t("user_id", w.invited_user_id))
    ),
    "admin.revoke_invitation": Operation(
        True, lambda w, a, t: _p(w).admin.revoke_invitation(a, t("user_id", w.invited_user_id))
    ),
    "admin.users": Operation(
        True, lambda w, a, t: _p(w).admin.users(a, t("employer_id", w.employer_id))
    ),
    "admin.employer_policy": Operation(
        True, lambda w, a, t: _p(w).admin.employer_policy(a, t("employer_id", w.employer_id))
    ),
    "admin.employer_settings": Operation(
        True, lambda w, a, t: _p(w).admin.employer_settings(a, t("employer_id", w.employer_id))
    ),
    "admin.set_employer_policy": Operation(
        True,
        lambda w, a, t: _p(w).admin.set_employer_policy(
            a,
            t("employer_id", w.employer_id),
            cancellation_notice=timedelta(hours=48),
            no_shows_count=False,
            reset=[t("reset", "late_cancellations_count")],  # type: ignore[list-item]
        ),
    ),
    # Employees.
    "employees.register": Operation(
        True, lambda w, a, t: _p(w).employees.register(a, _employee_form(t))
    ),
    "employees.update": Operation(
        True,
        lambda w, a, t: _p(w).employees.update(
            a, t("employee_id", w.employee_id), {"city": t("city", "Zwolle")}
        ),
    ),
    "employees.remove": Operation(
        True, lambda w, a, t: _p(w).employees.remove(a, t("employee_id", w.employee_id))
    ),
    "employees.get": Operation(
        True, lambda w, a, t: _p(w).employees.get(a, t("employee_id", w.employee_id))
    ),
    "employees.dossier": Operation(
        True, lambda w, a, t: _p(w).employees.dossier(a, t("employee_id", w.employee_id))
    ),
    "imports.employees": Operation(
        True,
        lambda w, a, t: _p(w).imports.employees(
            a, io.BytesIO(_csv(t)), employer_id=w.employer_id, dry_run=False
        ),
    ),
    "search.employees": Operation(
        True,
        lambda w, a, t: _p(w).search.employees(
            a, t("text", "ber"), employer_id=t("employer_id", w.employer_id)
        ),
    ),
    "search.rebuild": Operation(
        True, lambda w, a, t: _p(w).search.rebuild(a, employer_id=t("employer_id", w.employer_id))
    ),
    # Trajectories.
    "trajectories.types": Operation(False, lambda w, a, t: _p(w).trajectories.types()),
    "trajectories.start": Operation(
        True,
        lambda w, a, t: _p(w).trajectories.start(
            a,
            t("employee_id", w.employee_id),
            type_code=t("type_code", "ONC-IND-5"),
            start_date=w.today,
        ),
    ),
    "trajectories.get": Operation(
        True, lambda w, a, t: _p(w).trajectories.get(a, t("trajectory_id", w.trajectory_id))
    ),
    "trajectories.close": Operation(
        True, lambda w, a, t: _p(w).trajectories.close(a, t("trajectory_id", w.trajectory_id))
    ),
    "trajectories.resend_invitation": Operation(
        True,
        lambda w, a, t: _p(w).trajectories.resend_invitation(
            a, t("trajectory_id", w.trajectory_id)
        ),
    ),
    "trajectories.record_appointment": Operation(
        True,
        lambda w, a, t: _p(w).trajectories.record_appointment(
            a,
            t("trajectory_id", w.trajectory_id),
            external_id=t("external_id", "PA-2"),
            starts_at=_LATER,
            status=t("status", "planned"),  # type: ignore[arg-type]
            mode=t("mode", "online"),  # type: ignore[arg-type]
            theme=t("theme", "Werkdruk"),
            coach=t("coach", "Bas Mulder"),
        ),
    ),
    "trajectories.request_extension": Operation(
        True,
        lambda w, a, t: _p(w).trajectories.request_extension(
            a, t("trajectory_id", w.trajectory_id), note=t("note", "Graag nog een gesprek")
        ),
    ),
    # Tasks.
    "tasks.open": Operation(True, lambda w, a, t: _p(w).tasks.open(a)),
    "tasks.get": Operation(True, lambda w, a, t: _p(w).tasks.get(a, t("task_id", w.task_id))),
    "tasks.complete": Operation(
        True, lambda w, a, t: _p(w).tasks.complete(a, t("task_id", w.task_id))
    ),
    "tasks.decline": Operation(
        True,
        lambda w, a, t: _p(w).tasks.decline(a, t("task_id", w.task_id), note=t("note", "Nee")),
    ),
    "tasks.approve": Operation(
        True, lambda w, a, t: _p(w).tasks.approve(a, t("task_id", w.task_id))
    ),
    # Statistics.
    "stats.dashboard": Operation(
        True,
        lambda w, a, t: _p(w).stats.dashboard(
            a,
            start=date(2026, 1, 1),
            end=date(2026, 12, 31),
            employer_id=t("employer_id", w.employer_id),
            department_id=t("department_id", w.department_id),
            sort=t("sort", "label"),  # type: ignore[arg-type]
        ),
    ),
    "stats.export": Operation(
        True,
        lambda w, a, t: _p(w).stats.export(
            a,
            format=t("format", "csv"),  # type: ignore[arg-type]
            start=date(2026, 1, 1),
            end=date(2026, 12, 31),
            employer_id=t("employer_id", w.employer_id),
            employee_id=t("employee_id", w.employee_id),
        ),
    ),
    "stats.rebuild": Operation(
        True, lambda w, a, t: _p(w).stats.rebuild(a, employer_id=t("employer_id", w.employer_id))
    ),
    # The outbox.
    "outbox.dispatch_due": Operation(False, lambda w, a, t: _p(w).outbox.dispatch_due()),
    "outbox.backlog": Operation(True, lambda w, a, t: _p(w).outbox.backlog(a)),
    "outbox.messages": Operation(
        True,
        lambda w, a, t: _p(w).outbox.messages(
            a, kind=t("kind", "invitation"), reference=t("reference", w.invited_user_id)
        ),
    ),
    "outbox.requeue": Operation(
        True, lambda w, a, t: _p(w).outbox.requeue(a, t("message_id", "0" * 32))
    ),
    "outbox.reseal": Operation(True, lambda w, a, t: _p(w).outbox.reseal(a, batch_size=50)),
    # Coaches.
    "coaches.invite": Operation(
        True,
        lambda w, a, t: _p(w).coaches.invite(
            a,
            email=t("email", "eva.smit@example.nl"),
            username=t("username", "coach.eva"),
            name=t("name", "Eva Smit"),
            modes=[t("mode", "online"), "live"],
            video_url=t("video_url", "https://video.example.nl/eva"),
            languages=[t("language", "nl")],
            specialisms=[t("specialism", "werkdruk")],
            locations=[{"city": t("city", "Utrecht"), "postcode": t("postcode", "3511 AB")}],
            bio=t("bio", "Coach voor werkdruk en loopbaan."),
            employer_ids=[t("employer_id", w.employer_id)],
        ),
    ),
    "coaches.list": Operation(True, lambda w, a, t: _p(w).coaches.list(a)),
    "coaches.get": Operation(True, lambda w, a, t: _p(w).coaches.get(a, t("coach_id", w.coach_id))),
    "coaches.me": Operation(True, lambda w, a, t: _p(w).coaches.me(a)),
    "coaches.update_profile": Operation(
        True,
        lambda w, a, t: _p(w).coaches.update_profile(
            a,
            t("coach_id", w.coach_id),
            name=t("name", "Bas de Mulder"),
            bio=t("bio", "Twintig jaar ervaring."),
            languages=[t("language", "en"), "nl"],
        ),
    ),
    "coaches.set_availability": Operation(
        True,
        lambda w, a, t: _p(w).coaches.set_availability(
            a,
            t("coach_id", w.coach_id),
            {
                "weekly": {"monday": [[t("start", "09:00"), t("end", "12:00")]]},
                "days_off": [t("day_off", "2026-12-25")],
            },
        ),
    ),
    "coaches.link_calendar": Operation(
        True,
        lambda w, a, t: _p(w).coaches.link_calendar(
            a,
            t("coach_id", w.coach_id),
            t("url", "https://agenda.example.nl/bas/werk/"),
            t("username", "bas"),
            t("password", "Agenda-Wachtwoord-1"),
        ),
    ),
    "coaches.unlink_calendar": Operation(
        True, lambda w, a, t: _p(w).coaches.unlink_calendar(a, t("coach_id", w.coach_id))
    ),
    "coaches.rotate_feed": Operation(
        True, lambda w, a, t: _p(w).coaches.rotate_feed(a, t("coach_id", w.coach_id))
    ),
    "coaches.revoke_feed": Operation(
        True, lambda w, a, t: _p(w).coaches.revoke_feed(a, t("coach_id", w.coach_id))
    ),
    "coaches.coach_for_feed": Operation(
        False, lambda w, a, t: _p(w).coaches.coach_for_feed(t("token", "geen-feed"))
    ),
    "coaches.pull_calendars": Operation(False, lambda w, a, t: _p(w).coaches.pull_calendars()),
    "coaches.reseal": Operation(True, lambda w, a, t: _p(w).coaches.reseal(a, batch_size=50)),
    # The employee's booking link.
    "booking.open": Operation(
        False, lambda w, a, t: _p(w).booking.open(t("token", w.booking_token))
    ),
    "booking.coaches": Operation(
        False,
        lambda w, a, t: _p(w).booking.coaches(
            t("token", w.booking_token),
            mode=t("mode", "online"),
            language=t("language", "nl"),
            specialism=t("specialism", "werkdruk"),
            postcode=t("postcode", "3511"),
        ),
    ),
    "booking.slots": Operation(
        False,
        lambda w, a, t: _p(w).booking.slots(
            t("token", w.booking_token), t("coach_id", w.coach_id), days=7
        ),
    ),
    "booking.first_slots": Operation(
        False,
        lambda w, a, t: _p(w).booking.first_slots(
            t("token", w.booking_token), mode=t("mode", "online"), limit=5
        ),
    ),
    "booking.book": Operation(
        False,
        lambda w, a, t: _p(w).booking.book(
            t("token", w.booking_token),
            coach_id=t("coach_id", w.coach_id),
            starts_at=_next_slot(w),
            mode=t("mode", "online"),
        ),
    ),
    "booking.reschedule": Operation(
        False,
        lambda w, a, t: _p(w).booking.reschedule(
            t("token", w.booking_token), t("appointment_id", w.session_id), starts_at=_next_slot(w)
        ),
    ),
    "booking.cancel": Operation(
        False,
        lambda w, a, t: _p(w).booking.cancel(
            t("token", w.booking_token), t("appointment_id", w.session_id)
        ),
    ),
    # The coach's workspace.
    "coaching.agenda": Operation(True, lambda w, a, t: _p(w).coaching.agenda(a, start=w.today)),
    "coaching.session": Operation(
        True, lambda w, a, t: _p(w).coaching.session(a, t("appointment_id", w.session_id))
    ),
    "coaching.report": Operation(
        True,
        lambda w, a, t: _p(w).coaching.report(
            a,
            t("appointment_id", w.session_id),
            status=t("status", "held"),  # type: ignore[arg-type]
            theme=t("theme", "werkdruk"),
        ),
    ),
    "coaching.cancel": Operation(
        True, lambda w, a, t: _p(w).coaching.cancel(a, t("appointment_id", w.session_id))
    ),
    "coaching.move": Operation(
        True,
        lambda w, a, t: _p(w).coaching.move(
            a, t("appointment_id", w.session_id), starts_at=_next_slot(w)
        ),
    ),
    "coaching.free_slots": Operation(
        True,
        lambda w, a, t: _p(w).coaching.free_slots(
            a, t("appointment_id", w.session_id), start=w.today + timedelta(days=7)
        ),
    ),
    "coaching.note": Operation(
        True, lambda w, a, t: _p(w).coaching.note(a, t("appointment_id", w.session_id))
    ),
    "coaching.write_note": Operation(
        True,
        lambda w, a, t: _p(w).coaching.write_note(
            a, t("appointment_id", w.session_id), t("note", "Goed gesprek.")
        ),
    ),
    "coaching.request_extension": Operation(
        True,
        lambda w, a, t: _p(w).coaching.request_extension(
            a, t("appointment_id", w.session_id), note=t("note", "Nog een gesprek.")
        ),
    ),
    "coaching.feed": Operation(False, lambda w, a, t: _p(w).coaching.feed(t("token", "geen-feed"))),
    "coaching.reseal": Operation(True, lambda w, a, t: _p(w).coaching.reseal(a, batch_size=50)),
    "employees.not_booked": Operation(True, lambda w, a, t: _p(w).employees.not_booked(a)),
    # Privacy (AVG).
    "privacy.erase": Operation(
        True,
        lambda w, a, t: _p(w).privacy.erase(
            a, t("employee_id", w.employee_id), t("reason", "Verzoek van de werknemer")
        ),
    ),
    "privacy.reapply": Operation(True, lambda w, a, t: _p(w).privacy.reapply(a)),
    "privacy.export": Operation(
        True, lambda w, a, t: _p(w).privacy.export(a, t("employee_id", w.employee_id))
    ),
    "privacy.access_log": Operation(
        True, lambda w, a, t: _p(w).privacy.access_log(a, t("employee_id", w.employee_id))
    ),
    "privacy.erasures": Operation(True, lambda w, a, t: _p(w).privacy.erasures(a)),
    "privacy.purge_due": Operation(True, lambda w, a, t: _p(w).privacy.purge_due(a)),
    "privacy.purge_runs": Operation(True, lambda w, a, t: _p(w).privacy.purge_runs(a)),
}


def _next_slot(world: World) -> datetime:
    """A free slot of the world's coach a week on (the notice and the session clear)."""
    later = world.clock.now() + timedelta(days=7)
    return world.portal.booking.slots(
        world.booking_token, world.coach_id, start=later.date(), days=7
    )[0].starts_at


#: What a coach may do: their own account, second factors and coach; every other operation
#: that acts for someone answers a coach ``NotFound``.
COACH_OPERATIONS = frozenset(
    {
        "accounts.change_password",
        "accounts.confirm_password",
        "mfa.regenerate_backup_codes",
        "mfa.backup_codes_left",
        "mfa.setup_token",
        "mfa.methods",
        "mfa.remove_method",
        "mfa.rename_key",
        "coaches.me",
        "coaches.update_profile",
        "coaches.set_availability",
        "coaches.link_calendar",
        "coaches.unlink_calendar",
        "coaches.rotate_feed",
        "coaches.revoke_feed",
        "coaching.agenda",
        "coaching.session",
        "coaching.report",
        "coaching.cancel",
        "coaching.move",
        "coaching.free_slots",
        "coaching.note",
        "coaching.write_note",
        "coaching.request_extension",
    }
)

#: The services of a Portal that hold public operations, by attribute.
SERVICES = (
    "accounts",
    "mfa",
    "auth",
    "admin",
    "employees",
    "imports",
    "search",
    "trajectories",
    "tasks",
    "stats",
    "outbox",
    "coaches",
    "booking",
    "coaching",
    "privacy",
)
