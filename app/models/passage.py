from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.associations import (
    link,
    passage_actors,
    passage_events,
    passage_periods,
    passage_regions,
    passage_themes,
)
from app.models.base import SOURCE_NAME_LENGTH, Base, TimestampMixin, register_search_text

if TYPE_CHECKING:
    from app.models.actor import Actor
    from app.models.event import Event
    from app.models.period import Period
    from app.models.region import Region
    from app.models.theme import Theme


class Passage(TimestampMixin, Base):
    """One passage of a source, its text verbatim; citation markers are kept apart."""

    __tablename__ = "passages"
    __search_fields__ = ("text",)
    __table_args__ = (
        UniqueConstraint("source_file", "source_line"),
        Index("ix_passages_position_id", "position", "id"),
        Index("ix_passages_years", "start_year", "end_year"),
        # A passage's years by its id, without reading the row: a count driven from a link
        # table tests each linked passage's years from this index alone.
        Index("ix_passages_id_years", "id", "start_year", "end_year"),
        CheckConstraint("start_year <= end_year", name="years_ordered"),
        # An id is never given twice, even after a delete (SQLite's default reuses the last).
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str | None] = mapped_column(Text, default=None)
    footnotes: Mapped[list[str]] = mapped_column(default=list)
    source_file: Mapped[str] = mapped_column(String(SOURCE_NAME_LENGTH))
    source_line: Mapped[int] = mapped_column(Integer)
    checksum: Mapped[str] = mapped_column(String(64))
    start_year: Mapped[int | None] = mapped_column(default=None)
    end_year: Mapped[int | None] = mapped_column(default=None)
    note: Mapped[str | None] = mapped_column(Text, default=None)
    # Matched by queries, never shown: left out of the rows loaded into objects.
    search_text: Mapped[str] = mapped_column(Text, default="", deferred=True)

    events: Mapped[list["Event"]] = link(passage_events, "passages", "Event.slug")
    actors: Mapped[list["Actor"]] = link(passage_actors, "passages", "Actor.slug")
    periods: Mapped[list["Period"]] = link(passage_periods, "passages", "Period.slug")
    regions: Mapped[list["Region"]] = link(passage_regions, "passages", "Region.slug")
    themes: Mapped[list["Theme"]] = link(passage_themes, "passages", "Theme.slug")

    @property
    def source(self) -> dict[str, str | int]:
        """Provenance as one object: the source file, its line, the line's SHA-256."""
        return {"file": self.source_file, "line": self.source_line, "checksum": self.checksum}


register_search_text(Passage)
