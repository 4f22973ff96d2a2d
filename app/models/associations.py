"""Many-to-many link tables: passage <-> each entity kind, event <-> the others."""

from typing import Any

from sqlalchemy import Column, ForeignKey, Index, Table
from sqlalchemy.orm import Relationship, relationship

from app.models.base import Base


def _link_table(name: str, left: str, right: str) -> Table:
    left_col, right_col = f"{left}_id", f"{right}_id"
    return Table(
        name,
        Base.metadata,
        Column(left_col, ForeignKey(f"{left}s.id", ondelete="CASCADE"), primary_key=True),
        Column(right_col, ForeignKey(f"{right}s.id", ondelete="CASCADE"), primary_key=True),
        # The primary key serves lookups by `left`; filters go from `right` back to `left`.
        Index(f"ix_{name}_{right_col}", right_col, left_col),
    )


passage_events = _link_table("passage_events", "passage", "event")
passage_actors = _link_table("passage_actors", "passage", "actor")
passage_periods = _link_table("passage_periods", "passage", "period")
passage_regions = _link_table("passage_regions", "passage", "region")
passage_themes = _link_table("passage_themes", "passage", "theme")
event_actors = _link_table("event_actors", "event", "actor")
event_periods = _link_table("event_periods", "event", "period")
event_regions = _link_table("event_regions", "event", "region")
event_themes = _link_table("event_themes", "event", "theme")

PASSAGE_ORDER = "[Passage.position, Passage.id]"
"""Linked passages in source order."""
EVENT_ORDER = "[Event.start_date, Event.end_date, Event.id]"
"""Linked events in chronological order."""


def link(secondary: Table, back_populates: str, order_by: str) -> Relationship[Any]:
    """One side of a many-to-many link through `secondary`, in `order_by` order. It is never
    loaded implicitly (`lazy="raise"`): every query says what it loads."""
    return relationship(
        secondary=secondary, back_populates=back_populates, lazy="raise", order_by=order_by
    )
