from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.api.deps import RegionDep
from app.db import SessionDep
from app.errors import problem_responses
from app.pagination import page_of
from app.repositories import region as repo
from app.schemas.base import Page
from app.schemas.region import RegionDetail, RegionFilter, RegionItem

router = APIRouter(prefix="/regions", tags=["regions"])


@router.get(
    "",
    summary="List regions",
    description="Continents, countries, oceans and political groupings such as the Third "
    "World, by slug.",
    responses=problem_responses(422),
)
def list_regions(
    request: Request,
    response: Response,
    session: SessionDep,
    filters: Annotated[RegionFilter, Query()],
) -> Page[RegionItem]:
    result = repo.list_regions(session, filters)
    return page_of(request, response, result, filters.limit, RegionItem)


@router.get(
    "/{slug}",
    summary="Get a region",
    description="One region with its parent, the regions inside it, and the passages and "
    "events linked to it directly.",
    responses=problem_responses(404, 422),
)
def get_region(region: RegionDep) -> RegionDetail:
    return RegionDetail.model_validate(region)
