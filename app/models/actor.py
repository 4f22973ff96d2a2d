from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.kinds import Kind
from app.models.associations import EVENT_ORDER, PASSAGE_ORDER, event_actors, link, passage_actors
from app.models.base import NAME_LENGTH, Base, EntityMixin, kind_column

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

    __tablename__ = Kind.ACTORS.value
    __table_args__ = (
        Index("ix_actors_years", "start_year", "end_year"),
        CheckConstraint("start_year <= end_year", name="years_ordered"),
    )

    kind: Mapped[ActorKind] = kind_column(ActorKind)
    role: Mapped[str | None] = mapped_column(String(NAME_LENGTH), default=None)
    start_year: Mapped[int | None] = mapped_column(default=None)
    end_year: Mapped[int | None] = mapped_column(default=None)

    passages: Mapped[list["Passage"]] = link(passage_actors, "actors", PASSAGE_ORDER)
    events: Mapped[list["Event"]] = link(event_actors, "actors", EVENT_ORDER)
