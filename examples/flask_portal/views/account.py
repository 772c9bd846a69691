"""Account settings: password, second factors, backup codes."""

from __future__ import annotations

from flask import Blueprint, render_template

from flask_portal.app import signed_in

blueprint = Blueprint("account", __name__, url_prefix="/account")


@blueprint.get("/")
@signed_in()
def settings() -> str:
    return render_template("account/settings.html")
