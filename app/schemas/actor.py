from pydantic import Field

from app.models import ActorKind
from app.schemas.base import MAX_FILTER_VALUES, PageParams, YearRangeFilter
from app.schemas.summaries import (
    ActorSummary,
    LinkedEvents,
    LinkedPassages,
)


class ActorItem(ActorSummary):
    aliases: list[str] = Field(description="Other spellings, transliterations, English names.")
    role: str | None
    description: str
    start_year: int | None = Field(description="First year of the activity `role` describes.")
    end_year: int | None = Field(description="Last year of that activity.")
    note: str | None


class ActorDetail(LinkedEvents, LinkedPassages, ActorItem):
    # The item's fields, then the linked passages, then the linked events (bases right to left).
    pass


class ActorFilter(YearRangeFilter, PageParams):
    """`era`, `from` and `to` match actors whose active years overlap them."""

    kind: list[ActorKind] = Field(
        default_factory=list, max_length=MAX_FILTER_VALUES, description="Actor kind."
    )
