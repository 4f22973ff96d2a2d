from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.api.deps import ThemeDep
from app.db import SessionDep
from app.errors import problem_responses
from app.pagination import page_of
from app.repositories import theme as repo
from app.schemas.base import Page
from app.schemas.theme import ThemeDetail, ThemeFilter, ThemeItem

router = APIRouter(prefix="/themes", tags=["themes"])


@router.get(
    "",
    summary="List themes",
    description="Subjects the corpus returns to (peaceful coexistence, collective "
    "security…), by slug.",
    responses=problem_responses(422),
)
def list_themes(
    request: Request,
    response: Response,
    session: SessionDep,
    filters: Annotated[ThemeFilter, Query()],
) -> Page[ThemeItem]:
    result = repo.list_themes(session, filters)
    return page_of(request, response, result, filters.limit, ThemeItem)


@router.get(
    "/{slug}",
    summary="Get a theme",
    description="One theme with every passage and event about it.",
    responses=problem_responses(404, 422),
)
def get_theme(theme: ThemeDep) -> ThemeDetail:
    return ThemeDetail.model_validate(theme)
