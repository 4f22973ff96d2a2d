from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse

from app.api.deps import PeriodDep
from app.api.examples import JSON_LD_PERIOD
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
from app.repositories import period as repo
from app.schemas.base import Page
from app.schemas.period import PeriodDetail, PeriodFilter, PeriodItem

router = APIRouter(prefix="/periods", tags=["periods"])


@router.get(
    "",
    summary="List periods",
    description="Eras and their phases in chronological order; `year` keeps those that include "
    "it. `format=csv` (or `Accept: text/csv`) streams every match as CSV.",
    response_model=Page[PeriodItem],
    responses={**csv_openapi(), **problem_responses(422)},
)
def list_periods(
    request: Request,
    response: Response,
    session: SessionDep,
    filters: Annotated[PeriodFilter, Query()],
) -> Page[PeriodItem] | StreamingResponse:
    if wants_csv(request, filters.format):
        return csv_response(
            request, session, repo.list_periods, filters, PeriodItem, filename="periods"
        )
    result = repo.list_periods(session, filters)
    return page_of(request, response, result, filters.limit, PeriodItem)


@router.get(
    "/{slug}",
    summary="Get a period",
    description="One period with its parent, its phases, and the passages and events linked "
    "to it directly (filter lists with `era=` to include its phases' too). `Accept: "
    "application/ld+json` gives it as schema.org `Event`.",
    response_model=PeriodDetail,
    responses={**json_ld_openapi(JSON_LD_PERIOD), **problem_responses(404, 422)},
)
def get_period(request: Request, period: PeriodDep) -> PeriodDetail | Response:
    if wants_json_ld(request):
        return json_ld_response(request, "periods", period)
    return PeriodDetail.model_validate(period)
