from sqlalchemy import select
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
    Filtered,
    LinkTables,
    SortKey,
    include_options,
    link_targets,
    matches_text,
    overlaps,
    paginate_filtered,
    resolve_slugs,
)
from app.repositories.facets import facet_counts, owner_ids
from app.schemas.facets import Facets
from app.schemas.passage import CountMode, PassageFilter

ORDER = SortKey((Passage.position, Passage.id))
LINKS = LinkTables(
    periods=passage_periods, actors=passage_actors, regions=passage_regions, themes=passage_themes
)


def filtered_passages(session: Session, filters: PassageFilter) -> Filtered[Passage]:
    """Every passage matching `filters`, unordered (lists page it, CSV streams it)."""
    targets = link_targets(session, filters, LINKS)
    if filters.event:
        ids = resolve_slugs(session, Event, filters.event, parameter="event")
        targets.targets.append((passage_events, ids))
    rest = overlaps(Passage.start_year, Passage.end_year, filters.year_from, filters.year_to)
    rest += matches_text(Passage.search_text, filters.q)
    return Filtered(
        by_sets=select(Passage).where(*targets.conditions(Passage.id), *rest),
        by_probes=select(Passage).where(*targets.conditions(Passage.id, probe=True), *rest),
    )


def list_passages(session: Session, filters: PassageFilter) -> PageResult[Passage]:
    return paginate_filtered(
        session,
        filtered_passages(session, filters),
        ORDER,
        limit=filters.limit,
        cursor=filters.cursor,
        options=include_options(Passage, filters.include),
        exact_total=filters.count is CountMode.EXACT,
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
    owners = owner_ids(filtered_passages(session, filters).by_sets, Passage.id)
    return facet_counts(
        session,
        filters.facets,
        owners=owners,
        owner_id=Passage.id,
        years=(Passage.start_year, Passage.end_year),
        links=LINKS,
    )
