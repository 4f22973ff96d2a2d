from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Enum, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.associations import event_actors, passage_actors
from app.models.base import Base, EntityMixin, enum_values

if TYPE_CHECKING:
    from app.models.event import Event
    from app.models.passage import Passage


class ActorKind(StrEnum):
    PERSON = "person"
    STATE = "state"
    ORGANIZATION = "organization"
    MOVEMENT = "movement"
    ALLIANCE = "alliance"


class Actor(EntityMixin, Base):
    """A person, state, organization, movement or alliance; years are those it was active."""

    __tablename__ = "actors"
    __table_args__ = (
        Index("ix_actors_years", "start_year", "end_year"),
        CheckConstraint("start_year <= end_year", name="years_ordered"),
    )

    kind: Mapped[ActorKind] = mapped_column(
        Enum(ActorKind, native_enum=False, length=20, values_callable=enum_values),
        index=True,
    )
    role: Mapped[str | None] = mapped_column(String(300), default=None)
    start_year: Mapped[int | None] = mapped_column(default=None)
    end_year: Mapped[int | None] = mapped_column(default=None)

    passages: Mapped[list["Passage"]] = relationship(
        secondary=passage_actors,
        back_populates="actors",
        lazy="raise",
        order_by="[Passage.position, Passage.id]",
    )
    events: Mapped[list["Event"]] = relationship(
        secondary=event_actors,
        back_populates="actors",
        lazy="raise",
        order_by="[Event.start_date, Event.end_date, Event.id]",
    )
