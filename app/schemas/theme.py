from app.schemas.base import PageParams, TextFilter
from app.schemas.summaries import LinkedEvents, LinkedPassages, ThemeSummary


class ThemeItem(ThemeSummary):
    description: str
    aliases: list[str]
    note: str | None


class ThemeDetail(LinkedEvents, LinkedPassages, ThemeItem):
    # The item's fields, then the linked passages, then the linked events (bases right to left).
    pass


class ThemeFilter(TextFilter, PageParams):
    pass
