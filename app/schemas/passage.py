from pydantic import Field

from app.schemas.base import LinkFilter, PageParams, Schema, SlugList
from app.schemas.summaries import (
    ActorSummary,
    EventSummary,
    PassageSummary,
    PeriodSummary,
    RegionSummary,
    ThemeSummary,
)


class SourceRef(Schema):
    file: str = Field(description="Source file the passage was read from.")
    line: int = Field(description="1-based line of the passage in that file.")
    checksum: str = Field(description="SHA-256 of that line as read, markers included.")


class PassageItem(PassageSummary):
    position: int = Field(description="Order of the passage in the corpus.")
    footnotes: list[str] = Field(
        description="Citation markers found around the text ('[1]' at the start, a trailing "
        "note number), kept apart so that `text` is the prose alone."
    )
    source: SourceRef
    note: str | None = Field(description="Curator's note, e.g. why the years are unknown.")


class PassageDetail(PassageItem):
    events: list[EventSummary]
    actors: list[ActorSummary]
    periods: list[PeriodSummary]
    regions: list[RegionSummary]
    themes: list[ThemeSummary]


class PassageFilter(LinkFilter, PageParams):
    event: SlugList = Field(
        default_factory=list, description="Event slug.", examples=[["pacto-ribbentrop-molotov"]]
    )
