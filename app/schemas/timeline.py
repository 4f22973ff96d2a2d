from enum import StrEnum

from pydantic import Field

from app.core.kinds import Kind
from app.schemas.base import LinkFilter, Schema
from app.schemas.event import EventItem
from app.schemas.period import PeriodItem


class Timeline(Schema):
    """Periods and events, each in chronological order."""

    periods: list[PeriodItem]
    events: list[EventItem]


class TimelineFilter(LinkFilter):
    """The event filters; `era`, `from` and `to` also narrow the periods."""


class TimelineFormat(StrEnum):
    PLAIN = "plain"
    TIMELINEJS = "timelinejs"


class TimelineGroup(StrEnum):
    THEME = Kind.THEMES.facts.filter
    REGION = Kind.REGIONS.facts.filter


class TimelineFeedFilter(TimelineFilter):
    format: TimelineFormat = Field(
        default=TimelineFormat.PLAIN,
        description="`timelinejs`: the JSON TimelineJS3 (Knight Lab) loads as it is; "
        "`plain` (the default): the typed periods and events.",
        examples=["timelinejs"],
    )
    group: TimelineGroup | None = Field(
        default=None,
        description="With `format=timelinejs`: put each event in a row named after its first "
        "theme or region (by slug).",
        examples=[TimelineGroup.THEME.value],
    )


class TimelineJSDate(Schema):
    """A TimelineJS date: as precise as the EDTF date it comes from."""

    year: int
    month: int | None = Field(default=None, exclude_if=lambda v: v is None)
    day: int | None = Field(default=None, exclude_if=lambda v: v is None)
    display_date: str | None = Field(default=None, exclude_if=lambda v: v is None)


class TimelineJSText(Schema):
    headline: str
    text: str = Field(description="HTML (escaped text).")


class TimelineJSSlide(Schema):
    start_date: TimelineJSDate
    end_date: TimelineJSDate | None = Field(default=None, exclude_if=lambda v: v is None)
    text: TimelineJSText
    group: str | None = Field(default=None, exclude_if=lambda v: v is None)
    display_date: str | None = Field(
        default=None,
        exclude_if=lambda v: v is None,
        description="For uncertain (`?`) or approximate (`~`) EDTF dates.",
    )
    unique_id: str


class TimelineJSEra(Schema):
    start_date: TimelineJSDate
    end_date: TimelineJSDate
    text: TimelineJSText


class TimelineJSTitle(Schema):
    text: TimelineJSText


class TimelineJS(Schema):
    """TimelineJS3's JSON format: `new TL.Timeline(element, thisDocument)`."""

    title: TimelineJSTitle
    events: list[TimelineJSSlide]
    eras: list[TimelineJSEra]
    scale: str = "human"
