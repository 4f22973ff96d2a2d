from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.api.deps import PassageDep
from app.db import SessionDep
from app.errors import problem_responses
from app.pagination import page_of
from app.repositories import passage as repo
from app.schemas.base import Page
from app.schemas.passage import PassageDetail, PassageFilter, PassageItem

router = APIRouter(prefix="/passages", tags=["passages"])


@router.get(
    "",
    summary="List passages",
    description="Passages in source order, filtered by era, years, theme, actor, region, event "
    "and words. Repeated values of one parameter are OR; different parameters AND. "
    "`from`/`to` keep passages whose years overlap the range; passages whose years are "
    "unknown are left out when either is given.",
    responses=problem_responses(422),
)
def list_passages(
    request: Request,
    response: Response,
    session: SessionDep,
    filters: Annotated[PassageFilter, Query()],
) -> Page[PassageItem]:
    result = repo.list_passages(session, filters)
    return page_of(request, response, result, filters.limit, PassageItem)


@router.get(
    "/{passage_id}",
    summary="Get a passage",
    description="One passage with everything it is linked to: events, actors, periods, "
    "regions and themes, each as a summary.",
    responses=problem_responses(404, 422),
)
def get_passage(passage: PassageDep) -> PassageDetail:
    return PassageDetail.model_validate(passage)
