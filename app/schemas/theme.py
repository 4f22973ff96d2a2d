from app.schemas.base import PageParams, TextFilter
from app.schemas.summaries import EventSummary, PassageSummary, ThemeSummary


class ThemeItem(ThemeSummary):
    description: str
    aliases: list[str]
    note: str | None


class ThemeDetail(ThemeItem):
    passages: list[PassageSummary]
    events: list[EventSummary]


class ThemeFilter(TextFilter, PageParams):
    pass
