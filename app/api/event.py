from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.api.deps import EventDep
from app.db import SessionDep
from app.errors import problem_responses
from app.pagination import page_of
from app.repositories import event as repo
from app.schemas.base import Page
from app.schemas.event import EventDetail, EventFilter, EventItem

router = APIRouter(prefix="/events", tags=["events"])


@router.get(
    "",
    summary="List events",
    description="Events in chronological order, filtered by era, years, theme, actor, region "
    "and words. `from`/`to` keep events whose dates overlap the range.",
    responses=problem_responses(422),
)
def list_events(
    request: Request,
    response: Response,
    session: SessionDep,
    filters: Annotated[EventFilter, Query()],
) -> Page[EventItem]:
    result = repo.list_events(session, filters)
    return page_of(request, response, result, filters.limit, EventItem)


@router.get(
    "/{slug}",
    summary="Get an event",
    description="One event with its actors, periods, regions, themes and the passages that "
    "mention it.",
    responses=problem_responses(404, 422),
)
def get_event(event: EventDep) -> EventDetail:
    return EventDetail.model_validate(event)
