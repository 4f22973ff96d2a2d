from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse

from app.api.deps import PassageDep
from app.api.examples import JSON_LD_PASSAGE
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
from app.repositories import passage as repo
from app.schemas.facets import FacetedPage
from app.schemas.passage import PassageDetail, PassageFilter, PassageItem

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
def list_passages(
    request: Request,
    response: Response,
    session: SessionDep,
    filters: Annotated[PassageFilter, Query()],
) -> FacetedPage[PassageItem] | StreamingResponse:
    if wants_csv(request, filters.format):
        return csv_response(
            request,
            session,
            repo.list_passages,
            filters,
            PassageItem,
            filename="passages",
            include=filters.include,
        )
    result = repo.list_passages(session, filters)
    page = page_of(request, response, result, filters.limit, PassageItem)
    facets = repo.passage_facets(session, filters) if filters.facets else None
    return FacetedPage[PassageItem](**dict(page), facets=facets)


@router.get(
    "/{passage_id}",
    summary="Get a passage",
    description="One passage with everything it is linked to: events, actors, periods, "
    "regions and themes, each as a summary. `Accept: application/ld+json` gives it as a "
    "schema.org `CreativeWork`.",
    response_model=PassageDetail,
    responses={**json_ld_openapi(JSON_LD_PASSAGE), **problem_responses(404, 422)},
)
def get_passage(request: Request, passage: PassageDep) -> PassageDetail | Response:
    if wants_json_ld(request):
        return json_ld_response(request, "passages", passage)
    return PassageDetail.model_validate(passage)
