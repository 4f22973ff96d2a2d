import datetime as dt
from enum import StrEnum
from typing import Any

from pydantic import Field, field_validator

from app.schemas.base import LinkFilter, PageParams
from app.schemas.facets import FacetParams, comma_list_schema, split_commas
from app.schemas.summaries import (
    ActorSummary,
    EventSummary,
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


class EventDetail(EventItem):
    actors: list[ActorSummary]
    periods: list[PeriodSummary]
    regions: list[RegionSummary]
    themes: list[ThemeSummary]
    passages: list[PassageSummary]
    passages_total: int = Field(
        description="How many passages link here; `passages` holds the first 100 in source "
        "order (the rest: filter /api/v1/passages by this slug)."
    )


class EventInclude(StrEnum):
    ACTORS = "actors"
    PERIODS = "periods"
    REGIONS = "regions"
    THEMES = "themes"
    PASSAGES = "passages"


class EventFilter(LinkFilter, FacetParams, PageParams):
    include: list[EventInclude] = Field(
        default_factory=list,
        description="Embed these links in each item, as summaries (comma-separated or "
        "repeated). The number of queries does not grow with the page.",
        examples=[["actors,themes"]],
        json_schema_extra=comma_list_schema(EventInclude),
    )

    @field_validator("include", mode="before")
    @classmethod
    def _split_include(cls, value: Any) -> Any:
        return split_commas(value)
