"""Account settings: password, second factors, backup codes."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, redirect, render_template, url_for
from flask import Response as PageResponse
from werkzeug.wrappers import Response

from flask_portal import security
from flask_portal.app import field, portal, signed_in
from flask_portal.views.auth import ENROLL_AGE, WIZARD, password_policy, violation_texts
from onzecoach import (
    Actor,
    Conflict,
    NotAuthenticated,
    PasswordPolicyError,
    Throttled,
    ValidationError,
    VerificationFailed,
)
from onzecoach.mfa import FactorKind, FactorView
from onzecoach.notifications import dutch_datetime

blueprint = Blueprint("account", __name__, url_prefix="/account")

KINDS = {
    FactorKind.SMS: "SMS",
    FactorKind.TOTP: "Authenticatie-app",
    FactorKind.YUBIKEY: "YubiKey",
    FactorKind.WEBAUTHN: "Beveiligingssleutel of passkey",
}
#: The wizard's steps (views/auth.py) as a signed-in user can start them.
ADD = {
    "webauthn": "Beveiligingssleutel of passkey",
    "sms": "SMS",
    "yubikey": "YubiKey",
    "app": "Authenticatie-app",
}


@blueprint.get("/")
@signed_in()
def settings() -> str:
    return _page()


@blueprint.post("/wachtwoord")
@signed_in()
def password() -> str | Response:
    """Change the password; the SDK ends every session, so the user logs in again."""
    actor: Actor = g.actor
    new = field("new", limit=1000)
    errors: list[str] = []
    if not field("current", limit=1000):
        errors.append("Vul je huidige wachtwoord in.")
    if new != field("repeat", limit=1000):
        errors.append("De nieuwe wachtwoorden zijn niet gelijk.")
    if not errors:
        try:
            portal().accounts.change_password(actor, field("current", limit=1000), new)
        except PasswordPolicyError as weak:
            errors = violation_texts(weak)
        except VerificationFailed:
            errors.append("Je huidige wachtwoord klopt niet.")
        except Throttled as throttled:
            errors.append(
                f"Te veel pogingen. Probeer het opnieuw na {dutch_datetime(throttled.retry_at)}."
            )
        except ValidationError as invalid:
            errors = list(invalid.errors.values())
        except NotAuthenticated:
            return _signed_out("auth.login")
        else:
            return _signed_out("auth.login", melding="wachtwoord")
    return _page(password_errors=errors)


@blueprint.post("/tweede-factor/<factor_id>/verwijderen")
@signed_in()
def remove_factor(factor_id: str) -> str | Response:
    problem = _confirm_password()
    if problem is not None:
        return problem if isinstance(problem, Response) else _page(factor_error=problem)
    try:
        portal().mfa.remove_method(g.actor, factor_id[:100])
    except Conflict as refused:
        return _page(factor_error=str(refused))
    return redirect(url_for("account.settings", melding="factor"))


@blueprint.post("/tweede-factor/toevoegen")
@signed_in()
def add_factor() -> str | Response:
    """Into the second-factor wizard of views/auth.py, with a token for this user."""
    problem = _confirm_password()
    if problem is not None:
        return problem if isinstance(problem, Response) else _page(factor_error=problem)
    step = field("step", limit=20)
    token = portal().mfa.setup_token(g.actor).token
    response = redirect(url_for("auth.wizard", step=step if step in WIZARD else WIZARD[0]))
    security.set_cookie(response, security.ENROLL_COOKIE, token, max_age=ENROLL_AGE)
    return response


@blueprint.post("/sleutels/<factor_id>/naam")
@signed_in()
def rename_key(factor_id: str) -> str | Response:
    """A security key's new name; someone else's key or none at all is a 404."""
    try:
        portal().mfa.rename_key(g.actor, factor_id[:100], field("name", limit=200))
    except ValidationError as invalid:
        return _page(keys_error="; ".join(invalid.errors.values()))
    except NotAuthenticated:
        return _signed_out("auth.login")
    return redirect(url_for("account.settings", melding="sleutel"))


@blueprint.post("/back-up-codes")
@signed_in()
def backup_codes() -> str | Response:
    """A new set of backup codes, shown this once (the page is never stored: no-store)."""
    problem = _confirm_password()
    if problem is not None:
        return problem if isinstance(problem, Response) else _page(codes_error=problem)
    codes = portal().mfa.regenerate_backup_codes(g.actor)
    return PageResponse(render_template("account/backup_codes.html", codes=codes))


def _confirm_password() -> str | Response | None:
    """The password again before a change to how this account signs in.

    ``None`` when it is right; otherwise the message to show, or the way out when the
    session is gone. Someone at an unlocked screen cannot add their own phone.
    """
    try:
        portal().accounts.confirm_password(g.actor, field("password", limit=1000))
    except VerificationFailed:
        return "Je wachtwoord klopt niet. Vul ter bevestiging je huidige wachtwoord in."
    except Throttled as throttled:
        return f"Te veel pogingen. Probeer het opnieuw na {dutch_datetime(throttled.retry_at)}."
    except NotAuthenticated:
        return _signed_out("auth.login")
    return None


def _page(**context: Any) -> str:
    actor: Actor = g.actor
    mfa = portal().mfa
    factors = mfa.methods(actor)
    return render_template(
        "account/settings.html",
        policy=password_policy(),
        factors=[_factor(f) for f in factors if f.kind is not FactorKind.WEBAUTHN],
        keys=[_factor(f) for f in factors if f.kind is FactorKind.WEBAUTHN],
        last_one=len(factors) == 1,
        codes_left=mfa.backup_codes_left(actor),
        add=ADD,
        **{
            "password_errors": [],
            "factor_error": None,
            "codes_error": None,
            "keys_error": None,
            **context,
        },
    )


def _factor(factor: FactorView) -> dict[str, str]:
    if factor.kind is FactorKind.SMS and factor.phone:
        detail = f"naar het nummer dat eindigt op {factor.phone[-2:]}"
    elif factor.kind is FactorKind.YUBIKEY and factor.public_id:
        detail = f"sleutel {factor.public_id}"
    elif factor.kind is FactorKind.WEBAUTHN and factor.name:
        detail = factor.name
    else:
        detail = ""
    since = dutch_datetime(factor.confirmed_at) if factor.confirmed_at else ""
    return {
        "id": factor.id,
        "kind": KINDS[factor.kind],
        "detail": detail,
        "since": since,
        "name": factor.name or "",
        "created": dutch_datetime(factor.created_at),
        "last_used": dutch_datetime(factor.last_used_at) if factor.last_used_at else "",
    }


def _signed_out(endpoint: str, **values: Any) -> Response:
    response = redirect(url_for(endpoint, **values))
    security.clear_cookie(response, security.SESSION_COOKIE)
    security.end_flows(response)
    return response
