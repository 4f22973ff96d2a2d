"""Facet counts for the passage and event lists: per linked value and per decade, over every
item matching the current filters."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, Table, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from app.core.i18n import localized
from app.core.kinds import EVENT_LINKS, HIERARCHICAL
from app.models import Period, Region
from app.registry import REGISTRY
from app.repositories.base import LinkTables
from app.schemas.facets import DecadeCount, Facet, Facets, FacetValue

UNKNOWN_END = 9999


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
    counts: dict[int, int] = {}
    undated = 0
    for first, last, count in session.execute(stmt):
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
