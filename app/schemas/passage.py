from enum import StrEnum
from typing import Annotated

from pydantic import Field

from app.core.kinds import Kind
from app.schemas.base import COUNT_LIMIT, LinkFilter, PageParams, Schema, SlugList
from app.schemas.facets import CommaSeparated, FacetParams, include_field
from app.schemas.summaries import (
    ActorSummary,
    EventSummary,
    LinkedEntities,
    PassageSummary,
    PeriodSummary,
    RegionSummary,
    ThemeSummary,
)


class SourceRef(Schema):
    file: str = Field(description="Source file the passage was read from.")
    line: int = Field(description="1-based line of the passage in that file.")
    checksum: str = Field(description="SHA-256 of that line as read, markers included.")


class PassageItem(PassageSummary):
    position: int = Field(description="Order of the passage in the corpus.")
    footnotes: list[str] = Field(
        description="Citation markers found around the text ('[1]' at the start, a trailing "
        "note number), kept apart so that `text` is the prose alone."
    )
    source: SourceRef
    note: str | None = Field(description="Curator's note, e.g. why the years are unknown.")
    text_en: str | None = Field(
        default=None, description="A curated English translation of `text`, where there is one."
    )
    # Embedded with `include=`; absent otherwise.
    events: list[EventSummary] | None = Field(default=None, exclude_if=lambda v: v is None)
    actors: list[ActorSummary] | None = Field(default=None, exclude_if=lambda v: v is None)
    periods: list[PeriodSummary] | None = Field(default=None, exclude_if=lambda v: v is None)
    regions: list[RegionSummary] | None = Field(default=None, exclude_if=lambda v: v is None)
    themes: list[ThemeSummary] | None = Field(default=None, exclude_if=lambda v: v is None)


class PassageDetail(LinkedEntities, PassageItem):
    # Every link, in the item's order.
    events: list[EventSummary]


class PassageInclude(StrEnum):
    EVENTS = Kind.EVENTS.value
    ACTORS = Kind.ACTORS.value
    PERIODS = Kind.PERIODS.value
    REGIONS = Kind.REGIONS.value
    THEMES = Kind.THEMES.value


class CountMode(StrEnum):
    BOUNDED = "bounded"
    EXACT = "exact"


class PassageFilter(LinkFilter, FacetParams, PageParams):
    count: CountMode = Field(
        default=CountMode.BOUNDED,
        description=f"`bounded` counts matches up to {COUNT_LIMIT:,} (`total_exact` false "
        "beyond), so that a page costs about the same whatever the corpus holds; `exact` "
        "counts them all, which costs what they number.",
    )
    include: Annotated[list[PassageInclude], CommaSeparated] = include_field(PassageInclude)

    event: SlugList = Field(
        default_factory=list, description="Event slug.", examples=[["pacto-ribbentrop-molotov"]]
    )
