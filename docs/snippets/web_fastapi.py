"""onzecoach in FastAPI: a small JSON API over one Portal (docs/web-frameworks.md).

Serve it with ``uvicorn --factory web_fastapi:main``; tests call ``create_app(portal)``.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, FastAPI, Header, Request
from fastapi.responses import JSONResponse
from web_common import bearer_token, build_portal, problem, to_json

from onzecoach import Actor, OnzecoachError, Portal

logger = logging.getLogger(__name__)


# --8<-- [start:dependencies]
def the_portal(request: Request) -> Portal:
    """The process's one Portal, which ``create_app`` keeps in the app's state."""
    portal: Portal = request.app.state.portal
    return portal


# Plain ``def``, not ``async def``, here and in the endpoints: the Portal's calls block
# (the database, argon2), so FastAPI runs them in its thread pool.
def current_actor(
    portal: Annotated[Portal, Depends(the_portal)],
    authorization: Annotated[str | None, Header()] = None,
) -> Actor:
    """Who calls: the actor of the session token (``NotAuthenticated``, a 401, if none)."""
    return portal.auth.authenticate(bearer_token(authorization))


ThePortal = Annotated[Portal, Depends(the_portal)]
CurrentActor = Annotated[Actor, Depends(current_actor)]
# --8<-- [end:dependencies]

# --8<-- [start:routes]
router = APIRouter()


@router.get("/employees/{employee_id}")
def employee(employee_id: str, portal: ThePortal, actor: CurrentActor) -> JSONResponse:
    return JSONResponse(to_json(portal.employees.get(actor, employee_id)))


@router.post("/employees", status_code=201)
def register_employee(
    data: Annotated[dict[str, Any], Body()], portal: ThePortal, actor: CurrentActor
) -> JSONResponse:
    # The SDK checks every field and names each bad one (422): no model of our own.
    return JSONResponse(to_json(portal.employees.register(actor, data)), status_code=201)


@router.get("/employees/{employee_id}/dossier")
def dossier(employee_id: str, portal: ThePortal, actor: CurrentActor) -> JSONResponse:
    return JSONResponse(to_json(portal.employees.dossier(actor, employee_id)))


# --8<-- [end:routes]


# --8<-- [start:app]
async def onzecoach_error(request: Request, error: Exception) -> JSONResponse:
    """Any onzecoach error, from an endpoint or a dependency, as an RFC 9457 problem."""
    if not isinstance(error, OnzecoachError):  # pragma: no cover - registered for it alone
        raise error
    if error.http_status >= 500:
        logger.error("%s %s failed", request.method, request.url.path, exc_info=error)
    body, status, headers = problem(error)
    return JSONResponse(
        body, status_code=status, headers=headers, media_type="application/problem+json"
    )


def create_app(portal: Portal) -> FastAPI:
    app = FastAPI(title="Portaal API")
    app.state.portal = portal
    app.add_exception_handler(OnzecoachError, onzecoach_error)
    app.include_router(router)
    return app


def main() -> FastAPI:
    """The app for ``uvicorn --factory``: one Portal for the whole process."""
    return create_app(build_portal())


# --8<-- [end:app]
