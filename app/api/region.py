from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse

from app.api.deps import RegionDep
from app.api.examples import JSON_LD_REGION
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
from app.repositories import region as repo
from app.schemas.base import Page
from app.schemas.region import RegionDetail, RegionFilter, RegionItem

router = APIRouter(prefix="/regions", tags=["regions"])


@router.get(
    "",
    summary="List regions",
    description="Continents, countries, oceans and political groupings such as the Third "
    "World, by slug. `format=csv` (or `Accept: text/csv`) streams every match as CSV.",
    response_model=Page[RegionItem],
    responses={**csv_openapi(), **problem_responses(422)},
)
def list_regions(
    request: Request,
    response: Response,
    session: SessionDep,
    filters: Annotated[RegionFilter, Query()],
) -> Page[RegionItem] | StreamingResponse:
    if wants_csv(request, filters.format):
        return csv_response(
            request, session, repo.list_regions, filters, RegionItem, filename="regions"
        )
    result = repo.list_regions(session, filters)
    return page_of(request, response, result, filters.limit, RegionItem)


@router.get(
    "/{slug}",
    summary="Get a region",
    description="One region with its parent, the regions inside it, and the passages and "
    "events linked to it directly. `Accept: application/ld+json` gives it as schema.org `Place`.",
    response_model=RegionDetail,
    responses={**json_ld_openapi(JSON_LD_REGION), **problem_responses(404, 422)},
)
def get_region(request: Request, region: RegionDep) -> RegionDetail | Response:
    if wants_json_ld(request):
        return json_ld_response(request, "regions", region)
    return RegionDetail.model_validate(region)
