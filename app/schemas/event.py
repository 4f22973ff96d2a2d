import datetime as dt
from enum import StrEnum
from typing import Annotated

from pydantic import Field

from app.core.kinds import Kind
from app.schemas.base import LinkFilter, PageParams
from app.schemas.facets import CommaSeparated, FacetParams, include_field
from app.schemas.summaries import (
    ActorSummary,
    EventSummary,
    LinkedEntities,
    LinkedPassages,
    PassageSummary,
    PeriodSummary,
    RegionSummary,
    ThemeSummary,
)


class EventItem(EventSummary):
    description: str
    aliases: list[str]
    start_date: dt.date = Field(description="Earliest day the EDTF date allows.")
    end_date: dt.date = Field(description="Latest day the EDTF date allows.")
    note: str | None
    # Embedded with `include=`; absent otherwise.
    actors: list[ActorSummary] | None = Field(default=None, exclude_if=lambda v: v is None)
    periods: list[PeriodSummary] | None = Field(default=None, exclude_if=lambda v: v is None)
    regions: list[RegionSummary] | None = Field(default=None, exclude_if=lambda v: v is None)
    themes: list[ThemeSummary] | None = Field(default=None, exclude_if=lambda v: v is None)
    passages: list[PassageSummary] | None = Field(default=None, exclude_if=lambda v: v is None)


class EventDetail(LinkedPassages, LinkedEntities, EventItem):
    # Every link, in the item's order, then how many passages link here.
    pass


class EventInclude(StrEnum):
    ACTORS = Kind.ACTORS.value
    PERIODS = Kind.PERIODS.value
    REGIONS = Kind.REGIONS.value
    THEMES = Kind.THEMES.value
    PASSAGES = "passages"


class EventFilter(LinkFilter, FacetParams, PageParams):
    include: Annotated[list[EventInclude], CommaSeparated] = include_field(EventInclude)
