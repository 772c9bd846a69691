"""Security keys and passkeys (WebAuthn): the JSON endpoints static/webauthn.js talks to.

The ceremonies run in the browser; these endpoints hand out the SDK's options (W3C JSON)
and pass the browser's answer back to it. Each takes the CSRF token in the
``X-CSRF-Token`` header (security.check_csrf) and answers a refusal as JSON with the
SDK's stable code and Dutch text, for the page's live region. The pages themselves are
the wizard's step (views/auth.py), the second step and the account page.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from typing import Any, ParamSpec

from flask import Blueprint, jsonify, request, url_for
from werkzeug.wrappers import Response

from flask_portal import security
from flask_portal.app import json_error, portal
from flask_portal.views.auth import landing, start_session
from onzecoach import (
    AdapterError,
    InvalidToken,
    OnzecoachError,
    Throttled,
    ValidationError,
)
from onzecoach.accounts import Session
from onzecoach.notifications import dutch_datetime

blueprint = Blueprint("webauthn", __name__)
log = logging.getLogger(__name__)

#: A JSON endpoint's answer: the body and the status.
Answer = tuple[dict[str, Any], int]
#: How long a passkey sign-in's options may wait for the browser: the SDK's own 5 minutes.
PASSKEY_AGE = 5 * 60


def _refusal(error: OnzecoachError, *, restart: str | None = None) -> Answer:
    """An SDK error as the JSON a page shows: the code, the Dutch text, the field."""
    if isinstance(error, ValidationError):
        name, text = next(iter(error.errors.items()))
        body = json_error(error.code, text, field=name)
    elif isinstance(error, Throttled):
        text = f"Te veel pogingen. Probeer het opnieuw na {dutch_datetime(error.retry_at)}."
        body = json_error(error.code, text)
    elif isinstance(error, AdapterError):
        log.error("adapter failed: %s", error)
        text = "Een onderdeel van het portaal reageert nu niet. Probeer het later opnieuw."
        body = json_error(error.code, text)
    else:
        body = json_error(error.code, error.text)
    if restart is not None:
        # The flow is over (an expired login or setup): the page offers to start again.
        body["restart"] = restart
    return body, error.http_status


_P = ParamSpec("_P")


def _refusals(
    view: Callable[_P, Response | Answer],
) -> Callable[_P, Response | Answer]:
    """The endpoint's SDK refusals as JSON; an expired or unknown flow (``InvalidToken``)
    with the address that starts it again."""

    @functools.wraps(view)
    def answer(*args: _P.args, **kwargs: _P.kwargs) -> Response | Answer:
        try:
            return view(*args, **kwargs)
        except InvalidToken as refused:
            return _refusal(refused, restart=url_for("auth.login"))
        except OnzecoachError as refused:
            return _refusal(refused)

    return answer


def _token(cookie: str, missing: str) -> str:
    """The flow's token from its cookie; ``InvalidToken(missing)`` without one."""
    token = security.read_cookie(cookie)
    if not token:
        raise InvalidToken(missing)
    return token


def _signed_in(session: Session) -> Response:
    """The session's cookie, and where the page goes next."""
    response = jsonify(next=landing(session))
    start_session(response, session)
    return response


def _credential() -> str:
    """The browser's credential from the JSON body, as the JSON text the SDK takes."""
    body = request.get_json(silent=True)
    found = body.get("credential") if isinstance(body, dict) else None
    # Anything else is the SDK's to refuse: "webauthn.malformed", in its own words.
    return json.dumps(found) if isinstance(found, dict) else ""


def _name() -> str:
    body = request.get_json(silent=True)
    found = body.get("name") if isinstance(body, dict) else None
    return found[:200] if isinstance(found, str) else ""


def _options(options_json: str) -> Response:
    """The SDK's W3C JSON as it is: parsed by the page, never re-encoded here."""
    return Response(options_json, mimetype="application/json")


# Setting up a key: the wizard's step and the account page's "Sleutel toevoegen" ---------------


@blueprint.post("/tweede-factor/webauthn/opties.json")
@_refusals
def enrol_options() -> Response | Answer:
    token = _token(security.ENROLL_COOKIE, "link.invalid")
    return _options(portal().mfa.begin_webauthn(token))


@blueprint.post("/tweede-factor/webauthn/koppelen.json")
@_refusals
def enrol_finish() -> Response | Answer:
    """Keep the key; the page then ends the step as the others do (backup codes)."""
    token = _token(security.ENROLL_COOKIE, "link.invalid")
    key = portal().mfa.finish_webauthn(token, _credential(), _name())
    return {"key": {"id": key.id, "name": key.name}}, 200


# The second step of a login ------------------------------------------------------------------


@blueprint.post("/inloggen/webauthn/opties.json")
@_refusals
def login_options() -> Response | Answer:
    token = _token(security.LOGIN_COOKIE, "login.challenge_expired")
    return _options(portal().auth.webauthn_options(token))


@blueprint.post("/inloggen/webauthn.json")
@_refusals
def login_finish() -> Response | Answer:
    token = _token(security.LOGIN_COOKIE, "login.challenge_expired")
    return _signed_in(portal().auth.verify(token, _credential(), method="webauthn"))


# Signing in with a passkey alone ---------------------------------------------------------------


@blueprint.post("/inloggen/passkey/opties.json")
@_refusals
def passkey_options() -> Response | Answer:
    """Options for a passkey of any account (no username asked: none is told apart);
    the ceremony's token waits in an httponly cookie."""
    challenge = portal().auth.begin_passkey(ip=request.remote_addr)
    response = _options(challenge.options)
    security.set_cookie(response, security.PASSKEY_COOKIE, challenge.token, max_age=PASSKEY_AGE)
    return response


@blueprint.post("/inloggen/passkey.json")
@_refusals
def passkey_finish() -> Response | Answer:
    token = _token(security.PASSKEY_COOKIE, "login.challenge_expired")
    return _signed_in(portal().auth.finish_passkey(token, _credential(), ip=request.remote_addr))
