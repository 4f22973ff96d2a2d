from typing import Annotated

from fastapi import Query, Response

from app.api import writes
from app.api.bodies import ActorPatch
from app.api.deps import SlugPath, entity_or_404, router_for
from app.api.examples import JSON_LD_ACTOR
from app.api.preconditions import IfMatchDep
from app.api.render.csv import csv_openapi
from app.api.render.jsonld import json_ld_openapi
from app.api.render.shapes import ReadingDep, detail_of, list_of
from app.api.writes import WritingDep
from app.core.errors import problem_responses
from app.core.kinds import Kind
from app.repositories import actor as repo
from app.schemas.actor import ActorDetail, ActorFilter, ActorItem
from app.schemas.base import Page
from app.schemas.write import ActorCreate, RelinkReport

router = router_for(Kind.ACTORS)


@router.get(
    "",
    summary="List actors",
    description="People, states, organizations, movements and alliances, by slug. `q` also "
    'matches aliases ("Gorbachev" finds Mijaíl Gorbachov); `era`, `from` and `to` keep '
    "actors whose active years overlap them (no end year means still active). `format=csv` (or "
    "`Accept: text/csv`) streams every match as CSV.",
    response_model=Page[ActorItem],
    responses={**csv_openapi(), **problem_responses(422)},
)
def list_actors(read: ReadingDep, filters: Annotated[ActorFilter, Query()]) -> Response:
    return list_of(read, repo.list_actors, filters, ActorItem, name=Kind.ACTORS)


@router.get(
    "/{slug}",
    summary="Get an actor",
    description="One actor with every passage and event it appears in: everything about it. "
    "`Accept: application/ld+json` gives it as schema.org `Person`, `Country` "
    "(states) or `Organization`.",
    response_model=ActorDetail,
    responses={**json_ld_openapi(JSON_LD_ACTOR), **problem_responses(404, 422)},
)
def get_actor(read: ReadingDep, slug: SlugPath) -> Response:
    found = entity_or_404(read.session, Kind.ACTORS, slug)
    return detail_of(read, Kind.ACTORS, found, ActorDetail)


# --- Writes -------------------------------------------------------------------------------

write_router = router_for(Kind.ACTORS)


@write_router.post("", **writes.create_doc(Kind.ACTORS))
def create_actor(write: WritingDep, body: ActorCreate) -> ActorDetail:
    return writes.create(write, Kind.ACTORS, body, ActorDetail, read="get_actor")


@write_router.put("/{slug}", **writes.replace_doc(Kind.ACTORS))
def replace_actor(
    write: WritingDep, slug: SlugPath, body: ActorCreate, precondition: IfMatchDep
) -> ActorDetail:
    return writes.replace(write, Kind.ACTORS, slug, body, precondition, ActorDetail)


@write_router.patch("/{slug}", **writes.update_doc(Kind.ACTORS))
def update_actor(
    write: WritingDep, slug: SlugPath, body: ActorPatch, precondition: IfMatchDep
) -> ActorDetail:
    return writes.update(write, Kind.ACTORS, slug, body, precondition, ActorDetail)


@write_router.delete("/{slug}", **writes.delete_doc(Kind.ACTORS))
def delete_actor(
    write: WritingDep, slug: SlugPath, precondition: IfMatchDep, cascade: writes.Cascade = None
) -> Response:
    return writes.delete(write, Kind.ACTORS, slug, precondition, cascade)


@write_router.post("/{slug}/relink", **writes.relink_doc(Kind.ACTORS))
def relink_actor(write: WritingDep, slug: SlugPath, dry_run: writes.DryRun = False) -> RelinkReport:
    return writes.relink(write, Kind.ACTORS, slug, dry_run=dry_run)
