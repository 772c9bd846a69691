"""onzecoach in Flask: a small JSON API over one Portal (docs/web-frameworks.md).

Serve it with ``flask --app 'web_flask:main()' run`` (or gunicorn ``'web_flask:main()'``);
tests call ``create_app(portal)``.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, jsonify, request
from web_common import bearer_token, build_portal, problem, to_json

from onzecoach import Actor, FieldError, OnzecoachError, Portal, ValidationError


# --8<-- [start:app]
def create_app(portal: Portal) -> Flask:
    app = Flask(__name__)

    @app.errorhandler(OnzecoachError)
    def onzecoach_error(error: OnzecoachError) -> Response:
        if error.http_status >= 500:
            app.logger.error("%s %s failed", request.method, request.path, exc_info=error)
        body, status, headers = problem(error)
        response = jsonify(body)
        response.status_code = status
        response.mimetype = "application/problem+json"
        response.headers.update(headers)
        return response

    def current_actor() -> Actor:
        return portal.auth.authenticate(bearer_token(request.headers.get("Authorization")))

    def json_object() -> dict[str, Any]:
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            # An error of the app's own, in the SDK's form: a field, a code, a text.
            raise ValidationError(
                [FieldError("body", "invalid", "Stuur de gegevens als JSON-object.")]
            )
        return data

    @app.get("/employees/<employee_id>")
    def employee(employee_id: str) -> Response:
        return jsonify(to_json(portal.employees.get(current_actor(), employee_id)))

    @app.post("/employees")
    def register_employee() -> tuple[Response, int]:
        # The SDK checks every field and names each bad one (422): no model of our own.
        registered = portal.employees.register(current_actor(), json_object())
        return jsonify(to_json(registered)), 201

    @app.get("/employees/<employee_id>/dossier")
    def dossier(employee_id: str) -> Response:
        return jsonify(to_json(portal.employees.dossier(current_actor(), employee_id)))

    return app


# --8<-- [end:app]


def main() -> Flask:
    """The app for ``flask --app 'web_flask:main()'``: one Portal for the whole process."""
    return create_app(build_portal())
