from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from app.models import Event, Passage
from app.models.associations import (
    passage_actors,
    passage_events,
    passage_periods,
    passage_regions,
    passage_themes,
)
from app.pagination import PageResult
from app.repositories.base import (
    LinkTables,
    SortKey,
    include_options,
    link_conditions,
    linked_to,
    matches_text,
    overlaps,
    paginate,
    resolve_slugs,
)
from app.repositories.facets import facet_counts, owner_ids
from app.schemas.facets import Facets
from app.schemas.passage import PassageFilter

ORDER = SortKey((Passage.position, Passage.id))
LINKS = LinkTables(
    periods=passage_periods, actors=passage_actors, regions=passage_regions, themes=passage_themes
)


def filtered_passages(session: Session, filters: PassageFilter) -> Select[Passage]:
    """Every passage matching `filters`, unordered (lists page it, CSV streams it)."""
    conditions = link_conditions(session, Passage.id, filters, LINKS)
    if filters.event:
        ids = resolve_slugs(session, Event, filters.event, parameter="event")
        conditions.append(linked_to(Passage.id, passage_events, ids))
    conditions += overlaps(Passage.start_year, Passage.end_year, filters.year_from, filters.year_to)
    conditions += matches_text(Passage.search_text, filters.q)
    return select(Passage).where(*conditions)


def list_passages(session: Session, filters: PassageFilter) -> PageResult[Passage]:
    stmt = filtered_passages(session, filters)
    options = include_options(Passage, filters.include)
    return paginate(
        session, stmt, ORDER, limit=filters.limit, cursor=filters.cursor, options=options
    )


def get_passage(session: Session, passage_id: int) -> Passage | None:
    return session.scalar(
        select(Passage)
        .where(Passage.id == passage_id)
        .options(
            selectinload(Passage.events),
            selectinload(Passage.actors),
            selectinload(Passage.periods),
            selectinload(Passage.regions),
            selectinload(Passage.themes),
        )
    )


def passage_facets(session: Session, filters: PassageFilter) -> Facets:
    """Counts per theme, era, region, actor and decade over every matching passage."""
    owners = owner_ids(filtered_passages(session, filters), Passage.id)
    return facet_counts(
        session,
        filters.facets,
        owners=owners,
        owner_id=Passage.id,
        years=(Passage.start_year, Passage.end_year),
        links=LINKS,
    )
