from app.schemas.base import LinkFilter, Schema
from app.schemas.event import EventItem
from app.schemas.period import PeriodItem


class Timeline(Schema):
    """Periods and events, each in chronological order."""

    periods: list[PeriodItem]
    events: list[EventItem]


class TimelineFilter(LinkFilter):
    """The event filters; `era`, `from` and `to` also narrow the periods."""
