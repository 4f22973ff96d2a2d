from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.api.deps import ActorDep
from app.db import SessionDep
from app.errors import problem_responses
from app.pagination import page_of
from app.repositories import actor as repo
from app.schemas.actor import ActorDetail, ActorFilter, ActorItem
from app.schemas.base import Page

router = APIRouter(prefix="/actors", tags=["actors"])


@router.get(
    "",
    summary="List actors",
    description="People, states, organizations, movements and alliances, by slug. `q` also "
    'matches aliases ("Gorbachev" finds Mijaíl Gorbachov); `era`, `from` and `to` keep '
    "actors whose active years overlap them (no end year means still active).",
    responses=problem_responses(422),
)
def list_actors(
    request: Request,
    response: Response,
    session: SessionDep,
    filters: Annotated[ActorFilter, Query()],
) -> Page[ActorItem]:
    result = repo.list_actors(session, filters)
    return page_of(request, response, result, filters.limit, ActorItem)


@router.get(
    "/{slug}",
    summary="Get an actor",
    description="One actor with every passage and event it appears in: everything about it.",
    responses=problem_responses(404, 422),
)
def get_actor(actor: ActorDep) -> ActorDetail:
    return ActorDetail.model_validate(actor)
