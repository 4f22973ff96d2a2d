from pydantic import Field

from app.schemas.base import PageParams, TextFilter
from app.schemas.summaries import EventSummary, PassageSummary, ThemeSummary


class ThemeItem(ThemeSummary):
    description: str
    aliases: list[str]
    note: str | None


class ThemeDetail(ThemeItem):
    passages: list[PassageSummary]
    passages_total: int = Field(
        description="How many passages link here; `passages` holds the first 100 in source "
        "order (the rest: filter /api/v1/passages by this slug)."
    )
    events: list[EventSummary]
    events_total: int = Field(
        description="How many events link here; `events` holds the first 100 in date order."
    )


class ThemeFilter(TextFilter, PageParams):
    pass
