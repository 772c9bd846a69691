"""The virtual HR contact of ``benchmarks/web_load.py``, for locust.

Each user takes an account of its own from ``WEB_LOAD_ACCOUNTS`` (a JSON list of
username, password and authenticator secret), signs in through the real screens before
the timed part (requests named ``(sign in)``, left out of the figures), then over and over:
types three letters in the search, opens a dossier it found, reads the dashboard and drills
down to a department. ``WEB_LOAD_ONLY`` limits the tasks to one route, for measuring the
server's CPU time per request of that route.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import threading
from urllib.parse import urlencode

import pyotp
from locust import between, task
from locust.contrib.fasthttp import FastHttpUser

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
DOSSIER = re.compile(r'href="(/werknemers/[0-9a-f]{32})"')
DEPARTMENT = re.compile(r'href="(/statistieken/\?[^"]*afdeling=[0-9a-f]{32}[^"]*)"')

with open(os.environ["WEB_LOAD_ACCOUNTS"], encoding="utf-8") as accounts_file:
    ACCOUNTS: list[dict[str, str]] = json.load(accounts_file)
QUERIES: list[str] = json.loads(os.environ["WEB_LOAD_QUERIES"])
ONLY = os.environ.get("WEB_LOAD_ONLY", "")
THINK = float(os.environ.get("WEB_LOAD_THINK", "0") or 0)
_next_account = itertools.count()
_lock = threading.Lock()


def _csrf(text: str) -> str:
    found = CSRF.search(text)
    if not found:
        raise RuntimeError("no CSRF token on the page")
    return found.group(1)


FORM = {"Content-Type": "application/x-www-form-urlencoded"}


# FastHttpUser (geventhttpclient) rather than HttpUser (requests): a fraction of the
# client's CPU per request, which on this machine is CPU the server and database lack.
class HrContact(FastHttpUser):
    # ``WEB_LOAD_THINK``: the mean pause between requests, as an HR contact reads a page.
    wait_time = between(0.5 * THINK, 1.5 * THINK)

    def on_start(self) -> None:
        with _lock:
            account = ACCOUNTS[next(_next_account) % len(ACCOUNTS)]
        self.rng = random.Random(account["username"])
        page = self.client.get("/inloggen", name="(sign in)")
        self._plain_http()
        password = self.client.post(
            "/inloggen",
            data=urlencode(
                {
                    "csrf_token": _csrf(page.text or ""),
                    "username": account["username"],
                    "password": account["password"],
                }
            ),
            headers=FORM,
            name="(sign in)",
            allow_redirects=False,
        )
        self._plain_http()
        headers = password.headers
        step = str(headers.get("Location") if headers is not None else "/inloggen/code")
        answer = self.client.get(step, name="(sign in)")
        code = pyotp.TOTP(account["secret"]).now()
        with self.client.post(
            step,
            data=urlencode(
                {"csrf_token": _csrf(answer.text or ""), "method": "totp", "code": code}
            ),
            headers=FORM,
            name="(sign in)",
            allow_redirects=False,
            catch_response=True,
        ) as signed_in:
            if signed_in.status_code != 302:
                signed_in.failure("the second step did not sign in")
        self._plain_http()
        self.dossiers: list[str] = []
        self.departments: list[str] = []

    def _plain_http(self) -> None:
        # Outside development the app marks its cookies Secure, as it should behind TLS;
        # this client talks plain http on loopback to the server itself, as the proxy that
        # ends TLS would, so it sends them all the same.
        for cookie in self.client.cookiejar:
            cookie.secure = False

    def _get(self, path: str, name: str, **params: str) -> str:
        """A page that must answer 200 itself: a redirect (to the login) is a failure."""
        url = f"{path}?{urlencode(params)}" if params else path
        with self.client.get(url, name=name, allow_redirects=False, catch_response=True) as answer:
            if answer.status_code != 200:
                answer.failure(f"status {answer.status_code}")
                return ""
            return str(answer.text)

    def _wanted(self, route: str) -> bool:
        return not ONLY or route == ONLY

    @task(4)
    def search(self) -> None:
        if self._wanted("search"):
            page = self._get("/zoeken", "search", q=self.rng.choice(QUERIES))
            self.dossiers = DOSSIER.findall(page)[:5] or self.dossiers

    @task(3)
    def dossier(self) -> None:
        if not self._wanted("dossier"):
            return
        while not self.dossiers:  # a dossier to open: found untimed when measuring it alone
            page = self._get("/zoeken", "(setup)", q=self.rng.choice(QUERIES))
            self.dossiers = DOSSIER.findall(page)[:5]
        self._get(self.rng.choice(self.dossiers), "dossier")

    @task(2)
    def dashboard(self) -> None:
        if self._wanted("dashboard"):
            page = self._get("/statistieken/", "dashboard")
            self.departments = DEPARTMENT.findall(page.replace("&amp;", "&"))[:5]

    @task(1)
    def drill_down(self) -> None:
        if not self._wanted("drill down"):
            return
        if not self.departments:
            page = self._get("/statistieken/", "(setup)")
            self.departments = DEPARTMENT.findall(page.replace("&amp;", "&"))[:5]
            if not self.departments:
                return
        self._get(self.rng.choice(self.departments), "drill down")
