"""A live app on a free port and a headless Chromium to drive it.

Needs Playwright for Python and Debian's Chromium (``/usr/bin/chromium``, or the path in
``ONZECOACH_CHROMIUM``). Without them the tests skip and say why; with
``ONZECOACH_REQUIRE_BROWSER=1`` (CI) a missing browser fails instead.

Every page a test opens is checked with axe-core (WCAG 2.1 A and AA) by ``WatchedPage``:
the ``page`` fixture and ``open_page`` hand out nothing else.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import attrs
import pytest
from flask import Flask, request, template_rendered
from flask_portal import create_app
from werkzeug.serving import make_server

from browser.accessibility import WatchedPage, axe_script
from onzecoach import Portal
from onzecoach.adapters.sql import SqlStorage
from onzecoach.testing import FrozenClock, RecordingMailer, RecordingSms
from support import make_settings

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "browser"
CHROMIUM = os.environ.get("ONZECOACH_CHROMIUM", "/usr/bin/chromium")
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 800}


def _unavailable(reason: str) -> None:
    if os.environ.get("ONZECOACH_REQUIRE_BROWSER"):
        pytest.fail(f"{reason}, and ONZECOACH_REQUIRE_BROWSER is set")
    pytest.skip(reason)


@attrs.define
class Live:
    """The running app, its portal and what it sent."""

    url: str
    portal: Portal
    mailer: RecordingMailer
    sms: RecordingSms
    clock: FrozenClock
    app: Flask
    #: (endpoint, template) of every page the app rendered, in order.
    rendered: list[tuple[str, str]] = attrs.field(factory=list, repr=False)

    def last_link(self) -> str:
        self.portal.outbox.dispatch_due()
        body = self.mailer.sent[-1].get_body(preferencelist=("plain",))
        assert body is not None
        return str(re.findall(r"https?://\S+/([A-Za-z0-9_\-]{20,})", body.get_content())[-1])


@pytest.fixture
def live(tmp_path: Path, clock: FrozenClock) -> Iterator[Live]:
    mailer, sms = RecordingMailer(), RecordingSms()
    storage = SqlStorage(f"sqlite:///{tmp_path / 'portal.db'}")
    storage.upgrade()
    apps: list[Any] = []  # the app needs the server's port for its base URL: made after

    def application(environ: Any, start_response: Any) -> Any:
        return apps[0](environ, start_response)

    server = make_server("127.0.0.1", 0, application, threaded=True)
    # localhost, not 127.0.0.1: browsers offer WebAuthn on localhost over plain http only.
    url = f"http://localhost:{server.server_port}"
    portal = Portal(
        storage=storage, mailer=mailer, sms=sms, clock=clock, settings=make_settings(base_url=url)
    )
    app = create_app(portal, development=True, mailbox=mailer, sms_box=sms)
    apps.append(app)
    live = Live(url, portal, mailer, sms, clock, app)

    def record(_: Any, template: Any, **__: Any) -> None:
        live.rendered.append((request.endpoint or "", template.name or ""))

    thread = threading.Thread(target=server.serve_forever, daemon=True)
    with template_rendered.connected_to(record, app):
        thread.start()
        try:
            yield live
        finally:
            server.shutdown()
            storage.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright  # noqa: PLC0415
    except ImportError:
        _unavailable("Playwright for Python is not installed (pip install playwright)")
    try:
        axe_script()
    except ImportError:
        _unavailable("axe-core is not installed (pip install axe-playwright-python)")
    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        _unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield launched
        launched.close()


@contextmanager
def open_page(browser: Any, viewport: dict[str, int] = DESKTOP) -> Iterator[Any]:
    """A page in a fresh browser context (its own cookies), every document axe-checked."""
    context = browser.new_context(locale="nl-NL", viewport=viewport, reduced_motion="reduce")
    context.add_init_script(script=axe_script())
    try:
        opened = context.new_page()
        opened.set_default_timeout(10_000)
        watched = WatchedPage(opened)
        yield watched
        watched.finish()
    finally:
        context.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    with open_page(browser) as opened:
        yield opened


class Shots:
    """Numbered screenshots of each step, kept under artifacts/browser/<test>/."""

    def __init__(self, page: Any, name: str) -> None:
        self.page = page
        self.folder = ARTIFACTS / name
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        self.count = 0

    def __call__(self, step: str) -> None:
        self.count += 1
        self.page.screenshot(path=str(self.folder / f"{self.count:02d}-{step}.png"), full_page=True)


@pytest.fixture
def shots(page: Any, request: pytest.FixtureRequest) -> Shots:
    return Shots(page, re.sub(r"[^\w.-]", "_", request.node.name))
