"""The service desk's screens: employers, departments, users, second-factor resets."""

from __future__ import annotations

from flask import Blueprint, render_template

from flask_portal.app import signed_in

blueprint = Blueprint("desk", __name__, url_prefix="/servicebureau")


@blueprint.get("/")
@signed_in(desk=True)
def employers() -> str:
    return render_template("desk/employers.html")
