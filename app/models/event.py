import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.associations import (
    event_actors,
    event_periods,
    event_regions,
    event_themes,
    passage_events,
)
from app.models.base import Base, EntityMixin

if TYPE_CHECKING:
    from app.models.actor import Actor
    from app.models.passage import Passage
    from app.models.period import Period
    from app.models.region import Region
    from app.models.theme import Theme


class Event(EntityMixin, Base):
    """Something that happened, dated by an EDTF string; the other date columns derive from it."""

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_chronology", "start_date", "end_date", "id"),
        Index("ix_events_years", "start_year", "end_year"),
        CheckConstraint("start_year <= end_year", name="years_ordered"),
    )

    date: Mapped[str] = mapped_column(String(64))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)
    start_year: Mapped[int]
    end_year: Mapped[int]

    passages: Mapped[list["Passage"]] = relationship(
        secondary=passage_events,
        back_populates="events",
        lazy="raise",
        order_by="[Passage.position, Passage.id]",
    )
    actors: Mapped[list["Actor"]] = relationship(
        secondary=event_actors, back_populates="events", lazy="raise", order_by="Actor.slug"
    )
    periods: Mapped[list["Period"]] = relationship(
        secondary=event_periods, back_populates="events", lazy="raise", order_by="Period.slug"
    )
    regions: Mapped[list["Region"]] = relationship(
        secondary=event_regions, back_populates="events", lazy="raise", order_by="Region.slug"
    )
    themes: Mapped[list["Theme"]] = relationship(
        secondary=event_themes, back_populates="events", lazy="raise", order_by="Theme.slug"
    )
