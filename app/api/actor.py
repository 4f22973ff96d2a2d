from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse

from app.api.deps import ActorDep
from app.api.examples import JSON_LD_ACTOR
from app.api.pagination import page_of
from app.api.render.formats import (
    csv_openapi,
    csv_response,
    json_ld_openapi,
    json_ld_response,
    wants_csv,
    wants_json_ld,
)
from app.core.db import SessionDep
from app.core.errors import problem_responses
from app.repositories import actor as repo
from app.schemas.actor import ActorDetail, ActorFilter, ActorItem
from app.schemas.base import Page

router = APIRouter(prefix="/actors", tags=["actors"])


@router.get(
    "",
    summary="List actors",
    description="People, states, organizations, movements and alliances, by slug. `q` also "
    'matches aliases ("Gorbachev" finds Mijaíl Gorbachov); `era`, `from` and `to` keep '
    "actors whose active years overlap them (no end year means still active). `format=csv` (or "
    "`Accept: text/csv`) streams every match as CSV.",
    response_model=Page[ActorItem],
    responses={**csv_openapi(), **problem_responses(422)},
)
def list_actors(
    request: Request,
    response: Response,
    session: SessionDep,
    filters: Annotated[ActorFilter, Query()],
) -> Page[ActorItem] | StreamingResponse:
    if wants_csv(request, filters.format):
        return csv_response(
            request, session, repo.list_actors, filters, ActorItem, filename="actors"
        )
    result = repo.list_actors(session, filters)
    return page_of(request, response, result, filters.limit, ActorItem)


@router.get(
    "/{slug}",
    summary="Get an actor",
    description="One actor with every passage and event it appears in: everything about it. "
    "`Accept: application/ld+json` gives it as schema.org `Person`, `Country` "
    "(states) or `Organization`.",
    response_model=ActorDetail,
    responses={**json_ld_openapi(JSON_LD_ACTOR), **problem_responses(404, 422)},
)
def get_actor(request: Request, actor: ActorDep) -> ActorDetail | Response:
    if wants_json_ld(request):
        return json_ld_response(request, "actors", actor)
    return ActorDetail.model_validate(actor)
