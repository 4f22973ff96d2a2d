from typing import Annotated

from fastapi import Query, Response

from app.api import writes
from app.api.bodies import ThemePatch
from app.api.deps import SlugPath, entity_or_404, router_for
from app.api.examples import JSON_LD_THEME
from app.api.preconditions import IfMatchDep
from app.api.render.csv import csv_openapi
from app.api.render.jsonld import json_ld_openapi
from app.api.render.shapes import ReadingDep, detail_of, list_of
from app.api.writes import WritingDep
from app.core.errors import problem_responses
from app.core.kinds import Kind
from app.repositories import theme as repo
from app.schemas.base import Page
from app.schemas.theme import ThemeDetail, ThemeFilter, ThemeItem
from app.schemas.write import RelinkReport, ThemeCreate

router = router_for(Kind.THEMES)


@router.get(
    "",
    summary="List themes",
    description="Subjects the corpus returns to (peaceful coexistence, collective "
    "security…), by slug. `format=csv` (or `Accept: text/csv`) streams every match as CSV.",
    response_model=Page[ThemeItem],
    responses={**csv_openapi(), **problem_responses(422)},
)
def list_themes(read: ReadingDep, filters: Annotated[ThemeFilter, Query()]) -> Response:
    return list_of(read, repo.list_themes, filters, ThemeItem, name=Kind.THEMES)


@router.get(
    "/{slug}",
    summary="Get a theme",
    description="One theme with every passage and event about it. `Accept: application/ld+json` "
    "gives it as schema.org `DefinedTerm`.",
    response_model=ThemeDetail,
    responses={**json_ld_openapi(JSON_LD_THEME), **problem_responses(404, 422)},
)
def get_theme(read: ReadingDep, slug: SlugPath) -> Response:
    found = entity_or_404(read.session, Kind.THEMES, slug)
    return detail_of(read, Kind.THEMES, found, ThemeDetail)


# --- Writes -------------------------------------------------------------------------------

write_router = router_for(Kind.THEMES)


@write_router.post("", **writes.create_doc(Kind.THEMES))
def create_theme(write: WritingDep, body: ThemeCreate) -> ThemeDetail:
    return writes.create(write, Kind.THEMES, body, ThemeDetail, read="get_theme")


@write_router.put("/{slug}", **writes.replace_doc(Kind.THEMES))
def replace_theme(
    write: WritingDep, slug: SlugPath, body: ThemeCreate, precondition: IfMatchDep
) -> ThemeDetail:
    return writes.replace(write, Kind.THEMES, slug, body, precondition, ThemeDetail)


@write_router.patch("/{slug}", **writes.update_doc(Kind.THEMES))
def update_theme(
    write: WritingDep, slug: SlugPath, body: ThemePatch, precondition: IfMatchDep
) -> ThemeDetail:
    return writes.update(write, Kind.THEMES, slug, body, precondition, ThemeDetail)


@write_router.delete("/{slug}", **writes.delete_doc(Kind.THEMES))
def delete_theme(
    write: WritingDep, slug: SlugPath, precondition: IfMatchDep, cascade: writes.Cascade = None
) -> Response:
    return writes.delete(write, Kind.THEMES, slug, precondition, cascade)


@write_router.post("/{slug}/relink", **writes.relink_doc(Kind.THEMES))
def relink_theme(write: WritingDep, slug: SlugPath, dry_run: writes.DryRun = False) -> RelinkReport:
    return writes.relink(write, Kind.THEMES, slug, dry_run=dry_run)
