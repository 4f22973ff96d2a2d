from pydantic import Field

from app.schemas.base import PageParams, TextFilter, Year
from app.schemas.summaries import EventSummary, PassageSummary, PeriodSummary


class PeriodItem(PeriodSummary):
    description: str
    aliases: list[str]
    parent: PeriodSummary | None
    note: str | None


class PeriodDetail(PeriodItem):
    children: list[PeriodSummary]
    passages: list[PassageSummary]
    passages_total: int = Field(
        description="How many passages link here; `passages` holds the first 100 in source "
        "order (the rest: filter /api/v1/passages by this slug)."
    )
    events: list[EventSummary]
    events_total: int = Field(
        description="How many events link here; `events` holds the first 100 in date order."
    )


class PeriodFilter(TextFilter, PageParams):
    year: Year | None = Field(
        default=None, description="Only periods that include this year.", examples=[1939]
    )
