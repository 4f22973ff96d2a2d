from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.api.deps import PeriodDep
from app.db import SessionDep
from app.errors import problem_responses
from app.pagination import page_of
from app.repositories import period as repo
from app.schemas.base import Page
from app.schemas.period import PeriodDetail, PeriodFilter, PeriodItem

router = APIRouter(prefix="/periods", tags=["periods"])


@router.get(
    "",
    summary="List periods",
    description="Eras and their phases in chronological order; `year` keeps those that include it.",
    responses=problem_responses(422),
)
def list_periods(
    request: Request,
    response: Response,
    session: SessionDep,
    filters: Annotated[PeriodFilter, Query()],
) -> Page[PeriodItem]:
    result = repo.list_periods(session, filters)
    return page_of(request, response, result, filters.limit, PeriodItem)


@router.get(
    "/{slug}",
    summary="Get a period",
    description="One period with its parent, its phases, and the passages and events linked "
    "to it directly (filter lists with `era=` to include its phases' too).",
    responses=problem_responses(404, 422),
)
def get_period(period: PeriodDep) -> PeriodDetail:
    return PeriodDetail.model_validate(period)
