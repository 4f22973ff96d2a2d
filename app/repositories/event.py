from collections.abc import Sequence

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from app.models import Event
from app.models.associations import event_actors, event_periods, event_regions, event_themes
from app.repositories.base import (
    Condition,
    LinkTables,
    SortKey,
    filtered,
    get_by_slug,
    include_options,
    link_conditions,
    matches_text,
    overlaps,
    paginate,
)
from app.repositories.facets import (
    aggregated_facet_counts,
    facet_counts,
    owner_ids,
    unfiltered,
)
from app.repositories.paging import PageResult
from app.schemas.base import LinkFilter
from app.schemas.event import EventFilter
from app.schemas.facets import Facets

ORDER = SortKey((Event.start_date, Event.end_date, Event.id))
LINKS = LinkTables(
    periods=event_periods, actors=event_actors, regions=event_regions, themes=event_themes
)


def _conditions(session: Session, filters: LinkFilter) -> list[Condition]:
    conditions = link_conditions(session, Event.id, filters, LINKS)
    conditions += overlaps(Event.start_year, Event.end_year, filters.year_from, filters.year_to)
    conditions += matches_text(Event.search_text, filters.q)
    return conditions


def filtered_events(session: Session, filters: LinkFilter) -> Select[Event]:
    """Every event matching `filters`, unordered (lists page it, CSV streams it)."""
    return filtered(select(Event), _conditions(session, filters)).by_sets


def list_events(session: Session, filters: EventFilter) -> PageResult[Event]:
    where, options = _conditions(session, filters), include_options(Event, filters.include)
    return paginate(session, select(Event), ORDER, filters, where=where, options=options)


def all_events(session: Session, filters: LinkFilter, include: Sequence[str] = ()) -> list[Event]:
    """Every matching event, chronologically (the timeline), with the `include`d links."""
    stmt = (
        filtered_events(session, filters)
        .options(*include_options(Event, include))
        .order_by(*ORDER.columns)
    )
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
        embed=("passages",),
    )


def event_facets(session: Session, filters: EventFilter, language: str) -> Facets:
    """Counts per theme, era, region, actor and decade over every matching event: from the
    link aggregates when no filter narrows the list."""
    if unfiltered(filters):
        return aggregated_facet_counts(
            session, filters.facets, source=Event.__tablename__, language=language
        )
    owners = owner_ids(filtered_events(session, filters), Event.id)
    return facet_counts(
        session,
        filters.facets,
        owners=owners,
        owner_id=Event.id,
        years=(Event.start_year, Event.end_year),
        links=LINKS,
        language=language,
    )
