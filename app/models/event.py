import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.kinds import Kind
from app.models.associations import (
    PASSAGE_ORDER,
    event_actors,
    event_periods,
    event_regions,
    event_themes,
    link,
    passage_events,
)
from app.models.base import DATE_LENGTH, Base, EntityMixin

if TYPE_CHECKING:
    from app.models.actor import Actor
    from app.models.passage import Passage
    from app.models.period import Period
    from app.models.region import Region
    from app.models.theme import Theme


class Event(EntityMixin, Base):
    """Something that happened, dated by an EDTF string; the other date columns derive from it."""

    __tablename__ = Kind.EVENTS.value
    __table_args__ = (
        Index("ix_events_chronology", "start_date", "end_date", "id"),
        Index("ix_events_years", "start_year", "end_year"),
        CheckConstraint("start_year <= end_year", name="years_ordered"),
    )

    date: Mapped[str] = mapped_column(String(DATE_LENGTH))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)
    start_year: Mapped[int]
    end_year: Mapped[int]

    passages: Mapped[list["Passage"]] = link(passage_events, "events", PASSAGE_ORDER)
    actors: Mapped[list["Actor"]] = link(event_actors, "events", "Actor.slug")
    periods: Mapped[list["Period"]] = link(event_periods, "events", "Period.slug")
    regions: Mapped[list["Region"]] = link(event_regions, "events", "Region.slug")
    themes: Mapped[list["Theme"]] = link(event_themes, "events", "Theme.slug")
