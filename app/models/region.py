from enum import StrEnum
from typing import TYPE_CHECKING, Optional

from sqlalchemy.orm import Mapped

from app.core.kinds import Kind
from app.models.associations import EVENT_ORDER, PASSAGE_ORDER, event_regions, link, passage_regions
from app.models.base import (
    Base,
    EntityMixin,
    children_link,
    kind_column,
    parent_key,
    parent_link,
)

if TYPE_CHECKING:
    from app.models.event import Event
    from app.models.passage import Passage


class RegionKind(StrEnum):
    CONTINENT = "continent"
    SUBCONTINENT = "subcontinent"
    COUNTRY = "country"
    OCEAN = "ocean"
    POLITICAL_GROUPING = "political_grouping"


class Region(EntityMixin, Base):
    """A place or a grouping of places; smaller regions nest inside larger ones."""

    __tablename__ = Kind.REGIONS.value

    kind: Mapped[RegionKind] = kind_column(RegionKind)
    parent_id: Mapped[int | None] = parent_key("regions")

    parent: Mapped[Optional["Region"]] = parent_link("Region")
    children: Mapped[list["Region"]] = children_link("Region.slug")
    passages: Mapped[list["Passage"]] = link(passage_regions, "regions", PASSAGE_ORDER)
    events: Mapped[list["Event"]] = link(event_regions, "regions", EVENT_ORDER)
