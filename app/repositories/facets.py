"""Facet counts for the passage and event lists: per linked value and per decade, over every
item matching the current filters."""

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Select, Table, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from app.core.i18n import localized
from app.core.kinds import EVENT_LINKS, HIERARCHICAL, Kind
from app.models import Period, Region
from app.models.aggregates import NO_YEAR, LinkNode, LinkSignature, YearSpan
from app.registry import REGISTRY
from app.repositories.base import LinkTables
from app.schemas.base import LinkFilter
from app.schemas.facets import DecadeCount, Facet, Facets, FacetValue

UNKNOWN_END = 9999
NARROWING = (*LinkFilter.model_fields, Kind.EVENTS.facts.filter)
"""The list parameters that narrow the documents a list, its facets or the graph count."""


def unfiltered(filters: BaseModel) -> bool:
    """True when no parameter narrows the documents (each is at its default: None or [])."""
    return all(getattr(filters, name, None) in (None, []) for name in NARROWING)


def _closure(model: type[Period] | type[Region]) -> Any:
    """(ancestor, descendant) for every row and each row below it, itself included."""
    name = f"{model.__tablename__}_closure"
    base = select(model.id.label("ancestor"), model.id.label("descendant"))
    tree = base.cte(name, recursive=True)
    return tree.union_all(
        select(tree.c.ancestor, model.id).where(model.parent_id == tree.c.descendant)
    )


def _link_columns(link: Table) -> tuple[Any, Any]:
    owner, target = (col for col in link.primary_key.columns)
    return owner, target


def _values(
    session: Session,
    model: type[Any],
    link: Table,
    owners: Select[Any],
    *,
    nested: bool,
    language: str,
) -> list[FacetValue]:
    owner, target = _link_columns(link)
    if nested:
        closure = _closure(model)
        stmt = (
            select(model.slug, model.name, model.name_en, func.count(owner.distinct()))
            .join(closure, closure.c.ancestor == model.id)
            .join(link, target == closure.c.descendant)
        )
    else:
        stmt = select(model.slug, model.name, model.name_en, func.count(owner.distinct())).join(
            link, target == model.id
        )
    stmt = stmt.where(owner.in_(owners)).group_by(model.id, model.slug, model.name, model.name_en)
    rows = session.execute(stmt).all()
    values = [FacetValue(slug=r[0], label=localized(r, "name", language), count=r[3]) for r in rows]
    return sorted(values, key=lambda v: (-v.count, v.slug))


def _decades(
    session: Session,
    owners: Select[Any],
    owner_id: InstrumentedAttribute[int],
    start: InstrumentedAttribute[Any],
    end: InstrumentedAttribute[Any],
) -> tuple[list[DecadeCount], int]:
    stmt = select(start, end, func.count()).where(owner_id.in_(owners)).group_by(start, end)
    return _by_decade(session.execute(stmt))


def _by_decade(
    spans: Iterable[tuple[int | None, int | None, int]],
) -> tuple[list[DecadeCount], int]:
    """Decade counts (every decade a span touches) and the undated count, from
    (start_year, end_year, documents) rows."""
    counts: dict[int, int] = {}
    undated = 0
    for first, last, count in spans:
        if first is None:
            undated += count
            continue
        last = first if last is None or last >= UNKNOWN_END else last
        for decade in range(first // 10 * 10, last // 10 * 10 + 1, 10):
            counts[decade] = counts.get(decade, 0) + count
    if not counts:
        return [], undated
    low, high = min(counts), max(counts)
    return [
        DecadeCount(decade=d, label=f"{d}s", count=counts.get(d, 0))
        for d in range(low, high + 1, 10)
    ], undated


def facet_counts(
    session: Session,
    facets: Sequence[Facet],
    *,
    owners: Select[Any],
    owner_id: InstrumentedAttribute[int],
    years: tuple[InstrumentedAttribute[Any], InstrumentedAttribute[Any]],
    links: LinkTables,
    language: str,
) -> Facets:
    """Counts for `facets` over the items whose ids `owners` selects, labels in `language`."""
    wanted = set(facets)
    decades, undated = _decades(session, owners, owner_id, *years)
    result = Facets(decades=decades, undated=undated)
    for kind in EVENT_LINKS:
        facet = kind.facts.filter
        if facet in wanted:
            model, link = REGISTRY[kind].model, getattr(links, kind)
            nested = kind in HIERARCHICAL
            counted = _values(session, model, link, owners, nested=nested, language=language)
            setattr(result, facet, counted)
    return result


def owner_ids(stmt: Select[Any], owner_id: InstrumentedAttribute[int]) -> Select[Any]:
    """The ids of the rows `stmt` selects."""
    return stmt.with_only_columns(owner_id).order_by(None)


def aggregated_facet_counts(
    session: Session, facets: Sequence[Facet], *, source: str, language: str
) -> Facets:
    """`facet_counts` over every document of `source` (`passages`, `events`), read from the
    link aggregates (`app.models.aggregates`) rather than from each document's links."""
    wanted = set(facets)
    spans = select(YearSpan.start_year, YearSpan.end_year, YearSpan.documents).where(
        YearSpan.source == source, YearSpan.documents > 0
    )
    decades, undated = _by_decade(
        (None if first == NO_YEAR else first, None if last == NO_YEAR else last, count)
        for first, last, count in session.execute(spans)
    )
    result = Facets(decades=decades, undated=undated)
    for kind in EVENT_LINKS:
        if kind.facts.filter in wanted:
            model = REGISTRY[kind].model
            if kind in HIERARCHICAL:
                counts = _closed_counts(session, model, kind, source)
            else:
                counts = _direct_counts(session, kind, source)
            setattr(result, kind.facts.filter, _labelled(session, model, counts, language))
    return result


def _direct_counts(session: Session, kind: Kind, source: str) -> Counter[int]:
    stmt = select(LinkNode.entity_id, LinkNode.documents).where(
        LinkNode.source == source, LinkNode.kind == kind.value, LinkNode.documents > 0
    )
    return Counter(dict(session.execute(stmt).all()))


def _closed_counts(session: Session, model: Any, kind: Kind, source: str) -> Counter[int]:
    """Per entity, the documents linking it or anything below it: each set of entities some
    documents link adds their number to every entity of the set and to all above them."""
    parents: dict[int, int | None] = dict(session.execute(select(model.id, model.parent_id)).all())
    stmt = select(LinkSignature.entity_ids, LinkSignature.documents).where(
        LinkSignature.source == source,
        LinkSignature.kind == kind.value,
        LinkSignature.documents > 0,
    )
    counts: Counter[int] = Counter()
    for entity_ids, documents in session.execute(stmt):
        covered: set[int] = set()
        for entity_id in map(int, entity_ids.split(",")):
            _climb(parents, entity_id, covered)
        for entity_id in covered:
            counts[entity_id] += documents
    return counts


def _climb(parents: dict[int, int | None], entity_id: int | None, covered: set[int]) -> None:
    """Add `entity_id` and everything above it to `covered` (stopping at a row seen before,
    so a cycle cannot loop)."""
    while entity_id is not None and entity_id not in covered:
        covered.add(entity_id)
        entity_id = parents.get(entity_id)


def _labelled(
    session: Session, model: Any, counts: Counter[int], language: str
) -> list[FacetValue]:
    ids = [entity_id for entity_id, count in counts.items() if count > 0]
    rows = session.execute(
        select(model.id, model.slug, model.name, model.name_en).where(model.id.in_(ids))
    ).all()
    values = [
        FacetValue(slug=r.slug, label=localized(r, "name", language), count=counts[r.id])
        for r in rows
    ]
    return sorted(values, key=lambda v: (-v.count, v.slug))
