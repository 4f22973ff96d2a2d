from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from fastapi.responses import JSONResponse

from app.api import writes
from app.api.bodies import PassagePatch
from app.api.deps import PassageIdPath, passage_or_404
from app.api.examples import JSON_LD_PASSAGE
from app.api.preconditions import IfMatchDep
from app.api.render.csv import csv_openapi
from app.api.render.jsonld import json_ld_openapi
from app.api.render.shapes import ReadingDep, detail_of, faceted_list_of
from app.api.writes import WritingDep
from app.core.errors import problem_responses
from app.repositories import passage as repo
from app.schemas.facets import FacetedPage
from app.schemas.passage import PassageDetail, PassageFilter, PassageItem
from app.schemas.write import LinkPreview, PassageCreate, PassageWritten

router = APIRouter(prefix="/passages", tags=["passages"])


@router.get(
    "",
    summary="List passages",
    description="Passages in source order, filtered by era, years, theme, actor, region, event "
    "and words. Repeated values of one parameter are OR; different parameters AND. "
    "`from`/`to` keep passages whose years overlap the range; passages whose years are "
    "unknown are left out when either is given. `include=` embeds links in each item; "
    "`facets=` adds counts per theme, era, region, actor and decade for the current filters; "
    "`format=csv` streams the whole result as CSV.",
    response_model=FacetedPage[PassageItem],
    responses={**csv_openapi(), **problem_responses(422)},
)
def list_passages(read: ReadingDep, filters: Annotated[PassageFilter, Query()]) -> Response:
    counts = repo.passage_facets if filters.facets else None
    return faceted_list_of(
        read,
        repo.list_passages,
        counts,
        filters,
        PassageItem,
        name="passages",
        include=filters.include,
    )


@router.get(
    "/{passage_id}",
    summary="Get a passage",
    description="One passage with everything it is linked to: events, actors, periods, "
    "regions and themes, each as a summary. `Accept: application/ld+json` gives it as a "
    "schema.org `CreativeWork`.",
    response_model=PassageDetail,
    responses={**json_ld_openapi(JSON_LD_PASSAGE), **problem_responses(404, 422)},
)
def get_passage(read: ReadingDep, passage_id: PassageIdPath) -> Response:
    found = passage_or_404(read.session, passage_id)
    return detail_of(read, None, found, PassageDetail)


# --- Writes -------------------------------------------------------------------------------

write_router = APIRouter(prefix="/passages", tags=["passages"])


@write_router.post(
    "",
    summary="Add a passage",
    description="Store a passage. Without `links`, it is linked automatically to every known "
    "actor, event, period, region and theme it mentions (names and aliases, accents and case "
    "ignored, whole words, longest match first), and its years are read from the text; "
    "`matches` says why each link was made. A passage of a named `source_file` follows the "
    "last one of that source and, giving no years and no period, continues its periods. "
    "`dry_run=true` answers 200 with the same analysis and stores nothing.",
    status_code=status.HTTP_201_CREATED,
    response_model=PassageWritten,
    responses={
        200: {"model": LinkPreview, "description": "The analysis of a dry run."},
        **writes.write_errors(),
    },
)
def create_passage(
    write: WritingDep, body: PassageCreate, dry_run: writes.DryRun = False
) -> PassageWritten | JSONResponse:
    return writes.create_passage(write, body, dry_run=dry_run)


@write_router.put(
    "/{passage_id}",
    summary="Replace a passage",
    description="Replace every field of the passage; without `links` it is linked afresh "
    "automatically. Needs `If-Match`.",
    responses=writes.WRITE_ERRORS,
)
def replace_passage(
    write: WritingDep, passage_id: PassageIdPath, body: PassageCreate, precondition: IfMatchDep
) -> PassageDetail:
    return writes.replace_passage(write, passage_id, body, precondition)


@write_router.patch(
    "/{passage_id}",
    summary="Update part of a passage",
    description='A JSON merge patch; `"links": null` relinks it automatically. Needs `If-Match`.',
    responses=writes.WRITE_ERRORS,
)
def update_passage(
    write: WritingDep, passage_id: PassageIdPath, body: PassagePatch, precondition: IfMatchDep
) -> PassageDetail:
    return writes.update_passage(write, passage_id, body, precondition)


@write_router.delete(
    "/{passage_id}",
    summary="Delete a passage",
    description="Delete the passage and its links. Needs `If-Match`.",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=writes.WRITE_ERRORS,
)
def delete_passage(
    write: WritingDep, passage_id: PassageIdPath, precondition: IfMatchDep
) -> Response:
    return writes.delete_passage(write, passage_id, precondition)
