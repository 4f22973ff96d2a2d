"""Query building blocks shared by the resource repositories."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, Table, and_, func, or_, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import InstrumentedAttribute, Session, selectinload, with_parent
from sqlalchemy.orm.attributes import set_committed_value

from app.errors import InvalidParameter
from app.models import Actor, Period, Region, Theme
from app.models.base import EntityMixin
from app.pagination import CursorValue, PageResult, decode_cursor, encode_cursor
from app.schemas.base import LinkFilter
from app.text import fold

M = TypeVar("M")
E = TypeVar("E", bound=EntityMixin)


@dataclass(frozen=True)
class SortKey:
    """An ascending sort over columns that ends in a unique one, for keyset paging."""

    columns: tuple[InstrumentedAttribute[Any], ...]

    @property
    def types(self) -> list[type]:
        return [col.type.python_type for col in self.columns]

    def after(self, values: Sequence[CursorValue]) -> ColumnElement[bool]:
        """Rows strictly after `values` in this order: (a > x) or (a = x and b > y) …"""
        clauses = []
        for i, col in enumerate(self.columns):
            equal = [self.columns[j] == values[j] for j in range(i)]
            clauses.append(and_(*equal, col > values[i]))
        return or_(*clauses)

    def values_of(self, row: Any) -> list[CursorValue]:
        return [getattr(row, col.key) for col in self.columns]


def paginate(
    session: Session,
    stmt: Select[M],
    sort: SortKey,
    *,
    limit: int,
    cursor: str | None,
    options: Sequence[Any] = (),
) -> PageResult[M]:
    """One page after `cursor` in `sort` order, with the total; `options` load relations."""
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    if cursor is not None:
        stmt = stmt.where(sort.after(decode_cursor(cursor, sort.types)))
    rows = list(session.scalars(stmt.options(*options).order_by(*sort.columns).limit(limit + 1)))
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor(sort.values_of(rows[-1]))
    return PageResult(items=rows, total=total or 0, next_cursor=next_cursor)


def resolve_slugs(
    session: Session, model: type[E], slugs: Sequence[str], *, parameter: str
) -> list[int]:
    """Ids of the entities named by `slugs`; an unknown slug is a 422 naming it."""
    wanted = list(dict.fromkeys(slugs))
    rows = session.execute(select(model.slug, model.id).where(model.slug.in_(wanted))).all()
    found: dict[str, int] = dict(rows)
    missing = [slug for slug in wanted if slug not in found]
    if missing:
        listed = ", ".join(f"'{slug}'" for slug in missing)
        raise InvalidParameter(parameter, f"unknown {model.__name__.lower()} {listed}")
    return [found[slug] for slug in wanted]


def with_descendants(model: type[Period] | type[Region], ids: Sequence[int]) -> Select[int]:
    """A query for `ids` and every row below them through `parent_id` (a recursive CTE)."""
    name = f"{model.__tablename__}_tree"
    tree = select(model.id).where(model.id.in_(ids)).cte(name, recursive=True)
    tree = tree.union(select(model.id).where(model.parent_id == tree.c.id))
    return select(tree.c.id)


def linked_to(
    owner_id: InstrumentedAttribute[int], link: Table, target_ids: Select[int] | list[int]
) -> ColumnElement[bool]:
    """`owner_id` is linked through `link` to any of `target_ids`."""
    owner_col, target_col = (col for col in link.primary_key.columns)
    return owner_id.in_(select(owner_col).where(target_col.in_(target_ids)))


def overlaps(
    start: ColumnElement[Any] | InstrumentedAttribute[Any],
    end: ColumnElement[Any] | InstrumentedAttribute[Any],
    year_from: int | None,
    year_to: int | None,
) -> list[ColumnElement[bool]]:
    """Conditions for [start, end] to overlap [year_from, year_to]; either bound may be open."""
    if year_from is not None and year_to is not None and year_from > year_to:
        raise InvalidParameter("to", f"must not be before 'from' ({year_from})")
    conditions = []
    if year_to is not None:
        conditions.append(start <= year_to)
    if year_from is not None:
        conditions.append(end >= year_from)
    return conditions


def matches_text(column: InstrumentedAttribute[str], q: str | None) -> list[ColumnElement[bool]]:
    """Every word of `q` appears in the folded `column`; a blank `q` matches everything."""
    if q is None:
        return []
    conditions: list[ColumnElement[bool]] = []
    for word in fold(q).split():
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        conditions.append(column.like(f"%{escaped}%", escape="\\"))
    return conditions


@dataclass(frozen=True)
class LinkTables:
    """The link tables from one owner (passages or events) to the filterable entities."""

    periods: Table
    actors: Table
    regions: Table
    themes: Table


def link_conditions(
    session: Session, owner_id: InstrumentedAttribute[int], filters: LinkFilter, links: LinkTables
) -> list[ColumnElement[bool]]:
    """The era, theme, actor and region filters: OR within one, AND across them."""
    conditions: list[ColumnElement[bool]] = []
    if filters.era:
        ids = resolve_slugs(session, Period, filters.era, parameter="era")
        tree = with_descendants(Period, ids)
        conditions.append(linked_to(owner_id, links.periods, tree))
    if filters.theme:
        ids = resolve_slugs(session, Theme, filters.theme, parameter="theme")
        conditions.append(linked_to(owner_id, links.themes, ids))
    if filters.actor:
        ids = resolve_slugs(session, Actor, filters.actor, parameter="actor")
        conditions.append(linked_to(owner_id, links.actors, ids))
    if filters.region:
        ids = resolve_slugs(session, Region, filters.region, parameter="region")
        tree = with_descendants(Region, ids)
        conditions.append(linked_to(owner_id, links.regions, tree))
    return conditions


def include_options(model: type[Any], include: Sequence[str]) -> list[Any]:
    """Eager loads for the links a list embeds: one extra query per link kind, whatever
    the page size."""
    return [selectinload(getattr(model, name)) for name in dict.fromkeys(include)]


def get_by_slug(
    session: Session, model: type[E], slug: str, *options: Any, embed: Sequence[str] = ()
) -> E | None:
    """The entity with `options` loaded, and its `embed` collections bounded (see below)."""
    obj = session.scalar(select(model).where(model.slug == slug).options(*options))
    if obj is not None:
        for relation in embed:
            embed_linked(session, obj, relation)
    return obj


EMBED_LIMIT = 100


def embed_linked(session: Session, obj: Any, relation: str, limit: int = EMBED_LIMIT) -> None:
    """Load the first `limit` items of a collection (in its own order) and count them all:
    a detail embeds what links to it without growing with the corpus. The count is set as
    `<relation>_total`."""
    attribute = getattr(type(obj), relation)
    prop = sa_inspect(type(obj)).relationships[relation]
    target = prop.mapper.class_
    linked = with_parent(obj, attribute)
    rows = session.scalars(select(target).where(linked).order_by(*prop.order_by).limit(limit))
    set_committed_value(obj, relation, list(rows))
    total = session.scalar(select(func.count()).select_from(target).where(linked))
    setattr(obj, f"{relation}_total", total or 0)
