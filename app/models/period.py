from typing import TYPE_CHECKING, Optional

from sqlalchemy import CheckConstraint, ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.associations import event_periods, passage_periods
from app.models.base import Base, EntityMixin

if TYPE_CHECKING:
    from app.models.event import Event
    from app.models.passage import Passage


class Period(EntityMixin, Base):
    """An era; phases nest inside it through `parent`."""

    __tablename__ = "periods"
    __table_args__ = (
        Index("ix_periods_chronology", "start_year", "end_year", "id"),
        CheckConstraint("start_year <= end_year", name="years_ordered"),
    )

    start_year: Mapped[int]
    end_year: Mapped[int]
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("periods.id", ondelete="SET NULL"), index=True, default=None
    )

    parent: Mapped[Optional["Period"]] = relationship(
        remote_side="Period.id", back_populates="children", lazy="raise"
    )
    children: Mapped[list["Period"]] = relationship(
        back_populates="parent", lazy="raise", order_by="[Period.start_year, Period.id]"
    )
    passages: Mapped[list["Passage"]] = relationship(
        secondary=passage_periods,
        back_populates="periods",
        lazy="raise",
        order_by="[Passage.position, Passage.id]",
    )
    events: Mapped[list["Event"]] = relationship(
        secondary=event_periods,
        back_populates="periods",
        lazy="raise",
        order_by="[Event.start_date, Event.end_date, Event.id]",
    )
