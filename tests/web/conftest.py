"""A web app over a memory portal, and users signed in through the real screens."""

from __future__ import annotations

import re
from datetime import timedelta

import attrs
import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_portal import create_app
from werkzeug.test import TestResponse

from onzecoach import Portal, Role, Settings
from onzecoach.actors import SERVICE_DESK
from onzecoach.adapters.memory import MemoryStorage
from onzecoach.testing import FrozenClock, RecordingMailer, RecordingSms
from support import make_settings

PASSWORD = "Zonnig-Weer-2026!"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@attrs.define
class Web:
    portal: Portal
    app: Flask
    mailer: RecordingMailer
    sms: RecordingSms
    clock: FrozenClock
    #: The TOTP secrets of the users a test registered, by username.
    secrets: dict[str, str] = attrs.field(factory=dict)

    def client(self) -> FlaskClient:
        return self.app.test_client()

    def last_link(self) -> str:
        """The token at the end of the newest mail's link."""
        self.portal.outbox.dispatch_due()
        body = self.mailer.sent[-1].get_body(preferencelist=("plain",))
        assert body is not None
        links = re.findall(r"https?://\S+/([A-Za-z0-9_\-]{20,})", body.get_content())
        assert links, body.get_content()
        return str(links[-1])


def csrf(page: TestResponse) -> str:
    found = CSRF.search(page.get_data(as_text=True))
    assert found, page.get_data(as_text=True)[:500]
    return found.group(1)


def post(
    client: FlaskClient, url: str, data: dict[str, str], *, page: str | None = None
) -> TestResponse:
    """POST a form the way a browser would: with the token from the page it came from."""
    token = csrf(client.get(page or url))
    return client.post(url, data={"csrf_token": token, **data})


@pytest.fixture
def settings() -> Settings:
    return make_settings(base_url="http://localhost")


@pytest.fixture
def web(settings: Settings, clock: FrozenClock) -> Web:
    mailer, sms = RecordingMailer(), RecordingSms()
    portal = Portal(storage=MemoryStorage(), mailer=mailer, sms=sms, clock=clock, settings=settings)
    app = create_app(portal, development=True, mailbox=mailer, sms_box=sms)
    app.config["TESTING"] = True
    return Web(portal, app, mailer, sms, clock)


def sign_up(web: Web, *, employer: str | None = "Acme B.V.", username: str = "hr.acme") -> str:
    """Invite, register, set up the authenticator app; the TOTP secret."""
    employer_id = web.portal.admin.create_employer(SERVICE_DESK, employer).id if employer else None
    web.portal.admin.invite_user(
        SERVICE_DESK,
        employer_id,
        email=f"{username}@example.nl",
        username=username,
        role=Role.HR if employer else Role.SERVICE_DESK,
    )
    return register(web)


def register(web: Web) -> str:
    """Register with the newest mail's link and set up the authenticator app; the secret."""
    client = web.client()
    token = web.last_link()
    answer = post(client, f"/registreren/{token}", {"password": PASSWORD, "repeat": PASSWORD})
    assert answer.status_code == 302, answer.get_data(as_text=True)
    page = client.get("/tweede-factor/app")
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page.get_data(as_text=True))
    assert secret
    code = pyotp.TOTP(secret.group(1)).at(web.clock.now())
    done = client.post(
        "/tweede-factor/app", data={"csrf_token": csrf(page), "action": "confirm", "code": code}
    )
    assert "back-up codes" in done.get_data(as_text=True)
    return secret.group(1)


def sign_in(web: Web, username: str, secret: str) -> FlaskClient:
    client = web.client()
    answer = post(client, "/inloggen", {"username": username, "password": PASSWORD})
    assert answer.status_code == 302
    web.clock.advance(timedelta(seconds=31))  # a time step is never accepted twice
    code = pyotp.TOTP(secret).at(web.clock.now())
    answer = post(client, "/inloggen/code", {"method": "totp", "code": code, "action": "verify"})
    assert answer.status_code == 302, answer.get_data(as_text=True)
    return client


@pytest.fixture
def hr(web: Web) -> FlaskClient:
    """A signed-in HR user of "Acme B.V."."""
    return sign_in(web, "hr.acme", sign_up(web))


@pytest.fixture
def desk(web: Web) -> FlaskClient:
    """A signed-in service-desk user."""
    return sign_in(web, "desk.user", sign_up(web, employer=None, username="desk.user"))
