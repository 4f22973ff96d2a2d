from pydantic import Field

from app.models import RegionKind
from app.schemas.base import MAX_FILTER_VALUES, PageParams, TextFilter
from app.schemas.summaries import EventSummary, PassageSummary, RegionSummary


class RegionItem(RegionSummary):
    description: str
    aliases: list[str]
    parent: RegionSummary | None
    note: str | None


class RegionDetail(RegionItem):
    children: list[RegionSummary]
    passages: list[PassageSummary]
    passages_total: int = Field(
        description="How many passages link here; `passages` holds the first 100 in source "
        "order (the rest: filter /api/v1/passages by this slug)."
    )
    events: list[EventSummary]
    events_total: int = Field(
        description="How many events link here; `events` holds the first 100 in date order."
    )


class RegionFilter(TextFilter, PageParams):
    kind: list[RegionKind] = Field(
        default_factory=list, max_length=MAX_FILTER_VALUES, description="Region kind."
    )
