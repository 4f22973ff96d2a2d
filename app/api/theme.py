from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse

from app.api.deps import ThemeDep
from app.api.examples import JSON_LD_THEME
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
from app.repositories import theme as repo
from app.schemas.base import Page
from app.schemas.theme import ThemeDetail, ThemeFilter, ThemeItem

router = APIRouter(prefix="/themes", tags=["themes"])


@router.get(
    "",
    summary="List themes",
    description="Subjects the corpus returns to (peaceful coexistence, collective "
    "security…), by slug. `format=csv` (or `Accept: text/csv`) streams every match as CSV.",
    response_model=Page[ThemeItem],
    responses={**csv_openapi(), **problem_responses(422)},
)
def list_themes(
    request: Request,
    response: Response,
    session: SessionDep,
    filters: Annotated[ThemeFilter, Query()],
) -> Page[ThemeItem] | StreamingResponse:
    if wants_csv(request, filters.format):
        return csv_response(
            request, session, repo.list_themes, filters, ThemeItem, filename="themes"
        )
    result = repo.list_themes(session, filters)
    return page_of(request, response, result, filters.limit, ThemeItem)


@router.get(
    "/{slug}",
    summary="Get a theme",
    description="One theme with every passage and event about it. `Accept: application/ld+json` "
    "gives it as schema.org `DefinedTerm`.",
    response_model=ThemeDetail,
    responses={**json_ld_openapi(JSON_LD_THEME), **problem_responses(404, 422)},
)
def get_theme(request: Request, theme: ThemeDep) -> ThemeDetail | Response:
    if wants_json_ld(request):
        return json_ld_response(request, "themes", theme)
    return ThemeDetail.model_validate(theme)
