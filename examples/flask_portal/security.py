"""What keeps the web app safe: cookies, CSRF, security headers.

The session cookie holds the portal's session token and nothing else; Flask's own signed
session is not used. CSRF tokens are the HMAC of a random per-browser cookie under a key
derived from ``Settings.secret_key`` (double submit, bound to that browser): Flask-WTF
keeps its secret in Flask's session cookie, which this app does not have.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Final
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, g, request
from werkzeug.wrappers import Response

SESSION_COOKIE: Final = "oc_session"
CSRF_COOKIE: Final = "oc_csrf"
LOGIN_COOKIE: Final = "oc_login"
ENROLL_COOKIE: Final = "oc_enroll"
PASSKEY_COOKIE: Final = "oc_passkey"
CSRF_FIELD: Final = "csrf_token"
#: Where a script's JSON request carries the token: a JSON body has no form field.
CSRF_HEADER: Final = "X-CSRF-Token"

#: No inline script or style anywhere: every page's code is a file under /static.
CSP: Final = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def _csrf_key() -> bytes:
    secret = current_app.config["ONZECOACH_SECRET"].encode()
    return hashlib.sha256(b"onzecoach web csrf\x00" + secret).digest()


def csrf_token() -> str:
    """The token for forms on this page (the template global ``csrf_token()``)."""
    seed = g.get("csrf_seed")
    if seed is None:
        seed = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)
        g.csrf_seed = seed
    return hmac.new(_csrf_key(), seed.encode(), hashlib.sha256).hexdigest()


def check_csrf() -> None:
    """Refuse a state-changing request without a valid token (400, before any view runs)."""
    if request.method in {"GET", "HEAD", "OPTIONS"} or request.routing_exception is not None:
        return  # reading, or a 404/405 that routing answers anyway
    seed = request.cookies.get(CSRF_COOKIE)
    if request.is_json:
        # A header a page's own script sets: another site cannot send it across origins
        # without a CORS preflight, which this app never answers.
        sent = request.headers.get(CSRF_HEADER, "")
    else:
        sent = request.form.get(CSRF_FIELD, "")
    if not seed or not isinstance(sent, str):
        abort(400, "csrf")
    expected = hmac.new(_csrf_key(), seed.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, sent):
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
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite="Lax",
        secure=not current_app.config["ONZECOACH_DEVELOPMENT"],
        path="/",
    )


def end_flows(response: Response) -> None:
    """Forget a half-done login or second-factor setup: on logout, login and the like."""
    for name in (LOGIN_COOKIE, ENROLL_COOKIE, PASSKEY_COOKIE):
        if request.cookies.get(name):
            clear_cookie(response, name)


def clear_cookie(response: Response, name: str) -> None:
    response.delete_cookie(
        name,
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
    if seed is not None and request.cookies.get(CSRF_COOKIE) != seed:
        set_cookie(response, CSRF_COOKIE, seed)
    return response


def install(app: Flask) -> None:
    app.before_request(check_csrf)
    app.after_request(secure_headers)
    app.jinja_env.globals["csrf_token"] = csrf_token
