from typing import Annotated

from fastapi import Query, Response

from app.api import writes
from app.api.bodies import PeriodPatch
from app.api.deps import SlugPath, entity_or_404, router_for
from app.api.examples import JSON_LD_PERIOD
from app.api.preconditions import IfMatchDep
from app.api.render.csv import csv_openapi
from app.api.render.jsonld import json_ld_openapi
from app.api.render.shapes import ReadingDep, detail_of, list_of
from app.api.writes import WritingDep
from app.core.errors import problem_responses
from app.core.kinds import Kind
from app.repositories import period as repo
from app.schemas.base import Page
from app.schemas.period import PeriodDetail, PeriodFilter, PeriodItem
from app.schemas.write import PeriodCreate, RelinkReport

router = router_for(Kind.PERIODS)


@router.get(
    "",
    summary="List periods",
    description="Eras and their phases in chronological order; `year` keeps those that include "
    "it. `format=csv` (or `Accept: text/csv`) streams every match as CSV.",
    response_model=Page[PeriodItem],
    responses={**csv_openapi(), **problem_responses(422)},
)
def list_periods(read: ReadingDep, filters: Annotated[PeriodFilter, Query()]) -> Response:
    return list_of(read, repo.list_periods, filters, PeriodItem, name=Kind.PERIODS)


@router.get(
    "/{slug}",
    summary="Get a period",
    description="One period with its parent, its phases, and the passages and events linked "
    "to it directly (filter lists with `era=` to include its phases' too). `Accept: "
    "application/ld+json` gives it as schema.org `Event`.",
    response_model=PeriodDetail,
    responses={**json_ld_openapi(JSON_LD_PERIOD), **problem_responses(404, 422)},
)
def get_period(read: ReadingDep, slug: SlugPath) -> Response:
    found = entity_or_404(read.session, Kind.PERIODS, slug)
    return detail_of(read, Kind.PERIODS, found, PeriodDetail)


# --- Writes -------------------------------------------------------------------------------

write_router = router_for(Kind.PERIODS)


@write_router.post("", **writes.create_doc(Kind.PERIODS))
def create_period(write: WritingDep, body: PeriodCreate) -> PeriodDetail:
    return writes.create(write, Kind.PERIODS, body, PeriodDetail, read="get_period")


@write_router.put("/{slug}", **writes.replace_doc(Kind.PERIODS))
def replace_period(
    write: WritingDep, slug: SlugPath, body: PeriodCreate, precondition: IfMatchDep
) -> PeriodDetail:
    return writes.replace(write, Kind.PERIODS, slug, body, precondition, PeriodDetail)


@write_router.patch("/{slug}", **writes.update_doc(Kind.PERIODS))
def update_period(
    write: WritingDep, slug: SlugPath, body: PeriodPatch, precondition: IfMatchDep
) -> PeriodDetail:
    return writes.update(write, Kind.PERIODS, slug, body, precondition, PeriodDetail)


@write_router.delete("/{slug}", **writes.delete_doc(Kind.PERIODS))
def delete_period(
    write: WritingDep, slug: SlugPath, precondition: IfMatchDep, cascade: writes.Cascade = None
) -> Response:
    return writes.delete(write, Kind.PERIODS, slug, precondition, cascade)


@write_router.post("/{slug}/relink", **writes.relink_doc(Kind.PERIODS))
def relink_period(
    write: WritingDep, slug: SlugPath, dry_run: writes.DryRun = False
) -> RelinkReport:
    return writes.relink(write, Kind.PERIODS, slug, dry_run=dry_run)
