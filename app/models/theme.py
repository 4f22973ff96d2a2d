from typing import TYPE_CHECKING

from sqlalchemy.orm import Mapped

from app.core.kinds import Kind
from app.models.associations import EVENT_ORDER, PASSAGE_ORDER, event_themes, link, passage_themes
from app.models.base import Base, EntityMixin

if TYPE_CHECKING:
    from app.models.event import Event
    from app.models.passage import Passage


class Theme(EntityMixin, Base):
    """A subject the corpus returns to: peaceful coexistence, collective security…"""

    __tablename__ = Kind.THEMES.value

    passages: Mapped[list["Passage"]] = link(passage_themes, "themes", PASSAGE_ORDER)
    events: Mapped[list["Event"]] = link(event_themes, "themes", EVENT_ORDER)
