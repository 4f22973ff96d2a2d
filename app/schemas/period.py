from pydantic import Field

from app.schemas.base import PageParams, TextFilter, Year
from app.schemas.summaries import (
    Children,
    LinkedEvents,
    LinkedPassages,
    PeriodSummary,
)


class PeriodItem(PeriodSummary):
    description: str
    aliases: list[str]
    parent: PeriodSummary | None
    note: str | None


class PeriodDetail(LinkedEvents, LinkedPassages, Children[PeriodSummary], PeriodItem):
    # The item's fields, the periods inside it, the linked passages, the linked events.
    pass


class PeriodFilter(TextFilter, PageParams):
    year: Year | None = Field(
        default=None, description="Only periods that include this year.", examples=[1939]
    )
