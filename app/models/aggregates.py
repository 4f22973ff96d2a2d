"""Link aggregates: counts over the link tables that every write keeps current, so that the
unfiltered graph and the unfiltered facets read a few thousand rows instead of every link.

Per source (the documents that link: `passages` or `events`):

* `link_nodes`: per entity, the documents linking it (a graph node's weight, a flat facet's
  count);
* `link_edges`: per pair of entities, the documents linking both (a graph edge); the pair is
  ordered, `(left_kind, left_id) < (right_kind, right_id)`;
* `link_signatures`: for the hierarchical kinds (periods, regions), per set of entities a
  document links (`entity_ids`, ascending, comma-separated), how many documents link exactly
  that set. A facet counts a document once under an era when it links the era or anything
  below it; which entities lie below which is read at query time, so moving a period under
  another changes no aggregate;
* `year_spans`: per (start_year, end_year), the documents spanning those years (`NO_YEAR`
  stands for a missing year), from which the decade facet is drawn.

Triggers on the link tables and on `passages`/`events` keep them current, whatever the write
(ORM, Core, raw SQL, cascades of an entity's delete). They are row triggers that see the rows
written before them in the same statement: AFTER on SQLite (each row's trigger runs before the
next row is written), BEFORE on PostgreSQL (AFTER row triggers there run once the whole
statement is done, when the pairs within one multi-row insert would be counted twice).

A bulk load can skip them: inside `paused_aggregates(connection)` (one transaction) the
triggers do nothing, and on leaving it `rebuild_aggregates` recounts everything from the link
tables, one INSERT … SELECT per aggregate and link table.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import combinations_with_replacement

from sqlalchemy import Connection, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.kinds import EVENT_LINKS, Kind
from app.models.base import Base

NO_YEAR = -1_000_000
"""Stored for a missing start or end year (key columns cannot hold NULL)."""
PAUSED_TABLE = "link_aggregates_paused"


class LinkNode(Base):
    __tablename__ = "link_nodes"

    source: Mapped[str] = mapped_column(String(16), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    entity_id: Mapped[int] = mapped_column(primary_key=True)
    documents: Mapped[int]


class LinkEdge(Base):
    __tablename__ = "link_edges"

    source: Mapped[str] = mapped_column(String(16), primary_key=True)
    left_kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    left_id: Mapped[int] = mapped_column(primary_key=True)
    right_kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    right_id: Mapped[int] = mapped_column(primary_key=True)
    documents: Mapped[int]


class LinkSignature(Base):
    __tablename__ = "link_signatures"

    source: Mapped[str] = mapped_column(String(16), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    entity_ids: Mapped[str] = mapped_column(Text, primary_key=True)
    documents: Mapped[int]


class YearSpan(Base):
    __tablename__ = "year_spans"

    source: Mapped[str] = mapped_column(String(16), primary_key=True)
    start_year: Mapped[int] = mapped_column(primary_key=True)
    end_year: Mapped[int] = mapped_column(primary_key=True)
    documents: Mapped[int]


class AggregatesPaused(Base):
    """A row here (written inside a bulk load's transaction, so no one else sees it) turns
    the aggregate triggers off until it is deleted."""

    __tablename__ = PAUSED_TABLE

    id: Mapped[int] = mapped_column(Integer, primary_key=True)


@dataclass(frozen=True)
class Source:
    """Documents that link to entities: a table, and its link tables `<singular>_<kind>`."""

    name: str
    singular: str

    @property
    def owner(self) -> str:
        return f"{self.singular}_id"

    def link_table(self, kind: Kind) -> str:
        return f"{self.singular}_{kind.value}"


SOURCES = (Source("passages", "passage"), Source(Kind.EVENTS.value, Kind.EVENTS.singular))
KINDS: tuple[Kind, ...] = tuple(sorted(EVENT_LINKS, key=lambda kind: kind.value))
"""The kinds aggregated (those both sources link to), in the order pairs are keyed in."""
SIGNED: tuple[Kind, ...] = tuple(kind for kind in KINDS if kind.facts.hierarchical)


def _column(kind: Kind) -> str:
    return f"{kind.singular}_id"


# -- the statements a link row's trigger runs ------------------------------------------------


@dataclass(frozen=True)
class LinkRow:
    """One link row being written: `row` is NEW or OLD, as the trigger names it."""

    source: Source
    kind: Kind
    row: str
    dialect: str

    @property
    def document(self) -> str:
        return f"{self.row}.{self.source.owner}"

    @property
    def entity(self) -> str:
        return f"{self.row}.{_column(self.kind)}"

    def pairs(self, extra: str = "") -> list[str]:
        """SELECTs of (source, left_kind, left_id, right_kind, right_id, then `extra`): this
        link paired with every other link of its document."""
        selects = []
        for other in KINDS:
            table, column = self.source.link_table(other), f"o.{_column(other)}"
            where = f"o.{self.source.owner} = {self.document}"
            me, them = f"'{self.kind.value}', {self.entity}", f"'{other.value}', {column}"
            if other == self.kind:
                selects.append((me, them, f"{where} AND {column} > {self.entity}", table))
                selects.append((them, me, f"{where} AND {column} < {self.entity}", table))
            elif self.kind.value < other.value:
                selects.append((me, them, where, table))
            else:
                selects.append((them, me, where, table))
        return [
            f"SELECT '{self.source.name}', {left}, {right}{extra} FROM {table} o WHERE {where}"
            for left, right, where, table in selects
        ]

    def signature(self, *, with_self: bool) -> str:
        """The document's set of links of this kind, with or without this one."""
        column, table = _column(self.kind), self.source.link_table(self.kind)
        others = (
            f"SELECT {column} AS x FROM {table} "
            f"WHERE {self.source.owner} = {self.document} AND {column} <> {self.entity}"
        )
        members = f"{others} UNION ALL SELECT {self.entity}" if with_self else others
        if self.dialect == "postgresql":
            return f"(SELECT string_agg(s.x::text, ',' ORDER BY s.x) FROM ({members}) s)"
        return f"(SELECT group_concat(s.x) FROM ({members} ORDER BY x) s)"


def _add_node(link: LinkRow, step: int) -> str:
    if step > 0:
        return (
            "INSERT INTO link_nodes (source, kind, entity_id, documents) "
            f"VALUES ('{link.source.name}', '{link.kind.value}', {link.entity}, 1) "
            "ON CONFLICT (source, kind, entity_id) "
            "DO UPDATE SET documents = link_nodes.documents + 1"
        )
    return (
        "UPDATE link_nodes SET documents = documents - 1 "
        f"WHERE source = '{link.source.name}' AND kind = '{link.kind.value}' "
        f"AND entity_id = {link.entity}"
    )


def _add_edges(link: LinkRow, step: int) -> list[str]:
    keys = "source, left_kind, left_id, right_kind, right_id"
    if step > 0:
        return [
            f"INSERT INTO link_edges ({keys}, documents) {pairs} "
            f"ON CONFLICT ({keys}) DO UPDATE SET documents = link_edges.documents + 1"
            for pairs in link.pairs(", 1")
        ]
    return [
        f"UPDATE link_edges SET documents = documents - 1 WHERE ({keys}) IN ({pairs})"
        for pairs in link.pairs()
    ]


def _add_signature(link: LinkRow, *, with_self: bool, step: int) -> str:
    where = f"source = '{link.source.name}' AND kind = '{link.kind.value}'"
    signature = link.signature(with_self=with_self)
    if step > 0:
        return (
            "INSERT INTO link_signatures (source, kind, entity_ids, documents) "
            f"SELECT '{link.source.name}', '{link.kind.value}', g.ids, 1 "
            f"FROM (SELECT {signature} AS ids) g WHERE g.ids IS NOT NULL "
            "ON CONFLICT (source, kind, entity_ids) "
            "DO UPDATE SET documents = link_signatures.documents + 1"
        )
    return (
        f"UPDATE link_signatures SET documents = documents - 1 "
        f"WHERE {where} AND entity_ids = {signature}"
    )


def link_statements(link: LinkRow, step: int) -> list[str]:
    """What a link row's insert (`step` 1) or delete (-1) changes in the aggregates."""
    statements = [_add_node(link, step), *_add_edges(link, step)]
    if link.kind in SIGNED:
        # The document's set moves from "without this link" to "with it", or back.
        statements.append(_add_signature(link, with_self=step < 0, step=-1))
        statements.append(_add_signature(link, with_self=step > 0, step=1))
    return statements


def year_statements(source: Source, row: str, step: int) -> list[str]:
    start = f"COALESCE({row}.start_year, {NO_YEAR})"
    end = f"COALESCE({row}.end_year, {NO_YEAR})"
    if step > 0:
        return [
            "INSERT INTO year_spans (source, start_year, end_year, documents) "
            f"VALUES ('{source.name}', {start}, {end}, 1) "
            "ON CONFLICT (source, start_year, end_year) "
            "DO UPDATE SET documents = year_spans.documents + 1"
        ]
    return [
        "UPDATE year_spans SET documents = documents - 1 "
        f"WHERE source = '{source.name}' AND start_year = {start} AND end_year = {end}"
    ]


# -- the triggers, per dialect ------------------------------------------------------------------

PAUSED = f"EXISTS (SELECT 1 FROM {PAUSED_TABLE})"
AGGREGATES_LOCK = 0x616E616C6573
"""PostgreSQL: the transaction-level advisory lock every aggregate trigger takes before it
counts, so that two writing transactions never update the shared counters in opposite
orders (a deadlock); the second waits for the first to commit. SQLite has one writer."""


def _sqlite_trigger(name: str, timing: str, table: str, body: list[str]) -> str:
    statements = "".join(f"    {statement};\n" for statement in body)
    return (
        f"CREATE TRIGGER {name} AFTER {timing} ON {table} FOR EACH ROW "
        f"WHEN NOT {PAUSED}\nBEGIN\n{statements}END"
    )


def _pg_function(name: str, branches: dict[str, tuple[list[str], str]]) -> str:
    """A plpgsql trigger function: per TG_OP, the statements and what it returns."""
    parts = []
    for operation, (body, returned) in branches.items():
        statements = "".join(f"        {statement};\n" for statement in body)
        parts.append(f"TG_OP = '{operation}' THEN\n{statements}        RETURN {returned};\n")
    cases = "    ELSIF ".join(parts)
    return (
        f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n"
        f"    IF {PAUSED} THEN\n        IF TG_OP = 'DELETE' THEN\n            RETURN OLD;\n"
        "        END IF;\n        RETURN NEW;\n    END IF;\n"
        f"    PERFORM pg_advisory_xact_lock({AGGREGATES_LOCK});\n"
        f"    IF {cases}    END IF;\n    RETURN NULL;\nEND\n$$"
    )


def _names(table: str) -> tuple[str, str]:
    return f"anales_{table}_aggregates", f"{table}_aggregates"


def create_triggers(dialect: str) -> list[str]:
    """The statements that create every aggregate trigger on `dialect`."""
    statements = []
    for source in SOURCES:
        for kind in KINDS:
            table = source.link_table(kind)
            insert = link_statements(LinkRow(source, kind, "NEW", dialect), 1)
            delete = link_statements(LinkRow(source, kind, "OLD", dialect), -1)
            statements += _triggers(dialect, table, "BEFORE", {"INSERT": insert, "DELETE": delete})
        new, old = year_statements(source, "NEW", 1), year_statements(source, "OLD", -1)
        statements += _triggers(
            dialect,
            source.name,
            "AFTER",
            {"INSERT": new, "DELETE": old, "UPDATE OF start_year, end_year": old + new},
        )
    return statements


def _triggers(dialect: str, table: str, pg_timing: str, bodies: dict[str, list[str]]) -> list[str]:
    function, trigger = _names(table)
    if dialect == "postgresql":
        returned = {"INSERT": "NEW", "DELETE": "OLD", "UPDATE": "NEW"}
        branches = {
            op.split()[0]: (body, returned[op.split()[0]] if pg_timing == "BEFORE" else "NULL")
            for op, body in bodies.items()
        }
        events = " OR ".join(bodies)
        return [
            _pg_function(function, branches),
            f"CREATE TRIGGER {trigger} {pg_timing} {events} ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {function}()",
        ]
    return [
        _sqlite_trigger(f"{trigger}_{op.split()[0].lower()}", op, table, body)
        for op, body in bodies.items()
    ]


def drop_triggers(dialect: str) -> list[str]:
    tables = [source.link_table(kind) for source in SOURCES for kind in KINDS]
    tables += [source.name for source in SOURCES]
    statements = []
    for table in tables:
        function, trigger = _names(table)
        if dialect == "postgresql":
            statements.append(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")
            statements.append(f"DROP FUNCTION IF EXISTS {function}()")
        else:
            statements += [
                f"DROP TRIGGER IF EXISTS {trigger}_{op}" for op in ("insert", "delete", "update")
            ]
    return statements


# -- recounting ------------------------------------------------------------------------------


def rebuild_statements(dialect: str) -> list[str]:
    """Every aggregate recounted from the link tables: a DELETE, then one INSERT … SELECT per
    (aggregate, link table or pair of link tables); on PostgreSQL under the triggers' lock,
    so that no other transaction counts in between."""
    statements = (
        [f"SELECT pg_advisory_xact_lock({AGGREGATES_LOCK})"] if dialect == "postgresql" else []
    )
    statements += [f"DELETE FROM {table}" for table in AGGREGATE_TABLES]
    for source in SOURCES:
        owner = source.owner
        for kind in KINDS:
            statements.append(
                "INSERT INTO link_nodes (source, kind, entity_id, documents) "
                f"SELECT '{source.name}', '{kind.value}', {_column(kind)}, count(*) "
                f"FROM {source.link_table(kind)} GROUP BY {_column(kind)}"
            )
        for left, right in combinations_with_replacement(KINDS, 2):
            a, b = f"a.{_column(left)}", f"b.{_column(right)}"
            same = f" AND {a} < {b}" if left == right else ""
            statements.append(
                "INSERT INTO link_edges "
                "(source, left_kind, left_id, right_kind, right_id, documents) "
                f"SELECT '{source.name}', '{left.value}', {a}, '{right.value}', {b}, count(*) "
                f"FROM {source.link_table(left)} a JOIN {source.link_table(right)} b "
                f"ON a.{owner} = b.{owner}{same} GROUP BY {a}, {b}"
            )
        for kind in SIGNED:
            column, table = _column(kind), source.link_table(kind)
            if dialect == "postgresql":
                sets = (
                    f"SELECT string_agg({column}::text, ',' ORDER BY {column}) AS ids "
                    f"FROM {table} GROUP BY {owner}"
                )
            else:
                sets = (
                    f"SELECT group_concat({column}) AS ids FROM "
                    f"(SELECT {owner}, {column} FROM {table} ORDER BY {owner}, {column}) "
                    f"GROUP BY {owner}"
                )
            statements.append(
                "INSERT INTO link_signatures (source, kind, entity_ids, documents) "
                f"SELECT '{source.name}', '{kind.value}', s.ids, count(*) FROM ({sets}) s "
                "GROUP BY s.ids"
            )
        statements.append(
            "INSERT INTO year_spans (source, start_year, end_year, documents) "
            f"SELECT '{source.name}', COALESCE(start_year, {NO_YEAR}), "
            f"COALESCE(end_year, {NO_YEAR}), count(*) FROM {source.name} "
            f"GROUP BY COALESCE(start_year, {NO_YEAR}), COALESCE(end_year, {NO_YEAR})"
        )
    return statements


AGGREGATE_TABLES = (
    LinkNode.__tablename__,
    LinkEdge.__tablename__,
    LinkSignature.__tablename__,
    YearSpan.__tablename__,
)


def rebuild_aggregates(connection: Connection) -> None:
    """Recount every aggregate from the link tables (the migration, and after a bulk load
    that paused the triggers)."""
    for statement in rebuild_statements(connection.dialect.name):
        connection.execute(text(statement))


@contextmanager
def paused_aggregates(connection: Connection) -> Iterator[None]:
    """Within one transaction on `connection`: the aggregate triggers do nothing inside the
    block, and every aggregate is recounted when it ends. For bulk loads, where a recount at
    the end costs less than the triggers on every row."""
    connection.execute(text(f"INSERT INTO {PAUSED_TABLE} (id) VALUES (1)"))
    try:
        yield
    finally:
        connection.execute(text(f"DELETE FROM {PAUSED_TABLE}"))
    rebuild_aggregates(connection)
