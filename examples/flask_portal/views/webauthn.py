"""Security keys and passkeys (WebAuthn): the JSON endpoints static/webauthn.js talks to.

The ceremonies run in the browser; these endpoints hand out the SDK's options (W3C JSON)
and pass the browser's answer back to it. Each takes the CSRF token in the
``X-CSRF-Token`` header (security.check_csrf) and answers a refusal as JSON with the
SDK's stable code and Dutch text, for the page's live region. The pages themselves are
the wizard's step (views/auth.py), the second step and the account page.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from flask import Blueprint, jsonify, request, url_for
from werkzeug.wrappers import Response

from flask_portal import security
from flask_portal.app import json_error, portal
from flask_portal.views.auth import home_of, start_session
from onzecoach import (
    AdapterError,
    InvalidToken,
    OnzecoachError,
    Throttled,
    ValidationError,
)
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
def enrol_options() -> Response | Answer:
    token = request.cookies.get(security.ENROLL_COOKIE)
    try:
        if not token:
            raise InvalidToken("link.invalid")
        return _options(portal().mfa.begin_webauthn(token))
    except InvalidToken as refused:
        return _refusal(refused, restart=url_for("auth.login"))
    except OnzecoachError as refused:
        return _refusal(refused)


@blueprint.post("/tweede-factor/webauthn/koppelen.json")
def enrol_finish() -> Answer:
    """Keep the key; the page then ends the step as the others do (backup codes)."""
    token = request.cookies.get(security.ENROLL_COOKIE)
    try:
        if not token:
            raise InvalidToken("link.invalid")
        key = portal().mfa.finish_webauthn(token, _credential(), _name())
    except InvalidToken as refused:
        return _refusal(refused, restart=url_for("auth.login"))
    except OnzecoachError as refused:
        return _refusal(refused)
    return {"key": {"id": key.id, "name": key.name}}, 200


# The second step of a login ------------------------------------------------------------------


@blueprint.post("/inloggen/webauthn/opties.json")
def login_options() -> Response | Answer:
    token = request.cookies.get(security.LOGIN_COOKIE)
    try:
        if not token:
            raise InvalidToken("login.challenge_expired")
        return _options(portal().auth.webauthn_options(token))
    except InvalidToken as refused:
        return _refusal(refused, restart=url_for("auth.login"))
    except OnzecoachError as refused:
        return _refusal(refused)


@blueprint.post("/inloggen/webauthn.json")
def login_finish() -> Response | Answer:
    token = request.cookies.get(security.LOGIN_COOKIE)
    try:
        if not token:
            raise InvalidToken("login.challenge_expired")
        session = portal().auth.verify(token, _credential(), method="webauthn")
    except InvalidToken as refused:
        return _refusal(refused, restart=url_for("auth.login"))
    except OnzecoachError as refused:
        return _refusal(refused)
    response = jsonify(next=home_of(session))
    start_session(response, session)
    return response


# Signing in with a passkey alone ---------------------------------------------------------------


@blueprint.post("/inloggen/passkey/opties.json")
def passkey_options() -> Response | Answer:
    """Options for a passkey of any account (no username asked: none is told apart);
    the ceremony's token waits in an httponly cookie."""
    try:
        challenge = portal().auth.begin_passkey(ip=request.remote_addr)
    except OnzecoachError as refused:
        return _refusal(refused)
    response = _options(challenge.options)
    security.set_cookie(response, security.PASSKEY_COOKIE, challenge.token, max_age=PASSKEY_AGE)
    return response


@blueprint.post("/inloggen/passkey.json")
def passkey_finish() -> Response | Answer:
    token = request.cookies.get(security.PASSKEY_COOKIE)
    try:
        if not token:
            raise InvalidToken("login.challenge_expired")
        session = portal().auth.finish_passkey(token, _credential(), ip=request.remote_addr)
    except InvalidToken as refused:
        return _refusal(refused, restart=url_for("auth.login"))
    except OnzecoachError as refused:
        return _refusal(refused)
    response = jsonify(next=home_of(session))
    start_session(response, session)
    return response
