"""Logging in, registering by link, the second-factor wizard, forgotten details."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import cast

from flask import Blueprint, g, redirect, render_template, request, url_for
from flask import Response as PageResponse
from werkzeug.wrappers import Response

from flask_portal import security
from flask_portal.app import field, portal
from onzecoach import (
    InvalidToken,
    MfaRequired,
    PasswordPolicyError,
    Throttled,
    ValidationError,
    VerificationFailed,
)
from onzecoach.accounts import PasswordPolicy, Session, TokenPurpose
from onzecoach.errors import YubikeyServiceError
from onzecoach.mfa import Method, MethodName
from onzecoach.notifications import dutch_datetime

blueprint = Blueprint("auth", __name__)

METHOD_LABELS = {
    Method.SMS: "Code uit de SMS",
    Method.TOTP: "Code uit de authenticatie-app",
    Method.YUBIKEY: "YubiKey",
    Method.BACKUP_CODE: "Back-up code",
}
#: The wizard's steps in order: a security key or passkey first.
WIZARD = ("webauthn", "sms", "yubikey", "app")
#: How long the browser keeps a second-factor setup: no longer than the SDK's own token.
ENROLL_AGE = 2 * 3600


def _redirect(endpoint: str, **values: str) -> Response:
    return redirect(url_for(endpoint, _external=False, **values))


def _too_many(throttled: Throttled) -> str:
    return f"Te veel pogingen. Probeer het opnieuw na {dutch_datetime(throttled.retry_at)}."


# Login ------------------------------------------------------------------------------------


@blueprint.route("/inloggen", methods=["GET", "POST"])
def login() -> str | Response:
    if g.actor is not None:
        return _redirect("hr.home")
    error = None
    username = field("username", limit=200)
    if request.method == "POST":
        try:
            challenge = portal().auth.login(
                username, field("password", limit=1000), ip=request.remote_addr
            )
        except MfaRequired as required:
            if required.enrollment is None:
                raise
            response = _redirect("auth.wizard", step=WIZARD[0])
            security.set_cookie(
                response, security.ENROLL_COOKIE, required.enrollment.token, max_age=ENROLL_AGE
            )
            return response
        except VerificationFailed:
            error = "De inlognaam of het wachtwoord klopt niet."
        except Throttled as throttled:
            error = (
                f"Te veel pogingen. Probeer het opnieuw na {dutch_datetime(throttled.retry_at)}."
            )
        else:
            if Method.SMS in challenge.methods:
                # SMS is this user's method: the code goes out at once.
                with contextlib.suppress(Throttled, VerificationFailed):
                    portal().auth.send_sms(challenge.token)
            # The user's methods travel in the URL: they are no secret, the token is.
            response = redirect(url_for("auth.second_step", m=[m.value for m in challenge.methods]))
            security.set_cookie(response, security.LOGIN_COOKIE, challenge.token, max_age=600)
            return response
    return render_template(
        "auth/login.html",
        error=error,
        username=username,
        passkey=portal().auth.passkey_offered(),
    )


@blueprint.route("/inloggen/code", methods=["GET", "POST"])
def second_step() -> str | Response:
    token = request.cookies.get(security.LOGIN_COOKIE)
    if not token:
        return _redirect("auth.login")
    error = None
    method = request.values.get("method", "")
    if request.method == "POST" and request.form.get("action") == "sms":
        try:
            portal().auth.send_sms(token)
        except Throttled as throttled:
            error = f"Wacht tot {dutch_datetime(throttled.retry_at)} voor een nieuwe SMS."
        except ValidationError:
            error = "Voor dit account is geen SMS ingesteld. Kies een andere manier."
        except (InvalidToken, VerificationFailed):
            return _restart()
    elif request.method == "POST":
        try:
            # The SDK checks the method itself: a wrong one is a field error.
            session = portal().auth.verify(
                token, field("code", limit=100), method=cast("MethodName", method)
            )
        except InvalidToken:
            return _restart()
        except ValidationError:
            error = "Kies hoe je inlogt en vul de code in."
        except VerificationFailed:
            error = "Deze code klopt niet. Probeer het opnieuw."
        except Throttled as throttled:
            error = (
                f"Te veel pogingen. Probeer het opnieuw na {dutch_datetime(throttled.retry_at)}."
            )
        else:
            response = redirect(home_of(session))
            start_session(response, session)
            return response
    asked = request.args.getlist("m")
    offered = {m: label for m, label in METHOD_LABELS.items() if m in asked}
    return render_template(
        "auth/second_step.html",
        error=error,
        methods=offered or METHOD_LABELS,
        chosen=method,
        # The key's ceremony runs in the page's script (views/webauthn.py), not the form.
        webauthn=Method.WEBAUTHN in asked,
    )


def home_of(session: Session) -> str:
    """Where a user lands once signed in."""
    return url_for("hr.home" if not session.actor.is_service_desk else "desk.employers")


def start_session(response: Response, session: Session) -> None:
    """The session's cookie on ``response``; the login's half-done flows forgotten."""
    security.end_flows(response)
    security.set_cookie(response, security.SESSION_COOKIE, session.token)


def _restart() -> Response:
    response = _redirect("auth.login")
    security.clear_cookie(response, security.LOGIN_COOKIE)
    return response


@blueprint.post("/uitloggen")
def logout() -> Response:
    token = request.cookies.get(security.SESSION_COOKIE)
    if token:
        portal().auth.logout(token)
    response = _redirect("auth.login", melding="uitgelogd")
    security.clear_cookie(response, security.SESSION_COOKIE)
    security.end_flows(response)
    return response


# Forgotten details ---------------------------------------------------------------------------


@blueprint.route("/inloggegevens-vergeten", methods=["GET", "POST"])
def forgotten() -> str | Response:
    error = None
    if request.method == "POST":
        what = field("what", limit=20)
        try:
            if what == "wachtwoord":
                portal().accounts.request_password_reset(field("username", limit=200))
            elif what == "inlognaam":
                portal().accounts.remind_username(field("email", limit=320))
            else:
                error = "Kies of je je wachtwoord of je inlognaam bent vergeten."
        except ValidationError as invalid:
            error = "; ".join(invalid.errors.values())
        except Throttled:
            # The same answer as a success: a limit reached says nothing about an account.
            pass
        if error is None:
            return _redirect("auth.login", melding="verstuurd")
    return render_template("auth/forgotten.html", error=error)


@blueprint.route("/wachtwoord-herstellen/<token>", methods=["GET", "POST"])
def reset(token: str) -> str | Response | tuple[str, int]:
    def done(password: str) -> Response:
        portal().accounts.reset_password(token, password)
        return _redirect("auth.login", melding="hersteld")

    return _password_page(
        token,
        TokenPurpose.PASSWORD_RESET,
        title="Nieuw wachtwoord",
        dead="Deze link is verlopen of al gebruikt. Vraag een nieuwe aan.",
        use=done,
    )


def _password_page(
    token: str,
    purpose: TokenPurpose,
    *,
    title: str,
    dead: str,
    use: Callable[[str], Response],
) -> str | Response | tuple[str, int]:
    """The page a mailed link opens: choose a password; ``use`` spends the link with it.

    A dead link says so at once, before and after the form (410).
    """
    again = purpose is TokenPurpose.PASSWORD_RESET
    try:
        link = portal().accounts.check_link(token, purpose)
    except InvalidToken:
        return _dead_link(dead, again=again)
    errors: list[str] = []
    if request.method == "POST":
        password = field("password", limit=1000)
        if password != field("repeat", limit=1000):
            errors.append("De wachtwoorden zijn niet gelijk.")
        else:
            try:
                return use(password)
            except PasswordPolicyError as weak:
                errors = violation_texts(weak)
            except InvalidToken:
                return _dead_link(dead, again=again)
    return render_template(
        "auth/password.html",
        errors=errors,
        policy=password_policy(),
        title=title,
        username=link.username,
    )


def _dead_link(message: str, *, again: bool) -> tuple[str, int]:
    """The page of a link that can no longer be used: 410 Gone, with what to do instead."""
    return render_template("auth/dead_link.html", message=message, again=again), 410


# Registration and the second-factor wizard --------------------------------------------------


@blueprint.route("/registreren/<token>", methods=["GET", "POST"])
def register(token: str) -> str | Response | tuple[str, int]:
    def done(password: str) -> Response:
        enrollment = portal().accounts.register(token, password)
        response = _redirect("auth.wizard", step=WIZARD[0])
        security.set_cookie(response, security.ENROLL_COOKIE, enrollment.token, max_age=ENROLL_AGE)
        return response

    return _password_page(
        token,
        TokenPurpose.INVITATION,
        title="Kies een wachtwoord",
        dead="Deze link is verlopen of al gebruikt. Neem contact op met OnzeCoach.",
        use=done,
    )


def password_policy() -> PasswordPolicy:
    """The portal's policy: its rules are listed, in its numbers, wherever a password is set."""
    return portal().settings.password_policy


def violation_texts(error: PasswordPolicyError) -> list[str]:
    """Every rule a refused password broke: in the words of the list above the form, and
    in the SDK's own message where the list has none (too long, unreadable characters)."""
    texts = {rule.code: rule.text for rule in password_policy().rules()}
    return [texts.get(item.code, item.message) for item in error.details]


@blueprint.route("/tweede-factor/<step>", methods=["GET", "POST"])
def wizard(step: str) -> str | Response:
    """A security key or passkey, then SMS, YubiKey and the app; each can be skipped; the
    first one confirmed ends the setup with the backup codes.

    The key's ceremony runs in the page's script against views/webauthn.py; once the key
    is kept, the script sends this step's form with ``action=done``.
    """
    token = request.cookies.get(security.ENROLL_COOKIE)
    if not token:
        return _redirect("auth.login")
    if step not in WIZARD:
        return _redirect("auth.wizard", step=WIZARD[0])
    error = None
    context: dict[str, object] = {}
    try:
        if request.method == "POST":
            done = _wizard_step(step, token, context)
            if done is not None:
                return done
    except InvalidToken:
        response = _redirect("auth.login")
        security.clear_cookie(response, security.ENROLL_COOKIE)
        return response
    except ValidationError as invalid:
        error = "; ".join(invalid.errors.values())
    except VerificationFailed:
        error = "Deze code klopt niet. Probeer het opnieuw."
    except Throttled as throttled:
        error = _too_many(throttled)
    except YubikeyServiceError:
        error = (
            "Een YubiKey kan nu niet worden gecontroleerd. Sla deze stap over of probeer het later."
        )
    if step == "app":
        # The pending secret again (a reload or a wrong code keeps the scanned QR code
        # valid); a new one only when asked for.
        fresh = request.method == "GET" and request.args.get("nieuw") == "1"
        context["setup"] = portal().mfa.begin_totp(token, again=not fresh)
    return render_template(f"auth/wizard_{step}.html", error=error, step=step, **context)


def _wizard_step(step: str, token: str, context: dict[str, object]) -> str | Response | None:
    """Handle one form of the wizard; an answer ends the step, ``None`` shows it again."""
    mfa = portal().mfa
    action = field("action", limit=20)
    if action == "skip":
        following = WIZARD[WIZARD.index(step) + 1] if step != WIZARD[-1] else None
        return _redirect("auth.wizard", step=following) if following else _finish(token)
    if step == "webauthn":
        return _finish(token) if action == "done" else None
    if step == "sms" and action == "send":
        context["phone"] = mfa.begin_sms(token, field("phone", limit=40))
        return None
    if step == "sms":
        # Shown again with the code form if the code is wrong: the phone is not asked twice.
        context["phone"] = field("phone", limit=40) or None
        mfa.confirm_sms(token, field("code", limit=40))
    elif step == "yubikey":
        mfa.add_yubikey(token, field("otp", limit=100))
    else:
        mfa.confirm_totp(token, field("code", limit=20))
    return _finish(token)


def _finish(token: str) -> str | Response:
    try:
        codes = portal().mfa.finish(token)
    except MfaRequired:
        return render_template(
            "auth/wizard_none.html",
            error="Stel minstens één tweede factor in om verder te gaan.",
        )
    response = PageResponse(render_template("auth/backup_codes.html", codes=codes))
    security.clear_cookie(response, security.ENROLL_COOKIE)
    return response
