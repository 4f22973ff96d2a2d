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
    events: list[EventSummary]


class PeriodFilter(TextFilter, PageParams):
    year: Year | None = Field(
        default=None, description="Only periods that include this year.", examples=[1939]
    )
