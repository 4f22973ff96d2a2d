from enum import StrEnum
from typing import TYPE_CHECKING, Optional

from sqlalchemy import Enum, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.associations import event_regions, passage_regions
from app.models.base import Base, EntityMixin, enum_values

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

    __tablename__ = "regions"

    kind: Mapped[RegionKind] = mapped_column(
        Enum(RegionKind, native_enum=False, length=20, values_callable=enum_values),
        index=True,
    )
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("regions.id", ondelete="SET NULL"), index=True, default=None
    )

    parent: Mapped[Optional["Region"]] = relationship(
        remote_side="Region.id", back_populates="children", lazy="raise"
    )
    children: Mapped[list["Region"]] = relationship(
        back_populates="parent", lazy="raise", order_by="Region.slug"
    )
    passages: Mapped[list["Passage"]] = relationship(
        secondary=passage_regions,
        back_populates="regions",
        lazy="raise",
        order_by="[Passage.position, Passage.id]",
    )
    events: Mapped[list["Event"]] = relationship(
        secondary=event_regions,
        back_populates="regions",
        lazy="raise",
        order_by="[Event.start_date, Event.end_date, Event.id]",
    )
