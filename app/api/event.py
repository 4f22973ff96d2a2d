from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse

from app.api.deps import EventDep
from app.api.examples import JSON_LD_EVENT
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
from app.repositories import event as repo
from app.schemas.event import EventDetail, EventFilter, EventItem
from app.schemas.facets import FacetedPage

router = APIRouter(prefix="/events", tags=["events"])


@router.get(
    "",
    summary="List events",
    description="Events in chronological order, filtered by era, years, theme, actor, region "
    "and words. `from`/`to` keep events whose dates overlap the range. `include=` embeds "
    "links in each item; `facets=` adds counts per theme, era, region, actor and decade for "
    "the current filters; `format=csv` streams the whole result as CSV.",
    response_model=FacetedPage[EventItem],
    responses={**csv_openapi(), **problem_responses(422)},
)
def list_events(
    request: Request,
    response: Response,
    session: SessionDep,
    filters: Annotated[EventFilter, Query()],
) -> FacetedPage[EventItem] | StreamingResponse:
    if wants_csv(request, filters.format):
        return csv_response(
            request,
            session,
            repo.list_events,
            filters,
            EventItem,
            filename="events",
            include=filters.include,
        )
    result = repo.list_events(session, filters)
    page = page_of(request, response, result, filters.limit, EventItem)
    facets = repo.event_facets(session, filters) if filters.facets else None
    return FacetedPage[EventItem](**dict(page), facets=facets)


@router.get(
    "/{slug}",
    summary="Get an event",
    description="One event with its actors, periods, regions, themes and the passages that "
    "mention it. `Accept: application/ld+json` gives it as a schema.org `Event`.",
    response_model=EventDetail,
    responses={**json_ld_openapi(JSON_LD_EVENT), **problem_responses(404, 422)},
)
def get_event(request: Request, event: EventDep) -> EventDetail | Response:
    if wants_json_ld(request):
        return json_ld_response(request, "events", event)
    return EventDetail.model_validate(event)
