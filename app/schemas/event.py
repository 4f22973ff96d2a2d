import datetime as dt

from pydantic import Field

from app.schemas.base import LinkFilter, PageParams
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


class EventDetail(EventItem):
    actors: list[ActorSummary]
    periods: list[PeriodSummary]
    regions: list[RegionSummary]
    themes: list[ThemeSummary]
    passages: list[PassageSummary]


class EventFilter(LinkFilter, PageParams):
    pass
