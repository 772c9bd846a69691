"""Development only: the mails and SMS the app sent, so every flow can be finished locally."""

from __future__ import annotations

from email.message import EmailMessage
from typing import TYPE_CHECKING

from flask import Blueprint, render_template

if TYPE_CHECKING:
    from flask_portal.app import Sent


def _body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    return part.get_content() if part is not None else ""


def make_blueprint(mailbox: Sent | None, sms_box: Sent | None) -> Blueprint:
    blueprint = Blueprint("dev", __name__, url_prefix="/dev")

    @blueprint.get("/berichten")
    def messages() -> str:
        mails = [
            {"to": m["To"], "subject": m["Subject"], "body": _body(m)}
            for m in reversed(list(mailbox.sent if mailbox else []))
        ]
        texts = list(reversed(list(sms_box.sent if sms_box else [])))
        return render_template("dev/messages.html", mails=mails, texts=texts)

    return blueprint
