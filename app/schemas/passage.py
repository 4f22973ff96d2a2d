from enum import StrEnum
from typing import Any

from pydantic import Field, field_validator

from app.schemas.base import COUNT_LIMIT, LinkFilter, PageParams, Schema, SlugList
from app.schemas.facets import FacetParams, comma_list_schema, split_commas
from app.schemas.summaries import (
    ActorSummary,
    EventSummary,
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


class PassageDetail(PassageItem):
    events: list[EventSummary]
    actors: list[ActorSummary]
    periods: list[PeriodSummary]
    regions: list[RegionSummary]
    themes: list[ThemeSummary]


class PassageInclude(StrEnum):
    EVENTS = "events"
    ACTORS = "actors"
    PERIODS = "periods"
    REGIONS = "regions"
    THEMES = "themes"


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
    include: list[PassageInclude] = Field(
        default_factory=list,
        description="Embed these links in each item, as summaries (comma-separated or "
        "repeated). The number of queries does not grow with the page.",
        examples=[["actors,themes"]],
        json_schema_extra=comma_list_schema(PassageInclude),
    )

    @field_validator("include", mode="before")
    @classmethod
    def _split_include(cls, value: Any) -> Any:
        return split_commas(value)

    event: SlugList = Field(
        default_factory=list, description="Event slug.", examples=[["pacto-ribbentrop-molotov"]]
    )
