from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session, selectinload

from app.analysis.text import fold
from app.models import Passage
from app.models.associations import (
    passage_actors,
    passage_events,
    passage_periods,
    passage_regions,
    passage_themes,
)
from app.models.search import TRIGRAM_MIN_LENGTH, passage_trigrams
from app.repositories.base import (
    LIKE_SPECIAL,
    Condition,
    Filtered,
    LinkTables,
    SortKey,
    TwoWays,
    filtered,
    include_options,
    link_targets,
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
from app.schemas.facets import Facets
from app.schemas.passage import CountMode, PassageFilter

ORDER = SortKey((Passage.position, Passage.id))
LINKS = LinkTables(
    periods=passage_periods,
    actors=passage_actors,
    regions=passage_regions,
    themes=passage_themes,
    events=passage_events,
)


def filtered_passages(session: Session, filters: PassageFilter) -> Filtered[Passage]:
    """Every passage matching `filters`, unordered (lists page it, CSV streams it)."""
    return filtered(select(Passage), _conditions(session, filters))


def _conditions(session: Session, filters: PassageFilter) -> list[Condition]:
    targets = link_targets(session, filters, LINKS)
    # SQLite drives the set form from its first list: the text's, when there is one, so that
    # a word no passage holds ends the query before any link set is gathered.
    text = TwoWays(
        by_sets=_text_sets(session, filters.q),
        by_probes=matches_text(Passage.search_text, filters.q),
    )
    years = overlaps(Passage.start_year, Passage.end_year, filters.year_from, filters.year_to)
    return [text, *targets.conditions(Passage.id), *years]


def _text_sets(session: Session, q: str | None) -> list[ColumnElement[bool]]:
    """`q` for the set form: on SQLite, the words the trigram index can answer are looked up
    there together (one query, which intersects them in the index), so a rare word costs
    what it matches rather than a scan of every passage. PostgreSQL's planner uses its own
    trigram index for the `LIKE`."""
    if q is None or session.get_bind().dialect.name != "sqlite":
        return matches_text(Passage.search_text, q)
    conditions: list[ColumnElement[bool]] = []
    indexed: list[ColumnElement[bool]] = []
    for word in fold(q).split():
        if len(word) >= TRIGRAM_MIN_LENGTH and not LIKE_SPECIAL.search(word):
            indexed.append(passage_trigrams.c.search_text.like(f"%{word}%"))
        else:
            conditions += matches_text(Passage.search_text, word)
    if indexed:
        conditions.append(Passage.id.in_(select(passage_trigrams.c.rowid).where(*indexed)))
    return conditions


def list_passages(session: Session, filters: PassageFilter) -> PageResult[Passage]:
    where, options = _conditions(session, filters), include_options(Passage, filters.include)
    return paginate(
        session,
        select(Passage),
        ORDER,
        filters,
        where=where,
        options=options,
        growing=True,
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


def passage_facets(session: Session, filters: PassageFilter, language: str) -> Facets:
    """Counts per theme, era, region, actor and decade over every matching passage: from the
    link aggregates when no filter narrows the list."""
    if unfiltered(filters):
        return aggregated_facet_counts(
            session, filters.facets, source=Passage.__tablename__, language=language
        )
    owners = owner_ids(filtered_passages(session, filters).by_sets, Passage.id)
    return facet_counts(
        session,
        filters.facets,
        owners=owners,
        owner_id=Passage.id,
        years=(Passage.start_year, Passage.end_year),
        links=LINKS,
        language=language,
    )
