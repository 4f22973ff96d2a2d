from typing import TYPE_CHECKING, Optional

from sqlalchemy import CheckConstraint, Index
from sqlalchemy.orm import Mapped

from app.core.kinds import Kind
from app.models.associations import EVENT_ORDER, PASSAGE_ORDER, event_periods, link, passage_periods
from app.models.base import Base, EntityMixin, children_link, parent_key, parent_link

if TYPE_CHECKING:
    from app.models.event import Event
    from app.models.passage import Passage


class Period(EntityMixin, Base):
    """An era; phases nest inside it through `parent`."""

    __tablename__ = Kind.PERIODS.value
    __table_args__ = (
        Index("ix_periods_chronology", "start_year", "end_year", "id"),
        CheckConstraint("start_year <= end_year", name="years_ordered"),
    )

    start_year: Mapped[int]
    end_year: Mapped[int]
    parent_id: Mapped[int | None] = parent_key("periods")

    parent: Mapped[Optional["Period"]] = parent_link("Period")
    children: Mapped[list["Period"]] = children_link("[Period.start_year, Period.id]")
    passages: Mapped[list["Passage"]] = link(passage_periods, "periods", PASSAGE_ORDER)
    events: Mapped[list["Event"]] = link(event_periods, "periods", EVENT_ORDER)
