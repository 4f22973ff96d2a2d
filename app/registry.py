"""The registry of kinds: for each `Kind`, its model, its write and read schemas and its
link tables. Every layer above the models and schemas reads a kind's parts from here, so a
new kind is one entry (with its model, schemas and migration).
"""

from dataclasses import dataclass

from pydantic import BaseModel
from sqlalchemy import Table

from app.core.kinds import EVENT_LINKS, Kind
from app.models import Actor, Event, Period, Region, Theme
from app.models.associations import (
    event_actors,
    event_periods,
    event_regions,
    event_themes,
    passage_actors,
    passage_events,
    passage_periods,
    passage_regions,
    passage_themes,
)
from app.models.base import EntityMixin
from app.schemas.actor import ActorDetail, ActorItem
from app.schemas.event import EventDetail, EventItem
from app.schemas.period import PeriodDetail, PeriodItem
from app.schemas.region import RegionDetail, RegionItem
from app.schemas.theme import ThemeDetail, ThemeItem
from app.schemas.write import (
    ActorCreate,
    ActorPatch,
    EntityCreate,
    EventCreate,
    EventPatch,
    PeriodCreate,
    PeriodPatch,
    RegionCreate,
    RegionPatch,
    ThemeCreate,
    ThemePatch,
)


@dataclass(frozen=True)
class KindSpec:
    kind: Kind
    model: type[EntityMixin]
    create: type[EntityCreate]
    """The body of POST and PUT: what a field of this kind accepts, the seed's entries too."""
    patch: type[BaseModel]
    item: type[BaseModel]
    detail: type[BaseModel]
    passage_links: Table
    """passage <-> this kind."""
    event_links: Table | None
    """event <-> this kind (events do not link to events)."""

    @property
    def singular(self) -> str:
        return self.kind.singular

    @property
    def links(self) -> tuple[Kind, ...]:
        """The kinds an entity of this kind links to: the link fields of its body (an event's
        actors, periods, regions and themes; none for the others)."""
        return tuple(kind for kind in EVENT_LINKS if kind in self.create.model_fields)

    @property
    def passage_column(self) -> str:
        """The column of `passage_links` (and of `event_links`) that holds this kind's id."""
        return f"{self.kind.singular}_id"

    @property
    def link_tables(self) -> list[tuple[Table, str]]:
        """Every link table that points at this kind, with its column for this kind's id."""
        tables = [self.passage_links, *([self.event_links] if self.event_links is not None else [])]
        return [(table, self.passage_column) for table in tables]


REGISTRY: dict[Kind, KindSpec] = {
    spec.kind: spec
    for spec in (
        KindSpec(
            Kind.ACTORS,
            Actor,
            ActorCreate,
            ActorPatch,
            ActorItem,
            ActorDetail,
            passage_actors,
            event_actors,
        ),
        KindSpec(
            Kind.EVENTS,
            Event,
            EventCreate,
            EventPatch,
            EventItem,
            EventDetail,
            passage_events,
            None,
        ),
        KindSpec(
            Kind.PERIODS,
            Period,
            PeriodCreate,
            PeriodPatch,
            PeriodItem,
            PeriodDetail,
            passage_periods,
            event_periods,
        ),
        KindSpec(
            Kind.REGIONS,
            Region,
            RegionCreate,
            RegionPatch,
            RegionItem,
            RegionDetail,
            passage_regions,
            event_regions,
        ),
        KindSpec(
            Kind.THEMES,
            Theme,
            ThemeCreate,
            ThemePatch,
            ThemeItem,
            ThemeDetail,
            passage_themes,
            event_themes,
        ),
    )
}
