"""Bulk insert of passages and their links, for large imports.

The ORM path (`app.corpus.seed`, the API) writes a passage at a time with change tracking; this one
hands whole batches of plain tuples to the driver and is meant for hundreds of thousands of
passages. It writes what the ORM path writes: every column of `passages` (`search_text` by the
function the models' `before_insert` hook uses, `footnotes` defaulting to `[]`, `checksum` to
the SHA-256 of the line, the columns' defaults), the link rows, and on SQLite the full-text
index entries `app.models.search` writes after an ORM insert (PostgreSQL computes its own).

Ids are taken before the rows are sent: on SQLite the ones SQLite itself would give (one past
the largest), on PostgreSQL from the table's sequence. Rows go in by `executemany` on SQLite
and by `COPY` on PostgreSQL.

The caller owns the transaction:

    with engine.begin() as connection:
        bulk_insert_passages(connection, rows)

On SQLite, `sqlite_bulk_load(connection)` around that transaction also skips the disk syncs
while it lasts.
"""

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain, islice
from typing import Any, cast

from sqlalchemy import Column, Connection, Table, text

from app.analysis.text import checksum
from app.core.kinds import PASSAGE_LINKS, Kind
from app.models import Passage
from app.models.base import search_text_for
from app.models.search import INDEX_ENTRY_COLUMNS, fts_table, index_entry, index_passage_text
from app.registry import REGISTRY

PASSAGES = cast(Table, Passage.__table__)
# Link kind -> (link table, its column naming the entity).
LINK_TABLES: dict[Kind, tuple[Table, str]] = {
    kind: (REGISTRY[kind].passage_links, REGISTRY[kind].passage_column) for kind in PASSAGE_LINKS
}
DEFAULT_BATCH_SIZE = 5000
# Link rows sent in one INSERT on SQLite (see `_SqliteWriter.write_links`).
LINKS_PER_STATEMENT = 250

# The columns of `passages` filled from a PassageRow's fields, in the order they are sent;
# the others (`OTHER_COLUMNS`) follow, from its `extra` or their defaults.
ROW_COLUMNS = (
    "id",
    "position",
    "text",
    "footnotes",
    "source_file",
    "source_line",
    "checksum",
    "start_year",
    "end_year",
    "note",
    "search_text",
)
OTHER_COLUMNS = tuple(c.name for c in PASSAGES.columns if c.name not in ROW_COLUMNS)

Processor = Callable[[Any], Any]


@dataclass(frozen=True, slots=True)
class PassageRow:
    """One passage to insert, with the ids of the entities it links to.

    `checksum` defaults to the SHA-256 of `text`, which is the source line when the line
    carried no citation markers; give it when `text` was cut out of a longer line.
    `extra` sets other columns of `passages` by name (those without a field here, such as
    `text_en`); columns left out get their defaults, as on the ORM path. Link ids may repeat;
    each link is inserted once.
    """

    text: str
    source_file: str
    source_line: int
    position: int
    start_year: int | None = None
    end_year: int | None = None
    actors: Sequence[int] = ()
    periods: Sequence[int] = ()
    regions: Sequence[int] = ()
    themes: Sequence[int] = ()
    events: Sequence[int] = ()
    footnotes: Sequence[str] = ()
    note: str | None = None
    checksum: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # One year without the other is stored as the API stores it (an open span).
        if (
            self.start_year is not None
            and self.end_year is not None
            and (self.start_year > self.end_year)
        ):
            raise ValueError(
                f"{self.source_file}:{self.source_line}: start_year {self.start_year} "
                f"is after end_year {self.end_year}"
            )
        if self.extra and (unknown := sorted(set(self.extra).difference(OTHER_COLUMNS))):
            raise ValueError(
                f"{self.source_file}:{self.source_line}: extra names no other column of "
                f"passages: {', '.join(unknown)}"
            )


class _Fields:
    """A row's columns as attributes, as the models' hooks and the index read them from a
    new object: the row's fields, then its `extra` columns; any other is None."""

    __slots__ = ("_row",)

    def __init__(self, row: PassageRow) -> None:
        self._row = row

    def __getattr__(self, name: str) -> Any:
        if name in PassageRow.__dataclass_fields__:
            return getattr(self._row, name)
        return self._row.extra.get(name)


def _batches(rows: Iterable[PassageRow], size: int) -> Iterator[list[PassageRow]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


class BulkLoadUnsupported(TypeError):
    """The bulk path cannot write this database or this column; use the ORM loader."""


def _processor(column: Column[Any], connection: Connection) -> Processor:
    """What the dialect does to a Python value of `column` before the driver gets it."""
    dialect = connection.dialect
    process: Processor | None = column.type.dialect_impl(dialect).bind_processor(dialect)
    return process if process is not None else _as_is


def _as_is(value: Any) -> Any:
    return value


def _default(column: Column[Any]) -> Any:
    """The value the ORM gives a column left out: its Python-side default, or None."""
    if column.server_default is not None or column.computed is not None:
        raise BulkLoadUnsupported(f"passages.{column.name}: a default the database computes")
    default: Any = column.default
    if default is None:
        return None
    if default.is_callable:
        return default.arg(None)
    if default.is_scalar:
        return default.arg
    raise BulkLoadUnsupported(f"passages.{column.name}: a default the database computes")


class _PassageValues:
    """Turns PassageRows into the tuples the driver inserts, in the order of `columns`."""

    def __init__(self, connection: Connection) -> None:
        self.columns = (*ROW_COLUMNS, *OTHER_COLUMNS)
        self._footnotes = _processor(PASSAGES.c.footnotes, connection)
        self._no_footnotes = self._footnotes([])
        others = [PASSAGES.c[name] for name in OTHER_COLUMNS]
        self._processors = [_processor(column, connection) for column in others]
        self._defaults = [_default(column) for column in others]
        self._default_values = self._others({})

    def _others(self, extra: Mapping[str, Any]) -> tuple[Any, ...]:
        return tuple(
            process(extra.get(name, default))
            for name, process, default in zip(
                OTHER_COLUMNS, self._processors, self._defaults, strict=True
            )
        )

    def __call__(self, passage_id: int, row: PassageRow) -> tuple[Any, ...]:
        digest = row.checksum if row.checksum is not None else checksum(row.text)
        return (
            passage_id,
            row.position,
            row.text,
            self._footnotes(list(row.footnotes)) if row.footnotes else self._no_footnotes,
            row.source_file,
            row.source_line,
            digest,
            row.start_year,
            row.end_year,
            row.note,
            # What the models' before_insert hook computes, from the same fields.
            search_text_for(_Fields(row), Passage.__search_fields__),
            *(self._others(row.extra) if row.extra else self._default_values),
        )


class _SqliteWriter:
    """Ids as SQLite gives them; rows by `executemany` (links many to a statement); the
    full-text index entries too."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def reserve_ids(self, count: int) -> Sequence[int]:
        """`count` ids after the largest ever given (`AUTOINCREMENT` keeps it), as SQLite
        would give them.

        A transaction that has read the table may only write to it if nobody wrote in
        between, so another writer makes the insert fail rather than take these ids.
        """
        largest = self.connection.scalar(
            text(
                f"SELECT max(coalesce((SELECT max(id) FROM {PASSAGES.name}), 0), "
                "coalesce((SELECT seq FROM sqlite_sequence WHERE name = :table), 0))"
            ),
            {"table": PASSAGES.name},
        )
        first = int(largest or 0) + 1
        return range(first, first + count)

    def write(
        self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]], verb: str = "INSERT"
    ) -> None:
        if rows:
            names, marks = ", ".join(columns), ", ".join("?" * len(columns))
            sql = f"{verb} INTO {table} ({names}) VALUES ({marks})"
            self.connection.exec_driver_sql(sql, rows)

    def write_links(self, table: str, columns: Sequence[str], links: list[tuple[int, int]]) -> None:
        """Link rows, `LINKS_PER_STATEMENT` to an INSERT: a row of two integers costs SQLite
        less than a run of the statement does, so this goes faster than one run a row."""
        names = ", ".join(columns)
        for start in range(0, len(links), LINKS_PER_STATEMENT):
            part = links[start : start + LINKS_PER_STATEMENT]
            values = ", ".join(["(?, ?)"] * len(part))
            sql = f"INSERT INTO {table} ({names}) VALUES {values}"
            self.connection.exec_driver_sql(sql, tuple(chain.from_iterable(part)))

    def index(self, ids: Sequence[int], batch: Sequence[PassageRow]) -> None:
        entries = [
            index_entry(PASSAGES.name, passage_id, _Fields(row))
            for passage_id, row in zip(ids, batch, strict=True)
        ]
        # An entry is (re)written, whatever the index held for that rowid.
        self.write(fts_table(PASSAGES.name), INDEX_ENTRY_COLUMNS, entries, "INSERT OR REPLACE")
        if ids:
            index_passage_text(self.connection, min(ids), max(ids))


class _PostgresWriter:
    """Ids from the table's sequence; rows by `COPY` (psycopg 3). PostgreSQL computes the
    full-text index itself (a generated column)."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def reserve_ids(self, count: int) -> Sequence[int]:
        ids = self.connection.scalars(
            text(
                f"SELECT nextval(pg_get_serial_sequence('{PASSAGES.name}', 'id')) "
                "FROM generate_series(1, :count)"
            ),
            {"count": count},
        )
        return sorted(ids)

    def write(self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        driver_connection: Any = self.connection.connection.driver_connection
        with (
            driver_connection.cursor() as cursor,
            cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)

    def write_links(self, table: str, columns: Sequence[str], links: list[tuple[int, int]]) -> None:
        self.write(table, columns, links)

    def index(self, ids: Sequence[int], batch: Sequence[PassageRow]) -> None:
        """Nothing to write: PostgreSQL computes each row's `search_vector` itself."""


_Writer = _SqliteWriter | _PostgresWriter


def _writer(connection: Connection) -> _Writer:
    dialect = connection.dialect
    if dialect.name == "sqlite":
        return _SqliteWriter(connection)
    if dialect.name == "postgresql" and dialect.driver == "psycopg":
        return _PostgresWriter(connection)
    raise BulkLoadUnsupported(f"bulk insert on {dialect.name}+{dialect.driver}")


@contextmanager
def sqlite_bulk_load(connection: Connection) -> Iterator[None]:
    """SQLite without disk syncs while the block runs; the setting it had is restored after,
    failure or not. Enter it outside any transaction of `connection` (SQLite changes the
    setting only there), and begin and end the load's transaction inside it.

    For building a new database, not for one in use: a crash of the machine (not merely of
    the process) during the block can corrupt the file. The journal mode is kept. Does
    nothing on other databases.
    """
    if connection.dialect.name != "sqlite":
        yield
        return
    if connection.in_transaction():
        raise RuntimeError("sqlite_bulk_load: enter it before the transaction begins")
    driver_connection: Any = connection.connection.driver_connection
    (before,) = driver_connection.execute("PRAGMA synchronous").fetchone()
    driver_connection.execute("PRAGMA synchronous = OFF")
    try:
        yield
    finally:
        if connection.in_transaction():
            # SQLite cannot restore the setting inside a transaction: the connection is
            # dropped rather than handed back to the pool with syncs off.
            connection.invalidate()
        else:
            driver_connection.execute(f"PRAGMA synchronous = {int(before)}")


def bulk_insert_passages(
    connection: Connection,
    rows: Iterable[PassageRow],
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> int:
    """Insert `rows` and their links in batches of `batch_size`; return how many passages.

    Runs in the caller's transaction and commits nothing. Entity ids are not checked here:
    an unknown id fails on the foreign key (SQLite checks them only with
    `PRAGMA foreign_keys = ON`, which the app's engine sets).
    """
    return len(insert_passages(connection, rows, batch_size=batch_size))


def insert_passages(
    connection: Connection,
    rows: Iterable[PassageRow],
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> list[int]:
    """`bulk_insert_passages`, answering the ids given to `rows`, in their order (what the
    audit log and the caller's report name each new passage by)."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    writer = _writer(connection)
    values = _PassageValues(connection)
    inserted: list[int] = []
    for batch in _batches(rows, batch_size):
        ids = writer.reserve_ids(len(batch))
        writer.write(PASSAGES.name, values.columns, list(map(values, ids, batch)))
        writer.index(ids, batch)
        for kind, (table, column) in LINK_TABLES.items():
            links = [
                (passage_id, entity_id)
                for passage_id, row in zip(ids, batch, strict=True)
                for entity_id in dict.fromkeys(getattr(row, kind))
            ]
            writer.write_links(table.name, ("passage_id", column), links)
        inserted.extend(ids)
    return inserted
