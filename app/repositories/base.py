"""Query building blocks shared by the resource repositories."""

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import Any, Generic, TypeVar

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Integer,
    Label,
    Row,
    Select,
    Table,
    and_,
    bindparam,
    func,
    literal,
    literal_column,
    or_,
    select,
    union_all,
)
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import InstrumentedAttribute, Session, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from app.analysis.text import fold
from app.core.errors import BadQuery
from app.core.kinds import EVENT_LINKS, HIERARCHICAL, Kind
from app.models import Period, Region
from app.models.aggregates import LinkNode
from app.models.base import EntityMixin
from app.registry import REGISTRY
from app.repositories.paging import (
    CursorValue,
    PageRequest,
    PageResult,
    counted,
    decode_cursor,
    encode_cursor,
)
from app.schemas.base import COUNT_LIMIT, LinkFilter

M = TypeVar("M")
E = TypeVar("E", bound=EntityMixin)


@dataclass(frozen=True)
class SortKey:
    """An ascending sort over columns that ends in a unique one, for keyset paging."""

    columns: tuple[InstrumentedAttribute[Any], ...]

    @property
    def table(self) -> Any:
        """The table the columns belong to: the one a list walks in this order."""
        return self.columns[0].expression.table

    @property
    def types(self) -> list[type]:
        return [col.type.python_type for col in self.columns]

    def after(self, values: Sequence[CursorValue]) -> ColumnElement[bool]:
        """Rows strictly after `values` in this order: (a > x) or (a = x and b > y) …, with
        `a >= x` stated apart so that the database can start an index range there."""
        clauses = []
        for i, col in enumerate(self.columns):
            equal = [self.columns[j] == values[j] for j in range(i)]
            clauses.append(and_(*equal, col > values[i]))
        return and_(self.columns[0] >= values[0], or_(*clauses))

    def up_to(self, values: Sequence[CursorValue]) -> ColumnElement[bool]:
        """Rows at or before `values` in this order, with `a <= x` stated apart (the end
        of an index range)."""
        clauses = []
        for i, col in enumerate(self.columns):
            equal = [self.columns[j] == values[j] for j in range(i)]
            last = i == len(self.columns) - 1
            clauses.append(and_(*equal, col <= values[i] if last else col < values[i]))
        return and_(self.columns[0] <= values[0], or_(*clauses))

    def values_of(self, row: Any) -> list[CursorValue]:
        return [getattr(row, col.key) for col in self.columns]


@dataclass(frozen=True)
class TwoWays:
    """One condition written for each plan of `Filtered`: as membership in sets the database
    gathers first, and as a lookup made row by row. Either side may take several terms."""

    by_sets: Sequence[ColumnElement[bool]]
    by_probes: Sequence[ColumnElement[bool]]
    # For membership in a link set: the rows of that set, which a count can walk (LinkSet).
    link: "LinkSet | None" = None


@dataclass(frozen=True)
class LinkSet:
    """The owners linked through `link` to any of `target_ids`: a set a count can be driven
    from, walking the link table's (target, owner) index rather than the owners in order."""

    owner_id: InstrumentedAttribute[int]
    owner_column: ColumnElement[int]
    target_column: ColumnElement[int]
    target_ids: Sequence[int]
    kind: Kind | None = None

    def size(self, session: Session, cap: int) -> int:
        """How many links the set holds: read from the link aggregates (documents per
        entity) for the kinds they keep, else counted from the index, up to `cap`."""
        if self.kind in EVENT_LINKS:
            source = self.owner_id.class_.__tablename__
            held = select(func.sum(LinkNode.documents)).where(
                LinkNode.source == source,
                LinkNode.kind == self.kind,
                LinkNode.entity_id.in_(self.target_ids),
            )
            return min(session.scalar(held) or 0, cap)
        rows = select(literal(1)).where(self.target_column.in_(self.target_ids)).limit(cap)
        return session.scalar(select(func.count()).select_from(rows.subquery())) or 0


# A condition of a list: a plain one reads alike in both plans.
Condition = ColumnElement[bool] | TwoWays


@dataclass(frozen=True)
class Filtered(Generic[M]):
    """One filtered list written two ways, for the two plans a growing list is paged by.

    `by_sets` tests each row's membership in the set of rows linked to the filter's entities:
    the database gathers those sets first, so it costs what the sets hold: little for a rare
    filter, a great deal for one that matches a large share of a big corpus. `by_probes`
    looks up each row's own links as it walks the list in order, so it costs what it walks:
    little when matches come soon, the whole corpus when they never do.
    """

    by_sets: Select[M]
    by_probes: Select[M]
    where: Sequence[Condition] = ()


def filtered(stmt: Select[M], where: Sequence[Condition]) -> Filtered[M]:
    """`stmt` under every condition of `where`, in that order, written for each plan."""
    by_sets: list[ColumnElement[bool]] = []
    by_probes: list[ColumnElement[bool]] = []
    for condition in where:
        if isinstance(condition, TwoWays):
            by_sets += condition.by_sets
            by_probes += condition.by_probes
        else:
            by_sets.append(condition)
            by_probes.append(condition)
    return Filtered(by_sets=stmt.where(*by_sets), by_probes=stmt.where(*by_probes), where=where)


def paginate(
    session: Session,
    stmt: Select[M],
    sort: SortKey,
    page: PageRequest,
    *,
    where: Sequence[Condition] = (),
    options: Sequence[Any] = (),
    growing: bool = False,
    exact_total: bool = False,
) -> PageResult[M]:
    """One page of `stmt` under the conditions `where`: `page.limit` rows after `page.cursor`
    in `sort` order, with its total; `options` load relations. The one way every list is
    paged.

    A list that stays small is read in one plan and counted exactly. A `growing` list (one
    that grows with the corpus) is read by whichever of its two plans stays cheap, and its
    total is bounded unless `exact_total` (see `_paginate_growing`).
    """
    query = filtered(stmt, where)
    limit, cursor = page.limit, page.cursor
    after = decode_cursor(cursor, sort.types) if cursor is not None else None
    if growing:
        return _paginate_growing(
            session, query, sort, limit=limit, after=after, options=options, exact_total=exact_total
        )
    return _paginate_small(session, query.by_sets, sort, limit=limit, after=after, options=options)


def _paginate_small(
    session: Session,
    stmt: Select[M],
    sort: SortKey,
    *,
    limit: int,
    after: Sequence[CursorValue] | None,
    options: Sequence[Any],
) -> PageResult[M]:
    """A page of a list that stays small: its rows in one plan, all of them counted."""
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    if after is not None:
        stmt = stmt.where(sort.after(after))
    rows = list(session.scalars(stmt.options(*options).order_by(*sort.columns).limit(limit + 1)))
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor(sort.values_of(rows[-1]))
    return PageResult(items=rows, next_cursor=next_cursor, count=counted(total or 0))


# How many rows, in list order, a page is looked for row by row before the filter's sets are
# gathered instead.
PAGE_WINDOW = 5_000


def _paginate_growing(
    session: Session,
    query: Filtered[M],
    sort: SortKey,
    *,
    limit: int,
    after: Sequence[CursorValue] | None,
    options: Sequence[Any],
    exact_total: bool,
) -> PageResult[M]:
    """A page of a list that grows with the corpus, where no single plan serves every
    filter: each plan is tried only as far as it stays cheap, so the work a page costs
    depends on the page and the filter's selectivity, not on the size of the corpus.

    The page is looked for row by row in the next `PAGE_WINDOW` rows; only when they hold
    too few matches (a rare filter) are the sets gathered. The total stops at
    `COUNT_LIMIT` matches: exact up to that many, a lower bound beyond (`total_exact`
    false), unless `exact_total` asks for the full count, which costs what the matches number.
    """
    rows, probed = first_rows(session, query, sort, limit + 1, after=after, options=options)
    next_cursor = None
    if len(rows) > limit:
        next_cursor = encode_cursor(sort.values_of(rows[limit - 1]))
    if after is None and next_cursor is None:
        return PageResult(items=rows, next_cursor=None, count=counted(len(rows)))

    def count() -> tuple[int, bool]:
        if exact_total:
            return _count(session, query.by_sets), True
        if probed and next_cursor is not None:
            # limit + 1 matches among the rows walked: walk about twice as far, from the
            # top, as should hold COUNT_LIMIT of them; fall back on the sets if that falls
            # short.
            walked = session.scalar(
                select(func.count())
                .select_from(sort.table)
                .where(*([sort.after(after)] if after is not None else []))
                .where(sort.up_to(sort.values_of(rows[limit])))
            )
            window = 2 * COUNT_LIMIT * (walked or 1) // (limit + 1) + 1
            return _bounded_count(session, query, sort, window)
        # A last page found by walking tells nothing of how dense the matches are: walk one
        # window from the top. A page the sets had to answer is a rare filter: count those.
        return _bounded_count(session, query, sort, PAGE_WINDOW if probed else None)

    return PageResult(items=rows[:limit], next_cursor=next_cursor, count=count)


def first_rows(
    session: Session,
    query: Filtered[M],
    sort: SortKey,
    count: int,
    *,
    after: Sequence[CursorValue] | None = None,
    options: Sequence[Any] = (),
) -> tuple[list[M], bool]:
    """The first `count` rows after `after` in `sort` order, and whether they were found row
    by row within the next `PAGE_WINDOW` rows (else the sets were gathered)."""

    def rows_of(stmt: Select[M]) -> list[M]:
        if after is not None:
            stmt = stmt.where(sort.after(after))
        return list(session.scalars(stmt.options(*options).order_by(*sort.columns).limit(count)))

    if _plans_itself(session):
        return rows_of(query.by_sets), False
    end = _nth_row(session, sort, after, PAGE_WINDOW)
    rows = rows_of(query.by_probes if end is None else query.by_probes.where(sort.up_to(end)))
    if end is None or len(rows) == count:
        return rows, True
    return rows_of(query.by_sets), False


def _plans_itself(session: Session) -> bool:
    """PostgreSQL turns both forms into the same semi-join and picks its plan from the
    table statistics, stopping early under a LIMIT: it is sent the set form alone. SQLite
    follows the form it is given, so it gets the walk first."""
    return session.get_bind().dialect.name == "postgresql"


def _nth_row(
    session: Session, sort: SortKey, after: Sequence[CursorValue] | None, n: int
) -> Row[Any] | None:
    """The sort key of the `n`-th row of the sorted table after `after`, or None when fewer
    are left."""
    if after is None:
        # A Core statement on the session's connection: no ORM machinery to go through.
        return session.connection().execute(_nth_from_top(sort), {"skip": n - 1}).first()
    stmt = select(*sort.columns).select_from(sort.table).where(sort.after(after))
    return session.execute(stmt.order_by(*sort.columns).offset(n - 1).limit(1)).first()


@cache
def _nth_from_top(sort: SortKey) -> Select[Any]:
    """`_nth_row` from the top of the list, built once per order (`skip` is its parameter)."""
    stmt = select(*sort.columns).select_from(sort.table).order_by(*sort.columns)
    return stmt.offset(bindparam("skip")).limit(1)


def _count(
    session: Session, stmt: Select[Any], cap: int | None = None, walk: SortKey | None = None
) -> int:
    """Rows of `stmt`, at most `cap`; `walk` counts them in that order (along its index, not
    one the database may prefer for the other conditions and that the window does not bound)."""
    rows = stmt.with_only_columns(literal(1), maintain_column_froms=True)
    rows = rows.order_by(*(walk.columns if walk is not None else ())).limit(cap)
    return session.scalar(select(func.count()).select_from(rows.subquery())) or 0


def _bounded_count(
    session: Session, query: Filtered[Any], sort: SortKey, window: int | None
) -> tuple[int, bool]:
    """Matches up to COUNT_LIMIT, row by row over the first `window` rows when given, from
    the sets when that walk ends short of COUNT_LIMIT with rows left."""
    found = None
    if not _plans_itself(session):
        found = _count_from_links(session, query, COUNT_LIMIT + 1)
    if found is None and window is not None and not _plans_itself(session):
        end = _nth_row(session, sort, None, window)
        walk = query.by_probes if end is None else query.by_probes.where(sort.up_to(end))
        found = _count(session, walk, COUNT_LIMIT + 1, walk=sort)
        if found <= COUNT_LIMIT and end is not None:
            found = None
    if found is None:
        found = _count(session, query.by_sets, COUNT_LIMIT + 1)
    if found > COUNT_LIMIT:
        return COUNT_LIMIT, False
    return found, True


# A link set holding more links than this is not walked for a count: a filter that dense
# finds its matches as soon in the list's own order (the window).
LINK_WALK_LIMIT = 50_000


def _count_from_links(session: Session, query: Filtered[Any], cap: int) -> int | None:
    """The matches of `query`, counted up to `cap` by walking its smallest link set (the
    link table's index, each linked owner tested against the other conditions), or None
    when it has no link filter. Finding `cap` matches costs what the set holds per match,
    however large the corpus; walking the list in order instead costs what the whole list
    holds per match, which is more by the share of the corpus the set holds."""
    links = [(i, c.link) for i, c in enumerate(query.where) if isinstance(c, TwoWays) and c.link]
    if not links:
        return None
    sizes = [(link.size(session, LINK_WALK_LIMIT), i, link) for i, link in links]
    size, chosen, link = min(sizes, key=lambda entry: entry[0])
    if size >= LINK_WALK_LIMIT:
        return None
    others: list[ColumnElement[bool]] = []
    for i, condition in enumerate(query.where):
        if i != chosen:
            others += condition.by_probes if isinstance(condition, TwoWays) else [condition]
    owners = (
        select(link.owner_column)
        .join(link.owner_id.class_, link.owner_id == link.owner_column)
        .where(link.target_column.in_(link.target_ids), *others)
    )
    if len(link.target_ids) > 1:  # an owner may be linked to several of them
        owners = owners.distinct()
    owners = owners.limit(cap)
    return session.scalar(select(func.count()).select_from(owners.subquery())) or 0


def resolve_slugs(
    session: Session, model: type[E], slugs: Sequence[str], *, parameter: str
) -> list[int]:
    """Ids of the entities named by `slugs`; an unknown slug is a `BadQuery` naming it."""
    wanted = list(dict.fromkeys(slugs))
    rows = session.execute(select(model.slug, model.id).where(model.slug.in_(wanted))).all()
    found: dict[str, int] = dict(rows)
    missing = [slug for slug in wanted if slug not in found]
    if missing:
        listed = ", ".join(f"'{slug}'" for slug in missing)
        raise BadQuery(parameter, f"unknown {model.__name__.lower()} {listed}")
    return [found[slug] for slug in wanted]


def with_descendants(model: type[Period] | type[Region], ids: Sequence[int]) -> Select[int]:
    """A query for `ids` and every row below them through `parent_id` (a recursive CTE)."""
    name = f"{model.__tablename__}_tree"
    tree = select(model.id).where(model.id.in_(ids)).cte(name, recursive=True)
    tree = tree.union(select(model.id).where(model.parent_id == tree.c.id))
    return select(tree.c.id)


def linked_to(
    owner_id: InstrumentedAttribute[int],
    link: Table,
    target_ids: Select[int] | list[int],
    kind: Kind | None = None,
) -> TwoWays:
    """`owner_id` is linked through `link` to any of `target_ids` (entities of `kind`)."""
    owner_col, target_col = (col for col in link.primary_key.columns)
    ways = through(owner_id, owner_col, target_col.in_(target_ids))
    if isinstance(target_ids, list):
        ways = replace(ways, link=LinkSet(owner_id, owner_col, target_col, target_ids, kind))
    return ways


def through(
    key: ColumnElement[Any] | InstrumentedAttribute[Any],
    link_key: ColumnElement[Any],
    link_rows: ColumnElement[bool],
) -> TwoWays:
    """`key` is the `link_key` of a link row that `link_rows` picks: as membership in the set
    of those keys, or as a lookup of each row's own links (see `Filtered`)."""
    return TwoWays(
        by_sets=[key.in_(select(link_key).where(link_rows))],
        by_probes=[select(link_key).where(link_key == key, link_rows).exists()],
    )


def overlaps(
    start: ColumnElement[Any] | InstrumentedAttribute[Any],
    end: ColumnElement[Any] | InstrumentedAttribute[Any],
    year_from: int | None,
    year_to: int | None,
) -> list[ColumnElement[bool]]:
    """Conditions for [start, end] to overlap [year_from, year_to]; either bound may be open."""
    if year_from is not None and year_to is not None and year_from > year_to:
        raise BadQuery("to", f"must not be before 'from' ({year_from})")
    conditions = []
    if year_to is not None:
        conditions.append(start <= year_to)
    if year_from is not None:
        conditions.append(end >= year_from)
    return conditions


# What LIKE reads as a wildcard or an escape, in a word that must match as written.
LIKE_SPECIAL = re.compile(r"[%_\\]")


def matches_text(column: InstrumentedAttribute[str], q: str | None) -> list[ColumnElement[bool]]:
    """Every word of `q` appears in the folded `column`; a blank `q` matches everything."""
    if q is None:
        return []
    conditions: list[ColumnElement[bool]] = []
    for word in fold(q).split():
        escaped = LIKE_SPECIAL.sub(lambda m: "\\" + m.group(), word)
        conditions.append(column.like(f"%{escaped}%", escape="\\"))
    return conditions


@dataclass(frozen=True)
class LinkTables:
    """The link tables from one owner (passages or events) to the filterable entities;
    `events` for an owner that links to events (passages)."""

    periods: Table
    actors: Table
    regions: Table
    themes: Table
    events: Table | None = None

    @property
    def filters(self) -> tuple[Kind, ...]:
        """The kinds this owner is filtered by, in `FILTER_ORDER`."""
        return FILTER_ORDER if self.events is None else (*FILTER_ORDER, Kind.EVENTS)


@dataclass(frozen=True)
class LinkTargets:
    """The resolved link filters: (kind, link table, target ids) for each."""

    targets: list[tuple[Kind, Table, list[int]]]

    def conditions(self, owner_id: InstrumentedAttribute[int]) -> list[Condition]:
        """OR within one filter, AND across them."""
        return [linked_to(owner_id, link, ids, kind) for kind, link, ids in self.targets]


FILTER_ORDER = (Kind.PERIODS, Kind.THEMES, Kind.ACTORS, Kind.REGIONS)
"""The order the link filters are resolved (the first unknown slug is the one named) and
joined in."""


@cache
def _resolution(kinds: tuple[Kind, ...]) -> CompoundSelect[Any]:
    """One statement for the ids every slug of the filters on `kinds` names, with, for an
    era or a region, every row below it: (position of the kind in `kinds`, slug, id). Built
    once per combination of kinds; the slugs are its parameters, named after the kinds."""
    parts: list[Select[Any]] = []
    for position, kind in enumerate(kinds):
        model: Any = REGISTRY[kind].model
        tag: Label[int] = literal_column(str(position), Integer).label("kind")
        named = select(tag, model.slug.label("slug"), model.id.label("id")).where(
            model.slug.in_(bindparam(kind.value, expanding=True))
        )
        if kind in HIERARCHICAL:
            tree = named.cte(f"{model.__tablename__}_tree", recursive=True)
            below = select(tree.c.kind, tree.c.slug, model.id).where(model.parent_id == tree.c.id)
            named = select(tree.union(below))
        parts.append(named)
    return union_all(*parts)


def link_targets(session: Session, filters: Any, links: LinkTables) -> LinkTargets:
    """Resolve the slugs of the link filters at once, in one statement (a 422 names the first
    unknown one); an era or a region stands for itself and everything below it, read here
    so that each row's links are tested against a plain list of ids."""
    wanted = {
        kind: list(dict.fromkeys(getattr(filters, kind.facts.filter))) for kind in links.filters
    }
    kinds = tuple(kind for kind, slugs in wanted.items() if slugs)
    if not kinds:
        return LinkTargets([])
    params = {kind.value: wanted[kind] for kind in kinds}
    found: dict[Kind, dict[str, list[int]]] = {kind: {} for kind in kinds}
    for position, slug, entity_id in session.connection().execute(_resolution(kinds), params):
        found[kinds[position]].setdefault(slug, []).append(entity_id)
    targets: list[tuple[Kind, Table, list[int]]] = []
    for kind in kinds:
        missing = [slug for slug in wanted[kind] if slug not in found[kind]]
        if missing:
            listed = ", ".join(f"'{slug}'" for slug in missing)
            name = REGISTRY[kind].model.__name__.lower()
            raise BadQuery(kind.facts.filter, f"unknown {name} {listed}")
        ids = list(dict.fromkeys(i for slug in wanted[kind] for i in found[kind][slug]))
        targets.append((kind, getattr(links, kind), ids))
    return LinkTargets(targets)


def link_conditions(
    session: Session, owner_id: InstrumentedAttribute[int], filters: LinkFilter, links: LinkTables
) -> list[Condition]:
    """The era, theme, actor and region filters: OR within one, AND across them."""
    return link_targets(session, filters, links).conditions(owner_id)


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


def embed_linked(session: Session, obj: Any, relation: str) -> None:
    """Load the first `EMBED_LIMIT` items of a collection (in its own order) and count them all:
    a detail embeds what links to it without growing with the corpus. The count is set as
    `<relation>_total`; it reads the link table alone (its keys are the linked rows)."""
    prop = sa_inspect(type(obj)).relationships[relation]
    target = prop.mapper.class_
    ((_, owner_column),) = prop.synchronize_pairs
    ((target_key, target_column),) = prop.secondary_synchronize_pairs
    owner = owner_column == sa_inspect(obj).identity[0]
    linked = filtered(select(target), [through(target_key, target_column, owner)])
    total = session.scalar(select(func.count()).select_from(prop.secondary).where(owner)) or 0
    sort = SortKey(tuple(prop.order_by))
    if total <= PAGE_WINDOW:  # few enough to gather and sort, whatever the corpus holds
        rows = list(session.scalars(linked.by_sets.order_by(*sort.columns).limit(EMBED_LIMIT)))
    else:
        rows, _ = first_rows(session, linked, sort, EMBED_LIMIT)
    set_committed_value(obj, relation, rows)
    setattr(obj, f"{relation}_total", total)
