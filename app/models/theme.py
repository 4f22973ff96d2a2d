from typing import TYPE_CHECKING

from sqlalchemy.orm import Mapped, relationship

from app.models.associations import event_themes, passage_themes
from app.models.base import Base, EntityMixin

if TYPE_CHECKING:
    from app.models.event import Event
    from app.models.passage import Passage


class Theme(EntityMixin, Base):
    """A subject the corpus returns to: peaceful coexistence, collective security…"""

    __tablename__ = "themes"

    passages: Mapped[list["Passage"]] = relationship(
        secondary=passage_themes,
        back_populates="themes",
        lazy="raise",
        order_by="[Passage.position, Passage.id]",
    )
    events: Mapped[list["Event"]] = relationship(
        secondary=event_themes,
        back_populates="themes",
        lazy="raise",
        order_by="[Event.start_date, Event.end_date, Event.id]",
    )
