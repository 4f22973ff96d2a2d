"""Bulk insert of passages and their links with SQLAlchemy Core, for large imports.

The ORM path (`app.seed`) loads a passage at a time with change tracking; this one sends
`INSERT ... VALUES` executemany batches straight to the app's tables and is meant for
hundreds of thousands of rows. It fills every column the ORM path fills: `search_text` is
computed by the same function the models' `before_insert` hook uses, `footnotes` defaults to
`[]` and `checksum` to the SHA-256 of the line, and the full-text index entries the ORM's
mapper events write are written too (`app.models.search.index_documents`, when that module
is there). Ids come back through `RETURNING`, so it works on SQLite and PostgreSQL alike and
never guesses at ids.

The caller owns the transaction:

    with engine.begin() as connection:
        bulk_insert_passages(connection, rows)
"""

import hashlib
import importlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, cast

from sqlalchemy import Connection, Table, insert

from app.models import Passage
from app.models.associations import (
    passage_actors,
    passage_events,
    passage_periods,
    passage_regions,
    passage_themes,
)
from app.models.base import search_text_for

PASSAGES = cast(Table, Passage.__table__)
# Link kind -> (link table, its column naming the entity).
LINK_TABLES: dict[str, tuple[Table, str]] = {
    "actors": (passage_actors, "actor_id"),
    "periods": (passage_periods, "period_id"),
    "regions": (passage_regions, "region_id"),
    "themes": (passage_themes, "theme_id"),
    "events": (passage_events, "event_id"),
}
DEFAULT_BATCH_SIZE = 5000

Indexer = Callable[[Connection, str, Iterable[tuple[int, Any]]], None]


def _full_text_indexer() -> Indexer | None:
    """`app.models.search.index_documents`, which the ORM path calls after every insert.

    Looked up rather than imported: the full-text index is being added alongside this
    module, and a bulk load must write its entries exactly when the ORM path would.
    """
    try:
        module = importlib.import_module("app.models.search")
    except ModuleNotFoundError:
        return None
    indexer: Indexer | None = getattr(module, "index_documents", None)
    return indexer


index_documents = _full_text_indexer()


def line_checksum(line: str) -> str:
    """SHA-256 hex digest of a source line as read (what `app.seed.read_source` stores)."""
    return hashlib.sha256(line.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class PassageRow:
    """One passage to insert, with the ids of the entities it links to.

    `checksum` defaults to the SHA-256 of `text`, which is the source line when the line
    carried no citation markers; give it when `text` was cut out of a longer line.
    `extra` sets other columns of `passages` by name (those without a field here); columns
    left out get their defaults, as on the ORM path. Link ids may repeat; each link is
    inserted once.
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
        if (self.start_year is None) != (self.end_year is None):
            raise ValueError(
                f"{self.source_file}:{self.source_line}: give both start_year and end_year, "
                "or neither"
            )
        if (
            self.start_year is not None
            and self.end_year is not None
            and (self.start_year > self.end_year)
        ):
            raise ValueError(
                f"{self.source_file}:{self.source_line}: start_year {self.start_year} "
                f"is after end_year {self.end_year}"
            )

    def values(self) -> dict[str, Any]:
        """The `passages` row: every column the ORM path fills but the id and the defaults."""
        values = {
            **self.extra,
            "position": self.position,
            "text": self.text,
            "footnotes": list(self.footnotes),
            "source_file": self.source_file,
            "source_line": self.source_line,
            "checksum": self.checksum if self.checksum is not None else line_checksum(self.text),
            "start_year": self.start_year,
            "end_year": self.end_year,
            "note": self.note,
        }
        # What the models' before_insert hook computes, from the same fields.
        values["search_text"] = search_text_for(_Fields(values), Passage.__search_fields__)
        return values


class _Fields:
    """Attribute access to a row's values; a column not given is None, as on a new object."""

    __slots__ = ("_values",)

    def __init__(self, values: Mapping[str, Any]) -> None:
        self._values = values

    def __getattr__(self, name: str) -> Any:
        return self._values.get(name)


def _batches(rows: Iterable[PassageRow], size: int) -> Iterator[list[PassageRow]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


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
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    # RETURNING gives the new ids; they are matched to the rows by the (source_file,
    # source_line) key, unique in the table, since a multi-row INSERT need not return
    # rows in parameter order (asking SQLAlchemy to sort them sends one row at a time
    # on SQLite).
    insert_passages = insert(PASSAGES).returning(
        PASSAGES.c.id, PASSAGES.c.source_file, PASSAGES.c.source_line
    )
    inserted = 0
    for batch in _batches(rows, batch_size):
        values = [row.values() for row in batch]
        result = connection.execute(insert_passages, values)
        ids = {(file, line): id_ for id_, file, line in result}
        if len(ids) != len(batch):
            raise RuntimeError(f"inserted {len(batch)} passages but got {len(ids)} ids back")
        passage_ids = [ids[(row.source_file, row.source_line)] for row in batch]
        if index_documents is not None:
            documents = zip(passage_ids, map(_Fields, values), strict=True)
            index_documents(connection, PASSAGES.name, documents)
        for kind, (table, column) in LINK_TABLES.items():
            links = [
                (passage_id, entity_id)
                for passage_id, row in zip(passage_ids, batch, strict=True)
                for entity_id in dict.fromkeys(getattr(row, kind))
            ]
            if links:
                _insert_links(connection, table, column, links)
        inserted += len(batch)
    return inserted


def _insert_links(
    connection: Connection, table: Table, column: str, links: list[tuple[int, int]]
) -> None:
    """executemany of the Core `insert(table)` compiled for this connection's dialect.

    Link rows are two integers, which need no type processing: handing them to the driver
    directly halves the cost of the largest part of a bulk load.
    """
    keys = ("passage_id", column)
    compiled = insert(table).compile(dialect=connection.dialect, column_keys=list(keys))
    params: list[Any]
    if compiled.positional:
        order = [keys.index(key) for key in compiled.positiontup or ()]
        params = links if order == [0, 1] else [tuple(link[i] for i in order) for link in links]
    else:
        params = [dict(zip(keys, link, strict=True)) for link in links]
    connection.exec_driver_sql(compiled.string, params)
