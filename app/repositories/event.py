from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session, selectinload

from app.models import Event
from app.models.associations import event_actors, event_periods, event_regions, event_themes
from app.pagination import PageResult
from app.repositories.base import (
    LinkTables,
    SortKey,
    get_by_slug,
    link_conditions,
    matches_text,
    overlaps,
    paginate,
)
from app.schemas.base import LinkFilter
from app.schemas.event import EventFilter

ORDER = SortKey((Event.start_date, Event.end_date, Event.id))
LINKS = LinkTables(
    periods=event_periods, actors=event_actors, regions=event_regions, themes=event_themes
)


def _filtered(session: Session, filters: LinkFilter) -> list[ColumnElement[bool]]:
    conditions = link_conditions(session, Event.id, filters, LINKS)
    conditions += overlaps(Event.start_year, Event.end_year, filters.year_from, filters.year_to)
    conditions += matches_text(Event.search_text, filters.q)
    return conditions


def list_events(session: Session, filters: EventFilter) -> PageResult[Event]:
    stmt = select(Event).where(*_filtered(session, filters))
    return paginate(session, stmt, ORDER, limit=filters.limit, cursor=filters.cursor)


def all_events(session: Session, filters: LinkFilter) -> list[Event]:
    """Every matching event, chronologically (the timeline)."""
    stmt = select(Event).where(*_filtered(session, filters)).order_by(*ORDER.columns)
    return list(session.scalars(stmt))


def get_event(session: Session, slug: str) -> Event | None:
    return get_by_slug(
        session,
        Event,
        slug,
        selectinload(Event.actors),
        selectinload(Event.periods),
        selectinload(Event.regions),
        selectinload(Event.themes),
        selectinload(Event.passages),
    )
