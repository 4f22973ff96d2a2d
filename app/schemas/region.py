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
    events: list[EventSummary]


class RegionFilter(TextFilter, PageParams):
    kind: list[RegionKind] = Field(
        default_factory=list, max_length=MAX_FILTER_VALUES, description="Region kind."
    )
