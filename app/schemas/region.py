from pydantic import Field

from app.models import RegionKind
from app.schemas.base import MAX_FILTER_VALUES, PageParams, TextFilter
from app.schemas.summaries import (
    Children,
    LinkedEvents,
    LinkedPassages,
    RegionSummary,
)


class RegionItem(RegionSummary):
    description: str
    aliases: list[str]
    parent: RegionSummary | None
    note: str | None


class RegionDetail(LinkedEvents, LinkedPassages, Children[RegionSummary], RegionItem):
    # The item's fields, the regions inside it, the linked passages, the linked events.
    pass


class RegionFilter(TextFilter, PageParams):
    kind: list[RegionKind] = Field(
        default_factory=list, max_length=MAX_FILTER_VALUES, description="Region kind."
    )
