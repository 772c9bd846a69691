"""The statistics dashboard ("dashboard afspraken") and its export."""

from __future__ import annotations

from flask import Blueprint, render_template

from flask_portal.app import signed_in

blueprint = Blueprint("stats", __name__, url_prefix="/statistieken")


@blueprint.get("/")
@signed_in()
def dashboard() -> str:
    return render_template("stats/dashboard.html")
