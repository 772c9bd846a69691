"""What keeps the web app safe: cookies, CSRF, security headers.

The session cookie holds the portal's session token and nothing else; Flask's own signed
session is not used. CSRF tokens are an HMAC under a key derived from
``Settings.secret_key``: once signed in, of the session's token (bound to the session);
signed out, of a random per-browser cookie (double submit, bound to that browser).
Flask-WTF keeps its secret in Flask's session cookie, which this app does not have.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Final
from urllib.parse import unquote, urlsplit

from flask import Flask, abort, current_app, g, request
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect
from werkzeug.wrappers import Response

#: The cookies' names in development. Elsewhere each takes the ``__Host-`` prefix
#: (``cookie_name``): the browser then keeps it only if it is Secure, for this host alone
#: (no Domain) and for every path, so another subdomain cannot plant or shadow it. Plain
#: http on localhost cannot set such a cookie: development keeps these names.
SESSION_COOKIE: Final = "oc_session"
CSRF_COOKIE: Final = "oc_csrf"
LOGIN_COOKIE: Final = "oc_login"
ENROLL_COOKIE: Final = "oc_enroll"
PASSKEY_COOKIE: Final = "oc_passkey"
#: Where a signed-out visit was going, kept over the login (a path of this app only).
NEXT_COOKIE: Final = "oc_next"
CSRF_FIELD: Final = "csrf_token"
#: Where a script's JSON request carries the token: a JSON body has no form field.
CSRF_HEADER: Final = "X-CSRF-Token"

#: No inline script or style anywhere: every page's code is a file under /static.
CSP: Final = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


HOST_PREFIX: Final = "__Host-"


def cookie_name(name: str) -> str:
    """The name ``name`` (``SESSION_COOKIE`` and the like) goes by in this app's mode."""
    return name if current_app.config["ONZECOACH_DEVELOPMENT"] else HOST_PREFIX + name


def read_cookie(name: str) -> str | None:
    """The value of the cookie ``name`` (``SESSION_COOKIE`` and the like), if sent."""
    return request.cookies.get(cookie_name(name))


def _csrf_key() -> bytes:
    secret = current_app.config["ONZECOACH_SECRET"].encode()
    return hashlib.sha256(b"onzecoach web csrf\x00" + secret).digest()


def _bound(kind: bytes, value: str) -> str:
    """The token bound to ``value``: a session's token or a browser's random cookie."""
    data = kind + b"\x00" + hashlib.sha256(value.encode()).digest()
    return hmac.new(_csrf_key(), data, hashlib.sha256).hexdigest()


def csrf_token() -> str:
    """The token for forms on this page (the template global ``csrf_token()``).

    Signed in, it is bound to the session: a cookie planted beside the session (another
    subdomain can set one) yields no valid token, and a new sign-in makes new tokens.
    Signed out (the login and its like), it is bound to the browser's ``oc_csrf`` cookie.
    """
    session = read_cookie(SESSION_COOKIE)
    if session and not g.get("drop_session"):
        return _bound(b"session", session)
    seed = g.get("csrf_seed")
    if seed is None:
        seed = read_cookie(CSRF_COOKIE) or secrets.token_urlsafe(32)
        g.csrf_seed = seed
    return _bound(b"browser", seed)


def check_csrf() -> None:
    """Refuse a state-changing request without a valid token (400, before any view runs)."""
    if request.method in {"GET", "HEAD", "OPTIONS"} or request.routing_exception is not None:
        return  # reading, or a 404/405 that routing answers anyway
    if request.is_json:
        # A header a page's own script sets: another site cannot send it across origins
        # without a CORS preflight, which this app never answers.
        sent = request.headers.get(CSRF_HEADER, "")
    else:
        sent = request.form.get(CSRF_FIELD, "")
    # With a session cookie, the token of that session and no other (even one that has
    # just expired: the view then sends to the login); without one, the browser's cookie.
    session = read_cookie(SESSION_COOKIE)
    seed = read_cookie(CSRF_COOKIE)
    if session:
        expected = _bound(b"session", session)
    elif seed:
        expected = _bound(b"browser", seed)
    else:
        abort(400, "csrf")
    if not isinstance(sent, str) or not hmac.compare_digest(expected, sent):
        abort(400, "csrf")
    origin = request.headers.get("Origin")
    if origin is not None and origin.rstrip("/") not in _own_origins():
        abort(400, "origin")


def _own_origins() -> set[str]:
    """The app's origins: as the request arrived, and as ``Settings.base_url`` says.

    Behind a proxy that ends TLS the request arrives over http, while the browser's Origin
    says https: the configured base URL is the one people use.
    """
    base = urlsplit(current_app.config["ONZECOACH_BASE_URL"])
    return {request.host_url.rstrip("/"), f"{base.scheme}://{base.netloc}"}


def set_cookie(response: Response, name: str, value: str, *, max_age: int | None = None) -> None:
    """Set ``name`` (``SESSION_COOKIE`` and the like) under its name in this mode."""
    response.set_cookie(
        cookie_name(name),
        value,
        max_age=max_age,
        httponly=True,
        samesite="Lax",
        secure=not current_app.config["ONZECOACH_DEVELOPMENT"],
        path="/",
    )


def end_flows(response: Response) -> None:
    """Forget a half-done login or second-factor setup: on logout, login and the like."""
    for name in (LOGIN_COOKIE, ENROLL_COOKIE, PASSKEY_COOKIE, NEXT_COOKIE):
        if read_cookie(name):
            clear_cookie(response, name)


#: Pages a deep link may not lead back to: the login itself, its scripts' endpoints, files.
_NO_LANDING: Final = ("auth.", "webauthn.", "dev.", "static")


def safe_path(value: object) -> str | None:
    """``value`` if it is a page of this app to land on after signing in, else ``None``.

    Only a relative path to a page this app answers with GET: no scheme, no host, no
    ``//`` or backslash, no control character, in the text as given and as it reads once
    its percent escapes are undone (``/%2F%2Fevil.example`` is ``//evil.example``). No open
    redirect: whatever is refused sends the user to their home page.
    """
    if not isinstance(value, str) or not value or len(value) > 2000:
        return None
    readings = [value]
    for _ in range(3):  # double and triple escaping too
        readings.append(unquote(readings[-1]))
    if not all(_plain_path(text) for text in readings):
        return None
    path = urlsplit(value).path
    try:
        endpoint, _ = current_app.url_map.bind("localhost").match(unquote(path), method="GET")
    except (HTTPException, RequestRedirect):
        return None
    if not isinstance(endpoint, str) or endpoint.startswith(_NO_LANDING):
        return None
    return value


def _plain_path(text: str) -> bool:
    if not text.startswith("/") or text.startswith("//") or "\\" in text:
        return False
    if any(ord(char) < 32 or 127 <= ord(char) < 160 for char in text):
        return False
    parts = urlsplit(text)
    return not (parts.scheme or parts.netloc or parts.fragment)


def clear_cookie(response: Response, name: str) -> None:
    response.delete_cookie(
        cookie_name(name),
        httponly=True,
        samesite="Lax",
        secure=not current_app.config["ONZECOACH_DEVELOPMENT"],
        path="/",
    )


def secure_headers(response: Response) -> Response:
    """Security headers on every response; a fresh CSRF cookie where the page needs one."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if not request.path.startswith("/static/"):
        headers.setdefault("Cache-Control", "no-store")
    if not current_app.config["ONZECOACH_DEVELOPMENT"]:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    seed = g.get("csrf_seed")
    if seed is not None and read_cookie(CSRF_COOKIE) != seed:
        set_cookie(response, CSRF_COOKIE, seed)
    return response


def install(app: Flask) -> None:
    app.before_request(check_csrf)
    app.after_request(secure_headers)
    app.jinja_env.globals["csrf_token"] = csrf_token
