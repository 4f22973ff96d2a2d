from typing import Annotated

from fastapi import Query, Response

from app.api import writes
from app.api.bodies import EventPatch
from app.api.deps import SlugPath, entity_or_404, router_for
from app.api.examples import JSON_LD_EVENT
from app.api.preconditions import IfMatchDep
from app.api.render.csv import csv_openapi
from app.api.render.jsonld import json_ld_openapi
from app.api.render.shapes import ReadingDep, detail_of, faceted_list_of
from app.api.writes import WritingDep
from app.core.errors import problem_responses
from app.core.kinds import Kind
from app.repositories import event as repo
from app.schemas.event import EventDetail, EventFilter, EventItem
from app.schemas.facets import FacetedPage
from app.schemas.write import EventCreate, RelinkReport

router = router_for(Kind.EVENTS)


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
def list_events(read: ReadingDep, filters: Annotated[EventFilter, Query()]) -> Response:
    counts = repo.event_facets if filters.facets else None
    return faceted_list_of(
        read,
        repo.list_events,
        counts,
        filters,
        EventItem,
        name=Kind.EVENTS,
        include=filters.include,
    )


@router.get(
    "/{slug}",
    summary="Get an event",
    description="One event with its actors, periods, regions, themes and the passages that "
    "mention it. `Accept: application/ld+json` gives it as a schema.org `Event`.",
    response_model=EventDetail,
    responses={**json_ld_openapi(JSON_LD_EVENT), **problem_responses(404, 422)},
)
def get_event(read: ReadingDep, slug: SlugPath) -> Response:
    found = entity_or_404(read.session, Kind.EVENTS, slug)
    return detail_of(read, Kind.EVENTS, found, EventDetail)


# --- Writes -------------------------------------------------------------------------------

write_router = router_for(Kind.EVENTS)


@write_router.post("", **writes.create_doc(Kind.EVENTS))
def create_event(write: WritingDep, body: EventCreate) -> EventDetail:
    return writes.create(write, Kind.EVENTS, body, EventDetail, read="get_event")


@write_router.put("/{slug}", **writes.replace_doc(Kind.EVENTS))
def replace_event(
    write: WritingDep, slug: SlugPath, body: EventCreate, precondition: IfMatchDep
) -> EventDetail:
    return writes.replace(write, Kind.EVENTS, slug, body, precondition, EventDetail)


@write_router.patch("/{slug}", **writes.update_doc(Kind.EVENTS))
def update_event(
    write: WritingDep, slug: SlugPath, body: EventPatch, precondition: IfMatchDep
) -> EventDetail:
    return writes.update(write, Kind.EVENTS, slug, body, precondition, EventDetail)


@write_router.delete("/{slug}", **writes.delete_doc(Kind.EVENTS))
def delete_event(
    write: WritingDep, slug: SlugPath, precondition: IfMatchDep, cascade: writes.Cascade = None
) -> Response:
    return writes.delete(write, Kind.EVENTS, slug, precondition, cascade)


@write_router.post("/{slug}/relink", **writes.relink_doc(Kind.EVENTS))
def relink_event(write: WritingDep, slug: SlugPath, dry_run: writes.DryRun = False) -> RelinkReport:
    return writes.relink(write, Kind.EVENTS, slug, dry_run=dry_run)
