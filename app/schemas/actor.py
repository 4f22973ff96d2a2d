from pydantic import Field

from app.models import ActorKind
from app.schemas.base import MAX_FILTER_VALUES, PageParams, YearRangeFilter
from app.schemas.summaries import ActorSummary, EventSummary, PassageSummary


class ActorItem(ActorSummary):
    aliases: list[str] = Field(description="Other spellings, transliterations, English names.")
    role: str | None
    description: str
    start_year: int | None = Field(description="First year of the activity `role` describes.")
    end_year: int | None = Field(description="Last year of that activity.")
    note: str | None


class ActorDetail(ActorItem):
    passages: list[PassageSummary]
    passages_total: int = Field(
        description="How many passages link here; `passages` holds the first 100 in source "
        "order (the rest: filter /api/v1/passages by this slug)."
    )
    events: list[EventSummary]
    events_total: int = Field(
        description="How many events link here; `events` holds the first 100 in date order."
    )


class ActorFilter(YearRangeFilter, PageParams):
    """`era`, `from` and `to` match actors whose active years overlap them."""

    kind: list[ActorKind] = Field(
        default_factory=list, max_length=MAX_FILTER_VALUES, description="Actor kind."
    )
