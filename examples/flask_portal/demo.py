"""Demo data made by Faker (nl_NL): employers, departments, employees, two years of coaching,
and coaches with their availability (one of them with an account to sign in with).

Everything goes through the SDK, as the service desk, HR and the booking side would do it,
with a clock that walks through the two years so starts and sessions have real dates.
The rollups behind the statistics are therefore kept the normal way.
"""

from __future__ import annotations

import contextlib
import random
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from faker import Faker

from onzecoach import Conflict, Portal, QuotaExceeded, Role, Settings, ValidationError
from onzecoach.actors import SERVICE_DESK, Actor
from onzecoach.clock import SystemClock
from onzecoach.ports import Storage
from onzecoach.testing import FrozenClock, RecordingMailer, RecordingSms
from onzecoach.trajectories import AppointmentMode, AppointmentStatus

__all__ = ["DEMO_PASSWORD", "DemoLogin", "seed"]

#: The password of every demo account.
DEMO_PASSWORD = "Demo-Portaal-2026!"  # noqa: S105 - printed for the person trying the demo
#: Employer -> (the HR user's username, its departments).
EMPLOYERS = {
    "Gemeente Lindendaal": (
        "hr.lindendaal",
        ["Burgerzaken", "Sociaal Domein", "Openbare Ruimte", "ICT", "HR"],
    ),
    "Zorggroep De Linde": (
        "hr.delinde",
        ["Verpleging", "Thuiszorg", "Facilitair", "Administratie"],
    ),
    "Transport Van Dijk B.V.": ("hr.vandijk", ["Planning", "Chauffeurs", "Werkplaats"]),
}
#: Free-text themes as an outside booking system reports them: the catalogue maps them.
THEMES = [
    "Werkdruk",
    "Loopbaan",
    "Conflict",
    "Balans werk-privé",
    "Communicatie",
    "Zelfvertrouwen",
    "Re-integratie",
]
#: The coaches: name, modes, place (city, 4-digit postcode), specialisms.
COACHES = {
    "Anouk de Wit": (("live", "online"), ("Utrecht", "3511"), ("werkdruk", "loopbaan")),
    "Bas Mulder": (("online",), None, ("conflict", "communicatie")),
    "Fatima El Idrissi": (("live", "online"), ("Rotterdam", "3011"), ("balans-werk-prive",)),
    "Jeroen Smit": (("live",), ("Amersfoort", "3811"), ("re-integratie", "werkdruk")),
    "Sanne Bakker": (("live", "online"), ("Zwolle", "8011"), ("zelfvertrouwen", "loopbaan")),
}
#: The coach who signs in: Anouk de Wit. Her hours take a booking from now on, every day,
#: in half hours, so that a booked session can be reported as held within the hour.
COACH_USERNAME = "coach.anouk"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")
ALL_DAYS = (*WEEKDAYS, "saturday", "sunday")


@dataclass
class DemoLogin:
    role: str
    username: str
    password: str
    factor: str
    backup_codes: list[str] = field(default_factory=list)


def seed(
    storage: Storage,
    settings: Settings,
    *,
    employees: int = 2000,
    appointments: int = 10_000,
    seed: int = 2026,
    today: date | None = None,
) -> list[DemoLogin]:
    """Fill an empty storage with demo data; return the demo logins."""
    return _Seeder(storage, settings, seed=seed, today=today).run(employees, appointments)


class _Seeder:
    def __init__(self, storage: Storage, settings: Settings, *, seed: int, today: date | None):
        self.rng = random.Random(seed)  # noqa: S311 - demo data, not a secret
        self.fake = Faker("nl_NL")
        self.fake.seed_instance(seed)
        moment = SystemClock().now() if today is None else datetime.combine(today, time(9), UTC)
        self.now = moment
        self.clock = FrozenClock(moment - timedelta(days=730))
        self.mailer, self.sms = RecordingMailer(), RecordingSms()
        self.settings = settings
        self.portal = Portal(
            storage=storage, mailer=self.mailer, sms=self.sms, clock=self.clock, settings=settings
        )
        self.people: list[tuple[Actor, str]] = []
        self.booked = 0

    def run(self, employees: int, appointments: int) -> list[DemoLogin]:
        logins = [self.account(None, "servicebureau", "06 11111111")]
        logins.append(self.coaches())
        for number, (name, (username, departments)) in enumerate(EMPLOYERS.items()):
            employer = self.portal.admin.create_employer(SERVICE_DESK, name)
            if number == 0:
                # One employer lets its HR sign in with a passkey alone, so that the demo
                # shows "Inloggen met passkey" once a key is added on the account page.
                self.portal.admin.set_employer_policy(SERVICE_DESK, employer.id, passkey_login=True)
            ids = [
                self.portal.admin.add_department(SERVICE_DESK, employer.id, d).id
                for d in departments
            ]
            logins.append(self.account(employer.id, username, f"06 2222222{number}"))
            actor = Actor(user_id=None, employer_id=employer.id, role=Role.HR)
            for _ in range(employees // len(EMPLOYERS)):
                self.employee(actor, ids)
        running = self.history(appointments)
        self.ahead(running)
        self.portal.outbox.dispatch_due()
        return logins

    def account(self, employer_id: str | None, username: str, phone: str) -> DemoLogin:
        """Invite, register and set up SMS as the second factor, as the invitee would."""
        role = Role.HR if employer_id else Role.SERVICE_DESK
        self.portal.admin.invite_user(
            SERVICE_DESK, employer_id, email=f"{username}@example.nl", username=username, role=role
        )
        return self.register(username, phone, "HR" if employer_id else "servicebureau")

    def register(self, username: str, phone: str, role_name: str) -> DemoLogin:
        """Register with the invitation just mailed and set up SMS as the second factor."""
        self.portal.outbox.dispatch_due()
        # Their own invitation: other invitations may have gone out in the same dispatch.
        body = self.mailer.to(f"{username}@example.nl")[-1].get_body(preferencelist=("plain",))
        token = re.findall(r"/([A-Za-z0-9_\-]{20,})", body.get_content() if body else "")[-1]
        enrollment = self.portal.accounts.register(token, DEMO_PASSWORD)
        self.portal.mfa.begin_sms(enrollment.token, phone)
        code = re.findall(r"code is (\w+)\.", self.sms.sent[-1].text)[-1]
        self.portal.mfa.confirm_sms(enrollment.token, code)
        codes = self.portal.mfa.finish(enrollment.token)
        return DemoLogin(role_name, username, DEMO_PASSWORD, "SMS", list(codes[:2]))

    def coaches(self) -> DemoLogin:
        """The coaches with their availability; Anouk de Wit's account, set up as HR's is."""
        logins: list[DemoLogin] = []
        for name, (modes, place, specialisms) in COACHES.items():
            handle = name.split()[0].lower()
            username = COACH_USERNAME if handle == "anouk" else f"coach.{handle}"
            coach = self.portal.coaches.invite(
                SERVICE_DESK,
                email=f"{username}@example.nl",
                username=username,
                name=name,
                bio=f"{name} coacht al jaren medewerkers van organisaties in heel Nederland.",
                modes=modes,
                video_url=f"https://video.example.nl/{handle}" if "online" in modes else None,
                locations=[{"city": place[0], "postcode": place[1]}] if place else [],
                specialisms=specialisms,
                languages=("nl", "en") if handle in {"fatima", "bas"} else ("nl",),
            )
            if username == COACH_USERNAME:
                hours: dict[str, object] = {
                    "weekly": {day: [["07:00", "23:00"]] for day in ALL_DAYS},
                    "session_minutes": 30,
                    "notice_minutes": 0,
                }
                self.portal.coaches.set_availability(SERVICE_DESK, coach.id, hours)
                logins.append(self.register(username, "06 33333333", "coach"))
            else:
                hours = {
                    "weekly": {day: [["09:00", "12:00"], ["13:00", "17:00"]] for day in WEEKDAYS},
                    "buffer_minutes": 15,
                    "max_per_day": 5,
                }
                self.portal.coaches.set_availability(SERVICE_DESK, coach.id, hours)
        return logins[0]

    def employee(self, actor: Actor, departments: list[str]) -> None:
        fake, rng = self.fake, self.rng
        given = fake.first_name()
        data: dict[str, object] = {
            "employee_number": str(fake.unique.random_int(10_000, 99_999)),
            "last_name": fake.last_name(),
            "given_name": given,
            "initials": given[0],
            "gender": rng.choice(["vrouw", "man"]),
            "birth_date": fake.date_of_birth(minimum_age=20, maximum_age=64),
            "email": fake.unique.email(),
            "postcode": fake.postcode(),
            "city": fake.city(),
            "street": fake.street_name(),
            "house_number": str(rng.randint(1, 200)),
            "department_id": rng.choice(departments) if rng.random() > 0.05 else None,
            "job_title": fake.job()[:60],
            "registration_type": self.settings.registration_types[0],
        }
        try:
            employee = self.portal.employees.register(actor, data)
        except (ValidationError, Conflict):
            return  # Faker now and then makes a name the form refuses
        self.people.append((actor, employee.id))

    def history(self, appointments: int) -> list[tuple[str, int]]:
        """Two years, day by day: trajectories start, the booking side reports sessions."""
        # About 5 reported sessions per trajectory, spread evenly over the two years.
        rate = appointments / 5.2 / 730
        running: list[tuple[str, int]] = []
        day = 0
        while self.clock.now() < self.now:
            for _ in range(int(rate) + (self.rng.random() < rate % 1)):
                started = self.start()
                if started is not None:
                    running.append((started, 0))
            running = [r for r in (self.session(*r) for r in running) if r is not None]
            day += 1
            self.clock.advance(timedelta(days=1))
            if day % 30 == 0:
                self.portal.outbox.dispatch_due()
        return running

    def start(self) -> str | None:
        actor, employee_id = self.rng.choice(self.people)
        try:
            return self.portal.trajectories.start(
                actor,
                employee_id,
                type_code=self.rng.choice(["ONC-IND-4", "ONC-IND-5"]),
                start_date=self.clock.now().date(),
            ).id
        except Conflict:
            return None

    def session(self, trajectory_id: str, held: int) -> tuple[str, int] | None:
        """Maybe a session today; the trajectory again, or ``None`` once it is over."""
        rng = self.rng
        if rng.random() > 0.12:
            return trajectory_id, held
        status = rng.choices(
            ["held", "cancelled", "no_show", "late_cancelled"], weights=[85, 7, 5, 3]
        )[0]
        try:
            self.portal.trajectories.record_appointment(
                SERVICE_DESK,
                trajectory_id,
                external_id=f"demo-{self.booked}",
                starts_at=self.clock.now() + timedelta(hours=rng.randint(0, 8)),
                status=AppointmentStatus(status),
                mode=rng.choice(
                    [AppointmentMode.LIVE, AppointmentMode.ONLINE, AppointmentMode.ONLINE]
                ),
                theme=rng.choice(THEMES) if status == "held" else None,
                coach=rng.choice(list(COACHES)),
            )
        except (Conflict, QuotaExceeded):
            return None
        self.booked += 1
        held += status == "held"
        return (trajectory_id, held) if held < 5 else None

    def ahead(self, running: list[tuple[str, int]]) -> None:
        """A few planned sessions ahead, and extension requests waiting in the inboxes."""
        for trajectory_id, _ in running[:40]:
            with contextlib.suppress(Conflict, QuotaExceeded):
                self.portal.trajectories.record_appointment(
                    SERVICE_DESK,
                    trajectory_id,
                    external_id=f"demo-{self.booked}",
                    starts_at=self.now + timedelta(days=self.rng.randint(2, 40)),
                    status="planned",
                    mode=self.rng.choice(["live", "online"]),
                    coach=self.rng.choice(list(COACHES)),
                )
                self.booked += 1
        for trajectory_id, _ in running[:6]:
            self.portal.trajectories.request_extension(
                SERVICE_DESK, trajectory_id, note="Graag één gesprek extra."
            )
