"""Many-to-many link tables: passage <-> each entity kind, event <-> the others."""

from sqlalchemy import Column, ForeignKey, Index, Table

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
