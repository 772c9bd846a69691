"""The app's screens, one blueprint per part of the manual."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import (
    account,
    agenda,
    auth,
    booking,
    coach,
    desk,
    desk_employees,
    dev,
    erasure,
    hr,
    privacy,
    retention,
    stats,
    webauthn,
)

if TYPE_CHECKING:
    from flask import Flask

    from flask_portal.app import Sent


def register_all(app: Flask, *, mailbox: Sent | None, sms_box: Sent | None) -> None:
    for module in (
        auth,
        webauthn,
        hr,
        privacy,
        erasure,
        stats,
        account,
        desk,
        desk_employees,
        retention,
        booking,
        coach,
    ):
        app.register_blueprint(module.blueprint)
    app.jinja_env.filters["dag"] = agenda.day_name
    app.jinja_env.filters["tijd"] = agenda.clock_time
    app.jinja_env.filters["dag_iso"] = lambda moment: agenda.local(moment).date().isoformat()
    if app.config["ONZECOACH_DEVELOPMENT"] and (mailbox is not None or sms_box is not None):
        app.register_blueprint(dev.make_blueprint(mailbox, sms_box))
