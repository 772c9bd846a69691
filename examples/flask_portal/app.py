"""The application factory: a thin Flask app over a ``Portal``.

No rule of the portal lives here. Views turn form fields into SDK calls and SDK answers
(and errors) into Dutch pages.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from flask import Flask, g, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from flask_portal import observability, security
from onzecoach import (
    AdapterError,
    NotAuthenticated,
    NotFound,
    OnzecoachError,
    Portal,
    Role,
    Throttled,
)
from onzecoach.errors import DecryptionFailed
from onzecoach.notifications import dutch_datetime

__all__ = ["Sent", "create_app"]

log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])


class Sent(Protocol):
    """What the development page lists: an adapter that keeps what it sent."""

    @property
    def sent(self) -> list[Any]: ...


#: Short confirmations after a redirect, by code: the URL carries the code, never text.
NOTICES = {
    "uitgelogd": "Je bent uitgelogd.",
    "werknemer": "De werknemer is toegevoegd.",
    "traject": "Het coachtraject is gestart. De werknemer krijgt binnen enkele uren een "
    "uitnodiging om een coach te kiezen en een afspraak te maken.",
    "taak": "De taak is afgehandeld.",
    "wachtwoord": "Je wachtwoord is gewijzigd.",
    "hersteld": "Je wachtwoord is hersteld. Log in met je nieuwe wachtwoord.",
    "verstuurd": "Als de gegevens bij een account horen, is er een e-mail verstuurd.",
    "geregistreerd": "Je account is klaar. Log in om verder te gaan.",
    "factor": "Je tweede factor is bijgewerkt.",
    "sleutel": "De naam van de sleutel is opgeslagen.",
    "uitgenodigd": "De uitnodiging is verstuurd.",
    "afdeling": "De afdeling is toegevoegd.",
    "werkgever": "De werkgever is aangemaakt.",
    "reset": "De tweede factor van de gebruiker is gereset.",
    # The PlanningsAgenda, the coach's workspace and the coaches of the service desk.
    "afgezegd": "Het gesprek is afgezegd.",
    "verzet": "Het gesprek is verzet.",
    "gemeld": "Het gesprek is gemeld.",
    "notitie": "Je notitie is opgeslagen.",
    "verlenging": "Je verzoek om verlenging is naar de werkgever gestuurd.",
    "profiel": "Het profiel is opgeslagen.",
    "beschikbaarheid": "De beschikbaarheid is opgeslagen.",
    "agenda": "De agenda is gekoppeld.",
    "ontkoppeld": "De agenda is ontkoppeld.",
    "feed-ingetrokken": "De agenda-feed werkt niet meer.",
    "coach": "De coach is uitgenodigd.",
    "instellingen": "De instellingen van de werkgever zijn opgeslagen.",
    "verwijderd": "De werknemer is verwijderd. De statistieken blijven bewaard.",
}

ERRORS = {
    400: (
        "Ongeldig verzoek",
        "Dit verzoek kunnen we niet verwerken. Ga terug en probeer het opnieuw.",
    ),
    403: ("Geen toegang", "Je hebt geen toegang tot deze pagina."),
    404: ("Niet gevonden", "Deze pagina bestaat niet, of je hebt er geen toegang toe."),
    405: ("Niet toegestaan", "Deze actie is op deze pagina niet mogelijk."),
    413: ("Te groot", "Wat je verstuurde is te groot."),
    429: ("Even geduld", "Te veel pogingen. Probeer het later opnieuw."),
    500: ("Er ging iets mis", "Er ging iets mis aan onze kant. Probeer het later opnieuw."),
}


def create_app(
    portal: Portal,
    *,
    development: bool = False,
    mailbox: Sent | None = None,
    sms_box: Sent | None = None,
) -> Flask:
    """The web app for ``portal``.

    ``development`` relaxes the Secure flag on cookies (plain http on localhost) and, with
    ``mailbox``/``sms_box`` (``ConsoleMailer``, ``ConsoleSms``), adds a page listing what
    was sent so every flow can be finished locally. That page exists only then.
    """
    app = Flask(__name__)
    app.config.update(
        ONZECOACH_SECRET=portal.settings.secret_key,
        ONZECOACH_BASE_URL=portal.settings.base_url,
        ONZECOACH_DEVELOPMENT=development,
        MAX_CONTENT_LENGTH=1024 * 1024,
        MAX_FORM_PARTS=200,
        TEMPLATES_AUTO_RELOAD=development,
    )
    app.extensions["onzecoach"] = portal

    @app.before_request
    def upload_limit() -> None:
        # Before the CSRF check reads the form: the file is part of it.
        limit = UPLOAD_LIMITS.get(request.endpoint or "")
        if limit is not None:
            request.max_content_length = limit

    security.install(app)
    app.jinja_env.globals["notice_text"] = lambda: NOTICES.get(request.args.get("melding", ""))
    app.jinja_env.filters["datum_tijd"] = dutch_datetime

    @app.before_request
    def load_actor() -> None:
        g.actor = None
        token = security.read_cookie(security.SESSION_COOKIE)
        if token:
            try:
                g.actor = portal.auth.authenticate(token)
            except NotAuthenticated:
                g.drop_session = True

    @app.after_request
    def drop_stale_session(response: Response) -> Response:
        if g.get("drop_session"):
            security.clear_cookie(response, security.SESSION_COOKIE)
        return response

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str | dict[str, Any], int, dict[str, str]]:
        code = error.code or 500
        title, text = ERRORS.get(code, ERRORS[400])
        # Keep what the error says about itself, such as the Allow header of a 405.
        headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
        if request.path.endswith(".json"):
            # A script reads the reason; a refused token or origin says which ("csrf").
            reason = error.description if error.description in {"csrf", "origin"} else None
            return json_error(f"http.{reason or code}", text), code, headers
        return render_template("error.html", title=title, text=text), code, headers

    @app.errorhandler(NotFound)
    def not_found(_: NotFound) -> tuple[str, int]:
        title, text = ERRORS[404]
        return render_template("error.html", title=title, text=text), 404

    @app.errorhandler(Throttled)
    def throttled(error: Throttled) -> tuple[str, int]:
        title, _ = ERRORS[429]
        text = f"Te veel pogingen. Probeer het opnieuw na {dutch_datetime(error.retry_at)}."
        return render_template("error.html", title=title, text=text), 429

    @app.errorhandler(AdapterError)
    def adapter_error(error: AdapterError) -> tuple[str, int]:
        # A database, mail, SMS or YubiKey service that failed: log it, say it in Dutch.
        log.error("adapter failed: %s", error)
        title = "Even niet beschikbaar"
        text = "Een onderdeel van het portaal reageert nu niet. Probeer het later opnieuw."
        return render_template("error.html", title=title, text=text), 503

    @app.errorhandler(DecryptionFailed)
    def undecryptable(error: DecryptionFailed) -> tuple[str, int]:
        log.error("decryption failed: %s", error)
        title, text = ERRORS[500]
        return render_template("error.html", title=title, text=text), 500

    @app.errorhandler(OnzecoachError)
    def other_error(error: OnzecoachError) -> tuple[str, int]:
        # A rule the view did not expect to meet: say it, in the SDK's Dutch words.
        return render_template("error.html", title="Dat lukt niet", text=str(error)), 400

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> tuple[str, int]:
        log.exception("unexpected error", exc_info=error)
        title, text = ERRORS[500]
        return render_template("error.html", title=title, text=text), 500

    from flask_portal.views import register_all  # noqa: PLC0415 - the views import this module

    register_all(app, mailbox=mailbox, sms_box=sms_box)
    observability.install(app, portal)
    return app


def json_error(code: str, text: str, *, field: str | None = None) -> dict[str, Any]:
    """The body of a JSON endpoint's refusal: a stable code, the Dutch text, the field."""
    error: dict[str, Any] = {"code": code, "text": text}
    if field is not None:
        error["field"] = field
    return {"error": error}


def portal() -> Portal:
    """The ``Portal`` of the running app."""
    from flask import current_app  # noqa: PLC0415

    found: Portal = current_app.extensions["onzecoach"]
    return found


#: Views that take a file, and how large a request to them may be (others: 1 MiB).
UPLOAD_LIMITS = {"hr.import_employees": 20 * 1024 * 1024}


def signed_in(
    *, hr: bool = False, desk: bool = False, staff: bool = False, coach: bool = False
) -> Callable[[F], F]:
    """A view for signed-in users (optionally only HR, only the service desk, either of
    them as ``staff``, or only coaches).

    A coach sees nothing of HR's or the service desk's pages: those answer 404, as another
    coach's session does; and nobody but a coach reaches the coach's workspace.
    """

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            actor = g.get("actor")
            if actor is None and request.path.endswith(".json"):
                # A script asking for data gets an answer it can read, not a login page.
                return {"error": "Log opnieuw in."}, 401
            if actor is None:
                # The page asked for goes with the login, to return to once signed in.
                wanted = request.full_path.rstrip("?") if request.method == "GET" else "/"
                if wanted == "/":
                    return redirect(url_for("auth.login"))
                return redirect(url_for("auth.login", next=wanted))
            is_coach = actor.role is Role.COACH
            if (hr or desk or staff or coach) and is_coach is not coach:
                title, text = ERRORS[404]
                return render_template("error.html", title=title, text=text), 404
            if (hr and actor.is_service_desk) or (desk and not actor.is_service_desk):
                title, text = ERRORS[403]
                return render_template("error.html", title=title, text=text), 403
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


def field(name: str, *, limit: int = 500) -> str:
    """A form field as text, cut to ``limit``: a missing or huge field is no crash."""
    value = request.form.get(name, "")
    return value[:limit] if isinstance(value, str) else ""


def arg(name: str, limit: int = 100) -> str:
    """A query parameter as text, cut to ``limit``."""
    value = request.args.get(name, "")
    return value[:limit] if isinstance(value, str) else ""


#: The highest page number a paged list reads.
MAX_PAGE = 10_000


def page_number() -> int:
    """The ``pagina`` asked for, from 1 to ``MAX_PAGE``; 1 for anything else."""
    text = arg("pagina", 10)
    # ASCII digits only: "²".isdigit() is true, int("²") raises.
    return min(max(int(text), 1), MAX_PAGE) if re.fullmatch(r"[0-9]{1,9}", text) else 1
