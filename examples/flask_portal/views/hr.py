"""HR's screens: home, employees, coaching, search, dossier, tasks."""

from __future__ import annotations

from flask import Blueprint, render_template

from flask_portal.app import signed_in

blueprint = Blueprint("hr", __name__)


@blueprint.get("/")
@signed_in()
def home() -> str:
    return render_template("hr/home.html")
