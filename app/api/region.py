from typing import Annotated

from fastapi import Query, Response

from app.api import writes
from app.api.bodies import RegionPatch
from app.api.deps import SlugPath, entity_or_404, router_for
from app.api.examples import JSON_LD_REGION
from app.api.preconditions import IfMatchDep
from app.api.render.csv import csv_openapi
from app.api.render.jsonld import json_ld_openapi
from app.api.render.shapes import ReadingDep, detail_of, list_of
from app.api.writes import WritingDep
from app.core.errors import problem_responses
from app.core.kinds import Kind
from app.repositories import region as repo
from app.schemas.base import Page
from app.schemas.region import RegionDetail, RegionFilter, RegionItem
from app.schemas.write import RegionCreate, RelinkReport

router = router_for(Kind.REGIONS)


@router.get(
    "",
    summary="List regions",
    description="Continents, countries, oceans and political groupings such as the Third "
    "World, by slug. `format=csv` (or `Accept: text/csv`) streams every match as CSV.",
    response_model=Page[RegionItem],
    responses={**csv_openapi(), **problem_responses(422)},
)
def list_regions(read: ReadingDep, filters: Annotated[RegionFilter, Query()]) -> Response:
    return list_of(read, repo.list_regions, filters, RegionItem, name=Kind.REGIONS)


@router.get(
    "/{slug}",
    summary="Get a region",
    description="One region with its parent, the regions inside it, and the passages and "
    "events linked to it directly. `Accept: application/ld+json` gives it as schema.org `Place`.",
    response_model=RegionDetail,
    responses={**json_ld_openapi(JSON_LD_REGION), **problem_responses(404, 422)},
)
def get_region(read: ReadingDep, slug: SlugPath) -> Response:
    found = entity_or_404(read.session, Kind.REGIONS, slug)
    return detail_of(read, Kind.REGIONS, found, RegionDetail)


# --- Writes -------------------------------------------------------------------------------

write_router = router_for(Kind.REGIONS)


@write_router.post("", **writes.create_doc(Kind.REGIONS))
def create_region(write: WritingDep, body: RegionCreate) -> RegionDetail:
    return writes.create(write, Kind.REGIONS, body, RegionDetail, read="get_region")


@write_router.put("/{slug}", **writes.replace_doc(Kind.REGIONS))
def replace_region(
    write: WritingDep, slug: SlugPath, body: RegionCreate, precondition: IfMatchDep
) -> RegionDetail:
    return writes.replace(write, Kind.REGIONS, slug, body, precondition, RegionDetail)


@write_router.patch("/{slug}", **writes.update_doc(Kind.REGIONS))
def update_region(
    write: WritingDep, slug: SlugPath, body: RegionPatch, precondition: IfMatchDep
) -> RegionDetail:
    return writes.update(write, Kind.REGIONS, slug, body, precondition, RegionDetail)


@write_router.delete("/{slug}", **writes.delete_doc(Kind.REGIONS))
def delete_region(
    write: WritingDep, slug: SlugPath, precondition: IfMatchDep, cascade: writes.Cascade = None
) -> Response:
    return writes.delete(write, Kind.REGIONS, slug, precondition, cascade)


@write_router.post("/{slug}/relink", **writes.relink_doc(Kind.REGIONS))
def relink_region(
    write: WritingDep, slug: SlugPath, dry_run: writes.DryRun = False
) -> RelinkReport:
    return writes.relink(write, Kind.REGIONS, slug, dry_run=dry_run)
